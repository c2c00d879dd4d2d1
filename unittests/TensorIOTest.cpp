//===- TensorIOTest.cpp - Tests of .npy and TensorProto reading/writing ---===//
//
// Round trips of every dtype over several shapes (scalar and empty included),
// hand-made .npy images as NumPy writes them, typed TensorProto fields, and
// malformed files of both kinds.
//
//===----------------------------------------------------------------------===//

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
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

//===----------------------------------------------------------------------===//
// Fixtures and helpers
//===----------------------------------------------------------------------===//

/// A fresh temporary directory per test, removed afterwards.
class TensorIOTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name =
        std::string(info->test_suite_name()) + "." + info->name();
    for (char &c : name)
      if (c == '/')
        c = '_';
    dir = fs::temp_directory_path() /
          ("lut-tensorio-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string path(const std::string &file) const {
    return (dir / file).string();
  }

  void writeBytes(const std::string &file, const std::string &bytes) const {
    std::ofstream out(path(file), std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good());
  }

  fs::path dir;
};

const LutDType kAllDTypes[] = {
    LUT_DTYPE_FLOAT, LUT_DTYPE_DOUBLE, LUT_DTYPE_FLOAT16, LUT_DTYPE_BFLOAT16,
    LUT_DTYPE_INT8,  LUT_DTYPE_INT16,  LUT_DTYPE_INT32,   LUT_DTYPE_INT64,
    LUT_DTYPE_UINT8, LUT_DTYPE_UINT16, LUT_DTYPE_UINT32,  LUT_DTYPE_UINT64,
    LUT_DTYPE_BOOL,
};

const std::vector<std::vector<int64_t>> kShapes = {
    {}, {0}, {7}, {2, 3}, {2, 0, 3}, {1, 2, 3, 4},
};

/// A tensor of `shape` and `dtype` filled with random bytes (0/1 for bool).
TensorPtr randomTensor(LutDType dtype, const std::vector<int64_t> &shape,
                       uint32_t seed) {
  TensorPtr t(lutTensorCreateEmpty(shape.data(),
                                   static_cast<int64_t>(shape.size()), dtype));
  if (!t)
    return t;
  std::mt19937 rng(seed);
  auto *bytes = static_cast<unsigned char *>(lutTensorGetData(t.get()));
  size_t n = lutTensorGetSizeInBytes(t.get());
  for (size_t i = 0; i < n; ++i)
    bytes[i] = dtype == LUT_DTYPE_BOOL ? rng() & 1 : rng() & 0xff;
  return t;
}

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
// TensorProto specifics
//===----------------------------------------------------------------------===//

TEST(Pb, DTypeValuesMatchOnnx) {
  EXPECT_EQ(LUT_DTYPE_FLOAT, onnx::TensorProto::FLOAT);
  EXPECT_EQ(LUT_DTYPE_UINT8, onnx::TensorProto::UINT8);
  EXPECT_EQ(LUT_DTYPE_INT8, onnx::TensorProto::INT8);
  EXPECT_EQ(LUT_DTYPE_UINT16, onnx::TensorProto::UINT16);
  EXPECT_EQ(LUT_DTYPE_INT16, onnx::TensorProto::INT16);
  EXPECT_EQ(LUT_DTYPE_INT32, onnx::TensorProto::INT32);
  EXPECT_EQ(LUT_DTYPE_INT64, onnx::TensorProto::INT64);
  EXPECT_EQ(LUT_DTYPE_STRING, onnx::TensorProto::STRING);
  EXPECT_EQ(LUT_DTYPE_BOOL, onnx::TensorProto::BOOL);
  EXPECT_EQ(LUT_DTYPE_FLOAT16, onnx::TensorProto::FLOAT16);
  EXPECT_EQ(LUT_DTYPE_DOUBLE, onnx::TensorProto::DOUBLE);
  EXPECT_EQ(LUT_DTYPE_UINT32, onnx::TensorProto::UINT32);
  EXPECT_EQ(LUT_DTYPE_UINT64, onnx::TensorProto::UINT64);
  EXPECT_EQ(LUT_DTYPE_COMPLEX64, onnx::TensorProto::COMPLEX64);
  EXPECT_EQ(LUT_DTYPE_COMPLEX128, onnx::TensorProto::COMPLEX128);
  EXPECT_EQ(LUT_DTYPE_BFLOAT16, onnx::TensorProto::BFLOAT16);
}

