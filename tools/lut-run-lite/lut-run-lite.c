/*===- lut-run-lite.c - run a compiled model with only a C library ---------===*
 *
 * lut-run-lite MODEL.so [IN.npy]... -o OUTDIR
 *
 * Loads a model compiled by lutc (the lut-mlir model ABI: lut_model_run and
 * lut_model_signature, docs/Runtime.md), reads one .npy file per graph input,
 * runs the model once and writes OUTDIR/output_<i>.npy for every output.
 *
 * It is written in C with no dependency beyond libc and libdl, so that it can
 * be built for any target lutc emits for, and run where the C++ runtime
 * (LutRuntime, lut-run) is not built: the AArch64 execution tests run it under
 * qemu-aarch64 (test/Execution/aarch64-qemu.test). lut-run is the full tool
 * (CPU feature checks, .pb files, benchmarking); this one checks only what it
 * needs: the signature's version and records, and that each .npy file has
 * exactly the dtype and shape of its input (little endian, C order).
 *
 * Errors print "lut-run-lite: error: ..." naming the file or record at fault
 * and exit with status 1.
 *===----------------------------------------------------------------------===*/
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TENSORS 256
#define MAX_DIMS 64

typedef struct {
  const char *name; /* ONNX dtype name, lowercased */
  const char *descr; /* NumPy dtype descriptor */
  int bytes;
} DType;

static const DType kDTypes[] = {
#define LUT_DTYPE(Id, Value, Name, Bytes, Kind, MlirType, Numpy, NpyDescr) {Name, NpyDescr, Bytes},
#include "lut/Support/DTypes.def"
};

typedef struct {
  const DType *dtype;
  int rank;
  int64_t dims[MAX_DIMS];
  uint64_t bytes;
} TensorType;

static void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("lut-run-lite: error: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static const DType *findDType(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof(kDTypes) / sizeof(kDTypes[0]); ++i)
    if (strlen(kDTypes[i].name) == len && strncmp(kDTypes[i].name, name, len) == 0)
      return &kDTypes[i];
  return NULL;
}

/* Parses "<kind> <index> <dtype> <shape>[ <name>]" (docs/Runtime.md). */
static void parseRecord(const char *line, int lineNo, TensorType *inputs, int *numInputs,
                        TensorType *outputs, int *numOutputs) {
  char kind[8], dtype[16], shape[1024];
  int index;
  if (sscanf(line, "%7s %d %15s %1023s", kind, &index, dtype, shape) != 4)
    fail("model signature, line %d: expected '<kind> <index> <dtype> <shape>'", lineNo);
  int isInput = strcmp(kind, "input") == 0;
  if (!isInput && strcmp(kind, "output") != 0)
    fail("model signature, line %d: unknown kind '%s'", lineNo, kind);
  if (index < 0 || index >= MAX_TENSORS)
    fail("model signature, line %d: index %d out of range [0, %d)", lineNo, index, MAX_TENSORS);
  TensorType *t = isInput ? &inputs[index] : &outputs[index];
  int *count = isInput ? numInputs : numOutputs;
  if (t->dtype)
    fail("model signature, line %d: %s %d appears twice", lineNo, kind, index);
  if (!(t->dtype = findDType(dtype, strlen(dtype))))
    fail("model signature, line %d: unsupported dtype '%s'", lineNo, dtype);
  t->bytes = (uint64_t)t->dtype->bytes;
  if (strcmp(shape, "scalar") != 0) {
    char *p = shape;
    while (*p) {
      char *end;
      errno = 0;
      long long d = strtoll(p, &end, 10);
      if (end == p || d < 0 || errno || t->rank == MAX_DIMS || (*end && *end != ','))
        fail("model signature, line %d: malformed shape '%s'", lineNo, shape);
      t->dims[t->rank++] = d;
      if (d && t->bytes > UINT64_MAX / (uint64_t)d)
        fail("model signature, line %d: shape '%s' overflows 64 bits", lineNo, shape);
      t->bytes *= (uint64_t)d;
      p = *end ? end + 1 : end;
    }
  }
  if (index + 1 > *count)
    *count = index + 1;
}

