#include "tinyforge/app/text_line.h"

namespace tinyforge {
namespace app {

void TextLine::put(char c) {
  if (len_ >= kCapacity) {
    truncated_ = true;
    return;
  }
  buf_[len_++] = c;
  buf_[len_] = '\0';
}

TextLine& TextLine::str(const char* s) {
  while (s && *s) put(*s++);
  return *this;
}

TextLine& TextLine::u64(uint64_t v) {
  char digits[20];
  uint32_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10u);
    v /= 10u;
  } while (v != 0);
  while (n != 0) put(digits[--n]);
  return *this;
}

TextLine& TextLine::u32(uint32_t v) {
  return u64(v);
}

TextLine& TextLine::i32(int32_t v) {
  if (v < 0) {
    put('-');
    // Negate in unsigned arithmetic: -INT32_MIN does not fit an int32_t.
    return u64(0u - static_cast<uint32_t>(v));
  }
  return u64(static_cast<uint32_t>(v));
}

TextLine& TextLine::hex32(uint32_t v) {
  for (int shift = 28; shift >= 0; shift -= 4) put("0123456789abcdef"[(v >> shift) & 0xfu]);
  return *this;
}

TextLine& TextLine::hex64(uint64_t v) {
  hex32(static_cast<uint32_t>(v >> 32));
  return hex32(static_cast<uint32_t>(v));
}

TextLine& TextLine::key(const char* k) {
  if (len_ != 0) put(' ');
  str(k);
  put('=');
  return *this;
}

}  // namespace app
}  // namespace tinyforge
