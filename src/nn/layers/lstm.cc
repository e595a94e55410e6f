// LSTM, Keras semantics (gate order i, f, c, o):
//   z = x_t W + h_{t-1} U + b;  i = ra(z_i), f = ra(z_f), g = a(z_c), o = ra(z_o)
//   c_t = f * c_{t-1} + i * g;  h_t = o * a(c_t)
// The input projection for all steps is one gemm; each step adds h_{t-1} U into its slice of
// that buffer in place (ldc = T * 4U). Backward is unrolled BPTT with one gemm per step for
// dh_{t-1} and one large gemm each for the kernel, recurrent kernel and input gradients.
#include <algorithm>
#include <utility>

#include "nn/layers/recurrent_util.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/layers/recurrent.h"
#include "tinyforge/nn/regularizers.h"

namespace tinyforge::nn {

using recurrent::Activation;

namespace {

// call.saved slots.
enum Saved { kGates = 0, kCells, kActCells, kStates, kInput };

}  // namespace

LSTMLayer::LSTMLayer(int64_t units, LSTMOptions options)
    : Layer(options.name.empty() ? auto_layer_name("lstm") : options.name),
      units_(units),
      options_(std::move(options)) {
  if (units <= 0) throw Error("LSTM layer '" + name() + "': units must be positive, got " + std::to_string(units));
  recurrent::parse_activation(options_.activation, name());
  recurrent::parse_activation(options_.recurrent_activation, name());
}

Shape LSTMLayer::output_shape(const std::vector<Shape>& inputs) const {
  recurrent::check_input(inputs, type(), name());
  if (options_.return_sequences) return {inputs[0][0], units_};
  return {units_};
}

void LSTMLayer::build(const std::vector<Shape>& inputs, Rng& rng) {
  const int64_t f = recurrent::check_input(inputs, type(), name());
  const int64_t u = units_;
  const int64_t gates = 4 * u;
  add_param("kernel", recurrent::initial_weight(options_.kernel_initializer, {f, gates}, rng, name())).regularizer =
      options_.kernel_regularizer;
  add_param("recurrent_kernel", recurrent::initial_weight(options_.recurrent_initializer, {u, gates}, rng, name()))
      .regularizer = options_.recurrent_regularizer;
  if (options_.use_bias) {
    Tensor bias = recurrent::initial_weight(options_.bias_initializer, {gates}, rng, name());
    if (options_.unit_forget_bias) std::fill_n(bias.data() + u, u, 1.0f);
    add_param("bias", std::move(bias)).regularizer = options_.bias_regularizer;
  }
  mark_built();
}

Tensor LSTMLayer::forward(LayerCall& call) {
  if (call.inputs.size() != 1 || call.inputs[0] == nullptr)
    throw Error("LSTM layer '" + name() + "' takes exactly one input");
  const Param* kernel = param("kernel");
  if (kernel == nullptr) throw Error("LSTM layer '" + name() + "' is used before it was built");
  const int64_t f = kernel->value.dim(0), u = units_, g4 = 4 * u;
  recurrent::check_batch(*call.inputs[0], f, type(), name());
  const Activation act = recurrent::parse_activation(options_.activation, name());
  const Activation ract = recurrent::parse_activation(options_.recurrent_activation, name());

  Tensor reversed;
  if (options_.go_backwards) reversed = recurrent::reverse_time(*call.inputs[0]);
  const Tensor& x = options_.go_backwards ? reversed : *call.inputs[0];
  const int64_t n = x.dim(0), steps = x.dim(1);
  const float* w = kernel->value.data();
  const float* rec = param("recurrent_kernel")->value.data();
  const Param* bias = param("bias");

  // Pre-activations of every step from the input alone; becomes the gate activations below.
  Tensor gates({n, steps, g4});
  Backend& be = backend();
  be.gemm(false, false, n * steps, g4, f, 1.0f, x.data(), f, w, g4, 0.0f, gates.data(), g4);
  if (bias != nullptr)
    for (int64_t r = 0; r < n * steps; ++r)
      for (int64_t j = 0; j < g4; ++j) gates[r * g4 + j] += bias->value[j];

  Tensor cells({n, steps, u}), act_cells({n, steps, u}), hs({n, steps, u});
  for (int64_t s = 0; s < steps; ++s) {
    // h_{-1} = 0, so step 0 needs no recurrent product.
    if (s > 0)
      be.gemm(false, false, n, g4, u, 1.0f, hs.data() + (s - 1) * u, steps * u, rec, g4, 1.0f, gates.data() + s * g4,
              steps * g4);
    for (int64_t b = 0; b < n; ++b) {
      float* z = gates.data() + (b * steps + s) * g4;
      const int64_t o = (b * steps + s) * u;
      for (int64_t j = 0; j < u; ++j) {
        const float i_g = recurrent::activate(ract, z[j]);
        const float f_g = recurrent::activate(ract, z[u + j]);
        const float c_g = recurrent::activate(act, z[2 * u + j]);
        const float o_g = recurrent::activate(ract, z[3 * u + j]);
        const float c_prev = s > 0 ? cells[o - u + j] : 0.0f;
        const float c = f_g * c_prev + i_g * c_g;
        const float ac = recurrent::activate(act, c);
        z[j] = i_g, z[u + j] = f_g, z[2 * u + j] = c_g, z[3 * u + j] = o_g;
        cells[o + j] = c;
        act_cells[o + j] = ac;
        hs[o + j] = o_g * ac;
      }
    }
  }

  Tensor out;
  if (options_.return_sequences) {
    out = hs;
  } else {
    out = Tensor({n, u});
    for (int64_t b = 0; b < n; ++b) std::copy_n(hs.data() + (b * steps + steps - 1) * u, u, out.data() + b * u);
  }
  if (call.training) {
    call.saved.clear();
    call.saved.push_back(std::move(gates));
    call.saved.push_back(std::move(cells));
    call.saved.push_back(std::move(act_cells));
    call.saved.push_back(std::move(hs));
    if (options_.go_backwards) call.saved.push_back(std::move(reversed));
  }
  return out;
}

std::vector<Tensor> LSTMLayer::backward(LayerCall& call, const Tensor& d_output) {
  if (call.saved.size() < 4) throw Error("LSTM layer '" + name() + "': backward without a training forward");
  const Tensor& gates = call.saved[kGates];
  const Tensor& cells = call.saved[kCells];
  const Tensor& act_cells = call.saved[kActCells];
  const Tensor& hs = call.saved[kStates];
  const Tensor& x = options_.go_backwards ? call.saved[kInput] : *call.inputs[0];
  const int64_t n = hs.dim(0), steps = hs.dim(1), u = units_, g4 = 4 * u;
  const Shape expected = options_.return_sequences ? Shape{n, steps, u} : Shape{n, u};
  if (d_output.shape() != expected)
    throw Error("LSTM layer '" + name() + "': output gradient " + shape_str(d_output.shape()) + ", expected " +
                shape_str(expected));
  const Activation act = recurrent::parse_activation(options_.activation, name());
  const Activation ract = recurrent::parse_activation(options_.recurrent_activation, name());
  Param& kernel = *param("kernel");
  Param& rec = *param("recurrent_kernel");
  Param* bias = param("bias");
  Backend& be = backend();

  // dz: gradient of every step's gate pre-activations [N, T, 4U].
  Tensor dz({n, steps, g4});
  Tensor dh_next({n, u}, 0.0f), dc_next({n, u}, 0.0f);
  for (int64_t s = steps - 1; s >= 0; --s) {
    for (int64_t b = 0; b < n; ++b) {
      const float* gt = gates.data() + (b * steps + s) * g4;
      float* d = dz.data() + (b * steps + s) * g4;
      const int64_t o = (b * steps + s) * u;
      for (int64_t j = 0; j < u; ++j) {
        const float dh =
            dh_next[b * u + j] + recurrent::output_gradient(d_output, options_.return_sequences, b, s, steps, u, j);
        const float i_g = gt[j], f_g = gt[u + j], c_g = gt[2 * u + j], o_g = gt[3 * u + j];
        const float ac = act_cells[o + j];
        const float dc = dc_next[b * u + j] + dh * o_g * recurrent::derivative_from_output(act, ac);
        const float c_prev = s > 0 ? cells[o - u + j] : 0.0f;
        d[j] = dc * c_g * recurrent::derivative_from_output(ract, i_g);
        d[u + j] = dc * c_prev * recurrent::derivative_from_output(ract, f_g);
        d[2 * u + j] = dc * i_g * recurrent::derivative_from_output(act, c_g);
        d[3 * u + j] = dh * ac * recurrent::derivative_from_output(ract, o_g);
        dc_next[b * u + j] = dc * f_g;
      }
    }
    // dh_{s-1} = dz_s U^T (h_{-1} is a constant, so step 0 stops here).
    if (s > 0)
      be.gemm(false, true, n, u, g4, 1.0f, dz.data() + s * g4, steps * g4, rec.value.data(), g4, 0.0f, dh_next.data(),
              u);
  }

  recurrent::add_recurrent_kernel_gradient(be, hs, dz, rec, trainable());
  Tensor dx =
      recurrent::input_side_gradients(be, x, dz, kernel, recurrent::bias_gradient(bias, trainable()), trainable());
  if (options_.go_backwards) dx = recurrent::reverse_time(dx);
  std::vector<Tensor> result;
  result.push_back(std::move(dx));
  return result;
}

int64_t LSTMLayer::macs(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1 || inputs[0].size() != 2) return 0;
  const int64_t steps = inputs[0][0], f = inputs[0][1], u = units_;
  // Products with both kernels, plus the three elementwise products per unit and step.
  return steps * (4 * u * (f + u) + 3 * u);
}

