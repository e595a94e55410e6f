// The host tensor: float32, row-major, batch first and channels last (NHWC), matching
// TFLite's layout so weights and activations move to the micro runtime unchanged.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace tinyforge::nn {

using Shape = std::vector<int64_t>;

int64_t shape_size(const Shape& s);
std::string shape_str(const Shape& s);  // "(32, 28, 28, 1)"

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape, float fill = 0.0f);
  Tensor(Shape shape, std::vector<float> values);  // throws Error if sizes differ

  const Shape& shape() const { return shape_; }
  int64_t dim(int i) const { return shape_[static_cast<size_t>(i < 0 ? i + rank() : i)]; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t size() const { return static_cast<int64_t>(data_.size()); }
  bool empty() const { return data_.empty(); }

  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  float& operator[](int64_t i) { return data_[static_cast<size_t>(i)]; }
  float operator[](int64_t i) const { return data_[static_cast<size_t>(i)]; }
  std::vector<float>& values() { return data_; }
  const std::vector<float>& values() const { return data_; }

  // Same data, new shape (sizes must match; throws Error otherwise).
  Tensor reshaped(Shape shape) const;
  void reshape(Shape shape);
  void fill(float v);
  // Rows [begin, end) of the first dimension.
  Tensor slice_rows(int64_t begin, int64_t end) const;
  // Rows picked by index along the first dimension (for shuffled batches).
  Tensor gather_rows(const std::vector<int64_t>& rows) const;
  // Per-sample shape (everything after the batch dimension).
  Shape sample_shape() const { return Shape(shape_.begin() + (shape_.empty() ? 0 : 1), shape_.end()); }

 private:
  Shape shape_;
  std::vector<float> data_;
};

}  // namespace tinyforge::nn
