/*===- lut-c/Dialects.h - C API of the lut dialect and passes -------------===*\
|*                                                                            *|
|* The lut dialect and passes for C programs and language bindings built on  *|
|* the MLIR C API (mlir-c/IR.h). Plain C, usable from C and C++.             *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/**
 * \file
 * The lut dialect in the style of MLIR's own C API dialect headers
 * (mlir-c/Dialect/Func.h, ...).
 *
 * Link `libLutCAPI.so` (CMake: `LutMLIR::LutCAPI`). It holds this API and
 * MLIR's C API for the IR, pass managers, the `func`, `arith`, `tensor`,
 * `linalg` and `math` dialect handles, the upstream transforms
 * (mlir-c/Transforms.h) and mlir-c/RegisterEverything.h, all running on the
 * one `libMLIR.so`. Do not link a second MLIR C API library (for instance
 * another project's aggregate of the static MLIR C API) into the same
 * program.
 *
 * Example:
 *
 *     MlirContext ctx = mlirContextCreate();
 *     mlirDialectHandleLoadDialect(mlirGetDialectHandle__lut__(), ctx);
 *     lutRegisterAllPasses();
 *     ... mlirParsePassPipeline(opm, mlirStringRefCreateFromCString(
 *             "builtin.module(func.func(lut-detect-mlp), convert-lut-to-linalg)"), ...);
 */
#ifndef LUT_C_DIALECTS_H
#define LUT_C_DIALECTS_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Declares `MlirDialectHandle mlirGetDialectHandle__lut__(void)`: the handle
 * of the lut dialect, for mlirDialectHandleInsertDialect (into an
 * MlirDialectRegistry), mlirDialectHandleRegisterDialect and
 * mlirDialectHandleLoadDialect (into an MlirContext).
 */
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(Lut, lut);

/**
 * Registers every lut pass (lut-detect-mlp, lut-convert-mlp, convert-lut-to-linalg, ...;
 * see docs/Passes/LutPasses.md) with MLIR's global pass registry, so that
 * mlirParsePassPipeline and mlirOpPassManagerAddPipeline accept their names.
 * Upstream passes are not registered (mlirRegisterAllPasses does that).
 * Calling it more than once is harmless.
 */
MLIR_CAPI_EXPORTED void lutRegisterAllPasses(void);

#ifdef __cplusplus
}
#endif

#endif /* LUT_C_DIALECTS_H */
