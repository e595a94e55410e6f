// The two backends: hand-worked cases for the reference backend, the cpu backend checked
// against the reference on many shapes, and every backward primitive checked against its
// forward by finite differences.
#include "tinyforge/nn/backend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tinyforge/error.h"
#include "tinyforge/nn/random.h"

namespace tinyforge::nn {
namespace {

using Vec = std::vector<float>;

Vec random_vec(Rng& rng, int64_t n, float lo = -1.0f, float hi = 1.0f) {
  Vec v(static_cast<size_t>(n));
  for (float& x : v) x = rng.uniform(lo, hi);
  return v;
}

// Agreement within 1e-4 relative to the reference's largest magnitude (at least 1).
void expect_close(const Vec& want, const Vec& got, const std::string& what, double rel = 1e-4) {
  ASSERT_EQ(want.size(), got.size()) << what;
  double scale = 1.0;
  for (float w : want) scale = std::max(scale, std::fabs(static_cast<double>(w)));
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(want[i], got[i], rel * scale) << what << " at " << i;
}

int64_t in_size(const ConvGeometry& g) { return g.batch * g.in_h * g.in_w * g.in_c; }
int64_t out_size(const ConvGeometry& g) { return g.batch * g.out_h * g.out_w * g.out_c; }
int64_t in_size(const PoolGeometry& g) { return g.batch * g.in_h * g.in_w * g.channels; }
int64_t out_size(const PoolGeometry& g) { return g.batch * g.out_h * g.out_w * g.channels; }

std::string describe(const ConvGeometry& g) {
  return "conv b" + std::to_string(g.batch) + " " + std::to_string(g.in_h) + "x" + std::to_string(g.in_w) + "x" +
         std::to_string(g.in_c) + " -> " + std::to_string(g.out_h) + "x" + std::to_string(g.out_w) + "x" +
         std::to_string(g.out_c) + " k" + std::to_string(g.k_h) + "x" + std::to_string(g.k_w) + " s" +
         std::to_string(g.stride_h) + "," + std::to_string(g.stride_w) + " d" + std::to_string(g.dilation_h) + "," +
         std::to_string(g.dilation_w) + " pad" + std::to_string(g.pad_top) + "," + std::to_string(g.pad_left) +
         " m" + std::to_string(g.depth_multiplier);
}

// ---- geometry ----

TEST(Geometry, ValidAndSameLikeTensorFlow) {
  ConvGeometry v = make_conv_geometry(1, 28, 28, 1, 32, 3, 3, 1, 1, 1, 1, false);
  EXPECT_EQ(v.out_h, 26);
  EXPECT_EQ(v.pad_top, 0);
  // same, stride 2, 5 wide, k3: out 3, pad_total (3-1)*2+3-5 = 2, top 1.
  ConvGeometry s = make_conv_geometry(1, 5, 5, 1, 1, 3, 3, 2, 2, 1, 1, true);
  EXPECT_EQ(s.out_h, 3);
  EXPECT_EQ(s.pad_top, 1);
  // same, stride 2, 4 wide, k3: out 2, pad_total 1, top 0 (the extra goes to the bottom).
  ConvGeometry s2 = make_conv_geometry(1, 4, 6, 1, 1, 3, 3, 2, 2, 1, 1, true);
  EXPECT_EQ(s2.out_h, 2);
  EXPECT_EQ(s2.pad_top, 0);
  EXPECT_EQ(s2.out_w, 3);
  EXPECT_EQ(s2.pad_left, 0);  // (3-1)*2+3-6 = 1
  // dilation 2 turns k3 into a span of 5: valid on 7 gives 3; same pads 4 -> top 2.
  ConvGeometry d = make_conv_geometry(1, 7, 7, 1, 1, 3, 3, 1, 1, 2, 2, false);
  EXPECT_EQ(d.out_h, 3);
  ConvGeometry ds = make_conv_geometry(1, 7, 7, 1, 1, 3, 3, 1, 1, 2, 2, true);
  EXPECT_EQ(ds.out_h, 7);
  EXPECT_EQ(ds.pad_top, 2);
  // valid with stride: ceil((10 - 3 + 1) / 3) = 3.
  EXPECT_EQ(make_conv_geometry(1, 10, 10, 1, 1, 3, 3, 3, 3, 1, 1, false).out_h, 3);
  EXPECT_THROW(make_conv_geometry(1, 2, 2, 1, 1, 3, 3, 1, 1, 1, 1, false), Error);
  EXPECT_THROW(make_conv_geometry(1, 8, 8, 1, 1, 3, 3, 0, 1, 1, 1, false), Error);

  PoolGeometry p = make_pool_geometry(2, 3, 3, 4, 2, 2, 2, 2, true);
  EXPECT_EQ(p.out_h, 2);
  EXPECT_EQ(p.pad_top, 0);
  EXPECT_EQ(make_pool_geometry(2, 5, 5, 4, 2, 2, 2, 2, false).out_h, 2);
}

// ---- hand-worked reference cases ----

TEST(ReferenceBackend, Conv3x3On4x4) {
  auto ref = make_reference_backend();
  Vec in(16);
  for (int i = 0; i < 16; ++i) in[i] = static_cast<float>(i + 1);  // rows 1..4, 5..8, 9..12, 13..16
  Vec ones(9, 1.0f);
  const float bias = 0.5f;
  ConvGeometry g = make_conv_geometry(1, 4, 4, 1, 1, 3, 3, 1, 1, 1, 1, false);
  Vec out(4);
  ref->conv2d(g, in.data(), ones.data(), &bias, out.data());
  // Window sums: 1+2+3+5+6+7+9+10+11 = 54, then +9 per step right, +36 per step down.
  EXPECT_EQ(out, (Vec{54.5f, 63.5f, 90.5f, 99.5f}));

  // A centre-only filter crops the input.
  Vec centre(9, 0.0f);
  centre[4] = 1.0f;
  ref->conv2d(g, in.data(), centre.data(), nullptr, out.data());
  EXPECT_EQ(out, (Vec{6, 7, 10, 11}));

  // 'same': the corner window sees only 1+2+5+6.
  ConvGeometry s = make_conv_geometry(1, 4, 4, 1, 1, 3, 3, 1, 1, 1, 1, true);
  Vec out_same(16);
  ref->conv2d(s, in.data(), ones.data(), nullptr, out_same.data());
  EXPECT_EQ(out_same[0], 14.0f);
  EXPECT_EQ(out_same[5], 54.0f);
  EXPECT_EQ(out_same[15], 11.0f + 12.0f + 15.0f + 16.0f);

  // Two output channels: filter [3,3,1,2] interleaves them.
  Vec two(18, 0.0f);
  for (int t = 0; t < 9; ++t) two[t * 2] = 1.0f;  // channel 0: ones
  two[4 * 2 + 1] = -1.0f;                          // channel 1: minus centre
  Vec out2(8);
  const ConvGeometry g2 = make_conv_geometry(1, 4, 4, 1, 2, 3, 3, 1, 1, 1, 1, false);
  ref->conv2d(g2, in.data(), two.data(), nullptr, out2.data());
  EXPECT_EQ(out2, (Vec{54, -6, 63, -7, 90, -10, 99, -11}));
}

TEST(ReferenceBackend, MaxPoolArgmax) {
  auto ref = make_reference_backend();
  // 4x4, one channel; 2x2 windows, stride 2.
  Vec in = {1, 5, 2, 0,   //
            3, 4, 8, 8,   //
            -1, -2, 0, 7, //
            -3, -4, 9, 6};
  PoolGeometry g = make_pool_geometry(1, 4, 4, 1, 2, 2, 2, 2, false);
  Vec out(4);
  std::vector<int64_t> am(4);
  ref->max_pool2d(g, in.data(), out.data(), am.data());
  EXPECT_EQ(out, (Vec{5, 8, -1, 9}));
  EXPECT_EQ(am, (std::vector<int64_t>{1, 6, 8, 14}));  // the tie 8/8 keeps the first
  Vec d_in(16);
  Vec d_out = {1, 2, 3, 4};
  ref->max_pool2d_backward(g, d_out.data(), am.data(), d_in.data());
  Vec want(16, 0.0f);
  want[1] = 1;
  want[6] = 2;
  want[8] = 3;
  want[14] = 4;
  EXPECT_EQ(d_in, want);
}

TEST(ReferenceBackend, AvgPoolCountsOnlyValidInputs) {
  auto ref = make_reference_backend();
  Vec in = {1, 2, 3, 4, 5, 6, 7, 8, 9};  // 3x3
  PoolGeometry g = make_pool_geometry(1, 3, 3, 1, 2, 2, 2, 2, true);  // pad 1 on bottom/right
  Vec out(4);
  ref->avg_pool2d(g, in.data(), out.data());
  // (1+2+4+5)/4, (3+6)/2, (7+8)/2, 9/1
  EXPECT_EQ(out, (Vec{3.0f, 4.5f, 7.5f, 9.0f}));
  Vec d_in(9);
  Vec d_out = {4, 2, 2, 1};
  ref->avg_pool2d_backward(g, d_out.data(), d_in.data());
  EXPECT_EQ(d_in, (Vec{1, 1, 1, 1, 1, 1, 1, 1, 1}));
}

TEST(ReferenceBackend, DepthwiseMultiplier) {
  auto ref = make_reference_backend();
  // 1x1 input with 2 channels, 1x1 kernel, multiplier 2: out[c*2+m] = in[c] * f[c*2+m].
  Vec in = {2, 3};
  Vec f = {1, 10, 100, 1000};
  Vec bias = {0.5f, 0, 0, 0};
  ConvGeometry g = make_conv_geometry(1, 1, 1, 2, 4, 1, 1, 1, 1, 1, 1, false, 2);
  Vec out(4);
  ref->depthwise_conv2d(g, in.data(), f.data(), bias.data(), out.data());
  EXPECT_EQ(out, (Vec{2.5f, 20, 300, 3000}));
}

TEST(ReferenceBackend, GemmTransposes) {
  auto ref = make_reference_backend();
  // A = [[1,2],[3,4]], B = [[5,6],[7,8]].
  Vec a = {1, 2, 3, 4}, b = {5, 6, 7, 8}, c(4, std::numeric_limits<float>::quiet_NaN());
  ref->gemm(false, false, 2, 2, 2, 1.0f, a.data(), 2, b.data(), 2, 0.0f, c.data(), 2);
  EXPECT_EQ(c, (Vec{19, 22, 43, 50}));
  ref->gemm(true, false, 2, 2, 2, 1.0f, a.data(), 2, b.data(), 2, 0.0f, c.data(), 2);
  EXPECT_EQ(c, (Vec{26, 30, 38, 44}));
  ref->gemm(false, true, 2, 2, 2, 1.0f, a.data(), 2, b.data(), 2, 0.0f, c.data(), 2);
  EXPECT_EQ(c, (Vec{17, 23, 39, 53}));
  c = {1, 1, 1, 1};
  ref->gemm(true, true, 2, 2, 2, 2.0f, a.data(), 2, b.data(), 2, 0.5f, c.data(), 2);
  // A^T B^T = [[23, 31], [34, 46]]
  EXPECT_EQ(c, (Vec{46.5f, 62.5f, 68.5f, 92.5f}));
}

// ---- cpu backend agrees with the reference ----

struct ConvCase {
  int64_t batch, h, w, cin, cout, kh, kw, sh, sw, dh, dw;
  bool same;
  int64_t mult = 1;
};

std::vector<ConvCase> conv_cases(bool depthwise) {
  std::vector<ConvCase> cases = {
      {2, 28, 28, 1, 8, 3, 3, 1, 1, 1, 1, false},   // fmnist first layer, narrower
      {3, 13, 13, 8, 16, 3, 3, 1, 1, 1, 1, false},  // fmnist second layer, narrower
      {2, 7, 9, 5, 6, 1, 1, 1, 1, 1, 1, false},     // pointwise: plain GEMM path
      {2, 7, 9, 5, 6, 1, 1, 2, 2, 1, 1, true},      // strided 1x1
      {2, 8, 8, 3, 4, 3, 3, 2, 2, 1, 1, true},      // same, stride 2
      {1, 9, 7, 2, 3, 3, 2, 1, 2, 2, 1, true},      // dilation, mixed strides
      {2, 10, 11, 4, 5, 5, 3, 3, 1, 1, 2, false},   // valid, big kernel
      {1, 4, 4, 3, 2, 4, 4, 1, 1, 1, 1, true},      // even kernel, same
      // The reference models' first layers: narrow patches, many filters.
      {2, 49, 10, 1, 64, 10, 4, 2, 2, 1, 1, true},  // kws_dscnn first layer: same, stride 2
      {3, 1, 40, 3, 16, 1, 5, 1, 1, 1, 1, false},   // gesture_conv1d first layer (Conv1D as 1 x W)
      {1, 9, 9, 2, 32, 3, 3, 1, 2, 2, 1, true},     // dilation, mixed strides, same
      // The direct kernels (valid, unit stride, filters in multiples of 8): full 16-filter tiles,
      // 8-filter remainders, rows of 6-pixel tiles with 1-5 pixels left over, 6-channel blocks of
      // the filter gradient with 1-5 channels left over.
      {2, 13, 13, 16, 32, 3, 3, 1, 1, 1, 1, false},  // fmnist_cnn's second layer
      {1, 9, 12, 5, 24, 2, 4, 1, 1, 1, 1, false},
      {3, 6, 7, 3, 8, 5, 1, 1, 1, 1, 1, false},
      {1, 8, 10, 24, 16, 3, 2, 1, 1, 1, 1, false},  // 16 + 8 input channels
      // Pointwise through the direct kernels; the input gradient with the filter transposed
      // when the input channels come in multiples of 8 too, else through Eigen.
      {2, 5, 7, 24, 16, 1, 1, 1, 1, 1, 1, false},
      {1, 4, 6, 12, 8, 1, 1, 1, 1, 1, 1, false},
      // Direct kernels with padding and dilation: inner pixels in tiles, edge pixels alone with
      // the kernel columns inside the input; rows with kernel rows in the padding.
      {2, 9, 11, 16, 32, 3, 3, 1, 1, 1, 1, true},   // 'same' 3x3
      {1, 8, 13, 5, 24, 5, 3, 1, 1, 2, 2, true},    // dilated, 'same'
      {2, 5, 5, 3, 8, 7, 7, 1, 1, 1, 1, true},      // kernel wider than the input: edges only
      {1, 10, 12, 8, 16, 3, 4, 2, 2, 1, 1, true},   // strided: im2col + GEMM
      // 'same' at unit stride: the input gradient as a direct convolution with the filter flipped.
      {1, 7, 9, 8, 16, 5, 3, 1, 1, 2, 1, true},     // rows dilated
      // The filter gradient's lanes across taps (no tap of any output in the padding): dilated;
      // and a 'same' 2x2 kernel, whose padding is all at the bottom and right, so per tap.
      {1, 9, 10, 3, 8, 3, 2, 1, 1, 2, 2, false},
      {2, 5, 6, 3, 8, 2, 2, 1, 1, 1, 1, true},
  };
  Rng rng(2024);
  for (int i = 0; i < 16; ++i) {
    ConvCase c{};
    c.batch = 1 + static_cast<int64_t>(rng.below(3));
    c.h = 3 + static_cast<int64_t>(rng.below(10));
    c.w = 3 + static_cast<int64_t>(rng.below(10));
    c.cin = 1 + static_cast<int64_t>(rng.below(6));
    c.cout = 1 + static_cast<int64_t>(rng.below(7));
    c.kh = 1 + static_cast<int64_t>(rng.below(3));
    c.kw = 1 + static_cast<int64_t>(rng.below(3));
    c.sh = 1 + static_cast<int64_t>(rng.below(2));
    c.sw = 1 + static_cast<int64_t>(rng.below(3));
    c.dh = 1 + static_cast<int64_t>(rng.below(2));
    c.dw = 1 + static_cast<int64_t>(rng.below(2));
    c.same = rng.below(2) == 1;
    if (!c.same && ((c.kh - 1) * c.dh + 1 > c.h || (c.kw - 1) * c.dw + 1 > c.w)) c.same = true;
    cases.push_back(c);
  }
  if (depthwise) {
    for (size_t i = 0; i < cases.size(); ++i) cases[i].mult = 1 + static_cast<int64_t>(i % 3);
    // Multiplier 1 with many channels (vector loops with remainders).
    cases.push_back({2, 25, 5, 64, 64, 3, 3, 1, 1, 1, 1, true, 1});     // kws_dscnn's depthwise layers
    cases.push_back({2, 9, 8, 123, 123, 3, 3, 2, 1, 1, 2, true, 1});   // 64 + 32 + 16 + 8 + 3 channels
    cases.push_back({1, 6, 7, 40, 40, 5, 3, 1, 2, 1, 1, false, 1});    // valid, 32 + 8 channels
    // The input gradient gathers per input pixel: strides and dilations decide which taps reach it.
    cases.push_back({2, 11, 9, 37, 37, 3, 3, 2, 2, 1, 1, true, 1});    // same, stride 2
    cases.push_back({1, 10, 10, 33, 33, 3, 3, 1, 1, 2, 2, false, 1});  // valid, dilation 2
    cases.push_back({1, 12, 7, 64, 64, 3, 2, 2, 3, 2, 1, true, 1});    // mixed strides and dilation
    // Row tiles (unit horizontal stride and dilation, channels in multiples of 8): runs of up to 6
    // pixels whose taps all fall inside, edge pixels alone, channels in 8, 4, 2 and 1 vectors.
    cases.push_back({2, 5, 17, 24, 24, 3, 3, 1, 1, 1, 1, true, 1});   // 15 inner pixels: 6 + 6 + 3
    cases.push_back({1, 7, 9, 72, 72, 3, 5, 2, 1, 2, 1, true, 1});    // rows strided and dilated; 64 + 8 channels
    cases.push_back({2, 6, 11, 16, 16, 2, 4, 1, 1, 1, 1, false, 1});  // valid, even kernel
    cases.push_back({1, 4, 3, 8, 8, 3, 5, 1, 1, 1, 1, true, 1});      // kernel wider than the input: edges only
  }
  return cases;
}

ConvGeometry geometry_of(const ConvCase& c, bool depthwise) {
  return make_conv_geometry(c.batch, c.h, c.w, c.cin, depthwise ? c.cin * c.mult : c.cout, c.kh, c.kw, c.sh, c.sw, c.dh,
                            c.dw, c.same, depthwise ? c.mult : 1);
}

int64_t filter_size(const ConvGeometry& g, bool depthwise) {
  return depthwise ? g.k_h * g.k_w * g.out_c : g.k_h * g.k_w * g.in_c * g.out_c;
}

// Runs forward and both gradients on one backend; the gradients accumulate into `seed`.
struct ConvResult {
  Vec out, out_nobias, out_relu, d_in, d_filter, d_bias;
};

ConvResult run_conv(Backend& be, const ConvGeometry& g, bool depthwise, const Vec& in, const Vec& filter,
                    const Vec& bias, const Vec& d_out, const Vec& filter_seed, const Vec& bias_seed) {
  ConvResult r;
  // NaN where a result is expected: every output value must be written, none accumulated.
  r.out.assign(static_cast<size_t>(out_size(g)), std::numeric_limits<float>::quiet_NaN());
  r.out_nobias = r.out;
  r.d_in.assign(static_cast<size_t>(in_size(g)), 123.0f);  // overwritten, not accumulated
  r.d_filter = filter_seed;
  r.d_bias = bias_seed;
  if (depthwise) {
    be.depthwise_conv2d(g, in.data(), filter.data(), bias.data(), r.out.data());
    be.depthwise_conv2d(g, in.data(), filter.data(), nullptr, r.out_nobias.data());
    be.depthwise_conv2d_backward_input(g, d_out.data(), filter.data(), r.d_in.data());
    be.depthwise_conv2d_backward_filter(g, in.data(), d_out.data(), r.d_filter.data(), r.d_bias.data());
  } else {
    be.conv2d(g, in.data(), filter.data(), bias.data(), r.out.data());
    be.conv2d(g, in.data(), filter.data(), nullptr, r.out_nobias.data());
    r.out_relu.assign(r.out.size(), std::numeric_limits<float>::quiet_NaN());
    be.conv2d_relu(g, in.data(), filter.data(), bias.data(), r.out_relu.data());
    be.conv2d_backward_input(g, d_out.data(), filter.data(), r.d_in.data());
    be.conv2d_backward_filter(g, in.data(), d_out.data(), r.d_filter.data(), r.d_bias.data());
  }
  return r;
}

void check_conv_agreement(bool depthwise) {
  auto ref = make_reference_backend();
  for (int threads : {1, 2, 3}) {
    auto cpu = make_cpu_backend(threads);
    Rng rng(17);
    for (const ConvCase& c : conv_cases(depthwise)) {
      const ConvGeometry g = geometry_of(c, depthwise);
      const std::string what = describe(g) + " threads " + std::to_string(threads);
      const Vec in = random_vec(rng, in_size(g)), filter = random_vec(rng, filter_size(g, depthwise)),
                bias = random_vec(rng, g.out_c), d_out = random_vec(rng, out_size(g)),
                filter_seed = random_vec(rng, filter_size(g, depthwise)), bias_seed = random_vec(rng, g.out_c);
      const ConvResult want = run_conv(*ref, g, depthwise, in, filter, bias, d_out, filter_seed, bias_seed);
      const ConvResult got = run_conv(*cpu, g, depthwise, in, filter, bias, d_out, filter_seed, bias_seed);
      expect_close(want.out, got.out, what + " forward");
      expect_close(want.out_nobias, got.out_nobias, what + " forward without bias");
      expect_close(want.out_relu, got.out_relu, what + " forward with ReLU");
      // The ReLU inside the convolution is the activation's, applied to the same sums: the bytes
      // of conv2d followed by `x > 0 ? x : 0`.
      Vec relu_after = got.out;
      for (float& v : relu_after) v = v > 0 ? v : 0.0f;
      if (!depthwise) EXPECT_EQ(relu_after, got.out_relu) << what;
      expect_close(want.d_in, got.d_in, what + " d_in");
      expect_close(want.d_filter, got.d_filter, what + " d_filter");
      expect_close(want.d_bias, got.d_bias, what + " d_bias");
    }
  }
}

TEST(CpuBackend, Conv2dAgreesWithReference) { check_conv_agreement(false); }

// ReLU as the activation computes it, x > 0 ? x : 0: a -0 sum (a -0 bias plus -0 products) and a
// NaN (a NaN input) both come out as +0, on the direct kernels' path and on the others.
TEST(CpuBackend, Conv2dReluTurnsNegativeZeroAndNanIntoPositiveZero) {
  auto ref = make_reference_backend();
  auto cpu = make_cpu_backend(2);
  for (const ConvGeometry& g : {make_conv_geometry(2, 6, 7, 1, 16, 3, 3, 1, 1, 1, 1, false),    // direct
                                make_conv_geometry(2, 6, 7, 2, 3, 3, 3, 2, 2, 1, 1, true)}) {  // im2col
    Vec in(static_cast<size_t>(in_size(g)), 0.5f);
    in[5] = std::numeric_limits<float>::quiet_NaN();
    const Vec filter(static_cast<size_t>(filter_size(g, false)), -0.0f), bias(static_cast<size_t>(g.out_c), -0.0f);
    for (Backend* be : {ref.get(), cpu.get()}) {
      Vec out(static_cast<size_t>(out_size(g)), 7.0f);
      be->conv2d_relu(g, in.data(), filter.data(), bias.data(), out.data());
      for (size_t i = 0; i < out.size(); ++i) {
        ASSERT_EQ(out[i], 0.0f) << be->name() << " " << describe(g) << " at " << i;
        ASSERT_FALSE(std::signbit(out[i])) << be->name() << " " << describe(g) << " at " << i;
      }
    }
  }
}
TEST(CpuBackend, DepthwiseAgreesWithReference) { check_conv_agreement(true); }

TEST(CpuBackend, GemmAgreesWithReference) {
  auto ref = make_reference_backend();
  auto cpu = make_cpu_backend(2);
  Rng rng(8);
  struct Size {
    int64_t m, n, k;
  };
  std::vector<Size> sizes = {{1, 1, 1}, {3, 5, 7}, {64, 10, 128}, {300, 130, 200}, {20, 400, 90}, {128, 1600, 64}};
  for (int i = 0; i < 6; ++i)
    sizes.push_back({1 + static_cast<int64_t>(rng.below(80)), 1 + static_cast<int64_t>(rng.below(80)),
                     1 + static_cast<int64_t>(rng.below(80))});
  for (const Size& s : sizes)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb)
        for (float beta : {0.0f, 0.75f}) {
          // Padded leading dimensions catch stride mistakes.
          const int64_t lda = (ta ? s.m : s.k) + 3, ldb = (tb ? s.k : s.n) + 2, ldc = s.n + 1;
          const Vec a = random_vec(rng, (ta ? s.k : s.m) * lda), b = random_vec(rng, (tb ? s.n : s.k) * ldb);
          Vec c0 = random_vec(rng, s.m * ldc);
          if (beta == 0.0f) std::fill(c0.begin(), c0.end(), std::numeric_limits<float>::quiet_NaN());
          Vec want = c0, got = c0;
          ref->gemm(ta, tb, s.m, s.n, s.k, 1.25f, a.data(), lda, b.data(), ldb, beta, want.data(), ldc);
          cpu->gemm(ta, tb, s.m, s.n, s.k, 1.25f, a.data(), lda, b.data(), ldb, beta, got.data(), ldc);
          // Compare only C's m x n block (padding columns stay untouched).
          Vec w, o;
          for (int64_t r = 0; r < s.m; ++r)
            for (int64_t j = 0; j < s.n; ++j) {
              w.push_back(want[r * ldc + j]);
              o.push_back(got[r * ldc + j]);
            }
          expect_close(w, o,
                       "gemm " + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" + std::to_string(s.k) +
                           " ta" + std::to_string(ta) + " tb" + std::to_string(tb) + " beta " + std::to_string(beta));
        }
}

TEST(CpuBackend, PoolsAgreeWithReference) {
  auto ref = make_reference_backend();
  Rng rng(31);
  for (int threads : {1, 2}) {
    auto cpu = make_cpu_backend(threads);
    for (int i = 0; i < 24; ++i) {
      const int64_t k_h = 1 + static_cast<int64_t>(rng.below(3)), k_w = 1 + static_cast<int64_t>(rng.below(3));
      const int64_t h = k_h + static_cast<int64_t>(rng.below(9)), w = k_w + static_cast<int64_t>(rng.below(9));
      const bool same = rng.below(2) == 1;
      const PoolGeometry g = make_pool_geometry(1 + static_cast<int64_t>(rng.below(3)), h, w,
                                                1 + static_cast<int64_t>(rng.below(5)), k_h, k_w,
                                                1 + static_cast<int64_t>(rng.below(3)),
                                                1 + static_cast<int64_t>(rng.below(3)), same);
      const std::string what = "pool " + std::to_string(h) + "x" + std::to_string(w) + " k" + std::to_string(k_h) +
                               "x" + std::to_string(k_w) + (same ? " same" : " valid");
      const Vec in = random_vec(rng, in_size(g)), d_out = random_vec(rng, out_size(g));
      Vec out_r(static_cast<size_t>(out_size(g))), out_c = out_r;
      // Garbage where the argmax goes: every entry must be written (layers do not clear it).
      std::vector<int64_t> am_r(out_r.size(), 777777), am_c(out_r.size(), -555555);
      ref->max_pool2d(g, in.data(), out_r.data(), am_r.data());
      cpu->max_pool2d(g, in.data(), out_c.data(), am_c.data());
      EXPECT_EQ(out_r, out_c) << what;
      EXPECT_EQ(am_r, am_c) << what;
      Vec din_r(static_cast<size_t>(in_size(g)), 5.0f), din_c = din_r;
      ref->max_pool2d_backward(g, d_out.data(), am_r.data(), din_r.data());
      cpu->max_pool2d_backward(g, d_out.data(), am_c.data(), din_c.data());
      expect_close(din_r, din_c, what + " max backward");
      ref->avg_pool2d(g, in.data(), out_r.data());
      cpu->avg_pool2d(g, in.data(), out_c.data());
      expect_close(out_r, out_c, what + " avg");
      ref->avg_pool2d_backward(g, d_out.data(), din_r.data());
      cpu->avg_pool2d_backward(g, d_out.data(), din_c.data());
      expect_close(din_r, din_c, what + " avg backward");
    }
  }
}

TEST(CpuBackend, DeterministicForAThreadCount) {
  auto cpu = make_cpu_backend(2);
  Rng rng(4);
  const ConvGeometry g = make_conv_geometry(16, 13, 13, 16, 32, 3, 3, 1, 1, 1, 1, false);
  const Vec in = random_vec(rng, in_size(g)), d_out = random_vec(rng, out_size(g));
  const int64_t nf = filter_size(g, false);
  Vec f1(static_cast<size_t>(nf), 0.0f), f2 = f1, b1(static_cast<size_t>(g.out_c), 0.0f), b2 = b1;
  cpu->conv2d_backward_filter(g, in.data(), d_out.data(), f1.data(), b1.data());
  cpu->conv2d_backward_filter(g, in.data(), d_out.data(), f2.data(), b2.data());
  EXPECT_EQ(f1, f2);
  EXPECT_EQ(b1, b2);
}

// ---- finite differences: each backward primitive against its forward ----

// L = sum(d_out * forward(x)); checks dL/dx from `grad` at every entry of x.
template <typename Forward>
void check_fd(Vec& x, const Vec& d_out, const Vec& grad, Forward forward, const std::string& what, float eps) {
  auto loss = [&] {
    const Vec y = forward();
    double l = 0.0;
    for (size_t i = 0; i < y.size(); ++i) l += static_cast<double>(d_out[i]) * y[i];
    return l;
  };
  for (size_t i = 0; i < x.size(); ++i) {
    const float saved = x[i];
    x[i] = saved + eps;
    const double up = loss();
    x[i] = saved - eps;
    const double down = loss();
    x[i] = saved;
    const double numeric = (up - down) / (2.0 * eps);
    ASSERT_NEAR(numeric, grad[i], 2e-3 * std::max(1.0, std::fabs(numeric))) << what << " at " << i;
  }
}

void check_conv_fd(Backend& be, bool depthwise) {
  Rng rng(77);
  const std::vector<ConvGeometry> geoms = {
      make_conv_geometry(2, 5, 6, 3, depthwise ? 6 : 4, 3, 3, 1, 1, 1, 1, true, depthwise ? 2 : 1),
      make_conv_geometry(1, 7, 6, 2, depthwise ? 2 : 3, 3, 2, 2, 1, 1, 2, false, 1),
      make_conv_geometry(1, 4, 5, 2, depthwise ? 6 : 3, 2, 2, 2, 2, 1, 1, true, depthwise ? 3 : 1),
  };
  for (const ConvGeometry& g : geoms) {
    const std::string what = be.name() + " " + (depthwise ? "depthwise " : "") + describe(g);
    Vec in = random_vec(rng, in_size(g)), filter = random_vec(rng, filter_size(g, depthwise)),
        bias = random_vec(rng, g.out_c);
    const Vec d_out = random_vec(rng, out_size(g));
    Vec d_in(in.size()), d_filter(filter.size(), 0.0f), d_bias(bias.size(), 0.0f);
    auto forward = [&] {
      Vec y(static_cast<size_t>(out_size(g)));
      if (depthwise)
        be.depthwise_conv2d(g, in.data(), filter.data(), bias.data(), y.data());
      else
        be.conv2d(g, in.data(), filter.data(), bias.data(), y.data());
      return y;
    };
    if (depthwise) {
      be.depthwise_conv2d_backward_input(g, d_out.data(), filter.data(), d_in.data());
      be.depthwise_conv2d_backward_filter(g, in.data(), d_out.data(), d_filter.data(), d_bias.data());
    } else {
      be.conv2d_backward_input(g, d_out.data(), filter.data(), d_in.data());
      be.conv2d_backward_filter(g, in.data(), d_out.data(), d_filter.data(), d_bias.data());
    }
    check_fd(in, d_out, d_in, forward, what + " d_in", 1e-2f);
    check_fd(filter, d_out, d_filter, forward, what + " d_filter", 1e-2f);
    check_fd(bias, d_out, d_bias, forward, what + " d_bias", 1e-2f);
  }
}

void check_pool_fd(Backend& be) {
  Rng rng(91);
  for (bool same : {false, true}) {
    const PoolGeometry g = make_pool_geometry(2, 5, 6, 3, 2, 3, 2, 2, same);
    const std::string what = be.name() + (same ? " same" : " valid") + " pool";
    // Well-separated distinct values, so a small nudge never changes the max.
    Vec in(static_cast<size_t>(in_size(g)));
    for (size_t i = 0; i < in.size(); ++i) in[i] = 0.05f * static_cast<float>(i);
    for (size_t i = in.size() - 1; i > 0; --i) std::swap(in[i], in[rng.below(i + 1)]);
    const Vec d_out = random_vec(rng, out_size(g));
    std::vector<int64_t> argmax(static_cast<size_t>(out_size(g)));
    Vec y(static_cast<size_t>(out_size(g))), d_in(in.size());
    be.max_pool2d(g, in.data(), y.data(), argmax.data());
    be.max_pool2d_backward(g, d_out.data(), argmax.data(), d_in.data());
    check_fd(in, d_out, d_in, [&] {
      Vec o(static_cast<size_t>(out_size(g)));
      be.max_pool2d(g, in.data(), o.data(), nullptr);
      return o;
    }, what + " max", 1e-3f);
    be.avg_pool2d_backward(g, d_out.data(), d_in.data());
    check_fd(in, d_out, d_in, [&] {
      Vec o(static_cast<size_t>(out_size(g)));
      be.avg_pool2d(g, in.data(), o.data());
      return o;
    }, what + " avg", 1e-2f);
  }
}

TEST(FiniteDifference, ReferenceConv) {
  auto be = make_reference_backend();
  check_conv_fd(*be, false);
  check_conv_fd(*be, true);
}

TEST(FiniteDifference, CpuConv) {
  auto be = make_cpu_backend(2);
  check_conv_fd(*be, false);
  check_conv_fd(*be, true);
}

TEST(FiniteDifference, Pools) {
  auto ref = make_reference_backend();
  auto cpu = make_cpu_backend(2);
  check_pool_fd(*ref);
  check_pool_fd(*cpu);
}

// ---- selection ----

TEST(BackendSelection, SetBackendAndThreads) {
  set_backend("reference");
  EXPECT_EQ(backend().name(), "reference");
  EXPECT_THROW(set_backend("gpu"), Error);
  EXPECT_EQ(backend().name(), "reference");  // an unknown name keeps the current one
  set_backend("cpu");
  EXPECT_EQ(backend().name(), "cpu");
  set_threads(1);
  EXPECT_EQ(backend().threads(), 1);
  set_threads(2);
  EXPECT_EQ(backend().threads(), 2);
  EXPECT_THROW(set_threads(-1), Error);
  set_threads(0);
  EXPECT_GE(backend().threads(), 1);
}

}  // namespace
}  // namespace tinyforge::nn
