//===- Calibration.cpp - calibration pairs from native runs ---------------===//
#include "lut/Compiler/Calibration.h"

#include "lut-c/Runtime.h"
#include "lut/Dialect/Lut/IR/LutOps.h"
#include "lut/Runtime/TensorIO.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <random>

using namespace mlir;
using namespace lut;

namespace {

/// RAII for a loaded model.
struct ModelHandle {
  LutModel *m = nullptr;
  ~ModelHandle() { lutModelFree(m); }
};

int64_t rowsOf(RankedTensorType t) {
  return t.getNumElements() / std::max<int64_t>(t.getShape().back(), 1);
}

/// Appends the f32 rows of `t` (last dim = cols) to `m`.
void appendRows(fit::Matrix &m, const LutTensor *t, int64_t cols, int64_t maxRows = -1) {
  int64_t rows = lutTensorGetNumElements(t) / cols;
  if (maxRows >= 0)
    rows = std::min(rows, maxRows);
  const float *p = static_cast<const float *>(lutTensorGetData(t));
  m.cols = cols;
  m.data.insert(m.data.end(), p, p + rows * cols);
  m.rows += rows;
}

/// The values of `v` when it is an f32 constant: a dense elements attribute,
/// or a dense_resource (the importer's form of large initializers).
std::optional<std::vector<float>> constantF32(Value v) {
  DenseElementsAttr dense;
  if (matchPattern(v, m_Constant(&dense))) {
    auto vals = dense.getValues<float>();
    return std::vector<float>(vals.begin(), vals.end());
  }
  DenseResourceElementsAttr resource;
  if (!matchPattern(v, m_Constant(&resource)))
    return std::nullopt;
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  int64_t n = resource.getType().getNumElements();
  if (!blob || blob->getData().size() != size_t(n) * sizeof(float))
    return std::nullopt;
  std::vector<float> out(n);
  std::memcpy(out.data(), blob->getData().data(), n * sizeof(float));
  return out;
}

/// The affine parameters (gamma, beta) of the normalization that computes
/// `x`: the [D]-shaped constants its last pointwise ops multiply by (gamma)
/// and add (beta). Empty vectors when not found.
void normAffine(Value x, int64_t d, std::vector<float> &gamma, std::vector<float> &beta) {
  Value v = x;
  for (int step = 0; step < 3; ++step) {
    auto g = v.getDefiningOp<linalg::GenericOp>();
    if (!g || g.getNumReductionLoops() != 0)
      return;
    Block &body = g.getRegion().front();
    Value next;
    for (OpOperand *in : g.getDpsInputOperands()) {
      Value val = in->get();
      auto t = dyn_cast<RankedTensorType>(val.getType());
      std::optional<std::vector<float>> vec;
      if (t && t.getRank() >= 1 && t.getShape().back() == d && t.getNumElements() == d &&
          t.getElementType().isF32())
        vec = constantF32(val);
      if (!vec) {
        if (!matchPattern(val, m_Constant()))
          next = val;
        continue;
      }
      BlockArgument arg = body.getArgument(in->getOperandNumber());
      bool added = false, multiplied = false;
      for (Operation *user : arg.getUsers()) {
        added |= isa<arith::AddFOp>(user);
        multiplied |= isa<arith::MulFOp>(user);
      }
      if (added && beta.empty())
        beta = std::move(*vec);
      else if (multiplied && gamma.empty())
        gamma = std::move(*vec);
    }
    if (!gamma.empty() || !next)
      return;
    v = next;
  }
}

/// A module computing only `mlp`'s body, as `<entry>(x) -> y`.
OwningOpRef<ModuleOp> bodyModule(MlpOp mlp, StringRef entryName) {
  OpBuilder b(mlp.getContext());
  Location loc = mlp.getLoc();
  OwningOpRef<ModuleOp> m = ModuleOp::create(loc);
  b.setInsertionPointToEnd(m->getBody());
  Block &body = mlp.getBody().front();
  auto fn = func::FuncOp::create(
      b, loc, entryName,
      b.getFunctionType(body.getArgumentTypes(), mlp.getResultTypes()));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToEnd(entry);
  IRMapping map;
  for (auto [a, f] : llvm::zip(body.getArguments(), entry->getArguments()))
    map.map(a, f);
  for (Operation &op : body.without_terminator())
    b.clone(op, map);
  SmallVector<Value> results;
  for (Value v : cast<YieldOp>(body.getTerminator()).getValues())
    results.push_back(map.lookup(v));
  func::ReturnOp::create(b, loc, results);
  return m;
}

bool load(StringRef path, ModelHandle &h, std::string &error) {
  h.m = lutModelLoad(path.str().c_str());
  if (!h.m)
    error = "cannot load '" + path.str() + "': " + lutGetLastError();
  return h.m != nullptr;
}

/// Runs a one-input, one-output model over the rows of `x` in calls of
/// `rowsPerCall` rows (the last one zero-padded), collecting `cols`-wide
/// output rows into `y`. A dynamic input (tokens known at run time) is run
/// with its first dynamic dim covering up to 4096 rows per call and any
/// other dynamic dims 1.
bool runRows(ModelHandle &h, const fit::Matrix &x, int64_t rowsPerCall, int64_t cols,
             fit::Matrix &y, std::string &error) {
  int64_t rank = lutModelGetInputRank(h.m, 0);
  std::vector<int64_t> callShape(lutModelGetInputShape(h.m, 0),
                                 lutModelGetInputShape(h.m, 0) + rank);
  if (lutModelIsDynamic(h.m)) {
    int64_t fixed = 1;
    for (int64_t d = 0; d + 1 < rank; ++d)
      fixed *= callShape[d] > 0 ? callShape[d] : 1;
    bool first = true;
    for (int64_t d = 0; d < rank; ++d)
      if (callShape[d] < 0) {
        callShape[d] = first ? std::max<int64_t>(1, 4096 / std::max<int64_t>(fixed, 1)) : 1;
        first = false;
      }
    rowsPerCall = 1;
    for (int64_t d = 0; d + 1 < rank; ++d)
      rowsPerCall *= callShape[d];
  }
  const int64_t *shape = callShape.data();
  y = fit::Matrix();
  std::vector<float> buf(rowsPerCall * x.cols);
  for (int64_t r0 = 0; r0 < x.rows; r0 += rowsPerCall) {
    int64_t n = std::min(rowsPerCall, x.rows - r0);
    std::fill(buf.begin(), buf.end(), 0.0f);
    std::memcpy(buf.data(), x.row(r0), n * x.cols * sizeof(float));
    LutTensor *in = lutTensorCreate(buf.data(), shape, rank, LUT_DTYPE_FLOAT, 0);
    LutTensor *out = nullptr;
    LutStatus st = lutModelRun(h.m, &in, 1, &out, 1);
    lutTensorDestroy(in);
    if (st != LUT_OK) {
      error = std::string("running an FFN body failed: ") + lutGetLastError();
      return false;
    }
    appendRows(y, out, cols, n);
    lutTensorDestroy(out);
  }
  return true;
}

bool dumpMatrix(const std::string &path, const fit::Matrix &m, std::string &error) {
  int64_t shape[2] = {m.rows, m.cols};
  LutTensor *t = lutTensorCreate(const_cast<float *>(m.data.data()), shape, 2, LUT_DTYPE_FLOAT, 0);
  bool ok = lut::runtime::writeNpy(path, t, error);
  lutTensorDestroy(t);
  return ok;
}

} // namespace

