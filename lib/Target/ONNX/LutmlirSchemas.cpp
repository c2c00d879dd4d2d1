//===- LutmlirSchemas.cpp - ONNX schemas of the lutmlir domain ------------===//
//
// The operators that lutmlir.torch.export writes (python-bindings/lutmlir/
// torch/onnx_ops.py), registered with ONNX's schema registry so that ONNX's
// checker verifies their arity, types and attributes and ONNX's shape
// inference carries shapes through them, like any standard operator.
//
//===----------------------------------------------------------------------===//
#include "ImporterImpl.h"

#include "onnx/defs/schema.h"
#include "onnx/defs/shape_inference.h"

#include <mutex>

using namespace lut::onnximport;

namespace {

/// Dim `d` of input `i` when its shape is known, else an unknown dim.
onnx::TensorShapeProto::Dimension inputDim(onnx::InferenceContext &ctx, size_t i, int d) {
  if (onnx::hasInputShape(ctx, i)) {
    const auto &s = onnx::getInputShape(ctx, i);
    if (d < s.dim_size())
      return s.dim(d);
  }
  return {};
}

/// Sets output 0 to `elemType` and, when every input shape is known,
/// checks the ranks of `ranks` (input index, rank).
bool ranksKnown(onnx::InferenceContext &ctx, std::initializer_list<std::pair<size_t, int>> ranks) {
  for (auto [i, r] : ranks) {
    if (!onnx::hasInputShape(ctx, i))
      return false;
    int got = onnx::getInputShape(ctx, i).dim_size();
    if (got != r)
      fail_shape_inference("input ", i, " must have rank ", r, ", got ", got);
  }
  return true;
}

onnx::OpSchema lookupFFN() {
  onnx::OpSchema s;
  s.SetName("LookupFFN").SetDomain(kLutmlirDomain).SinceVersion(1)
      .SetDoc("LookupFFN (Zeng et al., ICML 2024): z = X P + Offset; code_h = sum_j (z[h*bits+j] > 0) "
              "<< j; scored = 1 (default): s_h = sum_j |z_hj| / prod_j (1 + exp(-2 |z_hj|)) and "
              "Y = sum_h s_h T[h, code_h] + B; scored = 0: Y = sum_h T[h, code_h] + B (the "
              "post-training LSH of lutc --lut=lsh).")
      .Attr("bits", "hash bits per table, in [1, 16]", onnx::AttributeProto::INT, true)
      .Attr("scored", "1: weight each table's row by its score s_h; 0: plain sum",
            onnx::AttributeProto::INT, static_cast<int64_t>(1))
      .Input(0, "X", "[N, D] input rows (after the LayerNorm)", "T")
      .Input(1, "P", "[D, H*bits] projection", "T")
      .Input(2, "Tables", "[H, 2^bits, M] tables", "T")
      .Input(3, "B", "[M] bias", "T")
      .Input(4, "Offset", "[H*bits] added to X P before the signs (default 0)", "T",
             onnx::OpSchema::Optional)
      .Output(0, "Y", "[N, M]", "T")
      .TypeConstraint("T", {"tensor(float)"}, "f32 only")
      .TypeAndShapeInferenceFunction([](onnx::InferenceContext &ctx) {
        onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
        if (!ranksKnown(ctx, {{0, 2}, {1, 2}, {2, 3}, {3, 1}}))
          return;
        onnx::updateOutputShape(ctx, 0, {inputDim(ctx, 0, 0), inputDim(ctx, 2, 2)});
      });
  return s;
}

onnx::OpSchema thermometer() {
  onnx::OpSchema s;
  s.SetName("Thermometer").SetDomain(kLutmlirDomain).SinceVersion(1)
      .SetDoc("Thermometer encoding (DWN): Bits[n, d*K + k] = X[n, d] > Thresholds[d, k].")
      .Input(0, "X", "[N, D] features", "T")
      .Input(1, "Thresholds", "[D, K] thresholds, in the units of X", "T")
      .Output(0, "Bits", "[N, D*K]", "tensor(bool)")
      .TypeConstraint("T", {"tensor(float)"}, "f32 only")
      .TypeAndShapeInferenceFunction([](onnx::InferenceContext &ctx) {
        onnx::updateOutputElemType(ctx, 0, onnx::TensorProto::BOOL);
        if (!ranksKnown(ctx, {{0, 2}, {1, 2}}))
          return;
        onnx::TensorShapeProto::Dimension d = inputDim(ctx, 0, 1), k = inputDim(ctx, 1, 1), c;
        if (d.has_dim_value() && k.has_dim_value())
          c.set_dim_value(d.dim_value() * k.dim_value());
        onnx::updateOutputShape(ctx, 0, {inputDim(ctx, 0, 0), c});
      });
  return s;
}

onnx::OpSchema weightlessLUT() {
  onnx::OpSchema s;
  s.SetName("WeightlessLUT").SetDomain(kLutmlirDomain).SinceVersion(1)
      .SetDoc("A layer of n-input LUTs (DWN): Y[n, l] = Tables[l, sum_j Bits[n, Mapping[l, j]] << j].")
      .Input(0, "Bits", "[N, I] input bits", "tensor(bool)")
      .Input(1, "Mapping", "[L, n] input index of each address bit, in [0, I)", "tensor(int64)")
      .Input(2, "Tables", "[L, 2^n] entries", "T")
      .Output(0, "Y", "[N, L]", "T")
      .TypeConstraint("T", {"tensor(float)"}, "f32 only")
      .TypeAndShapeInferenceFunction([](onnx::InferenceContext &ctx) {
        onnx::propagateElemTypeFromInputToOutput(ctx, 2, 0);
        if (!ranksKnown(ctx, {{0, 2}, {1, 2}, {2, 2}}))
          return;
        onnx::updateOutputShape(ctx, 0, {inputDim(ctx, 0, 0), inputDim(ctx, 1, 0)});
      });
  return s;
}

} // namespace

void lut::onnximport::registerLutmlirSchemas() {
  static std::once_flag once;
  std::call_once(once, [] {
    onnx::OpSchemaRegistry::DomainToVersionRange::Instance().AddDomainToVersion(
        kLutmlirDomain, 1, kLutmlirVersion);
    onnx::RegisterSchema(lookupFFN());
    onnx::RegisterSchema(thermometer());
    onnx::RegisterSchema(weightlessLUT());
  });
}
