//===- Model.cpp - Model loading, introspection and checked execution -----===//
//
// Implements the model part of include/lut-c/Runtime.h: loading a model
// library with dlopen (or wrapping an entry point and signature), querying
// its inputs and outputs, and running it after checking every tensor against
// the signature.
//
//===----------------------------------------------------------------------===//

#include "RuntimeImpl.h"

#include <dlfcn.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

using namespace lut::runtime::impl;

LutModel::~LutModel() {
  if (handle)
    dlclose(handle);
}

namespace {

//===----------------------------------------------------------------------===//
// Argument checking
//===----------------------------------------------------------------------===//

/// A signature shape for messages: `[?batch,1,28,28]`.
std::string signatureShape(const ValueInfo &info) {
  std::string r = "[";
  for (size_t d = 0; d < info.shape.size(); ++d) {
    if (d)
      r += ",";
    r += info.shape[d] < 0 ? "?" + info.dimNames[d] : std::to_string(info.shape[d]);
  }
  return r + "]";
}

std::string describe(const char *kind, size_t index, const ValueInfo &info) {
  return std::string(kind) + " " + std::to_string(index) + " ('" + info.name +
         "')";
}

/// Checks `count` tensors against `infos`.
LutStatus checkTensors(const char *kind, LutTensor *const *tensors,
                       size_t count, const std::vector<ValueInfo> &infos) {
  if (count != infos.size())
    return fail(LUT_ERROR_MISMATCH, "model expects " +
                                        std::to_string(infos.size()) + " " +
                                        kind + (infos.size() == 1 ? "" : "s") +
                                        ", got " + std::to_string(count));
  if (count > 0 && !tensors)
    return fail(LUT_ERROR_INVALID_ARGUMENT,
                std::string(kind) + " array is NULL");
  for (size_t i = 0; i < count; ++i) {
    const ValueInfo &info = infos[i];
    const LutTensor *t = tensors[i];
    if (!t)
      return fail(LUT_ERROR_MISMATCH, describe(kind, i, info) + " is NULL");
    if (t->dtype != info.dtype)
      return fail(LUT_ERROR_MISMATCH, describe(kind, i, info) +
                                          ": expected dtype " +
                                          dtypeToString(info.dtype) + ", got " +
                                          dtypeToString(t->dtype));
    bool match = t->shape.size() == info.shape.size();
    for (size_t d = 0; match && d < t->shape.size(); ++d)
      match = info.shape[d] < 0 || t->shape[d] == info.shape[d];
    if (!match)
      return fail(LUT_ERROR_MISMATCH,
                  describe(kind, i, info) + ": expected shape " +
                      signatureShape(info) + ", got " +
                      shapeToString(t->shape.data(), t->shape.size()));

  }
  return LUT_OK;
}

/// Checks that dynamic input dims with the same name agree.
LutStatus checkNamedDims(const LutModel *model, LutTensor *const *inputs) {
  std::vector<std::pair<std::string, std::pair<size_t, size_t>>> seen;
  for (size_t i = 0; i < model->inputs.size(); ++i) {
    const ValueInfo &info = model->inputs[i];
    for (size_t d = 0; d < info.dimNames.size(); ++d) {
      const std::string &nm = info.dimNames[d];
      if (nm.empty())
        continue;
      for (const auto &s : seen) {
        if (s.first != nm)
          continue;
        int64_t a = inputs[s.second.first]->shape[s.second.second];
        int64_t b = inputs[i]->shape[d];
        if (a != b)
          return fail(LUT_ERROR_MISMATCH,
                      describe("input", i, info) + ": dimension " + std::to_string(d) +
                          " ('" + nm + "') is " + std::to_string(b) + " but " +
                          describe("input", s.second.first,
                                   model->inputs[s.second.first]) +
                          " has '" + nm + "' = " + std::to_string(a));
      }
      seen.push_back({nm, {i, d}});
    }
  }
  return LUT_OK;
}

/// The output shapes of a dynamic model for these (checked) inputs, from
/// its lut_model_output_shapes, checked against the signature.
LutStatus dynamicOutputShapes(LutModel *model, LutTensor *const *inputs,
                              std::vector<std::vector<int64_t>> &shapes) {
  size_t nIn = model->inputs.size(), nOut = model->outputs.size();
  std::vector<void *> in(nIn);
  std::vector<const int64_t *> inShapes(nIn);
  for (size_t i = 0; i < nIn; ++i) {
    in[i] = inputs[i]->data;
    inShapes[i] = inputs[i]->shape.data();
  }
  shapes.assign(nOut, {});
  std::vector<int64_t *> outShapes(nOut);
  for (size_t i = 0; i < nOut; ++i) {
    shapes[i].assign(model->outputs[i].shape.size(), -1);
    outShapes[i] = shapes[i].data();
  }
  int32_t rc = model->outputShapes(in.data(), inShapes.data(), outShapes.data());
  if (rc != 0)
    return fail(LUT_ERROR_MODEL_FAILED,
                "the model's lut_model_output_shapes returned error code " +
                    std::to_string(rc));
  for (size_t i = 0; i < nOut; ++i) {
    const ValueInfo &info = model->outputs[i];
    for (size_t d = 0; d < shapes[i].size(); ++d)
      if (shapes[i][d] < 0 || (info.shape[d] >= 0 && shapes[i][d] != info.shape[d]))
        return fail(LUT_ERROR_MODEL_FAILED,
                    describe("output", i, info) + ": the model computed shape " +
                        shapeToString(shapes[i].data(), shapes[i].size()) +
                        ", which does not fit its signature " + signatureShape(info) +
                        " (the inputs are inconsistent with the model)");
  }
  return LUT_OK;
}

bool overlaps(const LutTensor *a, const LutTensor *b) {
  if (a->sizeInBytes == 0 || b->sizeInBytes == 0)
    return false;
  auto a0 = reinterpret_cast<uintptr_t>(a->data);
  auto b0 = reinterpret_cast<uintptr_t>(b->data);
  return a0 < b0 + b->sizeInBytes && b0 < a0 + a->sizeInBytes;
}

LutStatus invoke(LutModel *model, LutTensor *const *inputs, size_t numInputs,
                 LutTensor *const *outputs, size_t numOutputs) {
  std::vector<void *> in(numInputs), out(numOutputs);
  std::vector<const int64_t *> inShapes(numInputs), outShapes(numOutputs);
  for (size_t i = 0; i < numInputs; ++i) {
    in[i] = inputs[i]->data;
    inShapes[i] = inputs[i]->shape.data();
  }
  for (size_t i = 0; i < numOutputs; ++i) {
    out[i] = outputs[i]->data;
    outShapes[i] = outputs[i]->shape.data();
  }
  int32_t rc = model->dynamic
                   ? model->runDynamic(in.data(), inShapes.data(), out.data(), outShapes.data())
                   : model->run(in.data(), out.data());
  if (rc != 0)
    return fail(LUT_ERROR_MODEL_FAILED,
                "the model's lut_model_run returned error code " +
                    std::to_string(rc));
  return LUT_OK;
}

/// The record of input or output `index`, or nullptr (error set).
const ValueInfo *lookup(const LutModel *model, bool output, size_t index) {
  if (!model) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "model is NULL");
    return nullptr;
  }
  const auto &infos = output ? model->outputs : model->inputs;
  if (index >= infos.size()) {
    fail(LUT_ERROR_INVALID_ARGUMENT, std::string(output ? "output" : "input") +
                                         " index " + std::to_string(index) +
                                         " is out of range (the model has " +
                                         std::to_string(infos.size()) + ")");
    return nullptr;
  }
  return &infos[index];
}

