// Helpers shared by the core layers (dense, conv*, activation): option checks, config
// conversion and the fused-activation plumbing between forward and backward.
#pragma once

#include <memory>
#include <string>

#include "tinyforge/error.h"
#include "tinyforge/nn/activations.h"
#include "tinyforge/nn/backend.h"
#include "tinyforge/nn/initializers.h"
#include "tinyforge/nn/layer.h"
#include "tinyforge/nn/layers/core.h"
#include "tinyforge/nn/regularizers.h"

namespace tinyforge::nn::core_util {

inline void check_positive(const Layer& l, const char* what, int64_t v) {
  if (v < 1) throw Error(l.type() + " '" + l.name() + "': " + what + " must be >= 1, got " + std::to_string(v));
}

// "valid" | "same" (and "causal" when allowed); returns true for 'same'.
inline std::string check_padding(const Layer& l, const std::string& padding, bool allow_causal = false) {
  if (padding == "valid" || padding == "same" || (allow_causal && padding == "causal")) return padding;
  throw Error(l.type() + " '" + l.name() + "': padding must be " +
              (allow_causal ? "'valid', 'same' or 'causal'" : "'valid' or 'same'") + ", got '" + padding + "'");
}

inline void check_strides_dilation(const Layer& l, Size2 strides, Size2 dilation) {
  check_positive(l, "strides", std::min(strides.h, strides.w));
  check_positive(l, "dilation_rate", std::min(dilation.h, dilation.w));
  // Keras rejects the combination too (TensorFlow's conv has no kernel for it).
  if ((strides.h > 1 || strides.w > 1) && (dilation.h > 1 || dilation.w > 1)) {
    throw Error(l.type() + " '" + l.name() + "': strides > 1 together with dilation_rate > 1 is not supported");
  }
}

inline nlohmann::json size2_json(Size2 s) {
  return nlohmann::json::array({s.h, s.w});
}
inline Size2 size2_from(const nlohmann::json& j) {
  if (j.is_number_integer()) return Size2(j.get<int64_t>());
  if (j.is_array() && j.size() == 2) return Size2(j[0].get<int64_t>(), j[1].get<int64_t>());
  throw Error("expected an integer or a pair of integers, got " + j.dump());
}
inline int64_t int1_from(const nlohmann::json& j) {
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_array() && j.size() == 1) return j[0].get<int64_t>();
  throw Error("expected an integer or a 1-element list, got " + j.dump());
}

// The name, or the next Keras-style automatic one for this prefix ("conv2d", "conv2d_1", ...).
inline std::string layer_name(const std::string& given, const char* prefix) {
  return given.empty() ? auto_layer_name(prefix) : given;
}

// Whether backward should accumulate into this weight's gradient.
inline bool wants_grad(const Layer& l, const Param& p) {
  return l.trainable() && p.trainable;
}

// After the layer's linear part wrote z into `out`: keeps z for backward when the activation's
// derivative needs it (slot `slot` of call.saved), then applies the activation in place.
inline void fused_activation_forward(const ActivationFn& act, LayerCall& call, Tensor& out, size_t slot) {
  if (act.is_linear()) return;
  if (call.training && act.derivative_needs_input()) {
    if (call.saved.size() <= slot) call.saved.resize(slot + 1);
    call.saved[slot] = out;
  }
  act.forward_inplace(out);
}

// A convolution through Backend::conv2d and the layer's activation after it. ReLU goes inside the
// backend's convolution (conv2d_relu), which may apply it as it stores each output; its
// derivative needs only the output, so nothing is saved for it.
inline void conv2d_with_activation(const ActivationFn& act, LayerCall& call, const ConvGeometry& g, const float* x,
                                   const float* kernel, const float* bias, Tensor& y) {
  if (act.kind() == ActivationKind::kRelu) {
    backend().conv2d_relu(g, x, kernel, bias, y.data());
    return;
  }
  backend().conv2d(g, x, kernel, bias, y.data());
  fused_activation_forward(act, call, y, 0);
}

