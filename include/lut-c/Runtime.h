/*===- lut-c/Runtime.h - C runtime API for compiled lut-mlir models -------===*\
|*                                                                            *|
|* The C runtime API for loading and running models compiled by `lutc`.      *|
|* It is plain C (C99 or later) and usable from C and C++.                   *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/**
 * \file
 * The lut-mlir C runtime: tensors, model loading and checked execution.
 *
 * A model compiled by `lutc` is a shared library exporting two C symbols (the
 * *model ABI*, see docs/Runtime.md):
 *
 *     int32_t lut_model_run(void *const *inputs, void *const *outputs);
 *     const char *lut_model_signature(void);
 *
 * A model with dynamic dims (a batch or sequence length known only at run
 * time) exports `lut_model_run_dynamic` and `lut_model_output_shapes`
 * instead of `lut_model_run`; this API hides the difference.
 *
 * This API loads such a library, parses and validates its signature, and runs
 * it on `LutTensor`s, checking the number, element type and shape of every
 * argument before the compiled code sees it.
 *
 * Conventions that hold for every function below:
 *  - Tensors are dense, row-major (C order), contiguous and statically shaped.
 *    A model's inputs and outputs may have dynamic dims: the signature gives
 *    them as -1, and each run takes its sizes from the input tensors.
 *  - Functions returning `LutStatus` return `LUT_OK` (0) on success and a
 *    nonzero code on failure; functions returning a pointer return NULL on
 *    failure. Either way, on failure a human-readable message is available
 *    from `lutGetLastError()` and the code from `lutGetLastStatus()`, until
 *    the next failing call on the same thread.
 *  - Successful calls do not clear the last error.
 *  - Passing NULL where an object is required is an error
 *    (`LUT_ERROR_INVALID_ARGUMENT`), never a crash. Accessors that cannot
 *    report a status return a neutral value (0, NULL, or LUT_DTYPE_UNDEFINED)
 *    and set the last error.
 *  - The runtime adds no locking. Distinct objects may be used from distinct
 *    threads; one object must not be mutated concurrently. Whether one model
 *    may *run* concurrently on several threads is a property of the compiled
 *    code, not of this runtime.
 */
#ifndef LUT_C_RUNTIME_H
#define LUT_C_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define LUT_RUNTIME_API
#elif defined(__GNUC__)
#define LUT_RUNTIME_API __attribute__((visibility("default")))
#else
#define LUT_RUNTIME_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*===----------------------------------------------------------------------===*
 * Status codes and errors
 *===----------------------------------------------------------------------===*/

/** Result codes of the runtime API. */
typedef enum LutStatus {
  LUT_OK = 0,
  /** A NULL or out-of-range argument, or an unsupported dtype. */
  LUT_ERROR_INVALID_ARGUMENT = 1,
  /** Memory allocation failed, or a size computation overflowed. */
  LUT_ERROR_OUT_OF_MEMORY = 2,
  /** dlopen/dlsym failed: missing file, not a shared library, missing ABI
   *  symbol. */
  LUT_ERROR_LOAD = 3,
  /** The model's signature text is malformed or unsupported. */
  LUT_ERROR_BAD_SIGNATURE = 4,
  /** The arguments do not match the signature: count, dtype or shape. */
  LUT_ERROR_MISMATCH = 5,
  /** `lut_model_run` returned a nonzero code. */
  LUT_ERROR_MODEL_FAILED = 6,
  /** The model was compiled for another architecture, or for CPU features
   *  (e.g. avx512f) that the running CPU lacks. */
  LUT_ERROR_UNSUPPORTED_CPU = 7
} LutStatus;

/**
 * The message describing the most recent failure on the calling thread, for
 * example "input 1 ('b'): expected shape [2,3], got [3,2]".
 * Never NULL; the empty string if no call has failed yet on this thread. The
 * pointer stays valid until the next failing runtime call on this thread.
 */
LUT_RUNTIME_API const char *lutGetLastError(void);

/**
 * The status code of the most recent failure on the calling thread (LUT_OK if
 * none yet). Lets callers of pointer-returning functions such as
 * `lutModelLoad` tell a missing library (LUT_ERROR_LOAD) from a bad signature
 * (LUT_ERROR_BAD_SIGNATURE).
 */
