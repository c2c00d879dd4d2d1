//===- FfnMatch.cpp - structural matching of feed-forward blocks ----------===//
#include "lut/Dialect/Lut/Transforms/FfnMatch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"

#include <set>

using namespace mlir;
using namespace lut;

namespace {

bool isConstant(Value v) { return v && matchPattern(v, m_Constant()); }

RankedTensorType rtt(Value v) { return dyn_cast<RankedTensorType>(v.getType()); }

/// True for `linalg.generic` ops whose iterators are all parallel and whose
/// output map is the identity: pointwise ops (possibly broadcasting inputs).
bool isPointwise(Operation *op) {
  auto g = dyn_cast<linalg::GenericOp>(op);
  if (!g || g.getNumDpsInits() != 1 || g.getNumResults() != 1)
    return false;
  if (g.getNumParallelLoops() != g.getNumLoops())
    return false;
  return g.getIndexingMapsArray().back().isIdentity();
}

/// A generic contraction `out[..., n] += a[..., k] * w[k, n]` with w constant.
bool isMulAddBody(Block &body) {
  // Expect: %p = mulf %a, %b ; %s = addf %acc, %p (either operand order).
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value acc = body.getArgument(2);
  Value other = add.getLhs() == acc ? add.getRhs() : add.getRhs() == acc ? add.getLhs() : Value();
  auto mul = other ? other.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mul)
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) || (mul.getLhs() == b && mul.getRhs() == a);
}

/// The constant 1-D bias added by `op` to `v`, if `op` is such an add.
Value biasOf(Operation *op, Value v, int64_t n) {
  if (!isPointwise(op) || op->getNumOperands() != 3)
    return nullptr;
  auto g = cast<linalg::GenericOp>(op);
  Block &body = g.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || &*body.begin() != add.getOperation())
    return nullptr;
  Value in0 = g.getDpsInputOperand(0)->get(), in1 = g.getDpsInputOperand(1)->get();
  Value b = in0 == v ? in1 : in1 == v ? in0 : Value();
  if (!b || !isConstant(b))
    return nullptr;
  auto bt = rtt(b);
  // [N] or [1, ..., 1, N]
  if (!bt || bt.getRank() < 1 || bt.getShape().back() != n)
    return nullptr;
  for (int64_t i = 0; i + 1 < bt.getRank(); ++i)
    if (bt.getDimSize(i) != 1)
      return nullptr;
  return b;
}

int64_t countNonConstInputs(Operation *op) {
  int64_t c = 0;
  for (Value v : cast<linalg::GenericOp>(op).getDpsInputs())
    c += !isConstant(v);
  return c;
}

/// True when `init` is a fresh accumulator (zeros, a constant, or an empty
/// tensor), not a value that the Linear would accumulate into.
bool isFreshInit(Value init) {
  if (isConstant(init) || init.getDefiningOp<tensor::EmptyOp>())
    return true;
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill || !fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
    return false;
  FloatAttr f;
  return matchPattern(fill.getInputs()[0], m_Constant(&f)) && f.getValue().isZero();
}

} // namespace