// dL/dz from dL/dy for the fused activation. Uses call.output (y) and the saved z when needed.
// A linear activation passes d_out through (no copy); otherwise dL/dz goes into `storage`.
inline const Tensor& fused_activation_backward(const Layer& l, const ActivationFn& act, const LayerCall& call,
                                               const Tensor& d_out, size_t slot, Tensor& storage) {
  if (act.is_linear()) return d_out;
  if (call.output == nullptr) {
    throw Error(l.type() + " '" + l.name() + "': backward needs the forward output (LayerCall::output is not set)");
  }
  const Tensor* z = nullptr;
  if (act.derivative_needs_input()) {
    if (call.saved.size() <= slot || call.saved[slot].empty()) {
      throw Error(l.type() + " '" + l.name() + "': backward without a training forward");
    }
    z = &call.saved[slot];
  }
  storage = act.backward(z, *call.output, d_out);
  return storage;
}

// The same, in place: turns dL/dy in `d` into dL/dz.
inline void fused_activation_backward_inplace(const Layer& l, const ActivationFn& act, const LayerCall& call, Tensor& d,
                                              size_t slot) {
  if (act.is_linear()) return;
  if (call.output == nullptr || call.output->shape() != d.shape()) {
    throw Error(l.type() + " '" + l.name() + "': backward needs the forward output of the gradient's shape");
  }
  const Tensor* z = nullptr;
  if (act.derivative_needs_input()) {
    if (call.saved.size() <= slot || call.saved[slot].empty()) {
      throw Error(l.type() + " '" + l.name() + "': backward without a training forward");
    }
    z = &call.saved[slot];
  }
  act.backward(z ? z->data() : nullptr, call.output->data(), d.data(), d.data(), d.size(),
               d.rank() > 0 ? d.dim(-1) : 1);
}

inline void check_input_count(const Layer& l, size_t n) {
  if (n != 1) throw Error(l.type() + " '" + l.name() + "' takes one input, got " + std::to_string(n));
}

// Activation name and (non-default) alpha for config().
inline void put_activation(nlohmann::json& c, const ActivationFn& act) {
  c["activation"] = act.name();
  if (!act.has_default_alpha()) c["activation_alpha"] = act.alpha();
}
inline ActivationFn get_activation(const nlohmann::json& c) {
  return ActivationFn::parse(c.value("activation", std::string("linear")), c.value("activation_alpha", -1.0f));
}

// One weight's config entries: "<weight>_initializer" and "<weight>_regularizer". Reading keeps
// the option's initializer when the entry is absent.
inline void put_weight_config(nlohmann::json& c, const std::string& weight, const Initializer& init,
                              const std::shared_ptr<Regularizer>& reg) {
  c[weight + "_initializer"] = init.to_json();
  c[weight + "_regularizer"] = regularizer_to_json(reg.get());
}
inline void read_weight_config(const nlohmann::json& c, const std::string& weight, Initializer& init,
                               std::shared_ptr<Regularizer>& reg) {
  if (c.contains(weight + "_initializer")) init = Initializer::from_json(c[weight + "_initializer"]);
  reg = regularizer_from_json(c.value(weight + "_regularizer", nlohmann::json()));
}

// What every convolution layer's config holds besides its own weights and geometry: name,
// trainable, padding, use_bias, the bias's initializer and regularizer, the activation. (Strides
// and dilation are pairs for the 2-D layers and single numbers for Conv1D, so each layer writes
// its own.) Options: any of the conv layers' option structs.
template <typename Options>
nlohmann::json conv_config(const Layer& l, const Options& o, const ActivationFn& act) {
  nlohmann::json c = {
      {"name", l.name()}, {"trainable", l.trainable()}, {"padding", o.padding}, {"use_bias", o.use_bias}};
  put_weight_config(c, "bias", o.bias_initializer, o.bias_regularizer);
  put_activation(c, act);
  return c;
}
template <typename Options>
void read_conv_config(const nlohmann::json& c, Options& o) {
  o.name = c.value("name", std::string());
  o.padding = c.value("padding", std::string("valid"));
  o.use_bias = c.value("use_bias", true);
  read_weight_config(c, "bias", o.bias_initializer, o.bias_regularizer);
}

}  // namespace tinyforge::nn::core_util
