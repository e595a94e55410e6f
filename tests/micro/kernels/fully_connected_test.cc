// FULLY_CONNECTED: hand-worked float and int8 cases, per-channel int8 against a float
// reference, the 16x8 rescale forms (64-bit with an int64 bias, 32-bit without), and
// the shape/type checks.
#include "micro/kernels/single_op_harness.h"

namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kFullyConnected;
constexpr int kAct = 0;
constexpr int kWeightsFormat = 1;
constexpr int kKeepNumDims = 2;

TEST(FullyConnectedKernel, FloatTwoBatchRowsWithBias) {
  SingleOp op(kFullyConnected,
              {tensor(TensorType::kFloat32, {2, 3}),
               constant(tensor(TensorType::kFloat32, {2, 3}), std::vector<float>{1, 0, -1, 0.5f, 0.5f, 0.5f}),
               constant(tensor(TensorType::kFloat32, {2}), std::vector<float>{0.25f, -4}),
               tensor(TensorType::kFloat32, {2, 2})},
              {0, 1, 2}, {3}, {}, kFullyConnectedOptions);
  // row 0: 1 - 3 + 0.25, 0.5 * 6 - 4; row 1: -1 - 0.5 + 0.25, 0.5 * -0.5 - 4
  EXPECT_EQ(op.run<float>({1, 2, 3, -1, 0, 0.5f}), (std::vector<float>{-1.75f, -1.0f, -1.25f, -4.25f}));
}

TEST(FullyConnectedKernel, FloatWithoutBiasAndRelu6KeepingDims) {
  // Input [2,1,3] flattens to two rows; keep_num_dims gives a [2,1,2] output.
  SingleOp op(kFullyConnected,
              {tensor(TensorType::kFloat32, {2, 1, 3}),
               constant(tensor(TensorType::kFloat32, {2, 3}), std::vector<float>{1, 0, -1, 2, 2, 2}),
               tensor(TensorType::kFloat32, {2, 1, 2})},
              {0, 1, -1}, {2}, {opt_i8(kAct, 3), opt_i8(kKeepNumDims, 1)}, kFullyConnectedOptions);
  // row 0: 1 - 3 -> 0, 12 -> 6; row 1: 1 - 0.5, 2 * 1.5
  EXPECT_EQ(op.run<float>({1, 2, 3, 1, 0, 0.5f}), (std::vector<float>{0, 6, 0.5f, 3}));
}

TEST(FullyConnectedKernel, Int8UnitMultiplierIsExact) {
  // 0.5 * 0.25 / 0.125 = 1: the output is the integer accumulator plus the output zero point.
  SingleOp op(kFullyConnected,
              {qtensor(TensorType::kInt8, {1, 4}, 0.5f, -1),
               constant(qtensor(TensorType::kInt8, {3, 4}, 0.25f, 0),
                        std::vector<int8_t>{1, 2, 3, 4, -5, 0, 5, -1, 100, 100, 100, 100}),
               constant(qtensor(TensorType::kInt32, {3}, 0.125f, 0), std::vector<int32_t>{10, -7, 0}),
               qtensor(TensorType::kInt8, {1, 3}, 0.125f, 3)},
              {0, 1, 2}, {3}, {}, kFullyConnectedOptions);
  // input - zp = {0, 2, 4, 6}: 0+4+12+24+10 = 50; 0+0+20-6-7 = 7; 1200 saturates.
  EXPECT_EQ(op.run<int8_t>({-1, 1, 3, 5}), (std::vector<int8_t>{53, 10, 127}));
}

TEST(FullyConnectedKernel, Int8PerChannelMatchesFloatWithinOneStep) {
  const std::vector<float> ws = {0.01f, 0.02f, 0.005f};
  const float in_s = 0.05f, out_s = 0.1f;
  const int in_zp = 10, out_zp = -5;
  std::vector<int8_t> w(3 * 8), x(8);
  std::vector<int32_t> bias = {100, -250, 4000};
  for (int i = 0; i < 24; ++i) w[size_t(i)] = int8_t((i * 37) % 255 - 127);
  for (int i = 0; i < 8; ++i) x[size_t(i)] = int8_t(i * 29 - 110);
  SingleOp op(kFullyConnected,
              {qtensor(TensorType::kInt8, {1, 8}, in_s, in_zp),
               constant(pctensor(TensorType::kInt8, {3, 8}, ws, 0), w),
               constant(pctensor(TensorType::kInt32, {3}, {in_s * ws[0], in_s * ws[1], in_s * ws[2]}, 0), bias),
               qtensor(TensorType::kInt8, {1, 3}, out_s, out_zp)},
              {0, 1, 2}, {3}, {}, kFullyConnectedOptions);
  const auto out = op.run<int8_t>(x);
  ASSERT_EQ(out.size(), 3u);
  for (size_t o = 0; o < 3; ++o) {
    double real = bias[o] * double(in_s) * ws[o];
    for (size_t i = 0; i < 8; ++i) real += (x[i] - in_zp) * double(in_s) * w[o * 8 + i] * ws[o];
    EXPECT_LE(std::abs(out[o] - quantize_value(real, out_s, out_zp, -128, 127)), 1) << "output " << o;
  }
}