TEST(Pb, WritesRawData) {
  int16_t v[3] = {1, -2, 3};
  const int64_t shape[] = {3, 1};
  TensorPtr t(lutTensorCreate(v, shape, 2, LUT_DTYPE_INT16, 0));
  onnx::TensorProto proto;
  std::string error;
  ASSERT_TRUE(tensorToProto(t.get(), "w", proto, error)) << error;
  EXPECT_EQ(proto.name(), "w");
  EXPECT_EQ(proto.data_type(), onnx::TensorProto::INT16);
  ASSERT_EQ(proto.dims_size(), 2);
  EXPECT_EQ(proto.dims(0), 3);
  EXPECT_EQ(proto.dims(1), 1);
  EXPECT_EQ(proto.raw_data(), std::string(reinterpret_cast<char *>(v), 6));
  EXPECT_EQ(proto.int32_data_size(), 0);
}

/// A TensorProto of `dtype` and shape [n] with no data yet.
onnx::TensorProto makeProto(int dtype, int64_t n) {
  onnx::TensorProto p;
  p.set_data_type(dtype);
  p.add_dims(n);
  return p;
}

template <typename T> std::vector<T> dataOf(const TensorPtr &t) {
  const T *p = static_cast<const T *>(lutTensorGetData(t.get()));
  return std::vector<T>(p, p + lutTensorGetNumElements(t.get()));
}

TEST(Pb, ReadsTypedFields) {
  std::string error;
  {
    auto p = makeProto(onnx::TensorProto::FLOAT, 3);
    for (float f : {1.5f, -2.0f, 1e30f})
      p.add_float_data(f);
    TensorPtr t = tensorFromProto(p, nullptr, error);
    ASSERT_NE(t, nullptr) << error;
    EXPECT_EQ(dataOf<float>(t), (std::vector<float>{1.5f, -2.0f, 1e30f}));
  }
  {
    auto p = makeProto(onnx::TensorProto::DOUBLE, 2);
    p.add_double_data(0.1);
    p.add_double_data(-1e300);
    TensorPtr t = tensorFromProto(p, nullptr, error);
    ASSERT_NE(t, nullptr) << error;
    EXPECT_EQ(dataOf<double>(t), (std::vector<double>{0.1, -1e300}));
  }
  {
    auto p = makeProto(onnx::TensorProto::INT64, 2);
    p.add_int64_data(INT64_MIN);
    p.add_int64_data(42);
    TensorPtr t = tensorFromProto(p, nullptr, error);
    ASSERT_NE(t, nullptr) << error;
    EXPECT_EQ(dataOf<int64_t>(t), (std::vector<int64_t>{INT64_MIN, 42}));
  }
  {
    auto p = makeProto(onnx::TensorProto::UINT64, 1);
    p.add_uint64_data(UINT64_MAX);
    TensorPtr t = tensorFromProto(p, nullptr, error);
    ASSERT_NE(t, nullptr) << error;
    EXPECT_EQ(dataOf<uint64_t>(t), (std::vector<uint64_t>{UINT64_MAX}));
  }
  {
    auto p = makeProto(onnx::TensorProto::UINT32, 2);
    p.add_uint64_data(UINT32_MAX);
    p.add_uint64_data(3);
    TensorPtr t = tensorFromProto(p, nullptr, error);
    ASSERT_NE(t, nullptr) << error;
    EXPECT_EQ(dataOf<uint32_t>(t), (std::vector<uint32_t>{UINT32_MAX, 3}));
  }
  auto int32Field = [&](int dtype, std::vector<int32_t> values) {
    auto p = makeProto(dtype, static_cast<int64_t>(values.size()));
    for (int32_t v : values)
      p.add_int32_data(v);
    TensorPtr t = tensorFromProto(p, nullptr, error);
    EXPECT_NE(t, nullptr) << error;
    return t;
  };
  EXPECT_EQ(
      dataOf<int32_t>(int32Field(onnx::TensorProto::INT32, {INT32_MIN, 5})),
      (std::vector<int32_t>{INT32_MIN, 5}));
  EXPECT_EQ(
      dataOf<int16_t>(int32Field(onnx::TensorProto::INT16, {-32768, 32767})),
      (std::vector<int16_t>{-32768, 32767}));
  EXPECT_EQ(dataOf<int8_t>(int32Field(onnx::TensorProto::INT8, {-128, 127})),
            (std::vector<int8_t>{-128, 127}));
  EXPECT_EQ(dataOf<uint8_t>(int32Field(onnx::TensorProto::UINT8, {0, 255})),
            (std::vector<uint8_t>{0, 255}));
  EXPECT_EQ(dataOf<uint16_t>(int32Field(onnx::TensorProto::UINT16, {65535})),
            (std::vector<uint16_t>{65535}));
  EXPECT_EQ(dataOf<uint8_t>(int32Field(onnx::TensorProto::BOOL, {1, 0, 1})),
            (std::vector<uint8_t>{1, 0, 1}));
  // float16 and bfloat16 are bit patterns in int32_data.
  TensorPtr h = int32Field(onnx::TensorProto::FLOAT16, {0x3c00, 0xc000});
  EXPECT_EQ(elementAsDouble(h.get(), 0), 1.0);
  EXPECT_EQ(elementAsDouble(h.get(), 1), -2.0);
  TensorPtr bf = int32Field(onnx::TensorProto::BFLOAT16, {0x3f80, 0x4049});
  EXPECT_EQ(elementAsDouble(bf.get(), 0), 1.0);
  EXPECT_NEAR(elementAsDouble(bf.get(), 1), 3.140625, 1e-9);

  // A scalar with one value, and an empty tensor with none.
  onnx::TensorProto scalar;
  scalar.set_data_type(onnx::TensorProto::FLOAT);
  scalar.add_float_data(2.5f);
  TensorPtr s = tensorFromProto(scalar, nullptr, error);
  ASSERT_NE(s, nullptr) << error;
  EXPECT_EQ(lutTensorGetRank(s.get()), 0);
  EXPECT_EQ(dataOf<float>(s), (std::vector<float>{2.5f}));
  TensorPtr e =
      tensorFromProto(makeProto(onnx::TensorProto::INT64, 0), nullptr, error);
  ASSERT_NE(e, nullptr) << error;
  EXPECT_EQ(lutTensorGetNumElements(e.get()), 0);
}

