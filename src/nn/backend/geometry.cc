// Output sizes and padding exactly as TensorFlow computes them, so trained models convert
// to TFLite with the same shapes.
#include <algorithm>
#include <string>

#include "tinyforge/error.h"
#include "tinyforge/nn/backend.h"

namespace tinyforge::nn {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct Axis {
  int64_t out = 0, pad_before = 0;
};

Axis axis_geometry(const char* what, int64_t in, int64_t k, int64_t stride, int64_t dilation, bool same) {
  if (in <= 0 || k <= 0 || stride <= 0 || dilation <= 0)
    throw Error(std::string(what) + ": input size " + std::to_string(in) + ", kernel " + std::to_string(k) +
                ", stride " + std::to_string(stride) + " and dilation " + std::to_string(dilation) +
                " must all be positive");
  const int64_t span = (k - 1) * dilation + 1;  // the dilated kernel's extent
  Axis a;
  if (same) {
    a.out = ceil_div(in, stride);
    const int64_t pad_total = std::max<int64_t>((a.out - 1) * stride + span - in, 0);
    a.pad_before = pad_total / 2;
  } else {
    if (span > in)
      throw Error(std::string(what) + ": a kernel spanning " + std::to_string(span) +
                  " does not fit an input of size " + std::to_string(in) +
                  " with 'valid' padding; use padding='same' or a smaller kernel");
    a.out = ceil_div(in - span + 1, stride);
  }
  return a;
}

}  // namespace

ConvGeometry make_conv_geometry(int64_t batch, int64_t in_h, int64_t in_w, int64_t in_c, int64_t out_c, int64_t k_h,
                                int64_t k_w, int64_t stride_h, int64_t stride_w, int64_t dilation_h,
                                int64_t dilation_w, bool same_padding, int64_t depth_multiplier) {
  if (batch < 0 || in_c <= 0 || out_c <= 0 || depth_multiplier <= 0)
    throw Error("convolution: batch " + std::to_string(batch) + ", channels " + std::to_string(in_c) + " -> " +
                std::to_string(out_c) + " and depth multiplier " + std::to_string(depth_multiplier) +
                " must be positive");
  const Axis h = axis_geometry("convolution height", in_h, k_h, stride_h, dilation_h, same_padding);
  const Axis w = axis_geometry("convolution width", in_w, k_w, stride_w, dilation_w, same_padding);
  ConvGeometry g;
  g.batch = batch;
  g.in_h = in_h;
  g.in_w = in_w;
  g.in_c = in_c;
  g.out_h = h.out;
  g.out_w = w.out;
  g.out_c = out_c;
  g.k_h = k_h;
  g.k_w = k_w;
  g.stride_h = stride_h;
  g.stride_w = stride_w;
  g.dilation_h = dilation_h;
  g.dilation_w = dilation_w;
  g.pad_top = h.pad_before;
  g.pad_left = w.pad_before;
  g.depth_multiplier = depth_multiplier;
  return g;
}

PoolGeometry make_pool_geometry(int64_t batch, int64_t in_h, int64_t in_w, int64_t channels, int64_t k_h, int64_t k_w,
                                int64_t stride_h, int64_t stride_w, bool same_padding) {
  if (batch < 0 || channels <= 0)
    throw Error("pooling: batch " + std::to_string(batch) + " and channels " + std::to_string(channels) +
                " must be positive");
  const Axis h = axis_geometry("pooling height", in_h, k_h, stride_h, 1, same_padding);
  const Axis w = axis_geometry("pooling width", in_w, k_w, stride_w, 1, same_padding);
  PoolGeometry g;
  g.batch = batch;
  g.in_h = in_h;
  g.in_w = in_w;
  g.channels = channels;
  g.out_h = h.out;
  g.out_w = w.out;
  g.k_h = k_h;
  g.k_w = k_w;
  g.stride_h = stride_h;
  g.stride_w = stride_w;
  g.pad_top = h.pad_before;
  g.pad_left = w.pad_before;
  return g;
}

}  // namespace tinyforge::nn
