//===- compiler.cpp - Python bindings for the lut-mlir compiler -----------===//
//
// `lut_mlir.compile`: the driver library (include/lut/Compiler/Driver.h,
// the same entry point as lutc) from Python. Diagnostics come back in the
// exception text, with their source locations.
//
//===----------------------------------------------------------------------===//
#include "lut/Compiler/Driver.h"
#include "lut/Compiler/RunPipeline.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

lut::EmitKind parseEmit(const std::string &emit) {
  if (emit == "lib")
    return lut::EmitKind::SharedLibrary;
  if (emit == "mlir")
    return lut::EmitKind::MLIR;
  if (emit == "llvm")
    return lut::EmitKind::LLVMIR;
  if (emit == "obj")
    return lut::EmitKind::Object;
  if (emit == "hls")
    return lut::EmitKind::HLS;
  throw py::value_error("emit must be 'lib', 'mlir', 'llvm', 'obj' or 'hls', got '" + emit + "'");
}

/// Runs the driver; returns its diagnostics and progress text. Raises
/// RuntimeError (a malformed model or a failed compilation) or
/// NotImplementedError (a valid model that uses something unsupported).
std::string compile(const std::string &model, const std::string &output,
                    const std::string &emit, const std::optional<std::string> &lut,
                    const std::vector<std::string> &calibration, unsigned optLevel,
                    const std::string &target, const std::string &cpu,
                    const std::string &shapeInfo, const std::string &lutReport,
                    const std::string &lutTables, const py::object &progress) {
  lut::DriverOptions o;
  o.input = model;
  o.output = output;
  o.emit = parseEmit(emit);
  o.optLevel = optLevel;
  o.triple = target;
  o.cpu = cpu;
  o.shapeInfo = shapeInfo;
  o.toolName = "lut_mlir.compile";
  if (lut) {
    if (lut->empty())
      throw py::value_error("lut must name a method, e.g. 'lsh' or 'lsh:tables=48,bits=8'");
    o.lut = *lut;
  }
  o.calibration = calibration;
  o.lutReport = lutReport;
  o.lutTables = lutTables;
  // The callback runs on the compiling thread with the GIL taken back; a
  // Python exception in it is kept and raised when the driver returns (the
  // compilation itself goes on: the driver has no cancellation).
  std::optional<py::error_already_set> callbackError;
  if (!progress.is_none())
    o.progress = [&](const std::string &stage, int64_t done, int64_t total) {
      py::gil_scoped_acquire acquire;
      if (callbackError)
        return;
      try {
        progress(stage, done, total);
      } catch (py::error_already_set &e) {
        callbackError = std::move(e);
      }
    };
  std::string diagnostics;
  lut::DriverStatus status;
  {
    py::gil_scoped_release release;
    status = lut::runDriver(o, &diagnostics);
  }
  if (callbackError)
    throw *callbackError;
  if (status == lut::DriverStatus::Unsupported)
    throw py::type_error("unsupported model:\n" + diagnostics);
  if (status != lut::DriverStatus::Success)
    throw std::runtime_error("compilation failed:\n" + diagnostics);
  return diagnostics;
}

/// Runs a textual pass pipeline on MLIR text (lut-opt --pass-pipeline).
std::string runPipeline(const std::string &text, const std::string &pipeline,
                        bool debugInfo, const std::string &name) {
  std::string output, diagnostics;
  lut::DriverStatus status;
  {
    py::gil_scoped_release release;
    status = lut::runPassPipeline(text, pipeline, output, diagnostics, name, debugInfo);
  }
  if (status != lut::DriverStatus::Success)
    throw std::runtime_error("pass pipeline failed:\n" + diagnostics);
  return output;
}

/// lut::countModelMacs on MLIR text.
int64_t countMacs(const std::string &text, const std::string &name) {
  std::string diagnostics;
  int64_t macs = 0;
  lut::DriverStatus status;
  {
    py::gil_scoped_release release;
    status = lut::countModelMacs(text, macs, diagnostics, name);
  }
  if (status != lut::DriverStatus::Success)
    throw std::runtime_error("cannot count the multiplications:\n" + diagnostics);
  return macs;
}

} // namespace

void bindCompiler(py::module_ &m) {
  m.def("run_pipeline", &runPipeline, py::arg("mlir"), py::arg("pipeline"), py::kw_only(),
        py::arg("debug_info") = false, py::arg("name") = "<string>",
        "Parses `mlir` (MLIR text; `name` in diagnostics), runs the textual pass\n"
        "pipeline `pipeline` anchored on the module, as lut-opt --pass-pipeline\n"
        "takes it ('builtin.module(canonicalize,lut-ffn-pipeline)'), and returns\n"
        "the result as text (with loc(...) when debug_info). Every upstream and\n"
        "lut-mlir pass and pipeline is available. Raises RuntimeError with MLIR's\n"
        "diagnostics (name:line:col: error: ...) for bad text, a bad pipeline or a\n"
        "failed pass. Runs without the GIL.");
  m.def("count_macs", &countMacs, py::arg("mlir"), py::kw_only(), py::arg("name") = "<string>",
        "Multiply-accumulates of one inference of the module in `mlir` (MLIR text\n"
        "on tensors), counted as --lut-report counts them: contractions and the\n"
        "multiplying lut ops, not elementwise multiplies; dynamic dims count as 1.\n"
        "Raises RuntimeError with located diagnostics when the text does not parse.");
  m.def("compile", &compile, py::arg("model"), py::arg("output"), py::kw_only(),
        py::arg("emit") = "lib", py::arg("lut") = py::none(),
        py::arg("calibration") = std::vector<std::string>(), py::arg("opt_level") = 2,
        py::arg("target") = "", py::arg("cpu") = "", py::arg("shape_info") = "",
        py::arg("lut_report") = "", py::arg("lut_tables") = "f32",
        py::arg("progress") = py::none(),
        "Compiles `model` (an ONNX or .mlir file path) to `output`, as lutc does.\n\n"
        "emit: 'lib' (shared library, default), 'mlir', 'llvm', 'obj' or 'hls' (an HLS\n"
        "project folder at output; docs/HLS.md).\n"
        "lut: lutc's --lut spec, e.g. 'lsh:tables=48,bits=8' (None: dense).\n"
        "calibration: .npy/.pb files, one per graph input, or one .npz.\n"
        "opt_level: 0-3. target/cpu: LLVM triple and CPU (default: host, generic).\n"
        "shape_info: NAME:d0xd1... for dynamic input dims. lut_report: JSON path.\n"
        "lut_tables: element type of the compiled tables, 'f32', 'f16', 'bf16' or 'i8'\n"
        "(lutc --lut-tables).\n"
        "progress: None or a callable progress(stage, done, total) called as\n"
        "calibration batches run ('calibration'), FFN bodies run on their inputs\n"
        "('calibration targets') and FFNs are fitted ('fitting'); an exception it\n"
        "raises is raised again when the compilation returns.\n\n"
        "Returns the diagnostics and progress text (the LUT report table).\n"
        "Raises RuntimeError for a malformed model or a failed compilation and\n"
        "TypeError for a valid model that uses something unsupported, both\n"
        "with the compiler's diagnostics (file:line:col: error: ...).");
}