struct BadProto {
  const char *what;
  onnx::TensorProto proto;
  const char *message;
};

void PrintTo(const BadProto &c, std::ostream *os) { *os << c.what; }

std::vector<BadProto> badProtoCases() {
  std::vector<BadProto> cases;
  auto add = [&](const char *what, onnx::TensorProto p, const char *message) {
    cases.push_back({what, std::move(p), message});
  };
  add("undefined", onnx::TensorProto(), "no data_type (UNDEFINED)");
  {
    auto p = makeProto(onnx::TensorProto::STRING, 1);
    p.add_string_data("hi");
    add("string", p, "data_type STRING is not supported");
  }
  add("complex", makeProto(onnx::TensorProto::COMPLEX64, 0),
      "complex TensorProtos are not supported");
  add("unknown dtype", makeProto(77, 0), "has an unsupported data_type 77");
  {
    auto p = makeProto(onnx::TensorProto::FLOAT, 2);
    p.set_raw_data(std::string(7, '\0'));
    add("raw size", p, "raw_data has 7 bytes, but float shape [2] needs 8");
  }
  {
    auto p = makeProto(onnx::TensorProto::FLOAT, 1);
    p.set_raw_data(std::string(4, '\0'));
    p.add_float_data(1);
    add("raw and typed", p, "has both raw_data and float_data");
  }
  {
    auto p = makeProto(onnx::TensorProto::FLOAT, 3);
    p.add_float_data(1);
    add("short typed", p,
        "float_data has 1 values, but float shape [3] needs 3");
  }
  add("no data", makeProto(onnx::TensorProto::INT32, 2),
      "int32_data has 0 values, but int32 shape [2] needs 2");
  {
    auto p = makeProto(onnx::TensorProto::FLOAT, 1);
    p.add_int64_data(1);
    add("wrong field", p,
        "holds its data in int64_data (expected raw_data or float_data)");
  }
  {
    auto p = makeProto(onnx::TensorProto::INT8, 2);
    p.add_int32_data(1);
    p.add_int32_data(300);
    add("int8 range", p, "int32_data[1] = 300 is out of range for int8");
  }
  {
    auto p = makeProto(onnx::TensorProto::UINT8, 1);
    p.add_int32_data(-1);
    add("uint8 range", p, "int32_data[0] = -1 is out of range for uint8");
  }
  {
    auto p = makeProto(onnx::TensorProto::UINT32, 1);
    p.add_uint64_data(uint64_t(1) << 32);
    add("uint32 range", p, "is out of range for uint32");
  }
  {
    auto p = makeProto(onnx::TensorProto::BOOL, 1);
    p.add_int32_data(2);
    add("bool range", p, "int32_data[0] = 2 is not a bool");
  }
  {
    onnx::TensorProto p;
    p.set_data_type(onnx::TensorProto::FLOAT);
    p.add_dims(-3);
    add("negative dim", p, "dimension 0 is negative (-3)");
  }
  {
    auto p = makeProto(onnx::TensorProto::FLOAT, 1);
    p.set_name("w");
    p.set_data_location(onnx::TensorProto::EXTERNAL);
    auto *entry = p.add_external_data();
    entry->set_key("location");
    entry->set_value("w.bin");
    // Relative to the .pb file's directory, where there is no w.bin (and
    // tensorFromProto has no base directory at all).
    add("external without a file", p, "w.bin");
  }
  {
    auto p = makeProto(onnx::TensorProto::FLOAT, 1);
    p.add_float_data(1);
    p.mutable_segment()->set_begin(0);
    add("segment", p, "segmented TensorProtos are not supported");
  }
  return cases;
}

