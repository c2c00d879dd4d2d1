//===- ConstantFolder.cpp - Import-time evaluation of IR on constants -----===//
//
// See ConstantFolder.h.
//
//===----------------------------------------------------------------------===//
#include "ConstantFolder.h"
#include "ImporterImpl.h"

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace lut::onnximport;

DenseElementsAttr lut::onnximport::toDense(ElementsAttr attr,
                                           int64_t maxElements) {
  if (!attr || attr.getNumElements() > maxElements)
    return nullptr;
  if (auto d = dyn_cast<DenseElementsAttr>(attr))
    return d;
  auto r = dyn_cast<DenseResourceElementsAttr>(attr);
  AsmResourceBlob *blob = r ? r.getRawHandle().getBlob() : nullptr;
  if (!blob)
    return nullptr;
  auto type = cast<ShapedType>(attr.getType());
  bool splat = false;
  if (!DenseElementsAttr::isValidRawBuffer(type, blob->getData(), splat))
    return nullptr;
  return DenseElementsAttr::getFromRawBuffer(type, blob->getData());
}

namespace {

/// A tensor under evaluation: one Attribute per element, row-major.
struct EvalTensor {
  RankedTensorType type;
  std::vector<Attribute> elems;
};

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/// Calls `f(index)` for every multi-index of `shape`, in row-major order;
/// stops and fails when `f` fails.
LogicalResult forEachIndex(ArrayRef<int64_t> shape,
                           function_ref<LogicalResult(ArrayRef<int64_t>)> f) {
  for (int64_t d : shape)
    if (d == 0)
      return success();
  SmallVector<int64_t> idx(shape.size(), 0);
  while (true) {
    if (failed(f(idx)))
      return failure();
    int64_t d = (int64_t)shape.size() - 1;
    for (; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
    if (d < 0)
      return success();
  }
}

/// Evaluates an affine expression of dims only; nullopt for symbols or a
/// division by a non-positive number.
std::optional<int64_t> evalExpr(AffineExpr e, ArrayRef<int64_t> dims) {
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return d.getPosition() < dims.size()
               ? std::optional<int64_t>(dims[d.getPosition()])
               : std::nullopt;
  if (auto c = dyn_cast<AffineConstantExpr>(e))
    return c.getValue();
  auto bin = dyn_cast<AffineBinaryOpExpr>(e);
  if (!bin)
    return std::nullopt;
  std::optional<int64_t> l = evalExpr(bin.getLHS(), dims),
                         r = evalExpr(bin.getRHS(), dims);
  if (!l || !r)
    return std::nullopt;
  switch (e.getKind()) {
  case AffineExprKind::Add:
    return *l + *r;
  case AffineExprKind::Mul:
    return *l * *r;
  case AffineExprKind::Mod:
    return *r > 0 ? std::optional<int64_t>(((*l % *r) + *r) % *r)
                  : std::nullopt;
  case AffineExprKind::FloorDiv:
    return *r > 0 ? std::optional<int64_t>(llvm::divideFloorSigned(*l, *r))
                  : std::nullopt;
  case AffineExprKind::CeilDiv:
    return *r > 0 ? std::optional<int64_t>(llvm::divideCeilSigned(*l, *r))
                  : std::nullopt;
  default:
    return std::nullopt;
  }
}

/// An integer or float attribute of exactly type `type`.
bool isScalarOf(Attribute a, Type type) {
  auto ta = dyn_cast_or_null<TypedAttr>(a);
  return ta && isa<IntegerAttr, FloatAttr>(a) && ta.getType() == type;
}

/// Static offsets, sizes and strides of a slice op, or failure.
LogicalResult staticSlice(OffsetSizeAndStrideOpInterface op,
                          SmallVectorImpl<int64_t> &offs,
                          SmallVectorImpl<int64_t> &sizes,
                          SmallVectorImpl<int64_t> &strides) {
  offs.assign(op.getStaticOffsets().begin(), op.getStaticOffsets().end());
  sizes.assign(op.getStaticSizes().begin(), op.getStaticSizes().end());
  strides.assign(op.getStaticStrides().begin(), op.getStaticStrides().end());
  for (auto v : {ArrayRef<int64_t>(offs), ArrayRef<int64_t>(sizes),
                 ArrayRef<int64_t>(strides)})
    if (llvm::any_of(v, ShapedType::isDynamic))
      return failure();
  return success();
}

} // namespace

struct ConstantFolder::Impl {
  int64_t workLimit;
  DenseMap<Value, std::unique_ptr<EvalTensor>> tensors;
  DenseMap<Value, Attribute> scalars;

