// A fixed-size text line built piece by piece, without printf: picolibc's small printf on the
// emulated targets does not do 64-bit integers, and the app core must not touch the heap.
#pragma once

#include <stdint.h>

namespace tinyforge {
namespace app {

class TextLine {
 public:
  static constexpr uint32_t kCapacity = 200;

  TextLine& str(const char* s);
  TextLine& u32(uint32_t v);
  TextLine& i32(int32_t v);
  TextLine& u64(uint64_t v);
  TextLine& hex32(uint32_t v);  // 8 lowercase hex digits
  TextLine& hex64(uint64_t v);  // 16 lowercase hex digits
  // "key=" followed by the value.
  TextLine& key(const char* k);

  const char* c_str() const { return buf_; }
  uint32_t size() const { return len_; }
  // True when something did not fit (the line is cut, never overrun).
  bool truncated() const { return truncated_; }

 private:
  void put(char c);

  char buf_[kCapacity + 1] = {0};
  uint32_t len_ = 0;
  bool truncated_ = false;
};

}  // namespace app
}  // namespace tinyforge
