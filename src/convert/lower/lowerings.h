// The per-layer lowerings (one file per layer family) and the folding helpers they share.
// Each lowering reads node i's inputs from the Context and sets ctx.value(i).
#pragma once

#include <cstddef>
#include <string>

#include "convert/lower/lower_context.h"
#include "tinyforge/nn/activations.h"

namespace tinyforge::convert::lower {

// lower_dense_conv.cc
void lower_dense(Context& ctx, size_t i);
void lower_conv2d(Context& ctx, size_t i);
void lower_depthwise_conv2d(Context& ctx, size_t i);
void lower_separable_conv2d(Context& ctx, size_t i);
void lower_conv1d(Context& ctx, size_t i);
// lower_pooling.cc
void lower_pooling(Context& ctx, size_t i);
void lower_global_pooling(Context& ctx, size_t i);
// lower_shape.cc
void lower_reshape(Context& ctx, size_t i);  // Flatten and Reshape
// RESHAPE of v to a constant shape (shape tensor and ReshapeOptions.new_shape), output `name`.
Value emit_reshape(Context& ctx, const Value& v, std::vector<int32_t> shape, const std::string& name);
void lower_zero_padding(Context& ctx, size_t i);
void lower_merge(Context& ctx, size_t i);  // Add, Multiply, Concatenate
// lower_normalize.cc
void lower_batch_norm(Context& ctx, size_t i);
void lower_normalization(Context& ctx, size_t i);  // Normalization and Rescaling
// lower_activation.cc
void lower_activation_layer(Context& ctx, size_t i);
// lower_lstm.cc
void lower_lstm(Context& ctx, size_t i);

// lower_cleanup.cc: RESHAPE of RESHAPE -> one RESHAPE; unused tensors dropped.
void merge_reshape_chains(Graph& g);

// --- folding helpers (lower_fold.cc, lower_activation.cc) ---

// The activation named in a core layer's config ("activation", "activation_alpha").
nn::ActivationFn config_activation(const nn::Layer& layer);
// Applies `act` to v, the output of an op just emitted for `layer`: fused into that op when
// TFLite allows it (RELU, RELU6), else a separate op. Throws Error naming the layer when the
// runtime has no kernel for the activation.
Value apply_activation(Context& ctx, Value v, const nn::ActivationFn& act, const nn::Layer& layer);
// Fuses RELU/RELU6 into the op that wrote node src's value when that op takes a fused
// activation, has none yet, and nothing else reads the value. Returns whether it did.
bool try_fuse_activation(Context& ctx, size_t src, const nn::ActivationFn& act, const std::string& name);
// Folds y = x * bn.scale + bn.shift (per output channel) into the weights and bias of the
// FULLY_CONNECTED / CONV_2D / DEPTHWISE_CONV_2D that wrote node src's value, when nothing else
// reads it and it has no fused activation. Returns whether it did.
bool try_fold_affine_into_producer(Context& ctx, size_t src, const Affine& bn, const std::string& name);
// Renames the output of a fused op so it tells every layer it now stands for.
void append_fused_name(Context& ctx, int32_t tensor, const std::string& layer_name);

// Config helpers.
int64_t config_int(const nn::Layer& layer, const char* key, size_t index = 0);

}  // namespace tinyforge::convert::lower
