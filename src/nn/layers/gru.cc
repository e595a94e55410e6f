// GRU, Keras semantics (gate order z, r, h; h_t = z * h_{t-1} + (1 - z) * hh):
//   reset_after=true  (default): inner = h_{t-1} U + b_rec
//       z = ra(x W_z + b_z + inner_z), r = ra(x W_r + b_r + inner_r), hh = a(x W_h + b_h + r * inner_h)
//   reset_after=false: z, r as above without b_rec; hh = a(x W_h + b_h + (r * h_{t-1}) U_h)
// As in the LSTM, the input projection of all steps is one gemm and backward is unrolled BPTT.
#include <algorithm>
#include <utility>

#include "nn/column_sums.h"
#include "nn/layers/recurrent_util.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/layers/recurrent.h"
#include "tinyforge/nn/regularizers.h"

namespace tinyforge::nn {

using recurrent::Activation;

namespace {

// call.saved slots. kExtra: inner_h = (h_{t-1} U + b_rec)_h for reset_after, else r * h_{t-1}.
enum Saved { kGates = 0, kExtra, kStates, kInput };

struct Weights {
  const float* w;
  const float* u;
  const float* b_in;   // may be null
  const float* b_rec;  // reset_after only; may be null
};

}  // namespace

GRULayer::GRULayer(int64_t units, GRUOptions options)
    : Layer(options.name.empty() ? auto_layer_name("gru") : options.name), units_(units), options_(std::move(options)) {
  if (units <= 0) throw Error("GRU layer '" + name() + "': units must be positive, got " + std::to_string(units));
  recurrent::parse_activation(options_.activation, name());
  recurrent::parse_activation(options_.recurrent_activation, name());
}

Shape GRULayer::output_shape(const std::vector<Shape>& inputs) const {
  recurrent::check_input(inputs, type(), name());
  if (options_.return_sequences) return {inputs[0][0], units_};
  return {units_};
}

void GRULayer::build(const std::vector<Shape>& inputs, Rng& rng) {
  const int64_t f = recurrent::check_input(inputs, type(), name());
  const int64_t u = units_;
  const int64_t gates = 3 * u;
  add_param("kernel", recurrent::initial_weight(options_.kernel_initializer, {f, gates}, rng, name())).regularizer =
      options_.kernel_regularizer;
  add_param("recurrent_kernel", recurrent::initial_weight(options_.recurrent_initializer, {u, gates}, rng, name()))
      .regularizer = options_.recurrent_regularizer;
  if (options_.use_bias) {
    const Shape shape = options_.reset_after ? Shape{2, gates} : Shape{gates};
    add_param("bias", recurrent::initial_weight(options_.bias_initializer, shape, rng, name())).regularizer =
        options_.bias_regularizer;
  }
  mark_built();
}

Tensor GRULayer::forward(LayerCall& call) {
  if (call.inputs.size() != 1 || call.inputs[0] == nullptr)
    throw Error("GRU layer '" + name() + "' takes exactly one input");
  const Param* kernel = param("kernel");
  if (kernel == nullptr) throw Error("GRU layer '" + name() + "' is used before it was built");
  recurrent::check_batch(*call.inputs[0], kernel->value.dim(0), type(), name());
  Tensor reversed;
  if (options_.go_backwards) reversed = recurrent::reverse_time(*call.inputs[0]);
  const Tensor& x = options_.go_backwards ? reversed : *call.inputs[0];
  Tensor hs = options_.reset_after ? forward_reset_after(call, x) : forward_reset_before(call, x);
  const int64_t n = hs.dim(0), steps = hs.dim(1), u = units_;

  Tensor out;
  if (options_.return_sequences) {
    out = hs;
  } else {
    out = Tensor({n, u});
    for (int64_t b = 0; b < n; ++b) std::copy_n(hs.data() + (b * steps + steps - 1) * u, u, out.data() + b * u);
  }
  if (call.training) {
    call.saved.push_back(std::move(hs));  // after kGates and kExtra, pushed by the variant
    if (options_.go_backwards) call.saved.push_back(std::move(reversed));
  } else {
    call.saved.clear();
  }
  return out;
}

// Both variants leave call.saved = {gates (activated z, r, hh), extra} and return the states.
Tensor GRULayer::forward_reset_after(LayerCall& call, const Tensor& x) {
  const int64_t n = x.dim(0), steps = x.dim(1), f = x.dim(2), u = units_, g3 = 3 * u;
  const Activation act = recurrent::parse_activation(options_.activation, name());
  const Activation ract = recurrent::parse_activation(options_.recurrent_activation, name());
  const Param* bias = param("bias");
  const float* w = param("kernel")->value.data();
  const float* rec = param("recurrent_kernel")->value.data();
  Backend& be = backend();

  Tensor gates({n, steps, g3});
  be.gemm(false, false, n * steps, g3, f, 1.0f, x.data(), f, w, g3, 0.0f, gates.data(), g3);
  if (bias != nullptr)
    for (int64_t r = 0; r < n * steps; ++r)
      for (int64_t j = 0; j < g3; ++j) gates[r * g3 + j] += bias->value[j];

  Tensor inner({n, g3}), inner_h({n, steps, u}), hs({n, steps, u});
  for (int64_t s = 0; s < steps; ++s) {
    for (int64_t b = 0; b < n; ++b)
      for (int64_t j = 0; j < g3; ++j) inner[b * g3 + j] = bias != nullptr ? bias->value[g3 + j] : 0.0f;
    if (s > 0)
      be.gemm(false, false, n, g3, u, 1.0f, hs.data() + (s - 1) * u, steps * u, rec, g3, 1.0f, inner.data(), g3);
    for (int64_t b = 0; b < n; ++b) {
      float* g = gates.data() + (b * steps + s) * g3;
      const float* in = inner.data() + b * g3;
      const int64_t o = (b * steps + s) * u;
      for (int64_t j = 0; j < u; ++j) {
        const float z = recurrent::activate(ract, g[j] + in[j]);
        const float r = recurrent::activate(ract, g[u + j] + in[u + j]);
        const float hh = recurrent::activate(act, g[2 * u + j] + r * in[2 * u + j]);
        const float hp = s > 0 ? hs[o - u + j] : 0.0f;
        g[j] = z, g[u + j] = r, g[2 * u + j] = hh;
        inner_h[o + j] = in[2 * u + j];
        hs[o + j] = z * hp + (1.0f - z) * hh;
      }
    }
  }
  call.saved.clear();
  if (call.training) {
    call.saved.push_back(std::move(gates));
    call.saved.push_back(std::move(inner_h));
  }
  return hs;
}

Tensor GRULayer::forward_reset_before(LayerCall& call, const Tensor& x) {
  const int64_t n = x.dim(0), steps = x.dim(1), f = x.dim(2), u = units_, g3 = 3 * u;
  const Activation act = recurrent::parse_activation(options_.activation, name());
  const Activation ract = recurrent::parse_activation(options_.recurrent_activation, name());
  const Param* bias = param("bias");
  const float* w = param("kernel")->value.data();
  const float* rec = param("recurrent_kernel")->value.data();
  Backend& be = backend();

  Tensor gates({n, steps, g3});
  be.gemm(false, false, n * steps, g3, f, 1.0f, x.data(), f, w, g3, 0.0f, gates.data(), g3);
  if (bias != nullptr)
    for (int64_t r = 0; r < n * steps; ++r)
      for (int64_t j = 0; j < g3; ++j) gates[r * g3 + j] += bias->value[j];

  Tensor rh({n, steps, u}, 0.0f), hs({n, steps, u});
  for (int64_t s = 0; s < steps; ++s) {
    float* gs = gates.data() + s * g3;
    const int64_t ld = steps * g3;
    // z and r pre-activations += h_{s-1} U_zr (h_{-1} = 0: nothing to add at step 0).
    if (s > 0) be.gemm(false, false, n, 2 * u, u, 1.0f, hs.data() + (s - 1) * u, steps * u, rec, g3, 1.0f, gs, ld);
    for (int64_t b = 0; b < n; ++b) {
      float* g = gs + b * ld;
      const int64_t o = (b * steps + s) * u;
      for (int64_t j = 0; j < u; ++j) {
        g[j] = recurrent::activate(ract, g[j]);
        g[u + j] = recurrent::activate(ract, g[u + j]);
        rh[o + j] = g[u + j] * (s > 0 ? hs[o - u + j] : 0.0f);
      }
    }
    if (s > 0)
      be.gemm(false, false, n, u, u, 1.0f, rh.data() + s * u, steps * u, rec + 2 * u, g3, 1.0f, gs + 2 * u, ld);
    for (int64_t b = 0; b < n; ++b) {
      float* g = gs + b * ld;
      const int64_t o = (b * steps + s) * u;
      for (int64_t j = 0; j < u; ++j) {
        const float hh = recurrent::activate(act, g[2 * u + j]);
        const float z = g[j];
        g[2 * u + j] = hh;
        hs[o + j] = z * (s > 0 ? hs[o - u + j] : 0.0f) + (1.0f - z) * hh;
      }
    }
  }
  call.saved.clear();
  if (call.training) {
    call.saved.push_back(std::move(gates));
    call.saved.push_back(std::move(rh));
  }
  return hs;
}

std::vector<Tensor> GRULayer::backward(LayerCall& call, const Tensor& d_output) {
  if (call.saved.size() < 3) throw Error("GRU layer '" + name() + "': backward without a training forward");
  const Tensor& hs = call.saved[kStates];
  const int64_t n = hs.dim(0), steps = hs.dim(1), u = units_;
  const Shape expected = options_.return_sequences ? Shape{n, steps, u} : Shape{n, u};
  if (d_output.shape() != expected)
    throw Error("GRU layer '" + name() + "': output gradient " + shape_str(d_output.shape()) + ", expected " +
                shape_str(expected));
  std::vector<Tensor> dx =
      options_.reset_after ? backward_reset_after(call, d_output) : backward_reset_before(call, d_output);
  if (options_.go_backwards) dx[0] = recurrent::reverse_time(dx[0]);
  return dx;
}

std::vector<Tensor> GRULayer::backward_reset_after(LayerCall& call, const Tensor& d_output) {
  const Tensor& gates = call.saved[kGates];
  const Tensor& inner_h = call.saved[kExtra];
  const Tensor& hs = call.saved[kStates];
  const Tensor& x = options_.go_backwards ? call.saved[kInput] : *call.inputs[0];
  const int64_t n = hs.dim(0), steps = hs.dim(1), u = units_, g3 = 3 * u;
  const Activation act = recurrent::parse_activation(options_.activation, name());
  const Activation ract = recurrent::parse_activation(options_.recurrent_activation, name());
  Param& kernel = *param("kernel");
  Param& rec = *param("recurrent_kernel");
  Param* bias = param("bias");
  Backend& be = backend();

  // dg: input-side pre-activation gradients; di: gradients of inner = h_{t-1} U + b_rec.
  Tensor dg({n, steps, g3}), di({n, steps, g3}), dh_next({n, u}, 0.0f);
  for (int64_t s = steps - 1; s >= 0; --s) {
    for (int64_t b = 0; b < n; ++b) {
      const int64_t r3 = (b * steps + s) * g3, o = (b * steps + s) * u;
      const float* g = gates.data() + r3;
      for (int64_t j = 0; j < u; ++j) {
        const float dh =
            dh_next[b * u + j] + recurrent::output_gradient(d_output, options_.return_sequences, b, s, steps, u, j);
        const float z = g[j], r = g[u + j], hh = g[2 * u + j];
        const float hp = s > 0 ? hs[o - u + j] : 0.0f;
        const float dah = dh * (1.0f - z) * recurrent::derivative_from_output(act, hh);
        const float daz = dh * (hp - hh) * recurrent::derivative_from_output(ract, z);
        const float dar = dah * inner_h[o + j] * recurrent::derivative_from_output(ract, r);
        dg[r3 + j] = di[r3 + j] = daz;
        dg[r3 + u + j] = di[r3 + u + j] = dar;
        dg[r3 + 2 * u + j] = dah;
        di[r3 + 2 * u + j] = dah * r;
        dh_next[b * u + j] = dh * z;  // the direct path; the product through U is added below
      }
    }
    if (s > 0)
      be.gemm(false, true, n, u, g3, 1.0f, di.data() + s * g3, steps * g3, rec.value.data(), g3, 1.0f, dh_next.data(),
              u);
  }

  const bool train = trainable();
  float* db_in = recurrent::bias_gradient(bias, train);  // [2, 3U]: the input side's, then the recurrent side's
  if (db_in != nullptr) add_rows_in_order(di.data(), n * steps, g3, db_in + g3);
  recurrent::add_recurrent_kernel_gradient(be, hs, di, rec, train);
  std::vector<Tensor> result;
  result.push_back(recurrent::input_side_gradients(be, x, dg, kernel, db_in, train));
  return result;
}

std::vector<Tensor> GRULayer::backward_reset_before(LayerCall& call, const Tensor& d_output) {
  const Tensor& gates = call.saved[kGates];
  const Tensor& rh = call.saved[kExtra];
  const Tensor& hs = call.saved[kStates];
  const Tensor& x = options_.go_backwards ? call.saved[kInput] : *call.inputs[0];
  const int64_t n = hs.dim(0), steps = hs.dim(1), u = units_, g3 = 3 * u;
  const Activation act = recurrent::parse_activation(options_.activation, name());
  const Activation ract = recurrent::parse_activation(options_.recurrent_activation, name());
  Param& kernel = *param("kernel");
  Param& rec = *param("recurrent_kernel");
  Param* bias = param("bias");
  Backend& be = backend();

  // dg: gradients of the three gate pre-activations (input and recurrent sides share them).
  Tensor dg({n, steps, g3}, 0.0f), d_rh({n, u}), dh_next({n, u}, 0.0f);
  for (int64_t s = steps - 1; s >= 0; --s) {
    const int64_t ld = steps * g3;
    for (int64_t b = 0; b < n; ++b) {
      const int64_t r3 = (b * steps + s) * g3, o = (b * steps + s) * u;
      const float* g = gates.data() + r3;
      for (int64_t j = 0; j < u; ++j) {
        const float dh =
            dh_next[b * u + j] + recurrent::output_gradient(d_output, options_.return_sequences, b, s, steps, u, j);
        const float z = g[j], hh = g[2 * u + j];
        const float hp = s > 0 ? hs[o - u + j] : 0.0f;
        dg[r3 + j] = dh * (hp - hh) * recurrent::derivative_from_output(ract, z);
        dg[r3 + 2 * u + j] = dh * (1.0f - z) * recurrent::derivative_from_output(act, hh);
        dh_next[b * u + j] = dh * z;
      }
    }
    if (s == 0) break;  // h_{-1} = 0: r has no effect at step 0 and no state gradient flows further
    // d(r * h_prev) = dah U_h^T; then r's gradient and h_prev's share through r.
    be.gemm(false, true, n, u, u, 1.0f, dg.data() + s * g3 + 2 * u, ld, rec.value.data() + 2 * u, g3, 0.0f, d_rh.data(),
            u);
    for (int64_t b = 0; b < n; ++b) {
      const int64_t r3 = (b * steps + s) * g3, o = (b * steps + s) * u;
      for (int64_t j = 0; j < u; ++j) {
        const float r = gates[r3 + u + j], hp = hs[o - u + j], d = d_rh[b * u + j];
        dg[r3 + u + j] = d * hp * recurrent::derivative_from_output(ract, r);
        dh_next[b * u + j] += d * r;
      }
    }
    be.gemm(false, true, n, u, 2 * u, 1.0f, dg.data() + s * g3, ld, rec.value.data(), g3, 1.0f, dh_next.data(), u);
  }

  const bool train = trainable();
  float* db = recurrent::bias_gradient(bias, train);
  if (train && rec.trainable) {
    recurrent::ensure_grad(rec.grad, rec.value.shape());
    const Tensor h_prev = recurrent::previous_states(hs);
    be.gemm(true, false, u, 2 * u, n * steps, 1.0f, h_prev.data(), u, dg.data(), g3, 1.0f, rec.grad.data(), g3);
    be.gemm(true, false, u, u, n * steps, 1.0f, rh.data(), u, dg.data() + 2 * u, g3, 1.0f, rec.grad.data() + 2 * u, g3);
  }
  std::vector<Tensor> result;
  result.push_back(recurrent::input_side_gradients(be, x, dg, kernel, db, train));
  return result;
}

int64_t GRULayer::macs(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1 || inputs[0].size() != 2) return 0;
  const int64_t steps = inputs[0][0], f = inputs[0][1], u = units_;
  return steps * (3 * u * (f + u) + 3 * u);
}

