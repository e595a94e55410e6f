#include "tinyforge/nn/activations.h"

#include <algorithm>
#include <cmath>

#include "nn/parallel_chunks.h"
#include "tinyforge/error.h"

namespace tinyforge::nn {
namespace {

constexpr float kDefaultLeakySlope = 0.2f;  // keras.activations.leaky_relu (Keras 3)
constexpr float kDefaultEluAlpha = 1.0f;

struct NamedKind {
  const char* name;
  ActivationKind kind;
};
// Aliases Keras accepts for the same function come after the canonical name.
constexpr NamedKind kNames[] = {
    {"linear", ActivationKind::kLinear},       {"relu", ActivationKind::kRelu},
    {"relu6", ActivationKind::kRelu6},         {"leaky_relu", ActivationKind::kLeakyRelu},
    {"sigmoid", ActivationKind::kSigmoid},     {"tanh", ActivationKind::kTanh},
    {"softmax", ActivationKind::kSoftmax},     {"hard_swish", ActivationKind::kHardSwish},
    {"hard_silu", ActivationKind::kHardSwish}, {"elu", ActivationKind::kElu},
};

float stable_sigmoid(float x) {
  if (x >= 0) return 1.0f / (1.0f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.0f + e);
}

void softmax_rows(const float* x, float* y, int64_t n, int64_t d) {
  for (int64_t r = 0; r < n; r += d) {
    const float* xr = x + r;
    float* yr = y + r;
    float mx = xr[0];
    for (int64_t i = 1; i < d; ++i) mx = std::max(mx, xr[i]);
    double sum = 0;
    for (int64_t i = 0; i < d; ++i) {
      yr[i] = std::exp(xr[i] - mx);
      sum += yr[i];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t i = 0; i < d; ++i) yr[i] *= inv;
  }
}

}  // namespace

std::vector<std::string> activation_names() {
  std::vector<std::string> names;
  for (const auto& n : kNames) names.emplace_back(n.name);
  return names;
}

ActivationFn ActivationFn::parse(const std::string& name, float alpha) {
  ActivationFn f;
  if (name.empty() || name == "None") return f;
  bool found = false;
  for (const auto& n : kNames) {
    if (name == n.name) {
      f.kind_ = n.kind;
      found = true;
      break;
    }
  }
  if (!found) {
    std::string known;
    for (const auto& n : kNames) known += (known.empty() ? "" : ", ") + std::string(n.name);
    throw Error("unknown activation '" + name + "' (known: " + known + ")");
  }
  if (f.kind_ == ActivationKind::kLeakyRelu) f.alpha_ = alpha < 0 ? kDefaultLeakySlope : alpha;
  if (f.kind_ == ActivationKind::kElu) f.alpha_ = alpha < 0 ? kDefaultEluAlpha : alpha;
  return f;
}

std::string ActivationFn::name() const {
  for (const auto& n : kNames) {
    if (n.kind == kind_) return n.name;
  }
  return "linear";
}

bool ActivationFn::has_default_alpha() const {
  if (kind_ == ActivationKind::kLeakyRelu) return alpha_ == kDefaultLeakySlope;
  if (kind_ == ActivationKind::kElu) return alpha_ == kDefaultEluAlpha;
  return true;
}

namespace {

// The unit a chunk of work is made of: whole rows for softmax (checked here, not on a worker
// thread), single values for everything else.
int64_t chunk_row(ActivationKind kind, int64_t n, int64_t last_dim) {
  if (kind != ActivationKind::kSoftmax) return 1;
  if (last_dim <= 0 || n % last_dim != 0) throw Error("softmax: last axis size does not divide the tensor size");
  return last_dim;
}

}  // namespace

void ActivationFn::forward(const float* x, float* y, int64_t n, int64_t last_dim) const {
  if (n <= 0) return;
  const int64_t row = chunk_row(kind_, n, last_dim);
  for_chunks(n / row, row, [&](int64_t r0, int64_t r1) {
    forward_rows(x + r0 * row, y + r0 * row, (r1 - r0) * row, last_dim);
  });
}

void ActivationFn::backward(const float* x, const float* y, const float* dy, float* dx, int64_t n,
                            int64_t last_dim) const {
  if (n <= 0) return;
  const int64_t row = chunk_row(kind_, n, last_dim);
  for_chunks(n / row, row, [&](int64_t r0, int64_t r1) {
    const int64_t o = r0 * row;
    backward_rows(x ? x + o : nullptr, y + o, dy + o, dx + o, (r1 - r0) * row, last_dim);
  });
}

void ActivationFn::forward_rows(const float* x, float* y, int64_t n, int64_t last_dim) const {
  const float a = alpha_;
  switch (kind_) {
    case ActivationKind::kLinear:
      if (x != y) std::copy(x, x + n, y);
      return;
    case ActivationKind::kRelu:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0 ? x[i] : 0.0f;
      return;
    case ActivationKind::kRelu6:
      for (int64_t i = 0; i < n; ++i) y[i] = std::min(std::max(x[i], 0.0f), 6.0f);
      return;
    case ActivationKind::kLeakyRelu:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] >= 0 ? x[i] : a * x[i];
      return;
    case ActivationKind::kSigmoid:
      for (int64_t i = 0; i < n; ++i) y[i] = stable_sigmoid(x[i]);
      return;
    case ActivationKind::kTanh:
      for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
      return;
    case ActivationKind::kSoftmax:
      if (last_dim <= 0 || n % last_dim != 0) throw Error("softmax: last axis size does not divide the tensor size");
      softmax_rows(x, y, n, last_dim);
      return;
    case ActivationKind::kHardSwish:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] * std::min(std::max(x[i] + 3.0f, 0.0f), 6.0f) * (1.0f / 6.0f);
      return;
    case ActivationKind::kElu:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0 ? x[i] : a * std::expm1(x[i]);
      return;
  }
}

