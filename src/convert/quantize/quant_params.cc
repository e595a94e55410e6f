// TF's rules for scales and zero points (the MLIR quantizer's nudging, symmetric weights).
#include <algorithm>
#include <cmath>
#include <limits>

#include "convert/quantize/tensor_data.h"
#include "tinyforge/convert/quantize.h"
#include "tinyforge/error.h"

namespace tinyforge::convert {

QuantParams asymmetric_params(float min, float max, int32_t qmin, int32_t qmax) {
  const double lo = std::min(0.0, static_cast<double>(min));
  const double hi = std::max(0.0, static_cast<double>(max));
  QuantParams q;
  if (hi == lo) {
    q.scales = {1.0f};
    q.zero_points = {0};
    return q;
  }
  const double scale = (hi - lo) / (qmax - qmin);
  const double zp_from_min = qmin - lo / scale;
  int64_t zp;
  if (zp_from_min <= qmin) {
    zp = qmin;
  } else if (zp_from_min >= qmax) {
    zp = qmax;
  } else {
    zp = static_cast<int64_t>(std::round(zp_from_min));
  }
  q.scales = {static_cast<float>(scale)};
  q.zero_points = {zp};
  return q;
}

QuantParams symmetric_params(float min, float max, int32_t qmax) {
  const double m = std::max(std::fabs(static_cast<double>(min)), std::fabs(static_cast<double>(max)));
  QuantParams q;
  q.scales = {m == 0.0 ? 1.0f : static_cast<float>(m / qmax)};
  q.zero_points = {0};
  return q;
}

std::vector<int8_t> quantize_weights_symmetric(const GraphTensor& weights, int32_t axis, QuantParams* params) {
  const std::vector<float> w = detail::float_data(weights);
  const std::vector<int32_t>& shape = weights.shape;
  if (axis >= static_cast<int32_t>(shape.size())) {
    throw Error("tensor '" + weights.name + "': quantization axis " + std::to_string(axis) + " outside rank " +
                std::to_string(shape.size()));
  }
  // Element e belongs to channel (e / inner) % channels.
  size_t channels = 1, inner = w.size();
  if (axis >= 0) {
    channels = static_cast<size_t>(shape[static_cast<size_t>(axis)]);
    inner = 1;
    for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= static_cast<size_t>(shape[d]);
  }
  std::vector<double> max_abs(channels, 0.0);
  for (size_t e = 0; e < w.size(); ++e) {
    if (!std::isfinite(w[e])) throw Error("tensor '" + weights.name + "' holds a NaN or infinite weight");
    const size_t c = channels == 1 ? 0 : (e / inner) % channels;
    max_abs[c] = std::max(max_abs[c], std::fabs(static_cast<double>(w[e])));
  }
  params->scales.assign(channels, 1.0f);
  params->zero_points.assign(channels, 0);
  params->axis = axis < 0 ? 0 : axis;
  params->min.clear();
  params->max.clear();
  for (size_t c = 0; c < channels; ++c) {
    if (max_abs[c] > 0.0) params->scales[c] = static_cast<float>(max_abs[c] / 127.0);
  }
  std::vector<int8_t> q(w.size());
  for (size_t e = 0; e < w.size(); ++e) {
    const size_t c = channels == 1 ? 0 : (e / inner) % channels;
    const double v = std::round(static_cast<double>(w[e]) / params->scales[c]);
    q[e] = static_cast<int8_t>(std::clamp(v, -127.0, 127.0));
  }
  return q;
}

std::vector<uint8_t> quantize_bias(const std::vector<float>& bias, float input_scale,
                                   const std::vector<float>& weight_scales, TensorType type, QuantParams* params) {
  if (weight_scales.size() != 1 && weight_scales.size() != bias.size()) {
    throw Error("bias of " + std::to_string(bias.size()) + " values with " + std::to_string(weight_scales.size()) +
                " weight scales");
  }
  params->scales.resize(weight_scales.size());
  params->zero_points.assign(weight_scales.size(), 0);
  params->axis = 0;
  params->min.clear();
  params->max.clear();
  for (size_t c = 0; c < weight_scales.size(); ++c) params->scales[c] = input_scale * weight_scales[c];
  const double limit = type == TensorType::kInt64 ? 9.2e18 : static_cast<double>(std::numeric_limits<int32_t>::max());
  std::vector<int64_t> q(bias.size());
  for (size_t c = 0; c < bias.size(); ++c) {
    if (!std::isfinite(bias[c])) throw Error("bias value " + std::to_string(c) + " is NaN or infinite");
    const double s = params->scales[weight_scales.size() == 1 ? 0 : c];
    q[c] = static_cast<int64_t>(std::clamp(std::round(static_cast<double>(bias[c]) / s), -limit, limit));
  }
  if (type == TensorType::kInt64) return detail::to_bytes(q);
  std::vector<int32_t> q32(q.begin(), q.end());
  return detail::to_bytes(q32);
}

}  // namespace tinyforge::convert
