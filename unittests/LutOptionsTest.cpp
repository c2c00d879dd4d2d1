//===- LutOptionsTest.cpp - lut-convert-mlp options, defined once ---------===//
//
// The conversion options are defined once, in Passes.td. These tests make
// sure that the C++ struct, the pass's parser and printer, and lutc's --lut
// syntax agree, and fail when an option is added without being carried
// through.
//
//===----------------------------------------------------------------------===//
#include "lut/Compiler/LutFlow.h"
#include "lut/Dialect/Lut/Transforms/ConvertMlp.h"

#include "llvm/ADT/StringSet.h"

#include <gtest/gtest.h>

using namespace lut;

namespace {

mlir::LogicalResult noErrors(const llvm::Twine &msg) {
  ADD_FAILURE() << msg.str();
  return mlir::failure();
}

llvm::StringSet<> keys(llvm::StringRef text) {
  llvm::StringSet<> out;
  llvm::SmallVector<llvm::StringRef> parts;
  text.split(parts, ' ', -1, false);
  for (llvm::StringRef p : parts)
    out.insert(p.split('=').first);
  return out;
}

// Every option with a non-default value (method has only one value).
const char *kAllSet = "bits=5 calibration-dir=/d holdout=2.000000e-01 method=lsh only={a,b} "
                      "projection=random report-per-table-scales=true report-table-type=i8 "
                      "ridge=3.000000e+00 seed=7 skip={c} sweeps=3 tables=9 "
                      "threshold=zero";

TEST(LutOptions, EveryOptionIsCoveredHere) {
  // A new option in Passes.td must be added to kAllSet (and thereby to the
  // round trip below). The printer leaves out empty lists, so a new list
  // option is caught by this test only once it is in kAllSet.
  auto defaults = keys(printConvertMlpOptions(LutConvertMlpOptions()));
  auto covered = keys(kAllSet);
  for (const auto &k : defaults)
    EXPECT_TRUE(covered.contains(k.getKey())) << "option '" << k.getKey().str()
                                               << "' is missing from kAllSet";
}

TEST(LutOptions, ParsePrintRoundTrip) {
  // parse -> struct -> print: a field the pass does not copy into the struct
  // comes back with its default value.
  auto o = parseConvertMlpOptions(kAllSet, noErrors);
  ASSERT_TRUE(mlir::succeeded(o));
  EXPECT_EQ(printConvertMlpOptions(*o), kAllSet);
  EXPECT_EQ(o->tables, 9);
  EXPECT_EQ(o->bits, 5);
  EXPECT_EQ(o->projection, LutProjection::random);
  EXPECT_EQ(o->threshold, LutThreshold::zero);
  ASSERT_EQ(o->only.size(), 2u);
  EXPECT_EQ(o->only[1], "b");
  EXPECT_EQ(convertMlpOptionValue(*o, "projection"), "random");
  EXPECT_EQ(convertMlpOptionValue(*o, "nonexistent"), "");
}

TEST(LutOptions, DefaultsComeFromPassesTd) {
  LutConvertMlpOptions d;
  auto o = parseConvertMlpOptions("", noErrors);
  ASSERT_TRUE(mlir::succeeded(o));
  EXPECT_EQ(printConvertMlpOptions(*o), printConvertMlpOptions(d));
  EXPECT_EQ(d.tables, 48);
  EXPECT_EQ(d.bits, 8);
  EXPECT_EQ(d.method, LutMethod::lsh);
}

TEST(LutOptions, UnknownNameIsReported) {
  std::string msg;
  auto o = parseConvertMlpOptions("tablez=3", [&](const llvm::Twine &m) {
    msg = m.str();
    return mlir::failure();
  });
  EXPECT_TRUE(mlir::failed(o));
  EXPECT_NE(msg.find("tablez"), std::string::npos) << msg;
}

TEST(LutSpec, LutcSyntaxMapsToPassOptions) {
  std::string err;
  auto o = parseLutSpec("lsh:tables=9,bits=5,only=a+b,projection=random", err);
  ASSERT_TRUE(mlir::succeeded(o)) << err;
  EXPECT_EQ(o->tables, 9);
  EXPECT_EQ(o->bits, 5);
  ASSERT_EQ(o->only.size(), 2u);
  EXPECT_EQ(o->only[0], "a");
  EXPECT_EQ(o->projection, LutProjection::random);
  ASSERT_TRUE(mlir::succeeded(parseLutSpec("lsh", err)));
}

TEST(LutSpec, Errors) {
  std::string err;
  EXPECT_TRUE(mlir::failed(parseLutSpec("", err)));
  EXPECT_NE(err.find("needs a method"), std::string::npos) << err;
  EXPECT_TRUE(mlir::failed(parseLutSpec("lsh:bits=4,bits=5", err)));
  EXPECT_NE(err.find("'bits' is given twice"), std::string::npos) << err;
  EXPECT_TRUE(mlir::failed(parseLutSpec("lsh:method=lsh", err)));
  EXPECT_TRUE(mlir::failed(parseLutSpec("lsh:bits", err)));
  EXPECT_NE(err.find("needs a value"), std::string::npos) << err;
  EXPECT_TRUE(mlir::failed(parseLutSpec("lsh:tablez=1", err)));
  EXPECT_NE(err.find("no such option tablez"), std::string::npos) << err;
}

} // namespace
