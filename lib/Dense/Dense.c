/*===- Dense.c - LutDense over OpenBLAS ------------------------------------===//
 *
 * Implements include/lut-c/Dense.h with cblas_sgemm, one call per batch.
 *
 *===----------------------------------------------------------------------===*/
#include "lut-c/Dense.h"

#include <cblas.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>


/* The BLAS's thread count: LUT_NUM_THREADS when set to a positive number,
 * else 1, so that a model runs on one core unless asked otherwise (the rest
 * of a compiled model is single-threaded, and spinning BLAS threads slow
 * down a loaded machine). Set once, at the first call. */
static pthread_once_t threadsOnce = PTHREAD_ONCE_INIT;
static void setThreads(void) {
  const char *env = getenv("LUT_NUM_THREADS");
  int n = env ? atoi(env) : 0;
  openblas_set_num_threads(n > 0 ? n : 1);
}

int32_t lutd_batch_matmul_f32(int64_t batch, int64_t M, int64_t N, int64_t K,
                              const float *A, int64_t strideA, int64_t lda,
                              const float *B, int64_t strideB, int64_t ldb,
                              float *C, int64_t strideC, int64_t ldc,
                              int32_t flags) {
  int transA = (flags & LUTD_TRANS_A) != 0, transB = (flags & LUTD_TRANS_B) != 0;
  if (batch < 0 || M < 0 || N < 0 || K < 0 || ldc < (N ? N : 1) ||
      lda < ((transA ? M : K) ? (transA ? M : K) : 1) ||
      ldb < ((transB ? K : N) ? (transB ? K : N) : 1))
    return LUTD_EINVAL;
  if (M == 0 || N == 0)
    return LUTD_OK;
  pthread_once(&threadsOnce, setThreads);
  for (int64_t b = 0; b < batch; ++b) {
    float *c = C + b * strideC;
    if (K == 0) {
      for (int64_t i = 0; i < M; ++i)
        memset(c + i * ldc, 0, (size_t)N * sizeof(float));
      continue;
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N,
                (blasint)K, 1.0f, A + b * strideA, (blasint)lda,
                B + b * strideB, (blasint)ldb, 0.0f, c, (blasint)ldc);
  }
  return LUTD_OK;
}
