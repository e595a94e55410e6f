#include "lower_test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "support/armnn_oracle.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/nn/random.h"
#include "tinyforge/runtime.h"

namespace tinyforge::convert::test_lower {

void randomize_weights(nn::Model& model, uint64_t seed) {
  nn::Rng rng(seed);
  for (const auto& layer : model.layers()) {
    for (nn::Param& p : layer->params()) {
      for (float& v : p.value.values()) {
        const float z = rng.normal();
        if (p.name == "moving_variance" || p.name == "variance") {
          v = 0.5f + 1.5f * std::abs(z);  // positive, away from 1
        } else if (p.name == "gamma") {
          v = 1.0f + 0.3f * z;
        } else if (p.name == "bias" || p.name == "beta" || p.name == "moving_mean" || p.name == "mean") {
          v = 0.3f * z;
        } else {
          v += 0.02f * z;  // kernels keep their initializer's scale, perturbed
        }
      }
    }
  }
}

std::vector<nn::Tensor> seeded_inputs(const nn::Model& model, uint64_t seed) {
  nn::Rng rng(seed);
  std::vector<nn::Tensor> xs;
  for (const nn::Shape& s : model.input_shapes()) {
    nn::Shape full{1};
    full.insert(full.end(), s.begin(), s.end());
    nn::Tensor t(full);
    for (float& v : t.values()) v = rng.normal();
    xs.push_back(std::move(t));
  }
  return xs;
}

std::vector<std::vector<float>> run_micro(const Graph& g, const std::vector<nn::Tensor>& inputs) {
  Runner runner{ModelBytes(write_tflite(g))};
  for (size_t k = 0; k < inputs.size(); ++k) {
    runner.set_input(static_cast<uint32_t>(k), inputs[k].data(), inputs[k].values().size() * sizeof(float));
  }
  runner.invoke();
  std::vector<std::vector<float>> outs;
  for (size_t k = 0; k < g.outputs.size(); ++k) {
    const std::vector<uint8_t> bytes = runner.output_bytes(static_cast<uint32_t>(k));
    std::vector<float> v(bytes.size() / sizeof(float));
    std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
    outs.push_back(std::move(v));
  }
  return outs;
}

std::vector<std::vector<float>> run_nn(nn::Model& model, const std::vector<nn::Tensor>& inputs) {
  std::vector<std::vector<float>> outs;
  for (const nn::Tensor& t : model.predict(inputs, 1)) outs.push_back(t.to_vector());
  return outs;
}

std::vector<std::vector<float>> run_armnn(const Graph& g, const std::vector<nn::Tensor>& inputs, std::string* error) {
  std::vector<NpyArray> arrays;
  for (const nn::Tensor& t : inputs) arrays.push_back(test::npy_f32(t.shape(), t.to_vector()));
  const test::ArmnnResult r = test::armnn_run(write_tflite(g), arrays);
  std::vector<std::vector<float>> outs;
  if (!r.ok) {
    *error = r.error;
    return outs;
  }
  for (const NpyArray& a : r.outputs) outs.push_back(test::npy_values_f32(a));
  return outs;
}

std::vector<std::string> op_names(const Graph& g) {
  std::vector<std::string> names;
  for (const GraphOp& op : g.ops) names.push_back(micro::builtin_op_name(op.builtin));
  return names;
}

double max_relative_error(const std::vector<float>& a, const std::vector<float>& b, double floor) {
  if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
  double worst = 0.0;
  for (size_t k = 0; k < a.size(); ++k) {
    if (!std::isfinite(a[k]) || !std::isfinite(b[k])) return std::numeric_limits<double>::infinity();
    worst = std::max(worst, std::abs(double(a[k]) - double(b[k])) / (std::abs(double(b[k])) + floor));
  }
  return worst;
}

double armnn_error(const std::vector<float>& armnn, const std::vector<float>& ours) {
  double scale = 0.0;
  for (float v : ours) scale = std::max(scale, std::abs(double(v)));
  return max_relative_error(armnn, ours, std::max(1e-3 * scale, 1e-30));
}

double scaled_error(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size() || b.empty()) return std::numeric_limits<double>::infinity();
  double diff = 0.0, scale = 0.0;
  for (size_t k = 0; k < a.size(); ++k) {
    if (!std::isfinite(a[k]) || !std::isfinite(b[k])) return std::numeric_limits<double>::infinity();
    diff = std::max(diff, std::abs(double(a[k]) - double(b[k])));
    scale = std::max(scale, std::abs(double(b[k])));
  }
  return diff / std::max(scale, 1e-30);
}

}  // namespace tinyforge::convert::test_lower
