//===- RuntimeSignatureTest.cpp - Model signatures in the C API -----------===//
//
// Parsing of valid signatures, rejection of malformed ones with their
// messages, truncated and corrupted text, and NULL arguments, through
// lutModelCreateFromSymbols.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"
#include "lut-c/Runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

using namespace lut::runtime::testing;
using ::testing::HasSubstr;

namespace {

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

//===----------------------------------------------------------------------===//
// Dynamic dims
//===----------------------------------------------------------------------===//

/// A fake dynamic model: y[n, 4] = x[n, 4] * 2 (rows of input 0), with the
/// output shape computed from the input's.
int32_t fakeShapes(void *const *, const int64_t *const *inShapes, int64_t *const *outShapes) {
  outShapes[0][0] = inShapes[0][0];
  outShapes[0][1] = 4;
  return 0;
}
int32_t fakeRun(void *const *in, const int64_t *const *inShapes, void *const *out,
                const int64_t *const *outShapes) {
  const float *x = static_cast<const float *>(in[0]);
  float *y = static_cast<float *>(out[0]);
  if (outShapes[0][0] != inShapes[0][0])
    return 9;
  for (int64_t i = 0; i < inShapes[0][0] * 4; ++i)
    y[i] = 2 * x[i];
  return 0;
}
/// Computes a shape that contradicts the signature's static dim.
int32_t badShapes(void *const *, const int64_t *const *, int64_t *const *outShapes) {
  outShapes[0][0] = 1;
  outShapes[0][1] = 5;
  return 0;
}

const char *kDynamicSig = "lut-model v1\n"
                          "input 0 float ?batch,4 x\n"
                          "input 1 float ?batch,? mask\n"
                          "output 0 float ?batch,4 y\n";

TEST(DynamicSignature, ReportsDynamicDims) {
  ModelHolder model(lutModelCreateFromDynamicSymbols(fakeRun, fakeShapes, kDynamicSig));
  ASSERT_NE(model.get(), nullptr) << lastError();
  EXPECT_EQ(lutModelIsDynamic(model.get()), 1);
  EXPECT_EQ(lutModelGetInputShape(model.get(), 0)[0], -1);
  EXPECT_EQ(lutModelGetInputShape(model.get(), 0)[1], 4);
  EXPECT_STREQ(lutModelGetInputDimName(model.get(), 0, 0), "batch");
  EXPECT_STREQ(lutModelGetInputDimName(model.get(), 0, 1), "");
  EXPECT_STREQ(lutModelGetInputDimName(model.get(), 1, 1), "");
  EXPECT_STREQ(lutModelGetOutputDimName(model.get(), 0, 0), "batch");
  EXPECT_EQ(lutModelGetInputDimName(model.get(), 0, 2), nullptr);
  EXPECT_THAT(lastError(), HasSubstr("dim 2 is out of range (rank 2)"));
  // A static model is not dynamic, and each constructor wants its kind.
  ModelHolder stat(lutModelCreateFromSymbols(dummyRun, "lut-model v1\noutput 0 float 1 y\n"));
  ASSERT_NE(stat.get(), nullptr);
  EXPECT_EQ(lutModelIsDynamic(stat.get()), 0);
  EXPECT_EQ(lutModelCreateFromSymbols(dummyRun, kDynamicSig), nullptr);
  EXPECT_THAT(lastError(), HasSubstr("use lutModelCreateFromDynamicSymbols"));
  EXPECT_EQ(lutModelCreateFromDynamicSymbols(fakeRun, fakeShapes, "lut-model v1\noutput 0 float 1 y\n"),
            nullptr);
  EXPECT_EQ(lutModelCreateFromDynamicSymbols(fakeRun, nullptr, kDynamicSig), nullptr);
}

TEST(DynamicSignature, RunsAtAnySizeAndChecksNamedDims) {
  ModelHolder model(lutModelCreateFromDynamicSymbols(fakeRun, fakeShapes, kDynamicSig));
  ASSERT_NE(model.get(), nullptr) << lastError();
  for (int64_t n : {1, 3, 7}) {
    std::vector<float> xs(n * 4), ms(n * 5, 0.0f);
    for (size_t i = 0; i < xs.size(); ++i)
      xs[i] = float(i);
    int64_t xshape[2] = {n, 4}, mshape[2] = {n, 5};
    TensorHolder x(lutTensorCreate(xs.data(), xshape, 2, LUT_DTYPE_FLOAT, 0));
    TensorHolder m(lutTensorCreate(ms.data(), mshape, 2, LUT_DTYPE_FLOAT, 0));
    LutTensor *ins[2] = {x.get(), m.get()};
    LutTensor *out = nullptr;
    ASSERT_EQ(lutModelRun(model.get(), ins, 2, &out, 1), LUT_OK) << lastError();
    TensorHolder y(out);
    ASSERT_EQ(lutTensorGetShape(out)[0], n);
    EXPECT_EQ(static_cast<float *>(lutTensorGetData(out))[4 * n - 1], 2.0f * (4 * n - 1));
    // Caller-provided outputs must have the computed shape.
    int64_t wrong[2] = {n + 1, 4};
    TensorHolder w(lutTensorCreateEmpty(wrong, 2, LUT_DTYPE_FLOAT));
    LutTensor *outs[1] = {w.get()};
    EXPECT_EQ(lutModelRunWithOutputs(model.get(), ins, 2, outs, 1), LUT_ERROR_MISMATCH);
    EXPECT_THAT(lastError(), HasSubstr("expected shape [" + std::to_string(n) + ",4] for these inputs"));
  }
  // 'batch' must agree between the inputs; the static dim must match.
  std::vector<float> xs(8), ms(15);
  int64_t xshape[2] = {2, 4}, mshape[2] = {3, 5}, bad[2] = {2, 3};
  TensorHolder x(lutTensorCreate(xs.data(), xshape, 2, LUT_DTYPE_FLOAT, 0));
  TensorHolder m(lutTensorCreate(ms.data(), mshape, 2, LUT_DTYPE_FLOAT, 0));
  TensorHolder xb(lutTensorCreate(xs.data(), bad, 2, LUT_DTYPE_FLOAT, 0));
  LutTensor *ins[2] = {x.get(), m.get()};
  LutTensor *out = nullptr;
  EXPECT_EQ(lutModelRun(model.get(), ins, 2, &out, 1), LUT_ERROR_MISMATCH);
  EXPECT_THAT(lastError(), HasSubstr("input 1 ('mask'): dimension 0 ('batch') is 3 but input 0 "
                                     "('x') has 'batch' = 2"));
  LutTensor *ins2[2] = {xb.get(), m.get()};
  EXPECT_EQ(lutModelRun(model.get(), ins2, 2, &out, 1), LUT_ERROR_MISMATCH);
  EXPECT_THAT(lastError(), HasSubstr("input 0 ('x'): expected shape [?batch,4], got [2,3]"));
}

TEST(DynamicSignature, OutputShapesMustFitTheSignature) {
  ModelHolder model(lutModelCreateFromDynamicSymbols(fakeRun, badShapes, kDynamicSig));
  ASSERT_NE(model.get(), nullptr) << lastError();
  std::vector<float> xs(4), ms(1);
  int64_t xshape[2] = {1, 4}, mshape[2] = {1, 1};
  TensorHolder x(lutTensorCreate(xs.data(), xshape, 2, LUT_DTYPE_FLOAT, 0));
  TensorHolder m(lutTensorCreate(ms.data(), mshape, 2, LUT_DTYPE_FLOAT, 0));
  LutTensor *ins[2] = {x.get(), m.get()};
  LutTensor *out = nullptr;
  EXPECT_EQ(lutModelRun(model.get(), ins, 2, &out, 1), LUT_ERROR_MODEL_FAILED);
  EXPECT_EQ(out, nullptr);
  EXPECT_THAT(lastError(), HasSubstr("output 0 ('y'): the model computed shape [1,5], which does "
                                     "not fit its signature [?batch,4]"));
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
        BadSignature{"lut-model v1\ninput 0 float ?b*,3 a\n" OUT,
                     "line 2: invalid dynamic dimension '?b*' in shape '?b*,3'"},
        BadSignature{"lut-model v1\ninput 0 float 2?,3 a\n" OUT,
                     "invalid shape '2?,3'"},
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
                     "output 2 is declared but output 1 is missing"},
        BadSignature{"lut-model v1\ntarget x86_64-linux-gnu znver4\n" OUT,
                     "line 2: expected 'target <triple> <cpu> <features|->'"},
        BadSignature{"lut-model v1\ntarget x86_64-linux-gnu znver4 avx2,,fma\n" OUT,
                     "line 2: empty feature name in 'avx2,,fma'"},
        BadSignature{"lut-model v1\ntarget a b -\ntarget a b -\n" OUT,
                     "line 3: duplicate 'target' record (first on line 2)"}));
