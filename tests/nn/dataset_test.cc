// Dataset: batching, seeded shuffling, splits, maps, iteration and .npy input.
#include <gtest/gtest.h>

#include <algorithm>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <numeric>
#include <set>

#include "tinyforge/data/dataset.h"
#include "tinyforge/error.h"
#include "tinyforge/npy.h"

namespace tinyforge::data {
namespace {

// n samples; x row i = {i, 10 i} (shape [n, 2]), y = i, so every batch can be checked by hand.
Dataset numbered(int64_t n) {
  Tensor x({n, 2}), y({n});
  for (int64_t i = 0; i < n; ++i) {
    x[2 * i] = static_cast<float>(i);
    x[2 * i + 1] = static_cast<float>(10 * i);
    y[i] = static_cast<float>(i);
  }
  return Dataset(x, y);
}

std::vector<int64_t> labels_of_epoch(const Dataset& ds, int64_t epoch) {
  std::vector<int64_t> out;
  for (const Batch& b : ds.epoch(epoch))
    for (float v : b.y.values()) out.push_back(static_cast<int64_t>(v));
  return out;
}

std::vector<int64_t> iota(int64_t begin, int64_t end) {
  std::vector<int64_t> v(static_cast<size_t>(end - begin));
  std::iota(v.begin(), v.end(), begin);
  return v;
}

TEST(Dataset, RejectsMismatchedSampleCounts) {
  EXPECT_THROW(Dataset(Tensor({4, 2}), Tensor({3})), Error);
  EXPECT_THROW(numbered(4).batch(0), Error);
}

TEST(Dataset, BatchesInOrderWithASmallerLastBatch) {
  Dataset ds = numbered(10).batch(4);
  EXPECT_EQ(ds.size(), 10);
  EXPECT_EQ(ds.num_batches(), 3);
  std::vector<int64_t> sizes;
  for (const Batch& b : ds) {
    sizes.push_back(b.x.dim(0));
    EXPECT_EQ(b.x.shape(), (Shape{b.x.dim(0), 2}));
    for (int64_t r = 0; r < b.x.dim(0); ++r) EXPECT_EQ(b.x[2 * r + 1], 10 * b.y[r]);  // x and y stay paired
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{4, 4, 2}));
  EXPECT_EQ(labels_of_epoch(ds, 0), iota(0, 10));
  Batch last = ds.get_batch(2);
  EXPECT_EQ(last.y[0], 8.0f);
  EXPECT_EQ(last.y[1], 9.0f);
  EXPECT_THROW(ds.get_batch(3), Error);

  Dataset dropped = numbered(10).batch(4, /*drop_remainder=*/true);
  EXPECT_EQ(dropped.num_batches(), 2);
  EXPECT_EQ(labels_of_epoch(dropped, 0), iota(0, 8));
}

TEST(Dataset, UnbatchedIteratesSingleSamples) {
  int count = 0;
  for (const Batch& b : numbered(3)) {
    EXPECT_EQ(b.x.shape(), (Shape{1, 2}));
    EXPECT_EQ(b.y[0], static_cast<float>(count));
    ++count;
  }
  EXPECT_EQ(count, 3);
}

TEST(Dataset, ShuffleIsASeededPermutationNewEachEpoch) {
  Dataset ds = numbered(100).shuffle(5).batch(32);
  const auto e0 = labels_of_epoch(ds, 0), e1 = labels_of_epoch(ds, 1);
  auto sorted = e0;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, iota(0, 100));  // every sample exactly once
  EXPECT_NE(e0, iota(0, 100));
  EXPECT_NE(e0, e1);
  EXPECT_EQ(e0, labels_of_epoch(numbered(100).shuffle(5).batch(32), 0));  // same seed, same order
  EXPECT_NE(e0, labels_of_epoch(numbered(100).shuffle(6).batch(32), 0));
  // The order does not depend on the batch size.
  EXPECT_EQ(e0, labels_of_epoch(numbered(100).shuffle(5).batch(7), 0));

  Dataset fixed = numbered(100).shuffle(5, /*reshuffle_each_epoch=*/false);
  EXPECT_EQ(labels_of_epoch(fixed, 0), labels_of_epoch(fixed, 3));
}

TEST(Dataset, SplitTakesTheLastFractionOrASeededSubset) {
  auto [train, val] = numbered(10).split(0.2);
  EXPECT_EQ(labels_of_epoch(train, 0), iota(0, 8));
  EXPECT_EQ(labels_of_epoch(val, 0), iota(8, 10));

  auto [t2, v2] = numbered(10).split(0.3, /*seed=*/1);
  auto a = labels_of_epoch(t2, 0), b = labels_of_epoch(v2, 0);
  EXPECT_EQ(a.size(), 7u);
  EXPECT_EQ(b.size(), 3u);
  std::set<int64_t> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(all.size(), 10u);  // disjoint and complete

  EXPECT_THROW(numbered(10).split(0.0), Error);
  EXPECT_THROW(numbered(10).split(0.99), Error);  // floor(10 * 0.01) = 0 training samples
  EXPECT_EQ(numbered(10).split(0.01).second.size(), 1);  // floor(9.9) = 9 train, 1 validation
}

TEST(Dataset, SplitOfTinySetThatLeavesNothingThrows) {
  EXPECT_THROW(numbered(1).split(0.5), Error);
}

