#include "nn/backend/cpu_backend.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "nn/backend/eigen_gemm.h"

namespace tinyforge::nn {

namespace {

int resolve_threads(int threads) {
  if (threads > 0) return threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw ? static_cast<int>(hw) : 1;
}

// Below this many multiply-adds a GEMM is not worth waking the other threads for.
constexpr int64_t kParallelGemmMacs = 1 << 16;

// A training step frees and reallocates the same large activations and gradients every step.
// glibc would hand that memory back to the kernel between steps (trimming the heap top,
// unmapping big blocks), and every step would then page-fault it in again, zero-filled: up to
// a sixth of a step for the KWS model. Keeping freed memory in the process avoids that; the
// resident size stays at the peak of one step.
void keep_freed_memory() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  });
#endif
}

}  // namespace

CpuBackend::CpuBackend(int threads) {
  keep_freed_memory();
  set_threads(threads);
}

void CpuBackend::set_threads(int threads) {
  const int n = resolve_threads(threads);
  if (pool_ && pool_->size() == n) return;
  pool_.reset();  // join the old workers before starting new ones
  pool_ = std::make_unique<ThreadPool>(n);
  col_.resize(static_cast<size_t>(n));
  acc_.resize(static_cast<size_t>(n));
}

float* CpuBackend::scratch(std::vector<std::vector<float>>& pool, int t, int64_t n) {
  std::vector<float>& v = pool[static_cast<size_t>(t)];
  if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
  return v.data();
}

float* CpuBackend::zeroed_partial(int t, int64_t weights, int64_t biases) {
  float* acc = scratch(acc_, t, weights + biases);
  std::memset(acc, 0, sizeof(float) * static_cast<size_t>(weights + biases));
  return acc;
}

void CpuBackend::add_partials(int used, int64_t weights, int64_t biases, float* d_weights, float* d_bias) const {
  for (int t = 0; t < used; ++t) {
    const float* acc = acc_[static_cast<size_t>(t)].data();
    for (int64_t i = 0; i < weights; ++i) d_weights[i] += acc[i];
    if (d_bias)
      for (int64_t j = 0; j < biases; ++j) d_bias[j] += acc[weights + j];
  }
}

void CpuBackend::gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                      int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (pool_->size() == 1 || m * n * std::max<int64_t>(k, 1) < kParallelGemmMacs) {
    eigen_gemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  // Split the larger side of C; each thread owns its block of C outright.
  if (m >= n) {
    pool_->parallel_for(m, 8, [&](int, int64_t r0, int64_t r1) {
      eigen_gemm(trans_a, trans_b, r1 - r0, n, k, alpha, trans_a ? a + r0 : a + r0 * lda, lda, b, ldb, beta,
                 c + r0 * ldc, ldc);
    });
  } else {
    pool_->parallel_for(n, 8, [&](int, int64_t c0, int64_t c1) {
      eigen_gemm(trans_a, trans_b, m, c1 - c0, k, alpha, a, lda, trans_b ? b + c0 * ldb : b + c0, ldb, beta, c + c0,
                 ldc);
    });
  }
}

void CpuBackend::parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  // The interface promises results that do not depend on the partition, so chunks are balanced.
  pool_->parallel_for_balanced(n, grain, fn);
}

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  return std::make_unique<CpuBackend>(threads);
}

}  // namespace tinyforge::nn
