//===- ConvertMlp.cpp - replace lut.mlp regions with fitted LUT ops -------===//
//
// Implements `lut-convert-mlp` (Passes.td) and the C++ API in ConvertMlp.h.
//
//===----------------------------------------------------------------------===//
#include "lut/Dialect/Lut/Transforms/ConvertMlp.h"
#include "lut/Dialect/Lut/Transforms/FfnMatch.h"
#include "lut/Dialect/Lut/Transforms/Passes.h"
#include "lut/Fit/TableStorage.h"
#include "lut/Runtime/TensorIO.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace lut {
#define GEN_PASS_DEF_LUTCONVERTMLP
#include "lut/Dialect/Lut/Transforms/Passes.h.inc"
} // namespace lut

using namespace mlir;
using namespace lut;

namespace {

fit::TableStorage storageOf(LutTableType t) {
  switch (t) {
  case LutTableType::f16:
    return fit::TableStorage::F16;
  case LutTableType::bf16:
    return fit::TableStorage::BF16;
  case LutTableType::i8:
    return fit::TableStorage::I8;
  case LutTableType::f32:
    break;
  }
  return fit::TableStorage::F32;
}

/// A 2-D (or 1-D as one row) f32 constant as a Matrix.
bool constantMatrix(Value v, fit::Matrix &out) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return false;
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.getElementType().isF32() || type.getRank() < 1 || !type.hasStaticShape())
    return false;
  // [K, N], or a bias [N] / [1, ..., 1, N] as one row.
  int64_t cols = type.getShape().back();
  int64_t rows = cols ? type.getNumElements() / cols : 0;
  for (int64_t i = 0; i + 2 < type.getRank(); ++i)
    if (type.getDimSize(i) != 1)
      return false;
  out = fit::Matrix(rows, cols);
  if (auto d = dyn_cast<DenseElementsAttr>(attr)) {
    auto vals = d.getValues<float>();
    std::copy(vals.begin(), vals.end(), out.data.begin());
    return true;
  }
  if (auto r = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = r.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != out.data.size() * sizeof(float))
      return false;
    std::memcpy(out.data.data(), blob->getData().data(), blob->getData().size());
    return true;
  }
  return false;
}

/// The up projection whose output feeds the nonlinearity (the gate): the
/// one from which a nonlinear pointwise op is reachable that the other up
/// projection does not reach (both meet at the gating multiply).
size_t gateIndex(const FfnMatch &m) {
  if (m.up.size() < 2)
    return 0;
  auto reach = [&](Value from) {
    llvm::SmallPtrSet<Operation *, 16> seen;
    SmallVector<Value> work{from};
    while (!work.empty()) {
      Value v = work.pop_back_val();
      for (Operation *user : v.getUsers())
        if (m.ops.contains(user) && user != m.down.contraction && seen.insert(user).second)
          for (Value r : user->getResults())
            work.push_back(r);
    }
    return seen;
  };
  auto r0 = reach(m.up[0].output), r1 = reach(m.up[1].output);
  auto nonlinearOnlyIn = [](const llvm::SmallPtrSet<Operation *, 16> &a,
                            const llvm::SmallPtrSet<Operation *, 16> &b) {
    for (Operation *op : a) {
      if (b.contains(op))
        continue;
      bool nonlinear = false;
      op->walk([&](Operation *inner) {
        nonlinear |= isa<math::ErfOp, math::TanhOp, math::ExpOp, arith::MaximumFOp>(inner);
      });
      if (nonlinear)
        return true;
    }
    return false;
  };
  return nonlinearOnlyIn(r1, r0) && !nonlinearOnlyIn(r0, r1) ? 1 : 0;
}

std::optional<FfnMatch> matchBody(MlpOp mlp) {
  Block &body = mlp.getBody().front();
  Value out = cast<YieldOp>(body.getTerminator()).getValues()[0];
  for (Operation &op : body)
    if (isa<linalg::GenericOp, linalg::MatmulOp>(op))
      if (auto m = matchFfn(&op); m && m->output == out)
        return m;
  return std::nullopt;
}