bool lut::collectCalibration(ModuleOp module, const CalibrationOptions &opts,
                             std::map<std::string, CalibrationSet> &sets,
                             llvm::raw_ostream &log, std::string &error) {
  const std::string &entry = opts.codegen.entry;
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func) {
    error = "no function '" + entry + "'";
    return false;
  }
  auto wanted = [&](MlpOp m) {
    return opts.only.empty() || llvm::is_contained(opts.only, m.getName().str());
  };
  SmallVector<MlpOp> mlps;
  func.walk([&](MlpOp m) {
    if (wanted(m))
      mlps.push_back(m);
  });
  if (mlps.empty())
    return true;
  SmallString<128> dir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("lutc-calibration", dir)) {
    error = "cannot create a temporary directory: " + ec.message();
    return false;
  }
  struct Cleanup {
    SmallString<128> d;
    ~Cleanup() { llvm::sys::fs::remove_directories(d); }
  } cleanup{dir};
  auto tmp = [&](StringRef name) {
    SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    return p.str().str();
  };
  bool dataFree = opts.files.empty();
  std::map<std::string, fit::Matrix> xs;

  if (!dataFree) {
    // 1. Taps: the model with every lut.mlp input as an extra output.
    OwningOpRef<ModuleOp> taps = module.clone();
    auto tf = taps->lookupSymbol<func::FuncOp>(entry);
    SmallVector<MlpOp> tm;
    tf.walk([&](MlpOp m) {
      if (wanted(m))
        tm.push_back(m);
    });
    auto ret = cast<func::ReturnOp>(tf.getBody().front().getTerminator());
    SmallVector<Value> outs(ret.getOperands());
    size_t nOrig = outs.size();
    for (MlpOp m : tm)
      outs.push_back(m.getInputs()[0]);
    ret->setOperands(outs);
    SmallVector<Type> types;
    for (Value v : outs)
      types.push_back(v.getType());
    SmallVector<DictionaryAttr> resAttrs;
    for (size_t k = 0; k < nOrig; ++k)
      resAttrs.push_back(tf.getResultAttrDict(k));
    MLIRContext *ctx = module.getContext();
    for (MlpOp m : tm)
      resAttrs.push_back(DictionaryAttr::get(
          ctx, {NamedAttribute(StringAttr::get(ctx, "lut.name"),
                               StringAttr::get(ctx, "tap:" + m.getName())),
                NamedAttribute(StringAttr::get(ctx, "lut.dtype"), StringAttr::get(ctx, "float"))}));
    tf.setFunctionType(FunctionType::get(ctx, tf.getArgumentTypes(), types));
    tf.setAllResultAttrs(resAttrs);
    // Compilation lowers `taps` in place: keep what the runs need.
    std::vector<std::pair<std::string, int64_t>> tapInfo;
    for (MlpOp m : tm)
      tapInfo.push_back({m.getName().str(),
                         cast<RankedTensorType>(m.getInputs()[0].getType()).getShape().back()});
    log << "calibration: compiling the dense model with " << tm.size() << " taps\n";
    if (!compileToSharedLibrary(*taps, opts.codegen, tmp("taps.so"), error))
      return false;
    ModelHandle h;
    if (!load(tmp("taps.so"), h, error))
      return false;
    size_t nIn = lutModelGetNumInputs(h.m);
    // The files, one per input; or one .npz whose members are the inputs
    // (by graph-input name when all names are present, else in order).
    std::vector<lut::runtime::TensorPtr> loaded;
    std::vector<std::string> labels;
    if (opts.files.size() == 1 && StringRef(opts.files[0]).ends_with(".npz")) {
      std::vector<std::pair<std::string, lut::runtime::TensorPtr>> members;
      if (!lut::runtime::readNpz(opts.files[0], members, error))
        return false;
      bool byName = true;
      for (size_t i = 0; i < nIn; ++i)
        byName &= llvm::any_of(members, [&](auto &m) { return m.first == lutModelGetInputName(h.m, i); });
      if (!byName && members.size() != nIn) {
        error = "'" + opts.files[0] + "' has " + std::to_string(members.size()) +
                " arrays but the model has " + std::to_string(nIn) +
                " inputs (name the arrays after the graph inputs, or give one per input in order)";
        return false;
      }
      for (size_t i = 0; i < nIn; ++i) {
        size_t k = i;
        if (byName)
          for (size_t j = 0; j < members.size(); ++j)
            if (members[j].first == lutModelGetInputName(h.m, i))
              k = j;
        labels.push_back(opts.files[0] + ":" + members[k].first);
        loaded.push_back(std::move(members[k].second));
      }
    } else {
      if (opts.files.size() != nIn) {
        error = "the model has " + std::to_string(nIn) + " inputs but " +
                std::to_string(opts.files.size()) + " calibration files were given";
        return false;
      }
      for (const std::string &f : opts.files) {
        auto t = lut::runtime::readTensorFile(f, nullptr, error);
        if (!t)
          return false;
        labels.push_back(f);
        loaded.push_back(std::move(t));
      }
    }
    std::vector<lut::runtime::TensorPtr> data;
    std::vector<std::vector<int64_t>> runShapes;
    int64_t samples = -1, batch = 0;
    for (size_t i = 0; i < nIn; ++i) {
      const std::string &f = labels[i];
      lut::runtime::TensorPtr t = std::move(loaded[i]);
      LutDType want = lutModelGetInputDType(h.m, i);
      int64_t rank = lutModelGetInputRank(h.m, i);
      const int64_t *shape = lutModelGetInputShape(h.m, i);
      const int64_t *have = lutTensorGetShape(t.get());
      if (lutTensorGetDType(t.get()) != want) {
        error = "calibration file '" + f + "' holds " + lutDTypeName(lutTensorGetDType(t.get())) +
                " but input " + std::to_string(i) + " ('" + lutModelGetInputName(h.m, i) +
                "') is " + lutDTypeName(want);
        return false;
      }
      // Dynamic dims other than the samples' take the data's sizes.
      bool ok = rank >= 1 && lutTensorGetRank(t.get()) == rank;
      for (int64_t d = 1; ok && d < rank; ++d)
        ok = shape[d] < 0 ? have[d] >= 1 : have[d] == shape[d];
      if (!ok) {
        std::vector<int64_t> hv(have, have + lutTensorGetRank(t.get()));
        std::vector<int64_t> want(shape, shape + rank);
        if (!want.empty())
          want[0] = -1;
        error = "calibration file '" + f + "' has shape " + lut::runtime::shapeToString(hv) +
                "; input " + std::to_string(i) + " ('" + lutModelGetInputName(h.m, i) +
                "') needs " + lut::runtime::shapeToString(want) +
                " where -1 is any number of samples (split into batches of " +
                std::to_string(rank ? shape[0] : 0) + ")";
        return false;
      }
      if (samples >= 0 && have[0] != samples) {
        error = "calibration files disagree on the number of samples (" + std::to_string(samples) +
                " vs " + std::to_string(have[0]) + " in '" + f + "')";
        return false;
      }
      samples = have[0];
      batch = shape[0];
      runShapes.push_back(std::vector<int64_t>(have, have + rank));
      data.push_back(std::move(t));
    }
    if (opts.limit > 0)
      samples = std::min(samples, opts.limit);
    // A dynamic batch: runs of up to 256 samples, the last one smaller, so
    // that every sample is used (the data fixes the other dynamic dims).
    bool dynamicBatch = batch < 0;
    if (dynamicBatch)
      batch = std::min<int64_t>(samples, 256);
    for (auto &rs : runShapes)
      rs[0] = batch;
    int64_t batches = batch ? (dynamicBatch ? (samples + batch - 1) / batch : samples / batch) : 0;
    if (batches == 0) {
      error = "calibration data has " + std::to_string(samples) +
              " samples, fewer than one batch of " + std::to_string(batch);
      return false;
    }
    int64_t used = std::min(batches * batch, samples);
    log << "calibration: running " << batches << " batches of " << (dynamicBatch ? "up to " : "")
        << batch << " (" << used << " samples";
    if (used < samples)
      log << "; " << samples - used << " left over";
    log << ")\n";
    size_t nOut = lutModelGetNumOutputs(h.m);
    for (int64_t b = 0; b < batches; ++b) {
      std::vector<LutTensor *> ins, res(nOut, nullptr);
      for (size_t i = 0; i < nIn; ++i) {
        size_t bytes = lutTensorGetSizeInBytes(data[i].get()) /
                       lutTensorGetShape(data[i].get())[0] * batch;
        char *p = static_cast<char *>(lutTensorGetData(data[i].get())) + b * bytes;
        if (dynamicBatch)
          runShapes[i][0] = std::min(batch, samples - b * batch);
        ins.push_back(lutTensorCreate(p, runShapes[i].data(), lutModelGetInputRank(h.m, i),
                                      lutModelGetInputDType(h.m, i), 0));
      }
      LutStatus st = lutModelRun(h.m, ins.data(), nIn, res.data(), nOut);
      for (LutTensor *t : ins)
        lutTensorDestroy(t);
      if (st != LUT_OK) {
        error = std::string("running the dense model failed: ") + lutGetLastError();
        return false;
      }
      for (size_t k = 0; k < tapInfo.size(); ++k)
        appendRows(xs[tapInfo[k].first], res[nOrig + k], tapInfo[k].second);
      for (LutTensor *t : res)
        lutTensorDestroy(t);
      if (opts.progress)
        opts.progress("calibration", b + 1, batches);
    }
  } else {
    log << "calibration: no data given; fitting on data-free samples drawn from the "
           "preceding normalization's affine parameters\n";
    std::mt19937_64 rng(opts.seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    for (MlpOp m : mlps) {
      auto type = cast<RankedTensorType>(m.getInputs()[0].getType());
      int64_t d = type.getShape().back();
      std::vector<float> gamma, beta;
      normAffine(m.getInputs()[0], d, gamma, beta);
      fit::Matrix x(opts.dataFreeRows, d);
      for (int64_t i = 0; i < x.rows; ++i)
        for (int64_t j = 0; j < d; ++j)
          x.row(i)[j] = g(rng) * (gamma.empty() ? 1.0f : gamma[j]) + (beta.empty() ? 0.0f : beta[j]);
      log << "calibration: '" << m.getName() << "': " << x.rows << " samples from "
          << (gamma.empty() && beta.empty() ? "N(0, 1) (no normalization parameters found)"
                                            : "N(beta, gamma^2) of the preceding normalization")
          << "\n";
      xs[m.getName().str()] = std::move(x);
    }
  }

  // 2. Targets: each FFN body, compiled alone, on its inputs.
  int64_t targetsDone = 0;
  for (MlpOp m : mlps) {
    std::string name = m.getName().str();
    fit::Matrix &x = xs[name];
    auto inType = cast<RankedTensorType>(m.getInputs()[0].getType());
    auto outType = cast<RankedTensorType>(m.getResult(0).getType());
    OwningOpRef<ModuleOp> bm = bodyModule(m, entry);
    std::string so = tmp("ffn" + std::to_string(sets.size()) + ".so");
    if (!compileToSharedLibrary(*bm, opts.codegen, so, error))
      return false;
    ModelHandle h;
    if (!load(so, h, error))
      return false;
    CalibrationSet cs;
    if (!runRows(h, x, inType.hasStaticShape() ? rowsOf(inType) : 0, outType.getShape().back(),
                 cs.y, error))
      return false;
    cs.x = std::move(x);
    cs.dataFree = dataFree;
    log << "calibration: '" << name << "': " << cs.x.rows << " rows\n";
    if (opts.progress)
      opts.progress("calibration targets", ++targetsDone, static_cast<int64_t>(mlps.size()));
    if (!opts.dumpDir.empty()) {
      llvm::sys::fs::create_directories(opts.dumpDir);
      SmallString<256> px(opts.dumpDir), py(opts.dumpDir);
      llvm::sys::path::append(px, name + ".x.npy");
      llvm::sys::path::append(py, name + ".y.npy");
      if (!dumpMatrix(px.str().str(), cs.x, error) || !dumpMatrix(py.str().str(), cs.y, error))
        return false;
    }
    sets[name] = std::move(cs);
  }
  return true;
}
