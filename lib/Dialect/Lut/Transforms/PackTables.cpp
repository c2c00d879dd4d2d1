//===- PackTables.cpp - lut-pack-tables: f16, bf16 or i8 tables -----------===//
//
// Implements `lut-pack-tables` (Passes.td).
//
//===----------------------------------------------------------------------===//
#include "lut/Dialect/Lut/IR/LutOps.h"
#include "lut/Dialect/Lut/Transforms/Passes.h"
#include "lut/Fit/TableStorage.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lut {
#define GEN_PASS_DEF_LUTPACKTABLES
#include "lut/Dialect/Lut/Transforms/Passes.h.inc"
} // namespace lut

using namespace mlir;
using namespace lut;

namespace {

/// The f32 values of a constant's attribute, or failure (after an error on
/// `op`) when a dense_resource blob is missing. `key` gets the resource key
/// (or "tables" for a plain dense attribute).
FailureOr<std::vector<float>> f32Values(Operation *op, Attribute value, std::string &key) {
  if (auto dense = dyn_cast<DenseFPElementsAttr>(value)) {
    key = "tables";
    std::vector<float> out;
    out.reserve(dense.getNumElements());
    for (const APFloat &v : dense.getValues<APFloat>())
      out.push_back(v.convertToFloat());
    return out;
  }
  auto res = cast<DenseResourceElementsAttr>(value);
  key = res.getRawHandle().getKey().str();
  AsmResourceBlob *blob = res.getRawHandle().getBlob();
  int64_t count = res.getType().getNumElements();
  if (!blob || blob->getData().size() != (size_t)count * sizeof(float))
    return op->emitError() << "lut-pack-tables: the tables' resource '" << key
                           << "' has no data of " << count << " f32 values";
  std::vector<float> out(count);
  std::memcpy(out.data(), blob->getData().data(), count * sizeof(float));
  return out;
}

template <class T>
Value blobConstant(OpBuilder &b, Location loc, RankedTensorType type, const std::vector<T> &data,
                   StringRef key) {
  ArrayRef<char> bytes(reinterpret_cast<const char *>(data.data()), data.size() * sizeof(T));
  auto attr = DenseResourceElementsAttr::get(
      type, key, HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(T)));
  return arith::ConstantOp::create(b, loc, attr);
}

/// f32 -> 16-bit pattern of `sem` (exact for values rounded by
/// fit::storedTables).
uint16_t to16(float v, const llvm::fltSemantics &sem) {
  bool lost;
  APFloat f(v);
  f.convert(sem, APFloat::rmNearestTiesToEven, &lost);
  return (uint16_t)f.bitcastToAPInt().getZExtValue();
}

/// `rows` rows of `m` values, each padded with zeros to `mp` values.
template <class T>
std::vector<T> padRows(const std::vector<T> &v, int64_t rows, int64_t m, int64_t mp) {
  if (mp == m)
    return v;
  std::vector<T> out(rows * mp, T(0));
  for (int64_t i = 0; i < rows; ++i)
    std::copy(v.begin() + i * m, v.begin() + (i + 1) * m, out.begin() + i * mp);
  return out;
}

