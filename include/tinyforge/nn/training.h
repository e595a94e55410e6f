// The interfaces training is built from: losses, optimizers, metrics, callbacks, and the
// options/results of fit(). Concrete classes live in losses.h, optimizers.h, metrics.h,
// callbacks.h; Model::compile/fit/evaluate/predict (model.h) use only these interfaces.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tinyforge/nn/layer.h"
#include "tinyforge/nn/tensor.h"

namespace tinyforge::nn {

class Model;

// A loss over a batch. y_true for sparse losses holds class indices as floats, shape [N] or [N,1].
class Loss {
 public:
  virtual ~Loss() = default;
  virtual std::string name() const = 0;  // Keras name: "sparse_categorical_crossentropy"
  // Mean loss over the batch, weighted per sample when `sample_weight` is non-null ([N]).
  // Writes dL/d(y_pred) into `grad` (same shape as y_pred) for that mean.
  virtual double compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, Tensor* grad) const = 0;
};

// Adds its penalty to the loss and its gradient to a Param's grad.
class Regularizer {
 public:
  virtual ~Regularizer() = default;
  virtual double penalty(const Tensor& w) const = 0;
  virtual void add_gradient(const Tensor& w, Tensor& grad) const = 0;
};

// Learning rate as a function of the optimizer step (0-based).
class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  virtual double at(int64_t step) const = 0;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual std::string name() const = 0;
  // Applies one update to every trainable param from its grad (already averaged over the batch).
  virtual void apply(std::vector<Param*>& params) = 0;
  double learning_rate() const;  // current (after schedule / ReduceLROnPlateau)
  void set_learning_rate(double lr);
  void set_schedule(std::shared_ptr<LearningRateSchedule> s) { schedule_ = std::move(s); }
  int64_t iterations() const { return step_; }
  // Gradient clipping as Keras: by value, by each param's norm, or by the global norm (0 = off).
  double clipvalue = 0, clipnorm = 0, global_clipnorm = 0;
  // Slots (moments etc.) for save/load: name -> tensors in param order.
  virtual std::map<std::string, std::vector<Tensor>> state() const { return {}; }
  virtual void set_state(const std::map<std::string, std::vector<Tensor>>& s) { (void)s; }

 protected:
  void clip(std::vector<Param*>& params) const;
  double lr_ = 0.001;
  std::shared_ptr<LearningRateSchedule> schedule_;
  int64_t step_ = 0;
};

// A streaming metric: reset, update per batch, read the result.
class Metric {
 public:
  virtual ~Metric() = default;
  virtual std::string name() const = 0;  // "accuracy", "val_" is prefixed by fit
  virtual void reset() = 0;
  virtual void update(const Tensor& y_true, const Tensor& y_pred) = 0;
  virtual double result() const = 0;
};

using Logs = std::map<std::string, double>;

struct History {
  std::map<std::string, std::vector<double>> history;  // "loss", "accuracy", "val_loss", ...
  std::vector<int> epochs;
};

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(Model& model) { (void)model; }
  virtual void on_epoch_begin(Model& model, int epoch) {
    (void)model;
    (void)epoch;
  }
  virtual void on_batch_end(Model& model, int64_t batch, const Logs& logs) {
    (void)model;
    (void)batch;
    (void)logs;
  }
  virtual void on_epoch_end(Model& model, int epoch, const Logs& logs) {
    (void)model;
    (void)epoch;
    (void)logs;
  }
  virtual void on_train_end(Model& model) { (void)model; }
  // Set by a callback (EarlyStopping) to end training after this epoch.
  bool stop_training = false;
};

struct FitOptions {
  int epochs = 1;
  int64_t batch_size = 32;
  double validation_split = 0.0;                 // last fraction of the data, as Keras
  const std::vector<Tensor>* validation_x = nullptr;  // or explicit validation data
  const std::vector<Tensor>* validation_y = nullptr;
  bool shuffle = true;
  std::map<int, double> class_weight;            // class index -> weight
  std::vector<std::shared_ptr<Callback>> callbacks;
  int verbose = 1;                               // 0 silent, 1 progress bar, 2 one line per epoch
  uint64_t seed = 42;                            // shuffling and dropout
};

}  // namespace tinyforge::nn
