// Keras' standard callbacks for fit(): EarlyStopping, ModelCheckpoint, ReduceLROnPlateau,
// CSVLogger, LearningRateScheduler, and LambdaCallback for user code.
#pragma once

#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "tinyforge/nn/training.h"

namespace tinyforge::nn {

// Whether a monitored value improves upward: "max", "min", or "auto" (max for names holding
// "acc" or "auc", min otherwise, as Keras).
bool monitor_is_max(const std::string& monitor, const std::string& mode);

// Stops when `monitor` has not improved by more than `min_delta` for `patience` epochs.
// With restore_best_weights the model ends with the weights of its best epoch.
class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(std::string monitor = "val_loss", int patience = 0, double min_delta = 0,
                         std::string mode = "auto", bool restore_best_weights = false, int verbose = 0);
  void on_train_begin(Model& model) override;
  void on_epoch_end(Model& model, int epoch, const Logs& logs) override;
  void on_train_end(Model& model) override;
  int stopped_epoch() const { return stopped_epoch_; }  // 0-based; -1 if it never stopped
  int best_epoch() const { return best_epoch_; }
  double best() const { return best_; }

 private:
  bool improves(double current, double reference) const;
  std::string monitor_;
  int patience_;
  double min_delta_;
  bool max_;
  bool restore_;
  int verbose_;
  int wait_ = 0, stopped_epoch_ = -1, best_epoch_ = -1;
  double best_ = 0;
  std::vector<Tensor> best_weights_;
};

// Saves the model (Model::save) after each epoch, or only when `monitor` improved. The path may
// contain "{epoch}" (1-based) or "{epoch:02d}".
class ModelCheckpoint : public Callback {
 public:
  explicit ModelCheckpoint(std::string path, std::string monitor = "val_loss", bool save_best_only = false,
                           std::string mode = "auto", int verbose = 0);
  void on_epoch_end(Model& model, int epoch, const Logs& logs) override;

 private:
  std::string path_, monitor_;
  bool save_best_only_, max_;
  int verbose_;
  bool have_best_ = false;
  double best_ = 0;
};

// Multiplies the learning rate by `factor` when `monitor` stalls for `patience` epochs.
class ReduceLROnPlateau : public Callback {
 public:
  explicit ReduceLROnPlateau(std::string monitor = "val_loss", double factor = 0.1, int patience = 10,
                             double min_lr = 0.0, double min_delta = 1e-4, int cooldown = 0, std::string mode = "auto",
                             int verbose = 0);
  void on_train_begin(Model& model) override;
  void on_epoch_end(Model& model, int epoch, const Logs& logs) override;

 private:
  std::string monitor_;
  double factor_, min_lr_, min_delta_;
  int patience_, cooldown_;
  bool max_;
  int verbose_;
  int wait_ = 0, cooldown_counter_ = 0;
  bool have_best_ = false;
  double best_ = 0;
};

// Writes "epoch,<sorted log keys>" and one row per epoch to a CSV file (flushed each epoch).
class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::string path, bool append = false);
  void on_train_begin(Model& model) override;
  void on_epoch_end(Model& model, int epoch, const Logs& logs) override;
  void on_train_end(Model& model) override;

 private:
  std::string path_;
  bool append_;
  std::ofstream out_;
  std::vector<std::string> keys_;
};

// Sets the learning rate at each epoch start from fn(epoch (0-based), current lr).
class LearningRateScheduler : public Callback {
 public:
  explicit LearningRateScheduler(std::function<double(int, double)> fn, int verbose = 0);
  void on_epoch_begin(Model& model, int epoch) override;

 private:
  std::function<double(int, double)> fn_;
  int verbose_;
};

// User code at each hook; unset members do nothing.
class LambdaCallback : public Callback {
 public:
  std::function<void(Model&)> train_begin, train_end;
  std::function<void(Model&, int)> epoch_begin;
  std::function<void(Model&, int, const Logs&)> epoch_end;
  std::function<void(Model&, int64_t, const Logs&)> batch_end;

  void on_train_begin(Model& model) override {
    if (train_begin) train_begin(model);
  }
  void on_epoch_begin(Model& model, int epoch) override {
    if (epoch_begin) epoch_begin(model, epoch);
  }
  void on_batch_end(Model& model, int64_t batch, const Logs& logs) override {
    if (batch_end) batch_end(model, batch, logs);
  }
  void on_epoch_end(Model& model, int epoch, const Logs& logs) override {
    if (epoch_end) epoch_end(model, epoch, logs);
  }
  void on_train_end(Model& model) override {
    if (train_end) train_end(model);
  }
};

}  // namespace tinyforge::nn
