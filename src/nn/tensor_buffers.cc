// The tensors' buffer cache (tensor.h): freed large buffers kept, by exact size, for the next
// request of that size. A training step asks for the same sizes every time, so after the first
// step its tensors come from the cache and their pages stay mapped.
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tinyforge/nn/tensor.h"

namespace tinyforge::nn {
namespace {

constexpr size_t kSmallest = size_t{64} << 10;  // smaller buffers go straight to the C library

class BufferCache {
 public:
  void* take(size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(bytes);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        held_ -= bytes;
        return p;
      }
    }
    return ::operator new(bytes);
  }

  void give_back(void* p, size_t bytes) noexcept {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (held_ + bytes <= kTensorBufferCacheBytes) {
        try {
          free_[bytes].push_back(p);
          held_ += bytes;
          return;
        } catch (...) {  // no memory for the bookkeeping: free the buffer instead
        }
      }
    }
    ::operator delete(p);
  }

  size_t release() {
    std::unordered_map<size_t, std::vector<void*>> free;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      free.swap(free_);
      held_ = 0;
    }
    size_t bytes = 0;
    for (auto& [size, buffers] : free)
      for (void* p : buffers) {
        ::operator delete(p);
        bytes += size;
      }
    return bytes;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  size_t held_ = 0;
};

// Never destroyed: tensors that outlive static destruction (globals of other files) still give
// their buffers back to it.
BufferCache& cache() {
  static BufferCache* c = new BufferCache;
  return *c;
}

}  // namespace

void* take_tensor_buffer(size_t bytes) {
  return bytes < kSmallest ? ::operator new(bytes) : cache().take(bytes);
}

void give_back_tensor_buffer(void* p, size_t bytes) noexcept {
  if (!p) return;
  if (bytes < kSmallest)
    ::operator delete(p);
  else
    cache().give_back(p, bytes);
}

size_t release_tensor_buffers() {
  return cache().release();
}

}  // namespace tinyforge::nn
