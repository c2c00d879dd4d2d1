//===- BufferizableOpInterfaceImpl.h - bufferization of lut ops -*- C++ -*-===//
//
// One-Shot Bufferize support for the destination-style lut ops: on tensors
// they read their inputs and overwrite their destination (`outs`); each
// bufferizes in place to the same op on memrefs, writing the destination's
// buffer.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_DIALECT_LUT_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
#define LUT_DIALECT_LUT_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace lut {

/// Attaches BufferizableOpInterface to lut.lsh_encode and lut.gather_sum.
void registerBufferizableOpInterfaceExternalModels(mlir::DialectRegistry &registry);

} // namespace lut

#endif
