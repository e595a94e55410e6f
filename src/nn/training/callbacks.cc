// The standard callbacks, following Keras' rules for improvement, patience and cooldown.
#include "tinyforge/nn/callbacks.h"

#include <cmath>
#include <cstdio>

#include "tinyforge/error.h"
#include "tinyforge/nn/model.h"

namespace tinyforge::nn {

namespace {

double monitored(const Logs& logs, const std::string& monitor, const char* who) {
  auto it = logs.find(monitor);
  if (it != logs.end()) return it->second;
  std::string keys;
  for (const auto& [k, v] : logs) keys += (keys.empty() ? "" : ", ") + k;
  throw Error(std::string(who) + " monitors '" + monitor + "', which fit() does not report (available: " + keys +
              ")" + (monitor.rfind("val_", 0) == 0 ? "; pass validation data or validation_split" : ""));
}

std::string expand_epoch(std::string path, int epoch) {
  const std::string one = std::to_string(epoch + 1);
  char two[16];
  std::snprintf(two, sizeof two, "%02d", epoch + 1);
  for (const auto& [pat, rep] : {std::pair<std::string, std::string>{"{epoch:02d}", two}, {"{epoch}", one}}) {
    for (size_t p; (p = path.find(pat)) != std::string::npos;) path.replace(p, pat.size(), rep);
  }
  return path;
}

}  // namespace

bool monitor_is_max(const std::string& monitor, const std::string& mode) {
  if (mode == "max") return true;
  if (mode == "min") return false;
  if (mode != "auto") throw Error("callback mode must be 'auto', 'min' or 'max', got '" + mode + "'");
  return monitor.find("acc") != std::string::npos || monitor.find("auc") != std::string::npos;
}

// --- EarlyStopping ---

EarlyStopping::EarlyStopping(std::string monitor, int patience, double min_delta, std::string mode,
                             bool restore_best_weights, int verbose)
    : monitor_(std::move(monitor)),
      patience_(patience),
      min_delta_(std::fabs(min_delta)),
      max_(monitor_is_max(monitor_, mode)),
      restore_(restore_best_weights),
      verbose_(verbose) {}

bool EarlyStopping::improves(double current, double reference) const {
  return max_ ? current - min_delta_ > reference : current + min_delta_ < reference;
}

void EarlyStopping::on_train_begin(Model& model) {
  (void)model;
  wait_ = 0;
  stopped_epoch_ = -1;
  best_epoch_ = -1;
  best_ = max_ ? -INFINITY : INFINITY;
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(Model& model, int epoch, const Logs& logs) {
  const double current = monitored(logs, monitor_, "EarlyStopping");
  ++wait_;
  if (improves(current, best_)) {
    best_ = current;
    best_epoch_ = epoch;
    if (restore_) best_weights_ = model.get_weights();
    wait_ = 0;
    return;
  }
  if (wait_ >= patience_ && epoch > 0) {
    stopped_epoch_ = epoch;
    stop_training = true;
  }
}

void EarlyStopping::on_train_end(Model& model) {
  if (stopped_epoch_ >= 0 && verbose_ > 0) std::printf("Epoch %d: early stopping\n", stopped_epoch_ + 1);
  if (restore_ && !best_weights_.empty()) {
    if (verbose_ > 0) std::printf("Restoring model weights from the end of the best epoch: %d.\n", best_epoch_ + 1);
    model.set_weights(best_weights_);
  }
}

// --- ModelCheckpoint ---

ModelCheckpoint::ModelCheckpoint(std::string path, std::string monitor, bool save_best_only, std::string mode,
                                 int verbose)
    : path_(std::move(path)),
      monitor_(std::move(monitor)),
      save_best_only_(save_best_only),
      max_(monitor_is_max(monitor_, mode)),
      verbose_(verbose) {}

void ModelCheckpoint::on_epoch_end(Model& model, int epoch, const Logs& logs) {
  const std::string path = expand_epoch(path_, epoch);
  if (save_best_only_) {
    const double current = monitored(logs, monitor_, "ModelCheckpoint");
    const bool better = !have_best_ || (max_ ? current > best_ : current < best_);
    if (!better) return;
    if (verbose_ > 0)
      std::printf("Epoch %d: %s improved to %.5f, saving model to %s\n", epoch + 1, monitor_.c_str(), current,
                  path.c_str());
    have_best_ = true;
    best_ = current;
  } else if (verbose_ > 0) {
    std::printf("Epoch %d: saving model to %s\n", epoch + 1, path.c_str());
  }
  model.save(path);
}

// --- ReduceLROnPlateau ---

ReduceLROnPlateau::ReduceLROnPlateau(std::string monitor, double factor, int patience, double min_lr,
                                     double min_delta, int cooldown, std::string mode, int verbose)
    : monitor_(std::move(monitor)),
      factor_(factor),
      min_lr_(min_lr),
      min_delta_(std::fabs(min_delta)),
      patience_(patience),
      cooldown_(cooldown),
      max_(monitor_is_max(monitor_, mode)),
      verbose_(verbose) {
  if (!(factor > 0 && factor < 1)) throw Error("ReduceLROnPlateau factor must be in (0, 1), got " + std::to_string(factor));
}

void ReduceLROnPlateau::on_train_begin(Model& model) {
  (void)model;
  wait_ = 0;
  cooldown_counter_ = 0;
  have_best_ = false;
}

void ReduceLROnPlateau::on_epoch_end(Model& model, int epoch, const Logs& logs) {
  const double current = monitored(logs, monitor_, "ReduceLROnPlateau");
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    wait_ = 0;
  }
  const bool better = !have_best_ || (max_ ? current > best_ + min_delta_ : current < best_ - min_delta_);
  if (better) {
    have_best_ = true;
    best_ = current;
    wait_ = 0;
    return;
  }
  if (cooldown_counter_ > 0) return;
  if (++wait_ < patience_) return;
  Optimizer& opt = *model.optimizer();
  const double old_lr = opt.learning_rate();
  if (old_lr > min_lr_) {
    const double new_lr = std::max(old_lr * factor_, min_lr_);
    opt.set_learning_rate(new_lr);
    if (verbose_ > 0) std::printf("Epoch %d: ReduceLROnPlateau reducing learning rate to %g.\n", epoch + 1, new_lr);
    cooldown_counter_ = cooldown_;
    wait_ = 0;
  }
}

// --- CSVLogger ---

CSVLogger::CSVLogger(std::string path, bool append) : path_(std::move(path)), append_(append) {}

void CSVLogger::on_train_begin(Model& model) {
  (void)model;
  keys_.clear();
  out_.open(path_, append_ ? std::ios::app : std::ios::trunc);
  if (!out_) throw Error("CSVLogger cannot write '" + path_ + "'");
}

void CSVLogger::on_epoch_end(Model& model, int epoch, const Logs& logs) {
  (void)model;
  if (keys_.empty()) {
    for (const auto& [k, v] : logs) keys_.push_back(k);  // Logs is sorted, as Keras sorts keys
    if (!append_ || out_.tellp() == 0) {
      out_ << "epoch";
      for (const auto& k : keys_) out_ << ',' << k;
      out_ << '\n';
    }
  }
  out_ << epoch;
  char buf[64];
  for (const auto& k : keys_) {
    auto it = logs.find(k);
    if (it == logs.end()) {
      out_ << ",NA";
    } else {
      std::snprintf(buf, sizeof buf, ",%.17g", it->second);
      out_ << buf;
    }
  }
  out_ << '\n';
  out_.flush();
}

void CSVLogger::on_train_end(Model& model) {
  (void)model;
  out_.close();
}

// --- LearningRateScheduler ---

LearningRateScheduler::LearningRateScheduler(std::function<double(int, double)> fn, int verbose)
    : fn_(std::move(fn)), verbose_(verbose) {
  if (!fn_) throw Error("LearningRateScheduler needs a function");
}

void LearningRateScheduler::on_epoch_begin(Model& model, int epoch) {
  if (!model.optimizer()) throw Error("LearningRateScheduler: the model is not compiled");
  Optimizer& opt = *model.optimizer();
  const double lr = fn_(epoch, opt.learning_rate());
  if (!std::isfinite(lr) || lr < 0)
    throw Error("LearningRateScheduler returned an invalid learning rate " + std::to_string(lr));
  opt.set_learning_rate(lr);
  if (verbose_ > 0) std::printf("\nEpoch %d: LearningRateScheduler setting learning rate to %g.\n", epoch + 1, lr);
}

}  // namespace tinyforge::nn
