//===- HlsEstimateTest.cpp - the HLS backend's resource arithmetic --------===//
//
// lut/HLS/Estimate.h: block-RAM packing, table memories, the costs implied
// by the directives on a lut.gather_sum, and C identifiers for emitted names.
//
//===----------------------------------------------------------------------===//
#include "lut/HLS/EmitHLSCpp.h"
#include "lut/HLS/Estimate.h"

#include "lut/Dialect/Lut/IR/LutDialect.h"
#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace lut::hls;

TEST(HlsEstimate, Bram18PicksTheBestAspectRatio) {
  EXPECT_EQ(bram18For(0, 8), 0);
  EXPECT_EQ(bram18For(1024, 18), 1);  // 1K x 18
  EXPECT_EQ(bram18For(2048, 9), 1);   // 2K x 9
  EXPECT_EQ(bram18For(2048, 8), 1);
  EXPECT_EQ(bram18For(16384, 1), 1);  // 16K x 1
  EXPECT_EQ(bram18For(512, 36), 1);   // 512 x 36
  EXPECT_EQ(bram18For(512, 72), 2);   // two side by side
  EXPECT_EQ(bram18For(4096, 9), 2);   // two deep
  EXPECT_EQ(bram18For(100, 256), 8);  // 512 x 36, 8 wide
  EXPECT_EQ(uramFor(4096, 72), 1);
  EXPECT_EQ(uramFor(4097, 72), 2);
  EXPECT_EQ(uramFor(100, 144), 2);
}

TEST(HlsEstimate, TableMemoryBanksAndWords) {
  // LookupFFN tables of the example ViT: 48 x 256 x 96 i8, 32 columns a word.
  TableMemory t = tableMemory(48, 256, 96, 8, 32);
  EXPECT_EQ(t.bits, 48LL * 256 * 96 * 8);
  EXPECT_EQ(t.banks, 48);
  EXPECT_EQ(t.bankDepth, 256 * 3);
  EXPECT_EQ(t.bankWidth, 256);
  EXPECT_EQ(t.bram18, 48 * bram18For(768, 256));
  // Unroll 1: one column a word.
  TableMemory u = tableMemory(48, 256, 96, 8, 1);
  EXPECT_EQ(u.bankDepth, 256 * 96);
  EXPECT_EQ(u.bankWidth, 8);
}

TEST(HlsEstimate, DevicesAreKnownByName) {
  ASSERT_NE(findDevice("xcu250"), nullptr);
  EXPECT_EQ(findDevice("xcu250")->bram18, 5376);
  EXPECT_EQ(findDevice("xc7z020")->uram, 0);
  EXPECT_EQ(findDevice("nope"), nullptr);
  EXPECT_NE(deviceNames().find("xcvu9p"), std::string::npos);
}

TEST(HlsEstimate, GatherCostFollowsTheDirectives) {
  mlir::MLIRContext ctx;
  ctx.loadDialect<lut::LutDialect, mlir::func::FuncDialect, mlir::memref::MemRefDialect>();
  const char *src = R"mlir(
    func.func @g(%c: memref<10x4xi8>, %t: memref<4x16x8xi8>, %b: memref<8xf32>,
                 %s: memref<8xf32>, %y: memref<10x8xf32>) {
      lut.gather_sum %c, %t bias %b scales %s outs(%y : memref<10x8xf32>)
          {lut.hls_unroll = 2 : i64, lut.hls_pipeline_ii = 1 : i64}
          : memref<10x4xi8>, memref<4x16x8xi8> bias memref<8xf32> scales memref<8xf32>
      return
    })mlir";
  auto module = mlir::parseSourceString<mlir::ModuleOp>(src, &ctx);
  ASSERT_TRUE(module);
  lut::GatherSumOp op;
  module->walk([&](lut::GatherSumOp g) { op = g; });
  GatherCost c = gatherCost(op);
  EXPECT_EQ(c.tokens, 10);
  EXPECT_EQ(c.tables, 4);
  EXPECT_EQ(c.rows, 16);
  EXPECT_EQ(c.cols, 8);
  EXPECT_EQ(c.unroll, 2);
  // Per column: a tree of 3 adds over 4 tables and the bias; one scale.
  EXPECT_EQ(c.addsPerToken, 8 * 4);
  EXPECT_EQ(c.multsPerToken, 8);
  EXPECT_EQ(c.adders, 2 * 4);
  // 4 code reads, then 8 / 2 column blocks at II=1.
  EXPECT_EQ(c.cyclesPerToken, 4 + 4);
  EXPECT_GT(c.latencyCycles, 10 * c.cyclesPerToken);
}

TEST(HlsEmit, CIdentifiers) {
  EXPECT_EQ(cIdentifier("pixels", "in0"), "pixels");
  EXPECT_EQ(cIdentifier("blocks.0/mlp", "f"), "blocks_0_mlp");
  EXPECT_EQ(cIdentifier("0abc", "in"), "in_0abc");
  EXPECT_EQ(cIdentifier("", "in3"), "in3");
  EXPECT_EQ(cIdentifier("__", "x"), "x");
  EXPECT_EQ(cIdentifier("int", "x"), "int_");
  EXPECT_EQ(cIdentifier("__constant_4xf32", "g"), "g___constant_4xf32");
}
