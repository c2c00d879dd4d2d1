//===- DTypes.h - Element types: names, sizes, kinds ------------*- C++ -*-===//
//
// Dependency-free accessors over the one dtype table, DTypes.def. A dtype is
// its ONNX TensorProto.DataType number, which is also the LutDType value of
// include/lut-c/Runtime.h. Usable from the runtime (plain C++, no MLIR or
// LLVM); the MLIR side is lut/Support/MLIRTypes.h.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_SUPPORT_DTYPES_H
#define LUT_SUPPORT_DTYPES_H

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace lut {

/// How the bits of an element are read.
enum class DTypeKind { Float, Signed, Unsigned, Bool };

/// One row of DTypes.def (supported types only).
struct DTypeInfo {
  int32_t value;    ///< ONNX TensorProto.DataType == LutDType
  const char *name; ///< signature name, e.g. "float", "uint8"
  size_t bytes;     ///< bytes per element in lut-mlir's storage
  DTypeKind kind;
  const char *numpy;    ///< NumPy dtype name, "" if none (bfloat16)
  const char *npyDescr; ///< .npy descr written, e.g. "<f4"
};

/// Every supported dtype, in ONNX number order.
inline constexpr DTypeInfo kDTypes[] = {
#define LUT_DTYPE(Id, Value, Name, Bytes, Kind, MlirType, Numpy, NpyDescr)     \
  {Value, Name, Bytes, DTypeKind::Kind, Numpy, NpyDescr},
#include "lut/Support/DTypes.def"
};

/// The row of a supported dtype, or nullptr.
inline const DTypeInfo *findDType(int32_t value) {
  for (const DTypeInfo &info : kDTypes)
    if (info.value == value)
      return &info;
  return nullptr;
}

/// The row whose signature name is exactly `name`, or nullptr.
inline const DTypeInfo *findDTypeByName(const char *name) {
  if (!name)
    return nullptr;
  for (const DTypeInfo &info : kDTypes)
    if (std::strcmp(info.name, name) == 0)
      return &info;
  return nullptr;
}

/// Bytes per element, 0 if unsupported.
inline size_t dtypeSize(int32_t value) {
  const DTypeInfo *info = findDType(value);
  return info ? info->bytes : 0;
}

/// The signature name of a supported dtype, nullptr otherwise.
inline const char *dtypeName(int32_t value) {
  const DTypeInfo *info = findDType(value);
  return info ? info->name : nullptr;
}

/// The supported dtype named `name`, 0 (UNDEFINED) otherwise.
inline int32_t dtypeFromName(const char *name) {
  const DTypeInfo *info = findDTypeByName(name);
  return info ? info->value : 0;
}

/// The lowercased ONNX name of any ONNX dtype, supported or not ("string",
/// "complex64"), for messages; "undefined" for numbers ONNX does not define
/// here.
inline const char *onnxDTypeName(int32_t value) {
  switch (value) {
#define LUT_DTYPE(Id, Value, Name, Bytes, Kind, MlirType, Numpy, NpyDescr)     \
  case Value:                                                                  \
    return Name;
#define LUT_DTYPE_UNSUPPORTED(Id, Value, Name)                                 \
  case Value:                                                                  \
    return Name;
#include "lut/Support/DTypes.def"
  default:
    return "undefined";
  }
}

inline bool dtypeIs(int32_t value, DTypeKind kind) {
  const DTypeInfo *info = findDType(value);
  return info && info->kind == kind;
}
inline bool isFloatDType(int32_t v) { return dtypeIs(v, DTypeKind::Float); }
inline bool isUnsignedDType(int32_t v) {
  return dtypeIs(v, DTypeKind::Unsigned);
}
inline bool isBoolDType(int32_t v) { return dtypeIs(v, DTypeKind::Bool); }
/// Signed or unsigned integer (not bool).
inline bool isIntDType(int32_t v) {
  return dtypeIs(v, DTypeKind::Signed) || dtypeIs(v, DTypeKind::Unsigned);
}

} // namespace lut

#endif // LUT_SUPPORT_DTYPES_H
