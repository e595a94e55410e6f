// The driver: inputs, then every layer call in execution order through the lowering of its
// type, then the outputs in model order. Dropout is dropped (identity at inference).
#include <map>

#include "convert/lower/lowerings.h"
#include "tinyforge/convert/lower.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/model.h"

namespace tinyforge::convert {

namespace {

using lower::Context;
using Lowering = void (*)(Context&, size_t);

const std::map<std::string, Lowering>& lowerings() {
  static const std::map<std::string, Lowering> kTable = {
      {"Dense", lower::lower_dense},
      {"Conv2D", lower::lower_conv2d},
      {"DepthwiseConv2D", lower::lower_depthwise_conv2d},
      {"SeparableConv2D", lower::lower_separable_conv2d},
      {"Conv1D", lower::lower_conv1d},
      {"MaxPooling1D", lower::lower_pooling},
      {"MaxPooling2D", lower::lower_pooling},
      {"AveragePooling1D", lower::lower_pooling},
      {"AveragePooling2D", lower::lower_pooling},
      {"GlobalAveragePooling1D", lower::lower_global_pooling},
      {"GlobalAveragePooling2D", lower::lower_global_pooling},
      {"GlobalMaxPooling1D", lower::lower_global_pooling},
      {"GlobalMaxPooling2D", lower::lower_global_pooling},
      {"Flatten", lower::lower_reshape},
      {"Reshape", lower::lower_reshape},
      {"ZeroPadding1D", lower::lower_zero_padding},
      {"ZeroPadding2D", lower::lower_zero_padding},
      {"Add", lower::lower_merge},
      {"Multiply", lower::lower_merge},
      {"Concatenate", lower::lower_merge},
      {"BatchNormalization", lower::lower_batch_norm},
      {"Normalization", lower::lower_normalization},
      {"Rescaling", lower::lower_normalization},
      {"Activation", lower::lower_activation_layer},
      {"LSTM", lower::lower_lstm},
  };
  return kTable;
}

// Why a layer type has no lowering, for the ones we know about.
std::string rejection_reason(const std::string& type) {
  if (type == "GRU") {
    return "TFLite has no GRU builtin (Google's converter needs Flex/SELECT_TF_OPS for it, which no "
           "microcontroller runtime has); use LSTM";
  }
  return "no lowering to TFLite builtins exists for this layer type";
}

}  // namespace

Graph lower_model(const nn::Model& model, const LowerOptions& options) {
  if (model.nodes().empty() || model.input_nodes().empty()) throw Error("lowering: the model has no inputs");
  Context ctx(model, options);
  ctx.graph.description = "TinyForge lowered '" + model.name() + "'";
  const auto& nodes = model.nodes();

  for (size_t k = 0; k < model.input_nodes().size(); ++k) {
    const size_t i = ctx.node_index(model.input_nodes()[k].get());
    const nn::Node& node = ctx.node(i);
    std::string name = node.input_name;
    if (name.empty()) name = k == 0 ? "input" : "input_" + std::to_string(k);
    lower::Value v;
    v.shape = lower::with_batch(node.shape);
    v.tensor = ctx.add_activation(name, v.shape);
    ctx.value(i) = v;
    ctx.graph.inputs.push_back(v.tensor);
  }

  for (size_t i = 0; i < nodes.size(); ++i) {
    const nn::Node& node = *nodes[i];
    if (!node.layer) continue;  // an Input, done above
    const nn::Layer& layer = *node.layer;
    const std::string type = layer.type();
    if (type == "Dropout") {
      ctx.input(i, 0);
      ctx.value(i) = ctx.value(ctx.input_node(i, 0));
      continue;
    }
    auto it = lowerings().find(type);
    if (it == lowerings().end()) {
      throw Error(Context::describe(layer) + " cannot be lowered to TFLite: " + rejection_reason(type));
    }
    it->second(ctx, i);
  }

  for (const auto& out : model.output_nodes()) {
    const size_t i = ctx.node_index(out.get());
    lower::Value v = ctx.value(i);
    if (v.has_affine) v = ctx.materialize(v, ctx.graph.tensors[static_cast<size_t>(v.tensor)].name + "/out");
    ctx.graph.outputs.push_back(v.tensor);
  }
  lower::merge_reshape_chains(ctx.graph);
  ctx.graph.validate();
  return std::move(ctx.graph);
}

Graph lower_model_file(const std::string& path, const LowerOptions& options) {
  const std::shared_ptr<nn::Model> model = nn::Model::load(path);
  return lower_model(*model, options);
}

}  // namespace tinyforge::convert
