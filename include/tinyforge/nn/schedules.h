// Learning-rate schedules, evaluated at the optimizer's step (0-based, before the update),
// with Keras 3's formulas.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "tinyforge/nn/training.h"

namespace tinyforge::nn {

// initial * decay_rate ^ (step / decay_steps), the exponent floored when staircase.
class ExponentialDecay : public LearningRateSchedule {
 public:
  ExponentialDecay(double initial_learning_rate, int64_t decay_steps, double decay_rate, bool staircase = false);
  double at(int64_t step) const override;

 private:
  double initial_, rate_;
  int64_t decay_steps_;
  bool staircase_;
};

// values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i],
// values.back() after the last boundary. values.size() must be boundaries.size() + 1.
class PiecewiseConstantDecay : public LearningRateSchedule {
 public:
  PiecewiseConstantDecay(std::vector<int64_t> boundaries, std::vector<double> values);
  double at(int64_t step) const override;

 private:
  std::vector<int64_t> boundaries_;
  std::vector<double> values_;
};

// PyTorch's StepLR in step units: initial * gamma ^ floor(step / step_size).
class StepDecay : public LearningRateSchedule {
 public:
  StepDecay(double initial_learning_rate, int64_t step_size, double gamma = 0.1);
  double at(int64_t step) const override;

 private:
  double initial_, gamma_;
  int64_t step_size_;
};

// Keras 3 CosineDecay. Without warmup_target: lr = initial * ((1 - alpha) * c + alpha) with
// c = 0.5 (1 + cos(pi * min(step, decay_steps) / decay_steps)). With warmup_target: a linear
// ramp from initial to warmup_target over warmup_steps, then the cosine decay from
// warmup_target over decay_steps.
class CosineDecay : public LearningRateSchedule {
 public:
  CosineDecay(double initial_learning_rate, int64_t decay_steps, double alpha = 0.0,
              std::optional<double> warmup_target = std::nullopt, int64_t warmup_steps = 0);
  double at(int64_t step) const override;

 private:
  double initial_, alpha_;
  int64_t decay_steps_;
  std::optional<double> warmup_target_;
  int64_t warmup_steps_;
};

// Linear warm-up in front of any schedule: for step < warmup_steps the rate goes linearly from
// start_learning_rate to after->at(0); from then on it is after->at(step - warmup_steps).
class WarmUp : public LearningRateSchedule {
 public:
  WarmUp(std::shared_ptr<LearningRateSchedule> after, int64_t warmup_steps, double start_learning_rate = 0.0);
  double at(int64_t step) const override;

 private:
  std::shared_ptr<LearningRateSchedule> after_;
  int64_t warmup_steps_;
  double start_;
};

}  // namespace tinyforge::nn