static void parseSignature(const char *sig, TensorType *inputs, int *numInputs,
                           TensorType *outputs, int *numOutputs) {
  int lineNo = 0;
  const char *p = sig;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char line[2048];
    if (len >= sizeof(line))
      fail("model signature, line %d: longer than %zu bytes", lineNo + 1, sizeof(line) - 1);
    memcpy(line, p, len);
    line[len] = 0;
    if (len && line[len - 1] == '\r')
      line[--len] = 0;
    ++lineNo;
    if (lineNo == 1) {
      if (strcmp(line, "lut-model v1") != 0)
        fail("model signature, line 1: unsupported signature version '%s'", line);
    } else if (len && strncmp(line, "target ", 7) != 0) {
      parseRecord(line, lineNo, inputs, numInputs, outputs, numOutputs);
    }
    p = nl ? nl + 1 : p + len;
  }
  for (int i = 0; i < *numInputs; ++i)
    if (!inputs[i].dtype)
      fail("model signature: input %d is missing", i);
  for (int i = 0; i < *numOutputs; ++i)
    if (!outputs[i].dtype)
      fail("model signature: output %d is missing", i);
  if (*numOutputs == 0)
    fail("model signature: the model has no outputs");
}

/* Formats a NumPy shape tuple: "(2, 3)", "(5,)" or "()". */
static void formatShape(const TensorType *t, char *out, size_t size) {
  size_t n = (size_t)snprintf(out, size, "(");
  for (int d = 0; d < t->rank && n < size; ++d)
    n += (size_t)snprintf(out + n, size - n, "%s%lld", d ? ", " : "", (long long)t->dims[d]);
  if (n < size)
    snprintf(out + n, size - n, t->rank == 1 ? ",)" : ")");
}

static void *readNpy(const char *path, int index, const TensorType *t) {
  FILE *f = fopen(path, "rb");
  if (!f)
    fail("cannot open input %d '%s': %s", index, path, strerror(errno));
  unsigned char pre[10];
  if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0)
    fail("input %d '%s' is not a .npy file", index, path);
  size_t headerLen;
  if (pre[6] == 1) {
    headerLen = pre[8] | (size_t)pre[9] << 8;
  } else {
    unsigned char more[2];
    if (fread(more, 1, 2, f) != 2)
      fail("input %d '%s': truncated .npy header", index, path);
    headerLen = pre[8] | (size_t)pre[9] << 8 | (size_t)more[0] << 16 | (size_t)more[1] << 24;
  }
  if (headerLen > 65536)
    fail("input %d '%s': .npy header of %zu bytes is too long", index, path, headerLen);
  char *header = calloc(headerLen + 1, 1);
  if (!header || fread(header, 1, headerLen, f) != headerLen)
    fail("input %d '%s': truncated .npy header", index, path);
  /* The header is a Python dict literal; compare its fields with the
   * signature's by the spellings NumPy writes. */
  char want[1200], shape[1100];
  formatShape(t, shape, sizeof(shape));
  snprintf(want, sizeof(want), "'descr': '%s'", t->dtype->descr);
  if (!strstr(header, want))
    fail("input %d '%s': expected dtype %s ('%s'), header is %s", index, path, t->dtype->name,
         t->dtype->descr, header);
  if (!strstr(header, "'fortran_order': False"))
    fail("input %d '%s': only C-order arrays are supported", index, path);
  snprintf(want, sizeof(want), "'shape': %s", shape);
  if (!strstr(header, want))
    fail("input %d '%s': expected shape %s, header is %s", index, path, shape, header);
  free(header);
  void *data = malloc(t->bytes ? t->bytes : 1);
  if (!data)
    fail("input %d '%s': cannot allocate %llu bytes", index, path, (unsigned long long)t->bytes);
  if (fread(data, 1, t->bytes, f) != t->bytes || fgetc(f) != EOF)
    fail("input %d '%s': the data is not exactly %llu bytes", index, path,
         (unsigned long long)t->bytes);
  fclose(f);
  return data;
}

