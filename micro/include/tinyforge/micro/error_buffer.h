// A fixed-size error message buffer with a tiny printf-like formatter, so the runtime
// can name what went wrong without heap, iostream or libc's vsnprintf.
#pragma once

#include <stdarg.h>
#include <stddef.h>

// printf-style checking of messages. On 32-bit MCU toolchains int32_t is `long`, so "%d"
// for an int32_t would be flagged although both are passed alike there; check on 64-bit hosts
// (where int32_t is int) only.
#if defined(__SIZEOF_LONG__) && defined(__SIZEOF_INT__) && __SIZEOF_LONG__ != __SIZEOF_INT__
#define TF_MICRO_PRINTF(fmt_index, args_index) __attribute__((format(printf, fmt_index, args_index)))
#else
#define TF_MICRO_PRINTF(fmt_index, args_index)
#endif

namespace tinyforge {
namespace micro {

class ErrorBuffer {
 public:
  static constexpr size_t kCapacity = 640;

  // Replaces the message. Supports %s %d %u %ld %lu %x %c %% (no floating point: soft-float helpers are missing on some MCU toolchains).
  void set(const char* fmt, ...) TF_MICRO_PRINTF(2, 3);
  void vset(const char* fmt, va_list args);
  // Appends to the message (truncating at capacity).
  void append(const char* fmt, ...) TF_MICRO_PRINTF(2, 3);
  void vappend(const char* fmt, va_list args);
  void clear() {
    len_ = 0;
    text_[0] = '\0';
  }
  const char* c_str() const { return text_; }
  bool empty() const { return len_ == 0; }

 private:
  void put(char c);
  void put_str(const char* s);
  void put_unsigned(unsigned long long v, unsigned base);

  char text_[kCapacity] = {0};
  size_t len_ = 0;
};

}  // namespace micro
}  // namespace tinyforge
