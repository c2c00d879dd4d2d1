//===- Estimate.cpp - FPGA device budgets and HLS resource estimates -------===//
#include "lut/HLS/Estimate.h"

#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace {
const lut::hls::Device kDevices[] = {
    {"xcu250", "xcu250-figd2104-2L-e", 5376, 1280, 12288, 1728000},
    {"xcu280", "xcu280-fsvh2892-2L-e", 4032, 960, 9024, 1304000},
    {"xcvu9p", "xcvu9p-flga2104-2L-e", 4320, 960, 6840, 1182240},
    {"xczu9eg", "xczu9eg-ffvb1156-2-e", 1824, 0, 2520, 274080},
    {"xc7z020", "xc7z020-clg400-1", 280, 0, 220, 53200},
};

int64_t intAttr(Operation *op, StringRef name, int64_t dflt) {
  auto a = op->getAttrOfType<IntegerAttr>(name);
  return a ? a.getInt() : dflt;
}

int64_t ceilLog2(int64_t n) { return n <= 1 ? 0 : llvm::Log2_64_Ceil((uint64_t)n); }
} // namespace

llvm::ArrayRef<lut::hls::Device> lut::hls::devices() { return kDevices; }

const lut::hls::Device *lut::hls::findDevice(StringRef name) {
  const auto *d = llvm::find_if(kDevices, [&](const Device &d) { return d.name == name; });
  return d == std::end(kDevices) ? nullptr : d;
}

std::string lut::hls::deviceNames() {
  std::string s;
  for (const Device &d : kDevices)
    s += (s.empty() ? "" : ", ") + d.name.str();
  return s;
}

int64_t lut::hls::bram18For(int64_t depth, int64_t width) {
  static const int64_t shapes[][2] = {{16384, 1}, {8192, 2}, {4096, 4},
                                      {2048, 9},  {1024, 18}, {512, 36}};
  if (depth <= 0 || width <= 0)
    return 0;
  int64_t best = INT64_MAX;
  for (const auto &s : shapes)
    best = std::min<int64_t>(best, llvm::divideCeil(depth, s[0]) * llvm::divideCeil(width, s[1]));
  return best;
}

int64_t lut::hls::uramFor(int64_t depth, int64_t width) {
  if (depth <= 0 || width <= 0)
    return 0;
  return llvm::divideCeil(depth, 4096) * llvm::divideCeil(width, 72);
}

lut::hls::TableMemory lut::hls::tableMemory(int64_t h, int64_t r, int64_t m, int64_t elemBits,
                                            int64_t unroll) {
  TableMemory t;
  unroll = std::max<int64_t>(1, unroll);
  t.bits = h * r * m * elemBits;
  t.banks = h;
  t.bankDepth = r * llvm::divideCeil(m, unroll);
  t.bankWidth = unroll * elemBits;
  t.bram18 = h * bram18For(t.bankDepth, t.bankWidth);
  t.uram = h * uramFor(t.bankDepth, t.bankWidth);
  return t;
}

lut::hls::GatherCost lut::hls::gatherCost(GatherSumOp op) {
  GatherCost c;
  auto codes = cast<ShapedType>(op.getCodes().getType());
  auto tables = cast<ShapedType>(op.getTables().getType());
  c.tokens = codes.getDimSize(0);
  c.tables = tables.getDimSize(0);
  c.rows = tables.getDimSize(1);
  c.cols = tables.getDimSize(2);
  c.elemBits = tables.getElementTypeBitWidth();
  c.unroll = intAttr(op, "lut.hls_unroll", 1);
  c.ii = intAttr(op, "lut.hls_pipeline_ii", 1);
  bool bias = (bool)op.getBias(), weights = (bool)op.getWeights();
  bool scales = (bool)op.getScales();
  // Per column: H - 1 adds of the tree, one for the bias; a multiply by the
  // scale (i8 tables) and, with weights, one per table.
  c.addsPerToken = c.cols * (c.tables - 1 + (bias ? 1 : 0));
  c.multsPerToken = c.cols * ((scales ? 1 : 0) + (weights ? c.tables : 0));
  c.adders = c.unroll * (c.tables - 1 + (bias ? 1 : 0));
  // Per token: the H codes are read into registers (one per cycle), then
  // M / U column blocks issue every II cycles.
  int64_t blocks = llvm::divideCeil(c.cols, c.unroll);
  c.cyclesPerToken = c.tables + blocks * c.ii;
  int64_t depth = 2 + ceilLog2(c.tables) + (scales || bias ? 4 : 0);
  c.latencyCycles = c.tokens * c.cyclesPerToken + depth;
  return c;
}

lut::hls::EncodeCost lut::hls::encodeCost(LshEncodeOp op) {
  EncodeCost c;
  auto x = cast<ShapedType>(op.getX().getType());
  auto codes = cast<ShapedType>(op.getInit().getType());
  c.tokens = x.getDimSize(0);
  c.inDim = x.getDimSize(1);
  c.tables = codes.getDimSize(1);
  c.bits = op.getBits();
  c.ii = intAttr(op, "lut.hls_pipeline_ii", 1);
  int64_t proj = c.tables * c.bits;
  c.multsPerToken = proj * c.inDim;
  c.addsPerToken = proj * (c.inDim - 1 + (op.getBias() ? 1 : 0));
  // One table's k projections per cycle: k * D multipliers in flight.
  c.multipliers = c.bits * c.inDim;
  c.cyclesPerToken = c.inDim + c.tables * c.ii;
  // f32 multiply (4) and a chain of D adds (5 each), as Vitis schedules a
  // strict-order float sum.
  c.latencyCycles = c.tokens * c.cyclesPerToken + 4 + 5 * c.inDim;
  return c;
}

lut::hls::GlobalMemory lut::hls::globalMemory(memref::GlobalOp global) {
  GlobalMemory g;
  MemRefType type = global.getType();
  g.bits = type.getNumElements() * type.getElementTypeBitWidth();
  auto storage = global->getAttrOfType<StringAttr>("lut.hls_storage");
  if (!storage)
    return g;
  g.storage = storage.getValue().str();
  // Banks: the product of complete partitions' dims and partition factors;
  // words widen by reshape factors.
  int64_t banks = 1, widen = 1;
  if (auto parts = global->getAttrOfType<ArrayAttr>("lut.hls_partition"))
    for (Attribute a : parts) {
      auto d = cast<DictionaryAttr>(a);
      int64_t dim = d.getAs<IntegerAttr>("dim").getInt() - 1;
      int64_t size = dim < type.getRank() ? type.getDimSize(dim) : 1;
      int64_t n = d.getAs<StringAttr>("type").getValue() == "complete"
                      ? size
                      : d.getAs<IntegerAttr>("factor").getInt();
      (d.getAs<StringAttr>("pragma").getValue() == "reshape" ? widen : banks) *= n;
    }
  int64_t words = type.getNumElements() / std::max<int64_t>(1, banks * widen);
  int64_t width = widen * type.getElementTypeBitWidth();
  StringRef impl = StringRef(g.storage).split(':').second;
  if (impl == "lutram")
    g.lutramBits = g.bits;
  else if (impl == "uram")
    g.uram = banks * uramFor(words, width);
  else
    g.bram18 = banks * bram18For(words, width);
  return g;
}