/// Stores the entry point and signature in `model` and parses the signature.
/// Returns false (with the error set) if the signature is bad.
bool finishModel(LutModel &model, const char *signature) {
  model.signature = signature;
  TargetInfo target;
  if (parseSignature(signature, model.inputs, model.outputs, target) != LUT_OK ||
      checkHostSupports(target) != LUT_OK)
    return false;
  model.dynamic = false;
  for (const auto *infos : {&model.inputs, &model.outputs})
    for (const ValueInfo &info : *infos)
      model.dynamic |= info.isDynamic();
  return true;
}

} // namespace

extern "C" {

//===----------------------------------------------------------------------===//
// Loading and introspection
//===----------------------------------------------------------------------===//

LutModel *lutModelLoad(const char *path) {
  if (!path)
    return failNull<LutModel>(LUT_ERROR_INVALID_ARGUMENT, "model path is NULL");
  try {
    std::unique_ptr<LutModel> model(new LutModel);
    // Always a file path, made absolute: dlopen would search the library
    // path for a bare name, and glibc identifies an already loaded library
    // by the (possibly relative) name it was opened with.
    char *resolved = realpath(path, nullptr);
    if (!resolved)
      return failNull<LutModel>(LUT_ERROR_LOAD,
                                std::string("cannot load model '") + path +
                                    "': " + std::strerror(errno));
    std::string file = resolved;
    std::free(resolved);
    dlerror(); // clear any stale error
    model->handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!model->handle) {
      const char *why = dlerror();
      return failNull<LutModel>(LUT_ERROR_LOAD,
                                std::string("cannot load model '") + path +
                                    "': " + (why ? why : "unknown error"));
    }
    // A model links libgomp (the threads of LutKernels and oneDNN). Its
    // idle worker threads keep running libgomp's code, so libgomp must not
    // be unmapped when the last model using it is closed: pin it.
    (void)dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    using SignatureFn = const char *(*)();
    auto sig = reinterpret_cast<SignatureFn>(
        dlsym(model->handle, "lut_model_signature"));
    if (!sig)
      return failNull<LutModel>(
          LUT_ERROR_LOAD, std::string("'") + path +
                              "' is not a lut-mlir model: symbol 'lut_model_signature' not found");
    const char *text = sig();
    if (!text)
      return failNull<LutModel>(LUT_ERROR_BAD_SIGNATURE,
                                std::string("'") + path +
                                    "': lut_model_signature() returned NULL");
    if (!finishModel(*model, text)) {
      setLastErrorMessage(std::string("'") + path + "': " + lastErrorMessage());
      return nullptr;
    }
    // The entry points the signature calls for.
    const char *missing = nullptr;
    if (model->dynamic) {
      model->runDynamic = reinterpret_cast<LutModelRunDynamicFn>(
          dlsym(model->handle, "lut_model_run_dynamic"));
      model->outputShapes = reinterpret_cast<LutModelOutputShapesFn>(
          dlsym(model->handle, "lut_model_output_shapes"));
      missing = !model->runDynamic     ? "lut_model_run_dynamic"
                : !model->outputShapes ? "lut_model_output_shapes"
                                       : nullptr;
    } else {
      model->run = reinterpret_cast<LutModelRunFn>(dlsym(model->handle, "lut_model_run"));
      missing = !model->run ? "lut_model_run" : nullptr;
    }
    using SetThreadsFn = int32_t (*)(int32_t);
    model->setNumThreads =
        reinterpret_cast<SetThreadsFn>(dlsym(model->handle, "lut_model_set_num_threads"));
    if (missing)
      return failNull<LutModel>(LUT_ERROR_LOAD,
                                std::string("'") + path + "' is not a lut-mlir model" +
                                    (model->dynamic ? " with dynamic dims" : "") +
                                    ": symbol '" + missing + "' not found");
    return model.release();
  } catch (const std::bad_alloc &) {
    return failNull<LutModel>(LUT_ERROR_OUT_OF_MEMORY,
                              "out of memory loading a model");
  }
}

