// Pooling as Keras' TensorFlow graph lowers it:
//   Max/AveragePooling2D      -> MAX_POOL_2D / AVERAGE_POOL_2D
//   Max/AveragePooling1D      -> RESHAPE [1, T, 1, C] + the 2D pool (K x 1) + RESHAPE (Keras pools
//                                1D inputs as [N, T, 1, C] images)
//   GlobalAveragePooling1D/2D -> MEAN over the steps / H and W (keep_dims as keepdims), or an
//                                AVERAGE_POOL_2D over the whole image (LowerOptions)
//   GlobalMaxPooling1D/2D     -> MAX_POOL_2D over the whole image (+ RESHAPE): the micro runtime
//                                has no REDUCE_MAX
// AVERAGE_POOL_2D with 'same' divides by the real cells of each window, as Keras does.
#include "convert/lower/lowerings.h"
#include "tinyforge/error.h"

namespace tinyforge::convert::lower {

namespace {

namespace op = micro::op;

Value pool(Context& ctx, int32_t builtin, const Value& in, const OpOptions& o, std::vector<int32_t> out_shape,
           const std::string& name) {
  Value out;
  out.shape = std::move(out_shape);
  out.tensor = ctx.add_activation(name, out.shape);
  ctx.emit(builtin, {in.tensor}, {out.tensor}, o);
  return out;
}

}  // namespace

void lower_pooling(Context& ctx, size_t i) {
  const nn::Layer& layer = *ctx.node(i).layer;
  const std::string type = layer.type();
  const bool max = type.rfind("Max", 0) == 0;
  const bool one_d = type.back() == 'D' && type[type.size() - 2] == '1';
  const nlohmann::json c = layer.config();
  const Value in = ctx.input(i, 0);
  OpOptions o;
  o.padding = c.value("padding", std::string("valid")) == "same" ? micro::Padding::kSame : micro::Padding::kValid;
  const int32_t builtin = max ? op::kMaxPool2D : op::kAveragePool2D;
  const std::vector<int32_t> out_shape = with_batch(ctx.node(i).shape);
  const std::string& name = layer.name();
  if (!one_d) {
    o.filter_h = static_cast<int32_t>(config_int(layer, "pool_size", 0));
    o.filter_w = static_cast<int32_t>(config_int(layer, "pool_size", 1));
    o.stride_h = static_cast<int32_t>(config_int(layer, "strides", 0));
    o.stride_w = static_cast<int32_t>(config_int(layer, "strides", 1));
    ctx.value(i) = pool(ctx, builtin, in, o, out_shape, name);
    return;
  }
  o.filter_h = static_cast<int32_t>(config_int(layer, "pool_size"));
  o.stride_h = static_cast<int32_t>(config_int(layer, "strides"));
  const Value image = emit_reshape(ctx, in, {1, in.shape[1], 1, in.shape[2]}, name + "/expand_dims");
  const Value pooled = pool(ctx, builtin, image, o, {1, out_shape[1], 1, out_shape[2]}, name + "/pool");
  ctx.value(i) = emit_reshape(ctx, pooled, out_shape, name);
}

void lower_global_pooling(Context& ctx, size_t i) {
  const nn::Layer& layer = *ctx.node(i).layer;
  const std::string type = layer.type();
  const bool max = type.find("Max") != std::string::npos;
  const bool one_d = type.back() == 'D' && type[type.size() - 2] == '1';
  const bool keepdims = layer.config().value("keepdims", false);
  const Value in = ctx.input(i, 0);
  const std::vector<int32_t> out_shape = with_batch(ctx.node(i).shape);
  const std::string& name = layer.name();

  if (!max && ctx.options.global_average_as_mean) {
    // tf.reduce_mean over the spatial axes.
    const std::vector<int32_t> axes = one_d ? std::vector<int32_t>{1} : std::vector<int32_t>{1, 2};
    const int32_t a = ctx.add_const_i32(name + "/axes", {static_cast<int32_t>(axes.size())}, axes);
    OpOptions o;
    o.keep_dims = keepdims;
    Value out;
    out.shape = out_shape;
    out.tensor = ctx.add_activation(name, out.shape);
    ctx.emit(op::kMean, {in.tensor, a}, {out.tensor}, o);
    ctx.value(i) = out;
    return;
  }
  // One window over the whole image: [1, H, W, C] -> [1, 1, 1, C].
  Value image = in;
  if (one_d) image = emit_reshape(ctx, in, {1, in.shape[1], 1, in.shape[2]}, name + "/expand_dims");
  OpOptions o;
  o.padding = micro::Padding::kValid;
  o.filter_h = o.stride_h = image.shape[1];
  o.filter_w = o.stride_w = image.shape[2];
  const int32_t channels = image.shape[3];
  const bool needs_reshape = out_shape != std::vector<int32_t>{1, 1, 1, channels};
  const Value pooled = pool(ctx, max ? op::kMaxPool2D : op::kAveragePool2D, image, o, {1, 1, 1, channels},
                            needs_reshape ? name + "/pool" : name);
  ctx.value(i) = needs_reshape ? emit_reshape(ctx, pooled, out_shape, name) : pooled;
}

}  // namespace tinyforge::convert::lower
