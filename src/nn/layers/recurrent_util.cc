#include "nn/layers/recurrent_util.h"

#include <algorithm>
#include <cmath>

#include "nn/column_sums.h"
#include "tinyforge/error.h"

namespace tinyforge::nn::recurrent {

Activation parse_activation(const std::string& name, const std::string& layer) {
  if (name == "tanh") return Activation::kTanh;
  if (name == "sigmoid") return Activation::kSigmoid;
  if (name == "relu") return Activation::kRelu;
  if (name == "linear" || name.empty()) return Activation::kLinear;
  if (name == "hard_sigmoid") return Activation::kHardSigmoid;
  throw Error("layer '" + layer + "': activation '" + name +
              "' is not supported in recurrent layers (use tanh, sigmoid, relu, linear or hard_sigmoid)");
}

float activate(Activation a, float x) {
  switch (a) {
    case Activation::kTanh: return std::tanh(x);
    case Activation::kSigmoid: return 1.0f / (1.0f + std::exp(-x));
    case Activation::kRelu: return x > 0.0f ? x : 0.0f;
    case Activation::kLinear: return x;
    case Activation::kHardSigmoid:  // Keras 3: relu6(x + 3) / 6
      return std::clamp((x + 3.0f) / 6.0f, 0.0f, 1.0f);
  }
  return x;
}

float derivative_from_output(Activation a, float y) {
  switch (a) {
    case Activation::kTanh: return 1.0f - y * y;
    case Activation::kSigmoid: return y * (1.0f - y);
    case Activation::kRelu: return y > 0.0f ? 1.0f : 0.0f;
    case Activation::kLinear: return 1.0f;
    case Activation::kHardSigmoid: return (y > 0.0f && y < 1.0f) ? 1.0f / 6.0f : 0.0f;
  }
  return 1.0f;
}

void orthogonal(Tensor& t, Rng& rng) {
  if (t.rank() != 2) throw Error("orthogonal initializer needs a 2-D weight, got " + shape_str(t.shape()));
  const int64_t rows = t.dim(0), cols = t.dim(1);
  const int64_t m = std::max(rows, cols), k = std::min(rows, cols);
  // Columns of a [m, k] normal matrix, orthonormalised by modified Gram-Schmidt in double.
  // The R of this QR has a positive diagonal, which is Keras' sign convention (q *= sign(diag r)).
  std::vector<std::vector<double>> q(static_cast<size_t>(k), std::vector<double>(static_cast<size_t>(m)));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < k; ++j) q[j][i] = rng.normal();
  for (int64_t j = 0; j < k; ++j) {
    auto& v = q[j];
    for (int64_t p = 0; p < j; ++p) {
      double dot = 0;
      for (int64_t i = 0; i < m; ++i) dot += q[p][i] * v[i];
      for (int64_t i = 0; i < m; ++i) v[i] -= dot * q[p][i];
    }
    double norm = 0;
    for (double x : v) norm += x * x;
    norm = std::sqrt(norm);
    if (norm < 1e-12) norm = 1;  // measure-zero event; keeps the fill finite
    for (double& x : v) x /= norm;
  }
  // rows >= cols: t = Q ([m, k]); rows < cols: t = Q^T, so the rows are orthonormal.
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) t[r * cols + c] = static_cast<float>(rows >= cols ? q[c][r] : q[r][c]);
}

Tensor initial_weight(const Initializer& init, const Shape& shape, Rng& rng, const std::string& layer) {
  if (init.name == "orthogonal" || init.name == "Orthogonal") {
    Tensor t(shape);
    orthogonal(t, rng);
    return t;
  }
  try {
    return initialize(init, shape, rng);
  } catch (const Error& e) {
    throw Error("layer '" + layer + "': " + e.what() + " (recurrent layers also accept 'orthogonal')");
  }
}

int64_t check_input(const std::vector<Shape>& inputs, const std::string& type, const std::string& layer) {
  if (inputs.size() != 1)
    throw Error(type + " layer '" + layer + "' takes one input, got " + std::to_string(inputs.size()));
  const Shape& s = inputs[0];
  if (s.size() != 2 || s[1] <= 0)
    throw Error(type + " layer '" + layer + "' expects a per-sample input (timesteps, features), got " + shape_str(s) +
                "; add a Reshape before it");
  return s[1];
}

void check_batch(const Tensor& x, int64_t features, const std::string& type, const std::string& layer) {
  if (x.rank() != 3 || x.dim(2) != features || x.dim(1) < 1)
    throw Error(type + " layer '" + layer + "' expects input (batch, timesteps >= 1, " + std::to_string(features) +
                "), got " + shape_str(x.shape()));
}

Tensor reverse_time(const Tensor& x) {
  const int64_t n = x.dim(0), steps = x.dim(1), f = x.dim(2);
  Tensor out(x.shape());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t t = 0; t < steps; ++t)
      std::copy_n(x.data() + (b * steps + t) * f, f, out.data() + (b * steps + (steps - 1 - t)) * f);
  return out;
}

void ensure_grad(Tensor& grad, const Shape& shape) {
  if (grad.shape() != shape) grad = Tensor(shape, 0.0f);
}

Tensor previous_states(const Tensor& hs) {
  const int64_t n = hs.dim(0), steps = hs.dim(1), u = hs.dim(2);
  Tensor prev(hs.shape(), 0.0f);
  for (int64_t b = 0; b < n; ++b)
    std::copy_n(hs.data() + b * steps * u, (steps - 1) * u, prev.data() + (b * steps + 1) * u);
  return prev;
}

float output_gradient(const Tensor& d_output, bool sequences, int64_t b, int64_t s, int64_t steps, int64_t u,
                      int64_t j) {
  if (sequences) return d_output[(b * steps + s) * u + j];
  return s == steps - 1 ? d_output[b * u + j] : 0.0f;
}

float* bias_gradient(Param* bias, bool trainable) {
  if (!trainable || bias == nullptr || !bias->trainable) return nullptr;
  ensure_grad(bias->grad, bias->value.shape());
  return bias->grad.data();
}

void add_recurrent_kernel_gradient(Backend& be, const Tensor& hs, const Tensor& d, Param& rec, bool trainable) {
  if (!trainable || !rec.trainable) return;
  ensure_grad(rec.grad, rec.value.shape());
  const int64_t rows = hs.dim(0) * hs.dim(1), u = hs.dim(2), g = d.dim(2);
  const Tensor h_prev = previous_states(hs);
  be.gemm(true, false, u, g, rows, 1.0f, h_prev.data(), u, d.data(), g, 1.0f, rec.grad.data(), g);
}

Tensor input_side_gradients(Backend& be, const Tensor& x, const Tensor& dg, Param& kernel, float* db, bool trainable) {
  const int64_t rows = x.dim(0) * x.dim(1), f = x.dim(2), g = dg.dim(2);
  if (trainable && kernel.trainable) {
    ensure_grad(kernel.grad, kernel.value.shape());
    be.gemm(true, false, f, g, rows, 1.0f, x.data(), f, dg.data(), g, 1.0f, kernel.grad.data(), g);
  }
  if (db != nullptr) add_rows_in_order(dg.data(), rows, g, db);
  Tensor dx(x.shape());
  be.gemm(false, true, rows, f, g, 1.0f, dg.data(), g, kernel.value.data(), g, 0.0f, dx.data(), f);
  return dx;
}

}  // namespace tinyforge::nn::recurrent
