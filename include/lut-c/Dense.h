/*===- lut-c/Dense.h - the LutDense C ABI -------------------------*- C -*-===//
 *
 * Dense matrix products for compiled models. lut-mlir does not write dense
 * GEMM kernels: `lut-dense-calls` lowers f32 contractions to this ABI, and
 * libLutDense.a implements it over oneDNN (dnnl_sgemm) or OpenBLAS
 * (cblas_sgemm), chosen when lut-mlir is configured (LUT_DENSE_BACKEND), linked
 * into the model with that library.
 *
 *===----------------------------------------------------------------------===*/
#ifndef LUT_C_DENSE_H
#define LUT_C_DENSE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of lutd_batch_matmul_f32. */
#define LUTD_TRANS_A 1 /* A is stored K x M (column m at A + m) */
#define LUTD_TRANS_B 2 /* B is stored N x K */

/* Status codes. */
#define LUTD_OK 0
#define LUTD_EINVAL 1 /* a negative size, or a leading dimension too small */

/* C[b] = A[b] * B[b] for b in [0, batch): f32, row major.
 *
 * A[b] starts at A + b*strideA and is M x K with row stride lda (K x M with
 * LUTD_TRANS_A); B[b] starts at B + b*strideB and is K x N with row stride
 * ldb (N x K with LUTD_TRANS_B); C[b] starts at C + b*strideC and is M x N
 * with row stride ldc, and is overwritten (not accumulated into). Strides
 * and leading dimensions are in elements; a batch stride of 0 broadcasts
 * that operand. With K == 0, C is zeroed.
 *
 * Returns LUTD_OK, or LUTD_EINVAL (nothing written) when a size is
 * negative or a leading dimension is smaller than its row's length (or
 * when oneDNN rejects the call). Runs on LUT_NUM_THREADS threads (default
 * 1): oneDNN's OpenMP threads, read once per calling thread, or OpenBLAS's
 * threads, read once per process. Reentrant: concurrent calls from several
 * threads are safe. */
int32_t lutd_batch_matmul_f32(int64_t batch, int64_t M, int64_t N, int64_t K,
                              const float *A, int64_t strideA, int64_t lda,
                              const float *B, int64_t strideB, int64_t ldb,
                              float *C, int64_t strideC, int64_t ldc,
                              int32_t flags);

#ifdef __cplusplus
}
#endif

#endif /* LUT_C_DENSE_H */