class BadPbFile : public TensorIOTest,
                  public ::testing::WithParamInterface<BadProto> {};

TEST_P(BadPbFile, IsRejected) {
  const BadProto &c = GetParam();
  std::string error;
  EXPECT_EQ(tensorFromProto(c.proto, nullptr, error), nullptr) << c.what;
  EXPECT_THAT(error, HasSubstr(c.message)) << c.what;

  std::string bytes;
  ASSERT_TRUE(c.proto.SerializeToString(&bytes));
  writeBytes("bad.pb", bytes);
  error.clear();
  EXPECT_EQ(readTensorProto(path("bad.pb"), nullptr, error), nullptr) << c.what;
  EXPECT_THAT(error, HasSubstr(c.message)) << c.what;
  EXPECT_THAT(error, HasSubstr("bad.pb: ")) << c.what;
}

INSTANTIATE_TEST_SUITE_P(Pb, BadPbFile, ::testing::ValuesIn(badProtoCases()));

/// A float TensorProto named "w" of shape [n] whose data is external.
onnx::TensorProto externalProto(int64_t n, const std::string &location,
                                const std::string &offset = "",
                                const std::string &length = "") {
  auto p = makeProto(onnx::TensorProto::FLOAT, n);
  p.set_name("w");
  p.set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const char *key, const std::string &value) {
    auto *entry = p.add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  };
  add("location", location);
  if (!offset.empty())
    add("offset", offset);
  if (!length.empty())
    add("length", length);
  return p;
}

// External data (the decoder the ONNX importer uses too): read relative to
// the .pb file's directory, from `offset` for `length` bytes.
TEST_F(TensorIOTest, PbExternalData) {
  const float values[] = {7.0f, 1.5f, -2.0f, 3.25f};
  writeBytes("w.bin", std::string(reinterpret_cast<const char *>(values),
                                  sizeof(values)));
  std::string bytes, error, name;
  ASSERT_TRUE(externalProto(3, "w.bin", "4", "12").SerializeToString(&bytes));
  writeBytes("ext.pb", bytes);
  TensorPtr t = readTensorProto(path("ext.pb"), &name, error);
  ASSERT_NE(t, nullptr) << error;
  EXPECT_EQ(name, "w");
  EXPECT_EQ(dataOf<float>(t), (std::vector<float>{1.5f, -2.0f, 3.25f}));
  // Without offset and length: the first elements of the file.
  t = tensorFromProto(externalProto(2, "w.bin"), nullptr, error, dir.string());
  ASSERT_NE(t, nullptr) << error;
  EXPECT_EQ(dataOf<float>(t), (std::vector<float>{7.0f, 1.5f}));
}

