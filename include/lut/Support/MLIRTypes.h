//===- MLIRTypes.h - Element types <-> MLIR types ---------------*- C++ -*-===//
//
// The MLIR side of the dtype table (DTypes.def). lut-mlir's IR uses signless
// integers; whether an integer tensor is signed or unsigned is carried by
// the `lut.dtype` attribute of function arguments and results (the
// signature name, e.g. "uint8").
//
// Header-only (inline), so that any library linking MLIR can use it without
// another link dependency.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_SUPPORT_MLIRTYPES_H
#define LUT_SUPPORT_MLIRTYPES_H

#include "lut/Support/DTypes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

namespace lut {

namespace detail {
inline mlir::Type makeF32(mlir::MLIRContext *c) {
  return mlir::Float32Type::get(c);
}
inline mlir::Type makeF64(mlir::MLIRContext *c) {
  return mlir::Float64Type::get(c);
}
inline mlir::Type makeF16(mlir::MLIRContext *c) {
  return mlir::Float16Type::get(c);
}
inline mlir::Type makeBF16(mlir::MLIRContext *c) {
  return mlir::BFloat16Type::get(c);
}
inline mlir::Type makeI1(mlir::MLIRContext *c) {
  return mlir::IntegerType::get(c, 1);
}
inline mlir::Type makeI8(mlir::MLIRContext *c) {
  return mlir::IntegerType::get(c, 8);
}
inline mlir::Type makeI16(mlir::MLIRContext *c) {
  return mlir::IntegerType::get(c, 16);
}
inline mlir::Type makeI32(mlir::MLIRContext *c) {
  return mlir::IntegerType::get(c, 32);
}
inline mlir::Type makeI64(mlir::MLIRContext *c) {
  return mlir::IntegerType::get(c, 64);
}
} // namespace detail

/// The MLIR element type of a supported dtype (integers signless), or a null
/// type.
inline mlir::Type dtypeToMLIRType(int32_t dtype, mlir::MLIRContext *ctx) {
  switch (dtype) {
#define LUT_DTYPE(Id, Value, Name, Bytes, Kind, MlirType, Numpy, NpyDescr)     \
  case Value:                                                                  \
    return detail::make##MlirType(ctx);
#include "lut/Support/DTypes.def"
  default:
    return {};
  }
}

/// The dtype of MLIR element type `type`: a float type, i1 (bool), or an
/// integer type, which is unsigned when `isUnsigned` or when the type itself
/// is unsigned (ui8), signed otherwise. 0 (UNDEFINED) if there is none.
inline int32_t dtypeFromMLIRType(mlir::Type type, bool isUnsigned = false) {
  if (!type)
    return 0;
  mlir::Type signless = type;
  if (auto it = mlir::dyn_cast<mlir::IntegerType>(type)) {
    isUnsigned |= it.isUnsigned();
    signless = mlir::IntegerType::get(type.getContext(), it.getWidth());
  }
  for (const DTypeInfo &info : kDTypes) {
    if (dtypeToMLIRType(info.value, type.getContext()) != signless)
      continue;
    if ((info.kind == DTypeKind::Signed && isUnsigned) ||
        (info.kind == DTypeKind::Unsigned && !isUnsigned))
      continue;
    return info.value;
  }
  return 0;
}

/// The signature name ("float", "uint8", ...) of a function argument or
/// result whose tensor element type is `elementType` and whose `lut.dtype`
/// attribute is `lutDType` (may be null). With a `lut.dtype` string that
/// names a dtype whose MLIR element type is `elementType`, that name;
/// without one, the name derived from the element type (signless integers
/// are signed). nullptr when the attribute names no dtype, disagrees with
/// the element type, or the type has no ONNX equivalent.
inline const char *dtypeNameForType(mlir::Type elementType,
                                    mlir::Attribute lutDType = {}) {
  if (auto str = mlir::dyn_cast_or_null<mlir::StringAttr>(lutDType)) {
    const DTypeInfo *info = findDTypeByName(str.str().c_str());
    if (!info || !elementType ||
        dtypeToMLIRType(info->value, elementType.getContext()) != elementType)
      return nullptr;
    return info->name;
  }
  if (lutDType)
    return nullptr;
  return dtypeName(dtypeFromMLIRType(elementType));
}

} // namespace lut

#endif // LUT_SUPPORT_MLIRTYPES_H
