#include "tinyforge/micro/flatbuffer.h"

namespace tinyforge {
namespace micro {
namespace fb {

Table Table::at(const Buffer& buf, uint32_t pos) {
  Table t;
  if (!buf.has(pos, 4)) return t;
  const int32_t soffset = buf.read<int32_t>(pos);
  const int64_t vt = static_cast<int64_t>(pos) - soffset;
  if (vt < 0 || !buf.has(static_cast<uint64_t>(vt), 4)) return t;
  const uint16_t vt_size = buf.read<uint16_t>(static_cast<uint32_t>(vt));
  const uint16_t obj_size = buf.read<uint16_t>(static_cast<uint32_t>(vt) + 2);
  if (vt_size < 4 || (vt_size & 1) != 0 || !buf.has(static_cast<uint64_t>(vt), vt_size)) return t;
  if (obj_size < 4 || !buf.has(pos, obj_size)) return t;
  t.buf_ = buf;
  t.pos_ = pos;
  t.vtable_ = static_cast<uint32_t>(vt);
  t.vtable_size_ = vt_size;
  t.object_size_ = obj_size;
  t.ok_ = true;
  return t;
}

Table Table::root(const Buffer& buf) {
  if (!buf.has(0, 8)) return Table();
  return at(buf, buf.read<uint32_t>(0));
}

uint32_t Table::field_offset(int field, uint32_t size) const {
  if (!ok_ || field < 0) return 0;
  const uint32_t slot = 4u + 2u * static_cast<uint32_t>(field);
  if (slot + 2 > vtable_size_) return 0;
  const uint16_t off = buf_.read<uint16_t>(vtable_ + slot);
  if (off == 0) return 0;
  if (static_cast<uint32_t>(off) + size > object_size_) {
    broken_ = true;
    return 0;
  }
  return off;
}

bool Table::has(int field) const { return field_offset(field, 0) != 0; }

bool Table::follow(int field, uint32_t* target, FieldState* state) const {
  FieldState s = FieldState::kAbsent;
  bool found = false;
  const uint32_t off = field_offset(field, 4);
  if (off != 0) {
    const uint32_t at = pos_ + off;
    const uint64_t dest = static_cast<uint64_t>(at) + buf_.read<uint32_t>(at);
    if (dest < buf_.size) {
      *target = static_cast<uint32_t>(dest);
      s = FieldState::kPresent;
      found = true;
    } else {
      s = FieldState::kBroken;
      broken_ = true;
    }
  } else if (broken_) {
    s = FieldState::kBroken;
  }
  if (state) *state = s;
  return found;
}

Vector vector_at(const Buffer& buf, uint32_t pos, uint32_t elem_size) {
  if (!buf.has(pos, 4) || elem_size == 0) return Vector();
  const uint32_t len = buf.read<uint32_t>(pos);
  if (!buf.has(static_cast<uint64_t>(pos) + 4, static_cast<uint64_t>(len) * elem_size)) return Vector();
  return Vector(buf, pos + 4, len, elem_size);
}

String string_at(const Buffer& buf, uint32_t pos) {
  String s;
  if (!buf.has(pos, 4)) return s;
  const uint32_t len = buf.read<uint32_t>(pos);
  // Bytes plus the terminating NUL must be inside the buffer.
  if (!buf.has(static_cast<uint64_t>(pos) + 4, static_cast<uint64_t>(len) + 1)) return s;
  if (buf.data[pos + 4 + len] != 0) return s;
  s.text = reinterpret_cast<const char*>(buf.data + pos + 4);
  s.length = len;
  return s;
}

Table Table::table(int field, FieldState* state) const {
  uint32_t dest = 0;
  if (!follow(field, &dest, state)) return Table();
  Table t = at(buf_, dest);
  if (!t.ok()) {
    broken_ = true;
    if (state) *state = FieldState::kBroken;
  }
  return t;
}

Vector Table::vector(int field, uint32_t elem_size, FieldState* state) const {
  uint32_t dest = 0;
  if (!follow(field, &dest, state)) return Vector();
  Vector v = vector_at(buf_, dest, elem_size);
  if (!v.ok()) {
    broken_ = true;
    if (state) *state = FieldState::kBroken;
  }
  return v;
}

String Table::string(int field, FieldState* state) const {
  uint32_t dest = 0;
  if (!follow(field, &dest, state)) return String();
  String s = fb::string_at(buf_, dest);
  if (!s.ok()) {
    broken_ = true;
    if (state) *state = FieldState::kBroken;
  }
  return s;
}

Table Table::table_at(const Vector& v, uint32_t i) {
  if (!v.ok() || i >= v.size() || v.elem_size_ != 4) return Table();
  const uint32_t slot = v.pos_ + 4 * i;
  const uint64_t dest = static_cast<uint64_t>(slot) + v.buf_.read<uint32_t>(slot);
  if (dest >= v.buf_.size) return Table();
  return at(v.buf_, static_cast<uint32_t>(dest));
}

String Table::string_at(const Vector& v, uint32_t i) {
  if (!v.ok() || i >= v.size() || v.elem_size_ != 4) return String();
  const uint32_t slot = v.pos_ + 4 * i;
  const uint64_t dest = static_cast<uint64_t>(slot) + v.buf_.read<uint32_t>(slot);
  if (dest >= v.buf_.size) return String();
  return fb::string_at(v.buf_, static_cast<uint32_t>(dest));
}

}  // namespace fb
}  // namespace micro
}  // namespace tinyforge