#undef OUT

//===----------------------------------------------------------------------===//
// The target record
//===----------------------------------------------------------------------===//

#if defined(__x86_64__)
#define HOST_TRIPLE "x86_64-unknown-linux-gnu"
#define OTHER_TRIPLE "aarch64-unknown-linux-gnu"
#elif defined(__aarch64__)
#define HOST_TRIPLE "aarch64-unknown-linux-gnu"
#define OTHER_TRIPLE "x86_64-unknown-linux-gnu"
#endif

#ifdef HOST_TRIPLE
TEST(SignatureTarget, HostTargetLoads) {
  // The features every x86-64 or AArch64 CPU has, plus one nobody knows.
#if defined(__x86_64__)
  const char *features = "sse2,cx8,some-future-feature";
#else
  const char *features = "neon,some-future-feature";
#endif
  std::string text = std::string("lut-model v1\ntarget " HOST_TRIPLE " generic ") +
                     features + "\noutput 0 float 1 y\n";
  ModelHolder model(lutModelCreateFromSymbols(dummyRun, text.c_str()));
  EXPECT_NE(model.get(), nullptr) << lastError();
  ModelHolder none(lutModelCreateFromSymbols(
      dummyRun, "lut-model v1\ntarget " HOST_TRIPLE " generic -\noutput 0 float 1 y\n"));
  EXPECT_NE(none.get(), nullptr) << lastError();
}

