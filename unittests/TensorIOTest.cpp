//===- TensorIOTest.cpp - Tests of .npy and TensorProto reading/writing ---===//
//
// Round trips of every dtype over several shapes (scalar and empty included),
// hand-made .npy images as NumPy writes them, malformed .npy files, and
// element helpers. TensorProto specifics are in TensorProtoTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "TensorIOTestUtil.h"
#include "lut/Runtime/TensorIO.h"

#include "onnx/onnx_pb.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace lut::runtime;
using namespace lut::runtime::testing;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

//===----------------------------------------------------------------------===//
// Fixtures and helpers (and TensorIOTestUtil.h)
//===----------------------------------------------------------------------===//

const LutDType kAllDTypes[] = {
    LUT_DTYPE_FLOAT, LUT_DTYPE_DOUBLE, LUT_DTYPE_FLOAT16, LUT_DTYPE_BFLOAT16,
    LUT_DTYPE_INT8,  LUT_DTYPE_INT16,  LUT_DTYPE_INT32,   LUT_DTYPE_INT64,
    LUT_DTYPE_UINT8, LUT_DTYPE_UINT16, LUT_DTYPE_UINT32,  LUT_DTYPE_UINT64,
    LUT_DTYPE_BOOL,
};

const std::vector<std::vector<int64_t>> kShapes = {
    {}, {0}, {7}, {2, 3}, {2, 0, 3}, {1, 2, 3, 4},
};


/// Checks that two tensors have the same dtype, shape and bytes.
void expectSameTensor(const LutTensor *expected, const LutTensor *actual,
                      const std::string &what) {
  ASSERT_NE(actual, nullptr) << what;
  EXPECT_EQ(lutTensorGetDType(actual), lutTensorGetDType(expected)) << what;
  EXPECT_EQ(tensorShape(actual), tensorShape(expected)) << what;
  ASSERT_EQ(lutTensorGetSizeInBytes(actual), lutTensorGetSizeInBytes(expected))
      << what;
  size_t n = lutTensorGetSizeInBytes(expected);
  if (n)
    EXPECT_EQ(
        std::memcmp(lutTensorGetData(actual), lutTensorGetData(expected), n), 0)
        << what << ": data differs";
}

