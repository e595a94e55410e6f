#include "tinyforge/micro/error_buffer.h"

#include <stdint.h>

namespace tinyforge {
namespace micro {

void ErrorBuffer::put(char c) {
  if (len_ + 1 < kCapacity) {
    text_[len_++] = c;
    text_[len_] = '\0';
  }
}

void ErrorBuffer::put_str(const char* s) {
  if (!s) s = "(null)";
  while (*s) put(*s++);
}

void ErrorBuffer::put_unsigned(unsigned long long v, unsigned base) {
  char digits[24];
  int n = 0;
  do {
    const unsigned d = static_cast<unsigned>(v % base);
    digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
    v /= base;
  } while (v != 0 && n < 24);
  while (n > 0) put(digits[--n]);
}

void ErrorBuffer::set(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vset(fmt, args);
  va_end(args);
}

void ErrorBuffer::vset(const char* fmt, va_list args) {
  clear();
  vappend(fmt, args);
}

void ErrorBuffer::append(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vappend(fmt, args);
  va_end(args);
}

void ErrorBuffer::vappend(const char* fmt, va_list args) {
  for (const char* p = fmt; *p; ++p) {
    if (*p != '%') {
      put(*p);
      continue;
    }
    ++p;
    bool is_long = false;
    while (*p == 'l') {
      is_long = true;
      ++p;
    }
    switch (*p) {
      case 's':
        put_str(va_arg(args, const char*));
        break;
      case 'c':
        put(static_cast<char>(va_arg(args, int)));
        break;
      case 'd': {
        const long long v = is_long ? va_arg(args, long) : va_arg(args, int);
        if (v < 0) put('-');
        put_unsigned(v < 0 ? static_cast<unsigned long long>(-(v + 1)) + 1 : static_cast<unsigned long long>(v), 10);
        break;
      }
      case 'u':
        put_unsigned(is_long ? va_arg(args, unsigned long) : va_arg(args, unsigned), 10);
        break;
      case 'x':
        put_unsigned(is_long ? va_arg(args, unsigned long) : va_arg(args, unsigned), 16);
        break;
      case '%':
        put('%');
        break;
      case '\0':
        return;
      default:
        put('%');
        put(*p);
        break;
    }
  }
}

}  // namespace micro
}  // namespace tinyforge
