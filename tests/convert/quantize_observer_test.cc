// Observers against ranges computed by hand: min/max, the moving average of per-batch ranges,
// numpy-style percentiles, and the MSE-optimal clipping of a distribution with one outlier.
#include <gtest/gtest.h>

#include <cmath>

#include "tinyforge/convert/calibration.h"
#include "tinyforge/error.h"

namespace tinyforge::convert {
namespace {

ObserverOptions with(Observer o) {
  ObserverOptions opt;
  opt.observer = o;
  return opt;
}

TEST(QuantObserver, MinMaxOverAllSamples) {
  const TensorRange r = observe_range({{1, -2, 3}, {0, 5}}, with(Observer::kMinMax));
  EXPECT_EQ(r.min, -2.0f);
  EXPECT_EQ(r.max, 5.0f);
}

TEST(QuantObserver, EmaOfPerSampleRanges) {
  // Sample ranges [-1, 2], [-3, 4], [0.5, 1]; decay 0.5:
  // min: -1 -> 0.5*-1 + 0.5*-3 = -2 -> 0.5*-2 + 0.5*0.5 = -0.75
  // max:  2 -> 0.5*2 + 0.5*4 = 3    -> 0.5*3 + 0.5*1 = 2
  ObserverOptions opt = with(Observer::kEma);
  opt.ema_decay = 0.5f;
  const std::vector<std::vector<float>> samples = {{-1, 2}, {-3, 4, 0}, {0.5f, 1}};
  TensorRange r = observe_range(samples, opt);
  EXPECT_FLOAT_EQ(r.min, -0.75f);
  EXPECT_FLOAT_EQ(r.max, 2.0f);
  // Batches of 2: [-3, 4] then [0.5, 1]: min 0.5*-3 + 0.5*0.5 = -1.25, max 0.5*4 + 0.5*1 = 2.5.
  opt.ema_batch_size = 2;
  r = observe_range(samples, opt);
  EXPECT_FLOAT_EQ(r.min, -1.25f);
  EXPECT_FLOAT_EQ(r.max, 2.5f);
}

TEST(QuantObserver, PercentileInterpolatesLikeNumpy) {
  // numpy.percentile([1..10], 90) = 9.1 (position 0.9 * 9 = 8.1), percentile 10 = 1.9.
  ObserverOptions opt = with(Observer::kPercentile);
  opt.percentile = 90.0;
  TensorRange r = observe_range({{10, 3, 7, 1}, {2, 9, 4}, {8, 6, 5}}, opt);
  EXPECT_FLOAT_EQ(r.min, 1.9f);
  EXPECT_FLOAT_EQ(r.max, 9.1f);
  // 0..100 at 99: exactly the values 1 and 99 (outliers at both ends dropped).
  std::vector<float> v;
  for (int i = 100; i >= 0; --i) v.push_back(static_cast<float>(i));
  opt.percentile = 99.0;
  r = observe_range({v}, opt);
  EXPECT_FLOAT_EQ(r.min, 1.0f);
  EXPECT_FLOAT_EQ(r.max, 99.0f);
}

TEST(QuantObserver, MseClipsALoneOutlierAtTheAnalyticOptimum) {
  // N = 100000 values spread evenly over [0, 1) and one value at 10. With the range [0, b],
  // 1 <= b < 10, the MSE is (10 - b)^2 (the clipped outlier) + N * (b/255)^2 / 12 (rounding).
  // d/db = 0 gives b = 10 / (1 + N / (12 * 255^2)) = 8.864; keeping the outlier costs more
  // (at b = 10: 12.8 versus 11.3). The histogram (1024 bins over [0, 10]) resolves b to a bin.
  const int n = 100000;
  std::vector<float> v(n + 1);
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i) / n;
  v[n] = 10.0f;
  const double optimum = 10.0 / (1.0 + n / (12.0 * 255.0 * 255.0));
  const TensorRange r = observe_range({v}, with(Observer::kMse));
  EXPECT_EQ(r.min, 0.0f);
  EXPECT_NEAR(r.max, optimum, 0.03);
}

TEST(QuantObserver, MseKeepsZeroInTheRange) {
  std::vector<float> v;
  for (int i = 0; i < 1000; ++i) v.push_back(5.0f + static_cast<float>(i) / 1000.0f);
  const TensorRange r = observe_range({v}, with(Observer::kMse));
  EXPECT_EQ(r.min, 0.0f);
  EXPECT_GT(r.max, 5.9f);
}

TEST(QuantObserver, RejectsBadOptionsAndValues) {
  ObserverOptions opt = with(Observer::kPercentile);
  opt.percentile = 30.0;
  EXPECT_THROW(observe_range({{1.0f}}, opt), Error);
  opt = with(Observer::kEma);
  opt.ema_decay = 1.5f;
  EXPECT_THROW(observe_range({{1.0f}}, opt), Error);
  EXPECT_THROW(observe_range({}, with(Observer::kMinMax)), Error);
  EXPECT_THROW(observe_range({{1.0f, NAN}}, with(Observer::kMinMax)), Error);
}

}  // namespace
}  // namespace tinyforge::convert