/// A .npy v1.0 image with the given header dict (padded like NumPy) and data.
std::string npyImage(const std::string &dict, const std::string &data,
                     int major = 1) {
  size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  size_t n = header.size();
  out += static_cast<char>(n & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  if (major != 1) {
    out += static_cast<char>((n >> 16) & 0xff);
    out += static_cast<char>((n >> 24) & 0xff);
  }
  return out + header + data;
}

template <typename T> std::string bytesOf(const std::vector<T> &v) {
  return std::string(reinterpret_cast<const char *>(v.data()),
                     v.size() * sizeof(T));
}

//===----------------------------------------------------------------------===//
// Round trips
//===----------------------------------------------------------------------===//

TEST_F(TensorIOTest, NpyRoundTripAllDTypesAndShapes) {
  uint32_t seed = 1;
  for (LutDType dtype : kAllDTypes)
    for (const auto &shape : kShapes) {
      std::string what =
          std::string(lutDTypeName(dtype)) + " " + shapeToString(shape);
      TensorPtr t = randomTensor(dtype, shape, seed++);
      ASSERT_NE(t, nullptr) << what;
      std::string file = path("t.npy"), error;
      ASSERT_TRUE(writeNpy(file, t.get(), error)) << what << ": " << error;
      TensorPtr back = readNpy(file, error);
      ASSERT_NE(back, nullptr) << what << ": " << error;
      expectSameTensor(t.get(), back.get(), what);
    }
}

TEST_F(TensorIOTest, PbRoundTripAllDTypesAndShapes) {
  uint32_t seed = 100;
  for (LutDType dtype : kAllDTypes)
    for (const auto &shape : kShapes) {
      std::string what =
          std::string(lutDTypeName(dtype)) + " " + shapeToString(shape);
      TensorPtr t = randomTensor(dtype, shape, seed++);
      ASSERT_NE(t, nullptr) << what;
      std::string file = path("t.pb"), error, name;
      ASSERT_TRUE(writeTensorProto(file, t.get(), "my tensor", error))
          << what << ": " << error;
      TensorPtr back = readTensorProto(file, &name, error);
      ASSERT_NE(back, nullptr) << what << ": " << error;
      EXPECT_EQ(name, "my tensor");
      expectSameTensor(t.get(), back.get(), what);
    }
}

TEST_F(TensorIOTest, ReadTensorFileDispatchesOnExtension) {
  TensorPtr t = randomTensor(LUT_DTYPE_INT32, {3}, 7);
  std::string error, name = "stale";
  ASSERT_TRUE(writeNpy(path("x.NPY"), t.get(), error)) << error;
  ASSERT_TRUE(writeTensorProto(path("y.pb"), t.get(), "y", error)) << error;
  TensorPtr a = readTensorFile(path("x.NPY"), &name, error);
  expectSameTensor(t.get(), a.get(), "npy");
  EXPECT_EQ(name, "");
  TensorPtr b = readTensorFile(path("y.pb"), &name, error);
  expectSameTensor(t.get(), b.get(), "pb");
  EXPECT_EQ(name, "y");

  EXPECT_EQ(readTensorFile(path("z.txt"), nullptr, error), nullptr);
  EXPECT_THAT(error, HasSubstr("unknown tensor file extension (expected .npy "
                               "or .pb)"));
  EXPECT_EQ(tensorFileFormatFromPath("dir.npy/file"), std::nullopt);
  EXPECT_EQ(tensorFileFormatFromPath("a.b.Pb"), TensorFileFormat::TensorProto);
}

//===----------------------------------------------------------------------===//
// .npy specifics
//===----------------------------------------------------------------------===//

TEST(Npy, SerializedLayoutMatchesNumPy) {
  float v[6] = {0, 1, 2, 3, 4, 5};
  const int64_t shape[] = {2, 3};
  TensorPtr t(lutTensorCreate(v, shape, 2, LUT_DTYPE_FLOAT, 0));
  std::string out, error;
  ASSERT_TRUE(serializeNpy(t.get(), out, error)) << error;
  // What np.save(f, np.arange(6, dtype=np.float32).reshape(2, 3)) writes.
  std::string expected =
      npyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
               bytesOf(std::vector<float>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(out, expected);
  EXPECT_EQ((out.size() - 24) % 64, 0u);

  // 1-d shapes are written as a 1-tuple, scalars as ().
  const int64_t one[] = {3};
  TensorPtr t1(lutTensorCreate(v, one, 1, LUT_DTYPE_FLOAT, 0));
  ASSERT_TRUE(serializeNpy(t1.get(), out, error));
  EXPECT_THAT(out, HasSubstr("'shape': (3,), }"));
  TensorPtr t0(lutTensorCreate(v, nullptr, 0, LUT_DTYPE_FLOAT, 0));
  ASSERT_TRUE(serializeNpy(t0.get(), out, error));
  EXPECT_THAT(out, HasSubstr("'shape': (), }"));
}

TEST(Npy, ReadsNumPyStyleHeaders) {
  std::string error;
  // Version 1.0 as NumPy writes it.
  std::string v1 =
      npyImage("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
               bytesOf(std::vector<int64_t>{-5, 0, 7}));
  TensorPtr t = parseNpy(v1.data(), v1.size(), error);
  ASSERT_NE(t, nullptr) << error;
  EXPECT_EQ(lutTensorGetDType(t.get()), LUT_DTYPE_INT64);
  EXPECT_EQ(tensorShape(t.get()), (std::vector<int64_t>{3}));
  EXPECT_EQ(static_cast<const int64_t *>(lutTensorGetData(t.get()))[0], -5);

  // Version 2.0 and 3.0, another key order, double quotes, no trailing comma,
  // Python 2 long literals, '=' byte order and a bool scalar.
  for (int major : {2, 3}) {
    std::string img = npyImage(
        "{\"shape\": (2L, 1L), \"fortran_order\": False, \"descr\": \"=u2\"}",
        bytesOf(std::vector<uint16_t>{65535, 1}), major);
    t = parseNpy(img.data(), img.size(), error);
    ASSERT_NE(t, nullptr) << error;
    EXPECT_EQ(lutTensorGetDType(t.get()), LUT_DTYPE_UINT16);
    EXPECT_EQ(tensorShape(t.get()), (std::vector<int64_t>{2, 1}));
    EXPECT_EQ(static_cast<const uint16_t *>(lutTensorGetData(t.get()))[0],
              65535);
  }
  std::string img = npyImage(
      "{'descr': '|b1', 'fortran_order': False, 'shape': (), }", "\x01");
  t = parseNpy(img.data(), img.size(), error);
  ASSERT_NE(t, nullptr) << error;
  EXPECT_EQ(lutTensorGetDType(t.get()), LUT_DTYPE_BOOL);
  EXPECT_EQ(lutTensorGetRank(t.get()), 0);
  EXPECT_EQ(elementAsDouble(t.get(), 0), 1.0);

  // '|V2' is bfloat16.
  img = npyImage("{'descr': '<V2', 'fortran_order': False, 'shape': (1,), }",
                 bytesOf(std::vector<uint16_t>{0x3f80}));
  t = parseNpy(img.data(), img.size(), error);
  ASSERT_NE(t, nullptr) << error;
  EXPECT_EQ(lutTensorGetDType(t.get()), LUT_DTYPE_BFLOAT16);
  EXPECT_EQ(elementAsDouble(t.get(), 0), 1.0);
}

struct BadNpy {
  const char *what;
  std::string bytes;
  const char *message;
};

void PrintTo(const BadNpy &c, std::ostream *os) { *os << c.what; }

const std::string kF4x2 = bytesOf(std::vector<float>{1, 2});

std::vector<BadNpy> badNpyCases() {
  auto dict = [](const std::string &descr, const std::string &order,
                 const std::string &shape) {
    return "{'descr': " + descr + ", 'fortran_order': " + order +
           ", 'shape': " + shape + ", }";
  };
  std::string good = npyImage(dict("'<f4'", "False", "(2,)"), kF4x2);
  std::string v4 = good;
  v4[6] = 4;
  return {
      {"empty", "", "not a .npy file (bad magic"},
      {"bad magic", "PK\x03\x04 this is a zip", "bad magic"},
      {"version", v4, "unsupported .npy format version 4.0"},
      {"no header length", std::string("\x93NUMPY\x01\x00", 8),
       "truncated .npy file (incomplete header length)"},
      {"truncated header", good.substr(0, 40), "truncated .npy header"},
      {"fortran", npyImage(dict("'<f4'", "True", "(2,)"), kF4x2),
       "Fortran-order arrays are not supported"},
      {"complex", npyImage(dict("'<c8'", "False", "(1,)"), kF4x2),
       "unsupported dtype '<c8' (complex)"},
      {"object", npyImage(dict("'|O'", "False", "(1,)"), kF4x2),
       "unsupported dtype '|O' (Python objects)"},
      {"unicode", npyImage(dict("'<U2'", "False", "(1,)"), kF4x2),
       "unsupported dtype '<U2' (strings)"},
      {"long double", npyImage(dict("'<f16'", "False", "(1,)"), kF4x2),
       "unsupported dtype '<f16'"},
      {"big endian", npyImage(dict("'>f4'", "False", "(2,)"), kF4x2),
       "big-endian dtype '>f4' is not supported"},
      {"structured", npyImage(dict("[('a', '<f4')]", "False", "(2,)"), kF4x2),
       "structured dtypes"},
      {"negative dim", npyImage(dict("'<f4'", "False", "(-2,)"), kF4x2),
       "negative dimension"},
      {"shape not tuple", npyImage(dict("'<f4'", "False", "[2]"), kF4x2),
       "expected a tuple for 'shape'"},
      {"missing key", npyImage("{'descr': '<f4', 'shape': (2,), }", kF4x2),
       "missing key 'fortran_order'"},
      {"extra key",
       npyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), "
                "'x': 1}",
                kF4x2),
       "unexpected key 'x'"},
      {"bad bool", npyImage(dict("'<f4'", "false", "(2,)"), kF4x2),
       "expected True or False"},
      {"not a dict", npyImage("[1, 2]", kF4x2), "expected '{'"},
      {"text after dict",
       npyImage(dict("'<f4'", "False", "(2,)") + " x", kF4x2),
       "unexpected text after '}'"},
      {"huge shape",
       npyImage(dict("'<f4'", "False", "(4294967296, 4294967296)"), kF4x2),
       "overflows"},
      {"truncated data", npyImage(dict("'<f4'", "False", "(3,)"), kF4x2),
       "truncated .npy data: shape [3] of '<f4' needs 12 bytes, the file has "
       "8"},
      {"trailing data", npyImage(dict("'<f4'", "False", "(1,)"), kF4x2),
       "4 unexpected bytes after the data"},
  };
}

