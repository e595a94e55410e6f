// Compute backends: the same model code runs on `reference` (plain loops, the oracle) or
// `cpu` (Eigen for matrix products, all cores). Layers express their heavy work through
// these primitives; everything else (elementwise, reductions) they do themselves.
//
// Layout conventions: activations NHWC, row-major. Conv2D filters [KH, KW, Cin, Cout]
// (Keras' layout). Depthwise filters [KH, KW, C, M] (M = depth multiplier, output channel
// c*M + m). All functions overwrite their output unless the name says accumulate.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace tinyforge::nn {

struct ConvGeometry {
  int64_t batch = 1;
  int64_t in_h = 1, in_w = 1, in_c = 1;
  int64_t out_h = 1, out_w = 1, out_c = 1;  // out_c = Cout (conv) or C*M (depthwise)
  int64_t k_h = 1, k_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0;  // 'same' padding as TensorFlow computes it (extra on bottom/right)
  int64_t depth_multiplier = 1;       // depthwise only
};

// Output size and padding the way TensorFlow/Keras compute them for 'same' and 'valid'.
ConvGeometry make_conv_geometry(int64_t batch, int64_t in_h, int64_t in_w, int64_t in_c, int64_t out_c, int64_t k_h,
                                int64_t k_w, int64_t stride_h, int64_t stride_w, int64_t dilation_h,
                                int64_t dilation_w, bool same_padding, int64_t depth_multiplier = 1);

struct PoolGeometry {
  int64_t batch = 1, in_h = 1, in_w = 1, channels = 1, out_h = 1, out_w = 1;
  int64_t k_h = 1, k_w = 1, stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0;
};
PoolGeometry make_pool_geometry(int64_t batch, int64_t in_h, int64_t in_w, int64_t channels, int64_t k_h, int64_t k_w,
                                int64_t stride_h, int64_t stride_w, bool same_padding);

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;

  // C[M,N] = alpha * op(A) * op(B) + beta * C; row-major with leading dimensions.
  virtual void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                    int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) = 0;

  // Conv2D: out = conv(in, filter) + bias (bias may be null).
  virtual void conv2d(const ConvGeometry& g, const float* in, const float* filter, const float* bias, float* out) = 0;
  // Conv2D followed by ReLU (out = x > 0 ? x : 0, as ActivationFn's relu): a backend may apply it
  // as it stores each output, sparing a pass over the output.
  virtual void conv2d_relu(const ConvGeometry& g, const float* in, const float* filter, const float* bias,
                           float* out) {
    conv2d(g, in, filter, bias, out);
    parallel_for(g.batch * g.out_h * g.out_w * g.out_c, 16384, [out](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) out[i] = out[i] > 0 ? out[i] : 0.0f;
    });
  }
  // Gradients: d_in from d_out (overwrites d_in); d_filter and d_bias are ACCUMULATED (bias may be null).
  virtual void conv2d_backward_input(const ConvGeometry& g, const float* d_out, const float* filter, float* d_in) = 0;
  virtual void conv2d_backward_filter(const ConvGeometry& g, const float* in, const float* d_out, float* d_filter,
                                      float* d_bias) = 0;

  virtual void depthwise_conv2d(const ConvGeometry& g, const float* in, const float* filter, const float* bias,
                                float* out) = 0;
  virtual void depthwise_conv2d_backward_input(const ConvGeometry& g, const float* d_out, const float* filter,
                                               float* d_in) = 0;
  virtual void depthwise_conv2d_backward_filter(const ConvGeometry& g, const float* in, const float* d_out,
                                                float* d_filter, float* d_bias) = 0;

  // Pooling. Max pool records the argmax (flat input index per output) for its backward.
  virtual void max_pool2d(const PoolGeometry& g, const float* in, float* out, int64_t* argmax) = 0;
  virtual void max_pool2d_backward(const PoolGeometry& g, const float* d_out, const int64_t* argmax, float* d_in) = 0;
  // Average pool divides by the number of valid (unpadded) inputs in each window, as Keras does.
  virtual void avg_pool2d(const PoolGeometry& g, const float* in, float* out) = 0;
  virtual void avg_pool2d_backward(const PoolGeometry& g, const float* d_out, float* d_in) = 0;

  // Threads the backend may use (cpu backend; the reference backend is single-threaded).
  // Calls fn(begin, end) for chunks that cover [0, n), each of at least `grain` items, on the
  // backend's threads, and returns when all are done. Only for work whose items are computed
  // independently of each other (elementwise passes; per-channel sums split by channel), so a
  // result never depends on the partition. The reference backend runs it as one chunk.
  virtual void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    (void)grain;
    if (n > 0) fn(0, n);
  }

  virtual void set_threads(int threads) { (void)threads; }
  virtual int threads() const { return 1; }
};

std::unique_ptr<Backend> make_reference_backend();
std::unique_ptr<Backend> make_cpu_backend(int threads = 0);  // 0: all cores

// The process-wide backend: TINYFORGE_BACKEND=reference|cpu, or set_backend(); default cpu.
Backend& backend();
void set_backend(const std::string& name);  // throws Error for an unknown name
void set_threads(int threads);

}  // namespace tinyforge::nn