LUT_RUNTIME_API LutStatus lutGetLastStatus(void);

/** A short constant name for a status code, e.g. "LUT_ERROR_MISMATCH". */
LUT_RUNTIME_API const char *lutStatusString(LutStatus status);

/*===----------------------------------------------------------------------===*
 * Element types
 *===----------------------------------------------------------------------===*/

/**
 * Element types. The values equal ONNX's `TensorProto.DataType`, so a value
 * read from an ONNX file can be cast directly. STRING and the complex types
 * are listed for completeness but are not supported by the runtime:
 * `lutDTypeSize()` returns 0 for them and tensors of them cannot be created.
 */
typedef enum LutDType {
  LUT_DTYPE_UNDEFINED = 0,
  LUT_DTYPE_FLOAT = 1,
  LUT_DTYPE_UINT8 = 2,
  LUT_DTYPE_INT8 = 3,
  LUT_DTYPE_UINT16 = 4,
  LUT_DTYPE_INT16 = 5,
  LUT_DTYPE_INT32 = 6,
  LUT_DTYPE_INT64 = 7,
  LUT_DTYPE_STRING = 8, /* unsupported */
  LUT_DTYPE_BOOL = 9,   /* 1 byte per element, 0 or 1 */
  LUT_DTYPE_FLOAT16 = 10,
  LUT_DTYPE_DOUBLE = 11,
  LUT_DTYPE_UINT32 = 12,
  LUT_DTYPE_UINT64 = 13,
  LUT_DTYPE_COMPLEX64 = 14,  /* unsupported */
  LUT_DTYPE_COMPLEX128 = 15, /* unsupported */
  LUT_DTYPE_BFLOAT16 = 16
} LutDType;

/**
 * The size of one element in bytes (bool is 1, float16 and bfloat16 are 2),
 * or 0 if `dtype` is not a supported element type. Does not set an error.
 */
LUT_RUNTIME_API size_t lutDTypeSize(LutDType dtype);

/**
 * The signature name of a supported dtype: the lowercased ONNX name, e.g.
 * "float", "int64", "bfloat16", "bool". NULL if `dtype` is not supported.
 * Does not set an error.
 */
LUT_RUNTIME_API const char *lutDTypeName(LutDType dtype);

/**
 * The dtype whose signature name is `name` (exact, lowercase, e.g. "float").
 * LUT_DTYPE_UNDEFINED if `name` is NULL or names no supported dtype.
 * Does not set an error.
 */
LUT_RUNTIME_API LutDType lutDTypeFromName(const char *name);

/*===----------------------------------------------------------------------===*
 * Tensors
 *===----------------------------------------------------------------------===*/

/**
 * A dense, row-major tensor: a data pointer, a shape of `rank` dimensions
 * (rank 0 is a scalar with one element; a dimension of 0 makes an empty
 * tensor) and an element type. The tensor either owns its data (and frees it
 * in `lutTensorDestroy`) or borrows it from the caller. The shape is always
 * copied into the tensor. Opaque; use the accessors.
 */
typedef struct LutTensor LutTensor;

/** The maximum rank a tensor may have. */
#define LUT_MAX_RANK 64

/**
 * Creates a tensor that owns a freshly allocated, zero-filled buffer of
 * `lutTensorGetSizeInBytes()` bytes, aligned to 64 bytes. The data pointer is
 * never NULL, even for an empty tensor.
 *
 * \param shape  `rank` dimensions, each >= 0; may be NULL when rank is 0.
 * \param rank   0 .. LUT_MAX_RANK.
 * \param dtype  a supported dtype.
 * \return the tensor, to be freed with `lutTensorDestroy`; NULL on error:
 *         LUT_ERROR_INVALID_ARGUMENT (negative dim or rank, rank too large,
 *         NULL shape with rank > 0, unsupported dtype) or
 *         LUT_ERROR_OUT_OF_MEMORY (allocation failed or the byte size
 *         overflows).
 */
