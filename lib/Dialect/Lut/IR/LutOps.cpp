//===- LutOps.cpp - lut dialect operations --------------------------------===//
#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace lut;

//===----------------------------------------------------------------------===//
// MlpOp
//===----------------------------------------------------------------------===//

void MlpOp::build(OpBuilder &builder, OperationState &state, StringRef name,
                  ValueRange inputs, TypeRange resultTypes) {
  state.addAttribute(getNameAttrName(state.name), builder.getStringAttr(name));
  state.addOperands(inputs);
  state.addTypes(resultTypes);
  Region *body = state.addRegion();
  Block *block = new Block();
  for (Value v : inputs)
    block->addArgument(v.getType(), v.getLoc());
  body->push_back(block);
}

// lut.mlp "name" (%a, %b) : (T0, T1) -> (R0) attr-dict-with-keyword { ... }
ParseResult MlpOp::parse(OpAsmParser &parser, OperationState &result) {
  StringAttr name;
  if (parser.parseAttribute(name, "name", result.attributes))
    return failure();
  SmallVector<OpAsmParser::UnresolvedOperand> operands;
  if (parser.parseOperandList(operands, OpAsmParser::Delimiter::Paren))
    return failure();
  FunctionType fnType;
  llvm::SMLoc typeLoc = parser.getCurrentLocation();
  if (parser.parseColonType(fnType))
    return failure();
  if (parser.resolveOperands(operands, fnType.getInputs(), typeLoc,
                             result.operands))
    return failure();
  result.addTypes(fnType.getResults());
  llvm::SMLoc attrLoc = parser.getCurrentLocation();
  if (parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();
  // The dictionary holds the inherent attributes (activation, d_model, ...):
  // check them now, since a mistyped one would not reach the properties.
  if (failed(verifyInherentAttrs(result.name, result.attributes, [&]() {
        return parser.emitError(attrLoc)
               << "'" << result.name.getStringRef() << "' op ";
      })))
    return failure();
  Region *body = result.addRegion();
  if (parser.parseRegion(*body, /*arguments=*/{}, /*enableNameShadowing=*/false))
    return failure();
  MlpOp::ensureTerminator(*body, parser.getBuilder(), result.location);
  return success();
}

void MlpOp::print(OpAsmPrinter &p) {
  p << " ";
  p.printAttributeWithoutType(getNameAttr());
  p << " (";
  p << getInputs();
  p << ") : ";
  p.printFunctionalType(getInputs().getTypes(), getResults().getTypes());
  p.printOptionalAttrDictWithKeyword((*this)->getAttrs(),
                                     /*elidedAttrs=*/{getNameAttrName()});
  p << " ";
  p.printRegion(getBody(), /*printEntryBlockArgs=*/true,
                /*printBlockTerminators=*/true);
}

LogicalResult MlpOp::verifyRegions() {
  if (getName().empty())
    return emitOpError("requires a non-empty FFN name");
  Block &block = getBody().front();
  if (block.getNumArguments() != getInputs().size())
    return emitOpError("body has ")
           << block.getNumArguments() << " arguments but the op has "
           << getInputs().size() << " operands";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(block.getArgumentTypes(), getInputs().getTypes())))
    if (std::get<0>(pair) != std::get<1>(pair))
      return emitOpError("body argument #")
             << i << " has type " << std::get<0>(pair) << " but operand #" << i
             << " has type " << std::get<1>(pair);
  auto yield = cast<YieldOp>(block.getTerminator());
  if (yield.getValues().size() != getNumResults())
    return emitOpError("body yields ")
           << yield.getValues().size() << " values but the op has "
           << getNumResults() << " results";
  for (auto [i, pair] : llvm::enumerate(
           llvm::zip(yield.getValues().getTypes(), getResultTypes())))
    if (std::get<0>(pair) != std::get<1>(pair))
      return emitOpError("yielded value #")
             << i << " has type " << std::get<0>(pair) << " but result #" << i
             << " has type " << std::get<1>(pair);
  return success();
}

//===----------------------------------------------------------------------===//
// helpers
//===----------------------------------------------------------------------===//

/// Checks that `value` is a ranked tensor or memref of `rank` whose dims are
/// static, except dim 0 when `dynamicN` (the token count).
static LogicalResult checkShape(Operation *op, StringRef what, Value value,
                                int64_t rank, StringRef shapeDoc,
                                bool dynamicN = false) {
  auto t = cast<ShapedType>(value.getType());
  if (!t.hasRank() || t.getRank() != rank)
    return op->emitOpError() << "expects " << what << " of rank " << rank
                             << " (" << shapeDoc << "), got " << t;
  for (int64_t d = dynamicN ? 1 : 0; d < rank; ++d)
    if (t.isDynamicDim(d))
      return op->emitOpError()
             << "expects " << what << " to have a static shape"
             << (dynamicN ? " except N" : "") << ", got " << t;
  return success();
}

