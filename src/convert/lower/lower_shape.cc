// Layers that move or join activations: Flatten/Reshape -> RESHAPE with a constant shape (given
// both as the shape tensor and as ReshapeOptions.new_shape, which readers differ in using),
// ZeroPadding1D/2D -> PAD, Add/Multiply -> a chain of ADD/MUL (as Keras adds input by input),
// Concatenate -> CONCATENATION on the non-negative axis.
#include "convert/lower/lowerings.h"
#include "tinyforge/error.h"

namespace tinyforge::convert::lower {

namespace op = micro::op;

Value emit_reshape(Context& ctx, const Value& v, std::vector<int32_t> shape, const std::string& name) {
  const int32_t s = ctx.add_const_i32(name + "/shape", {static_cast<int32_t>(shape.size())}, shape);
  OpOptions o;
  o.new_shape = shape;
  Value out;
  out.shape = std::move(shape);
  out.tensor = ctx.add_activation(name, out.shape);
  ctx.emit(op::kReshape, {v.tensor, s}, {out.tensor}, o);
  return out;
}

void lower_reshape(Context& ctx, size_t i) {
  const Value in = ctx.input(i, 0);
  ctx.value(i) = emit_reshape(ctx, in, with_batch(ctx.node(i).shape), ctx.node(i).layer->name());
}

void lower_zero_padding(Context& ctx, size_t i) {
  const nn::Layer& layer = *ctx.node(i).layer;
  const Value in = ctx.input(i, 0);
  const nlohmann::json p = layer.config().at("padding");
  std::vector<int32_t> pads;
  if (layer.type() == "ZeroPadding1D") {
    pads = {0, 0, p[0].get<int32_t>(), p[1].get<int32_t>(), 0, 0};
  } else {
    pads = {0, 0, p[0][0].get<int32_t>(), p[0][1].get<int32_t>(), p[1][0].get<int32_t>(), p[1][1].get<int32_t>(), 0, 0};
  }
  const int32_t rank = static_cast<int32_t>(in.shape.size());
  const std::string& name = layer.name();
  const int32_t t = ctx.add_const_i32(name + "/paddings", {rank, 2}, pads);
  Value out;
  out.shape = with_batch(ctx.node(i).shape);
  out.tensor = ctx.add_activation(name, out.shape);
  ctx.emit(op::kPad, {in.tensor, t}, {out.tensor});
  ctx.value(i) = out;
}

void lower_merge(Context& ctx, size_t i) {
  const nn::Layer& layer = *ctx.node(i).layer;
  const nn::Node& node = ctx.node(i);
  const std::string& name = layer.name();
  const std::vector<int32_t> out_shape = with_batch(node.shape);
  std::vector<int32_t> inputs;
  for (size_t k = 0; k < node.inputs.size(); ++k) inputs.push_back(ctx.input(i, k).tensor);
  if (inputs.empty()) throw Error(Context::describe(layer) + " has no inputs");

  if (layer.type() == "Concatenate") {
    int32_t axis = layer.config().value("axis", -1);
    const int32_t rank = static_cast<int32_t>(out_shape.size());
    if (axis < 0) axis += rank;
    if (axis < 1 || axis >= rank) {
      throw Error(Context::describe(layer) + ": axis " + std::to_string(axis) + " cannot join inputs of rank " +
                  std::to_string(rank) + " (the batch axis 0 is not joinable)");
    }
    OpOptions o;
    o.axis = axis;
    Value out;
    out.shape = out_shape;
    out.tensor = ctx.add_activation(name, out_shape);
    out.producer_op = ctx.emit(op::kConcatenation, inputs, {out.tensor}, o);
    ctx.value(i) = out;
    return;
  }
  const int32_t builtin = layer.type() == "Multiply" ? op::kMul : op::kAdd;
  int32_t acc = inputs[0];
  int32_t last_op = -1;
  for (size_t k = 1; k < inputs.size(); ++k) {
    const bool final = k + 1 == inputs.size();
    const int32_t y = ctx.add_activation(final ? name : name + "/partial_" + std::to_string(k), out_shape);
    last_op = ctx.emit(builtin, {acc, inputs[k]}, {y});
    acc = y;
  }
  Value out;
  out.shape = out_shape;
  out.tensor = acc;
  out.producer_op = last_op;
  ctx.value(i) = out;
}

}  // namespace tinyforge::convert::lower