LUT_RUNTIME_API LutTensor *lutTensorCreateEmpty(const int64_t *shape,
                                                int64_t rank, LutDType dtype);

/**
 * Creates a tensor over caller-provided data.
 *
 * \param data   `lutTensorGetSizeInBytes()` bytes of row-major data. May be
 *               NULL only if the tensor has no elements.
 * \param owning if nonzero, the tensor takes ownership of `data` and releases
 *               it with `free()` in `lutTensorDestroy`, so `data` must come
 *               from malloc/calloc/realloc/aligned_alloc. If zero, the caller
 *               keeps ownership and must keep `data` alive as long as the
 *               tensor is used.
 * Other parameters and errors as for `lutTensorCreateEmpty`. On failure an
 * owning `data` is NOT freed: it stays the caller's.
 */
LUT_RUNTIME_API LutTensor *lutTensorCreate(void *data, const int64_t *shape,
                                           int64_t rank, LutDType dtype,
                                           int owning);

/** Frees the tensor and, if it owns its data, the data. NULL is a no-op. */
LUT_RUNTIME_API void lutTensorDestroy(LutTensor *tensor);

/** The data pointer (NULL only for an empty borrowed tensor, or on NULL). */
LUT_RUNTIME_API void *lutTensorGetData(const LutTensor *tensor);

/** The element type; LUT_DTYPE_UNDEFINED if `tensor` is NULL. */
LUT_RUNTIME_API LutDType lutTensorGetDType(const LutTensor *tensor);

/** The rank (0 for a scalar); -1 if `tensor` is NULL. */
LUT_RUNTIME_API int64_t lutTensorGetRank(const LutTensor *tensor);

/**
 * The `rank` dimensions, owned by the tensor and valid until it is destroyed.
 * For a scalar the pointer is valid but must not be dereferenced. NULL if
 * `tensor` is NULL.
 */
LUT_RUNTIME_API const int64_t *lutTensorGetShape(const LutTensor *tensor);

/** The number of elements: the product of the dims (1 for a scalar, 0 for an
 *  empty tensor). -1 if `tensor` is NULL. */
LUT_RUNTIME_API int64_t lutTensorGetNumElements(const LutTensor *tensor);

/** The size of the data in bytes: elements times `lutDTypeSize`. 0 if
 *  `tensor` is NULL. */
LUT_RUNTIME_API size_t lutTensorGetSizeInBytes(const LutTensor *tensor);

/** 1 if the tensor owns (and will free) its data, 0 if it borrows it or if
 *  `tensor` is NULL. */
LUT_RUNTIME_API int lutTensorIsOwning(const LutTensor *tensor);

/*===----------------------------------------------------------------------===*
 * Models
 *===----------------------------------------------------------------------===*/

/** A loaded model: its entry point and its parsed signature. Opaque. */
typedef struct LutModel LutModel;

/** The type of the model ABI's `lut_model_run`. */
typedef int32_t (*LutModelRunFn)(void *const *inputs, void *const *outputs);
/** The type of the dynamic model ABI's `lut_model_run_dynamic`: data
 *  pointers and dims (one int64 array per tensor, `rank` dims) of every
 *  input and output. */
typedef int32_t (*LutModelRunDynamicFn)(void *const *inputs,
                                        const int64_t *const *inputShapes,
                                        void *const *outputs,
                                        const int64_t *const *outputShapes);
/** The type of the dynamic model ABI's `lut_model_output_shapes`: writes the
 *  dims of every output, for these inputs, into `outputShapes[i][0..rank)`. */
typedef int32_t (*LutModelOutputShapesFn)(void *const *inputs,
                                          const int64_t *const *inputShapes,
                                          int64_t *const *outputShapes);

