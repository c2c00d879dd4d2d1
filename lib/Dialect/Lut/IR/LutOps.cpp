//===- LutOps.cpp - lut dialect operations --------------------------------===//
#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
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

static LogicalResult checkRank(Operation *op, StringRef what, Type type,
                               int64_t rank, StringRef shapeDoc) {
  auto t = cast<RankedTensorType>(type);
  if (t.getRank() != rank)
    return op->emitOpError() << "expects " << what << " of rank " << rank
                             << " (" << shapeDoc << "), got " << t;
  if (!t.hasStaticShape())
    return op->emitOpError() << "expects " << what
                             << " to have a static shape, got " << t;
  return success();
}

//===----------------------------------------------------------------------===//
// LshEncodeOp
//===----------------------------------------------------------------------===//

LogicalResult LshEncodeOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "x", getX().getType(), 2, "N x D")) ||
      failed(checkRank(op, "projection", getProjection().getType(), 2,
                       "D x H*k")) ||
      failed(checkRank(op, "codes", getCodes().getType(), 2, "N x H")))
    return failure();
  auto x = getX().getType().getShape();
  auto p = getProjection().getType().getShape();
  auto c = getCodes().getType().getShape();
  int64_t k = getBits();
  if (x[1] != p[0])
    return emitOpError() << "x has D = " << x[1] << " but projection has "
                         << p[0] << " rows";
  if (p[1] % k != 0)
    return emitOpError() << "projection has " << p[1]
                         << " columns, not a multiple of bits = " << k;
  if (Value b = getBias()) {
    if (failed(checkRank(op, "bias", b.getType(), 1, "H*k")))
      return failure();
    if (cast<RankedTensorType>(b.getType()).getDimSize(0) != p[1])
      return emitOpError() << "bias has "
                           << cast<RankedTensorType>(b.getType()).getDimSize(0)
                           << " elements but projection has " << p[1]
                           << " columns";
  }
  if (c[0] != x[0] || c[1] != p[1] / k)
    return emitOpError() << "codes must have shape " << x[0] << "x"
                         << p[1] / k << " (N x H), got "
                         << getCodes().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// GatherSumOp
//===----------------------------------------------------------------------===//

LogicalResult GatherSumOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "codes", getCodes().getType(), 2, "N x H")) ||
      failed(checkRank(op, "tables", getTables().getType(), 3, "H x R x M")) ||
      failed(checkRank(op, "result", getResult().getType(), 2, "N x M")))
    return failure();
  auto c = getCodes().getType().getShape();
  auto t = getTables().getType().getShape();
  auto y = getResult().getType().getShape();
  int64_t n = c[0], h = c[1], r = t[1], m = t[2];
  if (t[0] != h)
    return emitOpError() << "codes have H = " << h << " tables but tables has "
                         << t[0];
  if (r < 1)
    return emitOpError() << "tables must have at least one row, got R = " << r;
  if (y[0] != n || y[1] != m)
    return emitOpError() << "result must have shape " << n << "x" << m
                         << " (N x M), got " << getResult().getType();
  if (Value w = getWeights()) {
    if (failed(checkRank(op, "weights", w.getType(), 2, "N x H")))
      return failure();
    auto ws = cast<RankedTensorType>(w.getType()).getShape();
    if (ws[0] != n || ws[1] != h)
      return emitOpError() << "weights must have shape " << n << "x" << h
                           << " (N x H), got " << w.getType();
  }
  if (Value b = getBias()) {
    if (failed(checkRank(op, "bias", b.getType(), 1, "M")))
      return failure();
    if (cast<RankedTensorType>(b.getType()).getDimSize(0) != m)
      return emitOpError() << "bias must have " << m << " elements (M), got "
                           << b.getType();
  }
  bool quantized = getTables().getType().getElementType().isInteger(8);
  if (Value s = getScales()) {
    if (!quantized)
      return emitOpError() << "scales are only allowed with i8 tables, got "
                           << getTables().getType();
    if (failed(checkRank(op, "scales", s.getType(), 2, "H x M")))
      return failure();
    auto ss = cast<RankedTensorType>(s.getType()).getShape();
    if (ss[0] != h || ss[1] != m)
      return emitOpError() << "scales must have shape " << h << "x" << m
                           << " (H x M), got " << s.getType();
  } else if (quantized) {
    return emitOpError() << "i8 tables require scales (H x M)";
  }
  // The codes' values are not checked here (that would look through the
  // defining op); convert-lut-to-linalg rejects constant codes out of range.
  return success();
}

#define GET_OP_CLASSES
#include "lut/Dialect/Lut/IR/LutOps.cpp.inc"
