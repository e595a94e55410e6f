#include "tinyforge/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "tinyforge/error.h"
#include "tinyforge/npy.h"

namespace tinyforge::data {

namespace {

// SplitMix64 finalizer: turns (seed, epoch, index) into well-separated Rng seeds.
uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9E3779B97F4A7C15ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t key(uint64_t seed, int64_t epoch, int64_t index) {
  return mix(mix(seed, static_cast<uint64_t>(epoch)), static_cast<uint64_t>(index));
}

void fisher_yates(std::vector<int64_t>& v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<size_t>(rng.below(i))]);
}

int64_t row_size(const Tensor& t) { return t.rank() == 0 || t.dim(0) == 0 ? 0 : t.size() / t.dim(0); }

Shape with_batch(int64_t n, const Shape& sample) {
  Shape s{n};
  s.insert(s.end(), sample.begin(), sample.end());
  return s;
}

template <typename T>
void convert(const uint8_t* raw, size_t count, float* out) {
  for (size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, raw + i * sizeof(T), sizeof(T));
    out[i] = static_cast<float>(v);
  }
}

}  // namespace

Tensor npy_to_tensor(const std::string& path) {
  NpyArray a = read_npy(path);
  const size_t n = a.element_count();
  Shape shape = a.shape;
  if (shape.empty()) shape = {1};
  Tensor t(shape);
  const uint8_t* raw = a.data.data();
  const std::string& d = a.dtype;
  if (d == "f4") convert<float>(raw, n, t.data());
  else if (d == "f8") convert<double>(raw, n, t.data());
  else if (d == "u1" || d == "b1") convert<uint8_t>(raw, n, t.data());
  else if (d == "i1") convert<int8_t>(raw, n, t.data());
  else if (d == "u2") convert<uint16_t>(raw, n, t.data());
  else if (d == "i2") convert<int16_t>(raw, n, t.data());
  else if (d == "u4") convert<uint32_t>(raw, n, t.data());
  else if (d == "i4") convert<int32_t>(raw, n, t.data());
  else if (d == "u8") convert<uint64_t>(raw, n, t.data());
  else if (d == "i8") convert<int64_t>(raw, n, t.data());
  else throw Error(path + ": dtype '" + d + "' cannot be converted to float32 (use a numeric array)");
  return t;
}

Dataset::Dataset(Tensor x, Tensor y) {
  if (x.rank() == 0) throw Error("Dataset: x needs a batch dimension, got shape " + nn::shape_str(x.shape()));
  if (!y.shape().empty() && y.dim(0) != x.dim(0))
    throw Error("Dataset: x has " + std::to_string(x.dim(0)) + " samples " + nn::shape_str(x.shape()) + " but y has " +
                std::to_string(y.dim(0)) + " " + nn::shape_str(y.shape()));
  auto rows = std::make_shared<std::vector<int64_t>>(static_cast<size_t>(x.dim(0)));
  std::iota(rows->begin(), rows->end(), int64_t{0});
  rows_ = std::move(rows);
  x_ = std::make_shared<const Tensor>(std::move(x));
  y_ = std::make_shared<const Tensor>(std::move(y));
}

Dataset Dataset::from_npy(const std::string& x_path, const std::string& y_path) {
  Tensor x = npy_to_tensor(x_path);
  Tensor y = y_path.empty() ? Tensor() : npy_to_tensor(y_path);
  if (!y.shape().empty() && y.dim(0) != x.dim(0))
    throw Error("Dataset::from_npy: " + x_path + " has " + std::to_string(x.dim(0)) + " samples but " + y_path +
                " has " + std::to_string(y.dim(0)));
  return Dataset(std::move(x), std::move(y));
}

const std::vector<int64_t>& Dataset::rows() const {
  static const std::vector<int64_t> kNone;
  return rows_ ? *rows_ : kNone;
}

int64_t Dataset::size() const { return static_cast<int64_t>(rows().size()); }
bool Dataset::labeled() const { return y_ && !y_->shape().empty(); }
Shape Dataset::x_sample_shape() const { return x_ ? x_->sample_shape() : Shape{}; }
Shape Dataset::y_sample_shape() const { return labeled() ? y_->sample_shape() : Shape{}; }

const Tensor& Dataset::x() const {
  static const Tensor kEmpty;
  return x_ ? *x_ : kEmpty;
}
const Tensor& Dataset::y() const {
  static const Tensor kEmpty;
  return y_ ? *y_ : kEmpty;
}