static void writeNpy(const char *path, const TensorType *t, const void *data) {
  char shape[1100], header[1300];
  formatShape(t, shape, sizeof(shape));
  int n = snprintf(header, sizeof(header), "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                   t->dtype->descr, shape);
  /* Pad with spaces so that the data starts at a multiple of 64 bytes. */
  int total = 10 + n + 1;
  int pad = (64 - total % 64) % 64;
  FILE *f = fopen(path, "wb");
  if (!f)
    fail("cannot write '%s': %s", path, strerror(errno));
  int headerLen = n + pad + 1;
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                           (unsigned char)(headerLen & 255), (unsigned char)(headerLen >> 8)};
  fwrite(pre, 1, 10, f);
  fwrite(header, 1, (size_t)n, f);
  for (int i = 0; i < pad; ++i)
    fputc(' ', f);
  fputc('\n', f);
  if (fwrite(data, 1, t->bytes, f) != t->bytes || fclose(f) != 0)
    fail("cannot write '%s': %s", path, strerror(errno));
}

int main(int argc, char **argv) {
  const char *model = NULL, *outDir = NULL, *inputPaths[MAX_TENSORS];
  int numInputPaths = 0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      printf("USAGE: lut-run-lite MODEL.so [INPUT.npy]... -o OUTDIR\n\n"
             "Runs a model compiled by lutc once on .npy inputs (one per graph input,\n"
             "in order; dtype and shape as in the signature) and writes\n"
             "OUTDIR/output_<i>.npy. A C program with no dependency beyond libc and\n"
             "libdl, for targets without the C++ runtime (e.g. under qemu-aarch64).\n");
      return 0;
    }
    if (strcmp(argv[i], "-o") == 0) {
      if (++i == argc)
        fail("-o expects a directory");
      outDir = argv[i];
    } else if (!model) {
      model = argv[i];
    } else if (numInputPaths == MAX_TENSORS) {
      fail("more than %d inputs", MAX_TENSORS);
    } else {
      inputPaths[numInputPaths++] = argv[i];
    }
  }
  if (!model || !outDir)
    fail("usage: lut-run-lite MODEL.so [INPUT.npy]... -o OUTDIR (see --help)");
  if (!strchr(model, '/'))
    fail("model path '%s' must contain a '/' (e.g. ./%s): the loader's search path is not used",
         model, model);
  void *lib = dlopen(model, RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    fail("cannot load model '%s': %s", model, dlerror());
  typedef int32_t (*RunFn)(void *const *, void *const *);
  typedef const char *(*SigFn)(void);
  RunFn run = (RunFn)dlsym(lib, "lut_model_run");
  SigFn sig = (SigFn)dlsym(lib, "lut_model_signature");
  if (!run && sig && dlsym(lib, "lut_model_run_dynamic"))
    fail("'%s' has dynamic dims; lut-run-lite runs models with static shapes only "
         "(compile with --shape-info, or use lut-run)", model);
  if (!run || !sig)
    fail("'%s' is not a lut-mlir model (no lut_model_run or lut_model_signature)", model);

  static TensorType inputs[MAX_TENSORS], outputs[MAX_TENSORS];
  int numInputs = 0, numOutputs = 0;
  parseSignature(sig(), inputs, &numInputs, outputs, &numOutputs);
  if (numInputPaths != numInputs)
    fail("the model has %d inputs, %d files were given", numInputs, numInputPaths);

  void *in[MAX_TENSORS], *out[MAX_TENSORS];
  for (int i = 0; i < numInputs; ++i)
    in[i] = readNpy(inputPaths[i], i, &inputs[i]);
  for (int i = 0; i < numOutputs; ++i)
    if (!(out[i] = calloc(outputs[i].bytes ? outputs[i].bytes : 1, 1)))
      fail("cannot allocate output %d", i);
  int32_t rc = run(in, out);
  if (rc != 0)
    fail("the model's lut_model_run returned error code %d", (int)rc);
  mkdir(outDir, 0777);
  for (int i = 0; i < numOutputs; ++i) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/output_%d.npy", outDir, i);
    writeNpy(path, &outputs[i], out[i]);
  }
  for (int i = 0; i < numInputs; ++i)
    free(in[i]);
  for (int i = 0; i < numOutputs; ++i)
    free(out[i]);
  return 0;
}