nlohmann::json GRULayer::config() const {
  return {{"name", name()},
          {"trainable", trainable()},
          {"units", units_},
          {"activation", options_.activation},
          {"recurrent_activation", options_.recurrent_activation},
          {"use_bias", options_.use_bias},
          {"return_sequences", options_.return_sequences},
          {"go_backwards", options_.go_backwards},
          {"reset_after", options_.reset_after},
          {"kernel_initializer", options_.kernel_initializer.to_json()},
          {"recurrent_initializer", options_.recurrent_initializer.to_json()},
          {"bias_initializer", options_.bias_initializer.to_json()},
          {"kernel_regularizer", regularizer_to_json(options_.kernel_regularizer.get())},
          {"recurrent_regularizer", regularizer_to_json(options_.recurrent_regularizer.get())},
          {"bias_regularizer", regularizer_to_json(options_.bias_regularizer.get())}};
}

LayerRef GRU(int64_t units, GRUOptions options) {
  return LayerRef(std::make_shared<GRULayer>(units, std::move(options)));
}

namespace {

LayerPtr gru_from_config(const nlohmann::json& c) {
  GRUOptions o;
  o.name = c.value("name", o.name);
  o.activation = c.value("activation", o.activation);
  o.recurrent_activation = c.value("recurrent_activation", o.recurrent_activation);
  o.use_bias = c.value("use_bias", o.use_bias);
  o.return_sequences = c.value("return_sequences", o.return_sequences);
  o.go_backwards = c.value("go_backwards", o.go_backwards);
  o.reset_after = c.value("reset_after", o.reset_after);
  for (auto [key, init] : {std::pair{"kernel_initializer", &o.kernel_initializer},
                           std::pair{"recurrent_initializer", &o.recurrent_initializer},
                           std::pair{"bias_initializer", &o.bias_initializer}})
    if (c.contains(key)) *init = Initializer::from_json(c[key]);
  o.kernel_regularizer = regularizer_from_json(c.value("kernel_regularizer", nlohmann::json()));
  o.recurrent_regularizer = regularizer_from_json(c.value("recurrent_regularizer", nlohmann::json()));
  o.bias_regularizer = regularizer_from_json(c.value("bias_regularizer", nlohmann::json()));
  if (!c.contains("units")) throw Error("GRU config needs 'units'");
  return std::make_shared<GRULayer>(c.at("units").get<int64_t>(), o);
}

const LayerRegistrar kRegisterGRU("GRU", gru_from_config);

}  // namespace

}  // namespace tinyforge::nn
