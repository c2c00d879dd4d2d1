//===- Project.cpp - the HLS project folder: files, script, report ---------===//
#include "Emitter.h"
#include "Project.h"

#include "lut/HLS/EmitHLSCpp.h"
#include "lut/HLS/Estimate.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

LogicalResult lut::hls::emitHLSCpp(ModuleOp module, raw_ostream &os) {
  Emitter e(module, os);
  return e.emitModule("");
}

namespace {

/// The estimate of one top function (and everything it calls).
struct TopReport {
  std::string name, kernel;
  int64_t tableBits = 0, bram18 = 0, uram = 0, lutramBits = 0;
  int64_t lutAddsPerToken = 0, lutMultsPerToken = 0, tokens = 0;
  int64_t denseMults = 0, denseAdds = 0; ///< per call
  int64_t bufferBits = 0, bufferBram18 = 0; ///< local buffers (activations)
  int64_t latency = 0;                   ///< cycles per call
  std::vector<std::string> kernels;      ///< one line per lut op
};

/// Trip count of a loop with constant bounds, or 1.
int64_t trips(Operation *op) {
  if (auto f = dyn_cast<affine::AffineForOp>(op))
    if (f.hasConstantBounds())
      return std::max<int64_t>(0, llvm::divideCeil(f.getConstantUpperBound() -
                                                       f.getConstantLowerBound(),
                                                   f.getStepAsInt()));
  if (auto f = dyn_cast<scf::ForOp>(op))
    if (auto t = f.getStaticTripCount())
      return t->getSExtValue();
  return 1;
}

/// The product of the trip counts of the loops around `op` in `f`.
int64_t enclosingTrips(Operation *op, func::FuncOp f) {
  int64_t n = 1;
  for (Operation *p = op->getParentOp(); p && p != f; p = p->getParentOp())
    n *= trips(p);
  return n;
}

TopReport estimate(func::FuncOp top, SymbolTable &symbols) {
  TopReport r;
  auto addLutOp = [&](int64_t adds, int64_t mults, int64_t tokens, int64_t latency,
                      std::string line) {
    r.lutAddsPerToken += adds;
    r.lutMultsPerToken += mults;
    r.tokens = std::max(r.tokens, tokens);
    r.latency += latency;
    r.kernels.push_back(std::move(line));
  };
  r.name = lut::hls::cIdentifier(top.getName(), "f");
  if (auto k = top->getAttrOfType<StringAttr>("lut.hls_kernel"))
    r.kernel = k.getValue().str();
  llvm::SmallPtrSet<Operation *, 8> globals;
  for (func::FuncOp f : lut::hls::reachable(top, symbols)) {
    f.walk([&](Operation *op) {
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        // One memory per buffer, as Vitis maps a local array by default;
        // up to 1 Kib it is left to registers or LUTRAM.
        MemRefType t = alloc.getType();
        int64_t bits = t.hasStaticShape() ? t.getNumElements() * t.getElementTypeBitWidth() : 0;
        r.bufferBits += bits;
        if (bits > 1024)
          r.bufferBram18 += lut::hls::bram18For(t.getNumElements(), t.getElementTypeBitWidth());
      } else if (auto get = dyn_cast<memref::GetGlobalOp>(op)) {
        if (auto g = symbols.lookup<memref::GlobalOp>(get.getName()); g && globals.insert(g).second) {
          lut::hls::GlobalMemory m = lut::hls::globalMemory(g);
          r.bram18 += m.bram18;
          r.uram += m.uram;
          r.lutramBits += m.lutramBits;
        }
      } else if (auto g = dyn_cast<lut::GatherSumOp>(op)) {
        lut::hls::GatherCost c = lut::hls::gatherCost(g);
        r.tableBits += c.tables * c.rows * c.cols * c.elemBits;
        addLutOp(c.addsPerToken, c.multsPerToken, c.tokens, c.latencyCycles,
                 llvm::formatv("lut.gather_sum {0} tokens x {1} tables x {2} rows x {3} columns "
                               "({4}-bit): {5} columns/cycle at II={6}, {7} adders, {8} "
                               "cycles/token, {9} cycles",
                               c.tokens, c.tables, c.rows, c.cols, c.elemBits, c.unroll, c.ii,
                               c.adders, c.cyclesPerToken, c.latencyCycles));
      } else if (auto e = dyn_cast<lut::LshEncodeOp>(op)) {
        lut::hls::EncodeCost c = lut::hls::encodeCost(e);
        addLutOp(c.addsPerToken, c.multsPerToken, c.tokens, c.latencyCycles,
                 llvm::formatv("lut.lsh_encode {0} tokens x {1} inputs -> {2} codes of {3} "
                               "bits: {4} f32 multipliers at II={5}, {6} cycles/token, {7} "
                               "cycles",
                               c.tokens, c.inDim, c.tables, c.bits, c.multipliers, c.ii,
                               c.cyclesPerToken, c.latencyCycles));
      } else if (isa<arith::MulFOp, arith::MulIOp, arith::AddFOp, arith::SubFOp>(op) &&
                 !op->getResult(0).getType().isIndex()) {
        (isa<arith::MulFOp, arith::MulIOp>(op) ? r.denseMults : r.denseAdds) +=
            enclosingTrips(op, f);
      } else if (op->hasAttr("lut.hls_pipeline_ii") &&
                 isa<affine::AffineForOp, scf::ForOp>(op)) {
        r.latency += enclosingTrips(op, f) * (trips(op) * op->getAttrOfType<IntegerAttr>("lut.hls_pipeline_ii").getInt() + 8);
      }
    });
  }
  return r;
}

