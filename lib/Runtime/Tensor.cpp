//===- Tensor.cpp - Dtypes, shapes and tensors of the C runtime API -------===//
//
// Implements the dtype and tensor parts of include/lut-c/Runtime.h, and the
// shape and size helpers of RuntimeImpl.h shared with the signature parser
// and the checked run.
//
//===----------------------------------------------------------------------===//

#include "RuntimeImpl.h"
#include "lut/Support/DTypes.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

using namespace lut::runtime::impl;

//===----------------------------------------------------------------------===//
// Dtypes and shapes
//===----------------------------------------------------------------------===//

namespace lut::runtime::impl {
namespace {

// The LutDType enumerators are the numbers of the dtype table.
#define LUT_DTYPE(Id, Value, ...)                                              \
  static_assert(LUT_DTYPE_##Id == Value, "LutDType differs from DTypes.def");
#define LUT_DTYPE_UNSUPPORTED(Id, Value, Name)                                 \
  static_assert(LUT_DTYPE_##Id == Value, "LutDType differs from DTypes.def");
#include "lut/Support/DTypes.def"

const DTypeInfo *findDType(LutDType dtype) {
  return lut::findDType(static_cast<int32_t>(dtype));
}

} // namespace

std::string dtypeToString(LutDType dtype) {
  if (const DTypeInfo *info = findDType(dtype))
    return info->name;
  return "<unsupported dtype " + std::to_string(static_cast<int>(dtype)) + ">";
}

std::string shapeToString(const int64_t *shape, size_t rank) {
  if (rank == 0)
    return "[] (scalar)";
  std::string s = "[";
  for (size_t i = 0; i < rank; ++i) {
    if (i)
      s += ',';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

LutStatus computeSizes(const int64_t *shape, int64_t rank, LutDType dtype,
                       int64_t &numElements, size_t &sizeInBytes) {
  const DTypeInfo *info = findDType(dtype);
  if (!info)
    return fail(LUT_ERROR_INVALID_ARGUMENT,
                "unsupported dtype " + std::to_string(static_cast<int>(dtype)));
  if (rank < 0 || rank > LUT_MAX_RANK)
    return fail(LUT_ERROR_INVALID_ARGUMENT,
                "rank " + std::to_string(rank) + " is out of range [0, " +
                    std::to_string(LUT_MAX_RANK) + "]");
  if (rank > 0 && !shape)
    return fail(LUT_ERROR_INVALID_ARGUMENT,
                "shape is NULL but rank is " + std::to_string(rank));
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (shape[i] < 0)
      return fail(LUT_ERROR_INVALID_ARGUMENT,
                  "dimension " + std::to_string(i) + " is negative (" +
                      std::to_string(shape[i]) + ")");
    if (__builtin_mul_overflow(count, shape[i], &count))
      return fail(LUT_ERROR_OUT_OF_MEMORY,
                  "element count of shape " +
                      shapeToString(shape, static_cast<size_t>(rank)) +
                      " overflows");
  }
  int64_t bytes = 0;
  if (__builtin_mul_overflow(count, static_cast<int64_t>(info->bytes), &bytes))
    return fail(LUT_ERROR_OUT_OF_MEMORY,
                "byte size of shape " +
                    shapeToString(shape, static_cast<size_t>(rank)) +
                    " overflows");
  numElements = count;
  sizeInBytes = static_cast<size_t>(bytes);
  return LUT_OK;
}

} // namespace lut::runtime::impl

namespace {
constexpr size_t kAlignment = 64;
} // namespace

extern "C" {

//===----------------------------------------------------------------------===//
// Dtypes
//===----------------------------------------------------------------------===//

size_t lutDTypeSize(LutDType dtype) {
  return lut::dtypeSize(static_cast<int32_t>(dtype));
}

const char *lutDTypeName(LutDType dtype) {
  return lut::dtypeName(static_cast<int32_t>(dtype));
}

LutDType lutDTypeFromName(const char *name) {
  return static_cast<LutDType>(lut::dtypeFromName(name));
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

LutTensor *lutTensorCreate(void *data, const int64_t *shape, int64_t rank,
                           LutDType dtype, int owning) {
  int64_t numElements;
  size_t sizeInBytes;
  if (computeSizes(shape, rank, dtype, numElements, sizeInBytes) != LUT_OK)
    return nullptr;
  if (!data && sizeInBytes != 0)
    return failNull<LutTensor>(LUT_ERROR_INVALID_ARGUMENT,
                               "data is NULL for a tensor of " +
                                   std::to_string(sizeInBytes) + " bytes");
  try {
    auto *t = new LutTensor;
    t->shape.assign(shape, shape + rank);
    t->data = data;
    t->dtype = dtype;
    t->owning = owning != 0;
    t->numElements = numElements;
    t->sizeInBytes = sizeInBytes;
    return t;
  } catch (const std::bad_alloc &) {
    return failNull<LutTensor>(LUT_ERROR_OUT_OF_MEMORY,
                               "out of memory creating a tensor");
  }
}

LutTensor *lutTensorCreateEmpty(const int64_t *shape, int64_t rank,
                                LutDType dtype) {
  int64_t numElements;
  size_t sizeInBytes;
  if (computeSizes(shape, rank, dtype, numElements, sizeInBytes) != LUT_OK)
    return nullptr;
  // aligned_alloc wants a size that is a multiple of the alignment; always
  // allocate at least one block so that the pointer is never NULL.
  size_t allocSize = sizeInBytes == 0 ? kAlignment
                                      : (sizeInBytes + kAlignment - 1) /
                                            kAlignment * kAlignment;
  if (allocSize < sizeInBytes)
    return failNull<LutTensor>(LUT_ERROR_OUT_OF_MEMORY,
                               "tensor byte size overflows");
  void *data = std::aligned_alloc(kAlignment, allocSize);
  if (!data)
    return failNull<LutTensor>(LUT_ERROR_OUT_OF_MEMORY,
                               "out of memory allocating " +
                                   std::to_string(sizeInBytes) +
                                   " bytes for a tensor");
  std::memset(data, 0, allocSize);
  LutTensor *t = lutTensorCreate(data, shape, rank, dtype, /*owning=*/1);
  if (!t)
    std::free(data);
  return t;
}

void lutTensorDestroy(LutTensor *tensor) { delete tensor; }

void *lutTensorGetData(const LutTensor *tensor) {
  if (!tensor)
    return failNull<void>(LUT_ERROR_INVALID_ARGUMENT, "tensor is NULL");
  return tensor->data;
}

LutDType lutTensorGetDType(const LutTensor *tensor) {
  if (!tensor) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "tensor is NULL");
    return LUT_DTYPE_UNDEFINED;
  }
  return tensor->dtype;
}

int64_t lutTensorGetRank(const LutTensor *tensor) {
  if (!tensor) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "tensor is NULL");
    return -1;
  }
  return static_cast<int64_t>(tensor->shape.size());
}

const int64_t *lutTensorGetShape(const LutTensor *tensor) {
  if (!tensor)
    return failNull<const int64_t>(LUT_ERROR_INVALID_ARGUMENT,
                                   "tensor is NULL");
  return tensor->shape.data();
}

int64_t lutTensorGetNumElements(const LutTensor *tensor) {
  if (!tensor) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "tensor is NULL");
    return -1;
  }
  return tensor->numElements;
}

size_t lutTensorGetSizeInBytes(const LutTensor *tensor) {
  if (!tensor) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "tensor is NULL");
    return 0;
  }
  return tensor->sizeInBytes;
}

int lutTensorIsOwning(const LutTensor *tensor) {
  if (!tensor) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "tensor is NULL");
    return 0;
  }
  return tensor->owning ? 1 : 0;
}

} // extern "C"
