// An in-memory data set of (x, y) samples with tf.data-like building blocks: batching, seeded
// shuffling, train/validation split, per-sample and per-batch transforms (augmentation), and
// iteration over the batches of an epoch.
//
//   auto [train, val] = data::Dataset(x, y).split(0.1);
//   auto ds = train.shuffle(7).map(random_flip).batch(64);
//   for (int epoch = 0; epoch < 5; ++epoch)
//     for (const data::Batch& b : ds.epoch(epoch)) { ... b.x, b.y ... }
//
// A Dataset is a cheap value: the tensors are shared (never copied by the builders), and each
// builder returns a new Dataset. Every random choice is keyed by (seed, epoch, sample or batch
// index), so an epoch's batches are the same whatever order or thread asks for them.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tinyforge/nn/random.h"
#include "tinyforge/nn/tensor.h"

namespace tinyforge::data {

using nn::Rng;
using nn::Shape;
using nn::Tensor;

// A batch: x [B, ...], y [B, ...] (y is empty for an unlabeled data set).
struct Batch {
  Tensor x, y;
};

// Transforms one sample in place. x has the per-sample shape (no batch axis), y too ([] for a
// scalar label, stored as shape {1}). The result's shapes may differ from the input's but must be
// the same for every sample. The Rng is seeded per (map seed, epoch, sample).
using SampleMap = std::function<void(Tensor& x, Tensor& y, Rng& rng)>;
// Transforms a whole batch in place (e.g. mixup, normalization). Seeded per (seed, epoch, batch).
using BatchMap = std::function<void(Batch& batch, Rng& rng)>;

class Dataset {
 public:
  Dataset() = default;
  // x [N, ...], y [N, ...] or empty (unlabeled). Throws Error if the first dimensions differ.
  Dataset(Tensor x, Tensor y = {});
  // From NumPy files (any numeric dtype, converted to float32). y_path may be empty.
  static Dataset from_npy(const std::string& x_path, const std::string& y_path = "");

  // Samples in this data set (after take/skip/split), not batches.
  int64_t size() const;
  Shape x_sample_shape() const;  // before maps
  Shape y_sample_shape() const;
  bool labeled() const;
  // The underlying full tensors (before subsetting, shuffling and maps).
  const Tensor& x() const;
  const Tensor& y() const;

  // --- builders (each returns a new Dataset) ---
  // Visits the samples in a seeded random order, a new order each epoch unless
  // reshuffle_each_epoch is false.
  Dataset shuffle(uint64_t seed, bool reshuffle_each_epoch = true) const;
  // Groups samples into batches; the last one is smaller unless drop_remainder. Unbatched data
  // sets iterate batches of one sample.
  Dataset batch(int64_t batch_size, bool drop_remainder = false) const;
  // Transforms applied, in the order added, when a batch is produced.
  Dataset map(SampleMap fn, uint64_t seed = 0) const;
  Dataset map_batch(BatchMap fn, uint64_t seed = 0) const;
  // The first n samples / all but the first n (in storage order, before shuffling).
  Dataset take(int64_t n) const;
  Dataset skip(int64_t n) const;
  // (train, validation): the validation set is the LAST `validation_fraction` of the samples, as
  // Keras' validation_split, or a seeded random subset when a seed is given. Throws Error if
  // either part would be empty. Shuffling, batching and maps are kept on both parts.
  std::pair<Dataset, Dataset> split(double validation_fraction, std::optional<uint64_t> seed = std::nullopt) const;

  // --- iteration ---
  int64_t batch_size() const { return batch_size_; }
  int64_t num_batches() const;
  // Sample indices (into x()/y()) in the order epoch `epoch` visits them.
  std::vector<int64_t> order(int64_t epoch) const;
  // Batch `index` of epoch `epoch`, with every map applied. Throws Error if out of range.
  Batch get_batch(int64_t index, int64_t epoch = 0) const;
  // All samples of an epoch as one batch (maps applied): for Model::fit / evaluate.
  Batch materialize(int64_t epoch = 0) const;

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = const Batch*;
    using reference = const Batch&;
    Iterator() = default;
    const Batch& operator*() const { return current_; }
    const Batch* operator->() const { return &current_; }
    Iterator& operator++();
    bool operator==(const Iterator& o) const { return index_ == o.index_; }
    bool operator!=(const Iterator& o) const { return index_ != o.index_; }

   private:
    friend class Dataset;
    Iterator(const Dataset* ds, int64_t epoch, std::shared_ptr<const std::vector<int64_t>> order, int64_t index);
    void load();
    const Dataset* ds_ = nullptr;
    int64_t epoch_ = 0;
    std::shared_ptr<const std::vector<int64_t>> order_;
    int64_t index_ = 0;
    Batch current_;
  };
  // The batches of one epoch, for range-for. The Dataset must outlive the view.
  struct EpochView {
    const Dataset* ds;
    int64_t epoch;
    Iterator begin() const;
    Iterator end() const;
  };
  EpochView epoch(int64_t e) const { return EpochView{this, e}; }
  Iterator begin() const { return epoch(0).begin(); }  // epoch 0
  Iterator end() const { return epoch(0).end(); }

 private:
  struct Stage {
    SampleMap sample;
    BatchMap batch;
    uint64_t seed = 0;
  };
  Batch make_batch(const std::vector<int64_t>& order, int64_t begin, int64_t end, int64_t epoch,
                   int64_t batch_index) const;
  const std::vector<int64_t>& rows() const;

  std::shared_ptr<const Tensor> x_, y_;
  // Indices into x_/y_ that belong to this data set; null means all rows.
  std::shared_ptr<const std::vector<int64_t>> rows_;
  bool shuffle_ = false, reshuffle_ = true;
  uint64_t shuffle_seed_ = 0;
  int64_t batch_size_ = 1;
  bool drop_remainder_ = false;
  std::vector<Stage> stages_;
};

// Converts a .npy array of any numeric dtype to a float32 Tensor of the same shape.
Tensor npy_to_tensor(const std::string& path);

}  // namespace tinyforge::data