std::string resourceKey(StringRef ffn, StringRef what) {
  std::string key = (ffn + ".lsh." + what).str();
  for (char &c : key)
    if (!llvm::isAlnum(c) && c != '_' && c != '.')
      c = '_';
  return key;
}

Value resourceConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                       ArrayRef<float> data, StringRef key) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  ArrayRef<char> bytes(reinterpret_cast<const char *>(data.data()), data.size() * sizeof(float));
  auto attr = DenseResourceElementsAttr::get(
      type, key, HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(float)));
  return arith::ConstantOp::create(b, loc, attr);
}

/// Replaces `mlp` with the LSH ops, in place.
void rewriteMlp(MlpOp mlp, const fit::Hyperplanes &hp, const fit::LshTables &t,
                int64_t bits) {
  OpBuilder b(mlp);
  Location loc = mlp.getLoc();
  Value x = mlp.getInputs()[0];
  auto xt = cast<RankedTensorType>(x.getType());
  auto yt = cast<RankedTensorType>(mlp.getResult(0).getType());
  // Tokens: the product of the leading dims, dynamic if one of them is.
  int64_t d = xt.getShape().back(), n = 1;
  for (int64_t s : xt.getShape().drop_back())
    n = ShapedType::isDynamic(s) || ShapedType::isDynamic(n) ? ShapedType::kDynamic : n * s;
  int64_t rank = xt.getRank();
  auto collapse = [&](Value v, RankedTensorType from, int64_t cols) -> Value {
    auto to = RankedTensorType::get({n, cols}, from.getElementType());
    if (from.getRank() == 2)
      return v;
    if (from.getRank() == 1)
      return tensor::ExpandShapeOp::create(b, loc, to, v, SmallVector<ReassociationIndices>{{0, 1}});
    ReassociationIndices lead;
    for (int64_t i = 0; i + 1 < from.getRank(); ++i)
      lead.push_back(i);
    return tensor::CollapseShapeOp::create(
        b, loc, to, v, SmallVector<ReassociationIndices>{lead, {from.getRank() - 1}});
  };
  Value x2 = collapse(x, xt, d);
  // The run-time token count, for the dynamic case.
  SmallVector<Value> dynN;
  if (ShapedType::isDynamic(n))
    dynN.push_back(tensor::DimOp::create(b, loc, x2, 0));
  StringRef name = mlp.getName();
  int64_t hk = hp.projection.cols;
  Value p = resourceConstant(b, loc, {d, hk}, hp.projection.data, resourceKey(name, "projection"));
  Value c = resourceConstant(b, loc, {hk}, hp.offset, resourceKey(name, "offset"));
  // The narrowest code type that holds k bits: u8 (i8) up to 8, else u16.
  Value codesInit = tensor::EmptyOp::create(
      b, loc, RankedTensorType::get({n, t.h}, b.getIntegerType(bits <= 8 ? 8 : 16)), dynN);
  Value codes = LshEncodeOp::create(b, loc, x2, p, c, codesInit, bits).getResult()[0];
  Value tab = resourceConstant(b, loc, {t.h, t.r, t.m}, t.tables, resourceKey(name, "tables"));
  Value bias = resourceConstant(b, loc, {t.m}, t.bias, resourceKey(name, "bias"));
  Value yInit = tensor::EmptyOp::create(b, loc, RankedTensorType::get({n, t.m}, b.getF32Type()),
                                        dynN);
  Value y2 = GatherSumOp::create(b, loc, codes, tab, /*weights=*/Value(), bias,
                                 /*scales=*/Value(), yInit)
                 .getResult()[0];
  Value y = y2;
  if (yt.getRank() == 1) {
    y = tensor::CollapseShapeOp::create(b, loc, yt, y2, SmallVector<ReassociationIndices>{{0, 1}});
  } else if (yt.getRank() > 2) {
    ReassociationIndices lead;
    SmallVector<OpFoldResult> outShape;
    int64_t dynamicLead = 0;
    for (int64_t i = 0; i + 1 < rank; ++i) {
      lead.push_back(i);
      outShape.push_back(tensor::getMixedSize(b, loc, x, i));
      dynamicLead += xt.isDynamicDim(i);
    }
    outShape.push_back(b.getIndexAttr(t.m));
    if (dynamicLead <= 1) {
      y = tensor::ExpandShapeOp::create(b, loc, yt, y2,
                                        SmallVector<ReassociationIndices>{lead, {rank - 1}},
                                        outShape);
    } else {
      // Several dynamic leading dims cannot share one expanded group (the
      // memref lowering needs its strides): reshape to a run-time shape.
      SmallVector<Value> dims;
      for (OpFoldResult f : outShape)
        dims.push_back(getValueOrCreateConstantIndexOp(b, loc, f));
      Value shape = tensor::FromElementsOp::create(
          b, loc, RankedTensorType::get({rank}, b.getIndexType()), dims);
      y = tensor::ReshapeOp::create(b, loc, yt, y2, shape);
    }
  }
  mlp.getResult(0).replaceAllUsesWith(y);
  mlp.erase();
}

} // namespace

