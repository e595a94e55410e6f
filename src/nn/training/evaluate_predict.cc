// evaluate() and predict(), and the batch helpers fit() shares with them.
#include <algorithm>

#include "nn/flush_denormals.h"
#include "nn/training/fit_internal.h"
#include "tinyforge/error.h"

namespace tinyforge::nn {

int64_t check_data(const Model& model, const std::vector<Tensor>& x, const std::vector<Tensor>* y, const char* what) {
  const std::string m = "model '" + model.name() + "' " + what + ": ";
  if (x.size() != model.input_shapes().size())
    throw Error(m + "got " + std::to_string(x.size()) + " input array(s), the model has " +
                std::to_string(model.input_shapes().size()) + " input(s)");
  if (y && y->size() != model.output_shapes().size())
    throw Error(m + "got " + std::to_string(y->size()) + " target array(s), the model has " +
                std::to_string(model.output_shapes().size()) + " output(s)");
  int64_t n = -1;
  auto check_rows = [&](const Tensor& t, const std::string& label) {
    if (t.rank() < 1) throw Error(m + label + " has no batch dimension");
    if (n >= 0 && t.dim(0) != n)
      throw Error(m + label + " has " + std::to_string(t.dim(0)) + " samples but the first input has " +
                  std::to_string(n));
    n = t.dim(0);
  };
  for (size_t i = 0; i < x.size(); ++i) {
    check_rows(x[i], "x[" + std::to_string(i) + "]");
    if (x[i].sample_shape() != model.input_shapes()[i])
      throw Error(m + "x[" + std::to_string(i) + "] has samples of shape " + shape_str(x[i].sample_shape()) +
                  ", the model input expects " + shape_str(model.input_shapes()[i]));
  }
  if (y)
    for (size_t i = 0; i < y->size(); ++i) check_rows((*y)[i], "y[" + std::to_string(i) + "]");
  return n;
}

double outputs_loss(const Loss& loss, const std::vector<Tensor>& y_true, const std::vector<Tensor>& y_pred,
                    const Tensor* sample_weight, std::vector<Tensor>* grads, std::vector<double>* per_output) {
  double total = 0;
  if (grads) grads->assign(y_pred.size(), Tensor());
  if (per_output) per_output->assign(y_pred.size(), 0.0);
  for (size_t k = 0; k < y_pred.size(); ++k) {
    Tensor* g = nullptr;
    if (grads) {
      (*grads)[k] = Tensor(y_pred[k].shape());
      g = &(*grads)[k];
    }
    const double l = loss.compute(y_true[k], y_pred[k], sample_weight, g);
    total += l;
    if (per_output) (*per_output)[k] = l;
  }
  return total;
}

double regularization(Model& model, bool add_gradients) {
  double penalty = 0;
  for (const auto& layer : model.layers()) {
    for (Param& p : layer->params()) {
      if (!p.regularizer) continue;
      penalty += p.regularizer->penalty(p.value);
      if (add_gradients && p.trainable && layer->trainable()) {
        if (p.grad.shape() != p.value.shape()) p.grad = Tensor(p.value.shape());
        p.regularizer->add_gradient(p.value, p.grad);
      }
    }
  }
  return penalty;
}

std::vector<std::string> output_loss_names(const Model& model) {
  std::vector<std::string> names;
  if (model.output_nodes().size() < 2) return names;
  for (size_t k = 0; k < model.output_nodes().size(); ++k) {
    const auto& node = model.output_nodes()[k];
    std::string base = node->layer ? node->layer->name() : "output_" + std::to_string(k);
    names.push_back(base + "_loss");
  }
  return names;
}

std::vector<Tensor> slice_all(const std::vector<Tensor>& ts, int64_t begin, int64_t end) {
  std::vector<Tensor> out;
  out.reserve(ts.size());
  for (const auto& t : ts) out.push_back(t.slice_rows(begin, end));
  return out;
}

std::vector<Tensor> gather_all(const std::vector<Tensor>& ts, const std::vector<int64_t>& rows) {
  std::vector<Tensor> out;
  out.reserve(ts.size());
  for (const auto& t : ts) out.push_back(t.gather_rows(rows));
  return out;
}

Logs evaluate_batches(Model& model, const std::vector<Tensor>& x, const std::vector<Tensor>& y, int64_t batch_size,
                      const std::string& prefix) {
  if (!model.loss()) throw Error("model '" + model.name() + "' must be compiled (compile()) before evaluate()");
  if (batch_size <= 0) throw Error("batch_size must be positive, got " + std::to_string(batch_size));
  const int64_t n = check_data(model, x, &y, "evaluate");
  for (const auto& m : model.metrics()) m->reset();
  const auto names = output_loss_names(model);
  double loss_sum = 0;
  std::vector<double> per_sum(names.size(), 0.0), per;
  for (int64_t b = 0; b < n; b += batch_size) {
    const int64_t e = std::min(n, b + batch_size);
    auto xb = slice_all(x, b, e);
    auto yb = slice_all(y, b, e);
    auto pred = model.forward(std::move(xb), false);
    const double l = outputs_loss(*model.loss(), yb, pred, nullptr, nullptr, &per) + regularization(model, false);
    loss_sum += l * static_cast<double>(e - b);
    for (size_t k = 0; k < names.size(); ++k) per_sum[k] += per[k] * static_cast<double>(e - b);
    for (const auto& m : model.metrics()) m->update(yb[0], pred[0]);
  }
  Logs logs;
  const double count = static_cast<double>(std::max<int64_t>(n, 1));
  logs[prefix + "loss"] = loss_sum / count;
  for (size_t k = 0; k < names.size(); ++k) logs[prefix + names[k]] = per_sum[k] / count;
  for (const auto& m : model.metrics()) logs[prefix + m->name()] = m->result();
  return logs;
}

Logs Model::evaluate(const std::vector<Tensor>& x, const std::vector<Tensor>& y, int64_t batch_size) {
  const ScopedFlushDenormals flush;
  return evaluate_batches(*this, x, y, batch_size, "");
}

std::vector<Tensor> Model::predict(const std::vector<Tensor>& x, int64_t batch_size) {
  const ScopedFlushDenormals flush;
  if (batch_size <= 0) throw Error("batch_size must be positive, got " + std::to_string(batch_size));
  const int64_t n = check_data(*this, x, nullptr, "predict");
  std::vector<Tensor> out;
  for (const auto& s : output_shapes_) {
    Shape full = s;
    full.insert(full.begin(), n);
    out.emplace_back(full);
  }
  for (int64_t b = 0; b < n; b += batch_size) {
    const int64_t e = std::min(n, b + batch_size);
    auto pred = forward(slice_all(x, b, e), false);
    for (size_t k = 0; k < out.size(); ++k) {
      const int64_t row = shape_size(output_shapes_[k]);
      std::copy(pred[k].data(), pred[k].data() + pred[k].size(), out[k].data() + b * row);
    }
  }
  // Inference keeps no per-call state worth holding on to.
  node_outputs_.clear();
  calls_.clear();
  return out;
}

}  // namespace tinyforge::nn
