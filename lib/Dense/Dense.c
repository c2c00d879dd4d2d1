/*===- Dense.c - LutDense over oneDNN or OpenBLAS --------------------------===//
 *
 * Implements include/lut-c/Dense.h with one row-major SGEMM per batch:
 * oneDNN's dnnl_sgemm (LUTD_BACKEND_ONEDNN) or OpenBLAS's cblas_sgemm. The
 * backend is chosen when lut-mlir is configured (lib/Dense/CMakeLists.txt).
 *
 *===----------------------------------------------------------------------===*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#endif
#include "lut-c/Dense.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if LUTD_BACKEND_ONEDNN
#include <oneapi/dnnl/dnnl.h>
/* libgomp's, which oneDNN's OpenMP build uses (declared here so that no
 * compiler-specific omp.h is needed). */
void omp_set_num_threads(int n);
#else
#include <cblas.h>
#include <pthread.h>
#endif

/* The thread count: LutKernels' (lutk_thread_count, which follows the
 * model's lut_model_set_num_threads) when the kernels are linked in, as lutc
 * does for every model; else LUT_NUM_THREADS when set to a positive number,
 * else the CPUs of the process's affinity mask (else the online CPUs), at
 * most 1024. */
int lutk_thread_count(void) __attribute__((weak));
static int requestedThreads(void) {
  if (lutk_thread_count)
    return lutk_thread_count();
  const char *env = getenv("LUT_NUM_THREADS");
  long n = env ? strtol(env, NULL, 10) : 0;
  if (n <= 0) {
    cpu_set_t set;
    n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 0;
    if (n <= 0)
      n = sysconf(_SC_NPROCESSORS_ONLN);
  }
  return n <= 0 ? 1 : n > 1024 ? 1024 : (int)n;
}

#if LUTD_BACKEND_ONEDNN
/* OpenMP's thread count is per calling thread: set it in each, again when
 * the model's count changes. */
static _Thread_local int threadsSet;
static void setThreads(void) {
  int n = requestedThreads();
  if (threadsSet != n) {
    omp_set_num_threads(n);
    threadsSet = n;
  }
}
static int sgemm(int transA, int transB, int64_t M, int64_t N, int64_t K,
                 const float *A, int64_t lda, const float *B, int64_t ldb,
                 float *C, int64_t ldc) {
  return dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', M, N, K, 1.0f, A,
                    lda, B, ldb, 0.0f, C, ldc) == dnnl_success
             ? LUTD_OK
             : LUTD_EINVAL;
}
#else
/* OpenBLAS's thread count is process-wide: set it once. */
static pthread_once_t threadsOnce = PTHREAD_ONCE_INIT;
static void setBlasThreads(void) { openblas_set_num_threads(requestedThreads()); }
static void setThreads(void) { pthread_once(&threadsOnce, setBlasThreads); }
static int sgemm(int transA, int transB, int64_t M, int64_t N, int64_t K,
                 const float *A, int64_t lda, const float *B, int64_t ldb,
                 float *C, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N,
              (blasint)K, 1.0f, A, (blasint)lda, B, (blasint)ldb, 0.0f, C,
              (blasint)ldc);
  return LUTD_OK;
}
#endif

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
  setThreads();
  for (int64_t b = 0; b < batch; ++b) {
    float *c = C + b * strideC;
    if (K == 0) {
      for (int64_t i = 0; i < M; ++i)
        memset(c + i * ldc, 0, (size_t)N * sizeof(float));
      continue;
    }
    int32_t rc = sgemm(transA, transB, M, N, K, A + b * strideA, lda,
                       B + b * strideB, ldb, c, ldc);
    if (rc != LUTD_OK)
      return rc;
  }
  return LUTD_OK;
}