  /// A statically shaped tensor type with at most workLimit elements.
  RankedTensorType boundedType(Type t) const {
    auto rt = dyn_cast<RankedTensorType>(t);
    if (!rt || !rt.hasStaticShape() || rt.getNumElements() > workLimit)
      return nullptr;
    return rt;
  }

  EvalTensor *setTensor(Value v, std::vector<Attribute> elems) {
    auto t = std::make_unique<EvalTensor>();
    t->type = cast<RankedTensorType>(v.getType());
    t->elems = std::move(elems);
    EvalTensor *p = t.get();
    tensors[v] = std::move(t);
    return p;
  }

  /// The evaluated contents of tensor `v`: computed above, or a constant.
  EvalTensor *tensorOf(Value v) {
    auto it = tensors.find(v);
    if (it != tensors.end())
      return it->second.get();
    RankedTensorType type = boundedType(v.getType());
    Attribute a;
    if (!type || !matchPattern(v, m_Constant(&a)))
      return nullptr;
    DenseElementsAttr d = toDense(dyn_cast<ElementsAttr>(a), workLimit);
    if (!d)
      return nullptr;
    auto range = d.getValues<Attribute>();
    return setTensor(v, std::vector<Attribute>(range.begin(), range.end()));
  }

  /// The value of scalar `v`: in `local` (a body being evaluated), computed
  /// above, or a constant.
  Attribute scalarOf(Value v, const DenseMap<Value, Attribute> *local) {
    if (local) {
      auto it = local->find(v);
      if (it != local->end())
        return it->second;
    }
    auto it = scalars.find(v);
    if (it != scalars.end())
      return it->second;
    Attribute a;
    if (matchPattern(v, m_Constant(&a)) && isScalarOf(a, v.getType()))
      return a;
    return nullptr;
  }

  /// Folds scalar op `op` with its own folder; stores its results in `out`.
  LogicalResult foldScalar(Operation *op, DenseMap<Value, Attribute> *local,
                           DenseMap<Value, Attribute> &out) {
    if (op->getNumRegions() != 0)
      return failure();
    SmallVector<Attribute> operands;
    for (Value v : op->getOperands()) {
      Attribute a = scalarOf(v, local);
      if (!a)
        return failure();
      operands.push_back(a);
    }
    SmallVector<OpFoldResult> results;
    if (failed(op->fold(operands, results)) ||
        results.size() != op->getNumResults())
      return failure();
    for (auto [r, res] : llvm::zip(results, op->getResults())) {
      Attribute a = dyn_cast_if_present<Attribute>(r);
      if (!a)
        a = scalarOf(cast<Value>(r), local);
      if (!isScalarOf(a, res.getType()))
        return failure();
      out[res] = a;
    }
    return success();
  }

  LogicalResult evalBodyOp(Operation &op, DenseMap<Value, Attribute> &local,
                           ArrayRef<int64_t> point) {
    if (auto idx = dyn_cast<linalg::IndexOp>(op)) {
      if (idx.getDim() >= point.size())
        return failure();
      local[idx] = IntegerAttr::get(idx.getType(), point[idx.getDim()]);
      return success();
    }
    if (auto ex = dyn_cast<tensor::ExtractOp>(op)) {
      EvalTensor *t = tensorOf(ex.getTensor());
      if (!t)
        return failure();
      int64_t flat = 0;
      for (auto [i, v] : llvm::enumerate(ex.getIndices())) {
        auto a = dyn_cast_or_null<IntegerAttr>(scalarOf(v, &local));
        int64_t dim = t->type.getDimSize(i);
        if (!a || a.getInt() < 0 || a.getInt() >= dim)
          return failure();
        flat = flat * dim + a.getInt();
      }
      local[ex.getResult()] = t->elems[flat];
      return success();
    }
    return foldScalar(&op, &local, local);
  }

