// Shared pieces of the robustness tests: the shared models, a fixed arena, a resolver with
// every real kernel (plus stand-ins for the ones not written yet), a "run it and check it
// ends cleanly" helper, and a minimal FlatBuffer navigator for patching models in place.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "support/test_support.h"
#include "tinyforge/micro/interpreter.h"

namespace tinyforge::test {

// Every .tflite file of ../shared/models, sorted by name.
std::vector<std::string> shared_model_names();

// One resolver for all robustness tests (real kernels + fill-ins).
const micro::OpResolver& robustness_resolver();

struct RunOutcome {
  micro::Status allocate = micro::Status::kOk;
  micro::Status invoke = micro::Status::kOk;  // kOk also when invoke was not reached
  bool invoked = false;
  std::string error;    // the interpreter's message after the last failing call
  std::string problem;  // non-empty when the outcome breaks the "clean failure" contract
};

// Verifies, allocates (in a fixed 2 MiB arena) and, when that succeeds, fills the inputs
// with a fixed pattern and invokes. Records a problem when a failure has no message.
RunOutcome run_model(const uint8_t* data, size_t size);

// Reading and writing little-endian words of a FlatBuffer being patched.
inline uint32_t get_u32(const std::vector<uint8_t>& b, uint32_t pos) {
  uint32_t v;
  std::memcpy(&v, b.data() + pos, 4);
  return v;
}
inline void put_u32(std::vector<uint8_t>& b, uint32_t pos, uint32_t v) { std::memcpy(b.data() + pos, &v, 4); }

// Absolute positions inside a trusted (unmodified) FlatBuffer.
namespace fbpos {
uint32_t root(const std::vector<uint8_t>& b);
// Position of a field's value inside the table at `table`, or 0 when absent.
uint32_t field(const std::vector<uint8_t>& b, uint32_t table, int field_id);
// Target of the offset field (table, vector or string), or 0 when absent.
uint32_t ref(const std::vector<uint8_t>& b, uint32_t table, int field_id);
// Position of element i of a vector of offsets, dereferenced.
uint32_t element(const std::vector<uint8_t>& b, uint32_t vec, uint32_t i);
// Position of scalar element i of a vector (vec points at its length word).
inline uint32_t scalar(uint32_t vec, uint32_t i, uint32_t elem_size) { return vec + 4 + i * elem_size; }
}  // namespace fbpos

}  // namespace tinyforge::test