LutModel *lutModelCreateFromSymbols(LutModelRunFn run, const char *signature) {
  if (!run)
    return failNull<LutModel>(LUT_ERROR_INVALID_ARGUMENT,
                              "model run function is NULL");
  if (!signature)
    return failNull<LutModel>(LUT_ERROR_INVALID_ARGUMENT,
                              "model signature is NULL");
  try {
    std::unique_ptr<LutModel> model(new LutModel);
    if (!finishModel(*model, signature))
      return nullptr;
    if (model->dynamic)
      return failNull<LutModel>(LUT_ERROR_INVALID_ARGUMENT,
                                "the signature has dynamic dims: use "
                                "lutModelCreateFromDynamicSymbols");
    model->run = run;
    return model.release();
  } catch (const std::bad_alloc &) {
    return failNull<LutModel>(LUT_ERROR_OUT_OF_MEMORY,
                              "out of memory creating a model");
  }
}

LutModel *lutModelCreateFromDynamicSymbols(LutModelRunDynamicFn run,
                                           LutModelOutputShapesFn outputShapes,
                                           const char *signature) {
  if (!run || !outputShapes || !signature)
    return failNull<LutModel>(LUT_ERROR_INVALID_ARGUMENT,
                              !run            ? "model run function is NULL"
                              : !outputShapes ? "model output-shapes function is NULL"
                                              : "model signature is NULL");
  try {
    std::unique_ptr<LutModel> model(new LutModel);
    if (!finishModel(*model, signature))
      return nullptr;
    if (!model->dynamic)
      return failNull<LutModel>(LUT_ERROR_INVALID_ARGUMENT,
                                "the signature has no dynamic dims: use "
                                "lutModelCreateFromSymbols");
    model->runDynamic = run;
    model->outputShapes = outputShapes;
    return model.release();
  } catch (const std::bad_alloc &) {
    return failNull<LutModel>(LUT_ERROR_OUT_OF_MEMORY,
                              "out of memory creating a model");
  }
}