  LogicalResult evalLinalg(linalg::LinalgOp op) {
    Block *body = op.getBlock();
    if (!op.hasPureTensorSemantics() || !body)
      return failure();
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t points = 1;
    for (int64_t r : ranges)
      if (ShapedType::isDynamic(r) ||
          __builtin_mul_overflow(points, r, &points) || points > workLimit)
        return failure();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    struct Operand {
      EvalTensor *tensor = nullptr; // shaped operands
      Attribute scalar;             // scalar operands
      SmallVector<int64_t> strides;
      int64_t out = -1; // index into `outs` for inits
    };
    SmallVector<Operand> operands;
    SmallVector<std::vector<Attribute>> outs;
    for (OpOperand &o : op->getOpOperands()) {
      Operand x;
      if (isa<ShapedType>(o.get().getType())) {
        x.tensor = tensorOf(o.get());
        if (!x.tensor)
          return failure();
        x.strides = stridesOf(x.tensor->type.getShape());
        if (op.isDpsInit(&o)) {
          x.out = outs.size();
          outs.push_back(x.tensor->elems);
        }
      } else {
        x.scalar = scalarOf(o.get(), nullptr);
        if (!x.scalar || op.isDpsInit(&o))
          return failure();
      }
      operands.push_back(std::move(x));
    }
    if (maps.size() != operands.size() ||
        body->getNumArguments() != operands.size())
      return failure();
    Operation *yield = body->getTerminator();
    if (yield->getNumOperands() != outs.size())
      return failure();
    DenseMap<Value, Attribute> local;
    SmallVector<int64_t> flats(operands.size());
    auto step = [&](ArrayRef<int64_t> point) -> LogicalResult {
      local.clear();
      for (auto [k, x] : llvm::enumerate(operands)) {
        if (!x.tensor) {
          local[body->getArgument(k)] = x.scalar;
          continue;
        }
        int64_t flat = 0;
        for (auto [d, e] : llvm::enumerate(maps[k].getResults())) {
          std::optional<int64_t> i = evalExpr(e, point);
          if (!i || *i < 0 || *i >= x.tensor->type.getDimSize(d))
            return failure();
          flat += *i * x.strides[d];
        }
        flats[k] = flat;
        local[body->getArgument(k)] =
            x.out >= 0 ? outs[x.out][flat] : x.tensor->elems[flat];
      }
      for (Operation &bop : body->without_terminator())
        if (failed(evalBodyOp(bop, local, point)))
          return failure();
      for (auto [k, x] : llvm::enumerate(operands)) {
        if (x.out < 0)
          continue;
        Attribute r = scalarOf(yield->getOperand(x.out), &local);
        if (!r)
          return failure();
        outs[x.out][flats[k]] = r;
      }
      return success();
    };
    if (failed(forEachIndex(ranges, step)))
      return failure();
    for (auto [j, res] : llvm::enumerate(op->getResults()))
      setTensor(res, std::move(outs[j]));
    return success();
  }

  LogicalResult evalExtractSlice(tensor::ExtractSliceOp op) {
    EvalTensor *src = tensorOf(op.getSource());
    SmallVector<int64_t> offs, sizes, strides;
    if (!src || failed(staticSlice(op, offs, sizes, strides)) ||
        op.getType().getRank() != src->type.getRank() ||
        !boundedType(op.getType()))
      return failure();
    SmallVector<int64_t> srcStrides = stridesOf(src->type.getShape());
    std::vector<Attribute> elems;
    auto visit = [&](ArrayRef<int64_t> idx) -> LogicalResult {
      int64_t flat = 0;
      for (size_t d = 0; d < idx.size(); ++d) {
        int64_t i = offs[d] + idx[d] * strides[d];
        if (i < 0 || i >= src->type.getDimSize(d))
          return failure();
        flat += i * srcStrides[d];
      }
      elems.push_back(src->elems[flat]);
      return success();
    };
    if (failed(forEachIndex(sizes, visit)))
      return failure();
    setTensor(op.getResult(), std::move(elems));
    return success();
  }

