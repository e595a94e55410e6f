#include "robustness/robustness_support.h"

#include <algorithm>
#include <filesystem>

#include "robustness/fill_in_kernels.h"

namespace tinyforge::test {

std::vector<std::string> shared_model_names() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(shared_path("models"))) {
    if (e.path().extension() == ".tflite") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

const micro::OpResolver& robustness_resolver() {
  static const micro::OpResolver resolver = [] {
    micro::OpResolver r;
    micro::fill_in::register_kernels_with_fill_ins(&r);
    return r;
  }();
  return resolver;
}

RunOutcome run_model(const uint8_t* data, size_t size) {
  static AlignedBytes arena(2u << 20);
  RunOutcome out;
  micro::Interpreter interp(data, size, robustness_resolver(), arena.data(), arena.size());
  out.allocate = interp.allocate();
  if (out.allocate != micro::Status::kOk) {
    out.error = interp.error();
    if (out.error.empty()) out.problem = std::string("allocate() returned ") + micro::status_name(out.allocate) +
                                         " with an empty error message";
    return out;
  }
  if (interp.arena_used_bytes() == 0 || interp.arena_used_bytes() > arena.size()) {
    out.problem = "arena_used_bytes() = " + std::to_string(interp.arena_used_bytes()) + " after a successful allocate()";
  }
  for (uint32_t i = 0; i < interp.num_inputs(); ++i) {
    auto* p = static_cast<uint8_t*>(interp.input_data(i));
    const uint32_t n = interp.input_info(i).bytes;
    if (!p) continue;
    for (uint32_t k = 0; k < n; ++k) p[k] = static_cast<uint8_t>((7 * k + 3 + 11 * i) % 256);
  }
  out.invoked = true;
  out.invoke = interp.invoke();
  if (out.invoke != micro::Status::kOk) {
    out.error = interp.error();
    if (out.error.empty()) out.problem = std::string("invoke() returned ") + micro::status_name(out.invoke) +
                                         " with an empty error message";
  }
  return out;
}

namespace fbpos {

uint32_t root(const std::vector<uint8_t>& b) { return get_u32(b, 0); }

uint32_t field(const std::vector<uint8_t>& b, uint32_t table, int field_id) {
  int32_t soff;
  std::memcpy(&soff, b.data() + table, 4);
  const uint32_t vt = table - soff;
  uint16_t vt_size, off;
  std::memcpy(&vt_size, b.data() + vt, 2);
  const uint32_t slot = 4 + 2 * field_id;
  if (slot + 2 > vt_size) return 0;
  std::memcpy(&off, b.data() + vt + slot, 2);
  return off ? table + off : 0;
}

uint32_t ref(const std::vector<uint8_t>& b, uint32_t table, int field_id) {
  const uint32_t at = field(b, table, field_id);
  return at ? at + get_u32(b, at) : 0;
}

uint32_t element(const std::vector<uint8_t>& b, uint32_t vec, uint32_t i) {
  const uint32_t at = vec + 4 + 4 * i;
  return at + get_u32(b, at);
}

}  // namespace fbpos
}  // namespace tinyforge::test