Dataset Dataset::shuffle(uint64_t seed, bool reshuffle_each_epoch) const {
  Dataset d = *this;
  d.shuffle_ = true;
  d.shuffle_seed_ = seed;
  d.reshuffle_ = reshuffle_each_epoch;
  return d;
}

Dataset Dataset::batch(int64_t batch_size, bool drop_remainder) const {
  if (batch_size <= 0) throw Error("Dataset::batch: batch_size must be positive, got " + std::to_string(batch_size));
  Dataset d = *this;
  d.batch_size_ = batch_size;
  d.drop_remainder_ = drop_remainder;
  return d;
}

Dataset Dataset::map(SampleMap fn, uint64_t seed) const {
  if (!fn) throw Error("Dataset::map: the function is empty");
  Dataset d = *this;
  d.stages_.push_back(Stage{std::move(fn), nullptr, seed});
  return d;
}

Dataset Dataset::map_batch(BatchMap fn, uint64_t seed) const {
  if (!fn) throw Error("Dataset::map_batch: the function is empty");
  Dataset d = *this;
  d.stages_.push_back(Stage{nullptr, std::move(fn), seed});
  return d;
}

Dataset Dataset::take(int64_t n) const {
  if (n < 0) throw Error("Dataset::take: n must be >= 0, got " + std::to_string(n));
  Dataset d = *this;
  const auto& r = rows();
  d.rows_ = std::make_shared<const std::vector<int64_t>>(r.begin(), r.begin() + std::min<int64_t>(n, size()));
  return d;
}

Dataset Dataset::skip(int64_t n) const {
  if (n < 0) throw Error("Dataset::skip: n must be >= 0, got " + std::to_string(n));
  Dataset d = *this;
  const auto& r = rows();
  d.rows_ = std::make_shared<const std::vector<int64_t>>(r.begin() + std::min<int64_t>(n, size()), r.end());
  return d;
}

std::pair<Dataset, Dataset> Dataset::split(double validation_fraction, std::optional<uint64_t> seed) const {
  if (!(validation_fraction > 0 && validation_fraction < 1))
    throw Error("Dataset::split: validation_fraction must be in (0, 1), got " + std::to_string(validation_fraction));
  const int64_t n = size();
  // As Keras' validation_split: the training part is floor(n * (1 - fraction)).
  const auto n_train = static_cast<int64_t>(std::floor(static_cast<double>(n) * (1.0 - validation_fraction)));
  if (n_train <= 0 || n_train >= n)
    throw Error("Dataset::split: a validation fraction of " + std::to_string(validation_fraction) + " of " +
                std::to_string(n) + " samples leaves an empty training or validation set");
  std::vector<int64_t> r = rows();
  if (seed) {
    Rng rng(mix(*seed, 0x5EED));
    fisher_yates(r, rng);
  }
  Dataset train = *this, val = *this;
  train.rows_ = std::make_shared<const std::vector<int64_t>>(r.begin(), r.begin() + n_train);
  val.rows_ = std::make_shared<const std::vector<int64_t>>(r.begin() + n_train, r.end());
  return {std::move(train), std::move(val)};
}

