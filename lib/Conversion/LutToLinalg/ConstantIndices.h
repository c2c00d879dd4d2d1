//===- ConstantIndices.h - range checks of constant index operands -*- C++ -*-===//
//
// Shared by the reference lowerings of lut.gather_sum (its codes) and lut.lut
// (its mapping): an operand that is a constant is checked before lowering,
// so that an index out of range is a located error, not an out-of-bounds
// tensor.extract at run time.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_LIB_CONVERSION_LUTTOLINALG_CONSTANTINDICES_H
#define LUT_LIB_CONVERSION_LUTTOLINALG_CONSTANTINDICES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/StringExtras.h"

#include <optional>
#include <string>
#include <utility>

namespace lut {

/// When `v` is a dense integer constant, its first element outside
/// [0, bound) as (row-major flat index, value in decimal), the elements read
/// as unsigned when `isUnsigned` (codes) else signed (mapping indices);
/// std::nullopt when every element is in range or `v` is not a constant.
inline std::optional<std::pair<int64_t, std::string>>
firstIndexOutside(mlir::Value v, int64_t bound, bool isUnsigned) {
  mlir::DenseIntElementsAttr values;
  if (!mlir::matchPattern(v, mlir::m_Constant(&values)))
    return std::nullopt;
  int64_t idx = 0;
  for (const llvm::APInt &e : values.getValues<llvm::APInt>()) {
    bool outside = isUnsigned ? e.getActiveBits() > 63 || e.getZExtValue() >= (uint64_t)bound
                              : e.getSExtValue() < 0 || e.getSExtValue() >= bound;
    if (outside)
      return std::make_pair(idx, llvm::toString(e, 10, /*Signed=*/!isUnsigned));
    ++idx;
  }
  return std::nullopt;
}

} // namespace lut

#endif // LUT_LIB_CONVERSION_LUTTOLINALG_CONSTANTINDICES_H
