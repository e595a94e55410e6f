// Plumbing shared by the optimizers: which params to update, per-param slot tensors, decoupled
// weight decay, and the state() encoding.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tinyforge/nn/training.h"

namespace tinyforge::nn::opt_detail {

// The params apply() updates: trainable ones, each with a gradient of its own shape.
std::vector<Param*> trainable(const std::string& optimizer, const std::vector<Param*>& params);

// Gives `slots` one zero tensor per param on first use; afterwards checks it still fits, and
// throws Error (naming the optimizer and the slot) when the params changed under it.
void ensure_slots(std::vector<Tensor>& slots, const std::vector<Param*>& ps, const std::string& optimizer,
                  const std::string& slot);

// w -= w * weight_decay * lr (Keras 3 applies it before the update, with the step's lr).
void apply_weight_decay(const std::vector<Param*>& ps, double weight_decay, double lr);

// A double as two floats (hi, lo) so it survives a float32 state file.
Tensor encode_double(double v);
double decode_double(const Tensor& t);

// Base state ("iterations", "learning_rate") plus named slots.
using State = std::map<std::string, std::vector<Tensor>>;
void put_base(State& s, int64_t step, double lr);
// Reads "iterations"/"learning_rate" when present.
void get_base(const State& s, int64_t& step, double& lr);
// Copies a named slot when present (an empty vector otherwise: zeros on first apply).
std::vector<Tensor> get_slot(const State& s, const std::string& name);

}  // namespace tinyforge::nn::opt_detail
