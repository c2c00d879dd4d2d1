//===- ModelChecks.cpp - Checks a ModelProto before import ----------------===//
//
// Implements ModelChecks.h.
//
//===----------------------------------------------------------------------===//
#include "ModelChecks.h"
#include "ImporterImpl.h"

#include "lut/Runtime/TensorProto.h"
#include "lut/Support/DTypes.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"

#include <unistd.h>

#include <regex>
#include <set>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

//===----------------------------------------------------------------------===//
// Locations and descriptions
//===----------------------------------------------------------------------===//

Location ModelCheckContext::fileLoc() const {
  return FileLineColLoc::get(ctx, path, 0, 0);
}

Location ModelCheckContext::nodeLoc(const onnx::NodeProto &node) const {
  std::string name = node.name();
  if (name.empty() && node.output_size() > 0)
    name = node.output(0);
  return NameLoc::get(StringAttr::get(ctx, name), fileLoc());
}

int64_t ModelCheckContext::opsetOf(const onnx::NodeProto &node) const {
  std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
  auto it = opsets.find(domain);
  return it == opsets.end() ? 0 : it->second;
}

std::string lut::onnximport::describeNode(const onnx::NodeProto &node,
                                          int index, int64_t opset) {
  std::string who =
      !node.name().empty()
          ? "'" + node.name() + "'"
          : "#" + std::to_string(index) +
                (node.output_size() ? " (output '" + node.output(0) + "')"
                                    : std::string());
  return "node " + who + " (" + node.op_type() + ", opset " +
         std::to_string(opset) + ")";
}

uint64_t lut::onnximport::effectiveMemoryLimit(const OnnxImportOptions &o) {
  if (o.memoryLimit)
    return o.memoryLimit;
  long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || size <= 0)
    return uint64_t(1) << 34; // 16 GiB when the machine does not say
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(size);
}

std::string lut::onnximport::foldMessage(StringRef msg) {
  std::string r;
  for (char c : msg.trim())
    r += (c == '\n' || c == '\r') ? ' ' : c;
  if (r.size() > 600)
    r = r.substr(0, 600) + "...";
  return r;
}

//===----------------------------------------------------------------------===//
// 1. Graph structure
//===----------------------------------------------------------------------===//

bool lut::onnximport::checkGraphStructure(ModelCheckContext &mc,
                                          const onnx::GraphProto &g) {
  Location floc = mc.fileLoc();
  std::set<std::string> defined, produced;
  std::map<std::string, const onnx::TensorProto *> initByName;
  // Single static assignment, also without ONNX's checker (which says the
  // same): a name declared twice would be read with the wrong type.
  for (const auto &t : g.initializer()) {
    if (!initByName.emplace(t.name(), &t).second) {
      emitError(floc) << "initializer '" << t.name()
                      << "' is declared twice (ONNX graphs are in single static assignment form)";
      return false;
    }
    defined.insert(t.name());
  }
  std::set<std::string> inputNames;
  for (const auto &vi : g.input()) {
    if (!inputNames.insert(vi.name()).second) {
      emitError(floc) << "graph input '" << vi.name()
                      << "' is declared twice (ONNX graphs are in single static assignment form)";
      return false;
    }
    defined.insert(vi.name());
    if (vi.type().has_tensor_type() &&
        vi.type().tensor_type().elem_type() == 0) {
      emitError(floc) << "graph input '" << vi.name()
                      << "' has an undefined element type";
      return false;
    }
    auto it = initByName.find(vi.name());
    if (it != initByName.end() && vi.type().has_tensor_type() &&
        vi.type().tensor_type().has_shape()) {
      const auto &sh = vi.type().tensor_type().shape();
      const onnx::TensorProto &t = *it->second;
      bool same = sh.dim_size() == t.dims_size();
      for (int d = 0; same && d < sh.dim_size(); ++d)
        same = !sh.dim(d).has_dim_value() || sh.dim(d).dim_value() == t.dims(d);
      if (!same) {
        emitError(floc) << "initializer '" << t.name() << "' has shape ["
                        << llvm::join(llvm::map_range(t.dims(),
                                                      [](int64_t d) {
                                                        return std::to_string(
                                                            d);
                                                      }),
                                      ",")
                        << "] but the graph input of the same name declares "
                           "rank "
                        << sh.dim_size() << " with other dims";
        return false;
      }
    }
  }
  for (const auto &n : g.node())
    for (const auto &o : n.output())
      produced.insert(o);
  int index = 0;
  for (const auto &n : g.node()) {
    std::string who = describeNode(n, index, mc.opsetOf(n));
    // Zero strides or dilations make ONNX's own shape inference divide by 0.
    for (const auto &a : n.attribute())
      if (a.name() == "strides" || a.name() == "dilations" ||
          a.name() == "kernel_shape")
        for (int64_t v : a.ints())
          if (v <= 0) {
            emitError(mc.nodeLoc(n)) << who << ": " << a.name() << " value "
                                     << v << "; it must be positive";
            return false;
          }
    for (const auto &in : n.input()) {
      if (in.empty() || defined.count(in))
        continue;
      InFlightDiagnostic d = emitError(mc.nodeLoc(n));
      d << who << " reads '" << in << "', ";
      if (produced.count(in))
        d << "which a later node produces (the graph is not topologically "
             "sorted)";
      else
        d << "which is not a graph input, an initializer or any node's output";
      return false;
    }
    for (const auto &o : n.output())
      defined.insert(o);
    ++index;
  }
  for (const auto &o : g.output())
    if (!defined.count(o.name())) {
      emitError(floc) << "graph output '" << o.name()
                      << "' is not produced by any node (dangling edge)";
      return false;
    }
  return true;
}

