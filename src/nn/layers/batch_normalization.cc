// BatchNormalization: normalize per feature with batch statistics while training (and track
// their moving averages), with the moving averages at inference.
#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/layers/structural_common.h"
#include "nn/parallel_chunks.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

using structural::describe;

// The loops over a tensor viewed as [outer, C, inner]. Channels last (inner == 1) is the common
// case: there the channel loop is the contiguous one, so it is the innermost, over plain arrays
// (which the compiler vectorizes); otherwise the inner loop is. The per-channel sums take a
// channel range [c0, c1), so threads can split the channels: every sum keeps its order.
// The sums run in a local array and are stored once: threads working on neighbouring channel
// ranges would otherwise write to one cache line on every row.
void channel_sums(const float* x, int64_t outer, int64_t C, int64_t inner, int64_t c0, int64_t c1, double* sum) {
  std::vector<double> acc(sum + c0, sum + c1);
  for (int64_t o = 0; o < outer; ++o, x += C * inner) {
    if (inner == 1) {
      for (int64_t c = c0; c < c1; ++c) acc[c - c0] += x[c];
    } else {
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t i = 0; i < inner; ++i) acc[c - c0] += x[c * inner + i];
    }
  }
  std::copy(acc.begin(), acc.end(), sum + c0);
}

void channel_squared_deviations(const float* x, int64_t outer, int64_t C, int64_t inner, int64_t c0, int64_t c1,
                                const double* mean, double* dev2) {
  std::vector<double> acc(dev2 + c0, dev2 + c1);
  for (int64_t o = 0; o < outer; ++o, x += C * inner) {
    if (inner == 1) {
      for (int64_t c = c0; c < c1; ++c) acc[c - c0] += (x[c] - mean[c]) * (x[c] - mean[c]);
    } else {
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t i = 0; i < inner; ++i)
          acc[c - c0] += (x[c * inner + i] - mean[c]) * (x[c * inner + i] - mean[c]);
    }
  }
  std::copy(acc.begin(), acc.end(), dev2 + c0);
}

// Per channel: sum(dy) and sum(dy * xhat), xhat = (x - mean) * inv_std.
void gradient_sums(const float* dy, const float* x, int64_t outer, int64_t C, int64_t inner, int64_t c0, int64_t c1,
                   const float* mean, const float* inv_std, double* sum_dy, double* sum_dy_xhat) {
  std::vector<double> a(sum_dy + c0, sum_dy + c1), b(sum_dy_xhat + c0, sum_dy_xhat + c1);
  for (int64_t o = 0; o < outer; ++o) {
    const int64_t base = o * C * inner;
    if (inner == 1) {
      for (int64_t c = c0; c < c1; ++c) {
        a[c - c0] += dy[base + c];
        b[c - c0] += static_cast<double>(dy[base + c]) * ((x[base + c] - mean[c]) * inv_std[c]);
      }
      continue;
    }
    for (int64_t c = c0; c < c1; ++c)
      for (int64_t i = base + c * inner; i < base + (c + 1) * inner; ++i) {
        a[c - c0] += dy[i];
        b[c - c0] += static_cast<double>(dy[i]) * ((x[i] - mean[c]) * inv_std[c]);
      }
  }
  std::copy(a.begin(), a.end(), sum_dy + c0);
  std::copy(b.begin(), b.end(), sum_dy_xhat + c0);
}

// y = scale * (x - mean) * inv_std + shift. xhat is not kept: backward recomputes it from the
// input (alive during backward), which saves a tensor per layer and step.
void normalize(const float* x, int64_t outer, int64_t C, int64_t inner, const float* mean, const float* inv_std,
               const float* scale, const float* shift, float* y) {
  for (int64_t o = 0; o < outer; ++o) {
    const int64_t base = o * C * inner;
    if (inner == 1) {
      for (int64_t c = 0; c < C; ++c) y[base + c] = scale[c] * ((x[base + c] - mean[c]) * inv_std[c]) + shift[c];
      continue;
    }
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = base + c * inner; i < base + (c + 1) * inner; ++i)
        y[i] = scale[c] * ((x[i] - mean[c]) * inv_std[c]) + shift[c];
  }
}

// dx = k * (dy - mdy - xhat * mdyx); dx may be dy.
void input_gradient(const float* dy, const float* x, int64_t outer, int64_t C, int64_t inner, const float* mean,
                    const float* inv_std, const float* k, const float* mdy, const float* mdyx, float* dx) {
  for (int64_t o = 0; o < outer; ++o) {
    const int64_t base = o * C * inner;
    if (inner == 1) {
      for (int64_t c = 0; c < C; ++c)
        dx[base + c] = k[c] * (dy[base + c] - mdy[c] - ((x[base + c] - mean[c]) * inv_std[c]) * mdyx[c]);
      continue;
    }
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = base + c * inner; i < base + (c + 1) * inner; ++i)
        dx[i] = k[c] * (dy[i] - mdy[c] - ((x[i] - mean[c]) * inv_std[c]) * mdyx[c]);
  }
}

