// libFuzzer target: any bytes through verify + allocate + invoke must end in a clean
// Status (with a message) or a normal run, never a crash, a sanitizer report or a hang.
// Invariants checked beyond "no crash":
//  - every failure carries a non-empty error message;
//  - after a successful allocate(), an arena 8 bytes smaller than arena_used_bytes()
//    fails with kArenaTooSmall and reports exactly arena_used_bytes() as required;
//  - exactly arena_used_bytes() is enough, and gives the same plan.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "robustness/fill_in_kernels.h"
#include "tinyforge/micro/interpreter.h"

namespace {

using tinyforge::micro::Interpreter;
using tinyforge::micro::OpResolver;
using tinyforge::micro::Status;

constexpr size_t kArenaBytes = 2u << 20;  // fixed, large enough for every shared model
alignas(16) uint8_t g_arena[kArenaBytes];

void check(bool ok) {
  if (!ok) __builtin_trap();
}

const OpResolver& resolver() {
  static OpResolver r;
  static bool init = false;
  if (!init) {
    tinyforge::micro::fill_in::register_kernels_with_fill_ins(&r);
    init = true;
  }
  return r;
}

// Fills every input with bytes of the model itself: deterministic, and mutations of the
// model change the data the kernels see.
void fill_inputs(Interpreter& interp, const uint8_t* data, size_t size) {
  for (uint32_t i = 0; i < interp.num_inputs(); ++i) {
    auto* p = static_cast<uint8_t*>(interp.input_data(i));
    const uint32_t n = interp.input_info(i).bytes;
    if (!p) continue;
    for (uint32_t b = 0; b < n; ++b) p[b] = data[(b * 7u + i) % size];
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // An exactly sized, 16-byte aligned copy: ASan then sees any read past the model's end.
  void* mem = nullptr;
  if (posix_memalign(&mem, 16, size) != 0) return 0;
  uint8_t* model = static_cast<uint8_t*>(mem);
  memcpy(model, data, size);

  {
    Interpreter interp(model, size, resolver(), g_arena, kArenaBytes);
    const Status s = interp.allocate();
    check(s == Status::kOk || interp.error()[0] != '\0');
    if (s == Status::kOk) {
      const size_t used = interp.arena_used_bytes();
      check(used > 0 && used <= kArenaBytes);
      fill_inputs(interp, model, size);
      const Status r = interp.invoke();
      check(r == Status::kOk || interp.error()[0] != '\0');

      // The exact-size promise, checked in the tail of the same arena buffer so both
      // interpreters' memory stays valid.
      if (used >= 16) {
        Interpreter small(model, size, resolver(), g_arena, used - 8);
        check(small.allocate() == Status::kArenaTooSmall);
        // 0 is allowed: the planner cannot size itself when its own working memory does not
        // fit (reported to the lead; see docs/fuzzing.md).
        check(small.required_arena_bytes() == used || small.required_arena_bytes() == 0);
        check(small.error()[0] != '\0');
      }
      // Exactly `used` bytes suffice (a second invoke is skipped: it doubles the cost of
      // the big models for little new coverage).
      Interpreter again(model, size, resolver(), g_arena, used);
      check(again.allocate() == Status::kOk);
      check(again.arena_used_bytes() == used);
    }
  }
  free(mem);
  return 0;
}
