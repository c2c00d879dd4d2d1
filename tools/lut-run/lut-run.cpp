//===- lut-run.cpp - Run a compiled lut-mlir model on tensor files --------===//
//
//   lut-run MODEL.so [--input FILE]... [--output-dir DIR] [--bench N]
//
// Loads a model compiled by lutc, reads its inputs from .npy or ONNX
// TensorProto .pb files, runs it with full checking, and writes every output
// as output_<i>.npy (and output_<i>.pb when the inputs were .pb). Without
// --output-dir the outputs are also printed. See docs/Runtime.md.
//
//===----------------------------------------------------------------------===//

#include "lut-c/Runtime.h"
#include "lut/Runtime/TensorIO.h"
#include "lut/Support/DTypes.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

using namespace lut::runtime;

namespace {

constexpr const char *kUsage =
    R"(USAGE: lut-run MODEL.so [--input FILE]... [--output-dir DIR] [--bench N]
               [--check-concurrent T]

Runs a model compiled by lutc (a shared library with the lut-mlir model ABI)
on tensors read from files, and writes or prints its outputs.

OPTIONS:
  --input FILE, -i FILE   One graph input, in graph-input order (repeat once per
                          input). The format follows the extension: .npy
                          (NumPy, C order, little endian) or .pb (a serialized
                          ONNX TensorProto, as in ONNX test data). The dtype
                          and shape must match the model's signature exactly,
                          except dynamic dims (`?` in the signature), which
                          take any size >= 1 (dims with the same name equal).
  --output-dir DIR, -o DIR
                          Write outputs into DIR (created if missing) and do
                          not print them. Default: the current directory, and
                          the outputs are also printed to stdout.
  --bench N               After one warm-up run, time N more runs and print
                          "median <x> ms, min <y> ms over N runs".
  --check-concurrent T    Also run the model on T threads at once (20 runs
                          each, into each thread's own outputs) and check that
                          every run gives exactly the outputs of the first
                          run: compiled models are reentrant. Prints
                          "concurrent: T threads x 20 runs, outputs identical"
                          or fails with the first mismatch.
  --signature             Print the model's signature and exit.
  --help, -h              Show this help and exit.

Every output i is written as output_<i>.npy, and also as output_<i>.pb (a
TensorProto named after the graph output) when all inputs were .pb files.

On any error (missing or malformed file, wrong input count, dtype or shape
mismatch, model failure) lut-run prints "lut-run: error: ..." to stderr and
exits with status 1.

EXAMPLE:
  lut-run model.so --input test_data_set_0/input_0.pb --output-dir out
)";

[[noreturn]] void fatal(const std::string &message) {
  std::fprintf(stderr, "lut-run: error: %s\n", message.c_str());
  std::exit(1);
}

void warn(const std::string &message) {
  std::fprintf(stderr, "lut-run: warning: %s\n", message.c_str());
}

struct Options {
  std::string model;
  std::vector<std::string> inputs;
  std::string outputDir;
  bool haveOutputDir = false;
  long bench = 0;
  long concurrent = 0;
  bool printSignature = false;
};

/// Parses a positive decimal count, at most `max`, for option `opt`.
long parseCount(const std::string &text, const char *opt = "--bench",
                long max = 100000000) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    fatal(std::string(opt) + " expects a positive integer, got '" + text + "'");
  errno = 0;
  long v = std::strtol(text.c_str(), nullptr, 10);
  if (errno == ERANGE || v <= 0 || v > max)
    fatal(std::string(opt) + " expects a positive integer up to " +
          std::to_string(max) + ", got '" + text + "'");
  return v;
}