std::optional<LinearMatch> lut::matchLinear(Operation *op) {
  if (auto l = dyn_cast<linalg::LinalgOp>(op))
    if (l.getNumDpsInits() != 1 || !isFreshInit(l.getDpsInitOperand(0)->get()))
      return std::nullopt;
  LinearMatch m;
  if (auto mm = dyn_cast<linalg::MatmulOp>(op)) {
    if (!mm.hasPureTensorSemantics() || !isConstant(mm.getInputs()[1]))
      return std::nullopt;
    m.input = mm.getInputs()[0];
    m.weight = mm.getInputs()[1];
  } else if (auto g = dyn_cast<linalg::GenericOp>(op)) {
    if (g.getNumDpsInputs() != 2 || g.getNumDpsInits() != 1 || g.getNumResults() != 1 ||
        g.getNumReductionLoops() != 1)
      return std::nullopt;
    if (!isMulAddBody(g.getRegion().front()))
      return std::nullopt;
    Value a = g.getDpsInputOperand(0)->get(), w = g.getDpsInputOperand(1)->get();
    auto maps = g.getIndexingMapsArray();
    AffineMap wm = maps[1];
    if (!isConstant(w) || rtt(w).getRank() != 2 || !wm.isProjectedPermutation())
      return std::nullopt;
    unsigned nl = g.getNumLoops();
    // w indexed (k, n) with k the reduction loop and n the last output dim.
    auto iters = g.getIteratorTypesArray();
    unsigned red = nl;
    for (unsigned i = 0; i < nl; ++i)
      if (iters[i] == utils::IteratorType::reduction)
        red = i;
    AffineMap om = maps[2];
    if (!om.isProjectedPermutation() || om.getNumResults() == 0)
      return std::nullopt;
    if (wm.getResult(0) != getAffineDimExpr(red, g.getContext()) ||
        wm.getResult(1) != om.getResults().back())
      return std::nullopt;
    // x indexed (..., k), its last dim the reduction.
    AffineMap am = maps[0];
    if (am.getNumResults() < 1 || am.getResults().back() != getAffineDimExpr(red, g.getContext()))
      return std::nullopt;
    m.input = a;
    m.weight = w;
  } else {
    return std::nullopt;
  }
  auto xt = rtt(m.input);
  if (!xt || !xt.getElementType().isF32())
    return std::nullopt;
  m.contraction = op;
  m.output = op->getResult(0);
  int64_t n = rtt(m.weight).getDimSize(1);
  if (m.output.hasOneUse()) {
    Operation *user = *m.output.getUsers().begin();
    if (Value b = biasOf(user, m.output, n)) {
      m.bias = b;
      m.biasAdd = user;
      m.output = user->getResult(0);
    }
  }
  return m;
}

static std::string classify(const FfnMatch &m) {
  bool erf = false, tanh = false, exp = false, maxf = false;
  int pointwiseOps = 0;
  for (Operation *op : m.ops) {
    bool isBias = false;
    for (auto &l : m.up)
      isBias |= op == l.biasAdd;
    if (!isPointwise(op) || isBias || op == m.down.biasAdd)
      continue;
    ++pointwiseOps;
    op->walk([&](Operation *inner) {
      erf |= isa<math::ErfOp>(inner);
      tanh |= isa<math::TanhOp>(inner);
      exp |= isa<math::ExpOp>(inner);
      maxf |= isa<arith::MaximumFOp, arith::MaxNumFOp>(inner);
    });
  }
  bool gated = m.up.size() == 2;
  if (erf) return gated ? "geglu" : "gelu";
  // GELU's tanh form and SiLU multiply the input back in: more than one
  // pointwise op (gated forms always multiply).
  if (tanh) return gated ? "geglu_tanh" : pointwiseOps >= 3 ? "gelu_tanh" : "tanh";
  if (exp) return gated ? "swiglu" : pointwiseOps >= 2 ? "silu" : "sigmoid";
  if (maxf) return gated ? "reglu" : "relu";
  return "other";
}