//===----------------------------------------------------------------------===//
// 2. Tensors
//===----------------------------------------------------------------------===//

namespace {
/// A TensorProto of the model and how messages name it.
struct TensorRef {
  onnx::TensorProto *tensor;
  std::string noun; // "initializer", "attribute 'value' of node ..."
  const onnx::NodeProto *node; // null for initializers
};
} // namespace

/// Every TensorProto of `g` and of its subgraphs, in order: initializers,
/// then tensor attributes of each node (depth first). Sparse initializers
/// are not included (the importer does not support them).
static void collectTensors(onnx::GraphProto &g, std::vector<TensorRef> &out,
                           const ModelCheckContext &mc) {
  for (auto &t : *g.mutable_initializer())
    out.push_back({&t, "initializer", nullptr});
  int index = 0;
  for (auto &n : *g.mutable_node()) {
    std::string who = describeNode(n, index++, mc.opsetOf(n));
    for (auto &a : *n.mutable_attribute()) {
      std::string noun = "attribute '" + a.name() + "' of " + who;
      if (a.has_t())
        out.push_back({a.mutable_t(), noun, &n});
      for (auto &t : *a.mutable_tensors())
        out.push_back({&t, noun, &n});
      if (a.has_g())
        collectTensors(*a.mutable_g(), out, mc);
      for (auto &sub : *a.mutable_graphs())
        collectTensors(sub, out, mc);
    }
  }
}

static runtime::TensorProtoOptions tensorOptions(const ModelCheckContext &mc,
                                                 const std::string &noun) {
  runtime::TensorProtoOptions o;
  o.baseDir = mc.dir;
  o.noun = noun;
  o.allowOutsideBaseDir = mc.options.allowExternalDataOutside;
  o.maxBytes = effectiveMemoryLimit(mc.options);
  o.maxBytesOption = "--memory-limit";
  return o;
}