static int64_t dimOf(Value v, int64_t d) {
  return cast<ShapedType>(v.getType()).getDimSize(d);
}

/// Equal, or one of them dynamic.
static bool compatible(int64_t a, int64_t b) {
  return a == b || ShapedType::isDynamic(a) || ShapedType::isDynamic(b);
}

/// All operands tensors (one result, the destination's type) or all memrefs
/// (no result).
static LogicalResult checkDpsForm(DestinationStyleOpInterface op) {
  bool tensors = op.hasPureTensorSemantics(), buffers = op.hasPureBufferSemantics();
  if (!tensors && !buffers)
    return op->emitOpError() << "operands must be all tensors or all memrefs";
  Value init = op.getDpsInits()[0];
  if (buffers && op->getNumResults() != 0)
    return op->emitOpError() << "on memrefs has no result";
  if (tensors && (op->getNumResults() != 1 || op->getResult(0).getType() != init.getType()))
    return op->emitOpError() << "on tensors has one result, of the destination's type "
                             << init.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// LshEncodeOp
//===----------------------------------------------------------------------===//

void LshEncodeOp::build(OpBuilder &b, OperationState &state, Value x, Value projection,
                        Value bias, Value init, int64_t bits) {
  Type resultType = isa<RankedTensorType>(init.getType()) ? init.getType() : Type();
  build(b, state, resultType ? TypeRange{resultType} : TypeRange{}, x, projection, bias,
        init, b.getI64IntegerAttr(bits));
}

LogicalResult LshEncodeOp::verify() {
  Operation *op = getOperation();
  if (failed(checkShape(op, "x", getX(), 2, "N x D", /*dynamicN=*/true)) ||
      failed(checkShape(op, "projection", getProjection(), 2, "D x H*k")) ||
      failed(checkShape(op, "codes", getInit(), 2, "N x H", /*dynamicN=*/true)) ||
      failed(checkDpsForm(*this)))
    return failure();
  int64_t k = getBits();
  int64_t d = dimOf(getX(), 1), rows = dimOf(getProjection(), 0), cols = dimOf(getProjection(), 1);
  if (d != rows)
    return emitOpError() << "x has D = " << d << " but projection has " << rows << " rows";
  if (cols % k != 0)
    return emitOpError() << "projection has " << cols
                         << " columns, not a multiple of bits = " << k;
  if (Value b = getBias()) {
    if (failed(checkShape(op, "bias", b, 1, "H*k")))
      return failure();
    if (dimOf(b, 0) != cols)
      return emitOpError() << "bias has " << dimOf(b, 0) << " elements but projection has "
                           << cols << " columns";
  }
  Type ct = getElementTypeOrSelf(getInit().getType());
  if (ct.getIntOrFloatBitWidth() < (unsigned)k)
    return emitOpError() << "codes of type " << ct << " cannot hold " << k << " bits";
  if (!compatible(dimOf(getInit(), 0), dimOf(getX(), 0)) || dimOf(getInit(), 1) != cols / k)
    return emitOpError() << "codes must have shape N x " << cols / k << " (N x H), got "
                         << getInit().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// GatherSumOp
//===----------------------------------------------------------------------===//

void GatherSumOp::build(OpBuilder &b, OperationState &state, Value codes, Value tables,
                        Value weights, Value bias, Value scales, Value init) {
  Type resultType = isa<RankedTensorType>(init.getType()) ? init.getType() : Type();
  build(b, state, resultType ? TypeRange{resultType} : TypeRange{}, codes, tables, weights,
        bias, scales, init);
}

LogicalResult GatherSumOp::verify() {
  Operation *op = getOperation();
  if (failed(checkShape(op, "codes", getCodes(), 2, "N x H", /*dynamicN=*/true)) ||
      failed(checkShape(op, "tables", getTables(), 3, "H x R x M")) ||
      failed(checkShape(op, "result", getInit(), 2, "N x M", /*dynamicN=*/true)) ||
      failed(checkDpsForm(*this)))
    return failure();
  int64_t n = dimOf(getCodes(), 0), h = dimOf(getCodes(), 1);
  int64_t r = dimOf(getTables(), 1), m = dimOf(getTables(), 2);
  if (dimOf(getTables(), 0) != h)
    return emitOpError() << "codes have H = " << h << " tables but tables has "
                         << dimOf(getTables(), 0);
  if (r < 1)
    return emitOpError() << "tables must have at least one row, got R = " << r;
  if (!compatible(dimOf(getInit(), 0), n) || dimOf(getInit(), 1) != m)
    return emitOpError() << "result must have shape N x " << m << " (N x M), got "
                         << getInit().getType();
  if (Value w = getWeights()) {
    if (failed(checkShape(op, "weights", w, 2, "N x H", /*dynamicN=*/true)))
      return failure();
    if (!compatible(dimOf(w, 0), n) || dimOf(w, 1) != h)
      return emitOpError() << "weights must have shape N x " << h << " (N x H), got "
                           << w.getType();
  }
  if (Value b = getBias()) {
    if (failed(checkShape(op, "bias", b, 1, "M")))
      return failure();
    if (dimOf(b, 0) != m)
      return emitOpError() << "bias must have " << m << " elements (M), got " << b.getType();
  }
  bool quantized = getElementTypeOrSelf(getTables().getType()).isInteger(8);
  if (Value s = getScales()) {
    if (!quantized)
      return emitOpError() << "scales are only allowed with i8 tables, got "
                           << getTables().getType();
    auto st = cast<ShapedType>(s.getType());
    bool perColumn = st.hasRank() && st.getRank() == 1;
    if (failed(checkShape(op, "scales", s, perColumn ? 1 : 2, perColumn ? "M" : "H x M")))
      return failure();
    if (perColumn ? dimOf(s, 0) != m : (dimOf(s, 0) != h || dimOf(s, 1) != m))
      return emitOpError() << "scales must have shape " << m << " (M) or " << h << "x" << m
                           << " (H x M), got " << s.getType();
  } else if (quantized) {
    return emitOpError() << "i8 tables require scales (M or H x M)";
  }
  // The codes' values are not checked here (that would look through the
  // defining op); convert-lut-to-linalg rejects constant codes out of range.
  return success();
}

//===----------------------------------------------------------------------===//
// ThermometerOp
//===----------------------------------------------------------------------===//

void ThermometerOp::build(OpBuilder &b, OperationState &state, Value x, Value thresholds,
                          Value init) {
  Type resultType = isa<RankedTensorType>(init.getType()) ? init.getType() : Type();
  build(b, state, resultType ? TypeRange{resultType} : TypeRange{}, x, thresholds, init);
}

LogicalResult ThermometerOp::verify() {
  Operation *op = getOperation();
  if (failed(checkShape(op, "x", getX(), 2, "N x D", /*dynamicN=*/true)) ||
      failed(checkShape(op, "thresholds", getThresholds(), 2, "D x B")) ||
      failed(checkShape(op, "bits", getInit(), 2, "N x D*B", /*dynamicN=*/true)) ||
      failed(checkDpsForm(*this)))
    return failure();
  int64_t d = dimOf(getX(), 1), b = dimOf(getThresholds(), 1);
  if (dimOf(getThresholds(), 0) != d)
    return emitOpError() << "x has D = " << d << " features but thresholds has "
                         << dimOf(getThresholds(), 0) << " rows";
  if (!compatible(dimOf(getInit(), 0), dimOf(getX(), 0)) || dimOf(getInit(), 1) != d * b)
    return emitOpError() << "bits must have shape N x " << d * b << " (N x D*B), got "
                         << getInit().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// LutOp
//===----------------------------------------------------------------------===//

void LutOp::build(OpBuilder &b, OperationState &state, Value bits, Value mapping, Value tables,
                  Value init) {
  Type resultType = isa<RankedTensorType>(init.getType()) ? init.getType() : Type();
  build(b, state, resultType ? TypeRange{resultType} : TypeRange{}, bits, mapping, tables, init);
}

LogicalResult LutOp::verify() {
  Operation *op = getOperation();
  if (failed(checkShape(op, "bits", getBits(), 2, "N x I", /*dynamicN=*/true)) ||
      failed(checkShape(op, "mapping", getMapping(), 2, "L x n")) ||
      failed(checkShape(op, "tables", getTables(), 2, "L x 2^n")) ||
      failed(checkShape(op, "result", getInit(), 2, "N x L", /*dynamicN=*/true)) ||
      failed(checkDpsForm(*this)))
    return failure();
  int64_t l = dimOf(getMapping(), 0), n = dimOf(getMapping(), 1);
  if (n < 1 || n > 16)
    return emitOpError() << "fan-in n = " << n << " (mapping's second dim) is outside [1, 16]";
  if (dimOf(getTables(), 0) != l || dimOf(getTables(), 1) != (int64_t(1) << n))
    return emitOpError() << "tables must have shape " << l << "x" << (int64_t(1) << n)
                         << " (L x 2^n), got " << getTables().getType();
  if (!compatible(dimOf(getInit(), 0), dimOf(getBits(), 0)) || dimOf(getInit(), 1) != l)
    return emitOpError() << "result must have shape N x " << l << " (N x L), got "
                         << getInit().getType();
  // The mapping's values are not checked here; convert-lut-to-linalg
  // rejects a constant mapping out of range.
  return success();
}

#define GET_OP_CLASSES
#include "lut/Dialect/Lut/IR/LutOps.cpp.inc"
