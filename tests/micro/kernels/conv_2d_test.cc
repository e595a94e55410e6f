// CONV_2D against a direct reference written from the definition (explicitly zero-padded
// image, TensorFlow's SAME/VALID rule): float with small integers (exact in any order),
// int8 and 16x8 per-channel within one quantization step, groups, dilation, and checks.
#include "micro/kernels/single_op_harness.h"

namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kConv2D;
enum { kPadding = 0, kStrideW = 1, kStrideH = 2, kAct = 3, kDilW = 4, kDilH = 5 };
enum { kSame = 0, kValid = 1 };

struct Problem {
  int n = 1, h = 0, w = 0, c = 0;         // input NHWC
  int oc = 0, fh = 0, fw = 0, fc = 0;     // filter OHWI
  int stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  bool same = false;
  int out_h() const { return same ? (h + stride_h - 1) / stride_h : (h - ((fh - 1) * dil_h + 1)) / stride_h + 1; }
  int out_w() const { return same ? (w + stride_w - 1) / stride_w : (w - ((fw - 1) * dil_w + 1)) / stride_w + 1; }
  std::vector<OptionField> options(int act = 0) const {
    return {opt_i8(kPadding, same ? kSame : kValid), opt_i32(kStrideW, stride_w), opt_i32(kStrideH, stride_h),
            opt_i8(kAct, act), opt_i32(kDilW, dil_w), opt_i32(kDilH, dil_h)};
  }
};

// out[b,y,x,o] = bias[o] + sum over the window of in[b, y*s - pad + fy*d, ...] * filter[o, fy, fx, i]
// with the input read as zero outside the image; the total padding is split with the
// smaller half first.
std::vector<double> reference(const Problem& p, const std::vector<double>& in, const std::vector<double>& filter,
                              const std::vector<double>& bias) {
  const int oh = p.out_h(), ow = p.out_w();
  const int pad_h = std::max(0, ((oh - 1) * p.stride_h + (p.fh - 1) * p.dil_h + 1 - p.h)) / 2;
  const int pad_w = std::max(0, ((ow - 1) * p.stride_w + (p.fw - 1) * p.dil_w + 1 - p.w)) / 2;
  const int groups = p.c / p.fc, per_group = p.oc / groups;
  std::vector<double> out;
  for (int b = 0; b < p.n; ++b)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int o = 0; o < p.oc; ++o) {
          double sum = bias.empty() ? 0.0 : bias[size_t(o)];
          for (int fy = 0; fy < p.fh; ++fy)
            for (int fx = 0; fx < p.fw; ++fx)
              for (int i = 0; i < p.fc; ++i) {
                const int iy = y * p.stride_h - pad_h + fy * p.dil_h, ix = x * p.stride_w - pad_w + fx * p.dil_w;
                if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
                const int ic = (o / per_group) * p.fc + i;
                sum += in[size_t(((b * p.h + iy) * p.w + ix) * p.c + ic)] *
                       filter[size_t(((o * p.fh + fy) * p.fw + fx) * p.fc + i)];
              }
          out.push_back(sum);
        }
  return out;
}

template <typename T>
std::vector<T> pattern(size_t n, int mul, int add, int mod, int offset) {
  std::vector<T> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = T(int((i * size_t(mul) + size_t(add)) % size_t(mod)) - offset);
  return v;
}

template <typename T>
std::vector<double> as_double(const std::vector<T>& v) {
  return std::vector<double>(v.begin(), v.end());
}

void expect_float_matches(const Problem& p, bool with_bias) {
  const auto in = pattern<float>(size_t(p.n * p.h * p.w * p.c), 7, 3, 9, 4);
  const auto filter = pattern<float>(size_t(p.oc * p.fh * p.fw * p.fc), 5, 1, 7, 3);
  const auto bias = with_bias ? pattern<float>(size_t(p.oc), 3, 0, 5, 2) : std::vector<float>{};
  std::vector<TensorSpec> t = {tensor(TensorType::kFloat32, {p.n, p.h, p.w, p.c}),
                               constant(tensor(TensorType::kFloat32, {p.oc, p.fh, p.fw, p.fc}), filter),
                               tensor(TensorType::kFloat32, {p.n, p.out_h(), p.out_w(), p.oc})};
  if (with_bias) t.push_back(constant(tensor(TensorType::kFloat32, {p.oc}), bias));
  SingleOp op(kConv2D, t, {0, 1, with_bias ? 3 : -1}, {2}, p.options(), kConv2DOptions);
  const auto want = reference(p, as_double(in), as_double(filter), as_double(bias));
  const auto got = op.run<float>(in);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(double(got[i]), want[i]) << "element " << i;
}