/// `v` with up to 6 significant digits ("0.9999", "nan", "-1").
static std::string shortNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

LogicalResult lut::verifyConvertMlpOptions(ModuleOp module, const LutConvertMlpOptions &o) {
  auto bad = [&](const Twine &msg) { return module.emitError() << "lut-convert-mlp: " << msg; };
  if (o.bits < 1 || o.bits > 16)
    return bad("bits must be in [1, 16], got " + Twine(o.bits));
  if (o.tables < 1)
    return bad("tables must be >= 1, got " + Twine(o.tables));
  if (o.seed < 0)
    return bad("seed must be an integer >= 0, got " + Twine(o.seed));
  if (!(o.ridge >= 0) || !std::isfinite(o.ridge))
    return bad("ridge must be a finite number >= 0, got " + shortNumber(o.ridge));
  if (o.sweeps < 1 || o.sweeps > 1000)
    return bad("sweeps must be in [1, 1000], got " + Twine(o.sweeps));
  if (!(o.holdout >= 0 && o.holdout <= 0.5))
    return bad("holdout must be in [0, 0.5], got " + shortNumber(o.holdout));
  // Every name in only=/skip= must name an FFN: a typo would otherwise
  // silently leave the model dense.
  llvm::StringSet<> names;
  module.walk([&](MlpOp op) { names.insert(op.getName()); });
  for (const auto *list : {&o.only, &o.skip})
    for (const std::string &n : *list)
      if (!names.contains(n)) {
        std::string known;
        for (const auto &k : names.keys())
          known += (known.empty() ? "" : ", ") + k.str();
        return bad("'" + n + "' (in " + (list == &o.only ? "only" : "skip") +
                   "=) names no FFN; the FFNs are: " + (known.empty() ? "none" : known));
      }
  return success();
}

