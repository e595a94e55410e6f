// Pieces of compile/fit/evaluate/predict shared between their files.
#pragma once

#include <vector>

#include "tinyforge/nn/model.h"

namespace tinyforge::nn {

// Throws Error unless x/y match the model's inputs/outputs and share one batch size; returns it.
int64_t check_data(const Model& model, const std::vector<Tensor>& x, const std::vector<Tensor>* y, const char* what);

// The total loss over all outputs (one Loss applied to each, summed, as Keras does with a
// single loss), per-output losses in `per_output`, and dL/d(outputs) in `grads` when non-null.
double outputs_loss(const Loss& loss, const std::vector<Tensor>& y_true, const std::vector<Tensor>& y_pred,
                    const Tensor* sample_weight, std::vector<Tensor>* grads, std::vector<double>* per_output);

// Sum of the regularizer penalties of every Param; adds their gradients to trainable ones when
// `add_gradients`.
double regularization(Model& model, bool add_gradients);

// Evaluates batch by batch; the loss is the sample-weighted mean of batch losses (Keras' loss
// tracker), metrics are reset first. Names are prefixed with `prefix` ("val_").
Logs evaluate_batches(Model& model, const std::vector<Tensor>& x, const std::vector<Tensor>& y, int64_t batch_size,
                      const std::string& prefix);

// Keras names per-output losses "<output layer name>_loss" when a model has several outputs.
std::vector<std::string> output_loss_names(const Model& model);

std::vector<Tensor> slice_all(const std::vector<Tensor>& ts, int64_t begin, int64_t end);
std::vector<Tensor> gather_all(const std::vector<Tensor>& ts, const std::vector<int64_t>& rows);

}  // namespace tinyforge::nn
