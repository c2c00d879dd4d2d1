//===- Tile.cpp - lut-tile: cache-sized tiles of the lut ops --------------===//
//
// Implements `lut-tile` (Passes.td) with upstream SCF tiling
// (scf::tileUsingSCF) over the ops' TilingInterface.
//
//===----------------------------------------------------------------------===//
#include "lut/Dialect/Lut/IR/LutOps.h"
#include "lut/Dialect/Lut/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>

namespace lut {
#define GEN_PASS_DEF_LUTTILE
#include "lut/Dialect/Lut/Transforms/Passes.h.inc"
} // namespace lut

using namespace mlir;
using namespace lut;

namespace {

/// The size in bytes of the host CPU 0's data (or unified) cache of `level`
/// from Linux's sysfs, or 0 if unknown.
int64_t hostCacheBytes(int level) {
  for (int index = 0; index < 8; ++index) {
    std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    auto read = [&](const char *name) -> std::string {
      auto buf = llvm::MemoryBuffer::getFile(dir + name, /*IsText=*/true);
      return buf ? (*buf)->getBuffer().trim().str() : "";
    };
    std::string lvl = read("level"), type = read("type"), size = read("size");
    if (lvl.empty())
      break;
    if (lvl != std::to_string(level) || type == "Instruction" || size.empty())
      continue;
    int64_t bytes = 0;
    size_t i = 0;
    for (; i < size.size() && isdigit((unsigned char)size[i]); ++i)
      bytes = bytes * 10 + (size[i] - '0');
    char unit = i < size.size() ? size[i] : 'B';
    return unit == 'K' ? bytes << 10 : unit == 'M' ? bytes << 20 : bytes;
  }
  return 0;
}

/// The largest divisor of `dim` that is <= `tile` (the ops take static
/// table shapes, so a column or table tile must divide its dimension).
int64_t divisorAtMost(int64_t dim, int64_t tile) {
  for (int64_t t = std::min(tile, dim); t > 1; --t)
    if (dim % t == 0)
      return t;
  return 1;
}

int64_t bytesOf(Type t) { return std::max<int64_t>(1, t.getIntOrFloatBitWidth() / 8); }

/// Largest multiple of `quantum` (at least `quantum`) that is <= `limit`;
/// `limit` itself if it is smaller than the quantum.
int64_t roundDown(int64_t v, int64_t quantum) {
  return v < quantum ? std::max<int64_t>(v, 1) : v / quantum * quantum;
}

struct LutTilePass : public lut::impl::LutTileBase<LutTilePass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *ctx) override {
    for (auto [name, v] : {std::pair<const char *, int64_t>{"l1-cache-bytes", l1CacheBytes},
                           {"l2-cache-bytes", l2CacheBytes},
                           {"token-tile", tokenTile},
                           {"column-tile", columnTile}})
      if (v < 0)
        return emitError(UnknownLoc::get(ctx))
               << "lut-tile: " << name << "=" << v << " must be >= 0 (0: chosen by the pass)";
    return success();
  }

  /// L1 and L2 data cache sizes (bytes) for the module's target.
  std::pair<int64_t, int64_t> cacheSizes() {
    int64_t l1 = l1CacheBytes, l2 = l2CacheBytes;
    auto module = getOperation()->getParentOfType<ModuleOp>();
    auto triple = module ? module->getAttrOfType<StringAttr>(
                               LLVM::LLVMDialect::getTargetTripleAttrName())
                         : StringAttr();
    bool host = !triple || llvm::Triple(triple.getValue()).getArch() ==
                               llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch();
    if (!l1)
      l1 = host ? hostCacheBytes(1) : 0;
    if (!l2)
      l2 = host ? hostCacheBytes(2) : 0;
    return {l1 > 0 ? l1 : 32 << 10, l2 > 0 ? l2 : 1 << 20};
  }

  /// Tiles `op` with sizes {tokens, columns} (0: untiled), the column loop
  /// outermost, so that one slice of the tables stays in cache while all
  /// token tiles stream through it.
  LogicalResult tile(RewriterBase &rewriter, TilingInterface op, int64_t tn, int64_t tm) {
    if (!tn && !tm)
      return success();
    scf::SCFTilingOptions options;
    options.setTileSizes({rewriter.getIndexAttr(tn), rewriter.getIndexAttr(tm)});
    options.setInterchange({1, 0});
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> r = scf::tileUsingSCF(rewriter, op, options);
    if (failed(r))
      return op->emitError("lut-tile: tiling failed");
    rewriter.replaceOp(op, r->replacements);
    return success();
  }

  /// gather_sum over (N tokens, M columns): columns so that the tables'
  /// slice (H x R x tm) takes at most half of L2; tokens so that a tile's
  /// codes (tn x H) and outputs (tn x tm f32) take at most half of L1.
  std::pair<int64_t, int64_t> gatherTiles(GatherSumOp op, int64_t l1, int64_t l2) {
    auto tables = cast<ShapedType>(op.getTables().getType());
    auto codes = cast<ShapedType>(op.getCodes().getType());
    int64_t h = tables.getDimSize(0), r = tables.getDimSize(1), m = tables.getDimSize(2);
    int64_t n = codes.getDimSize(0);
    int64_t eb = bytesOf(tables.getElementType()), cb = bytesOf(codes.getElementType());
    int64_t vec = std::max<int64_t>(1, 64 / eb); // one 64-byte row piece
    int64_t tm = columnTile ? columnTile : roundDown(l2 / 2 / std::max<int64_t>(1, h * r * eb), vec);
    tm = tm >= m ? 0 : divisorAtMost(m, tm);
    int64_t cols = tm ? tm : m;
    int64_t tn = tokenTile ? tokenTile
                           : roundDown(l1 / 2 / std::max<int64_t>(1, h * cb + cols * 4), 8);
    if (!ShapedType::isDynamic(n) && tn >= n)
      tn = 0;
    return {tn, tm};
  }

  /// lsh_encode over (N tokens, H tables): tables so that the projection's
  /// slice (D x th*k f32) takes at most half of L2; tokens so that a tile's
  /// inputs (tn x D f32) take at most half of L1.
  std::pair<int64_t, int64_t> encodeTiles(LshEncodeOp op, int64_t l1, int64_t l2) {
    auto x = cast<ShapedType>(op.getX().getType());
    auto init = cast<ShapedType>(op.getInit().getType());
    int64_t d = x.getDimSize(1), n = x.getDimSize(0), h = init.getDimSize(1);
    int64_t k = op.getBits();
    int64_t pb = bytesOf(cast<ShapedType>(op.getProjection().getType()).getElementType());
    int64_t th = columnTile ? columnTile : roundDown(l2 / 2 / std::max<int64_t>(1, d * k * pb), 1);
    th = th >= h ? 0 : divisorAtMost(h, th);
    int64_t tn = tokenTile ? tokenTile : roundDown(l1 / 2 / std::max<int64_t>(1, d * 4), 8);
    if (!ShapedType::isDynamic(n) && tn >= n)
      tn = 0;
    return {tn, th};
  }

  void runOnOperation() override {
    auto [l1, l2] = cacheSizes();
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (auto g = dyn_cast<GatherSumOp>(op); g && g.hasPureTensorSemantics())
        ops.push_back(op);
      if (auto e = dyn_cast<LshEncodeOp>(op); e && e.hasPureTensorSemantics())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      auto [tn, tm] = isa<GatherSumOp>(op) ? gatherTiles(cast<GatherSumOp>(op), l1, l2)
                                           : encodeTiles(cast<LshEncodeOp>(op), l1, l2);
      if (failed(tile(rewriter, cast<TilingInterface>(op), tn, tm)))
        return signalPassFailure();
    }
  }
};

} // namespace
