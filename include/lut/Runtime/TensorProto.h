//===- TensorProto.h - The one ONNX TensorProto decoder ---------*- C++ -*-===//
//
// Decodes an ONNX TensorProto into its dtype, shape and little-endian bytes
// in lut-mlir's storage layout (bool: one byte per element; float16 and
// bfloat16: two bytes). Used by the ONNX importer (initializers and
// Constant values, with the model's directory as base) and by TensorIO's
// .pb reader (with the .pb file's directory as base).
//
// The data comes from exactly one of
//  * raw_data: little-endian, exactly elements x size bytes;
//  * the typed field ONNX defines for the dtype: float_data (float),
//    double_data (double), int64_data (int64), uint64_data (uint32,
//    uint64), int32_data (int8/16/32, uint8/16, bool 0/1, and the bit
//    patterns of float16/bfloat16), one value per element, each in range;
//  * external data (data_location EXTERNAL): the `location` file, resolved
//    against a base directory by resolveExternalDataPath, from `offset`
//    (default 0) for `length` bytes (default: the size the shape needs).
//    As in ONNX 1.14 and later, the file must lie inside the base directory
//    (the model's folder): no absolute location, no `..` that leaves the
//    folder, no symbolic link (in any component) that resolves outside it,
//    and a regular file, not a directory or a device. The file is opened at
//    its canonical path with O_NOFOLLOW and checked again after opening.
//
// Sizes are checked before anything is allocated: elements x element size
// (with overflow checks) must equal the bytes actually present (raw_data,
// typed values, or the external byte range) and must not exceed
// TensorProtoOptions::maxBytes, so a corrupt or hostile shape never causes a
// large allocation.
//
// Messages name the tensor: "<noun> '<name>' ..." (just "<noun>" for an
// unnamed one), where the caller chooses the noun ("initializer",
// "TensorProto"). No exceptions are thrown, except std::bad_alloc.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_RUNTIME_TENSORPROTO_H
#define LUT_RUNTIME_TENSORPROTO_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace lut::runtime {

/// What a TensorProto holds, known before its data is read.
struct TensorProtoInfo {
  int32_t dtype = 0; ///< ONNX TensorProto.DataType == LutDType (supported)
  std::vector<int64_t> shape;
  int64_t numElements = 0;
  size_t sizeInBytes = 0; ///< numElements x dtypeSize(dtype)
};

/// Why decoding failed.
enum class TensorProtoError {
  None,
  /// Malformed: wrong sizes, bad fields, unreadable external data.
  Invalid,
  /// Well formed but of a dtype or storage lut-mlir does not support
  /// (string, complex, segments).
  Unsupported,
};

struct TensorProtoOptions {
  /// Directory that external-data locations are relative to. Empty: a
  /// tensor with external data is rejected.
  std::string baseDir;
  /// How messages name the tensor, e.g. "initializer" or "TensorProto".
  std::string noun = "TensorProto";
  /// Allow external-data locations outside `baseDir` (absolute paths, `..`,
  /// symbolic links that leave it). Off by default, as in ONNX >= 1.14.
  bool allowOutsideBaseDir = false;
  /// The largest tensor, in bytes, that may be decoded; larger ones are
  /// rejected before anything is allocated. 0: no limit.
  uint64_t maxBytes = 0;
  /// How messages name the option that sets `maxBytes` ("--memory-limit").
  std::string maxBytesOption;
};

/// `n` as "<n> bytes", followed from 1 MiB on by its binary-prefixed size:
/// "17179869184 bytes (16 GiB)". For messages about sizes and limits.
std::string formatBytes(uint64_t n);

/// Resolves the external-data `location` of a tensor against `baseDir`:
/// the one place where external-data paths are turned into file paths.
/// Unless `allowOutside`, the location must be relative, must not leave
/// `baseDir` through `..` or through a symbolic link in any component, and
/// must name an existing regular file; `path` is then its canonical
/// (symlink-free, absolute) path. With `allowOutside`, `path` is `location`
/// if absolute, else `baseDir/location`, and only existence is checked
/// later, when the file is opened. Returns false with a message that quotes
/// `location` as written (but not the tensor's name) otherwise.
bool resolveExternalDataPath(const std::string &baseDir,
                             const std::string &location, bool allowOutside,
                             std::string &path, std::string &error);

/// Decodes `proto`: checks its dtype, shape and the size of its data, calls
/// `allocate(info)` once for a buffer of info.sizeInBytes bytes (it may
/// return nullptr only when sizeInBytes is 0, or to abort with its own
/// message in `error`), and fills that buffer. Returns None on success;
/// otherwise the failure class, with a message in `error`.
TensorProtoError decodeTensorProto(
    const onnx::TensorProto &proto, const TensorProtoOptions &options,
    const std::function<void *(const TensorProtoInfo &)> &allocate,
    std::string &error);

/// Checks `proto` as decodeTensorProto does (dtype, shape, limits, the size
/// of its data, and for external data the location's confinement and the
/// file's length) without allocating or reading any data; fills `info`.
TensorProtoError validateTensorProto(const onnx::TensorProto &proto,
                                     const TensorProtoOptions &options,
                                     TensorProtoInfo &info,
                                     std::string &error);

/// Like above, into `bytes` (resized to info.sizeInBytes).
TensorProtoError decodeTensorProto(const onnx::TensorProto &proto,
                                   const TensorProtoOptions &options,
                                   TensorProtoInfo &info,
                                   std::vector<char> &bytes,
                                   std::string &error);

} // namespace lut::runtime

#endif // LUT_RUNTIME_TENSORPROTO_H
