// Bias correction: rounding the weights changes each output channel by
//   sum_k (dequantized w[c,k] - w[c,k]) * x_k,
// whose mean over the calibration data is the same sum with x_k replaced by its mean. Subtracting
// that mean from the bias leaves the quantized op's mean output where the float op's was.
#include <string>

#include "convert/quantize/passes.h"
#include "convert/quantize/tensor_data.h"
#include "tinyforge/error.h"

namespace tinyforge::convert::detail {

namespace {

// Mean of each of the last-axis `channels` over all positions of a tensor's element means.
std::vector<double> channel_means(const std::vector<double>& element_means, size_t channels) {
  std::vector<double> m(channels, 0.0);
  if (channels == 0 || element_means.size() % channels != 0) return m;
  const size_t rows = element_means.size() / channels;
  for (size_t e = 0; e < element_means.size(); ++e) m[e % channels] += element_means[e];
  for (double& v : m) v /= static_cast<double>(rows);
  return m;
}

}  // namespace

std::vector<float> corrected_bias(const GraphOp& op, const GraphTensor& weights, const std::vector<int8_t>& q,
                                  const QuantParams& wq, const std::vector<float>& bias,
                                  const std::vector<double>& input_means) {
  const std::vector<float> w = float_data(weights);
  const std::vector<int32_t>& s = weights.shape;
  std::vector<double> shift(bias.size(), 0.0);
  auto scale_of = [&](size_t c) { return static_cast<double>(wq.scales.size() == 1 ? wq.scales[0] : wq.scales[c]); };
  if (op.builtin == micro::op::kFullyConnected || op.builtin == micro::op::kConv2D) {
    // FC weights [out, k] meet input rows of k; CONV_2D weights [out, kh, kw, in] meet input
    // channels (the padding border, where inputs are 0, is ignored).
    const size_t out = static_cast<size_t>(s[0]);
    const size_t per_out = w.size() / out;
    const size_t in_ch = op.builtin == micro::op::kFullyConnected ? per_out : static_cast<size_t>(s.back());
    const std::vector<double> m = channel_means(input_means, in_ch);
    for (size_t c = 0; c < out && c < shift.size(); ++c) {
      for (size_t k = 0; k < per_out; ++k) {
        const size_t e = c * per_out + k;
        const double err = q[e] * scale_of(wq.scales.size() == 1 ? 0 : c) - static_cast<double>(w[e]);
        shift[c] += err * m[k % in_ch];
      }
    }
  } else if (op.builtin == micro::op::kDepthwiseConv2D) {
    // Weights [1, kh, kw, in * multiplier]: output channel c reads input channel c / multiplier.
    const size_t out = static_cast<size_t>(s.back());
    const size_t multiplier = static_cast<size_t>(op.options.depth_multiplier > 0 ? op.options.depth_multiplier : 1);
    const std::vector<double> m = channel_means(input_means, out / multiplier);
    for (size_t e = 0; e < w.size(); ++e) {
      const size_t c = e % out;
      if (c >= shift.size()) continue;
      const double err = q[e] * scale_of(c) - static_cast<double>(w[e]);
      shift[c] += err * m[c / multiplier];
    }
  } else {
    throw Error("bias correction does not apply to " + std::string(micro::builtin_op_name(op.builtin)));
  }
  std::vector<float> out(bias.size());
  for (size_t c = 0; c < bias.size(); ++c) out[c] = static_cast<float>(bias[c] - shift[c]);
  return out;
}

}  // namespace tinyforge::convert::detail
