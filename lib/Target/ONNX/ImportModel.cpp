//===- ImportModel.cpp - ONNX graph import --------------------------------===//
//
// Builds the entry function from a checked ModelProto: graph inputs (with
// --shape-info), initializers, the nodes in topological order (each through
// its handler in the op table, then the import-time constant folder) and the
// results.
//
//===----------------------------------------------------------------------===//
#include "ConstantFolder.h"
#include "ImporterImpl.h"

#include "lut/Support/MLIRTypes.h"

#include "mlir/IR/Verifier.h"

#include <set>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

namespace lut::onnximport {
void propagateElems(NodeCtx &n); // ShapeElems.cpp
} // namespace lut::onnximport

namespace {
[[noreturn]] void abortAt(Location loc, const Twine &msg,
                          OnnxImportStatus st = OnnxImportStatus::InvalidModel) {
  emitError(loc) << msg;
  throw ImportAbort{st};
}
} // namespace

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

static std::string shapeStr(ArrayRef<int64_t> s) {
  std::string r;
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? "x" : "") + std::to_string(s[i]);
  return r.empty() ? "scalar" : r;
}

OwningOpRef<ModuleOp> Importer::importModel(onnx::ModelProto &model,
                                            OnnxImportStatus &status) {
  status = OnnxImportStatus::Success;
  try {
    const onnx::GraphProto &graph = model.graph();
    Location floc = fileLoc();
    auto module = ModuleOp::create(floc);
    builder.setInsertionPointToEnd(module.getBody());

    // Graph inputs (initializers may also be listed as inputs: IR < 4).
    std::set<std::string> initNames;
    for (const auto &t : graph.initializer())
      initNames.insert(t.name());
    for (auto &kv : opts.inputShapes) {
      bool found = false;
      for (const auto &vi : graph.input())
        found |= vi.name() == kv.first && !initNames.count(vi.name());
      if (!found)
        abortAt(floc, "--shape-info names '" + kv.first +
                          "', which is not a graph input of the model");
    }
    SmallVector<Type> argTypes;
    SmallVector<const onnx::ValueInfoProto *> inputs;
    SmallVector<std::pair<int32_t, Shape>> inputInfo;
    std::vector<std::vector<std::string>> inputDimNames;
    for (const auto &vi : graph.input()) {
      if (initNames.count(vi.name()))
        continue;
      Location loc = NameLoc::get(StringAttr::get(ctx, vi.name()), floc);
      if (!vi.type().has_tensor_type())
        abortAt(loc, "unsupported: graph input '" + vi.name() +
                         "' is not a tensor (sequences, maps and optionals "
                         "are not supported)",
                OnnxImportStatus::Unsupported);
      const auto &tt = vi.type().tensor_type();
      int32_t dt = tt.elem_type();
      if (dt == 0)
        abortAt(loc, "graph input '" + vi.name() + "' has no element type");
      Shape shape;
      auto over = opts.inputShapes.find(vi.name());
      if (!tt.has_shape() && over == opts.inputShapes.end())
        abortAt(loc, "graph input '" + vi.name() +
                         "' has no shape; give one with --shape-info=" +
                         vi.name() + ":d0xd1x...");
      if (tt.has_shape()) {
        for (int d = 0; d < tt.shape().dim_size(); ++d) {
          const auto &dim = tt.shape().dim(d);
          shape.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
        }
      }
      if (over != opts.inputShapes.end()) {
        const auto &s = over->second;
        if (tt.has_shape() && s.size() != shape.size())
          abortAt(loc, "--shape-info gives rank " + Twine((int64_t)s.size()) +
                           " for graph input '" + vi.name() +
                           "' but the model declares rank " +
                           Twine((int64_t)shape.size()));
        shape.resize(s.size(), -1);
        for (size_t d = 0; d < s.size(); ++d) {
          if (s[d] >= 0 && shape[d] >= 0 && s[d] != shape[d])
            abortAt(loc, "--shape-info gives dim " + Twine((int64_t)d) + " = " +
                             Twine(s[d]) + " for graph input '" + vi.name() +
                             "' but the model fixes it to " + Twine(shape[d]));
          if (s[d] >= 0)
            shape[d] = s[d];
        }
      }
      // Dims the model leaves open (dim_param or nothing) stay dynamic.
      std::vector<std::string> names;
      for (size_t d = 0; d < shape.size(); ++d) {
        std::string nm;
        if (shape[d] < 0) {
          shape[d] = ShapedType::kDynamic;
          if (tt.has_shape() && (int)d < tt.shape().dim_size())
            nm = tt.shape().dim(d).dim_param();
        }
        names.push_back(nm);
      }
      inputDimNames.push_back(names);
      argTypes.push_back(tensorType(shape, dt, loc));
      inputs.push_back(&vi);
      inputInfo.push_back({dt, shape});
    }

    // Output types are only known after the body; create the function with
    // a placeholder type and fix it at the end.
    auto func = func::FuncOp::create(builder, floc, opts.funcName,
                                     builder.getFunctionType(argTypes, {}));
    Block *entry = func.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    // Dynamic input dims: one tensor.dim each at the top of the function,
    // shared by all dims with the same ONNX dim_param (the runtime checks
    // that they agree).
    std::map<std::string, OpFoldResult> byName;
    for (size_t i = 0; i < inputs.size(); ++i) {
      TValue tv;
      tv.value = entry->getArgument(i);
      tv.dtype = inputInfo[i].first;
      tv.shape = inputInfo[i].second;
      bool dynamic = false;
      for (size_t d = 0; d < tv.shape.size(); ++d) {
        if (!ShapedType::isDynamic(tv.shape[d]))
          continue;
        dynamic = true;
        const std::string &nm = inputDimNames[i][d];
        auto it = nm.empty() ? byName.end() : byName.find(nm);
        OpFoldResult dim = it != byName.end()
                               ? it->second
                               : OpFoldResult(tensor::DimOp::create(builder, floc, tv.value, d)
                                                  .getResult());
        if (!nm.empty())
          byName[nm] = dim;
        dimCache[{tv.value, (int64_t)d}] = dim;
        dimValues.insert(cast<Value>(dim));
      }
      define(inputs[i]->name(), std::move(tv));
      func.setArgAttr(i, "lut.name", builder.getStringAttr(inputs[i]->name()));
      func.setArgAttr(i, "lut.dtype",
                      builder.getStringAttr(onnxDTypeName(inputInfo[i].first)));
      if (dynamic) {
        SmallVector<Attribute> names;
        for (const std::string &nm : inputDimNames[i])
          names.push_back(builder.getStringAttr(nm));
        func.setArgAttr(i, "lut.dim_names", builder.getArrayAttr(names));
      }
    }
    for (const auto &t : graph.initializer()) {
      Location loc = NameLoc::get(StringAttr::get(ctx, t.name()), floc);
      define(t.name(), decodeTensor(t, loc, "initializer"));
    }

    // Nodes, in the (checker-verified) topological order.
    int nodeIndex = 0;
    for (const auto &node : graph.node()) {
      Location loc = nodeLoc(node);
      std::string domain = node.domain();
      if (domain == "ai.onnx")
        domain = "";
      auto it = opsetByDomain.find(domain);
      int64_t opset = it == opsetByDomain.end() ? 0 : it->second;
      NodeCtx n{*this, node, opset, loc, builder, nodeIndex++};
      bool lutmlir = domain == kLutmlirDomain;
      if (!domain.empty() && !lutmlir)
        n.unsupported("operator '" + node.op_type() + "' of domain '" +
                      domain + "'");
      for (int i = 0; i < node.input_size(); ++i)
        if (!node.input(i).empty() && !lookup(node.input(i)))
          n.fail("input '" + node.input(i) +
                 "' is not produced by any node, graph input or initializer "
                 "(dangling edge)");
      const OpEntry *op = (lutmlir ? lutmlirOps() : onnxOps()).lookup(node.op_type());
      if (!op)
        n.unsupported("ONNX operator '" + node.op_type() +
                      "' is not supported by lut-mlir");
      if (opset < op->minOpset || opset > op->maxOpset)
        n.unsupported("lut-mlir supports " + node.op_type() + " in " +
                      (op->minOpset == op->maxOpset
                           ? "opset " + Twine(op->minOpset)
                           : "opsets " + Twine(op->minOpset) + " to " +
                                 Twine(op->maxOpset)) +
                      " only");
      runNode(n, *op);
      for (int i = 0; i < node.output_size(); ++i)
        if (!node.output(i).empty() && !lookup(node.output(i)))
          n.unsupported("output #" + Twine(i) + " ('" + node.output(i) +
                        "') is not supported");
    }

    // Results.
    SmallVector<Value> results;
    SmallVector<Type> resultTypes;
    SmallVector<std::pair<std::string, int32_t>> outInfo;
    std::vector<std::vector<std::string>> outDimNames;
    for (const auto &vi : graph.output()) {
      Location loc = NameLoc::get(StringAttr::get(ctx, vi.name()), floc);
      TValue *tv = lookup(vi.name());
      if (!tv)
        abortAt(loc, "graph output '" + vi.name() +
                         "' is not produced by any node (dangling edge)");
      if (vi.type().has_tensor_type()) {
        const auto &tt = vi.type().tensor_type();
        if (tt.elem_type() != 0 && tt.elem_type() != tv->dtype)
          abortAt(loc, Twine("graph output '") + vi.name() + "' is declared " +
                           onnxDTypeName(tt.elem_type()) + " but computes " +
                           onnxDTypeName(tv->dtype));
        if (tt.has_shape()) {
          bool mismatch = tt.shape().dim_size() != (int)tv->shape.size();
          for (int d = 0; !mismatch && d < tt.shape().dim_size(); ++d)
            if (tt.shape().dim(d).has_dim_value() &&
                !ShapedType::isDynamic(tv->shape[d]) &&
                tt.shape().dim(d).dim_value() != tv->shape[d])
              mismatch = true;
          if (mismatch)
            abortAt(loc, "graph output '" + vi.name() +
                             "' is declared with a shape that differs from the "
                             "computed shape " + shapeStr(tv->shape));
        }
      }
      Value v = materialize(*tv, loc);
      // A dim the graph output declares static but the import left dynamic
      // (e.g. a Reshape target read at run time) stays dynamic: the model
      // computes it, and the runtime allocates what the model computes
      // (casting it to the declared size would trust the inputs).
      std::vector<std::string> dimNames;
      auto vt = cast<RankedTensorType>(v.getType());
      bool dynamic = !vt.hasStaticShape();
      for (int64_t d = 0; d < vt.getRank(); ++d) {
        std::string nm;
        if (vt.isDynamicDim(d) && vi.type().has_tensor_type() &&
            vi.type().tensor_type().has_shape() &&
            d < vi.type().tensor_type().shape().dim_size())
          nm = vi.type().tensor_type().shape().dim(d).dim_param();
        dimNames.push_back(nm);
      }
      results.push_back(v);
      resultTypes.push_back(v.getType());
      outInfo.push_back({vi.name(), tv->dtype});
      outDimNames.push_back(dynamic ? dimNames : std::vector<std::string>{});
    }
    func::ReturnOp::create(builder, floc, results);
    func.setFunctionType(builder.getFunctionType(argTypes, resultTypes));
    for (size_t i = 0; i < outInfo.size(); ++i) {
      func.setResultAttr(i, "lut.name", builder.getStringAttr(outInfo[i].first));
      func.setResultAttr(i, "lut.dtype",
                         builder.getStringAttr(onnxDTypeName(outInfo[i].second)));
      if (!outDimNames[i].empty()) {
        SmallVector<Attribute> names;
        for (const std::string &nm : outDimNames[i])
          names.push_back(builder.getStringAttr(nm));
        func.setResultAttr(i, "lut.dim_names", builder.getArrayAttr(names));
      }
    }
    if (failed(verify(module))) {
      status = OnnxImportStatus::InvalidModel;
      module->erase();
      return nullptr;
    }
    return module;
  } catch (ImportAbort &a) {
    status = a.status;
    return nullptr;
  }
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

void Importer::runNode(NodeCtx &n, const OpEntry &entry) {
  // A node is folded when every input it has is a small constant; inputs
  // first materialized by this node are remembered so that they can be
  // dropped again with the node's IR.
  bool fold = n.numInputs() > 0;
  SmallVector<TValue *> fresh;
  for (size_t i = 0; fold && i < n.numInputs(); ++i) {
    if (!n.has(i))
      continue;
    fold = (bool)n.constantInput(i);
    if (fold && !n.in(i).value)
      fresh.push_back(&n.in(i));
  }
  Block *block = builder.getInsertionBlock();
  Operation *last = block->empty() ? nullptr : &block->back();
  entry.handler(n);
  if (!fold) {
    propagateElems(n);
    return;
  }

  // The outputs to fold: defined by IR, each small.
  SmallVector<TValue *> outputs;
  for (int i = 0; i < n.node.output_size(); ++i) {
    TValue *tv = n.wantsOutput(i) ? lookup(n.node.output(i)) : nullptr;
    if (!tv || tv->constant)
      continue;
    auto type = dyn_cast<RankedTensorType>(tv->value.getType());
    if (!type || !type.hasStaticShape() || type.getNumElements() > kFoldLimit)
      return;
    outputs.push_back(tv);
  }
  SmallVector<Operation *> ops;
  auto begin = last ? std::next(last->getIterator()) : block->begin();
  for (Operation &op : llvm::make_range(begin, block->end()))
    ops.push_back(&op);
  ConstantFolder folder(/*workLimit=*/16 * kFoldLimit);
  if (failed(folder.evaluate(ops)))
    return;
  SmallVector<DenseElementsAttr> results;
  for (TValue *tv : outputs) {
    results.push_back(folder.valueOf(tv->value, kFoldLimit));
    if (!results.back())
      return;
  }
  // The node's IR must only be used by itself (and by the outputs, which
  // become constants) before it is erased.
  llvm::SmallPtrSet<Operation *, 16> own(ops.begin(), ops.end());
  for (Operation *op : ops)
    for (Operation *user : op->getUsers())
      if (!own.count(block->findAncestorOpInBlock(*user)))
        return;
  for (auto [tv, c] : llvm::zip(outputs, results)) {
    tv->value = nullptr;
    tv->constant = c;
    tv->elems.reset();
  }
  for (Operation *op : llvm::reverse(ops))
    op->erase();
  for (TValue *tv : fresh)
    tv->value = nullptr;
}