bool lut::onnximport::checkTensors(ModelCheckContext &mc,
                                   const onnx::GraphProto &cg) {
  auto &g = const_cast<onnx::GraphProto &>(cg);
  std::vector<TensorRef> tensors;
  collectTensors(g, tensors, mc);
  uint64_t limit = effectiveMemoryLimit(mc.options), total = 0;
  for (const TensorRef &r : tensors) {
    runtime::TensorProtoInfo info;
    std::string error;
    runtime::TensorProtoError st = runtime::validateTensorProto(
        *r.tensor, tensorOptions(mc, r.noun), info, error);
    if (st != runtime::TensorProtoError::None) {
      Location loc = r.node ? mc.nodeLoc(*r.node)
                            : NameLoc::get(StringAttr::get(mc.ctx,
                                                           r.tensor->name()),
                                           mc.fileLoc());
      bool unsup = st == runtime::TensorProtoError::Unsupported;
      // Unsupported storage is reported by the importer, where it is used;
      // here only malformed tensors stop the import.
      if (unsup)
        continue;
      emitError(loc) << error;
      return false;
    }
    if (__builtin_add_overflow(total, (uint64_t)info.sizeInBytes, &total) ||
        total > limit) {
      emitError(mc.fileLoc())
          << "the model's initializers and constants declare more than the "
             "memory limit of "
          << runtime::formatBytes(limit)
          << " (--memory-limit) in all; the limit is passed at " << r.noun
          << " '" << r.tensor->name() << "' ("
          << runtime::formatBytes(info.sizeInBytes) << ")";
      return false;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// 3. Schemas
//===----------------------------------------------------------------------===//

static bool isDefaultDomain(const onnx::NodeProto &n) {
  return n.domain().empty() || n.domain() == "ai.onnx";
}

static bool isLutmlirDomain(const onnx::NodeProto &n) { return n.domain() == kLutmlirDomain; }

/// "LookupFFN, Thermometer and WeightlessLUT".
static std::string lutmlirOpNames() {
  std::string s;
  auto entries = lutmlirOps().entries();
  for (size_t i = 0; i < entries.size(); ++i)
    s += (i ? (i + 1 == entries.size() ? " and " : ", ") : "") + entries[i]->opType;
  return s;
}

bool lut::onnximport::checkNodeSchemas(ModelCheckContext &mc,
                                       const onnx::GraphProto &g) {
  int index = 0;
  for (const auto &n : g.node()) {
    int i = index++;
    bool lutmlir = isLutmlirDomain(n);
    if (!isDefaultDomain(n) && !lutmlir)
      continue; // reported as unsupported by checkSupportedOps
    int64_t opset = mc.opsetOf(n);
    std::string who = describeNode(n, i, opset);
    if (n.op_type().empty()) {
      emitError(mc.nodeLoc(n)) << who << " has no op_type";
      return false;
    }
    if (lutmlir && opset == 0) {
      emitError(mc.nodeLoc(n)) << who << " is in the '" << kLutmlirDomain
                               << "' domain, which the model does not import (opset_import)";
      return false;
    }
    const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
        n.op_type(), static_cast<int>(opset), lutmlir ? kLutmlirDomain : "");
    if (!schema && lutmlir) {
      emitError(mc.nodeLoc(n)) << who << ": the '" << kLutmlirDomain
                               << "' domain has no operator '" << n.op_type()
                               << "' (version " << kLutmlirVersion << " has "
                               << lutmlirOpNames() << ")";
      return false;
    }
    if (!schema) {
      emitError(mc.nodeLoc(n))
          << who << ": ONNX has no operator '" << n.op_type()
          << "' in opset " << opset << " of the default domain";
      return false;
    }
    try {
      schema->Verify(n);
    } catch (const std::exception &e) {
      emitError(mc.nodeLoc(n)) << who << " does not match the ONNX schema of "
                               << n.op_type() << ": " << foldMessage(e.what());
      return false;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// 4. Supported operators
//===----------------------------------------------------------------------===//

bool lut::onnximport::checkSupportedOps(ModelCheckContext &mc,
                                        const onnx::GraphProto &g) {
  int index = 0;
  for (const auto &n : g.node()) {
    int i = index++;
    int64_t opset = mc.opsetOf(n);
    std::string prefix = "unsupported: " + describeNode(n, i, opset) + ": ";
    if (isLutmlirDomain(n))
      continue; // every operator of the domain has a schema and a handler
    if (!isDefaultDomain(n)) {
      emitError(mc.nodeLoc(n)) << prefix << "operator '" << n.op_type()
                               << "' of domain '" << n.domain() << "'";
      mc.status = OnnxImportStatus::Unsupported;
      return false;
    }
    const OpEntry *op = onnxOps().lookup(n.op_type());
    if (!op) {
      emitError(mc.nodeLoc(n)) << prefix << "ONNX operator '" << n.op_type()
                               << "' is not supported by lut-mlir";
      mc.status = OnnxImportStatus::Unsupported;
      return false;
    }
    if (opset < op->minOpset || opset > op->maxOpset) {
      InFlightDiagnostic d = emitError(mc.nodeLoc(n));
      d << prefix << "lut-mlir supports " << n.op_type() << " in ";
      if (op->minOpset == op->maxOpset)
        d << "opset " << op->minOpset;
      else
        d << "opsets " << op->minOpset << " to " << op->maxOpset;
      d << " only";
      mc.status = OnnxImportStatus::Unsupported;
      return false;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// 5. ONNX's checker, with attributed messages
//===----------------------------------------------------------------------===//

namespace {
/// Renames every node of the main graph to "lut.node.<index>" for its
/// lifetime, so that ONNX's messages say which node they are about, and
/// maps those names back to our descriptions.
class NodeRenamer {
public:
  NodeRenamer(ModelCheckContext &mc, onnx::GraphProto &g) : mc(mc), g(g) {
    int i = 0;
    for (auto &n : *g.mutable_node()) {
      saved.push_back({n.has_name(), n.name()});
      n.set_name(token(i++));
    }
  }
  ~NodeRenamer() {
    int i = 0;
    for (auto &n : *g.mutable_node()) {
      auto &[had, name] = saved[i++];
      if (had)
        n.set_name(name);
      else
        n.clear_name();
    }
  }

  /// Re-issues one ONNX message: at the first node it names (with ONNX's
  /// own "(op_type:X, node name: Y): " prefix dropped and every token
  /// replaced by our description), or at the file with `what` in front.
  void report(StringRef what, const std::string &message) {
    static const std::regex prefix(
        R"(\(op_type:[^,()]*, node name: lut\.node\.([0-9]+)\): )");
    static const std::regex tokenRe(R"(lut\.node\.([0-9]+))");
    std::string msg = foldMessage(message);
    std::smatch m;
    int node = -1;
    if (std::regex_search(msg, m, prefix)) {
      node = std::stoi(m[1].str());
      msg = m.prefix().str() + m.suffix().str();
    } else if (std::regex_search(msg, m, tokenRe)) {
      node = std::stoi(m[1].str());
    }
    // Replace the remaining tokens with the nodes' descriptions.
    std::string out;
    auto begin = std::sregex_iterator(msg.begin(), msg.end(), tokenRe);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      out += msg.substr(last, it->position() - last);
      int k = std::stoi((*it)[1].str());
      out += k >= 0 && k < g.node_size() ? describe(k) : it->str();
      last = it->position() + it->length();
    }
    out += msg.substr(last);
    if (node >= 0 && node < g.node_size()) {
      const onnx::NodeProto &n = g.node(node);
      emitError(mc.nodeLoc(nameless(n, node))) << what << ": "
                                               << describe(node) << ": "
                                               << out;
    } else {
      emitError(mc.fileLoc()) << what << ": " << out;
    }
  }

private:
  ModelCheckContext &mc;
  onnx::GraphProto &g;
  std::vector<std::pair<bool, std::string>> saved;

  static std::string token(int i) { return "lut.node." + std::to_string(i); }
  /// The node as the user wrote it (its original name), for locations.
  onnx::NodeProto nameless(const onnx::NodeProto &n, int i) const {
    onnx::NodeProto copy;
    copy.set_name(saved[i].second);
    for (const auto &o : n.output())
      copy.add_output(o);
    return copy;
  }
  std::string describe(int i) const {
    onnx::NodeProto copy = nameless(g.node(i), i);
    copy.set_op_type(g.node(i).op_type());
    return describeNode(copy, i, mc.opsetOf(g.node(i)));
  }
};

/// Points every external tensor of the model at the file the importer will
/// read (resolved, confined) for its lifetime, so that ONNX's checker (which
/// only stats it) looks at that same file whatever the current directory.
class ExternalPaths {
public:
  ExternalPaths(ModelCheckContext &mc, onnx::GraphProto &g) {
    std::vector<TensorRef> tensors;
    collectTensors(g, tensors, mc);
    for (const TensorRef &r : tensors) {
      if (r.tensor->data_location() != onnx::TensorProto::EXTERNAL)
        continue;
      for (auto &kv : *r.tensor->mutable_external_data()) {
        if (kv.key() != "location")
          continue;
        std::string path, error;
        if (!runtime::resolveExternalDataPath(
                mc.dir, kv.value(), mc.options.allowExternalDataOutside, path,
                error))
          continue; // checkTensors reported it
        saved.push_back({&kv, kv.value()});
        kv.set_value(path);
      }
    }
  }
  ~ExternalPaths() {
    for (auto &[kv, value] : saved)
      kv->set_value(value);
  }

private:
  std::vector<std::pair<onnx::StringStringEntryProto *, std::string>> saved;
};
} // namespace

bool lut::onnximport::runOnnxChecker(ModelCheckContext &mc,
                                     onnx::ModelProto &model) {
  ExternalPaths paths(mc, *model.mutable_graph());
  NodeRenamer names(mc, *model.mutable_graph());
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    names.report("ONNX checker rejected '" + mc.path + "'", e.what());
    return false;
  }
  return true;
}
