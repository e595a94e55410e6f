// Dense and the convolutions, with weights moved from Keras' layouts to TFLite's:
//   Dense            kernel [I, O]        -> FULLY_CONNECTED weights [O, I]
//   Conv2D           kernel [KH, KW, I, O] -> CONV_2D filter [O, KH, KW, I] (OHWI)
//   DepthwiseConv2D  kernel [KH, KW, C, M] -> DEPTHWISE_CONV_2D filter [1, KH, KW, C*M] (same bytes)
//   SeparableConv2D  -> DEPTHWISE_CONV_2D (zero bias) + CONV_2D 1x1 with the bias
//   Conv1D           kernel [K, I, O]     -> RESHAPE [1, 1, T, I] + CONV_2D [O, 1, K, I] + RESHAPE
// Convolutions without a bias get a zero bias (as Google's converter writes them); Dense without
// one keeps the bias input absent (-1). A deferred Normalization/Rescaling affine on the input is
// folded into the weights when the op has no padding that would see it.
#include <algorithm>

#include "convert/lower/lowerings.h"
#include "tinyforge/error.h"

namespace tinyforge::convert::lower {

namespace {

namespace op = micro::op;

const nn::Tensor& weight(const nn::Layer& layer, const std::string& name) {
  for (const nn::Param& p : layer.params()) {
    if (p.name == name) return p.value;
  }
  throw Error(Context::describe(layer) + " has no weight '" + name + "' (was it built?)");
}

bool has_weight(const nn::Layer& layer, const std::string& name) {
  for (const nn::Param& p : layer.params()) {
    if (p.name == name) return true;
  }
  return false;
}

micro::Padding padding_of(const nn::Layer& layer, const std::string& padding) {
  if (padding == "same") return micro::Padding::kSame;
  if (padding == "valid") return micro::Padding::kValid;
  throw Error(Context::describe(layer) + ": padding '" + padding + "' has no TFLite equivalent");
}

std::vector<float> bias_or_zeros(const nn::Layer& layer, size_t channels) {
  if (!has_weight(layer, "bias")) return std::vector<float>(channels, 0.0f);
  return weight(layer, "bias").to_vector();
}

// Keras [KH, KW, I, O] (or [K, I, O] as KH = 1) to OHWI.
std::vector<float> to_ohwi(const nn::Tensor& k, int64_t kh, int64_t kw, int64_t ci, int64_t co) {
  std::vector<float> w(static_cast<size_t>(k.size()));
  for (int64_t y = 0; y < kh; ++y)
    for (int64_t x = 0; x < kw; ++x)
      for (int64_t i = 0; i < ci; ++i)
        for (int64_t o = 0; o < co; ++o)
          w[static_cast<size_t>(((o * kh + y) * kw + x) * ci + i)] = k[((y * kw + x) * ci + i) * co + o];
  return w;
}

// Folds x -> x * s + t (per input channel, the innermost axis of w [O, ..., I]) into w and b:
// W (x s + t) + b = (W s) x + (b + W t). Exact when every output reads only real inputs.
void fold_input_affine(const Affine& a, std::vector<float>& w, std::vector<float>& b) {
  const size_t co = b.size(), per_out = w.size() / co;
  for (size_t o = 0; o < co; ++o) {
    double shift = 0.0;
    const size_t in_c = std::max<size_t>(a.channels(), 1);
    for (size_t e = 0; e < per_out; ++e) {
      const size_t c = e % in_c;
      float& wv = w[o * per_out + e];
      shift += double(wv) * a.shift_at(c);
      wv = static_cast<float>(double(wv) * a.scale_at(c));
    }
    b[o] = static_cast<float>(double(b[o]) + shift);
  }
}

struct ConvSpec {
  std::vector<float> filter;  // OHWI
  std::vector<float> bias;
  int32_t kh, kw, ci, co;
  OpOptions options;
};

// Emits CONV_2D on `in` (NHWC) and returns the output value (shape given).
Value emit_conv(Context& ctx, const std::string& name, int32_t in_tensor, const ConvSpec& s,
                std::vector<int32_t> out_shape) {
  const int32_t w = ctx.add_const_f32(name + "/kernel", {s.co, s.kh, s.kw, s.ci}, s.filter);
  const int32_t b = ctx.add_const_f32(name + "/bias", {s.co}, s.bias);
  Value out;
  out.shape = std::move(out_shape);
  out.tensor = ctx.add_activation(name, out.shape);
  out.producer_op = ctx.emit(op::kConv2D, {in_tensor, w, b}, {out.tensor}, s.options);
  return out;
}

// The input of a layer that folds a deferred affine only when `can_fold`.
Value conv_input(Context& ctx, size_t i, bool can_fold) {
  return can_fold ? ctx.input_raw(i, 0) : ctx.input(i, 0);
}

}  // namespace

void lower_dense(Context& ctx, size_t i) {
  const nn::Layer& layer = *ctx.node(i).layer;
  const Value in = ctx.input_raw(i, 0);
  const nn::Tensor& k = weight(layer, "kernel");
  const int64_t n_in = k.dim(0), units = k.dim(1);
  std::vector<float> w(static_cast<size_t>(k.size()));
  for (int64_t o = 0; o < units; ++o)
    for (int64_t j = 0; j < n_in; ++j) w[static_cast<size_t>(o * n_in + j)] = k[j * units + o];
  bool with_bias = has_weight(layer, "bias") || ctx.options.dense_zero_bias;
  std::vector<float> b = bias_or_zeros(layer, static_cast<size_t>(units));
  if (in.has_affine) {
    fold_input_affine(in.affine, w, b);
    with_bias = true;
  }
  OpOptions o;
  // Keras applies Dense to the last axis of any rank; TF keeps the leading axes (keep_num_dims).
  o.keep_num_dims = in.shape.size() > 2;
  const std::string& name = layer.name();
  const int32_t wt = ctx.add_const_f32(name + "/kernel", {static_cast<int32_t>(units), static_cast<int32_t>(n_in)}, w);
  const int32_t bt = with_bias ? ctx.add_const_f32(name + "/bias", {static_cast<int32_t>(units)}, b) : -1;
  Value out;
  out.shape = with_batch(ctx.node(i).shape);
  out.tensor = ctx.add_activation(name, out.shape);
  out.producer_op = ctx.emit(op::kFullyConnected, {in.tensor, wt, bt}, {out.tensor}, o);
  ctx.value(i) = apply_activation(ctx, out, config_activation(layer), layer);
}

void lower_conv2d(Context& ctx, size_t i) {
  const nn::Layer& layer = *ctx.node(i).layer;
  const nlohmann::json c = layer.config();
  const std::string padding = c.value("padding", std::string("valid"));
  const Value in = conv_input(ctx, i, padding == "valid");
  const nn::Tensor& k = weight(layer, "kernel");
  ConvSpec s;
  s.kh = static_cast<int32_t>(k.dim(0));
  s.kw = static_cast<int32_t>(k.dim(1));
  s.ci = static_cast<int32_t>(k.dim(2));
  s.co = static_cast<int32_t>(k.dim(3));
  s.filter = to_ohwi(k, s.kh, s.kw, s.ci, s.co);
  s.bias = bias_or_zeros(layer, static_cast<size_t>(s.co));
  if (in.has_affine) fold_input_affine(in.affine, s.filter, s.bias);
  s.options.padding = padding_of(layer, padding);
  s.options.stride_h = static_cast<int32_t>(config_int(layer, "strides", 0));
  s.options.stride_w = static_cast<int32_t>(config_int(layer, "strides", 1));
  s.options.dilation_h = static_cast<int32_t>(config_int(layer, "dilation_rate", 0));
  s.options.dilation_w = static_cast<int32_t>(config_int(layer, "dilation_rate", 1));
  const Value out = emit_conv(ctx, layer.name(), in.tensor, s, with_batch(ctx.node(i).shape));
  ctx.value(i) = apply_activation(ctx, out, config_activation(layer), layer);
}

void lower_depthwise_conv2d(Context& ctx, size_t i) {
  const nn::Layer& layer = *ctx.node(i).layer;
  const Value in = ctx.input(i, 0);
  const nn::Tensor& k = weight(layer, "kernel");  // [KH, KW, C, M]: output channel c*M + m
  const int32_t kh = static_cast<int32_t>(k.dim(0)), kw = static_cast<int32_t>(k.dim(1));
  const int32_t channels = static_cast<int32_t>(k.dim(2) * k.dim(3));
  OpOptions o;
  o.padding = padding_of(layer, layer.config().value("padding", std::string("valid")));
  o.stride_h = static_cast<int32_t>(config_int(layer, "strides", 0));
  o.stride_w = static_cast<int32_t>(config_int(layer, "strides", 1));
  o.dilation_h = static_cast<int32_t>(config_int(layer, "dilation_rate", 0));
  o.dilation_w = static_cast<int32_t>(config_int(layer, "dilation_rate", 1));
  o.depth_multiplier = static_cast<int32_t>(k.dim(3));
  const std::string& name = layer.name();
  const int32_t w = ctx.add_const_f32(name + "/kernel", {1, kh, kw, channels}, k.to_vector());
  const int32_t b = ctx.add_const_f32(name + "/bias", {channels}, bias_or_zeros(layer, static_cast<size_t>(channels)));
  Value out;
  out.shape = with_batch(ctx.node(i).shape);
  out.tensor = ctx.add_activation(name, out.shape);
  out.producer_op = ctx.emit(op::kDepthwiseConv2D, {in.tensor, w, b}, {out.tensor}, o);
  ctx.value(i) = apply_activation(ctx, out, config_activation(layer), layer);
}

void lower_separable_conv2d(Context& ctx, size_t i) {
  const nn::Layer& layer = *ctx.node(i).layer;
  const Value in = ctx.input(i, 0);
  const nn::Tensor& dk = weight(layer, "depthwise_kernel");  // [KH, KW, C, M]
  const nn::Tensor& pk = weight(layer, "pointwise_kernel");  // [1, 1, C*M, F]
  const int32_t kh = static_cast<int32_t>(dk.dim(0)), kw = static_cast<int32_t>(dk.dim(1));
  const int32_t mid = static_cast<int32_t>(dk.dim(2) * dk.dim(3)), filters = static_cast<int32_t>(pk.dim(3));
  OpOptions o;
  o.padding = padding_of(layer, layer.config().value("padding", std::string("valid")));
  o.stride_h = static_cast<int32_t>(config_int(layer, "strides", 0));
  o.stride_w = static_cast<int32_t>(config_int(layer, "strides", 1));
  o.dilation_h = static_cast<int32_t>(config_int(layer, "dilation_rate", 0));
  o.dilation_w = static_cast<int32_t>(config_int(layer, "dilation_rate", 1));
  o.depth_multiplier = static_cast<int32_t>(dk.dim(3));
  const std::string& name = layer.name();
  std::vector<int32_t> mid_shape = with_batch(ctx.node(i).shape);
  mid_shape.back() = mid;
  const int32_t w = ctx.add_const_f32(name + "/depthwise_kernel", {1, kh, kw, mid}, dk.to_vector());
  const int32_t b = ctx.add_const_f32(name + "/depthwise_bias", {mid}, std::vector<float>(static_cast<size_t>(mid)));
  const int32_t dw_out = ctx.add_activation(name + "/depthwise", mid_shape);
  ctx.emit(op::kDepthwiseConv2D, {in.tensor, w, b}, {dw_out}, o);

  ConvSpec s;
  s.kh = s.kw = 1;
  s.ci = mid;
  s.co = filters;
  s.filter = to_ohwi(pk, 1, 1, mid, filters);
  s.bias = bias_or_zeros(layer, static_cast<size_t>(filters));
  s.options.padding = micro::Padding::kValid;
  const Value out = emit_conv(ctx, name, dw_out, s, with_batch(ctx.node(i).shape));
  ctx.value(i) = apply_activation(ctx, out, config_activation(layer), layer);
}

void lower_conv1d(Context& ctx, size_t i) {
  const nn::Layer& layer = *ctx.node(i).layer;
  const nlohmann::json c = layer.config();
  const std::string padding = c.value("padding", std::string("valid"));
  Value in = conv_input(ctx, i, padding == "valid");
  const nn::Tensor& k = weight(layer, "kernel");  // [K, I, O]
  const int32_t taps = static_cast<int32_t>(k.dim(0));
  const int32_t dilation = static_cast<int32_t>(config_int(layer, "dilation_rate"));
  const std::string& name = layer.name();
  ConvSpec s;
  s.kh = 1;
  s.kw = taps;
  s.ci = static_cast<int32_t>(k.dim(1));
  s.co = static_cast<int32_t>(k.dim(2));
  s.filter = to_ohwi(k, 1, taps, s.ci, s.co);
  s.bias = bias_or_zeros(layer, static_cast<size_t>(s.co));
  if (in.has_affine) fold_input_affine(in.affine, s.filter, s.bias);
  if (padding == "causal") {
    // Keras left-pads the steps by dilation * (K - 1), then convolves 'valid'.
    const int32_t left = dilation * (taps - 1);
    const int32_t p = ctx.add_const_i32(name + "/paddings", {3, 2}, {0, 0, left, 0, 0, 0});
    Value padded;
    padded.shape = {1, in.shape[1] + left, in.shape[2]};
    padded.tensor = ctx.add_activation(name + "/causal_pad", padded.shape);
    ctx.emit(op::kPad, {in.tensor, p}, {padded.tensor});
    in = padded;
  }
  s.options.padding = padding == "same" ? micro::Padding::kSame : micro::Padding::kValid;
  s.options.stride_w = static_cast<int32_t>(config_int(layer, "strides"));
  s.options.dilation_w = dilation;
  // As tf.nn.conv1d: the steps become the width of a height-1 image.
  const Value image = emit_reshape(ctx, in, {1, 1, in.shape[1], in.shape[2]}, name + "/expand_dims");
  const std::vector<int32_t> out_shape = with_batch(ctx.node(i).shape);
  const Value conv = emit_conv(ctx, name + "/conv2d", image.tensor, s, {1, 1, out_shape[1], out_shape[2]});
  Value out = emit_reshape(ctx, conv, out_shape, name);
  // The reshape keeps the channel axis, so a following RELU or BatchNormalization may still fold
  // into the CONV_2D.
  out.producer_op = conv.producer_op;
  ctx.value(i) = apply_activation(ctx, out, config_activation(layer), layer);
}

}  // namespace tinyforge::convert::lower
