// Adam (optionally AMSGrad) and AdamW, Keras 3 update (formulas in optimizers.h). AdamW is
// Adam with weight_decay > 0: the decay is decoupled (applied to the weights, not the grads).
#include <algorithm>
#include <cmath>

#include "nn/optimizers/slots.h"
#include "nn/parallel_chunks.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/optimizers.h"

namespace tinyforge::nn {

namespace {

// One stretch of a parameter's update, with the buffers restrict-qualified: the compiler then
// knows they do not overlap and vectorizes the loop (through the lambda's captured pointers it did
// not, and Adam was half of a fmnist_mlp training step). vh is unused (and may be null) without
// AMSGrad.
template <bool kAmsgrad>
void adam_update(int64_t n, const float* __restrict g, float* __restrict m, float* __restrict v,
                 float* __restrict vh, float* __restrict w, float alpha, float one_b1, float one_b2, float eps) {
  for (int64_t i = 0; i < n; ++i) {
    m[i] += (g[i] - m[i]) * one_b1;
    v[i] += (g[i] * g[i] - v[i]) * one_b2;
    float denom = v[i];
    if constexpr (kAmsgrad) {
      vh[i] = std::max(vh[i], v[i]);
      denom = vh[i];
    }
    w[i] -= alpha * m[i] / (std::sqrt(denom) + eps);
  }
}

}  // namespace

Adam::Adam(AdamOptions o) : o_(o) {
  if (o.beta_1 < 0 || o.beta_1 >= 1 || o.beta_2 < 0 || o.beta_2 >= 1)
    throw Error(name() + ": beta_1 and beta_2 must be in [0, 1)");
  lr_ = o.learning_rate;
  clipvalue = o.clipvalue;
  clipnorm = o.clipnorm;
  global_clipnorm = o.global_clipnorm;
}

Adam::Adam(double learning_rate)
    : Adam([&] {
        AdamOptions o;
        o.learning_rate = learning_rate;
        return o;
      }()) {}

void Adam::apply(std::vector<Param*>& params) {
  std::vector<Param*> ps = opt_detail::trainable(name(), params);
  clip(ps);
  const double lr = learning_rate();
  opt_detail::apply_weight_decay(ps, o_.weight_decay, lr);
  opt_detail::ensure_slots(momentums_, ps, name(), "momentums");
  opt_detail::ensure_slots(velocities_, ps, name(), "velocities");
  if (o_.amsgrad) opt_detail::ensure_slots(velocity_hats_, ps, name(), "velocity_hats");
  const double t = double(step_ + 1);
  const float alpha = float(lr * std::sqrt(1.0 - std::pow(o_.beta_2, t)) / (1.0 - std::pow(o_.beta_1, t)));
  const float one_b1 = float(1.0 - o_.beta_1), one_b2 = float(1.0 - o_.beta_2), eps = float(o_.epsilon);
  // Every weight updates on its own: all parameters are one pass, split between threads.
  std::vector<int64_t> sizes;
  for (const Param* p : ps) sizes.push_back(p->value.size());
  for_chunks_of_all(sizes, [&](size_t k, int64_t i0, int64_t i1) {
    float* w = ps[k]->value.data() + i0;
    const float* g = ps[k]->grad.data() + i0;
    float* m = momentums_[k].data() + i0;
    float* v = velocities_[k].data() + i0;
    if (o_.amsgrad)
      adam_update<true>(i1 - i0, g, m, v, velocity_hats_[k].data() + i0, w, alpha, one_b1, one_b2, eps);
    else
      adam_update<false>(i1 - i0, g, m, v, nullptr, w, alpha, one_b1, one_b2, eps);
  });
  ++step_;
}

std::map<std::string, std::vector<Tensor>> Adam::state() const {
  opt_detail::State s;
  opt_detail::put_base(s, step_, lr_);
  if (!momentums_.empty()) s["momentums"] = momentums_;
  if (!velocities_.empty()) s["velocities"] = velocities_;
  if (!velocity_hats_.empty()) s["velocity_hats"] = velocity_hats_;
  return s;
}

void Adam::set_state(const std::map<std::string, std::vector<Tensor>>& s) {
  opt_detail::get_base(s, step_, lr_);
  momentums_ = opt_detail::get_slot(s, "momentums");
  velocities_ = opt_detail::get_slot(s, "velocities");
  velocity_hats_ = opt_detail::get_slot(s, "velocity_hats");
}

AdamW::AdamW(AdamWOptions o)
    : Adam(AdamOptions{.learning_rate = o.learning_rate,
                       .beta_1 = o.beta_1,
                       .beta_2 = o.beta_2,
                       .epsilon = o.epsilon,
                       .amsgrad = o.amsgrad,
                       .weight_decay = o.weight_decay,
                       .clipvalue = o.clipvalue,
                       .clipnorm = o.clipnorm,
                       .global_clipnorm = o.global_clipnorm}) {}

AdamW::AdamW(double learning_rate, double weight_decay)
    : AdamW([&] {
        AdamWOptions o;
        o.learning_rate = learning_rate;
        o.weight_decay = weight_decay;
        return o;
      }()) {}

}  // namespace tinyforge::nn
