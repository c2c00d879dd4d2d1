//===- Directives.cpp - choose HLS directives from a device budget ---------===//
//
// lut-hls-directives (documented in include/lut/HLS/Passes.td).
//
//===----------------------------------------------------------------------===//
#include "lut/HLS/Estimate.h"
#include "lut/HLS/Passes.h"

#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringMap.h"

namespace lut {
#define GEN_PASS_DEF_LUTHLSDIRECTIVES
#include "lut/HLS/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {

/// The global behind `v` when `v` is a memref.get_global, else null.
memref::GlobalOp globalOf(Value v, SymbolTable &symbols) {
  auto get = v.getDefiningOp<memref::GetGlobalOp>();
  return get ? symbols.lookup<memref::GlobalOp>(get.getName()) : nullptr;
}

/// The memref.get_global ops of each global, collected in one walk.
using GetGlobals = llvm::StringMap<SmallVector<memref::GetGlobalOp>>;

/// True when every memref.get_global of `g` is used only as operand
/// `operandOf(user)` of ops of type OpT.
template <class OpT, class Fn>
bool onlyUsedAs(const GetGlobals &gets, memref::GlobalOp g, Fn operandOf) {
  auto it = gets.find(g.getSymName());
  if (it == gets.end())
    return true;
  for (memref::GetGlobalOp get : it->second)
    for (OpOperand &use : get->getUses()) {
      auto user = dyn_cast<OpT>(use.getOwner());
      if (!user || operandOf(user) != use.get() ||
          llvm::count(user->getOperands(), use.get()) != 1)
        return false;
    }
  return true;
}

NamedAttribute part(MLIRContext *ctx, StringRef pragma, StringRef type, int64_t dim,
                    int64_t factor) {
  Builder b(ctx);
  SmallVector<NamedAttribute> e{b.getNamedAttr("pragma", b.getStringAttr(pragma)),
                                b.getNamedAttr("type", b.getStringAttr(type)),
                                b.getNamedAttr("dim", b.getI64IntegerAttr(dim))};
  if (type != "complete")
    e.push_back(b.getNamedAttr("factor", b.getI64IntegerAttr(factor)));
  return b.getNamedAttr("", b.getDictionaryAttr(e));
}

struct Directives : lut::impl::LutHlsDirectivesBase<Directives> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    Builder b(ctx);
    const lut::hls::Device *dev = lut::hls::findDevice(device);
    if (!dev) {
      module.emitError("lut-hls-directives: unknown device '")
          << device << "' (known: " << lut::hls::deviceNames() << ")";
      return signalPassFailure();
    }
    if (!(bramFraction > 0 && bramFraction <= 1) || !(lutFraction > 0 && lutFraction <= 1) ||
        pipelineII < 1 || columnUnroll < 0 || maxColumnUnroll < 1) {
      module.emitError("lut-hls-directives: bram-fraction and lut-fraction must be in (0, 1], "
                       "pipeline-ii and max-column-unroll at least 1, column-unroll at least 0");
      return signalPassFailure();
    }
    SymbolTable symbols(module);
    GetGlobals gets;
    module.walk([&](memref::GetGlobalOp get) { gets[get.getName()].push_back(get); });
    auto ii = b.getI64IntegerAttr(pipelineII);

    // Tops, interfaces and dataflow regions.
    for (func::FuncOp f : module.getOps<func::FuncOp>()) {
      if (f.isExternal())
        continue;
      if (!f.isPrivate()) {
        f->setAttr("lut.hls_top", b.getUnitAttr());
        for (unsigned i = 0; i < f.getNumArguments(); ++i)
          if (isa<MemRefType>(f.getArgument(i).getType()) &&
              !f.getArgAttr(i, "lut.hls_interface")) {
            f.setArgAttr(i, "lut.hls_interface", b.getStringAttr("m_axi"));
            f.setArgAttr(i, "lut.hls_bundle", b.getStringAttr("gmem" + std::to_string(i)));
          }
      }
      Block &body = f.getBody().front();
      bool onlyCalls = llvm::all_of(body, [](Operation &op) {
        return isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp, func::CallOp,
                   func::ReturnOp>(op);
      });
      if (onlyCalls && llvm::count_if(body, [](Operation &op) { return isa<func::CallOp>(op); }) >= 2)
        f->setAttr("lut.hls_dataflow", b.getUnitAttr());
    }

    // Encoders: one table's codes per cycle; the projection's rows in
    // parallel.
    module.walk([&](lut::LshEncodeOp op) {
      if (!op->hasAttr("lut.hls_pipeline_ii"))
        op->setAttr("lut.hls_pipeline_ii", ii);
      memref::GlobalOp g = globalOf(op.getProjection(), symbols);
      if (!g || g->hasAttr("lut.hls_partition") ||
          !onlyUsedAs<lut::LshEncodeOp>(gets, g, [](lut::LshEncodeOp u) { return u.getProjection(); }))
        return;
      MemRefType t = g.getType();
      g->setAttr("lut.hls_partition", b.getArrayAttr({part(ctx, "partition", "complete", 1, 0).getValue()}));
      int64_t bankBits = t.getDimSize(1) * t.getElementTypeBitWidth();
      if (!g->hasAttr("lut.hls_storage"))
        g->setAttr("lut.hls_storage",
                   b.getStringAttr(bankBits <= lutramBits ? "rom_2p:lutram" : "rom_2p:bram"));
    });

