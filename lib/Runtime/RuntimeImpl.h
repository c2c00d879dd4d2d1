//===- RuntimeImpl.h - Internals of the C runtime API -----------*- C++ -*-===//
//
// Private to LutRuntime, the implementation of include/lut-c/Runtime.h:
//
//   Errors.cpp     status strings and the thread-local last error
//   Tensor.cpp     dtype functions, shape and size helpers, tensors
//   Signature.cpp  parsing and validation of the `lut-model v1` signature
//   Model.cpp      loading with dlopen, introspection, checked execution
//
// Every exported function is noexcept in effect: C++ exceptions (only
// std::bad_alloc can occur) are caught at the API boundary and turned into
// LUT_ERROR_OUT_OF_MEMORY. Nothing declared here is exported (the library is
// built with hidden visibility; only LUT_RUNTIME_API functions are).
//
//===----------------------------------------------------------------------===//
#ifndef LUT_LIB_RUNTIME_RUNTIMEIMPL_H
#define LUT_LIB_RUNTIME_RUNTIMEIMPL_H

#include "lut-c/Runtime.h"

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace lut::runtime::impl {

//===----------------------------------------------------------------------===//
// Errors (Errors.cpp)
//===----------------------------------------------------------------------===//

/// Records `message` as the calling thread's last error and returns `status`.
LutStatus fail(LutStatus status, std::string message);

/// Like `fail` but for functions returning a pointer.
template <typename T> T *failNull(LutStatus status, std::string message) {
  fail(status, std::move(message));
  return nullptr;
}

/// The calling thread's last error message, as lutGetLastError returns it.
const std::string &lastErrorMessage();

/// Replaces the calling thread's last error message, keeping its status.
void setLastErrorMessage(std::string message);

//===----------------------------------------------------------------------===//
// Dtypes and shapes (Tensor.cpp)
//===----------------------------------------------------------------------===//

/// "float", or "<unsupported dtype 8>" for anything the runtime cannot hold.
std::string dtypeToString(LutDType dtype);

/// "[2,3]", or "[] (scalar)" for rank 0.
std::string shapeToString(const int64_t *shape, size_t rank);

/// Computes the element count and byte size of a shape, checking every dim
/// and guarding against overflow. Returns LUT_OK or an error (already set).
LutStatus computeSizes(const int64_t *shape, int64_t rank, LutDType dtype,
                       int64_t &numElements, size_t &sizeInBytes);

//===----------------------------------------------------------------------===//
// Signatures (Signature.cpp)
//===----------------------------------------------------------------------===//

/// One `input` or `output` record of a signature.
struct ValueInfo {
  std::string name;
  LutDType dtype = LUT_DTYPE_UNDEFINED;
  /// Dims; -1 for a dynamic dim (`?` in the signature).
  std::vector<int64_t> shape;
  /// Per dim, the name of a dynamic dim (`?batch` -> "batch"), else "".
  std::vector<std::string> dimNames;
  bool isDynamic() const {
    for (int64_t d : shape)
      if (d < 0)
        return true;
    return false;
  }
};

/// The `target` record of a signature: what the library was compiled for.
/// Empty when the signature has no `target` record.
struct TargetInfo {
  std::string triple;                ///< LLVM target triple
  std::string cpu;                   ///< LLVM CPU name (`generic` if none)
  std::vector<std::string> features; ///< enabled LLVM feature names, no '+'
};

/// Parses and validates the signature text of the model ABI (grammar in
/// docs/Runtime.md). On success replaces `inputs`, `outputs` and `target`
/// with the records (inputs and outputs in index order) and returns LUT_OK;
/// otherwise returns LUT_ERROR_BAD_SIGNATURE (error set) and leaves all three
/// untouched.
LutStatus parseSignature(const char *text, std::vector<ValueInfo> &inputs,
                         std::vector<ValueInfo> &outputs, TargetInfo &target);

//===----------------------------------------------------------------------===//
// Host CPU checks (HostCpu.cpp)
//===----------------------------------------------------------------------===//

/// Checks that the running CPU can execute code built for `target`: the
/// triple's architecture is the host's, and every feature in
/// `target.features` that this runtime knows how to test (x86-64: the
/// `__builtin_cpu_supports` features; AArch64: the HWCAP bits) is present.
/// Features it cannot test are assumed present. Returns LUT_OK, or
/// LUT_ERROR_UNSUPPORTED_CPU with a message listing the missing features.
LutStatus checkHostSupports(const TargetInfo &target);

} // namespace lut::runtime::impl

//===----------------------------------------------------------------------===//
// Object layouts
//===----------------------------------------------------------------------===//

struct LutTensor {
  void *data = nullptr;
  std::vector<int64_t> shape;
  LutDType dtype = LUT_DTYPE_UNDEFINED;
  bool owning = false;
  int64_t numElements = 0;
  size_t sizeInBytes = 0;

  ~LutTensor() {
    if (owning)
      std::free(data);
  }
};

struct LutModel {
  void *handle = nullptr; // dlopen handle; null for lutModelCreateFromSymbols
  LutModelRunFn run = nullptr;
  /// Models with dynamic dims (docs/Runtime.md): these two instead of run.
  LutModelRunDynamicFn runDynamic = nullptr;
  LutModelOutputShapesFn outputShapes = nullptr;
  /// The library's lut_model_set_num_threads (lut-c/Kernels.h); null when
  /// it has none (no parallel code) or for lutModelCreateFromSymbols.
  int32_t (*setNumThreads)(int32_t) = nullptr;
  bool dynamic = false;
  std::string signature;
  std::vector<lut::runtime::impl::ValueInfo> inputs;
  std::vector<lut::runtime::impl::ValueInfo> outputs;

  ~LutModel(); // dlclose()s the handle; in Model.cpp
};

#endif
