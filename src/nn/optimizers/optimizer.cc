// The Optimizer base (learning rate, schedule, gradient clipping as Keras 3) and the shared
// slot plumbing of slots.h.
#include <algorithm>
#include <cmath>

#include "nn/optimizers/slots.h"
#include "tinyforge/error.h"

namespace tinyforge::nn {

double Optimizer::learning_rate() const {
  return schedule_ ? schedule_->at(step_) : lr_;
}

void Optimizer::set_learning_rate(double lr) {
  if (schedule_)
    throw Error(name() +
                ": the learning rate comes from a LearningRateSchedule and cannot be set; "
                "remove the schedule (set_schedule(nullptr)) first");
  if (!(lr >= 0) || !std::isfinite(lr)) throw Error(name() + ": learning rate must be finite and >= 0");
  lr_ = lr;
}

// Keras 3 (_clip_gradients): exactly one of
//   clipnorm:        g *= clipnorm / max(||g||, clipnorm)            per param
//   global_clipnorm: g *= clip / max(sqrt(sum of all ||g||^2), clip) over all params
//   clipvalue:       g = clamp(g, -clipvalue, clipvalue)
void Optimizer::clip(std::vector<Param*>& params) const {
  const int set = (clipnorm > 0) + (global_clipnorm > 0) + (clipvalue > 0);
  if (set == 0) return;
  if (set > 1) throw Error(name() + ": only one of clipvalue, clipnorm and global_clipnorm can be set (as Keras)");
  auto sq_norm = [](const Tensor& g) {
    double s = 0;
    for (float v : g.values()) s += double(v) * double(v);
    return s;
  };
  auto scale = [](Tensor& g, double f) {
    for (float& v : g.values()) v = float(double(v) * f);
  };
  if (clipnorm > 0) {
    for (Param* p : params) {
      const double norm = std::sqrt(sq_norm(p->grad));
      if (norm > clipnorm) scale(p->grad, clipnorm / norm);
    }
  } else if (global_clipnorm > 0) {
    double total = 0;
    for (Param* p : params) total += sq_norm(p->grad);
    const double norm = std::sqrt(total);
    if (norm > global_clipnorm)
      for (Param* p : params) scale(p->grad, global_clipnorm / norm);
  } else {
    const float c = float(clipvalue);
    for (Param* p : params)
      for (float& v : p->grad.values()) v = std::clamp(v, -c, c);
  }
}

namespace opt_detail {

std::vector<Param*> trainable(const std::string& optimizer, const std::vector<Param*>& params) {
  std::vector<Param*> out;
  out.reserve(params.size());
  for (Param* p : params) {
    if (!p || !p->trainable) continue;
    if (p->grad.size() != p->value.size())
      throw Error(optimizer + ": param '" + p->name + "' " + shape_str(p->value.shape()) + " has gradient " +
                  shape_str(p->grad.shape()) + "; run backward before apply");
    out.push_back(p);
  }
  return out;
}

void ensure_slots(std::vector<Tensor>& slots, const std::vector<Param*>& ps, const std::string& optimizer,
                  const std::string& slot) {
  if (slots.empty()) {
    slots.reserve(ps.size());
    for (Param* p : ps) slots.emplace_back(p->value.shape());
    return;
  }
  if (slots.size() != ps.size())
    throw Error(optimizer + ": slot '" + slot + "' holds " + std::to_string(slots.size()) + " tensors but " +
                std::to_string(ps.size()) +
                " trainable params are being updated; the optimizer state belongs to another model or to "
                "other trainable settings (compile with a fresh optimizer)");
  for (size_t i = 0; i < ps.size(); ++i)
    if (slots[i].size() != ps[i]->value.size())
      throw Error(optimizer + ": slot '" + slot + "' tensor " + std::to_string(i) + " is " +
                  shape_str(slots[i].shape()) + " but param '" + ps[i]->name + "' is " +
                  shape_str(ps[i]->value.shape()) + "; the optimizer state does not belong to this model");
}

void apply_weight_decay(const std::vector<Param*>& ps, double weight_decay, double lr) {
  if (weight_decay <= 0) return;
  const float keep = float(1.0 - weight_decay * lr);
  for (Param* p : ps)
    for (float& v : p->value.values()) v *= keep;
}

Tensor encode_double(double v) {
  const float hi = float(v);
  const float lo = float(v - double(hi));
  return Tensor({2}, std::vector<float>{hi, lo});
}

double decode_double(const Tensor& t) {
  if (t.size() == 1) return t[0];
  if (t.size() != 2) throw Error("optimizer state: expected a 2-float scalar, got " + shape_str(t.shape()));
  return double(t[0]) + double(t[1]);
}

void put_base(State& s, int64_t step, double lr) {
  s["iterations"] = {encode_double(double(step))};
  s["learning_rate"] = {encode_double(lr)};
}

void get_base(const State& s, int64_t& step, double& lr) {
  if (auto it = s.find("iterations"); it != s.end() && !it->second.empty())
    step = static_cast<int64_t>(std::llround(decode_double(it->second[0])));
  if (auto it = s.find("learning_rate"); it != s.end() && !it->second.empty()) lr = decode_double(it->second[0]);
}

std::vector<Tensor> get_slot(const State& s, const std::string& name) {
  auto it = s.find(name);
  return it == s.end() ? std::vector<Tensor>{} : it->second;
}

}  // namespace opt_detail
}  // namespace tinyforge::nn
