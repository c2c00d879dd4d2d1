//===- RuntimeModelTest.cpp - Loading and running models with the C API ---===//
//
// End-to-end runs of the hand-written fixture models in unittests/fixtures,
// whose paths CMake passes in as LUT_TEST_*_MODEL: introspection, runs with
// allocated and caller-provided outputs, every kind of rejected argument,
// load errors, and a model's own error code.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"
#include "lut-c/Runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

extern "C" int lutCApiSmoke(const char *path);

using namespace lut::runtime::testing;
using ::testing::HasSubstr;

namespace {

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
