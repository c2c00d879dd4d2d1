//===- TensorProtoTest.cpp - Tests of TensorProto (.pb) reading -----------===//
//
// dtype numbers, typed fields, external data and malformed TensorProtos,
// through TensorIO's .pb functions and the decoder they share with the ONNX
// importer (lut/Runtime/TensorProto.h).
//
//===----------------------------------------------------------------------===//

#include "TensorIOTestUtil.h"
#include "lut/Runtime/TensorIO.h"

#include "onnx/onnx_pb.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace lut::runtime;
using namespace lut::runtime::testing;
using ::testing::HasSubstr;

namespace {

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

} // namespace
