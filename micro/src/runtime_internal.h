// Helpers shared by the interpreter and the kernel contexts (not part of the public API).
#pragma once

#include <string.h>

#include "tinyforge/micro/interpreter.h"

namespace tinyforge {
namespace micro {

constexpr size_t kArenaAlign = 8;

inline size_t align_up(size_t n) { return (n + kArenaAlign - 1) & ~(kArenaAlign - 1); }

// Persistent memory from the top of the arena (see Interpreter's layout notes).
void* runtime_persistent(RuntimeState* rt, size_t bytes);

// Tensor index of an operator's input/output slot, read from the model in place.
inline int32_t op_slot(const uint8_t* vec, int i) {
  if (!vec) return -1;
  uint32_t n;
  memcpy(&n, vec, 4);
  if (i < 0 || static_cast<uint32_t>(i) >= n) return -1;
  int32_t t;
  memcpy(&t, vec + 4 + 4 * i, 4);
  return t;
}
inline int op_slot_count(const uint8_t* vec) {
  if (!vec) return 0;
  uint32_t n;
  memcpy(&n, vec, 4);
  return static_cast<int>(n);
}

const char* op_display_name(const Model& model, uint32_t op_index);

}  // namespace micro
}  // namespace tinyforge