LogicalResult lut::convertMlps(ModuleOp module, const LutConvertMlpOptions &o,
                               const CalibrationProvider &provider,
                               std::vector<FfnReport> &reports) {
  if (failed(verifyConvertMlpOptions(module, o)))
    return failure();
  SmallVector<MlpOp> mlps;
  module.walk([&](MlpOp op) { mlps.push_back(op); });
  for (MlpOp mlp : mlps) {
    FfnReport r;
    r.name = mlp.getName().str();
    if (std::optional<StringRef> a = mlp.getActivation())
      r.activation = a->str();
    auto m = matchBody(mlp);
    if (m) {
      r.dModel = m->dModel;
      r.dFF = m->dFF;
      r.dOut = m->dOut;
      r.macsPerTokenBefore = r.macsPerTokenAfter = m->macsPerToken();
    }
    if (!isSelectedFfn(o, r.name)) {
      r.status = "skipped: not selected by only=/skip=";
      reports.push_back(r);
      continue;
    }
    if (!m) {
      r.status = "skipped: the body is not a recognized FFN";
      mlp.emitWarning() << "lut-convert-mlp: '" << r.name
                        << "' is not a recognized FFN; left dense";
      reports.push_back(r);
      continue;
    }
    int64_t tableFloats = 0;
    if (__builtin_mul_overflow(o.tables, (int64_t(1) << o.bits) * m->dOut, &tableFloats) ||
        tableFloats > (int64_t(1) << 30))
      return mlp.emitError() << "lut-convert-mlp: tables of '" << r.name << "' would hold "
                             << o.tables << " x 2^" << o.bits << " x " << m->dOut
                             << " floats (over 4 GiB); use fewer tables or bits";
    r.tables = o.tables;
    r.bits = o.bits;
    r.projection = convertMlpOptionValue(o, "projection");
    int64_t hk = o.tables * o.bits;
    CalibrationSet cal;
    std::string err;
    if (!provider(mlp, cal, err))
      return mlp.emitError() << "lut-convert-mlp: no calibration data for '" << r.name
                             << "': " << err;
    if (cal.x.cols != m->dModel || cal.y.cols != m->dOut || cal.x.rows != cal.y.rows ||
        cal.x.rows < 2)
      return mlp.emitError() << "lut-convert-mlp: calibration data for '" << r.name
                             << "' has x " << cal.x.rows << "x" << cal.x.cols << " and y "
                             << cal.y.rows << "x" << cal.y.cols << "; expected N x "
                             << m->dModel << " and N x " << m->dOut << " with N >= 2";
    r.dataFree = cal.dataFree;
    int64_t rows = cal.x.rows;
    int64_t held = (int64_t)(rows * o.holdout);
    int64_t train = rows - held;
    if (train < 2)
      return mlp.emitError() << "lut-convert-mlp: '" << r.name << "' has " << rows
                             << " calibration rows; holdout=" << o.holdout
                             << " leaves " << train << " to fit on (need at least 2)";
    fit::Matrix xtr = fit::sliceRows(cal.x, 0, train), ytr = fit::sliceRows(cal.y, 0, train);
    fit::Hyperplanes hp;
    std::vector<bool> splitMask; // empty: every column
    if (o.projection == LutProjection::hidden) {
      size_t g = gateIndex(*m);
      const LinearMatch &gate = m->up[g];
      fit::Matrix w1, b1m, w2;
      if (!constantMatrix(gate.weight, w1) || !constantMatrix(m->down.weight, w2) ||
          (gate.bias && !constantMatrix(gate.bias, b1m)))
        return mlp.emitError() << "lut-convert-mlp: cannot read the weights of '" << r.name << "'";
      if (m->up.size() == 2) {
        const LinearMatch &up = m->up[1 - g];
        fit::Matrix wu, bum;
        if (!constantMatrix(up.weight, wu) || (up.bias && !constantMatrix(up.bias, bum)))
          return mlp.emitError() << "lut-convert-mlp: cannot read the weights of '" << r.name << "'";
        if (!fit::gatedHiddenHyperplanes(w1, b1m.data, wu, bum.data, w2, hk, hp, splitMask, err))
          return mlp.emitError() << "lut-convert-mlp: '" << r.name << "': " << err;
      } else if (!fit::hiddenHyperplanes(w1, b1m.data, w2, hk, hp, err)) {
        return mlp.emitError() << "lut-convert-mlp: '" << r.name << "': " << err;
      }
    } else {
      hp = fit::randomHyperplanes(m->dModel, hk, fit::columnMeans(xtr), (uint64_t)o.seed);
    }
    if (o.threshold == LutThreshold::split)
      fit::splitOffsets(hp, xtr, /*maxRows=*/100000, splitMask);
    std::vector<int32_t> trainCodes = fit::encode(xtr, hp, o.bits);
    fit::LshTables t = fit::fitTables(trainCodes, o.tables, int64_t(1) << o.bits,
                                      ytr, o.sweeps, o.ridge);
    r.trainRows = train;
    r.heldoutRows = held;
    r.trainRelMse = fit::relativeMse(ytr, fit::predict(t, trainCodes, train));
    r.heldoutRelMse = std::numeric_limits<double>::quiet_NaN();
    r.heldoutRelMseStored = r.heldoutRelMse;
    if (held > 0) {
      fit::Matrix xte = fit::sliceRows(cal.x, train, rows), yte = fit::sliceRows(cal.y, train, rows);
      std::vector<int32_t> codesTe = fit::encode(xte, hp, o.bits);
      r.heldoutRelMse = fit::relativeMse(yte, fit::predict(t, codesTe, held));
      r.heldoutRelMseStored = r.heldoutRelMse;
      if (o.reportTableType != LutTableType::f32) {
        fit::LshTables stored = t;
        stored.tables = fit::storedTables(t.tables, t.h, t.r, t.m, storageOf(o.reportTableType),
                                          o.reportPerTableScales);
        r.heldoutRelMseStored = fit::relativeMse(yte, fit::predict(stored, codesTe, held));
      }
    }
    r.tableType = convertMlpOptionValue(o, "report-table-type");
    r.macsPerTokenAfter = m->dModel * hk; // the projection; table reads only add
    // Tables at their stored element type (plus i8 scales), the rest f32.
    int64_t entryBytes = o.reportTableType == LutTableType::i8    ? 1
                         : o.reportTableType == LutTableType::f32 ? 4
                                                                   : 2;
    int64_t scaleCount = o.reportTableType != LutTableType::i8 ? 0
                         : o.reportPerTableScales             ? t.h * t.m
                                                              : t.m;
    r.tableBytes = (int64_t)t.tables.size() * entryBytes +
                   (int64_t)(t.bias.size() + hp.projection.data.size() + hp.offset.size() +
                             scaleCount) *
                       (int64_t)sizeof(float);
    r.status = "converted";
    mlp.emitRemark() << "lut-convert-mlp: '" << r.name << "' -> lsh (tables " << o.tables
                     << ", bits " << o.bits << ", projection " << r.projection
                     << "): held-out relative MSE " << llvm::formatv("{0:F4}", r.heldoutRelMse).str()
                     << (cal.dataFree ? " (data-free calibration)" : "");
    rewriteMlp(mlp, hp, t, o.bits);
    reports.push_back(r);
  }
  return success();
}