/**
 * Loads a compiled model from a shared library: resolves `path` with
 * realpath(), opens it with `dlopen(RTLD_NOW | RTLD_LOCAL)`, looks up
 * `lut_model_run` and `lut_model_signature`, and parses and validates the
 * signature.
 *
 * \param path  a file path, relative to the current directory or absolute.
 *              A bare name such as "model.so" means "./model.so": the
 *              loader's library search path is never used.
 * \return the model, to be freed with `lutModelFree`; NULL on error:
 *         LUT_ERROR_INVALID_ARGUMENT (NULL path), LUT_ERROR_LOAD (no such
 *         file, or dlopen or dlsym failed; the message includes the reason),
 *         LUT_ERROR_BAD_SIGNATURE (the signature is NULL, malformed or of an
 *         unsupported version; the message names the line),
 *         LUT_ERROR_UNSUPPORTED_CPU (the signature's `target` record names
 *         another architecture or features this CPU lacks; the message
 *         lists them).
 */
LUT_RUNTIME_API LutModel *lutModelLoad(const char *path);

/**
 * Makes a model from an entry point and signature text that are already in
 * the process, e.g. a model object file linked statically into an
 * application: `lutModelCreateFromSymbols(lut_model_run,
 * lut_model_signature())`. The signature text is copied.
 *
 * \return the model, to be freed with `lutModelFree`; NULL on error:
 *         LUT_ERROR_INVALID_ARGUMENT (NULL `run` or `signature`) or
 *         LUT_ERROR_BAD_SIGNATURE.
 */
LUT_RUNTIME_API LutModel *lutModelCreateFromSymbols(LutModelRunFn run,
                                                    const char *signature);
/**
 * As `lutModelCreateFromSymbols`, for a model with dynamic dims:
 * `lutModelCreateFromDynamicSymbols(lut_model_run_dynamic,
 * lut_model_output_shapes, lut_model_signature())`.
 *
 * \return the model; NULL on error: LUT_ERROR_INVALID_ARGUMENT (a NULL
 *         argument) or LUT_ERROR_BAD_SIGNATURE.
 */
LUT_RUNTIME_API LutModel *
lutModelCreateFromDynamicSymbols(LutModelRunDynamicFn run,
                                 LutModelOutputShapesFn outputShapes,
                                 const char *signature);

/** Frees the model and closes its library (dlclose). Tensors that the model
 *  produced remain valid. NULL is a no-op.
 *  Note: loading the same library file twice gives two LutModels over one
 *  mapped library, which share any global state of the compiled code. */
LUT_RUNTIME_API void lutModelFree(LutModel *model);

/** The model's signature text, exactly as the model returned it. NULL if
 *  `model` is NULL. Valid until `lutModelFree`. */
LUT_RUNTIME_API const char *lutModelGetSignature(const LutModel *model);

/** The number of graph inputs / outputs. 0 (and an error) if `model` is
 *  NULL. */
LUT_RUNTIME_API size_t lutModelGetNumInputs(const LutModel *model);
LUT_RUNTIME_API size_t lutModelGetNumOutputs(const LutModel *model);

/**
 * The ONNX value name of input / output `index` (possibly ""). Valid until
 * `lutModelFree`. NULL if `model` is NULL or `index` is out of range.
 */
LUT_RUNTIME_API const char *lutModelGetInputName(const LutModel *model,
                                                 size_t index);
LUT_RUNTIME_API const char *lutModelGetOutputName(const LutModel *model,
                                                  size_t index);

/** The dtype of input / output `index`; LUT_DTYPE_UNDEFINED if `model` is
 *  NULL or `index` is out of range. */
LUT_RUNTIME_API LutDType lutModelGetInputDType(const LutModel *model,
                                               size_t index);
LUT_RUNTIME_API LutDType lutModelGetOutputDType(const LutModel *model,
                                                size_t index);

/** The rank of input / output `index` (0 for a scalar); -1 if `model` is NULL
 *  or `index` is out of range. */
LUT_RUNTIME_API int64_t lutModelGetInputRank(const LutModel *model,
                                             size_t index);
LUT_RUNTIME_API int64_t lutModelGetOutputRank(const LutModel *model,
                                              size_t index);

/**
 * The shape of input / output `index`: `rank` dims, valid until
 * `lutModelFree`; a dynamic dim is -1 (its size comes from each run's
 * inputs). For a scalar the pointer is valid but must not be
 * dereferenced. NULL if `model` is NULL or `index` is out of range.
 */
LUT_RUNTIME_API const int64_t *lutModelGetInputShape(const LutModel *model,
                                                     size_t index);
