// The fast backend: Eigen GEMM, im2col convolutions, tight loops for depthwise and pooling,
// all split over a persistent thread pool with fixed partitions (deterministic for a given
// thread count). Scratch buffers live here and are reused across calls, so the backend is
// meant to be called from one thread at a time.
#pragma once

#include <memory>
#include <vector>

#include "nn/backend/thread_pool.h"
#include "tinyforge/nn/backend.h"

namespace tinyforge::nn {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(int threads);
  std::string name() const override { return "cpu"; }

  void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
            const float* b, int64_t ldb, float beta, float* c, int64_t ldc) override;

  void conv2d(const ConvGeometry& g, const float* in, const float* filter, const float* bias, float* out) override;
  void conv2d_relu(const ConvGeometry& g, const float* in, const float* filter, const float* bias,
                   float* out) override;
  void conv2d_backward_input(const ConvGeometry& g, const float* d_out, const float* filter, float* d_in) override;
  void conv2d_backward_filter(const ConvGeometry& g, const float* in, const float* d_out, float* d_filter,
                              float* d_bias) override;

  void depthwise_conv2d(const ConvGeometry& g, const float* in, const float* filter, const float* bias,
                        float* out) override;
  void depthwise_conv2d_backward_input(const ConvGeometry& g, const float* d_out, const float* filter,
                                       float* d_in) override;
  void depthwise_conv2d_backward_filter(const ConvGeometry& g, const float* in, const float* d_out, float* d_filter,
                                        float* d_bias) override;

  void max_pool2d(const PoolGeometry& g, const float* in, float* out, int64_t* argmax) override;
  void max_pool2d_backward(const PoolGeometry& g, const float* d_out, const int64_t* argmax, float* d_in) override;
  void avg_pool2d(const PoolGeometry& g, const float* in, float* out) override;
  void avg_pool2d_backward(const PoolGeometry& g, const float* d_out, float* d_in) override;

  void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) override;

  void set_threads(int threads) override;
  int threads() const override { return pool_->size(); }

 private:
  // Per-thread scratch, grown on demand and kept (no allocation in steady state).
  float* scratch(std::vector<std::vector<float>>& pool, int t, int64_t n);
  // Weight gradients as per-thread partials (acc_): thread t's zeroed slot of `weights + biases`
  // floats (the biases after the weights), and the first `used` slots added to d_weights and
  // d_bias (may be null) in thread order, so the sums are fixed for a given thread count.
  float* zeroed_partial(int t, int64_t weights, int64_t biases);
  void add_partials(int used, int64_t weights, int64_t biases, float* d_weights, float* d_bias) const;

  std::unique_ptr<ThreadPool> pool_;
  std::vector<std::vector<float>> col_;  // im2col blocks
  std::vector<std::vector<float>> acc_;  // partial gradient sums
  std::vector<float> filter_t_;          // a filter flipped and transposed, for a direct input gradient
};

}  // namespace tinyforge::nn
