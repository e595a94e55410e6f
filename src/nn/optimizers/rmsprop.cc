// RMSprop (optionally centered, with momentum), Keras 3 update (formulas in optimizers.h;
// note epsilon sits inside the square root, unlike Adam).
#include <cmath>

#include "nn/optimizers/slots.h"
#include "nn/parallel_chunks.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/optimizers.h"

namespace tinyforge::nn {

namespace {

// One stretch of a parameter's update. Centering and momentum are template arguments and the
// buffers restrict-qualified, so each variant is a branch-free loop the compiler vectorizes (with
// the branches inside and the buffers behind plain pointers it stayed scalar). a and m are unused
// (and may be null) without centering or momentum.
template <bool kCentered, bool kMomentum>
void rmsprop_update(int64_t n, const float* __restrict g, float* __restrict v, float* __restrict a,
                    float* __restrict m, float* __restrict w, float rho, float one_rho, float eps, float lr,
                    float mu) {
  for (int64_t i = 0; i < n; ++i) {
    v[i] = rho * v[i] + one_rho * g[i] * g[i];
    float d = v[i] + eps;
    if constexpr (kCentered) {
      a[i] = rho * a[i] + one_rho * g[i];
      d = v[i] - a[i] * a[i] + eps;
    }
    const float inc = lr * g[i] / std::sqrt(d);
    if constexpr (kMomentum) {
      m[i] = mu * m[i] + inc;
      w[i] -= m[i];
    } else {
      w[i] -= inc;
    }
  }
}

}  // namespace

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
    // Every weight updates on its own: large tensors are shared between threads.
    for_chunks(ps[k]->value.size(), 1, [&](int64_t i0, int64_t i1) {
      const int64_t n = i1 - i0;
      float* ai = a ? a + i0 : nullptr;
      float* mi = m ? m + i0 : nullptr;
      if (a && m)
        rmsprop_update<true, true>(n, g + i0, v + i0, ai, mi, w + i0, rho, one_rho, eps, flr, mu);
      else if (a)
        rmsprop_update<true, false>(n, g + i0, v + i0, ai, mi, w + i0, rho, one_rho, eps, flr, mu);
      else if (m)
        rmsprop_update<false, true>(n, g + i0, v + i0, ai, mi, w + i0, rho, one_rho, eps, flr, mu);
      else
        rmsprop_update<false, false>(n, g + i0, v + i0, ai, mi, w + i0, rho, one_rho, eps, flr, mu);
    });
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
