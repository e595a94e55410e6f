#include "tinyforge/nn/tensor.h"

#include <algorithm>
#include <utility>

#include "nn/parallel_chunks.h"
#include "tinyforge/error.h"

namespace tinyforge::nn {

int64_t shape_size(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

std::string shape_str(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  if (s.size() == 1) out += ",";  // Python's one-tuple, as Keras prints it
  return out + ")";
}

static void check_dims(const Shape& s) {
  for (int64_t d : s)
    if (d < 0) throw Error("tensor shape " + shape_str(s) + " has a negative dimension");
}

Tensor::Tensor(Shape shape, float fill) : shape_(std::move(shape)) {
  check_dims(shape_);
  data_.resize(static_cast<size_t>(shape_size(shape_)));  // uninitialized (TensorStorage)
  // A large tensor's fill is a memory-bound pass: the backend's threads share it.
  float* d = data_.data();
  for_chunks(size(), 1, [d, fill](int64_t b, int64_t e) { std::fill(d + b, d + e, fill); });
}

Tensor Tensor::for_overwrite(Shape shape) {
  check_dims(shape);
  Tensor t;
  t.data_.resize(static_cast<size_t>(shape_size(shape)));
  t.shape_ = std::move(shape);
  return t;
}

Tensor::Tensor(Shape shape, const std::vector<float>& values)
    : shape_(std::move(shape)), data_(values.begin(), values.end()) {
  check_dims(shape_);
  if (static_cast<int64_t>(data_.size()) != shape_size(shape_))
    throw Error("tensor shape " + shape_str(shape_) + " holds " + std::to_string(shape_size(shape_)) +
                " values but " + std::to_string(data_.size()) + " were given");
}

Tensor Tensor::reshaped(Shape shape) const {
  Tensor t = *this;
  t.reshape(std::move(shape));
  return t;
}

void Tensor::reshape(Shape shape) {
  check_dims(shape);
  if (shape_size(shape) != size())
    throw Error("cannot reshape tensor of shape " + shape_str(shape_) + " (" + std::to_string(size()) +
                " values) to " + shape_str(shape));
  shape_ = std::move(shape);
}

void Tensor::fill(float v) { std::fill(data_.begin(), data_.end(), v); }

Tensor Tensor::slice_rows(int64_t begin, int64_t end) const {
  if (shape_.empty()) throw Error("slice_rows needs a tensor with a batch dimension, got a scalar");
  if (begin < 0 || end < begin || end > shape_[0])
    throw Error("slice_rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") is outside a tensor of shape " +
                shape_str(shape_));
  const int64_t row = shape_[0] == 0 ? 0 : size() / shape_[0];
  Shape s = shape_;
  s[0] = end - begin;
  Tensor out = for_overwrite(std::move(s));
  std::copy(data_.begin() + begin * row, data_.begin() + end * row, out.data_.begin());
  return out;
}

Tensor Tensor::gather_rows(const std::vector<int64_t>& rows) const {
  if (shape_.empty()) throw Error("gather_rows needs a tensor with a batch dimension, got a scalar");
  const int64_t row = shape_[0] == 0 ? 0 : size() / shape_[0];
  Shape s = shape_;
  s[0] = static_cast<int64_t>(rows.size());
  for (const int64_t r : rows)
    if (r < 0 || r >= shape_[0])
      throw Error("gather_rows index " + std::to_string(r) + " is outside a tensor of shape " + shape_str(shape_));
  Tensor out = for_overwrite(std::move(s));
  // A training batch is gathered every step: a large one is copied by all threads.
  const float* src = data_.data();
  float* dst = out.data_.data();
  for_chunks(static_cast<int64_t>(rows.size()), row, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i)
      std::copy(src + rows[static_cast<size_t>(i)] * row, src + (rows[static_cast<size_t>(i)] + 1) * row, dst + i * row);
  });
  return out;
}

}  // namespace tinyforge::nn
