// RMSprop (optionally centered, with momentum), Keras 3 update (formulas in optimizers.h;
// note epsilon sits inside the square root, unlike Adam).
#include <cmath>

#include "nn/optimizers/slots.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/optimizers.h"

namespace tinyforge::nn {

RMSprop::RMSprop(RMSpropOptions o) : o_(o) {
  if (o.rho < 0 || o.rho >= 1) throw Error("RMSprop: rho must be in [0, 1), got " + std::to_string(o.rho));
  if (o.momentum < 0) throw Error("RMSprop: momentum must be >= 0");
  lr_ = o.learning_rate;
  clipvalue = o.clipvalue;
  clipnorm = o.clipnorm;
  global_clipnorm = o.global_clipnorm;
}

RMSprop::RMSprop(double learning_rate)
    : RMSprop([&] {
        RMSpropOptions o;
        o.learning_rate = learning_rate;
        return o;
      }()) {}

void RMSprop::apply(std::vector<Param*>& params) {
  std::vector<Param*> ps = opt_detail::trainable(name(), params);
  clip(ps);
  const double lr = learning_rate();
  opt_detail::apply_weight_decay(ps, o_.weight_decay, lr);
  opt_detail::ensure_slots(velocities_, ps, name(), "velocities");
  if (o_.momentum > 0) opt_detail::ensure_slots(momentums_, ps, name(), "momentums");
  if (o_.centered) opt_detail::ensure_slots(average_gradients_, ps, name(), "average_gradients");
  const float rho = float(o_.rho), one_rho = float(1.0 - o_.rho), eps = float(o_.epsilon), flr = float(lr),
              mu = float(o_.momentum);
  for (size_t k = 0; k < ps.size(); ++k) {
    float* w = ps[k]->value.data();
    const float* g = ps[k]->grad.data();
    float* v = velocities_[k].data();
    float* m = o_.momentum > 0 ? momentums_[k].data() : nullptr;
    float* a = o_.centered ? average_gradients_[k].data() : nullptr;
    const int64_t n = ps[k]->value.size();
    for (int64_t i = 0; i < n; ++i) {
      v[i] = rho * v[i] + one_rho * g[i] * g[i];
      float d = v[i] + eps;
      if (a) {
        a[i] = rho * a[i] + one_rho * g[i];
        d = v[i] - a[i] * a[i] + eps;
      }
      const float inc = flr * g[i] / std::sqrt(d);
      if (m) {
        m[i] = mu * m[i] + inc;
        w[i] -= m[i];
      } else {
        w[i] -= inc;
      }
    }
  }
  ++step_;
}

std::map<std::string, std::vector<Tensor>> RMSprop::state() const {
  opt_detail::State s;
  opt_detail::put_base(s, step_, lr_);
  if (!velocities_.empty()) s["velocities"] = velocities_;
  if (!momentums_.empty()) s["momentums"] = momentums_;
  if (!average_gradients_.empty()) s["average_gradients"] = average_gradients_;
  return s;
}

void RMSprop::set_state(const std::map<std::string, std::vector<Tensor>>& s) {
  opt_detail::get_base(s, step_, lr_);
  velocities_ = opt_detail::get_slot(s, "velocities");
  momentums_ = opt_detail::get_slot(s, "momentums");
  average_gradients_ = opt_detail::get_slot(s, "average_gradients");
}

}  // namespace tinyforge::nn
