// Lowering: a trained nn::Model to a float32 TFLite-level Graph, one op per layer as Google's
// converter lowers the same Keras model (batch fixed to 1), ready for write_tflite().
//
//   auto model = nn::Model::load("kws.tfm");
//   convert::Graph g = convert::lower_model(*model);
//   file_util::write_file_atomic("kws_float.tflite", convert::write_tflite(g));
//
// The table of layers and the ops they become, the folding rules and what is rejected (with
// the reason) are in docs/conversion.md. Every rejection is an Error naming the layer.
#pragma once

#include <string>

#include "tinyforge/convert/graph.h"

namespace tinyforge::nn {
class Model;
}

namespace tinyforge::convert {

struct LowerOptions {
  // BatchNormalization after a Dense/Conv (with no activation in between) becomes part of that
  // op's weights and bias, as Google's converter does; otherwise (or when false) MUL + ADD.
  bool fold_batch_norm = true;
  // Normalization/Rescaling right before a Dense or a 'valid' convolution is folded into its
  // weights and bias (exact: no padding sees the shifted zeros); otherwise (or when false) MUL + ADD.
  bool fold_preprocessing = true;
  // Dense without a bias: the bias input absent (-1), as Google's converter writes it, or (true)
  // a zero bias for readers that reject absent inputs (Arm NN 20.08's TfLite parser does).
  bool dense_zero_bias = false;
  // GlobalAveragePooling as MEAN (what Google's converter writes) or as AVERAGE_POOL_2D.
  bool global_average_as_mean = true;
};

// Throws Error naming the layer when a layer (or one of its options) has no lowering the micro
// runtime can run. The result has passed Graph::validate().
Graph lower_model(const nn::Model& model, const LowerOptions& options = {});
// Loads a .tfm (nn::Model::save) and lowers it.
Graph lower_model_file(const std::string& path, const LowerOptions& options = {});

}  // namespace tinyforge::convert