// 16x8 with an effective scale of 1/3 (Q0.31 multiplier 1431655765, shift -1) on an
// accumulator of 90001. TFLite's 64-bit form keeps 15 bits of the multiplier and rounds
// once: (90001 * 21845 + 2^15) >> 16 = 30000. The 32-bit form used without an int64 bias
// rounds twice: 90001 * 2/3 -> 60001, then 60001 / 2 -> 30001 (half away from zero).
std::vector<TensorSpec> int16_third_scale(bool with_bias) {
  std::vector<TensorSpec> t = {qtensor(TensorType::kInt16, {1, 3}, 1.0f, 0),
                               constant(qtensor(TensorType::kInt8, {1, 3}, 1.0f, 0), std::vector<int8_t>{1, 1, 1}),
                               qtensor(TensorType::kInt16, {1, 1}, 3.0f, 0)};
  if (with_bias) t.push_back(constant(qtensor(TensorType::kInt64, {1}, 1.0f, 0), std::vector<int64_t>{0}));
  return t;
}

TEST(FullyConnectedKernel, Int16WithInt64BiasUsesTheSixtyFourBitRescale) {
  SingleOp op(kFullyConnected, int16_third_scale(true), {0, 1, 3}, {2}, {}, kFullyConnectedOptions);
  EXPECT_EQ(op.run<int16_t>({30001, 30000, 30000}), (std::vector<int16_t>{30000}));
}

TEST(FullyConnectedKernel, Int16WithoutBiasUsesTheThirtyTwoBitRescale) {
  SingleOp op(kFullyConnected, int16_third_scale(false), {0, 1, -1}, {2}, {}, kFullyConnectedOptions);
  EXPECT_EQ(op.run<int16_t>({30001, 30000, 30000}), (std::vector<int16_t>{30001}));
}

TEST(FullyConnectedKernel, RejectsInputThatIsNotWholeRows) {
  SingleOp op(kFullyConnected,
              {tensor(TensorType::kFloat32, {1, 5}),
               constant(tensor(TensorType::kFloat32, {2, 4}), std::vector<float>(8, 1.0f)),
               tensor(TensorType::kFloat32, {1, 2})},
              {0, 1, -1}, {2}, {}, kFullyConnectedOptions);
  op.expect_rejected(Status::kInvalidModel, "rows of 4");
}

TEST(FullyConnectedKernel, RejectsHybridAndShuffledWeights) {
  SingleOp hybrid(kFullyConnected,
                  {tensor(TensorType::kFloat32, {1, 2}),
                   constant(qtensor(TensorType::kInt8, {1, 2}, 0.1f, 0), std::vector<int8_t>{1, 2}),
                   tensor(TensorType::kFloat32, {1, 1})},
                  {0, 1, -1}, {2}, {}, kFullyConnectedOptions);
  hybrid.expect_rejected(Status::kUnsupported, "hybrid");
  SingleOp shuffled(kFullyConnected,
                    {tensor(TensorType::kFloat32, {1, 2}),
                     constant(tensor(TensorType::kFloat32, {1, 2}), std::vector<float>{1, 2}),
                     tensor(TensorType::kFloat32, {1, 1})},
                    {0, 1, -1}, {2}, {opt_i8(kWeightsFormat, 1)}, kFullyConnectedOptions);
  shuffled.expect_rejected(Status::kUnsupported, "shuffled");
}

TEST(FullyConnectedKernel, RejectsBiasWithTheWrongScale) {
  SingleOp op(kFullyConnected,
              {qtensor(TensorType::kInt8, {1, 2}, 0.5f, 0),
               constant(qtensor(TensorType::kInt8, {1, 2}, 0.5f, 0), std::vector<int8_t>{1, 2}),
               constant(qtensor(TensorType::kInt32, {1}, 1.0f, 0), std::vector<int32_t>{1}),
               qtensor(TensorType::kInt8, {1, 1}, 0.5f, 0)},
              {0, 1, 2}, {3}, {}, kFullyConnectedOptions);
  op.expect_rejected(Status::kInvalidModel, "bias scale");
}

}  // namespace
}  // namespace tinyforge::test::single_op
