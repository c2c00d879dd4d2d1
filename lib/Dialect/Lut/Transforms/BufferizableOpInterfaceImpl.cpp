//===- BufferizableOpInterfaceImpl.cpp - bufferization of lut ops ---------===//
#include "lut/Dialect/Lut/Transforms/BufferizableOpInterfaceImpl.h"

#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace {

/// A destination-style lut op: the destination is written, never read, so
/// its buffer need not hold the tensor's values (no copy for a fresh
/// destination); every input is read.
template <typename OpTy>
struct LutDpsOpInterface
    : public DstBufferizableOpInterfaceExternalModel<LutDpsOpInterface<OpTy>, OpTy> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const AnalysisState &) const {
    return !cast<DestinationStyleOpInterface>(op).isDpsInit(&operand);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto dps = cast<DestinationStyleOpInterface>(op);
    if (dps.hasPureBufferSemantics())
      return success();
    SmallVector<Value> operands;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<TensorType>(operand.get().getType())) {
        operands.push_back(operand.get());
        continue;
      }
      FailureOr<Value> buffer = getBuffer(rewriter, operand.get(), options, state);
      if (failed(buffer))
        return failure();
      operands.push_back(*buffer);
    }
    rewriter.setInsertionPoint(op);
    // The same op on memrefs: no result, the same properties (bits, operand
    // segments) and attributes.
    OperationState newState(op->getLoc(), op->getName(), operands, TypeRange{},
                            llvm::to_vector(op->getDiscardableAttrs()));
    newState.propertiesAttr = op->getPropertiesAsAttribute();
    rewriter.create(newState);
    SmallVector<Value> replacements;
    for (OpOperand &init : dps.getDpsInitsMutable())
      replacements.push_back(operands[init.getOperandNumber()]);
    replaceOpWithBufferizedValues(rewriter, op, replacements);
    return success();
  }
};

} // namespace

void lut::registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, LutDialect *) {
    LshEncodeOp::attachInterface<LutDpsOpInterface<LshEncodeOp>>(*ctx);
    GatherSumOp::attachInterface<LutDpsOpInterface<GatherSumOp>>(*ctx);
    ThermometerOp::attachInterface<LutDpsOpInterface<ThermometerOp>>(*ctx);
    LutOp::attachInterface<LutDpsOpInterface<LutOp>>(*ctx);
  });
}
