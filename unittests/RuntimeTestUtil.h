//===- RuntimeTestUtil.h - Helpers of the C runtime API tests ---*- C++ -*-===//
//
// RAII holders and small helpers shared by RuntimeTensorTest.cpp,
// RuntimeSignatureTest.cpp and RuntimeModelTest.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_UNITTESTS_RUNTIMETESTUTIL_H
#define LUT_UNITTESTS_RUNTIMETESTUTIL_H

#include "lut-c/Runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lut::runtime::testing {

/// Owns a tensor (or nullptr); lutTensorDestroy at scope exit.
struct TensorHolder {
  LutTensor *t = nullptr;
  explicit TensorHolder(LutTensor *t) : t(t) {}
  TensorHolder(const TensorHolder &) = delete;
  TensorHolder &operator=(const TensorHolder &) = delete;
  TensorHolder(TensorHolder &&o) noexcept : t(o.t) { o.t = nullptr; }
  ~TensorHolder() { lutTensorDestroy(t); }
  LutTensor *get() const { return t; }
};

/// Owns a model (or nullptr); lutModelFree at scope exit.
struct ModelHolder {
  LutModel *m = nullptr;
  explicit ModelHolder(LutModel *m) : m(m) {}
  ModelHolder(const ModelHolder &) = delete;
  ModelHolder &operator=(const ModelHolder &) = delete;
  ~ModelHolder() { lutModelFree(m); }
  LutModel *get() const { return m; }
};

/// The calling thread's last runtime error message.
inline std::string lastError() { return lutGetLastError(); }

/// The shape of `t` as a vector.
inline std::vector<int64_t> shapeOf(const LutTensor *t) {
  const int64_t *s = lutTensorGetShape(t);
  return std::vector<int64_t>(s, s + lutTensorGetRank(t));
}

/// A model entry point that does nothing, for signature-only models.
inline int32_t dummyRun(void *const *, void *const *) { return 0; }

} // namespace lut::runtime::testing

#endif
