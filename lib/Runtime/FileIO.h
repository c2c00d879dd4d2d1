//===- FileIO.h - Helpers shared by the tensor file readers -----*- C++ -*-===//
//
// Private to lib/Runtime: file reading and writing with messages that start
// with the path, and tensor creation, for TensorIO.cpp (.pb) and Npy.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_LIB_RUNTIME_FILEIO_H
#define LUT_LIB_RUNTIME_FILEIO_H

#include "lut/Runtime/TensorIO.h"

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace lut::runtime::detail {

/// Creates an owning, zero-filled tensor; on failure puts the runtime's
/// message into `error`.
TensorPtr makeTensor(const std::vector<int64_t> &shape, LutDType dtype,
                     std::string &error);

/// The signature name of `dtype`, or "<dtype N>".
std::string dtypeString(LutDType dtype);

/// RAII FILE*.
struct File {
  std::FILE *f = nullptr;
  explicit File(std::FILE *f) : f(f) {}
  File(const File &) = delete;
  File &operator=(const File &) = delete;
  ~File() {
    if (f)
      std::fclose(f);
  }
};

/// Opens `path` for reading and returns its size; fails for directories and
/// unreadable files.
bool openForRead(const std::string &path, File &file, uint64_t &size,
                 std::string &error);

/// Reads exactly `n` bytes; `what` describes them for the error message.
bool readExactly(File &file, void *dst, size_t n, const std::string &path,
                 const char *what, std::string &error);

/// Writes `bytes` to `path`, replacing it.
bool writeFile(const std::string &path, std::string_view bytes,
               std::string &error);

} // namespace lut::runtime::detail

#endif