    // Gathers: choose the column unroll under the budget.
    struct Gather {
      lut::GatherSumOp op;
      memref::GlobalOp tables; // null: not ours to partition
      int64_t h, r, m, bits;
      bool intSum;
    };
    SmallVector<Gather> gathers;
    module.walk([&](lut::GatherSumOp op) {
      auto t = cast<MemRefType>(op.getTables().getType());
      memref::GlobalOp g = globalOf(op.getTables(), symbols);
      if (g && !onlyUsedAs<lut::GatherSumOp>(gets, g, [](lut::GatherSumOp u) { return u.getTables(); }))
        g = nullptr;
      bool intSum = t.getElementType().isInteger(8) && !op.getWeights() && op.getScales() &&
                    cast<MemRefType>(op.getScales().getType()).getRank() == 1;
      gathers.push_back({op, g, t.getDimSize(0), t.getDimSize(1), t.getDimSize(2),
                         t.getElementTypeBitWidth(), intSum});
    });
    auto unrollFor = [&](const Gather &g, int64_t cap) {
      if (auto u = g.op->getAttrOfType<IntegerAttr>("lut.hls_unroll"))
        return u.getInt();
      if (g.m <= 1)
        return int64_t(1);
      int64_t u = std::min(cap, g.m);
      while (g.m % u)
        --u;
      return u;
    };
    auto fits = [&](int64_t cap, bool uram) {
      int64_t bram = 0, urams = 0, luts = 0, dsps = 0;
      for (const Gather &g : gathers) {
        int64_t u = unrollFor(g, cap);
        lut::hls::TableMemory mem = lut::hls::tableMemory(g.h, g.r, g.m, g.bits, u);
        bool small = mem.bankDepth * mem.bankWidth <= lutramBits;
        if (!small && uram && mem.bankDepth * mem.bankWidth > 65536)
          urams += mem.uram;
        else if (!small)
          bram += mem.bram18;
        int64_t adders = u * (g.h - 1);
        if (g.intSum)
          luts += adders * 32;
        else
          dsps += adders * 2;
      }
      return bram <= bramFraction * dev->bram18 && urams <= bramFraction * dev->uram &&
             luts <= lutFraction * dev->luts && dsps <= lutFraction * dev->dsp;
    };
    int64_t cap = columnUnroll;
    bool uram = false;
    if (cap > 0) {
      for (Gather &g : gathers)
        if (g.m % cap && !g.op->hasAttr("lut.hls_unroll")) {
          g.op.emitError("lut-hls-directives: column-unroll=")
              << cap << " does not divide the gather's " << g.m << " output columns";
          return signalPassFailure();
        }
      uram = !fits(cap, false) && dev->uram > 0;
    } else {
      for (cap = maxColumnUnroll; cap > 1 && !fits(cap, false); --cap)
        ;
      if (!fits(cap, false) && dev->uram > 0) {
        uram = true;
        for (cap = maxColumnUnroll; cap > 1 && !fits(cap, true); --cap)
          ;
      }
    }
    if (!gathers.empty() && !fits(cap, uram))
      module.emitWarning("lut-hls-directives: the tables need more than ")
          << (int)(100 * bramFraction) << "% of " << dev->name << "'s block RAM (or the "
          << "adders more than " << (int)(100 * lutFraction) << "% of its LUTs) even at "
          << cap << " column(s) per cycle; the design will not fit (report.md has the counts)";
    for (const Gather &g : gathers) {
      int64_t u = unrollFor(g, cap);
      g.op->setAttr("lut.hls_unroll", b.getI64IntegerAttr(u));
      if (!g.op->hasAttr("lut.hls_pipeline_ii"))
        g.op->setAttr("lut.hls_pipeline_ii", ii);
      if (!g.tables || g.tables->hasAttr("lut.hls_partition"))
        continue;
      lut::hls::TableMemory mem = lut::hls::tableMemory(g.h, g.r, g.m, g.bits, u);
      SmallVector<Attribute> parts{part(ctx, "partition", "complete", 1, 0).getValue()};
      if (u > 1)
        parts.push_back(part(ctx, "reshape", "cyclic", 3, u).getValue());
      g.tables->setAttr("lut.hls_partition", b.getArrayAttr(parts));
      int64_t bankBits = mem.bankDepth * mem.bankWidth;
      StringRef impl = bankBits <= lutramBits                ? "lutram"
                       : uram && bankBits > 65536 ? "uram"
                                                              : "bram";
      if (!g.tables->hasAttr("lut.hls_storage"))
        g.tables->setAttr("lut.hls_storage", b.getStringAttr(("rom_2p:" + impl).str()));
    }

    // Dense parts: pipeline every innermost loop.
    module.walk([&](Operation *op) {
      if (!isa<affine::AffineForOp, scf::ForOp>(op) || op->hasAttr("lut.hls_pipeline_ii"))
        return;
      bool inner = true;
      op->getRegion(0).walk([&](Operation *nested) {
        if (nested != op && isa<affine::AffineForOp, scf::ForOp>(nested))
          inner = false;
      });
      if (inner)
        op->setAttr("lut.hls_pipeline_ii", ii);
    });
  }
};

} // namespace