std::string percent(int64_t used, int64_t total) {
  if (total <= 0)
    return used ? "n/a" : "0%";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * used / total);
  return buf;
}

LogicalResult writeFile(StringRef dir, StringRef name, std::string &error,
                        llvm::function_ref<LogicalResult(raw_ostream &)> body) {
  SmallString<256> path(dir);
  llvm::sys::path::append(path, name);
  std::error_code ec;
  llvm::ToolOutputFile file(path, ec, llvm::sys::fs::OF_Text);
  if (ec) {
    error = "cannot write '" + path.str().str() + "': " + ec.message();
    return failure();
  }
  if (failed(body(file.os())))
    return failure();
  file.keep();
  return success();
}

} // namespace

LogicalResult lut::hls::writeHLSProject(ModuleOp module, StringRef dir,
                                        const HLSProjectOptions &o, std::string &error) {
  const Device *dev = findDevice(o.device);
  if (!dev) {
    error = "unknown device '" + o.device + "' (known: " + deviceNames() + ")";
    return failure();
  }
  SymbolTable symbols(module);
  SmallVector<func::FuncOp> tops;
  for (func::FuncOp f : module.getOps<func::FuncOp>())
    if (f->hasAttr("lut.hls_top"))
      tops.push_back(f);
  if (tops.empty()) {
    module.emitError("no top function (lut.hls_top): run lut-hls-directives first");
    return failure();
  }
  // Emit the kernel into memory first: no partial folder on an error.
  std::string kernel, header;
  {
    llvm::raw_string_ostream os(kernel);
    Emitter e(module, os);
    if (failed(e.emitModule("kernel.h")))
      return failure();
  }
  {
    llvm::raw_string_ostream os(header);
    os << "// Top functions of the HLS kernels (generated by lut-mlir). See README.md.\n"
          "#ifndef LUT_HLS_KERNEL_H\n#define LUT_HLS_KERNEL_H\n\n#include <cstdint>\n"
          "#ifdef LUT_HLS_AP_TYPES\n#include <ap_int.h> // narrower accumulators for Vitis HLS\n"
          "#endif\n\n";
    Emitter e(module, os);
    if (failed(e.emitTopDeclarations()))
      return failure();
    os << "\n#endif\n";
  }
  if (std::error_code ec = llvm::sys::fs::create_directories(dir)) {
    error = "cannot create '" + dir.str() + "': " + ec.message();
    return failure();
  }
  if (failed(writeFile(dir, "kernel.cpp", error, [&](raw_ostream &os) {
        os << kernel;
        return success();
      })) ||
      failed(writeFile(dir, "kernel.h", error, [&](raw_ostream &os) {
        os << header;
        return success();
      })))
    return failure();
  std::vector<TopReport> reports;
  std::vector<std::vector<Arg>> topArgs;
  std::string topNames;
  for (func::FuncOp f : tops) {
    std::string name = cIdentifier(f.getName(), "f");
    topNames += (topNames.empty() ? "" : " ") + name;
    const std::vector<Arg> &args = topArgs.emplace_back(argsOf(f));
    if (failed(writeFile(dir, "tb_" + name + ".cpp", error, [&](raw_ostream &os) {
          writeTestbench(os, f, args);
          return success();
        })))
      return failure();
    reports.push_back(estimate(f, symbols));
  }
  std::string defaultTop = cIdentifier(tops.front().getName(), "f");
  char clock[32];
  std::snprintf(clock, sizeof clock, "%g", o.clockNs);
  if (failed(writeFile(dir, "run_hls.tcl", error, [&](raw_ostream &os) {
        os << "# Vitis HLS script for this folder (generated by lut-mlir; see README.md).\n"
           << "#   vitis_hls -f run_hls.tcl -tclargs [TOP] [PART] [STEPS] [CLOCK_NS]\n"
           << "# TOP: one of " << topNames << " (default " << defaultTop << ")\n"
           << "# PART: default " << dev->part << " (" << dev->name << ")\n"
           << "# STEPS: comma-separated csim,csynth,cosim,export (default csim,csynth,cosim)\n"
           << "set tops {" << topNames << "}\n"
           << "set top " << defaultTop << "\nset part " << dev->part
           << "\nset steps csim,csynth,cosim\nset clock " << clock << "\n"
           << "if {[info exists argv]} {\n"
           << "  if {[llength $argv] > 0} { set top [lindex $argv 0] }\n"
           << "  if {[llength $argv] > 1} { set part [lindex $argv 1] }\n"
           << "  if {[llength $argv] > 2} { set steps [lindex $argv 2] }\n"
           << "  if {[llength $argv] > 3} { set clock [lindex $argv 3] }\n}\n"
           << "if {[lsearch -exact $tops $top] < 0} {\n"
           << "  puts \"error: unknown top '$top' (one of: $tops)\"\n  exit 1\n}\n"
           << "set dir [file normalize [file dirname [info script]]]\n"
           << "open_project -reset prj_$top\nset_top $top\n"
           << "add_files $dir/kernel.cpp -cflags \"-std=c++17 -I$dir\"\n"
           << "add_files -tb $dir/tb_$top.cpp -cflags \"-std=c++17 -I$dir\"\n"
           << "open_solution -reset solution1 -flow_target vivado\nset_part $part\n"
           << "create_clock -period $clock -name default\n"
           << "set steps [split $steps ,]\n"
           << "if {[lsearch $steps csim] >= 0} { csim_design -argv \"$dir/data/$top\" }\n"
           << "if {[lsearch $steps csynth] >= 0} { csynth_design }\n"
           << "if {[lsearch $steps cosim] >= 0} { cosim_design -argv \"$dir/data/$top\" }\n"
           << "if {[lsearch $steps export] >= 0} { export_design -format ip_catalog }\n"
           << "exit\n";
        return success();
      })))
    return failure();
  // The report.
  llvm::json::Array jsonTops;
  for (const TopReport &r : reports)
    jsonTops.push_back(llvm::json::Object{
        {"top", r.name},
        {"kernel", r.kernel},
        {"table_bits", r.tableBits},
        {"bram18", r.bram18},
        {"uram", r.uram},
        {"lutram_bits", r.lutramBits},
        {"tokens", r.tokens},
        {"lut_adds_per_token", r.lutAddsPerToken},
        {"lut_multiplies_per_token", r.lutMultsPerToken},
        {"dense_multiplies_per_call", r.denseMults},
        {"dense_adds_per_call", r.denseAdds},
        {"buffer_bits", r.bufferBits},
        {"buffer_bram18", r.bufferBram18},
        {"latency_cycles_estimate", r.latency},
        {"lut_ops", llvm::json::Array(r.kernels)}});
  if (failed(writeFile(dir, "report.json", error, [&](raw_ostream &os) {
        os << llvm::formatv("{0:2}\n",
                            llvm::json::Value(llvm::json::Object{
                                {"device", dev->name},
                                {"part", dev->part},
                                {"device_bram18", dev->bram18},
                                {"device_uram", dev->uram},
                                {"device_dsp", dev->dsp},
                                {"device_luts", dev->luts},
                                {"clock_ns", o.clockNs},
                                {"tops", std::move(jsonTops)}}));
        return success();
      })))
    return failure();
  auto reportMd = [&](raw_ostream &os) {
    os << "# Resource and latency estimate\n\n"
       << "Device " << dev->name << " (" << dev->part << "): " << dev->bram18 << " BRAM18, "
       << dev->uram << " URAM, " << dev->dsp << " DSP, " << dev->luts << " LUTs; clock "
       << clock << " ns. First-order estimates from the directives (lut-hls-directives); "
       << "Vitis HLS's csynth report is the authority. BRAM18, URAM and LUTRAM count the "
       << "tables and projections as bound; buffers are the local arrays between loops and "
       << "kernels (activations), one memory each (none up to 1 Kib).\n\n"
       << "| top | kernel | table bits | BRAM18 | URAM | LUTRAM bits | buffer bits | buffer BRAM18 "
          "| LUT adds/token | LUT mults/token | dense mults/call | latency (cycles) |\n"
       << "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const TopReport &r : reports)
      os << "| " << r.name << " | " << (r.kernel.empty() ? "model" : r.kernel) << " | "
         << r.tableBits << " | " << r.bram18 << " (" << percent(r.bram18, dev->bram18) << ") | "
         << r.uram << " (" << percent(r.uram, dev->uram) << ") | " << r.lutramBits << " | "
         << r.bufferBits << " | " << r.bufferBram18 << " (" << percent(r.bufferBram18, dev->bram18)
         << ") | " << r.lutAddsPerToken << " | " << r.lutMultsPerToken << " | " << r.denseMults << " | "
         << r.latency << " |\n";
    os << "\nLUT ops:\n\n";
    for (const TopReport &r : reports)
      if (r.kernel == "gather_sum" || r.kernel == "lsh_encode")
        for (const std::string &k : r.kernels)
          os << "- " << r.name << ": " << k << "\n";
    return success();
  };
  std::string reportText;
  {
    llvm::raw_string_ostream os(reportText);
    (void)reportMd(os);
  }
  if (failed(writeFile(dir, "report.md", error, [&](raw_ostream &os) {
        os << reportText;
        return success();
      })))
    return failure();
  return writeFile(dir, "README.md", error, [&](raw_ostream &os) {
    os << "# HLS kernels generated by lut-mlir\n\n"
       << "Files:\n\n"
       << "- `kernel.h`, `kernel.cpp`: the top functions (" << topNames
       << ") in plain C++17 with Vitis HLS pragmas; tables are `static const` arrays inside "
          "the function that reads them. Define `LUT_HLS_AP_TYPES` (with the vendor's "
          "`ap_int.h` on the include path) for narrower integer accumulators; results are "
          "the same.\n"
       << "- `tb_<top>.cpp`: a C simulation testbench per top function.\n"
       << "- `run_hls.tcl`: C simulation, synthesis and co-simulation with Vitis HLS.\n"
       << "- `report.md`, `report.json`: resource and latency estimates.\n\n"
       << "## C simulation with any C++ compiler\n\n"
       << "```\ng++ -std=c++17 -O2 -I. kernel.cpp tb_" << defaultTop << ".cpp -o tb_"
       << defaultTop << "\n./tb_" << defaultTop << " data/" << defaultTop << "\n```\n\n"
       << "A testbench reads each input from `DATA_DIR/<name>.bin` (raw little-endian, C "
          "order; several samples back to back run the top once each) and compares each "
          "output with `DATA_DIR/<name>.expected.bin` when present, reporting the maximum "
          "absolute error (`--tolerance T` sets the bound; `--write DIR` saves the outputs). "
          "Without input files it runs one sample of synthetic inputs.\n\n"
       << "Arguments (inputs, then outputs):\n\n";
    for (auto [f, args] : llvm::zip(tops, topArgs)) {
      os << "- `" << cIdentifier(f.getName(), "f") << "`:";
      for (const Arg &a : args)
        os << " " << (a.output ? "out " : "in ") << "`" << a.name << "` (" << a.elems << " x "
           << a.ctype << ")";
      os << "\n";
    }
    os << "\n## Vitis HLS\n\n"
       << "```\nvitis_hls -f run_hls.tcl -tclargs " << defaultTop << " " << dev->part
       << " csim,csynth,cosim\n```\n\n"
       << "Arguments, all optional: the top (one of " << topNames << "), the part, the "
          "steps (csim, csynth, cosim, export) and the clock period in ns (default "
       << clock << "). With Vitis 2024.2 and later, `vitis-run --mode hls --tcl run_hls.tcl` "
          "runs the same script.\n\n"
       << reportText;
    return success();
  });
}
