// Pieces the LSTM and GRU layers share: gate activations (with derivatives taken from the
// activation's output, which is what the layers keep for backward), the Keras initializers
// they accept (orthogonal included), input checks and sequence helpers.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinyforge/nn/backend.h"
#include "tinyforge/nn/initializers.h"
#include "tinyforge/nn/layer.h"
#include "tinyforge/nn/random.h"
#include "tinyforge/nn/tensor.h"

namespace tinyforge::nn::recurrent {

enum class Activation { kTanh, kSigmoid, kRelu, kLinear, kHardSigmoid };

// Throws Error naming the layer for an activation the recurrent layers do not support.
Activation parse_activation(const std::string& name, const std::string& layer);
float activate(Activation a, float x);
// d activation / dx at the x for which activate(a, x) == y.
float derivative_from_output(Activation a, float y);

// A weight of `shape` from `init`: "orthogonal" here, everything else through initializers.h.
// Errors name the layer.
Tensor initial_weight(const Initializer& init, const Shape& shape, Rng& rng, const std::string& layer);
// Keras' Orthogonal(gain=1): rows (or columns, whichever are fewer) orthonormal, from the QR of
// a seeded normal matrix. `t` must have rank 2.
void orthogonal(Tensor& t, Rng& rng);

// Checks one [T, F] per-sample input; returns F. Throws Error naming the layer.
int64_t check_input(const std::vector<Shape>& inputs, const std::string& type, const std::string& layer);
// Checks a batch [N, T, F] against the built feature size; throws Error naming the layer.
void check_batch(const Tensor& x, int64_t features, const std::string& type, const std::string& layer);

// [N, T, F] with the time axis reversed (for go_backwards).
Tensor reverse_time(const Tensor& x);

// Makes sure a parameter gradient exists (zeros of the value's shape) before accumulating.
void ensure_grad(Tensor& grad, const Shape& shape);

// Hidden states shifted one step later along time ([N, T, U] -> h_prev, zeros at step 0).
Tensor previous_states(const Tensor& hs);

// dL/dh_s of sample b, unit j from the layer's output gradient: every step's (return_sequences)
// or only the last one's.
float output_gradient(const Tensor& d_output, bool sequences, int64_t b, int64_t s, int64_t steps, int64_t u,
                      int64_t j);

// The bias gradient BPTT adds into, made to exist (zeros) first; null when there is no bias or it
// is not trained (`trainable`: the layer's flag).
float* bias_gradient(Param* bias, bool trainable);

// Adds h_{t-1}^T d ([U, G]) into the recurrent kernel's gradient, made to exist first, when it is
// trained; hs [N, T, U] are the layer's states and d [N, T, G] the gradients of what h_{t-1} U
// feeds.
void add_recurrent_kernel_gradient(Backend& be, const Tensor& hs, const Tensor& d, Param& rec, bool trainable);

// The input side of BPTT, from dg [N, T, G], the gradients of the input projection's
// pre-activations (x [N, T, F] times kernel [F, G]): adds the kernel gradient (when `trainable`
// and the kernel is), adds dg's column sums into `db` (may be null), and returns dL/dx.
Tensor input_side_gradients(Backend& be, const Tensor& x, const Tensor& dg, Param& kernel, float* db, bool trainable);

}  // namespace tinyforge::nn::recurrent