// Runs fn(c0, c1) over channel ranges (a per-channel reduction over all `values` of the tensor).
template <typename F>
void over_channels(int64_t C, int64_t values, F&& fn) {
  for_chunks(C, values / std::max<int64_t>(C, 1), fn);
}

class BatchNormalizationLayer : public Layer {
 public:
  explicit BatchNormalizationLayer(const BatchNormalizationOptions& o)
      : Layer(structural::layer_name(o.name, "batch_normalization")), o_(o) {
    if (!(o.epsilon > 0.0f)) throw Error(describe(*this) + ": epsilon must be > 0");
  }
  std::string type() const override { return "BatchNormalization"; }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    structural::expect_input_count(*this, inputs, 1);
    structural::sample_axis(*this, o_.axis, inputs[0].size());
    return inputs[0];
  }

  void build(const std::vector<Shape>& inputs, Rng&) override {
    output_shape(inputs);
    const size_t a = structural::sample_axis(*this, o_.axis, inputs[0].size());
    const Shape c{inputs[0][a]};
    // Keras' order and initializers: gamma ones, beta zeros, moving mean zeros, moving variance ones.
    if (o_.scale) add_param("gamma", Tensor(c, 1.0f));
    if (o_.center) add_param("beta", Tensor(c, 0.0f));
    add_param("moving_mean", Tensor(c, 0.0f), false);
    add_param("moving_variance", Tensor(c, 1.0f), false);
    mark_built();
  }

  Tensor forward(LayerCall& call) override {
    const Tensor& x = structural::only_input(*this, call);
    const size_t a = structural::sample_axis(*this, o_.axis, x.sample_shape().size()) + 1;
    const auto sp = structural::split_at(x.shape(), a);
    const Param& mm = *param("moving_mean");
    if (sp.size != mm.value.size()) {
      throw Error(describe(*this) + " was built for " + std::to_string(mm.value.size()) + " features on axis " +
                  std::to_string(o_.axis) + ", got input " + shape_str(x.shape()));
    }
    // A frozen BatchNormalization runs in inference mode, as in Keras (fine-tuning keeps its statistics).
    const bool batch_stats = call.training && trainable();
    const int64_t C = sp.size, M = sp.outer * sp.inner;
    Tensor mean({C}), inv_std({C});
    if (batch_stats) {
      if (M < 1) throw Error(describe(*this) + ": an empty batch has no statistics");
      Tensor var({C});
      // Two passes in memory order (channels last means the channel index varies fastest):
      // per-channel sums, then per-channel squared deviations from the mean, in double.
      std::vector<double> sum(static_cast<size_t>(C), 0.0), dev2(static_cast<size_t>(C), 0.0);
      over_channels(C, x.size(), [&](int64_t c0, int64_t c1) {
        channel_sums(x.data(), sp.outer, C, sp.inner, c0, c1, sum.data());
        for (int64_t c = c0; c < c1; ++c) sum[c] /= static_cast<double>(M);  // now the mean
        channel_squared_deviations(x.data(), sp.outer, C, sp.inner, c0, c1, sum.data(), dev2.data());
      });
      for (int64_t c = 0; c < C; ++c) {
        mean[c] = static_cast<float>(sum[c]);
        var[c] = static_cast<float>(dev2[c] / static_cast<double>(M));  // biased, as Keras normalizes with
        inv_std[c] = static_cast<float>(1.0 / std::sqrt(var[c] + static_cast<double>(o_.epsilon)));
      }
      Param& mv = *param("moving_variance");
      Param& mmw = *param("moving_mean");
      const float m = o_.momentum;
      for (int64_t c = 0; c < C; ++c) {
        mmw.value[c] = mmw.value[c] * m + mean[c] * (1.0f - m);
        mv.value[c] = mv.value[c] * m + var[c] * (1.0f - m);
      }
    } else {
      const Param& mv = *param("moving_variance");
      for (int64_t c = 0; c < C; ++c) {
        mean[c] = mm.value[c];
        inv_std[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(mv.value[c]) + o_.epsilon));
      }
    }
    const Param* gamma = param("gamma");
    const Param* beta = param("beta");
    Tensor y(x.shape());
    std::vector<float> scale(static_cast<size_t>(C)), shift(static_cast<size_t>(C));
    for (int64_t c = 0; c < C; ++c) {
      scale[c] = gamma ? gamma->value[c] : 1.0f;
      shift[c] = beta ? beta->value[c] : 0.0f;
    }
    const int64_t row = C * sp.inner;
    for_chunks(sp.outer, row, [&](int64_t o0, int64_t o1) {
      normalize(x.data() + o0 * row, o1 - o0, C, sp.inner, mean.data(), inv_std.data(), scale.data(), shift.data(),
                y.data() + o0 * row);
    });
    call.saved.clear();  // moved in (a braced list would copy)
    call.saved.push_back(std::move(mean));
    call.saved.push_back(std::move(inv_std));
    call.saved_indices = {batch_stats ? 1 : 0};
    return y;
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& dy) override {
    return backward_consuming(call, Tensor(dy));
  }

  // dy becomes dx in place: the per-channel sums are taken before it is overwritten.
  std::vector<Tensor> backward_consuming(LayerCall& call, Tensor&& dy) override {
    if (call.saved.size() != 2 || call.saved_indices.size() != 1) {
      throw Error(describe(*this) + ": backward called without a forward");
    }
    const Tensor& mean = call.saved[0];
    const Tensor& inv_std = call.saved[1];
    const bool batch_stats = call.saved_indices[0] == 1;
    const Tensor& x = structural::only_input(*this, call);
    if (dy.shape() != x.shape())
      throw Error(describe(*this) + ": gradient shape " + shape_str(dy.shape()) + " differs from the output's " +
                  shape_str(x.shape()));
    const size_t a = structural::sample_axis(*this, o_.axis, x.sample_shape().size()) + 1;
    const auto sp = structural::split_at(x.shape(), a);
    const int64_t C = sp.size, M = sp.outer * sp.inner;
    // Per feature: sum(dy) and sum(dy * xhat) give beta's and gamma's gradients, and the batch
    // statistics' share of dx.
    std::vector<double> sum_dy(static_cast<size_t>(C), 0.0), sum_dy_xhat(static_cast<size_t>(C), 0.0);
    over_channels(C, x.size(), [&](int64_t c0, int64_t c1) {
      gradient_sums(dy.data(), x.data(), sp.outer, C, sp.inner, c0, c1, mean.data(), inv_std.data(), sum_dy.data(),
                    sum_dy_xhat.data());
    });
    Param* gamma = param("gamma");
    Param* beta = param("beta");
    if (gamma && structural::wants_grad(*this, *gamma)) {
      Tensor& g = structural::grad_buffer(*gamma);
      for (int64_t c = 0; c < C; ++c) g[c] += static_cast<float>(sum_dy_xhat[c]);
    }
    if (beta && structural::wants_grad(*this, *beta)) {
      Tensor& g = structural::grad_buffer(*beta);
      for (int64_t c = 0; c < C; ++c) g[c] += static_cast<float>(sum_dy[c]);
    }
    Tensor dx = std::move(dy);
    // dx = k * (dy - a - xhat * b) per channel, with k = gamma * inv_std; with batch statistics
    // a = mean(dy), b = mean(dy * xhat) (d/dx of gamma * (x - mean(x)) / sqrt(var(x) + eps)),
    // else a = b = 0.
    std::vector<float> k(static_cast<size_t>(C)), mdy(static_cast<size_t>(C), 0.0f), mdyx(static_cast<size_t>(C), 0.0f);
    for (int64_t c = 0; c < C; ++c) {
      k[c] = (gamma ? gamma->value[c] : 1.0f) * inv_std[c];
      if (batch_stats) {
        mdy[c] = static_cast<float>(sum_dy[c] / static_cast<double>(M));
        mdyx[c] = static_cast<float>(sum_dy_xhat[c] / static_cast<double>(M));
      }
    }
    const int64_t row = C * sp.inner;
    for_chunks(sp.outer, row, [&](int64_t o0, int64_t o1) {
      input_gradient(dx.data() + o0 * row, x.data() + o0 * row, o1 - o0, C, sp.inner, mean.data(), inv_std.data(),
                     k.data(), mdy.data(), mdyx.data(), dx.data() + o0 * row);
    });
    return one_gradient(std::move(dx));
  }

  int64_t macs(const std::vector<Shape>& inputs) const override {
    return inputs.empty() ? 0 : shape_size(inputs[0]);  // one multiply-add per element at inference
  }

  nlohmann::json config() const override {
    nlohmann::json c = structural::base_config(*this);
    c.update({{"axis", o_.axis},
              {"momentum", o_.momentum},
              {"epsilon", o_.epsilon},
              {"center", o_.center},
              {"scale", o_.scale}});
    return c;
  }

 private:
  BatchNormalizationOptions o_;
};

LayerPtr from_config(const nlohmann::json& c) {
  BatchNormalizationOptions o;
  o.name = c.value("name", "");
  o.axis = c.value("axis", -1);
  o.momentum = c.value("momentum", 0.99f);
  o.epsilon = c.value("epsilon", 1e-3f);
  o.center = c.value("center", true);
  o.scale = c.value("scale", true);
  return std::make_shared<BatchNormalizationLayer>(o);
}

const LayerRegistrar kRegister("BatchNormalization", from_config);

}  // namespace

LayerRef BatchNormalization(const BatchNormalizationOptions& options) {
  return LayerRef(std::make_shared<BatchNormalizationLayer>(options));
}

}  // namespace tinyforge::nn
