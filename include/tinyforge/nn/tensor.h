// The host tensor: float32, row-major, batch first and channels last (NHWC), matching
// TFLite's layout so weights and activations move to the micro runtime unchanged.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tinyforge::nn {

using Shape = std::vector<int64_t>;

// The tensor's storage: a vector whose new elements are left uninitialized (std::allocator would
// zero them, on the calling thread). Tensor's constructors fill them instead: large tensors on all
// of the backend's threads, and Tensor::for_overwrite not at all.
template <typename T>
struct UninitializedAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <typename U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}  // NOLINT: rebinding
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
using TensorStorage = std::vector<float, UninitializedAllocator<float>>;

int64_t shape_size(const Shape& s);
std::string shape_str(const Shape& s);  // "(32, 28, 28, 1)"

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape, float fill = 0.0f);
  Tensor(Shape shape, const std::vector<float>& values);  // throws Error if sizes differ
  // A tensor whose values are unspecified, for a result that will be written whole: it skips
  // the fill, a pass through memory as long as the tensor.
  static Tensor for_overwrite(Shape shape);

  const Shape& shape() const { return shape_; }
  int64_t dim(int i) const { return shape_[static_cast<size_t>(i < 0 ? i + rank() : i)]; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t size() const { return static_cast<int64_t>(data_.size()); }
  bool empty() const { return data_.empty(); }

  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  float& operator[](int64_t i) { return data_[static_cast<size_t>(i)]; }
  float operator[](int64_t i) const { return data_[static_cast<size_t>(i)]; }
  TensorStorage& values() { return data_; }
  const TensorStorage& values() const { return data_; }
  std::vector<float> to_vector() const { return std::vector<float>(data_.begin(), data_.end()); }

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
  TensorStorage data_;
};

}  // namespace tinyforge::nn