std::optional<FfnMatch> lut::matchFfn(Operation *downOp) {
  auto down = matchLinear(downOp);
  if (!down)
    return std::nullopt;
  FfnMatch m;
  m.down = *down;
  // Walk back from the down projection's input through pointwise ops.
  SmallVector<Operation *> work;
  std::set<Operation *> pointwise;
  llvm::SmallSetVector<Value, 2> leaves;
  Value v = down->input;
  auto visit = [&](Value val) {
    Operation *def = val.getDefiningOp();
    if (def && isPointwise(def) && countNonConstInputs(def) >= 1) {
      if (pointwise.insert(def).second)
        work.push_back(def);
    } else {
      leaves.insert(val);
    }
  };
  visit(v);
  while (!work.empty()) {
    Operation *op = work.pop_back_val();
    for (Value in : cast<linalg::GenericOp>(op).getDpsInputs())
      if (!isConstant(in))
        visit(in);
    if (pointwise.size() > 64)
      return std::nullopt;
  }
  if (pointwise.empty() || leaves.empty() || leaves.size() > 2)
    return std::nullopt;
  // Leaves must be the outputs of up projections sharing one input.
  for (Value leaf : leaves) {
    Operation *def = leaf.getDefiningOp();
    auto up = def ? matchLinear(def) : std::nullopt;
    if (!up || def->getResult(0) != leaf)
      return std::nullopt;
    m.up.push_back(*up);
  }
  if (m.up.size() == 2 && m.up[0].input != m.up[1].input)
    return std::nullopt;
  m.input = m.up[0].input;
  // A bias add absorbed into a Linear is not part of the pointwise set.
  for (auto &up : m.up)
    if (up.biasAdd)
      pointwise.erase(up.biasAdd);
  if (pointwise.empty())
    return std::nullopt; // Linear -> Linear with nothing in between
  m.dModel = rtt(m.input).getShape().back();
  m.dFF = rtt(m.up[0].weight).getDimSize(1);
  m.dOut = rtt(down->weight).getDimSize(1);
  // The block maps [..., d_model] to [..., d_out] with the same leading
  // dims (a bias that broadcasts to a higher rank is not an FFN output).
  // Leading dims may be dynamic (tokens known at run time); the feature
  // dims must be static.
  auto inT = rtt(m.input), outT = rtt(down->output);
  if (!inT || !outT || inT.getRank() != outT.getRank() || inT.getRank() < 1 ||
      ShapedType::isDynamic(inT.getShape().back()) ||
      inT.getShape().drop_back() != outT.getShape().drop_back() ||
      outT.getShape().back() != m.dOut || ShapedType::isDynamic(m.dFF))
    return std::nullopt;
  if (rtt(down->weight).getDimSize(0) != m.dFF)
    return std::nullopt;
  for (auto &up : m.up)
    if (rtt(up.weight).getDimSize(1) != m.dFF)
      return std::nullopt;
  // Collect the ops in block order and check that nothing escapes.
  std::set<Operation *> all(pointwise.begin(), pointwise.end());
  for (auto &up : m.up) {
    all.insert(up.contraction);
    if (up.biasAdd)
      all.insert(up.biasAdd);
  }
  all.insert(down->contraction);
  if (down->biasAdd)
    all.insert(down->biasAdd);
  Block *block = downOp->getBlock();
  for (Operation *op : all)
    if (op->getBlock() != block)
      return std::nullopt;
  m.output = down->output;
  for (Operation &op : *block)
    if (all.count(&op))
      m.ops.insert(&op);
  for (Operation *op : m.ops)
    for (Value r : op->getResults())
      if (r != m.output)
        for (Operation *user : r.getUsers())
          if (!all.count(user))
            return std::nullopt;
  m.activation = classify(m);
  return m;
}

std::string lut::ffnSourceName(const FfnMatch &m) {
  auto components = [](Operation *op) {
    SmallVector<std::string> parts;
    auto nl = dyn_cast<NameLoc>(op->getLoc());
    if (!nl)
      return parts;
    StringRef name = nl.getName().getValue();
    SmallVector<StringRef> pieces;
    name.split(pieces, '/', -1, false);
    for (size_t i = 0; i + 1 < pieces.size(); ++i) // drop the op name
      parts.push_back(pieces[i].str());
    return parts;
  };
  SmallVector<std::string> common = components(m.up[0].contraction);
  auto prune = [&](Operation *op) {
    SmallVector<std::string> c = components(op);
    size_t k = 0;
    while (k < common.size() && k < c.size() && common[k] == c[k])
      ++k;
    common.resize(k);
  };
  for (auto &up : m.up)
    prune(up.contraction);
  prune(m.down.contraction);
  std::string r;
  for (auto &c : common)
    r += (r.empty() ? "" : ".") + c;
  return r;
}
