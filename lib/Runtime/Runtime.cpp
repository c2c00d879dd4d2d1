//===- Runtime.cpp - C runtime API for compiled lut-mlir models -----------===//
//
// Implements include/lut-c/Runtime.h: tensors, model loading with dlopen,
// signature parsing and validation, and checked execution.
//
// Every exported function is noexcept in effect: C++ exceptions (only
// std::bad_alloc can occur) are caught at the API boundary and turned into
// LUT_ERROR_OUT_OF_MEMORY.
//
//===----------------------------------------------------------------------===//

#include "lut-c/Runtime.h"
#include "lut/Support/DTypes.h"

#include <dlfcn.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace {

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

thread_local std::string lastError;
thread_local LutStatus lastStatus = LUT_OK;

/// Records `message` as the calling thread's last error and returns `status`.
LutStatus fail(LutStatus status, std::string message) {
  lastStatus = status;
  try {
    lastError = std::move(message);
  } catch (...) {
    // Could not even store the message; keep whatever was there.
  }
  return status;
}

/// Like `fail` but for functions returning a pointer.
template <typename T> T *failNull(LutStatus status, std::string message) {
  fail(status, std::move(message));
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Dtypes and shapes
//===----------------------------------------------------------------------===//

// The LutDType enumerators are the numbers of the dtype table.
#define LUT_DTYPE(Id, Value, ...)                                              \
  static_assert(LUT_DTYPE_##Id == Value, "LutDType differs from DTypes.def");
#define LUT_DTYPE_UNSUPPORTED(Id, Value, Name)                                 \
  static_assert(LUT_DTYPE_##Id == Value, "LutDType differs from DTypes.def");
#include "lut/Support/DTypes.def"

using lut::DTypeInfo;

const DTypeInfo *findDType(LutDType dtype) {
  return lut::findDType(static_cast<int32_t>(dtype));
}

/// "float", or "<unsupported dtype 8>" for anything the runtime cannot hold.
std::string dtypeToString(LutDType dtype) {
  if (const DTypeInfo *info = findDType(dtype))
    return info->name;
  return "<unsupported dtype " + std::to_string(static_cast<int>(dtype)) + ">";
}

/// "[2,3]", or "[] (scalar)" for rank 0.
std::string shapeToString(const int64_t *shape, size_t rank) {
  if (rank == 0)
    return "[] (scalar)";
  std::string s = "[";
  for (size_t i = 0; i < rank; ++i) {
    if (i)
      s += ',';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

/// Computes the element count and byte size of a shape, checking every dim
/// and guarding against overflow. Returns LUT_OK or an error (already set).
LutStatus computeSizes(const int64_t *shape, int64_t rank, LutDType dtype,
                       int64_t &numElements, size_t &sizeInBytes) {
  const DTypeInfo *info = findDType(dtype);
  if (!info)
    return fail(LUT_ERROR_INVALID_ARGUMENT,
                "unsupported dtype " + std::to_string(static_cast<int>(dtype)));
  if (rank < 0 || rank > LUT_MAX_RANK)
    return fail(LUT_ERROR_INVALID_ARGUMENT,
                "rank " + std::to_string(rank) + " is out of range [0, " +
                    std::to_string(LUT_MAX_RANK) + "]");
  if (rank > 0 && !shape)
    return fail(LUT_ERROR_INVALID_ARGUMENT,
                "shape is NULL but rank is " + std::to_string(rank));
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (shape[i] < 0)
      return fail(LUT_ERROR_INVALID_ARGUMENT,
                  "dimension " + std::to_string(i) + " is negative (" +
                      std::to_string(shape[i]) + ")");
    if (__builtin_mul_overflow(count, shape[i], &count))
      return fail(LUT_ERROR_OUT_OF_MEMORY,
                  "element count of shape " +
                      shapeToString(shape, static_cast<size_t>(rank)) +
                      " overflows");
  }
  int64_t bytes = 0;
  if (__builtin_mul_overflow(count, static_cast<int64_t>(info->bytes), &bytes))
    return fail(LUT_ERROR_OUT_OF_MEMORY,
                "byte size of shape " +
                    shapeToString(shape, static_cast<size_t>(rank)) +
                    " overflows");
  numElements = count;
  sizeInBytes = static_cast<size_t>(bytes);
  return LUT_OK;
}

constexpr size_t kAlignment = 64;

} // namespace

//===----------------------------------------------------------------------===//
// Object layouts
//===----------------------------------------------------------------------===//

struct LutTensor {
  void *data = nullptr;
  std::vector<int64_t> shape;
  LutDType dtype = LUT_DTYPE_UNDEFINED;
  bool owning = false;
  int64_t numElements = 0;
  size_t sizeInBytes = 0;

  ~LutTensor() {
    if (owning)
      std::free(data);
  }
};

namespace {
/// One `input` or `output` record of a signature.
struct ValueInfo {
  std::string name;
  LutDType dtype = LUT_DTYPE_UNDEFINED;
  std::vector<int64_t> shape;
};
} // namespace

struct LutModel {
  void *handle = nullptr; // dlopen handle; null for lutModelCreateFromSymbols
  LutModelRunFn run = nullptr;
  std::string signature;
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;

  ~LutModel() {
    if (handle)
      dlclose(handle);
  }
};

//===----------------------------------------------------------------------===//
// Signature parsing
//===----------------------------------------------------------------------===//

namespace {

/// Parses a non-negative decimal integer that fits in int64 (no sign, no
/// spaces). Returns false otherwise.
bool parseNonNegative(const std::string &text, int64_t &value) {
  if (text.empty())
    return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    if (__builtin_mul_overflow(v, 10, &v) ||
        __builtin_add_overflow(v, static_cast<int64_t>(c - '0'), &v))
      return false;
  }
  value = v;
  return true;
}

/// Parses the signature text of the model ABI into `model->inputs/outputs`.
/// The grammar (docs/Runtime.md):
///   lut-model v1
///   (input|output) <index> <dtype> (scalar|<d0>,<d1>,...) [<name>]
/// Blank lines are ignored; a trailing '\r' is stripped from each line. The
/// indices of each kind must be exactly 0..n-1, in any order, and there must
/// be at least one output.
LutStatus parseSignature(const char *text, LutModel &model) {
  auto bad = [](size_t line, const std::string &msg) {
    return fail(LUT_ERROR_BAD_SIGNATURE, "malformed model signature, line " +
                                             std::to_string(line) + ": " + msg);
  };

  // Split into lines.
  std::vector<std::string> lines;
  {
    std::string current;
    for (const char *p = text; *p; ++p) {
      if (*p == '\n') {
        lines.push_back(std::move(current));
        current.clear();
      } else {
        current += *p;
      }
    }
    if (!current.empty())
      lines.push_back(std::move(current));
    for (std::string &line : lines)
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
  }

  // Header.
  size_t lineNo = 0;
  while (lineNo < lines.size() && lines[lineNo].empty())
    ++lineNo;
  if (lineNo == lines.size())
    return fail(LUT_ERROR_BAD_SIGNATURE,
                "malformed model signature: it is empty (expected a first "
                "line 'lut-model v1')");
  const std::string &header = lines[lineNo];
  if (header != "lut-model v1") {
    if (header.rfind("lut-model ", 0) == 0)
      return bad(lineNo + 1, "unsupported signature version '" +
                                 header.substr(10) +
                                 "' (this runtime reads 'lut-model v1')");
    return bad(lineNo + 1,
               "expected the header 'lut-model v1', got '" + header + "'");
  }

  // Records, indexed by kind and declared index.
  std::vector<std::pair<bool, ValueInfo>> declared[2]; // [0]=input [1]=output
  std::vector<size_t> declaredLine[2];
  for (++lineNo; lineNo < lines.size(); ++lineNo) {
    const std::string &line = lines[lineNo];
    const size_t ln = lineNo + 1;
    if (line.empty())
      continue;

    // kind SP index SP dtype SP shape [SP name...]
    std::string fields[4];
    size_t pos = 0;
    std::string name;
    for (int f = 0; f < 4; ++f) {
      size_t sp = line.find(' ', pos);
      fields[f] = line.substr(pos, sp == std::string::npos ? sp : sp - pos);
      if (fields[f].empty())
        return bad(ln, "expected '<input|output> <index> <dtype> "
                       "<shape> [<name>]', got '" +
                           line + "'");
      if (sp == std::string::npos) {
        if (f != 3)
          return bad(ln, "expected '<input|output> <index> <dtype> "
                         "<shape> [<name>]', got '" +
                             line + "'");
        pos = line.size();
      } else {
        pos = sp + 1;
        if (f == 3)
          name = line.substr(pos);
      }
    }

    int kind;
    if (fields[0] == "input")
      kind = 0;
    else if (fields[0] == "output")
      kind = 1;
    else
      return bad(ln, "unknown record kind '" + fields[0] +
                         "' (expected 'input' or 'output')");
    const char *kindName = kind == 0 ? "input" : "output";

    int64_t index;
    if (!parseNonNegative(fields[1], index) || index > 1000000)
      return bad(ln, "invalid " + std::string(kindName) + " index '" +
                         fields[1] + "'");

    ValueInfo info;
    info.name = std::move(name);
    info.dtype = lutDTypeFromName(fields[2].c_str());
    if (info.dtype == LUT_DTYPE_UNDEFINED)
      return bad(ln, "unknown or unsupported dtype '" + fields[2] + "'");

    if (fields[3] != "scalar") {
      size_t start = 0;
      while (true) {
        size_t comma = fields[3].find(',', start);
        std::string dim = fields[3].substr(
            start, comma == std::string::npos ? comma : comma - start);
        int64_t d;
        if (!parseNonNegative(dim, d))
          return bad(ln, "invalid shape '" + fields[3] +
                             "' (expected 'scalar' or comma-separated "
                             "non-negative integers)");
        info.shape.push_back(d);
        if (comma == std::string::npos)
          break;
        start = comma + 1;
      }
      if (info.shape.size() > LUT_MAX_RANK)
        return bad(ln, "rank " + std::to_string(info.shape.size()) +
                           " exceeds the maximum of " +
                           std::to_string(LUT_MAX_RANK));
    }
    int64_t numElements;
    size_t sizeInBytes;
    if (computeSizes(info.shape.data(), static_cast<int64_t>(info.shape.size()),
                     info.dtype, numElements, sizeInBytes) != LUT_OK)
      return bad(ln, lastError);

    auto &slots = declared[kind];
    auto &slotLines = declaredLine[kind];
    size_t idx = static_cast<size_t>(index);
    if (idx >= slots.size()) {
      slots.resize(idx + 1);
      slotLines.resize(idx + 1, 0);
    }
    if (slots[idx].first)
      return bad(ln, "duplicate " + std::string(kindName) + " index " +
                         std::to_string(idx) + " (first declared on line " +
                         std::to_string(slotLines[idx]) + ")");
    slots[idx] = {true, std::move(info)};
    slotLines[idx] = ln;
  }

  for (int kind = 0; kind < 2; ++kind) {
    const char *kindName = kind == 0 ? "input" : "output";
    for (size_t i = 0; i < declared[kind].size(); ++i)
      if (!declared[kind][i].first)
        return fail(LUT_ERROR_BAD_SIGNATURE,
                    "malformed model signature: " + std::string(kindName) +
                        " " + std::to_string(declared[kind].size() - 1) +
                        " is declared but " + kindName + " " +
                        std::to_string(i) + " is missing");
  }
  if (declared[1].empty())
    return fail(LUT_ERROR_BAD_SIGNATURE,
                "malformed model signature: it declares no outputs");

  model.inputs.clear();
  model.outputs.clear();
  for (auto &slot : declared[0])
    model.inputs.push_back(std::move(slot.second));
  for (auto &slot : declared[1])
    model.outputs.push_back(std::move(slot.second));
  return LUT_OK;
}

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

/// Stores the entry point and signature in `model` and parses the signature.
/// Returns false (with the error set) if the signature is bad.
bool finishModel(LutModel &model, LutModelRunFn run, const char *signature) {
  model.run = run;
  model.signature = signature;
  return parseSignature(signature, model) == LUT_OK;
}

} // namespace

//===----------------------------------------------------------------------===//
// Errors and dtypes
//===----------------------------------------------------------------------===//

extern "C" {

const char *lutGetLastError(void) { return lastError.c_str(); }

LutStatus lutGetLastStatus(void) { return lastStatus; }

const char *lutStatusString(LutStatus status) {
  switch (status) {
  case LUT_OK:
    return "LUT_OK";
  case LUT_ERROR_INVALID_ARGUMENT:
    return "LUT_ERROR_INVALID_ARGUMENT";
  case LUT_ERROR_OUT_OF_MEMORY:
    return "LUT_ERROR_OUT_OF_MEMORY";
  case LUT_ERROR_LOAD:
    return "LUT_ERROR_LOAD";
  case LUT_ERROR_BAD_SIGNATURE:
    return "LUT_ERROR_BAD_SIGNATURE";
  case LUT_ERROR_MISMATCH:
    return "LUT_ERROR_MISMATCH";
  case LUT_ERROR_MODEL_FAILED:
    return "LUT_ERROR_MODEL_FAILED";
  }
  return "LUT_ERROR_<unknown>";
}

size_t lutDTypeSize(LutDType dtype) {
  return lut::dtypeSize(static_cast<int32_t>(dtype));
}

const char *lutDTypeName(LutDType dtype) {
  return lut::dtypeName(static_cast<int32_t>(dtype));
}

LutDType lutDTypeFromName(const char *name) {
  return static_cast<LutDType>(lut::dtypeFromName(name));
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

LutTensor *lutTensorCreate(void *data, const int64_t *shape, int64_t rank,
                           LutDType dtype, int owning) {
  int64_t numElements;
  size_t sizeInBytes;
  if (computeSizes(shape, rank, dtype, numElements, sizeInBytes) != LUT_OK)
    return nullptr;
  if (!data && sizeInBytes != 0)
    return failNull<LutTensor>(LUT_ERROR_INVALID_ARGUMENT,
                               "data is NULL for a tensor of " +
                                   std::to_string(sizeInBytes) + " bytes");
  try {
    auto *t = new LutTensor;
    t->shape.assign(shape, shape + rank);
    t->data = data;
    t->dtype = dtype;
    t->owning = owning != 0;
    t->numElements = numElements;
    t->sizeInBytes = sizeInBytes;
    return t;
  } catch (const std::bad_alloc &) {
    return failNull<LutTensor>(LUT_ERROR_OUT_OF_MEMORY,
                               "out of memory creating a tensor");
  }
}

LutTensor *lutTensorCreateEmpty(const int64_t *shape, int64_t rank,
                                LutDType dtype) {
  int64_t numElements;
  size_t sizeInBytes;
  if (computeSizes(shape, rank, dtype, numElements, sizeInBytes) != LUT_OK)
    return nullptr;
  // aligned_alloc wants a size that is a multiple of the alignment; always
  // allocate at least one block so that the pointer is never NULL.
  size_t allocSize = sizeInBytes == 0 ? kAlignment
                                      : (sizeInBytes + kAlignment - 1) /
                                            kAlignment * kAlignment;
  if (allocSize < sizeInBytes)
    return failNull<LutTensor>(LUT_ERROR_OUT_OF_MEMORY,
                               "tensor byte size overflows");
  void *data = std::aligned_alloc(kAlignment, allocSize);
  if (!data)
    return failNull<LutTensor>(LUT_ERROR_OUT_OF_MEMORY,
                               "out of memory allocating " +
                                   std::to_string(sizeInBytes) +
                                   " bytes for a tensor");
  std::memset(data, 0, allocSize);
  LutTensor *t = lutTensorCreate(data, shape, rank, dtype, /*owning=*/1);
  if (!t)
    std::free(data);
  return t;
}

void lutTensorDestroy(LutTensor *tensor) { delete tensor; }

void *lutTensorGetData(const LutTensor *tensor) {
  if (!tensor)
    return failNull<void>(LUT_ERROR_INVALID_ARGUMENT, "tensor is NULL");
  return tensor->data;
}

LutDType lutTensorGetDType(const LutTensor *tensor) {
  if (!tensor) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "tensor is NULL");
    return LUT_DTYPE_UNDEFINED;
  }
  return tensor->dtype;
}

int64_t lutTensorGetRank(const LutTensor *tensor) {
  if (!tensor) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "tensor is NULL");
    return -1;
  }
  return static_cast<int64_t>(tensor->shape.size());
}

const int64_t *lutTensorGetShape(const LutTensor *tensor) {
  if (!tensor)
    return failNull<const int64_t>(LUT_ERROR_INVALID_ARGUMENT,
                                   "tensor is NULL");
  return tensor->shape.data();
}

int64_t lutTensorGetNumElements(const LutTensor *tensor) {
  if (!tensor) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "tensor is NULL");
    return -1;
  }
  return tensor->numElements;
}

size_t lutTensorGetSizeInBytes(const LutTensor *tensor) {
  if (!tensor) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "tensor is NULL");
    return 0;
  }
  return tensor->sizeInBytes;
}

int lutTensorIsOwning(const LutTensor *tensor) {
  if (!tensor) {
    fail(LUT_ERROR_INVALID_ARGUMENT, "tensor is NULL");
    return 0;
  }
  return tensor->owning ? 1 : 0;
}

//===----------------------------------------------------------------------===//
// Models
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
      lastError = std::string("'") + path + "': " + lastError;
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

namespace {
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
} // namespace

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
        std::string why = describe("output", i, info) + ": " + lastError;
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
