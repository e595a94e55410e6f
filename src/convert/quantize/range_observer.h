// Accumulates one tensor's values sample by sample and picks its range with one observer.
// minmax and ema keep two numbers per sample; percentile and mse keep every value (their answer
// depends on the whole distribution), which is what a calibration set of a few hundred samples
// of a microcontroller model costs comfortably.
#pragma once

#include <cstddef>
#include <vector>

#include "tinyforge/convert/calibration.h"

namespace tinyforge::convert::detail {

class RangeObserver {
 public:
  explicit RangeObserver(const ObserverOptions& options);
  void add_sample(const float* values, size_t count);
  // Throws Error when no sample was added or a value is not finite.
  void range(float* min, float* max) const;

 private:
  ObserverOptions options_;
  std::vector<float> sample_min_, sample_max_;
  std::vector<float> values_;  // percentile / mse only
  bool non_finite_ = false;
};

// Exposed for tests: the numpy-style linear-interpolated percentile of sorted values.
double percentile_of_sorted(const std::vector<float>& sorted, double p);
// The [min, max] (holding 0) minimizing the quantization MSE of `values` on a histogram.
void mse_range(const std::vector<float>& values, int bins, int bits, float* min, float* max);

}  // namespace tinyforge::convert::detail
