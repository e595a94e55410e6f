// Learning-rate schedules (formulas in schedules.h, Keras 3 semantics).
#include "tinyforge/nn/schedules.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tinyforge/error.h"

namespace tinyforge::nn {

ExponentialDecay::ExponentialDecay(double initial_learning_rate, int64_t decay_steps, double decay_rate, bool staircase)
    : initial_(initial_learning_rate), rate_(decay_rate), decay_steps_(decay_steps), staircase_(staircase) {
  if (decay_steps <= 0) throw Error("ExponentialDecay: decay_steps must be > 0, got " + std::to_string(decay_steps));
}

double ExponentialDecay::at(int64_t step) const {
  double p = double(step) / double(decay_steps_);
  if (staircase_) p = std::floor(p);
  return initial_ * std::pow(rate_, p);
}

PiecewiseConstantDecay::PiecewiseConstantDecay(std::vector<int64_t> boundaries, std::vector<double> values)
    : boundaries_(std::move(boundaries)), values_(std::move(values)) {
  if (values_.size() != boundaries_.size() + 1)
    throw Error("PiecewiseConstantDecay: needs one more value than boundaries (got " +
                std::to_string(boundaries_.size()) + " boundaries, " + std::to_string(values_.size()) + " values)");
  if (!std::is_sorted(boundaries_.begin(), boundaries_.end()))
    throw Error("PiecewiseConstantDecay: boundaries must be increasing");
}

double PiecewiseConstantDecay::at(int64_t step) const {
  // Index of the first boundary >= step: values[i] holds for boundaries[i-1] < step <= boundaries[i].
  const auto it = std::lower_bound(boundaries_.begin(), boundaries_.end(), step);
  return values_[static_cast<size_t>(it - boundaries_.begin())];
}

StepDecay::StepDecay(double initial_learning_rate, int64_t step_size, double gamma)
    : initial_(initial_learning_rate), gamma_(gamma), step_size_(step_size) {
  if (step_size <= 0) throw Error("StepDecay: step_size must be > 0, got " + std::to_string(step_size));
}

double StepDecay::at(int64_t step) const {
  return initial_ * std::pow(gamma_, double(std::max<int64_t>(step, 0) / step_size_));
}

CosineDecay::CosineDecay(double initial_learning_rate, int64_t decay_steps, double alpha,
                         std::optional<double> warmup_target, int64_t warmup_steps)
    : initial_(initial_learning_rate),
      alpha_(alpha),
      decay_steps_(decay_steps),
      warmup_target_(warmup_target),
      warmup_steps_(warmup_steps) {
  if (decay_steps <= 0) throw Error("CosineDecay: decay_steps must be > 0, got " + std::to_string(decay_steps));
  if (warmup_steps < 0) throw Error("CosineDecay: warmup_steps must be >= 0");
}

double CosineDecay::at(int64_t step) const {
  auto decay = [&](double s, double from) {
    const double c = 0.5 * (1.0 + std::cos(std::numbers::pi * s / double(decay_steps_)));
    return from * ((1.0 - alpha_) * c + alpha_);
  };
  double s = double(std::max<int64_t>(step, 0));
  if (!warmup_target_) return decay(std::min(s, double(decay_steps_)), initial_);
  s = std::min(s, double(decay_steps_ + warmup_steps_));
  if (s < double(warmup_steps_)) return (*warmup_target_ - initial_) * (s / double(warmup_steps_)) + initial_;
  return decay(s - double(warmup_steps_), *warmup_target_);
}

WarmUp::WarmUp(std::shared_ptr<LearningRateSchedule> after, int64_t warmup_steps, double start_learning_rate)
    : after_(std::move(after)), warmup_steps_(warmup_steps), start_(start_learning_rate) {
  if (!after_) throw Error("WarmUp: the schedule to warm up into is null");
  if (warmup_steps < 0) throw Error("WarmUp: warmup_steps must be >= 0");
}

double WarmUp::at(int64_t step) const {
  if (step < warmup_steps_) {
    const double target = after_->at(0);
    return start_ + (target - start_) * double(std::max<int64_t>(step, 0)) / double(warmup_steps_);
  }
  return after_->at(step - warmup_steps_);
}

}  // namespace tinyforge::nn