void ActivationFn::backward_rows(const float* x, const float* y, const float* dy, float* dx, int64_t n,
                                 int64_t last_dim) const {
  const float a = alpha_;
  // Everything except hard_swish reads the derivative off the output y; the sign of x is
  // recoverable from y for relu, relu6, leaky_relu (alpha > 0) and elu (alpha > 0).
  switch (kind_) {
    case ActivationKind::kLinear:
      if (dx != dy) std::copy(dy, dy + n, dx);
      return;
    case ActivationKind::kRelu:
      for (int64_t i = 0; i < n; ++i) dx[i] = y[i] > 0 ? dy[i] : 0.0f;
      return;
    case ActivationKind::kRelu6:
      for (int64_t i = 0; i < n; ++i) dx[i] = (y[i] > 0 && y[i] < 6.0f) ? dy[i] : 0.0f;
      return;
    case ActivationKind::kLeakyRelu:
      if (x != nullptr) {
        for (int64_t i = 0; i < n; ++i) dx[i] = x[i] >= 0 ? dy[i] : a * dy[i];
      } else if (a > 0) {
        for (int64_t i = 0; i < n; ++i) dx[i] = y[i] >= 0 ? dy[i] : a * dy[i];
      } else {  // slope 0: plain relu
        for (int64_t i = 0; i < n; ++i) dx[i] = y[i] > 0 ? dy[i] : 0.0f;
      }
      return;
    case ActivationKind::kSigmoid:
      for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
      return;
    case ActivationKind::kTanh:
      for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
      return;
    case ActivationKind::kSoftmax:
      // dx_i = y_i * (dy_i - sum_j dy_j y_j) per row.
      if (last_dim <= 0 || n % last_dim != 0) throw Error("softmax: last axis size does not divide the tensor size");
      for (int64_t r = 0; r < n; r += last_dim) {
        double dot = 0;
        for (int64_t i = 0; i < last_dim; ++i) dot += static_cast<double>(dy[r + i]) * y[r + i];
        const float d = static_cast<float>(dot);
        for (int64_t i = 0; i < last_dim; ++i) dx[r + i] = y[r + i] * (dy[r + i] - d);
      }
      return;
    case ActivationKind::kHardSwish:
      if (x == nullptr) throw Error("hard_swish backward needs the activation's input");
      // d/dx [x * (x + 3) / 6] = (2x + 3) / 6 on (-3, 3); 0 below; 1 above.
      for (int64_t i = 0; i < n; ++i) {
        const float v = x[i];
        const float g = v <= -3.0f ? 0.0f : (v >= 3.0f ? 1.0f : (2.0f * v + 3.0f) * (1.0f / 6.0f));
        dx[i] = dy[i] * g;
      }
      return;
    case ActivationKind::kElu:
      // For x <= 0, y = a (e^x - 1), so dy/dx = a e^x = y + a.
      if (x != nullptr) {
        for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0 ? dy[i] : dy[i] * (y[i] + a);
      } else {
        for (int64_t i = 0; i < n; ++i) dx[i] = y[i] > 0 ? dy[i] : dy[i] * (y[i] + a);
      }
      return;
  }
}

Tensor ActivationFn::forward(const Tensor& x) const {
  Tensor y = Tensor::for_overwrite(x.shape());
  forward(x.data(), y.data(), x.size(), x.rank() > 0 ? x.dim(-1) : 1);
  return y;
}

void ActivationFn::forward_inplace(Tensor& x) const {
  if (is_linear()) return;
  forward(x.data(), x.data(), x.size(), x.rank() > 0 ? x.dim(-1) : 1);
}

Tensor ActivationFn::backward(const Tensor* x, const Tensor& y, const Tensor& dy) const {
  if (dy.shape() != y.shape()) {
    throw Error("activation " + name() + ": gradient shape " + shape_str(dy.shape()) + " differs from output shape " +
                shape_str(y.shape()));
  }
  Tensor dx = Tensor::for_overwrite(dy.shape());
  backward(x ? x->data() : nullptr, y.data(), dy.data(), dx.data(), dy.size(), dy.rank() > 0 ? dy.dim(-1) : 1);
  return dx;
}

}  // namespace tinyforge::nn
