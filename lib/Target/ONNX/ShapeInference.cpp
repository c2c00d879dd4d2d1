//===- ShapeInference.cpp - ONNX shape inference, one node at a time ------===//
//
// Check 6 of ModelChecks.h. ONNX's strict shape inference validates each
// node's input types and shapes against its schema. Run on the whole graph,
// libonnx 1.12 trusts some attributes (LayerNormalization's `axis` indexes
// the input's dims unchecked, for one), so a hostile attribute crashes it.
// Here each node of the main graph is inferred alone, in a one-node model
// whose inputs carry the types inferred so far and whose small constant
// inputs carry their data (for Reshape's shape and the like), after its
// axis-like attributes have been checked against its inputs' ranks. Every
// error is then reported at that node.
//
//===----------------------------------------------------------------------===//
#include "ImporterImpl.h"
#include "ModelChecks.h"

#include "mlir/IR/Diagnostics.h"

#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

#include <cstring>
#include <set>
#include <unordered_map>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

namespace {

/// How an attribute of an op relates to the rank r of one of its inputs.
enum class RankRule {
  Axis,          ///< an int in [-r, r)
  AxisOrRank,    ///< an int in [-r, r] (Flatten)
  Axes,          ///< ints, each in [-r, r)
  UnsqueezeAxes, ///< ints, each in [-(r+n), r+n) for n = the count
  Perm,          ///< ints, a permutation of 0..r-1
  Spatial,       ///< ints, r-2 of them (Conv's kernel_shape, strides, ...)
  Pads,          ///< ints, 2*(r-2) of them
};

struct AttrRule {
  const char *op;
  const char *attr;
  int input;
  RankRule rule;
};

/// The axis-like attributes of the operators lut-mlir imports (the only
/// ones that reach shape inference), in opsets 7 to 17.
constexpr AttrRule kRules[] = {
    {"LayerNormalization", "axis", 0, RankRule::Axis},
    {"Softmax", "axis", 0, RankRule::Axis},
    {"LogSoftmax", "axis", 0, RankRule::Axis},
    {"Flatten", "axis", 0, RankRule::AxisOrRank},
    {"Concat", "axis", 0, RankRule::Axis},
    {"Gather", "axis", 0, RankRule::Axis},
    {"Split", "axis", 0, RankRule::Axis},
    {"Squeeze", "axes", 0, RankRule::Axes},
    {"Unsqueeze", "axes", 0, RankRule::UnsqueezeAxes},
    {"ReduceL1", "axes", 0, RankRule::Axes},
    {"ReduceL2", "axes", 0, RankRule::Axes},
    {"ReduceLogSum", "axes", 0, RankRule::Axes},
    {"ReduceLogSumExp", "axes", 0, RankRule::Axes},
    {"ReduceMax", "axes", 0, RankRule::Axes},
    {"ReduceMean", "axes", 0, RankRule::Axes},
    {"ReduceMin", "axes", 0, RankRule::Axes},
    {"ReduceProd", "axes", 0, RankRule::Axes},
    {"ReduceSum", "axes", 0, RankRule::Axes},
    {"ReduceSumSquare", "axes", 0, RankRule::Axes},
    {"Transpose", "perm", 0, RankRule::Perm},
    {"Conv", "kernel_shape", 0, RankRule::Spatial},
    {"Conv", "strides", 0, RankRule::Spatial},
    {"Conv", "dilations", 0, RankRule::Spatial},
    {"Conv", "pads", 0, RankRule::Pads},
};

/// The rank of `type` if it is a tensor with a shape, else -1.
int64_t rankOf(const onnx::TypeProto *type) {
  if (!type || !type->has_tensor_type() || !type->tensor_type().has_shape())
    return -1;
  return type->tensor_type().shape().dim_size();
}

/// Checks one attribute against the rank `r`; returns the problem or "".
std::string checkRule(const onnx::AttributeProto &a, RankRule rule, int64_t r) {
  auto range = [](int64_t lo, int64_t hi) {
    return "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  };
  std::vector<int64_t> v(a.ints().begin(), a.ints().end());
  switch (rule) {
  case RankRule::Axis:
  case RankRule::AxisOrRank: {
    int64_t hi = rule == RankRule::Axis ? r - 1 : r;
    if (a.i() < -r || a.i() > hi)
      return "is " + std::to_string(a.i()) + ", outside " + range(-r, hi) +
             " for an input of rank " + std::to_string(r);
    return "";
  }
  case RankRule::Axes:
  case RankRule::UnsqueezeAxes: {
    int64_t out = rule == RankRule::Axes ? r : r + (int64_t)v.size();
    for (int64_t x : v)
      if (x < -out || x >= out)
        return "holds " + std::to_string(x) + ", outside " +
               range(-out, out - 1) + " for an input of rank " +
               std::to_string(r);
    return "";
  }
  case RankRule::Perm: {
    if ((int64_t)v.size() != r)
      return "has " + std::to_string(v.size()) +
             " entries for an input of rank " + std::to_string(r);
    std::vector<bool> seen(r, false);
    for (int64_t x : v) {
      if (x < 0 || x >= r || seen[x])
        return "is not a permutation of 0.." + std::to_string(r - 1);
      seen[x] = true;
    }
    return "";
  }
  case RankRule::Spatial:
  case RankRule::Pads: {
    int64_t want = (r - 2) * (rule == RankRule::Pads ? 2 : 1);
    if (r < 3 || (int64_t)v.size() != want)
      return "has " + std::to_string(v.size()) + " entries; an input of rank " +
             std::to_string(r) + " needs " + std::to_string(std::max<int64_t>(want, 0)) +
             (r < 3 ? " (and at least rank 3)" : "");
    return "";
  }
  }
  return "";
}

/// A tensor's type from its dtype and dims.
onnx::TypeProto typeOfTensor(const onnx::TensorProto &t) {
  onnx::TypeProto type;
  auto *tt = type.mutable_tensor_type();
  tt->set_elem_type(t.data_type());
  auto *shape = tt->mutable_shape();
  for (int64_t d : t.dims())
    shape->add_dim()->set_dim_value(d);
  return type;
}

int64_t elementCount(const onnx::TensorProto &t) {
  int64_t n = 1;
  for (int64_t d : t.dims())
    if (d < 0 || __builtin_mul_overflow(n, d, &n))
      return -1;
  return n;
}

/// Drops ONNX's "Shape inference error(s): " and "(op_type:X, node name:
/// Y): " prefixes: the diagnostic names the node itself.
std::string stripPrefixes(std::string msg) {
  for (const char *head : {"Shape inference error(s): "})
    if (msg.find(head) != std::string::npos)
      msg = msg.substr(msg.find(head) + std::strlen(head));
  if (msg.rfind("(op_type:", 0) == 0 && msg.find("): ") != std::string::npos)
    msg = msg.substr(msg.find("): ") + 3);
  return foldMessage(msg);
}

} // namespace

bool lut::onnximport::runShapeInference(ModelCheckContext &mc,
                                        onnx::ModelProto &model) {
  const onnx::GraphProto &g = model.graph();
  std::unordered_map<std::string, onnx::TypeProto> types;
  std::unordered_map<std::string, const onnx::TensorProto *> data;
  std::unordered_map<std::string, const onnx::ValueInfoProto *> declared;
  for (const auto &t : g.initializer()) {
    types[t.name()] = typeOfTensor(t);
    int64_t n = elementCount(t);
    if (n >= 0 && n <= kFoldLimit && t.data_location() != onnx::TensorProto::EXTERNAL)
      data[t.name()] = &t;
  }
  for (const auto &vi : g.input())
    if (vi.has_type() && !types.count(vi.name()))
      types[vi.name()] = vi.type();
  for (const auto &vi : g.value_info())
    declared[vi.name()] = &vi;
  for (const auto &vi : g.output())
    declared[vi.name()] = &vi;

  const std::string what = "ONNX shape inference failed on '" + mc.path + "'";
  int index = 0;
  for (const auto &node : g.node()) {
    int i = index++;
    std::string who = describeNode(node, i, mc.opsetOf(node));
    auto fail = [&](const std::string &msg) {
      emitError(mc.nodeLoc(node)) << what << ": " << who << ": " << msg;
      return false;
    };

    // Axis-like attributes against the inputs' ranks.
    for (const AttrRule &rule : kRules) {
      if (node.op_type() != rule.op || rule.input >= node.input_size())
        continue;
      auto it = types.find(node.input(rule.input));
      int64_t r = rankOf(it == types.end() ? nullptr : &it->second);
      if (r < 0)
        continue;
      for (const auto &a : node.attribute())
        if (a.name() == rule.attr) {
          std::string problem = checkRule(a, rule.rule, r);
          if (!problem.empty())
            return fail("attribute '" + a.name() + "' " + problem);
        }
    }

    // The one-node model.
    onnx::ModelProto one;
    one.set_ir_version(model.ir_version());
    *one.mutable_opset_import() = model.opset_import();
    onnx::GraphProto *og = one.mutable_graph();
    og->set_name("node");
    *og->add_node() = node;
    std::set<std::string> added;
    for (const auto &in : node.input()) {
      if (in.empty() || !added.insert(in).second)
        continue;
      // An input whose type is unknown goes in without one, as it would
      // in a whole-graph inference.
      auto it = types.find(in);
      onnx::ValueInfoProto *vi = og->add_input();
      vi->set_name(in);
      if (it != types.end())
        *vi->mutable_type() = it->second;
      auto d = data.find(in);
      if (d != data.end()) {
        *og->add_initializer() = *d->second;
        og->mutable_initializer()->rbegin()->set_name(in);
      }
    }
    for (const auto &out : node.output()) {
      if (out.empty())
        continue;
      onnx::ValueInfoProto *vi = og->add_output();
      vi->set_name(out);
      auto it = declared.find(out);
      if (it != declared.end() && it->second->has_type())
        *vi->mutable_type() = it->second->type();
    }

    try {
      onnx::ShapeInferenceOptions options(/*check_type=*/true, /*strict=*/1,
                                          /*data_prop=*/false);
      onnx::shape_inference::InferShapes(
          one, onnx::OpSchemaRegistry::Instance(), options);
    } catch (const std::exception &e) {
      return fail(stripPrefixes(e.what()));
    }

    // What later nodes see: the inferred output types, and the data of
    // small Constant nodes.
    for (const auto &vi : one.graph().output())
      if (vi.has_type())
        types[vi.name()] = vi.type();
    if (node.op_type() == "Constant" && node.output_size() == 1)
      for (const auto &a : node.attribute())
        if (a.name() == "value" && a.has_t()) {
          int64_t n = elementCount(a.t());
          if (n >= 0 && n <= kFoldLimit &&
              a.t().data_location() != onnx::TensorProto::EXTERNAL)
            data[node.output(0)] = &a.t();
        }
  }
  return true;
}