/// Runs `model` on `threads` threads at once, 20 times each, and fails
/// unless every run's outputs equal `expected` byte for byte.
void checkConcurrent(LutModel *model, const std::vector<LutTensor *> &inputs,
                     const std::vector<TensorPtr> &expected, long threads) {
  constexpr int kRuns = 20;
  size_t numOutputs = expected.size();
  std::vector<std::string> errors(threads);
  std::vector<std::thread> pool;
  for (long t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      std::vector<TensorPtr> outs;
      std::vector<LutTensor *> ptrs;
      for (size_t i = 0; i < numOutputs; ++i) {
        // The first run's shapes (a dynamic model's depend on the inputs).
        outs.emplace_back(lutTensorCreateEmpty(lutTensorGetShape(expected[i].get()),
                                               lutTensorGetRank(expected[i].get()),
                                               lutModelGetOutputDType(model, i)));
        if (!outs.back()) {
          errors[t] = lutGetLastError();
          return;
        }
        ptrs.push_back(outs.back().get());
      }
      for (int r = 0; r < kRuns; ++r) {
        if (lutModelRunWithOutputs(model, inputs.data(), inputs.size(),
                                   ptrs.data(), numOutputs) != LUT_OK) {
          errors[t] = "run " + std::to_string(r) + ": " + lutGetLastError();
          return;
        }
        for (size_t i = 0; i < numOutputs; ++i)
          if (std::memcmp(lutTensorGetData(ptrs[i]), lutTensorGetData(expected[i].get()),
                          lutTensorGetSizeInBytes(ptrs[i])) != 0) {
            errors[t] = "run " + std::to_string(r) + ": output " + std::to_string(i) +
                        " differs from the single-threaded run";
            return;
          }
      }
    });
  for (std::thread &th : pool)
    th.join();
  for (long t = 0; t < threads; ++t)
    if (!errors[t].empty())
      fatal("--check-concurrent: thread " + std::to_string(t) + ", " + errors[t]);
  std::printf("concurrent: %ld threads x %d runs, outputs identical\n", threads, kRuns);
}

Options parseArgs(int argc, char **argv) {
  Options opts;
  bool haveModel = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    // Accepts "--opt VALUE" and "--opt=VALUE".
    auto value = [&](const char *longName, const char *shortName,
                     std::string &out) -> bool {
      std::string l = longName;
      if (arg == l || (shortName && arg == shortName)) {
        if (i + 1 >= argc)
          fatal("option '" + arg + "' needs a value (see --help)");
        out = argv[++i];
        return true;
      }
      if (arg.rfind(l + "=", 0) == 0) {
        out = arg.substr(l.size() + 1);
        return true;
      }
      return false;
    };
    std::string v;
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--signature") {
      opts.printSignature = true;
    } else if (value("--input", "-i", v)) {
      opts.inputs.push_back(v);
    } else if (value("--output-dir", "-o", v)) {
      if (v.empty())
        fatal("--output-dir needs a non-empty directory");
      opts.outputDir = v;
      opts.haveOutputDir = true;
    } else if (value("--bench", nullptr, v)) {
      opts.bench = parseCount(v);
    } else if (value("--check-concurrent", nullptr, v)) {
      opts.concurrent = parseCount(v, "--check-concurrent", 256);
    } else if (arg == "--") {
      for (++i; i < argc; ++i) {
        if (haveModel)
          fatal(std::string("unexpected argument '") + argv[i] +
                "' (give inputs with --input)");
        opts.model = argv[i];
        haveModel = true;
      }
    } else if (arg.size() > 1 && arg[0] == '-') {
      fatal("unknown option '" + arg + "' (see --help)");
    } else if (!haveModel) {
      opts.model = arg;
      haveModel = true;
    } else {
      fatal("unexpected argument '" + arg +
            "' (give inputs with --input FILE; see --help)");
    }
  }
  if (!haveModel)
    fatal("no model given (usage: lut-run MODEL.so [--input FILE]... "
          "[--output-dir DIR] [--bench N]; see --help)");
  return opts;
}

std::string describeValue(const char *kind, size_t i, const char *name) {
  return std::string(kind) + " " + std::to_string(i) + " ('" + name + "')";
}