void lutModelFree(LutModel *model) { delete model; }

const char *lutModelGetSignature(const LutModel *model) {
  if (!model)
    return failNull<const char>(LUT_ERROR_INVALID_ARGUMENT, "model is NULL");
  return model->signature.c_str();
}

size_t lutModelGetNumInputs(const LutModel *model) {
  if (!model) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "model is NULL");
    return 0;
  }
  return model->inputs.size();
}

size_t lutModelGetNumOutputs(const LutModel *model) {
  if (!model) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "model is NULL");
    return 0;
  }
  return model->outputs.size();
}

const char *lutModelGetInputName(const LutModel *model, size_t index) {
  const ValueInfo *info = lookup(model, false, index);
  return info ? info->name.c_str() : nullptr;
}
const char *lutModelGetOutputName(const LutModel *model, size_t index) {
  const ValueInfo *info = lookup(model, true, index);
  return info ? info->name.c_str() : nullptr;
}
LutDType lutModelGetInputDType(const LutModel *model, size_t index) {
  const ValueInfo *info = lookup(model, false, index);
  return info ? info->dtype : LUT_DTYPE_UNDEFINED;
}
LutDType lutModelGetOutputDType(const LutModel *model, size_t index) {
  const ValueInfo *info = lookup(model, true, index);
  return info ? info->dtype : LUT_DTYPE_UNDEFINED;
}
int64_t lutModelGetInputRank(const LutModel *model, size_t index) {
  const ValueInfo *info = lookup(model, false, index);
  return info ? static_cast<int64_t>(info->shape.size()) : -1;
}
int64_t lutModelGetOutputRank(const LutModel *model, size_t index) {
  const ValueInfo *info = lookup(model, true, index);
  return info ? static_cast<int64_t>(info->shape.size()) : -1;
}
const int64_t *lutModelGetInputShape(const LutModel *model, size_t index) {
  const ValueInfo *info = lookup(model, false, index);
  return info ? info->shape.data() : nullptr;
}
const int64_t *lutModelGetOutputShape(const LutModel *model, size_t index) {
  const ValueInfo *info = lookup(model, true, index);
  return info ? info->shape.data() : nullptr;
}

static const char *dimName(const LutModel *model, bool output, size_t index, size_t dim) {
  const ValueInfo *info = lookup(model, output, index);
  if (!info)
    return nullptr;
  if (dim >= info->shape.size())
    return failNull<const char>(LUT_ERROR_INVALID_ARGUMENT,
                                "dim " + std::to_string(dim) + " is out of range (rank " +
                                    std::to_string(info->shape.size()) + ")");
  return info->dimNames[dim].c_str();
}
const char *lutModelGetInputDimName(const LutModel *model, size_t index, size_t dim) {
  return dimName(model, false, index, dim);
}
const char *lutModelGetOutputDimName(const LutModel *model, size_t index, size_t dim) {
  return dimName(model, true, index, dim);
}
int lutModelIsDynamic(const LutModel *model) {
  if (!model) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "model is NULL");
    return 0;
  }
  return model->dynamic ? 1 : 0;
}

LutStatus lutModelSetNumThreads(LutModel *model, int32_t numThreads) {
  if (!model)
    return fail(LUT_ERROR_INVALID_ARGUMENT, "model is NULL");
  if (numThreads < 0 || numThreads > 1024)
    return fail(LUT_ERROR_INVALID_ARGUMENT,
                "thread count " + std::to_string(numThreads) +
                    " is out of range: give 1 to 1024, or 0 for the default");
  if (model->setNumThreads && model->setNumThreads(numThreads) != 0)
    return fail(LUT_ERROR_INVALID_ARGUMENT, "the model library refused thread count " +
                                                std::to_string(numThreads));
  return LUT_OK;
}

//===----------------------------------------------------------------------===//
// Checked execution
//===----------------------------------------------------------------------===//