  /// Writes `src` into a copy of `dest` at `offs` + index * `strides`.
  LogicalResult insertInto(const EvalTensor &src, std::vector<Attribute> &dest,
                           RankedTensorType destType, ArrayRef<int64_t> offs,
                           ArrayRef<int64_t> strides) {
    SmallVector<int64_t> destStrides = stridesOf(destType.getShape());
    int64_t k = 0;
    return forEachIndex(src.type.getShape(), [&](ArrayRef<int64_t> idx) {
      int64_t flat = 0;
      for (size_t d = 0; d < idx.size(); ++d) {
        int64_t i = offs[d] + idx[d] * strides[d];
        if (i < 0 || i >= destType.getDimSize(d))
          return failure();
        flat += i * destStrides[d];
      }
      dest[flat] = src.elems[k++];
      return success();
    });
  }

  LogicalResult evalInsertSlice(tensor::InsertSliceOp op) {
    EvalTensor *src = tensorOf(op.getSource()), *dest = tensorOf(op.getDest());
    SmallVector<int64_t> offs, sizes, strides;
    if (!src || !dest || failed(staticSlice(op, offs, sizes, strides)) ||
        src->type.getRank() != dest->type.getRank())
      return failure();
    std::vector<Attribute> elems = dest->elems;
    if (failed(insertInto(*src, elems, dest->type, offs, strides)))
      return failure();
    setTensor(op.getResult(), std::move(elems));
    return success();
  }

  LogicalResult evalPad(tensor::PadOp op) {
    EvalTensor *src = tensorOf(op.getSource());
    Value padValue = op.getConstantPaddingValue();
    Attribute pad = padValue ? scalarOf(padValue, nullptr) : nullptr;
    RankedTensorType type = boundedType(op.getResultType());
    if (!src || !pad || !type ||
        llvm::any_of(op.getStaticLow(), ShapedType::isDynamic))
      return failure();
    std::vector<Attribute> elems(type.getNumElements(), pad);
    SmallVector<int64_t> ones(type.getRank(), 1);
    if (failed(insertInto(*src, elems, type, op.getStaticLow(), ones)))
      return failure();
    setTensor(op.getResult(), std::move(elems));
    return success();
  }

  LogicalResult evalOp(Operation *op) {
    if (isa<arith::ConstantOp>(op))
      return success(); // read on use
    if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
      RankedTensorType type = boundedType(empty.getType());
      if (!type)
        return failure();
      Attribute zero =
          Builder(op->getContext()).getZeroAttr(type.getElementType());
      if (!zero)
        return failure();
      setTensor(empty, std::vector<Attribute>(type.getNumElements(), zero));
      return success();
    }
    if (auto l = dyn_cast<linalg::LinalgOp>(op))
      return evalLinalg(l);
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op)) {
      EvalTensor *src = tensorOf(op->getOperand(0));
      if (!src || !boundedType(op->getResult(0).getType()))
        return failure();
      setTensor(op->getResult(0), src->elems);
      return success();
    }
    if (auto s = dyn_cast<tensor::ExtractSliceOp>(op))
      return evalExtractSlice(s);
    if (auto s = dyn_cast<tensor::InsertSliceOp>(op))
      return evalInsertSlice(s);
    if (auto p = dyn_cast<tensor::PadOp>(op))
      return evalPad(p);
    if (llvm::any_of(op->getResultTypes(), llvm::IsaPred<ShapedType>))
      return failure();
    return foldScalar(op, nullptr, scalars);
  }
};

ConstantFolder::ConstantFolder(int64_t workLimit) : impl(new Impl) {
  impl->workLimit = workLimit;
}

ConstantFolder::~ConstantFolder() = default;

LogicalResult ConstantFolder::evaluate(ArrayRef<Operation *> ops) {
  for (Operation *op : ops)
    if (failed(impl->evalOp(op)))
      return failure();
  return success();
}

DenseElementsAttr ConstantFolder::valueOf(Value v, int64_t maxElements) {
  EvalTensor *t = impl->tensorOf(v);
  if (!t || t->type.getNumElements() > maxElements)
    return nullptr;
  Type et = t->type.getElementType();
  for (Attribute a : t->elems)
    if (!isScalarOf(a, et))
      return nullptr;
  return DenseElementsAttr::get(t->type, t->elems);
}