/// The element count with every dynamic dim taken as 1.
static int64_t countElements(Type t) {
  int64_t n = 1;
  for (int64_t s : cast<ShapedType>(t).getShape())
    n *= ShapedType::isDynamic(s) ? 1 : s;
  return n;
}

int64_t lut::countMacs(ModuleOp module) {
  int64_t total = 0;
  module.walk([&](Operation *op) {
    if (auto e = dyn_cast<LshEncodeOp>(op)) {
      total += countElements(e.getX().getType()) *
               cast<ShapedType>(e.getProjection().getType()).getDimSize(1);
      return;
    }
    if (auto g = dyn_cast<GatherSumOp>(op)) {
      // Per table: weights, or one i8 scale per table and column; per
      // output: one i8 scale per column, applied once to the integer sum.
      auto tt = cast<ShapedType>(g.getTables().getType());
      int64_t nh = countElements(g.getCodes().getType());
      bool perTable = g.getWeights() ||
                      (g.getScales() && cast<ShapedType>(g.getScales().getType()).getRank() == 2);
      if (perTable)
        total += nh * tt.getDimSize(2);
      else if (g.getScales())
        total += nh / std::max<int64_t>(tt.getDimSize(0), 1) * tt.getDimSize(2);
      return;
    }
    auto l = dyn_cast<linalg::LinalgOp>(op);
    if (!l || l.getNumReductionLoops() == 0 || !l.hasPureTensorSemantics())
      return;
    bool multiplies = false;
    for (Operation &inner : l->getRegion(0).front())
      multiplies |= isa<arith::MulFOp, arith::MulIOp>(inner);
    if (!multiplies)
      return;
    int64_t n = 1;
    for (int64_t r : l.getStaticLoopRanges())
      n *= ShapedType::isDynamic(r) ? 1 : r;
    total += n;
  });
  return total;
}

