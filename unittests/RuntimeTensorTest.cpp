//===- RuntimeTensorTest.cpp - Dtypes, tensors and errors of the C API ----===//
//
// Dtype sizes and names, tensor creation (owned, borrowed, scalar, empty),
// creation errors, NULL-safe accessors, and the per-thread last error.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"
#include "lut-c/Runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

using namespace lut::runtime::testing;
using ::testing::HasSubstr;

namespace {

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

} // namespace
