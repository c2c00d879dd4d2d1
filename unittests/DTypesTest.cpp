//===- DTypesTest.cpp - The one dtype table and its accessors -------------===//
//
// lut/Support/DTypes.def read through DTypes.h, the C runtime's dtype
// functions and MLIRTypes.h must agree on every row.
//
//===----------------------------------------------------------------------===//
#include "lut/Support/DTypes.h"
#include "lut-c/Runtime.h"
#include "lut/Dialect/Lut/IR/LutDialect.h"
#include "lut/Support/MLIRTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

using namespace lut;

namespace {

TEST(DTypes, TableAgreesWithRuntimeAndMLIR) {
  mlir::MLIRContext ctx;
  for (const DTypeInfo &info : kDTypes) {
    SCOPED_TRACE(info.name);
    auto d = static_cast<LutDType>(info.value);
    EXPECT_EQ(lutDTypeSize(d), info.bytes);
    EXPECT_STREQ(lutDTypeName(d), info.name);
    EXPECT_EQ(lutDTypeFromName(info.name), d);
    EXPECT_STREQ(onnxDTypeName(info.value), info.name);
    mlir::Type t = dtypeToMLIRType(info.value, &ctx);
    ASSERT_TRUE(t);
    EXPECT_EQ(t.getIntOrFloatBitWidth(),
              info.kind == DTypeKind::Bool ? 1u : info.bytes * 8);
    EXPECT_EQ(dtypeFromMLIRType(t, info.kind == DTypeKind::Unsigned),
              info.value);
    mlir::StringAttr name = mlir::StringAttr::get(&ctx, info.name);
    EXPECT_STREQ(dtypeNameForType(t, name), info.name);
  }
}

// The lut dialect's verifier of `lut.dtype` accepts the table's names and
// nothing else.
TEST(DTypes, DialectAcceptsTheTableNames) {
  for (const DTypeInfo &info : kDTypes)
    EXPECT_TRUE(lut::isKnownDType(info.name)) << info.name;
  for (const char *bad : {"float32", "string", "complex64", "", "Float"})
    EXPECT_FALSE(lut::isKnownDType(bad)) << bad;
}

TEST(DTypes, UnsupportedTypes) {
  mlir::MLIRContext ctx;
  for (int32_t v : {0, 8, 14, 15, 17, 99}) {
    EXPECT_EQ(dtypeSize(v), 0u);
    EXPECT_EQ(dtypeName(v), nullptr);
    EXPECT_FALSE(dtypeToMLIRType(v, &ctx));
  }
  EXPECT_STREQ(onnxDTypeName(8), "string");
  EXPECT_STREQ(onnxDTypeName(15), "complex128");
  EXPECT_STREQ(onnxDTypeName(99), "undefined");
  EXPECT_EQ(dtypeFromName("flaot"), 0);
  EXPECT_EQ(dtypeFromName(nullptr), 0);
}

TEST(DTypes, SignatureNameOfMLIRTypes) {
  mlir::MLIRContext ctx;
  mlir::Builder b(&ctx);
  // Without lut.dtype: signless integers are signed.
  EXPECT_STREQ(dtypeNameForType(b.getI8Type()), "int8");
  EXPECT_STREQ(dtypeNameForType(b.getI1Type()), "bool");
  EXPECT_STREQ(dtypeNameForType(b.getBF16Type()), "bfloat16");
  EXPECT_STREQ(dtypeNameForType(mlir::IntegerType::get(
                   &ctx, 16, mlir::IntegerType::Unsigned)),
               "uint16");
  EXPECT_EQ(dtypeNameForType(b.getIndexType()), nullptr);
  EXPECT_EQ(dtypeNameForType(b.getIntegerType(4)), nullptr);
  // lut.dtype decides the signedness, and must agree with the type.
  EXPECT_STREQ(dtypeNameForType(b.getI8Type(), b.getStringAttr("uint8")),
               "uint8");
  EXPECT_EQ(dtypeNameForType(b.getI8Type(), b.getStringAttr("float")), nullptr);
  EXPECT_EQ(dtypeNameForType(b.getI8Type(), b.getStringAttr("byte")), nullptr);
  EXPECT_EQ(dtypeNameForType(b.getI8Type(), b.getI64IntegerAttr(3)), nullptr);
}

} // namespace
