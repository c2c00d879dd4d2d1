/*===- lut_capi_test.c - the lut dialect through the C API ----------------===*\
|*                                                                            *|
|* Links only libLutCAPI.so. Loads the lut dialect through its dialect       *|
|* handle, parses and verifies a module with lut.gather_sum, checks that it  *|
|* round-trips through the custom and the generic form, then runs the        *|
|* convert-lut-to-linalg pass by name (lutRegisterAllPasses) and checks no lut op is     *|
|* left. Prints every check; exits non-zero if any failed.                   *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
#include "lut-c/Dialects.h"
#include "mlir-c/Dialect/Func.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *kModule =
    "func.func @gather(%c: tensor<4x3xi32>, %t: tensor<3x16x5xf32>,\n"
    "                  %b: tensor<5xf32>, %i: tensor<4x5xf32>) -> tensor<4x5xf32> {\n"
    "  %0 = lut.gather_sum %c, %t bias %b outs(%i : tensor<4x5xf32>) : "
    "tensor<4x3xi32>, tensor<3x16x5xf32> bias tensor<5xf32> -> tensor<4x5xf32>\n"
    "  return %0 : tensor<4x5xf32>\n"
    "}\n";

/* A growing string that MLIR's print callbacks append to. */
typedef struct {
  char *data;
  size_t size;
} Buffer;

static void append(MlirStringRef piece, void *userData) {
  Buffer *buffer = (Buffer *)userData;
  char *grown = (char *)realloc(buffer->data, buffer->size + piece.length + 1);
  if (!grown) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  memcpy(grown + buffer->size, piece.data, piece.length);
  buffer->size += piece.length;
  grown[buffer->size] = '\0';
  buffer->data = grown;
}

static void toStderr(MlirStringRef piece, void *userData) {
  (void)userData;
  fwrite(piece.data, 1, piece.length, stderr);
}

static char *print(MlirOperation op, int generic) {
  Buffer buffer = {NULL, 0};
  MlirOpPrintingFlags flags = mlirOpPrintingFlagsCreate();
  if (generic)
    mlirOpPrintingFlagsPrintGenericOpForm(flags);
  mlirOperationPrintWithFlags(op, flags, append, &buffer);
  mlirOpPrintingFlagsDestroy(flags);
  return buffer.data;
}

static int failures = 0;
static void check(int ok, const char *what) {
  printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  if (!ok)
    ++failures;
}

static size_t count(const char *text, const char *needle) {
  size_t n = 0;
  for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
    ++n;
  return n;
}

/* Parses `text`, checks that it verifies and returns it printed (custom
   form), or NULL. */
static char *reparse(MlirContext ctx, const char *text) {
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(text));
  if (mlirModuleIsNull(module))
    return NULL;
  char *printed = NULL;
  if (mlirOperationVerify(mlirModuleGetOperation(module)))
    printed = print(mlirModuleGetOperation(module), 0);
  mlirModuleDestroy(module);
  return printed;
}

int main(void) {
  MlirContext ctx = mlirContextCreate();

  MlirDialectHandle lut = mlirGetDialectHandle__lut__();
  MlirStringRef ns = mlirDialectHandleGetNamespace(lut);
  check(ns.length == 3 && strncmp(ns.data, "lut", 3) == 0,
        "the handle's namespace is \"lut\"");
  mlirDialectHandleRegisterDialect(lut, ctx);
  MlirDialect dialect = mlirDialectHandleLoadDialect(lut, ctx);
  check(!mlirDialectIsNull(dialect), "the lut dialect loads");
  check(!mlirDialectIsNull(mlirDialectHandleLoadDialect(
            mlirGetDialectHandle__func__(), ctx)),
        "the func dialect loads");

  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kModule));
  check(!mlirModuleIsNull(module), "the module parses");
  if (mlirModuleIsNull(module)) {
    mlirContextDestroy(ctx);
    return 1;
  }
  MlirOperation op = mlirModuleGetOperation(module);
  check(mlirOperationVerify(op), "the module verifies");

  char *custom = print(op, 0);
  char *generic = print(op, 1);
  printf("%s", custom);
  check(count(custom, "lut.gather_sum %") == 1,
        "lut.gather_sum is printed in its custom form");
  check(count(generic, "\"lut.gather_sum\"(") == 1,
        "lut.gather_sum is printed in the generic form");
  char *again = reparse(ctx, custom);
  check(again && strcmp(again, custom) == 0,
        "custom form: parse(print(m)) prints the same");
  char *fromGeneric = reparse(ctx, generic);
  check(fromGeneric && strcmp(fromGeneric, custom) == 0,
        "generic form: parses back to the same module");

  lutRegisterAllPasses();
  lutRegisterAllPasses(); /* a second call is harmless */
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  MlirLogicalResult parsed = mlirParsePassPipeline(
      mlirPassManagerGetAsOpPassManager(pm),
      mlirStringRefCreateFromCString("builtin.module(convert-lut-to-linalg)"), toStderr,
      NULL);
  check(mlirLogicalResultIsSuccess(parsed),
        "the pipeline builtin.module(convert-lut-to-linalg) parses");
  if (mlirLogicalResultIsSuccess(parsed)) {
    check(mlirLogicalResultIsSuccess(mlirPassManagerRunOnOp(pm, op)),
          "convert-lut-to-linalg runs");
    char *lowered = print(op, 0);
    check(count(lowered, "lut.") == 0 && count(lowered, "linalg.generic") > 0,
          "convert-lut-to-linalg leaves no lut op (a linalg.generic instead)");
    free(lowered);
  }

  mlirPassManagerDestroy(pm);
  free(custom);
  free(generic);
  free(again);
  free(fromGeneric);
  mlirModuleDestroy(module);
  mlirContextDestroy(ctx);
  printf("%d check(s) failed\n", failures);
  return failures ? 1 : 0;
}