LUT_RUNTIME_API const int64_t *lutModelGetOutputShape(const LutModel *model,
                                                      size_t index);

/**
 * The name of dim `dim` of input / output `index` when it is dynamic and
 * the ONNX model names it (its `dim_param`, e.g. "batch"); "" for a static
 * or unnamed dim. Inputs whose dynamic dims share a name must agree on
 * their size in each run. Valid until `lutModelFree`. NULL (error set) if
 * `model` is NULL or `index` or `dim` is out of range.
 */
LUT_RUNTIME_API const char *lutModelGetInputDimName(const LutModel *model,
                                                    size_t index, size_t dim);
LUT_RUNTIME_API const char *lutModelGetOutputDimName(const LutModel *model,
                                                     size_t index, size_t dim);
/** 1 if an input or output of the model has a dynamic dim, else 0 (also
 *  when `model` is NULL, with the error set). */
LUT_RUNTIME_API int lutModelIsDynamic(const LutModel *model);

/**
 * Sets how many threads the model's parallel loops, LUT kernels and dense
 * GEMMs use: `numThreads` in [1, 1024], or 0 for the default
 * (LUT_NUM_THREADS, else the CPUs of the process's affinity mask). Runs that
 * have started finish with the count they began each call with.
 *
 * The count belongs to the loaded library: LutModels loaded from the same
 * file (one dlopen handle) share it, and other models keep theirs. A model
 * whose code has no parallel work (no library calls), and a model from
 * lutModelCreateFromSymbols, run on the calling thread only; for them this
 * call does nothing and succeeds. LUT_ERROR_INVALID_ARGUMENT for a NULL
 * model or a count outside [0, 1024].
 */
LUT_RUNTIME_API LutStatus lutModelSetNumThreads(LutModel *model, int32_t numThreads);
/**
 * Runs the model, allocating its outputs.
 *
 * Checks that `numInputs` equals the model's input count and that every
 * `inputs[i]` is non-NULL, has the signature's dtype and exactly its shape
 * (no broadcasting, no implicit conversion), then allocates one owning tensor
 * per output (as `lutTensorCreateEmpty`) and calls `lut_model_run`.
 * For a dynamic dim the input may have any size >= 1, and dynamic dims with
 * the same name must be equal across inputs; the output shapes are computed
 * by the model (`lut_model_output_shapes`) before the outputs are
 * allocated.
 *
 * \param inputs      `numInputs` tensors in graph-input order; not modified.
 * \param outputs     an array of `numOutputs` slots. On success slot i holds a
 *                    new tensor for output i that the caller must free with
 *                    `lutTensorDestroy`. On failure every slot is NULL.
 * \param numOutputs  must equal the model's output count.
 * \return LUT_OK, or LUT_ERROR_INVALID_ARGUMENT (NULL model/arrays),
 *         LUT_ERROR_MISMATCH (wrong count, NULL input, dtype or shape
 *         mismatch; the message names the index and the ONNX name and gives
 *         expected and actual values), LUT_ERROR_OUT_OF_MEMORY, or
 *         LUT_ERROR_MODEL_FAILED (the compiled code returned nonzero).
 */
LUT_RUNTIME_API LutStatus lutModelRun(LutModel *model, LutTensor *const *inputs,
                                      size_t numInputs, LutTensor **outputs,
                                      size_t numOutputs);

/**
 * Runs the model into caller-provided output tensors, with no allocation.
 * Inputs are checked as in `lutModelRun`; every `outputs[i]` must likewise be
 * non-NULL with the output's dtype and shape (for a dynamic model, the shape
 * the model computes for these inputs), and its data is overwritten.
 * Outputs must not overlap inputs or each other. Useful for repeated runs
 * (benchmarks, serving loops) and for writing into memory the caller manages.
 *
 * \return as `lutModelRun`. On failure the output data is unspecified.
 */
LUT_RUNTIME_API LutStatus lutModelRunWithOutputs(LutModel *model,
                                                 LutTensor *const *inputs,
                                                 size_t numInputs,
                                                 LutTensor *const *outputs,
                                                 size_t numOutputs);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LUT_C_RUNTIME_H */