std::string signatureOf(const LutModel *model, bool output, size_t i) {
  LutDType dtype = output ? lutModelGetOutputDType(model, i)
                          : lutModelGetInputDType(model, i);
  int64_t rank =
      output ? lutModelGetOutputRank(model, i) : lutModelGetInputRank(model, i);
  const int64_t *shape = output ? lutModelGetOutputShape(model, i)
                                : lutModelGetInputShape(model, i);
  // Dynamic dims as in the signature: `?` and the dim's name.
  std::string dims = "[";
  for (int64_t d = 0; d < rank; ++d) {
    if (d)
      dims += ",";
    dims += shape[d] >= 0 ? std::to_string(shape[d])
                          : std::string("?") +
                                (output ? lutModelGetOutputDimName(model, i, d)
                                        : lutModelGetInputDimName(model, i, d));
  }
  return std::string(lutDTypeName(dtype)) + " " + dims + "]";
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

/// Formats one element exactly for integers and bool, with %g for floats.
std::string formatElement(const LutTensor *t, int64_t index) {
  LutDType d = lutTensorGetDType(t);
  const char *data = static_cast<const char *>(lutTensorGetData(t));
  char buf[64];
  if (d == LUT_DTYPE_BOOL)
    return data[index] ? "true" : "false";
  if (d == LUT_DTYPE_INT64) {
    int64_t v;
    std::memcpy(&v, data + index * 8, 8);
    std::snprintf(buf, sizeof(buf), "%" PRId64, v);
  } else if (d == LUT_DTYPE_UINT64) {
    uint64_t v;
    std::memcpy(&v, data + index * 8, 8);
    std::snprintf(buf, sizeof(buf), "%" PRIu64, v);
  } else if (lut::isFloatDType(d)) {
    std::snprintf(buf, sizeof(buf), "%.6g", elementAsDouble(t, index));
  } else {
    std::snprintf(buf, sizeof(buf), "%.0f", elementAsDouble(t, index));
  }
  return buf;
}

/// Prints all elements with NumPy-like nesting, e.g. [[1, 2], [3, 4]].
void printNested(const LutTensor *t, const std::vector<int64_t> &shape,
                 size_t dim, int64_t &index, std::string &out) {
  if (dim == shape.size()) {
    out += formatElement(t, index++);
    return;
  }
  out += '[';
  for (int64_t i = 0; i < shape[dim]; ++i) {
    if (i) {
      out += ',';
      if (dim + 1 < shape.size()) {
        out += '\n';
        out += std::string(4 + dim + 1, ' ');
      } else {
        out += ' ';
      }
    }
    printNested(t, shape, dim + 1, index, out);
  }
  out += ']';
}

void printTensor(size_t i, const char *name, const LutTensor *t) {
  std::vector<int64_t> shape = tensorShape(t);
  int64_t n = lutTensorGetNumElements(t);
  std::printf("output %zu '%s': %s %s\n", i, name,
              lutDTypeName(lutTensorGetDType(t)), shapeToString(shape).c_str());
  constexpr int64_t kPrintAll = 64, kPrintFirst = 8;
  if (n <= kPrintAll) {
    std::string s;
    int64_t index = 0;
    printNested(t, shape, 0, index, s);
    std::printf("    %s\n", s.c_str());
    return;
  }
  std::string first;
  for (int64_t k = 0; k < kPrintFirst; ++k)
    first += (k ? ", " : "") + formatElement(t, k);
  std::printf("    first %" PRId64 ": [%s, ...]\n", kPrintFirst, first.c_str());
  double mn = INFINITY, mx = -INFINITY, sum = 0;
  int64_t nans = 0, finite = 0;
  for (int64_t k = 0; k < n; ++k) {
    double v = elementAsDouble(t, k);
    if (std::isnan(v)) {
      ++nans;
      continue;
    }
    mn = std::min(mn, v);
    mx = std::max(mx, v);
    sum += v;
    ++finite;
  }
  std::printf("    %" PRId64 " elements: min %.6g, max %.6g, mean %.6g", n, mn,
              mx, finite ? sum / static_cast<double>(finite) : NAN);
  if (nans)
    std::printf(", %" PRId64 " NaN", nans);
  std::printf("\n");
}

/// Milliseconds with at least three significant digits and no exponent, so
/// that sub-microsecond runs do not print as 0.000.
std::string formatMs(double ms) {
  int decimals = 3;
  if (ms > 0 && ms < 1)
    decimals = std::min(9, 2 - static_cast<int>(std::floor(std::log10(ms))));
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, ms);
  return buf;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

} // namespace