class BadNpyFile : public TensorIOTest,
                   public ::testing::WithParamInterface<BadNpy> {};

TEST_P(BadNpyFile, IsRejectedFromMemoryAndFile) {
  const BadNpy &c = GetParam();
  std::string error;
  EXPECT_EQ(parseNpy(c.bytes.data(), c.bytes.size(), error), nullptr) << c.what;
  EXPECT_THAT(error, HasSubstr(c.message)) << c.what;

  writeBytes("bad.npy", c.bytes);
  error.clear();
  EXPECT_EQ(readNpy(path("bad.npy"), error), nullptr) << c.what;
  EXPECT_THAT(error, HasSubstr(c.message)) << c.what;
  EXPECT_THAT(error, HasSubstr(path("bad.npy"))) << c.what;
}

INSTANTIATE_TEST_SUITE_P(Npy, BadNpyFile, ::testing::ValuesIn(badNpyCases()));

TEST_F(TensorIOTest, NpyFileErrors) {
  std::string error;
  EXPECT_EQ(readNpy(path("missing.npy"), error), nullptr);
  EXPECT_THAT(error, HasSubstr("missing.npy: cannot open: No such file or "
                               "directory"));
  EXPECT_EQ(readNpy(dir.string(), error), nullptr);
  EXPECT_THAT(error, HasSubstr("is a directory"));

  TensorPtr t = randomTensor(LUT_DTYPE_FLOAT, {2}, 3);
  EXPECT_FALSE(writeNpy(path("no/such/dir/x.npy"), t.get(), error));
  EXPECT_THAT(error, HasSubstr("cannot open for writing"));
  EXPECT_FALSE(writeNpy(path("x.npy"), nullptr, error));
  EXPECT_THAT(error, HasSubstr("null tensor"));
}

