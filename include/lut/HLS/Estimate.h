//===- Estimate.h - FPGA device budgets and HLS resource estimates -*- C++ -*-===//
//
// The numbers behind `lut-hls-directives`' choices and the report that
// `lutc --emit=hls` writes: the resources of a few AMD device families, the
// BRAM18/URAM/LUTRAM cost of a table memory, and the adders, multipliers,
// initiation interval and latency implied by the directives on the LUT ops.
// These are first-order estimates from the directives, not synthesis
// results: Vitis HLS's csynth report is the authority (docs/HLS.md).
//
//===----------------------------------------------------------------------===//
#ifndef LUT_HLS_ESTIMATE_H
#define LUT_HLS_ESTIMATE_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace lut {
class GatherSumOp;
class LshEncodeOp;
} // namespace lut

namespace lut::hls {

/// One device family: its default part number and resource counts (from
/// AMD's product tables: UltraScale+ data sheets DS962/DS923, 7-series
/// DS190). Counts are whole-device totals.
struct Device {
  llvm::StringLiteral name; ///< e.g. "xcu250"
  llvm::StringLiteral part; ///< a full part number for set_part
  int64_t bram18;           ///< 18 Kib block RAMs (two per BRAM36)
  int64_t uram;             ///< 288 Kib UltraRAMs (0 before UltraScale+)
  int64_t dsp;              ///< DSP slices
  int64_t luts;             ///< CLB LUTs
};

/// The known devices, in a fixed order.
llvm::ArrayRef<Device> devices();
/// The device named `name` (as in Device::name), or null.
const Device *findDevice(llvm::StringRef name);
/// The names of all devices, comma-separated (for messages).
std::string deviceNames();

/// BRAM18 blocks for one memory of `depth` words of `width` bits: the
/// cheapest of the 16Kx1, 8Kx2, 4Kx4, 2Kx9, 1Kx18 and 512x36 aspect ratios.
int64_t bram18For(int64_t depth, int64_t width);
/// UltraRAM blocks (4K x 72 bits each) for one memory.
int64_t uramFor(int64_t depth, int64_t width);

/// The memory cost of a table array `H x R x M` of `elemBits`-bit entries,
/// partitioned into H banks and reshaped by `unroll` columns per word.
struct TableMemory {
  int64_t bits = 0;        ///< all entries, in bits
  int64_t banks = 0;       ///< H
  int64_t bankDepth = 0;   ///< words per bank: R * M / unroll
  int64_t bankWidth = 0;   ///< bits per word: unroll * elemBits
  int64_t bram18 = 0;      ///< when bound to BRAM
  int64_t uram = 0;        ///< when bound to URAM
};
TableMemory tableMemory(int64_t h, int64_t r, int64_t m, int64_t elemBits, int64_t unroll);

/// What the directives on one `lut.gather_sum` (on memrefs) imply.
struct GatherCost {
  int64_t tokens = 0, tables = 0, rows = 0, cols = 0, elemBits = 0;
  int64_t unroll = 1, ii = 1;
  int64_t addsPerToken = 0;  ///< table-sum and bias adders, per token
  int64_t multsPerToken = 0; ///< scale and weight multiplies, per token
  int64_t adders = 0;        ///< adders instantiated (unrolled)
  int64_t cyclesPerToken = 0;
  int64_t latencyCycles = 0; ///< the whole op, pipeline fill included
};
GatherCost gatherCost(GatherSumOp op);

/// What the directives on one `lut.lsh_encode` (on memrefs) imply.
struct EncodeCost {
  int64_t tokens = 0, inDim = 0, tables = 0, bits = 0, ii = 1;
  int64_t multsPerToken = 0, addsPerToken = 0;
  int64_t multipliers = 0; ///< f32 multipliers instantiated (one cycle's)
  int64_t cyclesPerToken = 0;
  int64_t latencyCycles = 0;
};
EncodeCost encodeCost(LshEncodeOp op);

/// The storage of a `memref.global` with `lut.hls_storage` (and
/// `lut.hls_partition`): bits, and blocks of the bound implementation.
struct GlobalMemory {
  int64_t bits = 0, bram18 = 0, uram = 0, lutramBits = 0;
  std::string storage; ///< "rom_2p:bram", or "" when not bound
};
GlobalMemory globalMemory(mlir::memref::GlobalOp global);

} // namespace lut::hls

#endif
