// compile() and the fit() loop: batches, loss + regularization, backward, optimizer step,
// metrics, validation, callbacks (Keras order), History.
#include <algorithm>
#include <cmath>

#include "nn/flush_denormals.h"
#include "nn/training/fit_internal.h"
#include "nn/training/progress_bar.h"
#include "tinyforge/error.h"

namespace tinyforge::nn {

void Model::compile(std::shared_ptr<Optimizer> optimizer, std::shared_ptr<Loss> loss,
                    std::vector<std::shared_ptr<Metric>> metrics) {
  if (!optimizer) throw Error("compile(): optimizer is null");
  if (!loss) throw Error("compile(): loss is null");
  for (const auto& m : metrics)
    if (!m) throw Error("compile(): a metric is null");
  optimizer_ = std::move(optimizer);
  loss_ = std::move(loss);
  metrics_ = std::move(metrics);
}

namespace {

// Keras turns class_weight into a per-sample weight from each sample's class index (sparse
// labels [N] / [N,1], or the argmax of one-hot labels [N,C]); unlisted classes weigh 1.
Tensor class_weights_to_samples(const std::map<int, double>& class_weight, const Tensor& y) {
  const int64_t n = y.dim(0);
  const int64_t width = n == 0 ? 1 : y.size() / n;
  Tensor w(Shape{n}, 1.0f);
  for (int64_t i = 0; i < n; ++i) {
    const float* row = y.data() + i * width;
    int64_t cls = 0;
    if (width == 1) {
      cls = std::lround(row[0]);
    } else {
      cls = std::max_element(row, row + width) - row;
    }
    auto it = class_weight.find(static_cast<int>(cls));
    if (it != class_weight.end()) w[i] = static_cast<float>(it->second);
  }
  return w;
}

std::vector<int64_t> permutation(int64_t n, bool shuffle, Rng& rng) {
  std::vector<int64_t> p(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) p[static_cast<size_t>(i)] = i;
  if (shuffle)
    for (int64_t i = n - 1; i > 0; --i)
      std::swap(p[static_cast<size_t>(i)], p[static_cast<size_t>(rng.below(static_cast<uint64_t>(i + 1)))]);
  return p;
}

}  // namespace

History Model::fit(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const FitOptions& options) {
  const ScopedFlushDenormals flush;  // the optimizer's update too, not only forward and backward
  if (!optimizer_ || !loss_) throw Error("model '" + name_ + "' must be compiled (compile()) before fit()");
  if (options.batch_size <= 0) throw Error("fit(): batch_size must be positive, got " + std::to_string(options.batch_size));
  if (options.epochs < 0) throw Error("fit(): epochs must be >= 0, got " + std::to_string(options.epochs));
  if (options.validation_split < 0 || options.validation_split >= 1)
    throw Error("fit(): validation_split must be in [0, 1), got " + std::to_string(options.validation_split));
  if (!options.class_weight.empty() && output_nodes_.size() != 1)
    throw Error("fit(): class_weight is only supported for models with one output (this one has " +
                std::to_string(output_nodes_.size()) + ")");
  const int64_t n_all = check_data(*this, x, &y, "fit");

  // Keras takes the validation rows from the END of the data, before any shuffling.
  std::vector<Tensor> x_train = x, y_train = y, x_val, y_val;
  bool has_val = false;
  if (options.validation_x || options.validation_y) {
    if (!options.validation_x || !options.validation_y)
      throw Error("fit(): validation_x and validation_y must be given together");
    check_data(*this, *options.validation_x, options.validation_y, "fit (validation data)");
    x_val = *options.validation_x;
    y_val = *options.validation_y;
    has_val = true;
  } else if (options.validation_split > 0) {
    const auto split_at = static_cast<int64_t>(std::floor(static_cast<double>(n_all) * (1.0 - options.validation_split)));
    if (split_at == 0 || split_at == n_all)
      throw Error("fit(): validation_split " + std::to_string(options.validation_split) + " of " +
                  std::to_string(n_all) + " samples leaves an empty training or validation set");
    x_train = slice_all(x, 0, split_at);
    y_train = slice_all(y, 0, split_at);
    x_val = slice_all(x, split_at, n_all);
    y_val = slice_all(y, split_at, n_all);
    has_val = true;
  }
  const int64_t n = x_train.empty() ? 0 : x_train[0].dim(0);
  if (n == 0) throw Error("fit(): no training samples");
  Tensor sample_weights;
  if (!options.class_weight.empty()) sample_weights = class_weights_to_samples(options.class_weight, y_train[0]);

  std::vector<Param*> trainable;
  for (const auto& l : layers_) {
    if (!l->trainable()) continue;
    for (Param& p : l->params())
      if (p.trainable) trainable.push_back(&p);
  }

  const int64_t bs = options.batch_size;
  const int64_t steps = (n + bs - 1) / bs;
  const auto loss_names = output_loss_names(*this);
  ProgressBar bar(options.verbose);
  History history;
  stop_training = false;
  const auto& cbs = options.callbacks;
  for (const auto& cb : cbs) cb->stop_training = false;
  for (const auto& cb : cbs) cb->on_train_begin(*this);

  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    for (const auto& cb : cbs) cb->on_epoch_begin(*this, epoch);
    // The epoch's randomness (order, dropout) is keyed by the optimizer step, so training that
    // resumes from a saved model continues with the same streams as uninterrupted training.
    Rng epoch_rng(options.seed ^ (0x9E3779B97F4A7C15ull * static_cast<uint64_t>(optimizer_->iterations() + 1)));
    const auto order = permutation(n, options.shuffle, epoch_rng);
    rng_ = epoch_rng.fork();
    for (const auto& m : metrics_) m->reset();
    bar.epoch_begin(epoch, options.epochs, steps);

    double loss_sum = 0;
    std::vector<double> per_sum(loss_names.size(), 0.0), per;
    int64_t seen = 0;
    Logs logs;
    for (int64_t s = 0; s < steps; ++s) {
      const int64_t b = s * bs, e = std::min(n, b + bs);
      std::vector<int64_t> rows(order.begin() + b, order.begin() + e);
      auto xb = gather_all(x_train, rows);
      auto yb = gather_all(y_train, rows);
      Tensor wb;
      if (!sample_weights.empty()) wb = sample_weights.gather_rows(rows);

      zero_grads();
      auto pred = forward(std::move(xb), true);
      std::vector<Tensor> grads;
      double l = outputs_loss(*loss_, yb, pred, wb.empty() ? nullptr : &wb, &grads, &per);
      backward(std::move(grads));
      l += regularization(*this, true);
      optimizer_->apply(trainable);
      for (const auto& m : metrics_) m->update(yb[0], pred[0]);

      const auto count = static_cast<double>(e - b);
      seen += e - b;
      loss_sum += l * count;
      for (size_t k = 0; k < loss_names.size(); ++k) per_sum[k] += per[k] * count;
      logs.clear();
      logs["loss"] = loss_sum / static_cast<double>(seen);
      for (size_t k = 0; k < loss_names.size(); ++k) logs[loss_names[k]] = per_sum[k] / static_cast<double>(seen);
      for (const auto& m : metrics_) logs[m->name()] = m->result();
      for (const auto& cb : cbs) cb->on_batch_end(*this, s, logs);
      bar.update(s + 1, logs);
    }
    // Free the training activations before validation allocates its own.
    node_outputs_.clear();
    calls_.clear();
    if (has_val) {
      const Logs val = evaluate_batches(*this, x_val, y_val, bs, "val_");
      logs.insert(val.begin(), val.end());
    }
    bar.epoch_end(logs);
    for (const auto& cb : cbs) cb->on_epoch_end(*this, epoch, logs);
    for (const auto& [k, v] : logs) history.history[k].push_back(v);
    history.epochs.push_back(epoch);
    bool stop = stop_training;
    for (const auto& cb : cbs) stop = stop || cb->stop_training;
    if (stop) break;
  }
  for (const auto& cb : cbs) cb->on_train_end(*this);
  return history;
}

}  // namespace tinyforge::nn