int64_t Dataset::num_batches() const {
  const int64_t n = size();
  return drop_remainder_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

std::vector<int64_t> Dataset::order(int64_t epoch) const {
  std::vector<int64_t> o = rows();
  if (shuffle_) {
    Rng rng(key(shuffle_seed_, reshuffle_ ? epoch : 0, -1));
    fisher_yates(o, rng);
  }
  return o;
}

Batch Dataset::make_batch(const std::vector<int64_t>& order, int64_t begin, int64_t end, int64_t epoch,
                          int64_t batch_index) const {
  const std::vector<int64_t> idx(order.begin() + begin, order.begin() + end);
  Batch b;
  b.x = x_->gather_rows(idx);
  if (labeled()) b.y = y_->gather_rows(idx);
  for (const Stage& st : stages_) {
    if (st.batch) {
      Rng rng(key(st.seed, epoch, batch_index));
      st.batch(b, rng);
      continue;
    }
    // Per sample: the Rng is keyed by the sample's storage index, so augmentation does not
    // depend on batch size or order.
    const int64_t count = b.x.dim(0);
    const int64_t xr = row_size(b.x), yr = labeled() ? row_size(b.y) : 0;
    Tensor nx, ny;
    Shape xs_out, ys_out;
    for (int64_t i = 0; i < count; ++i) {
      Shape xs = b.x.sample_shape(), ys = labeled() ? b.y.sample_shape() : Shape{};
      if (xs.empty()) xs = {1};
      Tensor sx(xs, std::vector<float>(b.x.data() + i * xr, b.x.data() + (i + 1) * xr));
      Tensor sy;
      if (labeled()) {
        if (ys.empty()) ys = {1};
        sy = Tensor(ys, std::vector<float>(b.y.data() + i * yr, b.y.data() + (i + 1) * yr));
      }
      Rng rng(key(st.seed, epoch, idx[static_cast<size_t>(i)]));
      st.sample(sx, sy, rng);
      if (i == 0) {
        xs_out = sx.shape();
        ys_out = sy.shape();
        nx = Tensor(with_batch(count, xs_out));
        if (labeled()) ny = Tensor(with_batch(count, ys_out));
      } else if (sx.shape() != xs_out || (labeled() && sy.shape() != ys_out)) {
        throw Error("Dataset::map: the function returned x " + nn::shape_str(sx.shape()) + " for sample " +
                    std::to_string(idx[static_cast<size_t>(i)]) + " but " + nn::shape_str(xs_out) +
                    " for the first sample of the batch; every sample must come out with the same shape");
      }
      std::copy(sx.values().begin(), sx.values().end(), nx.data() + i * sx.size());
      if (labeled()) std::copy(sy.values().begin(), sy.values().end(), ny.data() + i * sy.size());
    }
    if (count > 0) {
      b.x = std::move(nx);
      if (labeled()) b.y = std::move(ny);
    }
  }
  return b;
}

Batch Dataset::get_batch(int64_t index, int64_t epoch) const {
  if (!x_) throw Error("Dataset::get_batch: the data set is empty (default-constructed)");
  if (index < 0 || index >= num_batches())
    throw Error("Dataset::get_batch: batch " + std::to_string(index) + " is outside the " +
                std::to_string(num_batches()) + " batches of this data set");
  const auto o = order(epoch);
  const int64_t b = index * batch_size_;
  return make_batch(o, b, std::min(size(), b + batch_size_), epoch, index);
}

Batch Dataset::materialize(int64_t epoch) const {
  if (!x_) throw Error("Dataset::materialize: the data set is empty (default-constructed)");
  const auto o = order(epoch);
  const int64_t n = drop_remainder_ ? num_batches() * batch_size_ : size();
  if (stages_.empty()) return make_batch(o, 0, n, epoch, 0);
  // Batch maps see the same batches as iteration does.
  Batch all;
  std::vector<Tensor> xs, ys;
  for (int64_t i = 0; i < num_batches(); ++i) {
    const int64_t b = i * batch_size_;
    Batch part = make_batch(o, b, std::min(n, b + batch_size_), epoch, i);
    xs.push_back(std::move(part.x));
    ys.push_back(std::move(part.y));
  }
  auto concat = [](const std::vector<Tensor>& parts) {
    if (parts.empty() || parts[0].shape().empty()) return Tensor();
    int64_t rows = 0;
    for (const auto& p : parts) rows += p.dim(0);
    Tensor out(with_batch(rows, parts[0].sample_shape()));
    float* dst = out.data();
    for (const auto& p : parts) dst = std::copy(p.values().begin(), p.values().end(), dst);
    return out;
  };
  all.x = concat(xs);
  all.y = concat(ys);
  return all;
}

Dataset::Iterator::Iterator(const Dataset* ds, int64_t epoch, std::shared_ptr<const std::vector<int64_t>> order,
                            int64_t index)
    : ds_(ds), epoch_(epoch), order_(std::move(order)), index_(index) {
  load();
}

void Dataset::Iterator::load() {
  if (!ds_ || index_ >= ds_->num_batches()) return;
  const int64_t b = index_ * ds_->batch_size_;
  current_ = ds_->make_batch(*order_, b, std::min(ds_->size(), b + ds_->batch_size_), epoch_, index_);
}

Dataset::Iterator& Dataset::Iterator::operator++() {
  ++index_;
  load();
  return *this;
}

Dataset::Iterator Dataset::EpochView::begin() const {
  if (!ds->x_) return Iterator(nullptr, epoch, nullptr, 0);
  return Iterator(ds, epoch, std::make_shared<const std::vector<int64_t>>(ds->order(epoch)), 0);
}

Dataset::Iterator Dataset::EpochView::end() const {
  return Iterator(nullptr, epoch, nullptr, ds->x_ ? ds->num_batches() : 0);
}

}  // namespace tinyforge::data