TEST(Dataset, TakeAndSkip) {
  EXPECT_EQ(labels_of_epoch(numbered(10).take(3), 0), iota(0, 3));
  EXPECT_EQ(labels_of_epoch(numbered(10).skip(7), 0), iota(7, 10));
  EXPECT_EQ(numbered(10).take(50).size(), 10);
}

TEST(Dataset, SampleMapTransformsEachSampleWithAReproducibleRng) {
  // Adds noise u ~ U(0, 1) to x[0] only: the first column becomes i + u.
  auto noisy = [](Tensor& x, Tensor&, Rng& rng) { x[0] += rng.uniform(); };
  auto collect = [](const Dataset& ds, int64_t epoch) {
    std::map<int64_t, float> noise;  // sample -> its noise
    for (const Batch& b : ds.epoch(epoch))
      for (int64_t r = 0; r < b.x.dim(0); ++r) {
        noise[static_cast<int64_t>(b.y[r])] = b.x[2 * r] - b.y[r];
        EXPECT_EQ(b.x[2 * r + 1], 10 * b.y[r]);  // other column untouched
      }
    return noise;
  };
  const auto a = collect(numbered(20).map(noisy, 3).batch(4), 0);
  ASSERT_EQ(a.size(), 20u);
  for (const auto& [i, u] : a) {
    EXPECT_GE(u, 0.0f);
    EXPECT_LT(u, 1.0f + 1e-5f);
  }
  // Same seed: the same noise per sample, whatever the batching and shuffling.
  EXPECT_EQ(a, collect(numbered(20).shuffle(9).map(noisy, 3).batch(6), 0));
  // Another epoch draws new noise.
  EXPECT_NE(a, collect(numbered(20).map(noisy, 3).batch(4), 1));
}

TEST(Dataset, SampleMapMayChangeTheShape) {
  // Keep only the second feature: x [2] -> [1]; relabel y = 2 i.
  Dataset ds = numbered(5)
                   .map([](Tensor& x, Tensor& y, Rng&) {
                     x = Tensor({1}, {x[1]});
                     y[0] *= 2;
                   })
                   .batch(5);
  Batch b = ds.get_batch(0);
  EXPECT_EQ(b.x.shape(), (Shape{5, 1}));
  EXPECT_EQ(b.x[3], 30.0f);
  EXPECT_EQ(b.y[3], 6.0f);
  Dataset bad = numbered(4).map([](Tensor& x, Tensor&, Rng&) {
    if (x[0] == 2) x = Tensor({3});
  }).batch(4);
  EXPECT_THROW(bad.get_batch(0), Error);
}

TEST(Dataset, BatchMapSeesWholeBatchesInOrderOfStages) {
  // Subtract the batch mean of column 0 (then double it): batch {0,1,2,3} -> {-3,-1,1,3}.
  Dataset ds = numbered(8)
                   .map_batch([](Batch& b, Rng&) {
                     const int64_t n = b.x.dim(0);
                     float mean = 0;
                     for (int64_t r = 0; r < n; ++r) mean += b.x[2 * r] / static_cast<float>(n);
                     for (int64_t r = 0; r < n; ++r) b.x[2 * r] -= mean;
                   })
                   .map([](Tensor& x, Tensor&, Rng&) { x[0] *= 2; })
                   .batch(4);
  Batch b = ds.get_batch(1);  // samples 4..7, mean 5.5
  EXPECT_FLOAT_EQ(b.x[0], -3.0f);
  EXPECT_FLOAT_EQ(b.x[6], 3.0f);
}

TEST(Dataset, MaterializeMatchesIteration) {
  Dataset ds = numbered(11).shuffle(2).map([](Tensor& x, Tensor&, Rng& r) { x[1] += r.normal(); }, 4).batch(3);
  Batch all = ds.materialize(1);
  EXPECT_EQ(all.x.shape(), (Shape{11, 2}));
  int64_t row = 0;
  for (const Batch& b : ds.epoch(1))
    for (int64_t r = 0; r < b.x.dim(0); ++r, ++row) {
      EXPECT_EQ(all.x[2 * row + 1], b.x[2 * r + 1]);
      EXPECT_EQ(all.y[row], b.y[r]);
    }
  EXPECT_EQ(row, 11);
}

TEST(Dataset, UnlabeledDataIteratesWithEmptyY) {
  Dataset ds = Dataset(Tensor({5, 3}, 1.0f)).batch(2);
  EXPECT_FALSE(ds.labeled());
  int n = 0;
  for (const Batch& b : ds) {
    EXPECT_TRUE(b.y.empty());
    n += static_cast<int>(b.x.dim(0));
  }
  EXPECT_EQ(n, 5);
}

TEST(Dataset, FromNpyConvertsIntegerArraysToFloat) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("tf_dataset_npy_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  NpyArray x{"u1", {3, 2}, {0, 1, 2, 3, 4, 255}};
  NpyArray y{"i4", {3}, {}};
  for (int32_t v : {7, -1, 2}) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);  // little-endian host
    y.data.insert(y.data.end(), p, p + 4);
  }
  write_npy((dir / "x.npy").string(), x);
  write_npy((dir / "y.npy").string(), y);
  Dataset ds = Dataset::from_npy((dir / "x.npy").string(), (dir / "y.npy").string());
  EXPECT_EQ(ds.x().shape(), (Shape{3, 2}));
  EXPECT_EQ(ds.x()[5], 255.0f);
  EXPECT_EQ(ds.y()[0], 7.0f);
  EXPECT_EQ(ds.y()[1], -1.0f);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tinyforge::data