TEST(SignatureTarget, OtherArchitectureIsRejected) {
  LutModel *model = lutModelCreateFromSymbols(
      dummyRun, "lut-model v1\ntarget " OTHER_TRIPLE " generic -\noutput 0 float 1 y\n");
  EXPECT_EQ(model, nullptr);
  lutModelFree(model);
  EXPECT_EQ(lutGetLastStatus(), LUT_ERROR_UNSUPPORTED_CPU);
  EXPECT_THAT(lastError(), HasSubstr("compiled for " OTHER_TRIPLE));
  EXPECT_STREQ(lutStatusString(LUT_ERROR_UNSUPPORTED_CPU), "LUT_ERROR_UNSUPPORTED_CPU");
}
#endif

#if defined(__x86_64__)
TEST(SignatureTarget, MissingFeatureIsRejected) {
  // The first of these features that this CPU lacks (this machine, an AMD
  // Zen 4, lacks avx512fp16); skipped on a CPU that has them all.
  const char *candidates[] = {"avx512fp16", "avx512bf16", "avx512vbmi2", "avx512f", "avx2"};
  const char *missing = nullptr;
  for (const char *f : candidates) {
    std::string text = std::string("lut-model v1\ntarget " HOST_TRIPLE " x ") + f +
                       "\noutput 0 float 1 y\n";
    LutModel *m = lutModelCreateFromSymbols(dummyRun, text.c_str());
    if (!m) {
      missing = f;
      EXPECT_EQ(lutGetLastStatus(), LUT_ERROR_UNSUPPORTED_CPU);
      EXPECT_THAT(lastError(), HasSubstr(std::string("lacks: ") + f));
      EXPECT_THAT(lastError(), HasSubstr("--mcpu"));
      break;
    }
    lutModelFree(m);
  }
  if (!missing)
    GTEST_SKIP() << "this CPU has every candidate feature";
}
#endif


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
    } else if (lutGetLastStatus() != LUT_ERROR_BAD_SIGNATURE) {
      // A `?` can make a valid dynamic signature, which wants the other
      // constructor.
      EXPECT_EQ(lutGetLastStatus(), LUT_ERROR_INVALID_ARGUMENT);
      EXPECT_THAT(lastError(), HasSubstr("dynamic dims"));
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

} // namespace