struct LutPackTablesPass : public lut::impl::LutPackTablesBase<LutPackTablesPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *ctx) override {
    if (rowAlign < 0 || rowAlign > 4096 || (rowAlign & (rowAlign - 1)) != 0)
      return emitError(UnknownLoc::get(ctx))
             << "lut-pack-tables: row-align=" << static_cast<int64_t>(rowAlign)
             << " must be 0 or a power of two up to 4096 (bytes)";
    return success();
  }

  /// The stored row length (elements) for rows of `m` elements of `bytes`
  /// bytes: `m` rounded up to a multiple of row-align bytes.
  int64_t paddedRow(int64_t m, int64_t bytes) const {
    int64_t per = rowAlign > bytes ? rowAlign / bytes : 1;
    return (m + per - 1) / per * per;
  }

  /// A constant of `elem` tables [h, r, mp] holding `data`, seen as
  /// [h, r, m] through tensor.extract_slice when the rows are padded.
  template <class T>
  Value paddedTables(OpBuilder &b, Location loc, Type elem, int64_t h, int64_t r, int64_t m,
                     const std::vector<T> &data, StringRef key) {
    int64_t mp = paddedRow(m, sizeof(T));
    Value stored = blobConstant(b, loc, RankedTensorType::get({h, r, mp}, elem),
                                padRows(data, h * r, m, mp), key);
    if (mp == m)
      return stored;
    SmallVector<OpFoldResult> offsets(3, b.getIndexAttr(0)), strides(3, b.getIndexAttr(1));
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(h), b.getIndexAttr(r), b.getIndexAttr(m)};
    return tensor::ExtractSliceOp::create(b, loc, stored, offsets, sizes, strides);
  }

  LogicalResult pack(GatherSumOp op) {
    if (tableType == LutTableType::f32 || op.getScales() || !op.hasPureTensorSemantics())
      return success();
    auto cst = op.getTables().getDefiningOp<arith::ConstantOp>();
    auto type = cast<RankedTensorType>(op.getTables().getType());
    if (!cst || !type.getElementType().isF32() ||
        !isa<DenseFPElementsAttr, DenseResourceElementsAttr>(cst.getValue()))
      return success();
    std::string key;
    FailureOr<std::vector<float>> vals = f32Values(op, cst.getValue(), key);
    if (failed(vals))
      return failure();
    const std::vector<float> &t = *vals;
    int64_t h = type.getDimSize(0), r = type.getDimSize(1), m = type.getDimSize(2);
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value tables, scales;
    if (tableType == LutTableType::i8) {
      bool perTable = perTableScales;
      std::vector<float> s = fit::i8Scales(t, h, r, m, perTable);
      std::vector<int8_t> q(t.size());
      for (int64_t i = 0; i < h; ++i)
        for (int64_t j = 0; j < r; ++j)
          for (int64_t c = 0; c < m; ++c) {
            int64_t e = (i * r + j) * m + c;
            q[e] = fit::quantizeI8(t[e], s[perTable ? i * m + c : c]);
          }
      tables = paddedTables(b, loc, b.getI8Type(), h, r, m, q, key + ".i8");
      SmallVector<int64_t> sshape = perTable ? SmallVector<int64_t>{h, m} : SmallVector<int64_t>{m};
      scales = blobConstant(b, loc, RankedTensorType::get(sshape, b.getF32Type()), s,
                            key + ".scales");
    } else {
      bool bf = tableType == LutTableType::bf16;
      const llvm::fltSemantics &sem = bf ? APFloat::BFloat() : APFloat::IEEEhalf();
      // One rounding for the stored tables and the LUT report's error of
      // them (fit::storedTables); the rounded values are exact in `sem`.
      std::vector<float> rounded = fit::storedTables(
          t, h, r, m, bf ? fit::TableStorage::BF16 : fit::TableStorage::F16, false);
      std::vector<uint16_t> p(t.size());
      for (size_t e = 0; e < t.size(); ++e)
        p[e] = to16(rounded[e], sem);
      Type et = bf ? (Type)b.getBF16Type() : (Type)b.getF16Type();
      tables = paddedTables(b, loc, et, h, r, m, p, key + (bf ? ".bf16" : ".f16"));
    }
    auto packed = GatherSumOp::create(b, loc, op.getCodes(), tables, op.getWeights(),
                                      op.getBias(), scales, op.getInit());
    op->replaceAllUsesWith(packed->getResults());
    op->erase();
    if (cst->use_empty())
      cst->erase();
    return success();
  }

  void runOnOperation() override {
    SmallVector<GatherSumOp> ops;
    getOperation()->walk([&](GatherSumOp op) { ops.push_back(op); });
    for (GatherSumOp op : ops)
      if (failed(pack(op)))
        return signalPassFailure();
  }
};

} // namespace