TEST_F(TensorIOTest, PbExternalDataErrors) {
  writeBytes("w.bin", std::string(16, '\0'));
  struct Case {
    onnx::TensorProto proto;
    const char *message;
  } cases[] = {
      {externalProto(2, "w.bin", "abc"),
       "TensorProto 'w' has an invalid external-data offset 'abc'"},
      {externalProto(2, "w.bin", "0", "12"),
       "TensorProto 'w' has external-data length 12, but float shape [2] "
       "needs 8 bytes"},
      {externalProto(4, "w.bin", "8"),
       "is too short for TensorProto 'w' (offset 8, 16 bytes needed, the "
       "file has 16)"},
      {externalProto(1 << 30, "w.bin"), "is too short for TensorProto 'w'"},
      {externalProto(2, "missing.bin"),
       "cannot open external data file"},
  };
  for (const Case &c : cases) {
    std::string bytes, error;
    ASSERT_TRUE(c.proto.SerializeToString(&bytes));
    writeBytes("bad.pb", bytes);
    EXPECT_EQ(readTensorProto(path("bad.pb"), nullptr, error), nullptr);
    EXPECT_THAT(error, HasSubstr(c.message));
  }
  // External data with inline data as well.
  auto p = externalProto(2, "w.bin");
  p.set_raw_data(std::string(8, '\0'));
  std::string error;
  EXPECT_EQ(tensorFromProto(p, nullptr, error, dir.string()), nullptr);
  EXPECT_THAT(error, HasSubstr("'w' has both external data and raw_data"));
}

TEST_F(TensorIOTest, PbFileErrors) {
  std::string error;
  EXPECT_EQ(readTensorProto(path("missing.pb"), nullptr, error), nullptr);
  EXPECT_THAT(error, HasSubstr("cannot open: No such file or directory"));

  // Not protobuf wire format: an invalid tag varint.
  writeBytes("garbage.pb", std::string("\xff\xff\xff\xff\xff\xff", 6));
  EXPECT_EQ(readTensorProto(path("garbage.pb"), nullptr, error), nullptr);
  EXPECT_THAT(error, HasSubstr("not a valid serialized ONNX TensorProto"));

  // A truncated serialization (cut inside raw_data).
  TensorPtr t = randomTensor(LUT_DTYPE_FLOAT, {16}, 5);
  onnx::TensorProto p;
  ASSERT_TRUE(tensorToProto(t.get(), "x", p, error)) << error;
  std::string bytes;
  ASSERT_TRUE(p.SerializeToString(&bytes));
  writeBytes("cut.pb", bytes.substr(0, bytes.size() - 10));
  EXPECT_EQ(readTensorProto(path("cut.pb"), nullptr, error), nullptr);
  EXPECT_THAT(error, HasSubstr("cut.pb: "));

  // An empty file parses as an empty TensorProto, which has no dtype.
  writeBytes("empty.pb", "");
  EXPECT_EQ(readTensorProto(path("empty.pb"), nullptr, error), nullptr);
  EXPECT_THAT(error, HasSubstr("no data_type (UNDEFINED)"));
}

TEST(Pb, SurvivesTruncationAndCorruption) {
  TensorPtr t = randomTensor(LUT_DTYPE_FLOAT, {4, 4}, 12);
  onnx::TensorProto proto;
  std::string error, bytes;
  ASSERT_TRUE(tensorToProto(t.get(), "x", proto, error)) << error;
  ASSERT_TRUE(proto.SerializeToString(&bytes));
  std::mt19937 rng(99);
  for (int iter = 0; iter < 5000; ++iter) {
    std::string corrupt = bytes.substr(0, rng() % (bytes.size() + 1));
    if (!corrupt.empty() && iter % 2)
      corrupt[rng() % corrupt.size()] = static_cast<char>(rng() & 0xff);
    onnx::TensorProto parsed;
    if (!parsed.ParseFromString(corrupt))
      continue;
    error.clear();
    TensorPtr back = tensorFromProto(parsed, nullptr, error);
    if (!back)
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