LutStatus lutModelRun(LutModel *model, LutTensor *const *inputs,
                      size_t numInputs, LutTensor **outputs,
                      size_t numOutputs) {
  if (!model)
    return fail(LUT_ERROR_INVALID_ARGUMENT, "model is NULL");
  if (!outputs)
    return fail(LUT_ERROR_INVALID_ARGUMENT, "output array is NULL");
  for (size_t i = 0; i < numOutputs; ++i)
    outputs[i] = nullptr;
  if (LutStatus s = checkTensors("input", inputs, numInputs, model->inputs))
    return s;
  if (LutStatus s = checkNamedDims(model, inputs))
    return s;
  if (numOutputs != model->outputs.size())
    return fail(LUT_ERROR_MISMATCH,
                "model expects " + std::to_string(model->outputs.size()) +
                    " output" + (model->outputs.size() == 1 ? "" : "s") +
                    ", got " + std::to_string(numOutputs));
  try {
    std::vector<std::vector<int64_t>> shapes;
    if (model->dynamic) {
      if (LutStatus s = dynamicOutputShapes(model, inputs, shapes))
        return s;
    } else {
      for (const ValueInfo &info : model->outputs)
        shapes.push_back(info.shape);
    }
    for (size_t i = 0; i < numOutputs; ++i) {
      const ValueInfo &info = model->outputs[i];
      outputs[i] = lutTensorCreateEmpty(shapes[i].data(),
                                        static_cast<int64_t>(shapes[i].size()),
                                        info.dtype);
      if (!outputs[i]) {
        std::string why =
            describe("output", i, info) + ": " + lastErrorMessage();
        for (size_t j = 0; j < i; ++j) {
          lutTensorDestroy(outputs[j]);
          outputs[j] = nullptr;
        }
        return fail(LUT_ERROR_OUT_OF_MEMORY, why);
      }
    }
    LutStatus s = invoke(model, inputs, numInputs, outputs, numOutputs);
    if (s != LUT_OK) {
      for (size_t i = 0; i < numOutputs; ++i) {
        lutTensorDestroy(outputs[i]);
        outputs[i] = nullptr;
      }
    }
    return s;
  } catch (const std::bad_alloc &) {
    for (size_t i = 0; i < numOutputs; ++i) {
      lutTensorDestroy(outputs[i]);
      outputs[i] = nullptr;
    }
    return fail(LUT_ERROR_OUT_OF_MEMORY, "out of memory running the model");
  }
}

LutStatus lutModelRunWithOutputs(LutModel *model, LutTensor *const *inputs,
                                 size_t numInputs, LutTensor *const *outputs,
                                 size_t numOutputs) {
  if (!model)
    return fail(LUT_ERROR_INVALID_ARGUMENT, "model is NULL");
  if (LutStatus s = checkTensors("input", inputs, numInputs, model->inputs))
    return s;
  if (LutStatus s = checkNamedDims(model, inputs))
    return s;
  if (LutStatus s = checkTensors("output", outputs, numOutputs, model->outputs))
    return s;
  if (model->dynamic) {
    std::vector<std::vector<int64_t>> shapes;
    try {
      if (LutStatus s = dynamicOutputShapes(model, inputs, shapes))
        return s;
    } catch (const std::bad_alloc &) {
      return fail(LUT_ERROR_OUT_OF_MEMORY, "out of memory running the model");
    }
    for (size_t i = 0; i < numOutputs; ++i)
      if (outputs[i]->shape != shapes[i])
        return fail(LUT_ERROR_MISMATCH,
                    describe("output", i, model->outputs[i]) + ": expected shape " +
                        shapeToString(shapes[i].data(), shapes[i].size()) +
                        " for these inputs, got " +
                        shapeToString(outputs[i]->shape.data(), outputs[i]->shape.size()));
  }
  for (size_t i = 0; i < numOutputs; ++i) {
    for (size_t j = 0; j < numInputs; ++j)
      if (overlaps(outputs[i], inputs[j]))
        return fail(LUT_ERROR_INVALID_ARGUMENT,
                    describe("output", i, model->outputs[i]) +
                        ": its data overlaps " +
                        describe("input", j, model->inputs[j]));
    for (size_t j = 0; j < i; ++j)
      if (overlaps(outputs[i], outputs[j]))
        return fail(LUT_ERROR_INVALID_ARGUMENT,
                    describe("output", i, model->outputs[i]) +
                        ": its data overlaps " +
                        describe("output", j, model->outputs[j]));
  }
  try {
    return invoke(model, inputs, numInputs, outputs, numOutputs);
  } catch (const std::bad_alloc &) {
    return fail(LUT_ERROR_OUT_OF_MEMORY, "out of memory running the model");
  }
}

} // extern "C"
