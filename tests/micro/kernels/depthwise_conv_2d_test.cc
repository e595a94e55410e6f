// DEPTHWISE_CONV_2D against a direct reference written from the definition: output
// channel o reads input channel o / multiplier and filter column o. Float with small
// integers (exact), int8 per-channel within one step, and the multiplier check.
#include "micro/kernels/single_op_harness.h"

namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kDepthwiseConv2D;
enum { kPadding = 0, kStrideW = 1, kStrideH = 2, kMultiplier = 3, kAct = 4, kDilW = 5, kDilH = 6 };

struct Problem {
  int h = 0, w = 0, c = 0, m = 1, fh = 0, fw = 0, stride = 1, dil = 1;
  bool same = false;
  int oc() const { return c * m; }
  int out(int in, int f) const { return same ? (in + stride - 1) / stride : (in - ((f - 1) * dil + 1)) / stride + 1; }
  std::vector<OptionField> options() const {
    return {opt_i8(kPadding, same ? 0 : 1), opt_i32(kStrideW, stride), opt_i32(kStrideH, stride),
            opt_i32(kMultiplier, m), opt_i32(kDilW, dil), opt_i32(kDilH, dil)};
  }
};

std::vector<double> reference(const Problem& p, const std::vector<double>& in, const std::vector<double>& filter,
                              const std::vector<double>& bias) {
  const int oh = p.out(p.h, p.fh), ow = p.out(p.w, p.fw);
  const int pad_h = std::max(0, (oh - 1) * p.stride + (p.fh - 1) * p.dil + 1 - p.h) / 2;
  const int pad_w = std::max(0, (ow - 1) * p.stride + (p.fw - 1) * p.dil + 1 - p.w) / 2;
  std::vector<double> out;
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x)
      for (int o = 0; o < p.oc(); ++o) {
        double sum = bias[size_t(o)];
        for (int fy = 0; fy < p.fh; ++fy)
          for (int fx = 0; fx < p.fw; ++fx) {
            const int iy = y * p.stride - pad_h + fy * p.dil, ix = x * p.stride - pad_w + fx * p.dil;
            if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
            sum += in[size_t((iy * p.w + ix) * p.c + o / p.m)] * filter[size_t((fy * p.fw + fx) * p.oc() + o)];
          }
        out.push_back(sum);
      }
  return out;
}

TEST(DepthwiseConv2DKernel, FloatMultiplierTwoSameStrideTwo) {
  Problem p;
  p.h = 5, p.w = 6, p.c = 3, p.m = 2, p.fh = 3, p.fw = 2, p.stride = 2, p.same = true;
  std::vector<float> in(size_t(p.h * p.w * p.c)), filter(size_t(p.fh * p.fw * p.oc())), bias(size_t(p.oc()));
  for (size_t i = 0; i < in.size(); ++i) in[i] = float(int(i * 7 % 11) - 5);
  for (size_t i = 0; i < filter.size(); ++i) filter[i] = float(int(i * 5 % 7) - 3);
  for (size_t i = 0; i < bias.size(); ++i) bias[i] = float(i) - 2.0f;
  SingleOp op(kDepthwiseConv2D,
              {tensor(TensorType::kFloat32, {1, p.h, p.w, p.c}),
               constant(tensor(TensorType::kFloat32, {1, p.fh, p.fw, p.oc()}), filter),
               constant(tensor(TensorType::kFloat32, {p.oc()}), bias),
               tensor(TensorType::kFloat32, {1, p.out(p.h, p.fh), p.out(p.w, p.fw), p.oc()})},
              {0, 1, 2}, {3}, p.options(), kDepthwiseConv2DOptions);
  const auto want = reference(p, std::vector<double>(in.begin(), in.end()),
                              std::vector<double>(filter.begin(), filter.end()),
                              std::vector<double>(bias.begin(), bias.end()));
  const auto got = op.run<float>(in);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(double(got[i]), want[i]) << "element " << i;
}

TEST(DepthwiseConv2DKernel, Int8PerChannelDilatedMatchesReferenceWithinOneStep) {
  Problem p;
  p.h = 7, p.w = 6, p.c = 2, p.m = 3, p.fh = 2, p.fw = 2, p.dil = 2;
  const float in_s = 0.1f, out_s = 0.15f;
  const int in_zp = -128, out_zp = -20;
  const std::vector<float> ws = {0.01f, 0.02f, 0.004f, 0.03f, 0.008f, 0.015f};
  std::vector<int8_t> in(size_t(p.h * p.w * p.c)), filter(size_t(p.fh * p.fw * p.oc()));
  for (size_t i = 0; i < in.size(); ++i) in[i] = int8_t(int(i * 41 % 256) - 128);
  for (size_t i = 0; i < filter.size(); ++i) filter[i] = int8_t(int(i * 23 % 255) - 127);
  std::vector<int32_t> bias = {10, -300, 5000, 0, -7, 123};
  std::vector<float> bias_scales;
  for (float w : ws) bias_scales.push_back(in_s * w);
  SingleOp op(kDepthwiseConv2D,
              {qtensor(TensorType::kInt8, {1, p.h, p.w, p.c}, in_s, in_zp),
               constant(pctensor(TensorType::kInt8, {1, p.fh, p.fw, p.oc()}, ws, 3), filter),
               constant(pctensor(TensorType::kInt32, {p.oc()}, bias_scales, 0), bias),
               qtensor(TensorType::kInt8, {1, p.out(p.h, p.fh), p.out(p.w, p.fw), p.oc()}, out_s, out_zp)},
              {0, 1, 2}, {3}, p.options(), kDepthwiseConv2DOptions, 3);
  std::vector<double> real_in, real_filter, real_bias;
  for (int8_t v : in) real_in.push_back((v - in_zp) * double(in_s));
  for (size_t i = 0; i < filter.size(); ++i) real_filter.push_back(filter[i] * double(ws[i % size_t(p.oc())]));
  for (size_t o = 0; o < bias.size(); ++o) real_bias.push_back(bias[o] * double(bias_scales[o]));
  const auto want = reference(p, real_in, real_filter, real_bias);
  const auto got = op.run<int8_t>(in);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_LE(std::abs(got[i] - quantize_value(want[i], out_s, out_zp, -128, 127)), 1) << "element " << i;
  }
}

TEST(DepthwiseConv2DKernel, RejectsMultiplierThatDoesNotGiveTheOutputDepth) {
  Problem p;
  p.h = 2, p.w = 2, p.c = 2, p.m = 1, p.fh = 1, p.fw = 1;
  SingleOp op(kDepthwiseConv2D,
              {tensor(TensorType::kFloat32, {1, 2, 2, 2}),
               constant(tensor(TensorType::kFloat32, {1, 1, 1, 4}), std::vector<float>(4, 1.0f)),
               tensor(TensorType::kFloat32, {1, 2, 2, 4})},
              {0, 1}, {2}, p.options(), kDepthwiseConv2DOptions);
  op.expect_rejected(Status::kInvalidModel, "depth multiplier 1");
}

}  // namespace
}  // namespace tinyforge::test::single_op
