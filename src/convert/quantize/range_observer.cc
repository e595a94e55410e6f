#include "convert/quantize/range_observer.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "tinyforge/error.h"

namespace tinyforge::convert::detail {

RangeObserver::RangeObserver(const ObserverOptions& options) : options_(options) {
  if (options.observer == Observer::kEma && (options.ema_decay < 0.0f || options.ema_decay >= 1.0f)) {
    throw Error("ema_decay must be in [0, 1), got " + std::to_string(options.ema_decay));
  }
  if (options.observer == Observer::kEma && options.ema_batch_size < 1) {
    throw Error("ema_batch_size must be at least 1, got " + std::to_string(options.ema_batch_size));
  }
  if (options.observer == Observer::kPercentile && !(options.percentile > 50.0 && options.percentile <= 100.0)) {
    throw Error("percentile must be in (50, 100], got " + std::to_string(options.percentile));
  }
  if (options.observer == Observer::kMse && (options.histogram_bins < 8 || options.histogram_bins > (1 << 16))) {
    throw Error("histogram_bins must be in [8, 65536], got " + std::to_string(options.histogram_bins));
  }
  if (options.observer == Observer::kMse && options.mse_bits != 8 && options.mse_bits != 16) {
    throw Error("mse_bits must be 8 or 16, got " + std::to_string(options.mse_bits));
  }
}

void RangeObserver::add_sample(const float* values, size_t count) {
  if (count == 0) return;
  float lo = values[0], hi = values[0];
  for (size_t i = 0; i < count; ++i) {
    if (!std::isfinite(values[i])) non_finite_ = true;
    lo = std::min(lo, values[i]);
    hi = std::max(hi, values[i]);
  }
  sample_min_.push_back(lo);
  sample_max_.push_back(hi);
  if (options_.observer == Observer::kPercentile || options_.observer == Observer::kMse) {
    values_.insert(values_.end(), values, values + count);
  }
}

double percentile_of_sorted(const std::vector<float>& sorted, double p) {
  const double pos = p / 100.0 * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return static_cast<double>(sorted[lo]) + frac * (static_cast<double>(sorted[hi]) - sorted[lo]);
}

void mse_range(const std::vector<float>& values, int bins, int bits, float* out_min, float* out_max) {
  float lo = 0.0f, hi = 0.0f;  // the range always holds 0 (a quantized zero must be exact)
  for (float v : values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  *out_min = lo;
  *out_max = hi;
  if (lo == hi) return;
  const double width = (static_cast<double>(hi) - lo) / bins;
  std::vector<double> count(static_cast<size_t>(bins), 0.0);
  for (float v : values) {
    const int b = std::clamp(static_cast<int>((v - static_cast<double>(lo)) / width), 0, bins - 1);
    count[static_cast<size_t>(b)] += 1.0;
  }
  // Prefix sums of n, n*c, n*c^2 (c = bin centre): the clipping error of any end is O(1).
  std::vector<double> s0(static_cast<size_t>(bins) + 1, 0.0), s1(s0), s2(s0);
  for (int b = 0; b < bins; ++b) {
    const double c = lo + (b + 0.5) * width;
    const double n = count[static_cast<size_t>(b)];
    s0[b + 1] = s0[b] + n;
    s1[b + 1] = s1[b] + n * c;
    s2[b + 1] = s2[b] + n * c * c;
  }
  const double levels = std::ldexp(1.0, bits) - 1.0;
  auto edge = [&](int k) { return lo + k * width; };
  // Candidate ends are bin edges; a <= 0 <= b keeps zero inside.
  int a_last = 0;
  while (a_last + 1 <= bins && edge(a_last + 1) <= 0.0) ++a_last;
  int b_first = bins;
  while (b_first - 1 >= 0 && edge(b_first - 1) >= 0.0) --b_first;
  double best = INFINITY;
  int best_i = 0, best_j = bins;
  for (int i = 0; i <= a_last; ++i) {
    const double a = edge(i);
    // Bins [0, i) lie below a and clip to a.
    const double below = a * a * s0[i] - 2.0 * a * s1[i] + s2[i];
    for (int j = bins; j >= b_first && j > i; --j) {
      const double b = edge(j);
      // Bins [j, bins) lie above b and clip to b.
      const double n_above = s0[bins] - s0[j];
      const double above = (s2[bins] - s2[j]) - 2.0 * b * (s1[bins] - s1[j]) + b * b * n_above;
      const double step = (b - a) / levels;
      // Inside, rounding error is uniform over a step: variance step^2 / 12 per value.
      const double inside = (s0[j] - s0[i]) * step * step / 12.0;
      const double err = below + above + inside;
      if (err < best) {  // strict: among equals the widest range (visited first) wins
        best = err;
        best_i = i;
        best_j = j;
      }
    }
  }
  *out_min = static_cast<float>(std::min(edge(best_i), 0.0));
  *out_max = static_cast<float>(std::max(edge(best_j), 0.0));
}

void RangeObserver::range(float* min, float* max) const {
  if (sample_min_.empty()) throw Error("no values were observed");
  if (non_finite_) throw Error("a value is NaN or infinite");
  switch (options_.observer) {
    case Observer::kMinMax:
      *min = *std::min_element(sample_min_.begin(), sample_min_.end());
      *max = *std::max_element(sample_max_.begin(), sample_max_.end());
      return;
    case Observer::kEma: {
      const size_t batch = static_cast<size_t>(options_.ema_batch_size);
      const double d = options_.ema_decay;
      double lo = 0.0, hi = 0.0;
      for (size_t start = 0; start < sample_min_.size(); start += batch) {
        const size_t end = std::min(start + batch, sample_min_.size());
        const double blo = *std::min_element(sample_min_.begin() + start, sample_min_.begin() + end);
        const double bhi = *std::max_element(sample_max_.begin() + start, sample_max_.begin() + end);
        if (start == 0) {
          lo = blo;
          hi = bhi;
        } else {
          lo = d * lo + (1.0 - d) * blo;
          hi = d * hi + (1.0 - d) * bhi;
        }
      }
      *min = static_cast<float>(lo);
      *max = static_cast<float>(hi);
      return;
    }
    case Observer::kPercentile: {
      std::vector<float> sorted = values_;
      std::sort(sorted.begin(), sorted.end());
      *min = static_cast<float>(percentile_of_sorted(sorted, 100.0 - options_.percentile));
      *max = static_cast<float>(percentile_of_sorted(sorted, options_.percentile));
      return;
    }
    case Observer::kMse: mse_range(values_, options_.histogram_bins, options_.mse_bits, min, max); return;
  }
}

}  // namespace tinyforge::convert::detail
