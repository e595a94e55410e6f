// Bounds-checked views over a FlatBuffer in place. Every view is validated when it is
// made: a view that would reach outside the buffer comes back invalid (ok() == false)
// instead of pointing anywhere. Reads go through memcpy, so no access is misaligned.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

namespace tinyforge {
namespace micro {
namespace fb {

struct Buffer {
  const uint8_t* data = nullptr;
  uint32_t size = 0;

  bool has(uint64_t pos, uint64_t len) const { return pos <= size && len <= size - pos; }
  template <typename T>
  T read(uint32_t pos) const {  // caller checked has(pos, sizeof(T))
    T v;
    memcpy(&v, data + pos, sizeof(T));
    return v;
  }
};

// A vector of scalars (or of offsets, read with table_at / string_at).
class Vector {
 public:
  Vector() = default;
  Vector(const Buffer& buf, uint32_t elements_pos, uint32_t length, uint32_t elem_size)
      : buf_(buf), pos_(elements_pos), len_(length), elem_size_(elem_size), ok_(true) {}

  bool ok() const { return ok_; }
  uint32_t size() const { return len_; }
  // Address of the first element (for data handed to kernels as is).
  const uint8_t* data() const { return buf_.data + pos_; }
  uint32_t byte_size() const { return len_ * elem_size_; }

  template <typename T>
  T get(uint32_t i) const {  // i < size(), sizeof(T) == element size
    return buf_.read<T>(pos_ + i * elem_size_);
  }
  int32_t i32(uint32_t i) const { return get<int32_t>(i); }

 private:
  friend class Table;
  Buffer buf_;
  uint32_t pos_ = 0;
  uint32_t len_ = 0;
  uint32_t elem_size_ = 1;
  bool ok_ = false;
};

// A string: length-prefixed bytes followed by a NUL, as FlatBuffers writes them.
struct String {
  const char* text = nullptr;  // NUL-terminated when ok
  uint32_t length = 0;
  bool ok() const { return text != nullptr; }
  const char* c_str_or(const char* fallback) const { return text ? text : fallback; }
};

enum class FieldState : uint8_t { kAbsent, kPresent, kBroken };

class Table {
 public:
  Table() = default;
  // Validates the table header and vtable at `pos`.
  static Table at(const Buffer& buf, uint32_t pos);
  // The root table of a FlatBuffer (offset at byte 0).
  static Table root(const Buffer& buf);

  bool ok() const { return ok_; }
  const Buffer& buffer() const { return buf_; }

  // Scalars: absent fields give the default; a field that would overrun gives the default
  // and marks the table broken (see broken()).
  template <typename T>
  T scalar(int field, T def) const {
    uint32_t off = field_offset(field, sizeof(T));
    if (off == 0) return def;
    return buf_.read<T>(pos_ + off);
  }
  bool boolean(int field, bool def = false) const { return scalar<uint8_t>(field, def ? 1 : 0) != 0; }

  // Reference fields. An absent field gives an invalid view with state kAbsent.
  Table table(int field, FieldState* state = nullptr) const;
  Vector vector(int field, uint32_t elem_size, FieldState* state = nullptr) const;
  String string(int field, FieldState* state = nullptr) const;

  // Elements of a vector of tables / strings.
  static Table table_at(const Vector& v, uint32_t i);
  static String string_at(const Vector& v, uint32_t i);

  bool has(int field) const;
  // True when some field read so far pointed outside the table or buffer.
  bool broken() const { return broken_; }

 private:
  // Offset of the field inside the table if present and `size` bytes fit, else 0.
  uint32_t field_offset(int field, uint32_t size) const;
  bool follow(int field, uint32_t* target, FieldState* state) const;

  Buffer buf_;
  uint32_t pos_ = 0;
  uint32_t vtable_ = 0;
  uint16_t vtable_size_ = 0;
  uint16_t object_size_ = 0;
  bool ok_ = false;
  mutable bool broken_ = false;
};

// Reads the vector or string header at `pos` (the target of an offset).
Vector vector_at(const Buffer& buf, uint32_t pos, uint32_t elem_size);
String string_at(const Buffer& buf, uint32_t pos);

}  // namespace fb
}  // namespace micro
}  // namespace tinyforge