TEST(Conv2DKernel, FloatSameStrideTwoPadsTheOddPixelAfter) {
  Problem p;
  p.h = 5, p.w = 4, p.c = 2, p.oc = 3, p.fh = 3, p.fw = 3, p.fc = 2, p.stride_h = 2, p.stride_w = 2, p.same = true;
  expect_float_matches(p, true);
}

TEST(Conv2DKernel, FloatValidDilatedTwoBatchesWithoutBias) {
  Problem p;
  p.n = 2, p.h = 6, p.w = 7, p.c = 3, p.oc = 2, p.fh = 2, p.fw = 3, p.fc = 3, p.dil_h = 2, p.dil_w = 2;
  expect_float_matches(p, false);
}

TEST(Conv2DKernel, FloatGroupedConvolution) {
  Problem p;
  p.h = 3, p.w = 3, p.c = 4, p.oc = 4, p.fh = 2, p.fw = 2, p.fc = 2, p.same = true;
  expect_float_matches(p, true);
}

TEST(Conv2DKernel, FloatRelu6ClampsBothEnds) {
  // 1x1 conv of a single channel by 2 with bias -1: {-3, 0.5, 4} -> {-7, 0, 7} -> {0, 0, 6}.
  SingleOp op(kConv2D,
              {tensor(TensorType::kFloat32, {1, 1, 3, 1}), constant(tensor(TensorType::kFloat32, {1, 1, 1, 1}),
                                                                     std::vector<float>{2}),
               constant(tensor(TensorType::kFloat32, {1}), std::vector<float>{-1}),
               tensor(TensorType::kFloat32, {1, 1, 3, 1})},
              {0, 1, 2}, {3},
              {opt_i8(kPadding, kValid), opt_i32(kStrideW, 1), opt_i32(kStrideH, 1), opt_i8(kAct, 3)},
              kConv2DOptions);
  EXPECT_EQ(op.run<float>({-3, 0.5f, 4}), (std::vector<float>{0, 0, 6}));
}

TEST(Conv2DKernel, Int8PerChannelMatchesReferenceWithinOneStep) {
  Problem p;
  p.h = 5, p.w = 5, p.c = 3, p.oc = 4, p.fh = 3, p.fw = 3, p.fc = 3, p.stride_h = 2, p.stride_w = 1, p.same = true;
  const float in_s = 0.04f, out_s = 0.09f;
  const int in_zp = -7, out_zp = 12;
  const std::vector<float> ws = {0.01f, 0.003f, 0.02f, 0.0075f};
  const auto in = pattern<int8_t>(size_t(p.h * p.w * p.c), 37, 11, 256, 128);
  const auto filter = pattern<int8_t>(size_t(p.oc * p.fh * p.fw * p.fc), 53, 7, 255, 127);
  const std::vector<int32_t> bias = {1500, -800, 0, 20000};
  std::vector<float> bias_scales;
  for (float w : ws) bias_scales.push_back(in_s * w);
  SingleOp op(kConv2D,
              {qtensor(TensorType::kInt8, {1, p.h, p.w, p.c}, in_s, in_zp),
               constant(pctensor(TensorType::kInt8, {p.oc, p.fh, p.fw, p.fc}, ws, 0), filter),
               constant(pctensor(TensorType::kInt32, {p.oc}, bias_scales, 0), bias),
               qtensor(TensorType::kInt8, {1, p.out_h(), p.out_w(), p.oc}, out_s, out_zp)},
              {0, 1, 2}, {3}, p.options(), kConv2DOptions, 3);
  std::vector<double> real_in, real_filter, real_bias;
  for (int8_t v : in) real_in.push_back((v - in_zp) * double(in_s));
  for (size_t i = 0; i < filter.size(); ++i) real_filter.push_back(filter[i] * double(ws[i / size_t(p.fh * p.fw * p.fc)]));
  for (size_t o = 0; o < bias.size(); ++o) real_bias.push_back(bias[o] * double(bias_scales[o]));
  const auto want = reference(p, real_in, real_filter, real_bias);
  const auto got = op.run<int8_t>(in);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_LE(std::abs(got[i] - quantize_value(want[i], out_s, out_zp, -128, 127)), 1) << "element " << i;
  }
}

