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
    if (t->shape != info.shape)
      return fail(LUT_ERROR_MISMATCH,
                  describe(kind, i, info) + ": expected shape " +
                      shapeToString(info.shape.data(), info.shape.size()) +
                      ", got " +
                      shapeToString(t->shape.data(), t->shape.size()));
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
  for (size_t i = 0; i < numInputs; ++i)
    in[i] = inputs[i]->data;
  for (size_t i = 0; i < numOutputs; ++i)
    out[i] = outputs[i]->data;
  int32_t rc = model->run(in.data(), out.data());
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
bool finishModel(LutModel &model, LutModelRunFn run, const char *signature) {
  model.run = run;
  model.signature = signature;
  TargetInfo target;
  return parseSignature(signature, model.inputs, model.outputs, target) == LUT_OK &&
         checkHostSupports(target) == LUT_OK;
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
    auto run =
        reinterpret_cast<LutModelRunFn>(dlsym(model->handle, "lut_model_run"));
    auto sig = reinterpret_cast<SignatureFn>(
        dlsym(model->handle, "lut_model_signature"));
    if (!run || !sig)
      return failNull<LutModel>(
          LUT_ERROR_LOAD,
          std::string("'") + path + "' is not a lut-mlir model: symbol '" +
              (!run ? "lut_model_run" : "lut_model_signature") + "' not found");
    const char *text = sig();
    if (!text)
      return failNull<LutModel>(LUT_ERROR_BAD_SIGNATURE,
                                std::string("'") + path +
                                    "': lut_model_signature() returned NULL");
    if (!finishModel(*model, run, text)) {
      setLastErrorMessage(std::string("'") + path + "': " + lastErrorMessage());
      return nullptr;
    }
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
    if (!finishModel(*model, run, signature))
      return nullptr;
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
  if (numOutputs != model->outputs.size())
    return fail(LUT_ERROR_MISMATCH,
                "model expects " + std::to_string(model->outputs.size()) +
                    " output" + (model->outputs.size() == 1 ? "" : "s") +
                    ", got " + std::to_string(numOutputs));
  try {
    for (size_t i = 0; i < numOutputs; ++i) {
      const ValueInfo &info = model->outputs[i];
      outputs[i] = lutTensorCreateEmpty(info.shape.data(),
                                        static_cast<int64_t>(info.shape.size()),
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
  if (LutStatus s = checkTensors("output", outputs, numOutputs, model->outputs))
    return s;
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