nlohmann::json LSTMLayer::config() const {
  return {{"name", name()},
          {"trainable", trainable()},
          {"units", units_},
          {"activation", options_.activation},
          {"recurrent_activation", options_.recurrent_activation},
          {"use_bias", options_.use_bias},
          {"return_sequences", options_.return_sequences},
          {"go_backwards", options_.go_backwards},
          {"unit_forget_bias", options_.unit_forget_bias},
          {"kernel_initializer", options_.kernel_initializer.to_json()},
          {"recurrent_initializer", options_.recurrent_initializer.to_json()},
          {"bias_initializer", options_.bias_initializer.to_json()},
          {"kernel_regularizer", regularizer_to_json(options_.kernel_regularizer.get())},
          {"recurrent_regularizer", regularizer_to_json(options_.recurrent_regularizer.get())},
          {"bias_regularizer", regularizer_to_json(options_.bias_regularizer.get())}};
}

LayerRef LSTM(int64_t units, LSTMOptions options) {
  return LayerRef(std::make_shared<LSTMLayer>(units, std::move(options)));
}

namespace {

LayerPtr lstm_from_config(const nlohmann::json& c) {
  LSTMOptions o;
  o.name = c.value("name", o.name);
  o.activation = c.value("activation", o.activation);
  o.recurrent_activation = c.value("recurrent_activation", o.recurrent_activation);
  o.use_bias = c.value("use_bias", o.use_bias);
  o.return_sequences = c.value("return_sequences", o.return_sequences);
  o.go_backwards = c.value("go_backwards", o.go_backwards);
  o.unit_forget_bias = c.value("unit_forget_bias", o.unit_forget_bias);
  for (auto [key, init] : {std::pair{"kernel_initializer", &o.kernel_initializer},
                           std::pair{"recurrent_initializer", &o.recurrent_initializer},
                           std::pair{"bias_initializer", &o.bias_initializer}})
    if (c.contains(key)) *init = Initializer::from_json(c[key]);
  o.kernel_regularizer = regularizer_from_json(c.value("kernel_regularizer", nlohmann::json()));
  o.recurrent_regularizer = regularizer_from_json(c.value("recurrent_regularizer", nlohmann::json()));
  o.bias_regularizer = regularizer_from_json(c.value("bias_regularizer", nlohmann::json()));
  if (!c.contains("units")) throw Error("LSTM config needs 'units'");
  return std::make_shared<LSTMLayer>(c.at("units").get<int64_t>(), o);
}

const LayerRegistrar kRegisterLSTM("LSTM", lstm_from_config);

}  // namespace

}  // namespace tinyforge::nn