TEST(Conv2DKernel, Int16WithInt64BiasMatchesReferenceWithinOneStep) {
  Problem p;
  p.h = 4, p.w = 4, p.c = 2, p.oc = 2, p.fh = 2, p.fw = 2, p.fc = 2;
  const float in_s = 1.0f / 512, out_s = 1.0f / 256;
  const std::vector<float> ws = {0.01f, 0.004f};
  std::vector<int16_t> in(size_t(p.h * p.w * p.c));
  for (size_t i = 0; i < in.size(); ++i) in[i] = int16_t(int(i * 2311 % 60000) - 30000);
  const auto filter = pattern<int8_t>(size_t(p.oc * p.fh * p.fw * p.fc), 29, 5, 255, 127);
  const std::vector<int64_t> bias = {123456, -654321};
  SingleOp op(kConv2D,
              {qtensor(TensorType::kInt16, {1, p.h, p.w, p.c}, in_s, 0),
               constant(pctensor(TensorType::kInt8, {p.oc, p.fh, p.fw, p.fc}, ws, 0), filter),
               constant(pctensor(TensorType::kInt64, {p.oc}, {in_s * ws[0], in_s * ws[1]}, 0), bias),
               qtensor(TensorType::kInt16, {1, p.out_h(), p.out_w(), p.oc}, out_s, 0)},
              {0, 1, 2}, {3}, p.options(), kConv2DOptions, 4);
  std::vector<double> real_in, real_filter, real_bias;
  for (int16_t v : in) real_in.push_back(v * double(in_s));
  for (size_t i = 0; i < filter.size(); ++i) real_filter.push_back(filter[i] * double(ws[i / 8]));
  for (size_t o = 0; o < 2; ++o) real_bias.push_back(bias[o] * double(in_s) * ws[o]);
  const auto want = reference(p, real_in, real_filter, real_bias);
  const auto got = op.run<int16_t>(in);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_LE(std::abs(got[i] - quantize_value(want[i], out_s, 0, -32768, 32767)), 1) << "element " << i;
  }
}

TEST(Conv2DKernel, RejectsOutputShapeOtherThanTheWindowGeometry) {
  SingleOp op(kConv2D,
              {tensor(TensorType::kFloat32, {1, 4, 4, 1}),
               constant(tensor(TensorType::kFloat32, {1, 3, 3, 1}), std::vector<float>(9, 1.0f)),
               tensor(TensorType::kFloat32, {1, 4, 4, 1})},
              {0, 1}, {2}, {opt_i8(kPadding, kValid), opt_i32(kStrideW, 1), opt_i32(kStrideH, 1)}, kConv2DOptions);
  op.expect_rejected(Status::kInvalidModel, "window geometry gives 2x2");
}

TEST(Conv2DKernel, RejectsZeroStrideAndScalesOnTheWrongAxis) {
  SingleOp zero(kConv2D,
                {tensor(TensorType::kFloat32, {1, 2, 2, 1}),
                 constant(tensor(TensorType::kFloat32, {1, 1, 1, 1}), std::vector<float>{1}),
                 tensor(TensorType::kFloat32, {1, 2, 2, 1})},
                {0, 1}, {2}, {opt_i8(kPadding, kSame)}, kConv2DOptions);
  zero.expect_rejected(Status::kInvalidModel, "stride");
  SingleOp scales(kConv2D,
                  {qtensor(TensorType::kInt8, {1, 2, 2, 2}, 0.1f, 0),
                   constant(pctensor(TensorType::kInt8, {2, 1, 1, 2}, {0.1f, 0.2f}, 3),
                            std::vector<int8_t>{1, 2, 3, 4}),
                   qtensor(TensorType::kInt8, {1, 2, 2, 2}, 0.1f, 0)},
                  {0, 1}, {2}, {opt_i8(kPadding, kSame), opt_i32(kStrideW, 1), opt_i32(kStrideH, 1)}, kConv2DOptions);
  // CONV_2D weights are quantized per output channel, axis 0.
  scales.expect_rejected(Status::kInvalidModel, "2 scales on axis 3");
}

}  // namespace
}  // namespace tinyforge::test::single_op