void lut::writeReportJson(llvm::raw_ostream &os, const std::vector<FfnReport> &ffns,
                          int64_t before, int64_t after, const LutConvertMlpOptions &o) {
  llvm::json::Array arr;
  for (const FfnReport &r : ffns)
    arr.push_back(llvm::json::Object{
        {"name", r.name}, {"status", r.status}, {"activation", r.activation},
        {"d_model", r.dModel}, {"d_ff", r.dFF}, {"d_out", r.dOut},
        {"tables", r.tables}, {"bits", r.bits}, {"projection", r.projection},
        {"macs_per_token_before", r.macsPerTokenBefore},
        {"macs_per_token_after", r.macsPerTokenAfter}, {"table_bytes", r.tableBytes},
        {"calibration_rows", r.trainRows}, {"heldout_rows", r.heldoutRows},
        {"train_rel_mse", r.trainRelMse},
        {"heldout_rel_mse", std::isfinite(r.heldoutRelMse) ? llvm::json::Value(r.heldoutRelMse)
                                                           : llvm::json::Value(nullptr)},
        {"table_type", r.tableType},
        {"heldout_rel_mse_stored", std::isfinite(r.heldoutRelMseStored)
                                       ? llvm::json::Value(r.heldoutRelMseStored)
                                       : llvm::json::Value(nullptr)},
        {"data_free", r.dataFree}});
  bool anyDataFree = llvm::any_of(ffns, [](const FfnReport &r) { return r.dataFree; });
  llvm::json::Object root{
      {"method", convertMlpOptionValue(o, "method")},
      {"options", printConvertMlpOptions(o)},
      {"calibration", anyDataFree ? "data-free" : "data"},
      {"model",
       llvm::json::Object{{"macs_before", before}, {"macs_after", after},
                          {"multiplications_removed_share",
                           before ? double(before - after) / double(before) : 0.0}}},
      {"ffns", std::move(arr)}};
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}

void lut::writeReportTable(llvm::raw_ostream &os, const std::vector<FfnReport> &ffns,
                           int64_t before, int64_t after) {
  // The held-out error of the stored tables, when they are not f32.
  bool stored = llvm::any_of(ffns, [](const FfnReport &r) { return r.tableType != "f32"; });
  std::string storedHeader = stored ? "stored " + ffns.front().tableType : "";
  os << llvm::format("%-24s %-10s %6s %6s %10s %10s %10s %10s %s%s\n", "FFN", "activation",
                     "d_ff", "H x k", "MACs/tok", "after", "table KiB", "heldout",
                     stored ? llvm::formatv("{0,10} ", storedHeader).str().c_str() : "",
                     "status");
  for (const FfnReport &r : ffns) {
    std::string hk = r.tables ? std::to_string(r.tables) + "x" + std::to_string(r.bits) : "-";
    std::string held = r.status == "converted" && std::isfinite(r.heldoutRelMse)
                           ? llvm::formatv("{0:F4}", r.heldoutRelMse).str()
                           : "-";
    std::string heldStored =
        !stored ? ""
        : r.status == "converted" && std::isfinite(r.heldoutRelMseStored)
            ? llvm::formatv("{0,10:F4} ", r.heldoutRelMseStored).str()
            : llvm::formatv("{0,10} ", "-").str();
    os << llvm::format("%-24s %-10s %6lld %6s %10lld %10lld %10.1f %10s %s%s%s\n",
                       r.name.c_str(), r.activation.c_str(), (long long)r.dFF, hk.c_str(),
                       (long long)r.macsPerTokenBefore, (long long)r.macsPerTokenAfter,
                       r.tableBytes / 1024.0, held.c_str(), heldStored.c_str(),
                       r.status.c_str(), r.dataFree ? " (data-free)" : "");
  }
  os << llvm::format("model: %lld MACs per inference before, %lld after: %.1f%% of the "
                     "multiplications removed\n",
                     (long long)before, (long long)after,
                     before ? 100.0 * double(before - after) / double(before) : 0.0);
}

namespace {

/// Reads `<dir>/<name>.x.npy` and `.y.npy` (lut-opt's calibration source).
CalibrationProvider directoryProvider(std::string dir) {
  return [dir](MlpOp mlp, CalibrationSet &cal, std::string &err) {
    if (dir.empty()) {
      err = "lut-opt needs calibration-dir=DIR with <name>.x.npy and <name>.y.npy "
            "(lutc --dump-calibration=DIR writes them)";
      return false;
    }
    auto load = [&](StringRef suffix, fit::Matrix &m) {
      SmallString<256> path(dir);
      llvm::sys::path::append(path, (mlp.getName() + suffix).str());
      auto t = lut::runtime::readNpy(path.str().str(), err);
      if (!t)
        return false;
      if (lutTensorGetDType(t.get()) != LUT_DTYPE_FLOAT || lutTensorGetRank(t.get()) != 2) {
        err = path.str().str() + ": expected a 2-D float32 array";
        return false;
      }
      const int64_t *s = lutTensorGetShape(t.get());
      m = fit::Matrix(s[0], s[1]);
      std::memcpy(m.data.data(), lutTensorGetData(t.get()), m.data.size() * sizeof(float));
      return true;
    };
    return load(".x.npy", cal.x) && load(".y.npy", cal.y);
  };
}

struct LutConvertMlpPass : public lut::impl::LutConvertMlpBase<LutConvertMlpPass> {
  using Base::Base;
  LutConvertMlpPass(const LutConvertMlpOptions &o, CalibrationProvider p,
                    std::vector<FfnReport> *reports)
      : Base(o), provider(std::move(p)), reports(reports) {}
  LutConvertMlpPass(const LutConvertMlpPass &other)
      : Base(other), provider(other.provider), reports(other.reports) {}