int main(int argc, char **argv) {
  Options opts = parseArgs(argc, argv);

  // Give a clear message for a missing file before dlopen's terse one.
  std::error_code ec;
  if (!std::filesystem::exists(opts.model, ec))
    fatal("model '" + opts.model + "' does not exist");
  LutModel *model = lutModelLoad(opts.model.c_str());
  if (!model)
    fatal(lutGetLastError());

  const size_t numInputs = lutModelGetNumInputs(model);
  const size_t numOutputs = lutModelGetNumOutputs(model);

  if (opts.printSignature) {
    std::fputs(lutModelGetSignature(model), stdout);
    lutModelFree(model);
    return 0;
  }

  if (opts.inputs.size() != numInputs) {
    std::string expected;
    for (size_t i = 0; i < numInputs; ++i)
      expected += "\n  " +
                  describeValue("input", i, lutModelGetInputName(model, i)) +
                  ": " + signatureOf(model, false, i);
    fatal("the model has " + std::to_string(numInputs) + " input" +
          (numInputs == 1 ? "" : "s") + " but " +
          std::to_string(opts.inputs.size()) + " --input file" +
          (opts.inputs.size() == 1 ? " was" : "s were") + " given" +
          (numInputs ? ":" + expected : ""));
  }

  // Read the inputs.
  std::vector<TensorPtr> inputs;
  bool allPb = numInputs > 0;
  for (size_t i = 0; i < numInputs; ++i) {
    const std::string &path = opts.inputs[i];
    const char *expectedName = lutModelGetInputName(model, i);
    std::string error, storedName;
    TensorPtr t = readTensorFile(path, &storedName, error);
    if (!t)
      fatal(describeValue("input", i, expectedName) + ": " + error);
    if (tensorFileFormatFromPath(path) != TensorFileFormat::TensorProto)
      allPb = false;
    else if (!storedName.empty() && *expectedName && storedName != expectedName)
      warn(path + " holds tensor '" + storedName + "' but the model's " +
           describeValue("input", i, expectedName) +
           " has another name; check the order of --input");
    inputs.push_back(std::move(t));
  }
  std::vector<LutTensor *> inputPtrs;
  for (TensorPtr &t : inputs)
    inputPtrs.push_back(t.get());

  // Run once; its outputs are the results.
  std::vector<LutTensor *> rawOutputs(numOutputs, nullptr);
  if (lutModelRun(model, inputPtrs.data(), numInputs, rawOutputs.data(),
                  numOutputs) != LUT_OK)
    fatal(lutGetLastError());
  std::vector<TensorPtr> outputs;
  for (LutTensor *t : rawOutputs)
    outputs.emplace_back(t);

  // Benchmark: the run above is the warm-up; time N more into scratch
  // outputs so that allocation is not measured.
  if (opts.bench > 0) {
    std::vector<TensorPtr> scratch;
    std::vector<LutTensor *> scratchPtrs;
    for (size_t i = 0; i < numOutputs; ++i) {
      scratch.emplace_back(lutTensorCreateEmpty(
          lutTensorGetShape(outputs[i].get()), lutTensorGetRank(outputs[i].get()),
          lutModelGetOutputDType(model, i)));
      if (!scratch.back())
        fatal(lutGetLastError());
      scratchPtrs.push_back(scratch.back().get());
    }
    std::vector<double> ms;
    ms.reserve(static_cast<size_t>(opts.bench));
    for (long r = 0; r < opts.bench; ++r) {
      auto start = std::chrono::steady_clock::now();
      LutStatus s = lutModelRunWithOutputs(model, inputPtrs.data(), numInputs,
                                           scratchPtrs.data(), numOutputs);
      auto end = std::chrono::steady_clock::now();
      if (s != LUT_OK)
        fatal("benchmark run " + std::to_string(r) + ": " + lutGetLastError());
      ms.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
    }
    std::printf(
        "median %s ms, min %s ms over %ld runs\n", formatMs(median(ms)).c_str(),
        formatMs(*std::min_element(ms.begin(), ms.end())).c_str(), opts.bench);
  }

  if (opts.concurrent > 0)
    checkConcurrent(model, inputPtrs, outputs, opts.concurrent);

  // Write (and print) the outputs.
  std::string dir = opts.haveOutputDir ? opts.outputDir : ".";
  if (opts.haveOutputDir) {
    std::filesystem::create_directories(dir, ec);
    if (ec)
      fatal("cannot create output directory '" + dir + "': " + ec.message());
  }
  for (size_t i = 0; i < numOutputs; ++i) {
    const char *name = lutModelGetOutputName(model, i);
    std::string base = dir + "/output_" + std::to_string(i);
    std::string error;
    if (!writeNpy(base + ".npy", outputs[i].get(), error))
      fatal(error);
    if (allPb && !writeTensorProto(base + ".pb", outputs[i].get(), name, error))
      fatal(error);
    if (!opts.haveOutputDir)
      printTensor(i, name, outputs[i].get());
  }

  outputs.clear();
  inputs.clear();
  lutModelFree(model);
  return 0;
}