TEST(Npy, SurvivesTruncationAndCorruption) {
  TensorPtr t = randomTensor(LUT_DTYPE_INT32, {3, 5}, 11);
  std::string image, error;
  ASSERT_TRUE(serializeNpy(t.get(), image, error)) << error;
  // Every proper prefix is an error, never a crash or a tensor.
  for (size_t n = 0; n < image.size(); ++n) {
    error.clear();
    EXPECT_EQ(parseNpy(image.data(), n, error), nullptr) << "prefix " << n;
    EXPECT_FALSE(error.empty()) << "prefix " << n;
  }
  // Random byte changes in the prefix and header: either still a valid
  // tensor whose size matches the image, or an error message.
  std::mt19937 rng(2024);
  const size_t headerEnd = image.size() - lutTensorGetSizeInBytes(t.get());
  for (int iter = 0; iter < 5000; ++iter) {
    std::string corrupt = image;
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f)
      corrupt[rng() % headerEnd] = static_cast<char>(rng() & 0xff);
    error.clear();
    TensorPtr back = parseNpy(corrupt.data(), corrupt.size(), error);
    if (back)
      EXPECT_LE(lutTensorGetSizeInBytes(back.get()), corrupt.size());
    else
      EXPECT_FALSE(error.empty());
  }
}

//===----------------------------------------------------------------------===//
// Element helpers
//===----------------------------------------------------------------------===//

TEST(Elements, HalfAndBFloat16Conversion) {
  EXPECT_EQ(halfToFloat(0x0000), 0.0f);
  EXPECT_TRUE(std::signbit(halfToFloat(0x8000)));
  EXPECT_EQ(halfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(halfToFloat(0xc000), -2.0f);
  EXPECT_EQ(halfToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24)); // smallest subnormal
  EXPECT_EQ(halfToFloat(0x0400), std::ldexp(1.0f, -14)); // smallest normal
  EXPECT_EQ(halfToFloat(0x3555), 0.333251953125f);
  EXPECT_TRUE(std::isinf(halfToFloat(0x7c00)));
  EXPECT_TRUE(std::isinf(halfToFloat(0xfc00)) && halfToFloat(0xfc00) < 0);
  EXPECT_TRUE(std::isnan(halfToFloat(0x7e00)));
  EXPECT_EQ(bfloat16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(bfloat16ToFloat(0xc2f7), -123.5f);
  EXPECT_TRUE(std::isnan(bfloat16ToFloat(0x7fc0)));
}

TEST(Elements, ElementAsDouble) {
  int8_t i8[2] = {-7, 100};
  const int64_t shape[] = {2};
  TensorPtr t(lutTensorCreate(i8, shape, 1, LUT_DTYPE_INT8, 0));
  EXPECT_EQ(elementAsDouble(t.get(), 0), -7.0);
  EXPECT_EQ(elementAsDouble(t.get(), 1), 100.0);
  uint64_t u[2] = {0, uint64_t(1) << 63};
  TensorPtr tu(lutTensorCreate(u, shape, 1, LUT_DTYPE_UINT64, 0));
  EXPECT_EQ(elementAsDouble(tu.get(), 1), 9223372036854775808.0);
  EXPECT_EQ(shapeToString({}), "[]");
  EXPECT_EQ(shapeToString({1, 0, 3}), "[1,0,3]");
}

} // namespace
