// SGD with optional (Nesterov) momentum, Keras 3 update (formulas in optimizers.h).
#include "nn/optimizers/slots.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/optimizers.h"

namespace tinyforge::nn {

SGD::SGD(SGDOptions o) : o_(o) {
  if (o.momentum < 0 || o.momentum > 1)
    throw Error("SGD: momentum must be in [0, 1], got " + std::to_string(o.momentum));
  lr_ = o.learning_rate;
  clipvalue = o.clipvalue;
  clipnorm = o.clipnorm;
  global_clipnorm = o.global_clipnorm;
}

SGD::SGD(double learning_rate, double momentum, bool nesterov)
    : SGD([&] {
        SGDOptions o;
        o.learning_rate = learning_rate;
        o.momentum = momentum;
        o.nesterov = nesterov;
        return o;
      }()) {}

void SGD::apply(std::vector<Param*>& params) {
  std::vector<Param*> ps = opt_detail::trainable(name(), params);
  clip(ps);
  const double lr = learning_rate();
  opt_detail::apply_weight_decay(ps, o_.weight_decay, lr);
  const float flr = float(lr), mu = float(o_.momentum);
  if (o_.momentum > 0) opt_detail::ensure_slots(momentums_, ps, name(), "momentums");
  for (size_t k = 0; k < ps.size(); ++k) {
    float* w = ps[k]->value.data();
    const float* g = ps[k]->grad.data();
    const int64_t n = ps[k]->value.size();
    if (o_.momentum > 0) {
      float* m = momentums_[k].data();
      for (int64_t i = 0; i < n; ++i) {
        m[i] = mu * m[i] - flr * g[i];
        w[i] += o_.nesterov ? mu * m[i] - flr * g[i] : m[i];
      }
    } else {
      for (int64_t i = 0; i < n; ++i) w[i] -= flr * g[i];
    }
  }
  ++step_;
}

std::map<std::string, std::vector<Tensor>> SGD::state() const {
  opt_detail::State s;
  opt_detail::put_base(s, step_, lr_);
  if (!momentums_.empty()) s["momentums"] = momentums_;
  return s;
}

void SGD::set_state(const std::map<std::string, std::vector<Tensor>>& s) {
  opt_detail::get_base(s, step_, lr_);
  momentums_ = opt_detail::get_slot(s, "momentums");
}

}  // namespace tinyforge::nn