  /// The current option values as the generated struct. Every option of
  /// Passes.td must appear here; the ConvertMlpOptions round-trip unit test
  /// fails otherwise.
  LutConvertMlpOptions getOptions() const {
    LutConvertMlpOptions o;
    o.method = method;
    o.tables = tables;
    o.bits = bits;
    o.projection = projection;
    o.threshold = threshold;
    o.only.assign(only.begin(), only.end());
    o.skip.assign(skip.begin(), skip.end());
    o.seed = seed;
    o.sweeps = sweeps;
    o.ridge = ridge;
    o.holdout = holdout;
    o.calibrationDir = calibrationDir;
    o.reportTableType = reportTableType;
    o.reportPerTableScales = reportPerTableScales;
    return o;
  }

  void runOnOperation() override {
    std::vector<FfnReport> local;
    CalibrationProvider p = provider ? provider : directoryProvider(calibrationDir);
    if (failed(convertMlps(getOperation(), getOptions(), p, reports ? *reports : local)))
      signalPassFailure();
  }

  CalibrationProvider provider;
  std::vector<FfnReport> *reports = nullptr;
};

} // namespace

std::unique_ptr<Pass> lut::createLutConvertMlpPass(const LutConvertMlpOptions &options,
                                                   CalibrationProvider provider,
                                                   std::vector<FfnReport> *reports) {
  return std::make_unique<LutConvertMlpPass>(options, std::move(provider), reports);
}

FailureOr<LutConvertMlpOptions>
lut::parseConvertMlpOptions(StringRef text,
                            function_ref<LogicalResult(const Twine &)> errorHandler) {
  LutConvertMlpPass pass;
  if (failed(pass.initializeOptions(text, errorHandler)))
    return failure();
  return pass.getOptions();
}

std::string lut::printConvertMlpOptions(const LutConvertMlpOptions &options) {
  LutConvertMlpPass pass(options, nullptr, nullptr);
  std::string s;
  llvm::raw_string_ostream os(s);
  pass.printAsTextualPipeline(os);
  // The pass prints as "lut-convert-mlp{a=1 b=2}".
  StringRef r = StringRef(s).trim();
  r = r.drop_until([](char c) { return c == '{'; });
  if (r.consume_front("{"))
    r.consume_back("}");
  return r.str();
}

std::string lut::convertMlpOptionValue(const LutConvertMlpOptions &options, StringRef name) {
  std::string text = printConvertMlpOptions(options);
  SmallVector<StringRef> parts;
  StringRef(text).split(parts, ' ', -1, false);
  for (StringRef part : parts) {
    auto [k, v] = part.split('=');
    if (k == name)
      return v.str();
  }
  return "";
}

void lut::printConvertMlpOptionsHelp(size_t indent) {
  // A local PassInfo prints the pass's options the way --help does, without
  // touching the global registry.
  PassInfo info(LutConvertMlpPass::getArgumentName(), LutConvertMlpPass().getDescription(),
                [] { return std::make_unique<LutConvertMlpPass>(); });
  info.printHelpStr(indent, indent + info.getOptionWidth() + 4);
}

bool lut::isSelectedFfn(const LutConvertMlpOptions &o, StringRef name) {
  return (o.only.empty() || llvm::is_contained(o.only, name)) &&
         !llvm::is_contained(o.skip, name);
}
