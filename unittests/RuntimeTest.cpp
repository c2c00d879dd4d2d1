//===- RuntimeTest.cpp - Tests of the C runtime API -----------------------===//
//
// Tensors, signature parsing (valid and malformed), and end-to-end runs of
// the hand-written fixture models in unittests/fixtures, whose paths CMake
// passes in as LUT_TEST_*_MODEL.
//
//===----------------------------------------------------------------------===//

#include "lut-c/Runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

extern "C" int lutCApiSmoke(const char *path);

namespace {

using ::testing::HasSubstr;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

struct TensorHolder {
  LutTensor *t = nullptr;
  explicit TensorHolder(LutTensor *t) : t(t) {}
  TensorHolder(const TensorHolder &) = delete;
  TensorHolder &operator=(const TensorHolder &) = delete;
  TensorHolder(TensorHolder &&o) noexcept : t(o.t) { o.t = nullptr; }
  ~TensorHolder() { lutTensorDestroy(t); }
  LutTensor *get() const { return t; }
};

struct ModelHolder {
  LutModel *m = nullptr;
  explicit ModelHolder(LutModel *m) : m(m) {}
  ModelHolder(const ModelHolder &) = delete;
  ModelHolder &operator=(const ModelHolder &) = delete;
  ~ModelHolder() { lutModelFree(m); }
  LutModel *get() const { return m; }
};

std::string lastError() { return lutGetLastError(); }

std::vector<int64_t> shapeOf(const LutTensor *t) {
  const int64_t *s = lutTensorGetShape(t);
  return std::vector<int64_t>(s, s + lutTensorGetRank(t));
}

int32_t dummyRun(void *const *, void *const *) { return 0; }

//===----------------------------------------------------------------------===//
// Dtypes
//===----------------------------------------------------------------------===//

TEST(DType, SizesAndNames) {
  struct Case {
    LutDType dtype;
    const char *name;
    size_t size;
  } cases[] = {
      {LUT_DTYPE_FLOAT, "float", 4},     {LUT_DTYPE_DOUBLE, "double", 8},
      {LUT_DTYPE_FLOAT16, "float16", 2}, {LUT_DTYPE_BFLOAT16, "bfloat16", 2},
      {LUT_DTYPE_INT8, "int8", 1},       {LUT_DTYPE_INT16, "int16", 2},
      {LUT_DTYPE_INT32, "int32", 4},     {LUT_DTYPE_INT64, "int64", 8},
      {LUT_DTYPE_UINT8, "uint8", 1},     {LUT_DTYPE_UINT16, "uint16", 2},
      {LUT_DTYPE_UINT32, "uint32", 4},   {LUT_DTYPE_UINT64, "uint64", 8},
      {LUT_DTYPE_BOOL, "bool", 1},
  };
  for (const Case &c : cases) {
    EXPECT_EQ(lutDTypeSize(c.dtype), c.size) << c.name;
    ASSERT_NE(lutDTypeName(c.dtype), nullptr) << c.name;
    EXPECT_STREQ(lutDTypeName(c.dtype), c.name);
    EXPECT_EQ(lutDTypeFromName(c.name), c.dtype) << c.name;
  }
  for (LutDType unsupported :
       {LUT_DTYPE_UNDEFINED, LUT_DTYPE_STRING, LUT_DTYPE_COMPLEX64,
        LUT_DTYPE_COMPLEX128, static_cast<LutDType>(99)}) {
    EXPECT_EQ(lutDTypeSize(unsupported), 0u);
    EXPECT_EQ(lutDTypeName(unsupported), nullptr);
  }
  EXPECT_EQ(lutDTypeFromName("Float"), LUT_DTYPE_UNDEFINED);
  EXPECT_EQ(lutDTypeFromName("string"), LUT_DTYPE_UNDEFINED);
  EXPECT_EQ(lutDTypeFromName(nullptr), LUT_DTYPE_UNDEFINED);
  EXPECT_STREQ(lutStatusString(LUT_ERROR_MISMATCH), "LUT_ERROR_MISMATCH");
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

TEST(Tensor, CreateEmptyIsZeroedAndAligned) {
  const int64_t shape[] = {2, 3, 5};
  TensorHolder t(lutTensorCreateEmpty(shape, 3, LUT_DTYPE_INT16));
  ASSERT_NE(t.get(), nullptr) << lastError();
  EXPECT_EQ(lutTensorGetDType(t.get()), LUT_DTYPE_INT16);
  EXPECT_EQ(lutTensorGetRank(t.get()), 3);
  EXPECT_EQ(shapeOf(t.get()), (std::vector<int64_t>{2, 3, 5}));
  EXPECT_EQ(lutTensorGetNumElements(t.get()), 30);
  EXPECT_EQ(lutTensorGetSizeInBytes(t.get()), 60u);
  EXPECT_EQ(lutTensorIsOwning(t.get()), 1);
  auto *data = static_cast<const unsigned char *>(lutTensorGetData(t.get()));
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(data) % 64, 0u);
  for (int i = 0; i < 60; ++i)
    EXPECT_EQ(data[i], 0) << i;
}

TEST(Tensor, ScalarAndEmpty) {
  TensorHolder scalar(lutTensorCreateEmpty(nullptr, 0, LUT_DTYPE_DOUBLE));
  ASSERT_NE(scalar.get(), nullptr) << lastError();
  EXPECT_EQ(lutTensorGetRank(scalar.get()), 0);
  EXPECT_EQ(lutTensorGetNumElements(scalar.get()), 1);
  EXPECT_EQ(lutTensorGetSizeInBytes(scalar.get()), 8u);

  const int64_t shape[] = {4, 0, 2};
  TensorHolder empty(lutTensorCreateEmpty(shape, 3, LUT_DTYPE_FLOAT));
  ASSERT_NE(empty.get(), nullptr) << lastError();
  EXPECT_EQ(lutTensorGetNumElements(empty.get()), 0);
  EXPECT_EQ(lutTensorGetSizeInBytes(empty.get()), 0u);
  EXPECT_NE(lutTensorGetData(empty.get()), nullptr);

  // A borrowed empty tensor may have NULL data.
  TensorHolder borrowed(lutTensorCreate(nullptr, shape, 3, LUT_DTYPE_FLOAT, 0));
  ASSERT_NE(borrowed.get(), nullptr) << lastError();
  EXPECT_EQ(lutTensorGetData(borrowed.get()), nullptr);
}

TEST(Tensor, BorrowedAndOwnedData) {
  float values[6] = {1, 2, 3, 4, 5, 6};
  const int64_t shape[] = {3, 2};
  TensorHolder borrowed(lutTensorCreate(values, shape, 2, LUT_DTYPE_FLOAT, 0));
  ASSERT_NE(borrowed.get(), nullptr) << lastError();
  EXPECT_EQ(lutTensorGetData(borrowed.get()), values);
  EXPECT_EQ(lutTensorIsOwning(borrowed.get()), 0);

  // Owned malloc'd data is freed by lutTensorDestroy (leak-checked under
  // sanitizers).
  void *heap = std::malloc(6 * sizeof(float));
  ASSERT_NE(heap, nullptr);
  TensorHolder owned(lutTensorCreate(heap, shape, 2, LUT_DTYPE_FLOAT, 1));
  ASSERT_NE(owned.get(), nullptr) << lastError();
  EXPECT_EQ(lutTensorIsOwning(owned.get()), 1);

  // The shape is copied, not borrowed.
  int64_t mutableShape[] = {6};
  TensorHolder copy(
      lutTensorCreate(values, mutableShape, 1, LUT_DTYPE_FLOAT, 0));
  mutableShape[0] = 99;
  EXPECT_EQ(shapeOf(copy.get()), (std::vector<int64_t>{6}));
}

TEST(Tensor, CreateErrors) {
  const int64_t negative[] = {2, -1};
  EXPECT_EQ(lutTensorCreateEmpty(negative, 2, LUT_DTYPE_FLOAT), nullptr);
  EXPECT_EQ(lutGetLastStatus(), LUT_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(lastError(), HasSubstr("dimension 1 is negative (-1)"));

  const int64_t shape[] = {2};
  EXPECT_EQ(lutTensorCreateEmpty(shape, 1, LUT_DTYPE_STRING), nullptr);
  EXPECT_THAT(lastError(), HasSubstr("unsupported dtype 8"));

  EXPECT_EQ(lutTensorCreateEmpty(nullptr, 2, LUT_DTYPE_FLOAT), nullptr);
  EXPECT_THAT(lastError(), HasSubstr("shape is NULL but rank is 2"));

  std::vector<int64_t> tooMany(LUT_MAX_RANK + 1, 1);
  EXPECT_EQ(
      lutTensorCreateEmpty(tooMany.data(), LUT_MAX_RANK + 1, LUT_DTYPE_FLOAT),
      nullptr);
  EXPECT_THAT(lastError(), HasSubstr("out of range"));

  EXPECT_EQ(lutTensorCreateEmpty(shape, -1, LUT_DTYPE_FLOAT), nullptr);
  EXPECT_THAT(lastError(), HasSubstr("rank -1"));

  const int64_t huge[] = {int64_t(1) << 40, int64_t(1) << 40};
  EXPECT_EQ(lutTensorCreateEmpty(huge, 2, LUT_DTYPE_FLOAT), nullptr);
  EXPECT_EQ(lutGetLastStatus(), LUT_ERROR_OUT_OF_MEMORY);
  EXPECT_THAT(lastError(), HasSubstr("overflows"));

  EXPECT_EQ(lutTensorCreate(nullptr, shape, 1, LUT_DTYPE_FLOAT, 0), nullptr);
  EXPECT_THAT(lastError(), HasSubstr("data is NULL for a tensor of 8 bytes"));
}

TEST(Tensor, NullAccessorsAreSafe) {
  EXPECT_EQ(lutTensorGetData(nullptr), nullptr);
  EXPECT_EQ(lutTensorGetDType(nullptr), LUT_DTYPE_UNDEFINED);
  EXPECT_EQ(lutTensorGetRank(nullptr), -1);
  EXPECT_EQ(lutTensorGetShape(nullptr), nullptr);
  EXPECT_EQ(lutTensorGetNumElements(nullptr), -1);
  EXPECT_EQ(lutTensorGetSizeInBytes(nullptr), 0u);
  EXPECT_EQ(lutTensorIsOwning(nullptr), 0);
  EXPECT_THAT(lastError(), HasSubstr("tensor is NULL"));
  lutTensorDestroy(nullptr);
  lutModelFree(nullptr);
}

TEST(Errors, LastErrorIsPerThread) {
  const int64_t negative[] = {-3};
  ASSERT_EQ(lutTensorCreateEmpty(negative, 1, LUT_DTYPE_FLOAT), nullptr);
  std::string mine = lastError();
  std::string theirs;
  std::thread other([&] {
    theirs = lutGetLastError(); // nothing failed on this thread yet
    lutTensorCreateEmpty(nullptr, 1, LUT_DTYPE_FLOAT);
  });
  other.join();
  EXPECT_EQ(theirs, "");
  EXPECT_EQ(lastError(), mine);
}

//===----------------------------------------------------------------------===//
// Signatures
//===----------------------------------------------------------------------===//

TEST(Signature, ParsesEveryField) {
  const char *text = "lut-model v1\r\n"
                     "output 1 bool 0,4 mask\r\n"
                     "input 1 int64 scalar\r\n"
                     "input 0 float 1,3,32,32 pixel values (NCHW)\r\n"
                     "output 0 bfloat16 1,10 \r\n"
                     "\r\n";
  ModelHolder model(lutModelCreateFromSymbols(dummyRun, text));
  ASSERT_NE(model.get(), nullptr) << lastError();
  EXPECT_STREQ(lutModelGetSignature(model.get()), text);
  ASSERT_EQ(lutModelGetNumInputs(model.get()), 2u);
  ASSERT_EQ(lutModelGetNumOutputs(model.get()), 2u);

  EXPECT_STREQ(lutModelGetInputName(model.get(), 0), "pixel values (NCHW)");
  EXPECT_EQ(lutModelGetInputDType(model.get(), 0), LUT_DTYPE_FLOAT);
  ASSERT_EQ(lutModelGetInputRank(model.get(), 0), 4);
  const int64_t *s = lutModelGetInputShape(model.get(), 0);
  EXPECT_EQ(std::vector<int64_t>(s, s + 4),
            (std::vector<int64_t>{1, 3, 32, 32}));

  EXPECT_STREQ(lutModelGetInputName(model.get(), 1), "");
  EXPECT_EQ(lutModelGetInputDType(model.get(), 1), LUT_DTYPE_INT64);
  EXPECT_EQ(lutModelGetInputRank(model.get(), 1), 0);

  EXPECT_STREQ(lutModelGetOutputName(model.get(), 0), "");
  EXPECT_EQ(lutModelGetOutputDType(model.get(), 0), LUT_DTYPE_BFLOAT16);
  EXPECT_STREQ(lutModelGetOutputName(model.get(), 1), "mask");
  EXPECT_EQ(lutModelGetOutputDType(model.get(), 1), LUT_DTYPE_BOOL);
  ASSERT_EQ(lutModelGetOutputRank(model.get(), 1), 2);
  s = lutModelGetOutputShape(model.get(), 1);
  EXPECT_EQ(s[0], 0);
  EXPECT_EQ(s[1], 4);

  // Out-of-range queries fail cleanly.
  EXPECT_EQ(lutModelGetInputName(model.get(), 2), nullptr);
  EXPECT_THAT(lastError(), HasSubstr("input index 2 is out of range"));
  EXPECT_EQ(lutModelGetOutputDType(model.get(), 5), LUT_DTYPE_UNDEFINED);
  EXPECT_EQ(lutModelGetOutputRank(model.get(), 5), -1);
  EXPECT_EQ(lutModelGetOutputShape(model.get(), 5), nullptr);
  EXPECT_EQ(lutModelGetNumInputs(nullptr), 0u);
}

TEST(Signature, ModelWithoutInputs) {
  ModelHolder model(lutModelCreateFromSymbols(
      dummyRun, "lut-model v1\noutput 0 int8 3 constant"));
  ASSERT_NE(model.get(), nullptr) << lastError();
  EXPECT_EQ(lutModelGetNumInputs(model.get()), 0u);
  EXPECT_EQ(lutModelGetNumOutputs(model.get()), 1u);
}

struct BadSignature {
  const char *text;
  const char *message;
};

class MalformedSignature : public ::testing::TestWithParam<BadSignature> {};

TEST_P(MalformedSignature, IsRejectedWithMessage) {
  const BadSignature &c = GetParam();
  LutModel *model = lutModelCreateFromSymbols(dummyRun, c.text);
  EXPECT_EQ(model, nullptr) << "accepted: " << c.text;
  lutModelFree(model);
  EXPECT_EQ(lutGetLastStatus(), LUT_ERROR_BAD_SIGNATURE);
  EXPECT_THAT(lastError(), HasSubstr(c.message)) << "for: " << c.text;
}

#define OUT "output 0 float 1 y\n"
INSTANTIATE_TEST_SUITE_P(
    Signature, MalformedSignature,
    ::testing::Values(
        BadSignature{"", "it is empty"}, BadSignature{"\n\n", "it is empty"},
        BadSignature{"lut-model v2\n" OUT,
                     "line 1: unsupported signature version 'v2'"},
        BadSignature{"onnx-model v1\n" OUT,
                     "line 1: expected the header 'lut-model v1'"},
        BadSignature{OUT, "expected the header"},
        BadSignature{"lut-model v1\ninput 0 flaot 2,3 a\n" OUT,
                     "line 2: unknown or unsupported dtype 'flaot'"},
        BadSignature{"lut-model v1\ninput 0 string 2 a\n" OUT,
                     "unknown or unsupported dtype 'string'"},
        BadSignature{"lut-model v1\nweight 0 float 2 w\n" OUT,
                     "line 2: unknown record kind 'weight'"},
        BadSignature{"lut-model v1\ninput x float 2 a\n" OUT,
                     "invalid input index 'x'"},
        BadSignature{"lut-model v1\ninput -1 float 2 a\n" OUT,
                     "invalid input index '-1'"},
        BadSignature{"lut-model v1\ninput 99999999 float 2 a\n" OUT,
                     "invalid input index '99999999'"},
        BadSignature{"lut-model v1\ninput 0 float 2,,3 a\n" OUT,
                     "line 2: invalid shape '2,,3'"},
        BadSignature{"lut-model v1\ninput 0 float 2,3, a\n" OUT,
                     "invalid shape '2,3,'"},
        BadSignature{"lut-model v1\ninput 0 float -1,3 a\n" OUT,
                     "invalid shape '-1,3'"},
        BadSignature{"lut-model v1\ninput 0 float ?,3 a\n" OUT,
                     "invalid shape '?,3'"},
        BadSignature{"lut-model v1\ninput 0 float 99999999999999999999 a\n" OUT,
                     "invalid shape"},
        BadSignature{"lut-model v1\ninput 0 float "
                     "4294967296,4294967296 a\n" OUT,
                     "overflows"},
        BadSignature{"lut-model v1\n"
                     "input 0 float 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
                     "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
                     "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1 a\n" OUT,
                     "rank 65 exceeds the maximum of 64"},
        BadSignature{"lut-model v1\ninput 0 float\n" OUT,
                     "line 2: expected '<input|output> <index> <dtype> "
                     "<shape> [<name>]'"},
        BadSignature{"lut-model v1\ninput  0 float 2 a\n" OUT,
                     "line 2: expected"},
        BadSignature{"lut-model v1\ninput 0 float 2 a\ninput 0 float 2 b\n" OUT,
                     "line 3: duplicate input index 0 (first declared on "
                     "line 2)"},
        BadSignature{"lut-model v1\ninput 1 float 2 b\n" OUT,
                     "input 1 is declared but input 0 is missing"},
        BadSignature{"lut-model v1\ninput 0 float 2 a\n",
                     "it declares no outputs"},
        BadSignature{"lut-model v1\n" OUT "output 2 float 1 z\n",
                     "output 2 is declared but output 1 is missing"}));
#undef OUT

TEST(Signature, SurvivesTruncationAndCorruption) {
  const std::string text = "lut-model v1\n"
                           "input 0 float 1,3,32,32 pixels\n"
                           "input 1 int64 scalar n\n"
                           "output 0 float16 1,10 logits\n";
  // Prefixes: valid exactly when they still hold an output record.
  for (size_t n = 0; n <= text.size(); ++n) {
    LutModel *m =
        lutModelCreateFromSymbols(dummyRun, text.substr(0, n).c_str());
    if (!m)
      EXPECT_NE(lastError(), "") << "prefix " << n;
    lutModelFree(m);
  }
  std::mt19937 rng(5);
  const char alphabet[] = "0123456789, -\n\rabcfinopstuvx?";
  for (int iter = 0; iter < 5000; ++iter) {
    std::string corrupt = text;
    corrupt[rng() % corrupt.size()] = alphabet[rng() % (sizeof(alphabet) - 1)];
    LutModel *m = lutModelCreateFromSymbols(dummyRun, corrupt.c_str());
    if (m) {
      EXPECT_GE(lutModelGetNumOutputs(m), 1u);
    } else {
      EXPECT_EQ(lutGetLastStatus(), LUT_ERROR_BAD_SIGNATURE);
    }
    lutModelFree(m);
  }
}

TEST(Signature, NullArguments) {
  EXPECT_EQ(lutModelCreateFromSymbols(nullptr, "lut-model v1\n"), nullptr);
  EXPECT_EQ(lutGetLastStatus(), LUT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lutModelCreateFromSymbols(dummyRun, nullptr), nullptr);
  EXPECT_THAT(lastError(), HasSubstr("signature is NULL"));
  EXPECT_EQ(lutModelLoad(nullptr), nullptr);
  EXPECT_THAT(lastError(), HasSubstr("model path is NULL"));
}

//===----------------------------------------------------------------------===//
// End to end, with the add model fixture
//===----------------------------------------------------------------------===//

class AddModel : public ::testing::Test {
protected:
  void SetUp() override {
    model = lutModelLoad(LUT_TEST_ADD_MODEL);
    ASSERT_NE(model, nullptr) << lastError();
    // Random inputs with both signs, so that num_positive is data dependent.
    std::mt19937 rng(1234);
    std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
    for (int i = 0; i < 6; ++i) {
      a[i] = dist(rng);
      b[i] = dist(rng);
    }
    ta = lutTensorCreate(a, shape23, 2, LUT_DTYPE_FLOAT, 0);
    tb = lutTensorCreate(b, shape23, 2, LUT_DTYPE_FLOAT, 0);
    ASSERT_NE(ta, nullptr);
    ASSERT_NE(tb, nullptr);
  }
  void TearDown() override {
    lutTensorDestroy(ta);
    lutTensorDestroy(tb);
    lutModelFree(model);
  }

  /// Runs with allocated outputs and expects a failure naming `message`.
  void expectRunFails(std::vector<LutTensor *> inputs, LutStatus status,
                      const std::string &message) {
    LutTensor *outputs[2] = {reinterpret_cast<LutTensor *>(0x1),
                             reinterpret_cast<LutTensor *>(0x1)};
    EXPECT_EQ(lutModelRun(model, inputs.data(), inputs.size(), outputs, 2),
              status);
    EXPECT_EQ(outputs[0], nullptr);
    EXPECT_EQ(outputs[1], nullptr);
    EXPECT_EQ(lastError(), message);
  }

  const int64_t shape23[2] = {2, 3};
  float a[6], b[6];
  LutModel *model = nullptr;
  LutTensor *ta = nullptr, *tb = nullptr;
};

TEST_F(AddModel, Introspection) {
  ASSERT_EQ(lutModelGetNumInputs(model), 2u);
  ASSERT_EQ(lutModelGetNumOutputs(model), 2u);
  EXPECT_STREQ(lutModelGetInputName(model, 0), "a");
  EXPECT_STREQ(lutModelGetInputName(model, 1), "b");
  EXPECT_STREQ(lutModelGetOutputName(model, 0), "sum");
  EXPECT_STREQ(lutModelGetOutputName(model, 1), "num_positive");
  EXPECT_EQ(lutModelGetOutputDType(model, 1), LUT_DTYPE_INT64);
  EXPECT_EQ(lutModelGetOutputRank(model, 1), 0);
  EXPECT_THAT(std::string(lutModelGetSignature(model)),
              HasSubstr("input 1 float 2,3 b\n"));
}

TEST_F(AddModel, RunAllocatesCorrectOutputs) {
  LutTensor *inputs[] = {ta, tb};
  LutTensor *outputs[2] = {nullptr, nullptr};
  ASSERT_EQ(lutModelRun(model, inputs, 2, outputs, 2), LUT_OK) << lastError();
  TensorHolder sum(outputs[0]), count(outputs[1]);
  ASSERT_EQ(lutTensorGetDType(sum.get()), LUT_DTYPE_FLOAT);
  ASSERT_EQ(shapeOf(sum.get()), (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(lutTensorGetDType(count.get()), LUT_DTYPE_INT64);
  ASSERT_EQ(lutTensorGetRank(count.get()), 0);
  EXPECT_EQ(lutTensorIsOwning(sum.get()), 1);
  const float *s = static_cast<const float *>(lutTensorGetData(sum.get()));
  int64_t positives = 0;
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(s[i], a[i] + b[i]) << i;
    positives += (a[i] + b[i]) > 0;
  }
  EXPECT_GT(positives, 0);
  EXPECT_LT(positives, 6);
  EXPECT_EQ(*static_cast<const int64_t *>(lutTensorGetData(count.get())),
            positives);
}

TEST_F(AddModel, OutputsOutliveTheModel) {
  LutTensor *inputs[] = {ta, tb};
  LutTensor *outputs[2] = {nullptr, nullptr};
  ASSERT_EQ(lutModelRun(model, inputs, 2, outputs, 2), LUT_OK) << lastError();
  lutModelFree(model);
  model = nullptr;
  TensorHolder sum(outputs[0]), count(outputs[1]);
  EXPECT_EQ(static_cast<const float *>(lutTensorGetData(sum.get()))[3],
            a[3] + b[3]);
}

TEST_F(AddModel, RunWithOutputs) {
  float sum[6];
  int64_t count = -1;
  TensorHolder tsum(lutTensorCreate(sum, shape23, 2, LUT_DTYPE_FLOAT, 0));
  TensorHolder tcount(lutTensorCreate(&count, nullptr, 0, LUT_DTYPE_INT64, 0));
  LutTensor *inputs[] = {ta, tb};
  LutTensor *outputs[] = {tsum.get(), tcount.get()};
  ASSERT_EQ(lutModelRunWithOutputs(model, inputs, 2, outputs, 2), LUT_OK)
      << lastError();
  int64_t positives = 0;
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(sum[i], a[i] + b[i]);
    positives += sum[i] > 0;
  }
  EXPECT_EQ(count, positives);
}

TEST_F(AddModel, RejectsWrongInputCount) {
  expectRunFails({ta}, LUT_ERROR_MISMATCH, "model expects 2 inputs, got 1");
  expectRunFails({ta, tb, ta}, LUT_ERROR_MISMATCH,
                 "model expects 2 inputs, got 3");
}

TEST_F(AddModel, RejectsWrongDType) {
  double d[6] = {};
  TensorHolder wrong(lutTensorCreate(d, shape23, 2, LUT_DTYPE_DOUBLE, 0));
  expectRunFails({ta, wrong.get()}, LUT_ERROR_MISMATCH,
                 "input 1 ('b'): expected dtype float, got double");
}

TEST_F(AddModel, RejectsWrongShape) {
  const int64_t shape32[] = {3, 2};
  TensorHolder transposed(lutTensorCreate(b, shape32, 2, LUT_DTYPE_FLOAT, 0));
  expectRunFails({ta, transposed.get()}, LUT_ERROR_MISMATCH,
                 "input 1 ('b'): expected shape [2,3], got [3,2]");

  const int64_t flat[] = {6};
  TensorHolder rank1(lutTensorCreate(a, flat, 1, LUT_DTYPE_FLOAT, 0));
  expectRunFails({rank1.get(), tb}, LUT_ERROR_MISMATCH,
                 "input 0 ('a'): expected shape [2,3], got [6]");

  TensorHolder scalar(lutTensorCreate(a, nullptr, 0, LUT_DTYPE_FLOAT, 0));
  expectRunFails({ta, scalar.get()}, LUT_ERROR_MISMATCH,
                 "input 1 ('b'): expected shape [2,3], got [] (scalar)");
}

TEST_F(AddModel, RejectsNullArguments) {
  expectRunFails({nullptr, tb}, LUT_ERROR_MISMATCH, "input 0 ('a') is NULL");
  LutTensor *inputs[] = {ta, tb};
  EXPECT_EQ(lutModelRun(nullptr, inputs, 2, nullptr, 2),
            LUT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lutModelRun(model, inputs, 2, nullptr, 2),
            LUT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "output array is NULL");
  LutTensor *outputs[2];
  EXPECT_EQ(lutModelRun(model, nullptr, 2, outputs, 2),
            LUT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "input array is NULL");
}

TEST_F(AddModel, RejectsWrongOutputs) {
  LutTensor *inputs[] = {ta, tb};
  LutTensor *allocated[1];
  EXPECT_EQ(lutModelRun(model, inputs, 2, allocated, 1), LUT_ERROR_MISMATCH);
  EXPECT_EQ(lastError(), "model expects 2 outputs, got 1");

  float sum[6];
  int32_t count32;
  TensorHolder tsum(lutTensorCreate(sum, shape23, 2, LUT_DTYPE_FLOAT, 0));
  TensorHolder t32(lutTensorCreate(&count32, nullptr, 0, LUT_DTYPE_INT32, 0));
  LutTensor *outputs[] = {tsum.get(), t32.get()};
  EXPECT_EQ(lutModelRunWithOutputs(model, inputs, 2, outputs, 2),
            LUT_ERROR_MISMATCH);
  EXPECT_EQ(lastError(),
            "output 1 ('num_positive'): expected dtype int64, got int32");

  // An output that aliases an input is rejected.
  int64_t count;
  TensorHolder tcount(lutTensorCreate(&count, nullptr, 0, LUT_DTYPE_INT64, 0));
  TensorHolder aliasA(lutTensorCreate(a, shape23, 2, LUT_DTYPE_FLOAT, 0));
  LutTensor *aliased[] = {aliasA.get(), tcount.get()};
  EXPECT_EQ(lutModelRunWithOutputs(model, inputs, 2, aliased, 2),
            LUT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "output 0 ('sum'): its data overlaps input 0 ('a')");
}

TEST(ModelLoad, CApiFromC) { EXPECT_EQ(lutCApiSmoke(LUT_TEST_ADD_MODEL), 0); }

TEST(ModelLoad, MissingFile) {
  EXPECT_EQ(lutModelLoad("/nonexistent/dir/model.so"), nullptr);
  EXPECT_EQ(lutGetLastStatus(), LUT_ERROR_LOAD);
  EXPECT_THAT(lastError(),
              HasSubstr("cannot load model '/nonexistent/dir/model.so'"));
}

TEST(ModelLoad, BareNameMeansCurrentDirectory) {
  std::string fixture = LUT_TEST_ADD_MODEL;
  std::string dir = fixture.substr(0, fixture.rfind('/'));
  std::string base = fixture.substr(fixture.rfind('/') + 1);
  char saved[4096];
  ASSERT_NE(getcwd(saved, sizeof(saved)), nullptr);
  ASSERT_EQ(chdir(dir.c_str()), 0);
  LutModel *here = lutModelLoad(base.c_str());
  std::string hereError = lastError();
  ASSERT_EQ(chdir("/"), 0);
  LutModel *elsewhere = lutModelLoad(base.c_str());
  ASSERT_EQ(chdir(saved), 0);
  EXPECT_NE(here, nullptr) << hereError;
  EXPECT_EQ(elsewhere, nullptr);
  EXPECT_THAT(lastError(), HasSubstr("cannot load model '" + base + "'"));
  lutModelFree(here);
  lutModelFree(elsewhere);
}

TEST(ModelLoad, NotASharedLibrary) {
  // This test's own source file is not an ELF object.
  EXPECT_EQ(lutModelLoad(LUT_TEST_SOURCE_FILE), nullptr);
  EXPECT_EQ(lutGetLastStatus(), LUT_ERROR_LOAD);
  EXPECT_THAT(lastError(), HasSubstr("cannot load model"));
}

TEST(ModelLoad, MissingSymbol) {
  EXPECT_EQ(lutModelLoad(LUT_TEST_NO_SIGNATURE_MODEL), nullptr);
  EXPECT_EQ(lutGetLastStatus(), LUT_ERROR_LOAD);
  EXPECT_THAT(lastError(), HasSubstr("is not a lut-mlir model: symbol "
                                     "'lut_model_signature' not found"));
}

TEST(ModelLoad, MalformedSignature) {
  EXPECT_EQ(lutModelLoad(LUT_TEST_BAD_SIGNATURE_MODEL), nullptr);
  EXPECT_EQ(lutGetLastStatus(), LUT_ERROR_BAD_SIGNATURE);
  EXPECT_THAT(lastError(), HasSubstr(LUT_TEST_BAD_SIGNATURE_MODEL));
  EXPECT_THAT(lastError(),
              HasSubstr("line 2: unknown or unsupported dtype 'flaot'"));
}

TEST(ModelLoad, ModelErrorCodeIsReported) {
  ModelHolder model(lutModelLoad(LUT_TEST_FAILING_MODEL));
  ASSERT_NE(model.get(), nullptr) << lastError();
  int32_t x = 21;
  TensorHolder tx(lutTensorCreate(&x, nullptr, 0, LUT_DTYPE_INT32, 0));
  LutTensor *inputs[] = {tx.get()};
  LutTensor *outputs[1] = {nullptr};
  ASSERT_EQ(lutModelRun(model.get(), inputs, 1, outputs, 1), LUT_OK)
      << lastError();
  TensorHolder y(outputs[0]);
  EXPECT_EQ(*static_cast<const int32_t *>(lutTensorGetData(y.get())), 42);

  x = -1;
  EXPECT_EQ(lutModelRun(model.get(), inputs, 1, outputs, 1),
            LUT_ERROR_MODEL_FAILED);
  EXPECT_EQ(outputs[0], nullptr);
  EXPECT_EQ(lastError(), "the model's lut_model_run returned error code 7");
}

} // namespace
