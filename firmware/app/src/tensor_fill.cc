#include "tinyforge/app/tensor_fill.h"

#include <string.h>

namespace tinyforge {
namespace app {

namespace {

int32_t round_half_away(float v) {
  // Through double: every target's libgcc has the double -> int conversion.
  const double d = v;
  return static_cast<int32_t>(d >= 0.0 ? d + 0.5 : d - 0.5);
}

int32_t saturate(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

}  // namespace

bool store_value(const micro::TensorInfo& info, uint32_t index, float value, void* dst) {
  if (info.type == micro::TensorType::kFloat32) {
    memcpy(static_cast<uint8_t*>(dst) + 4u * index, &value, sizeof value);
    return true;
  }
  const float scale = info.quant.count != 0 ? info.quant.scale(0) : 1.0f;
  if (!(scale > 0.0f)) return false;
  const int32_t q = round_half_away(value / scale) + (info.quant.count != 0 ? info.quant.zero_point(0) : 0);
  switch (info.type) {
    case micro::TensorType::kInt8:
      static_cast<int8_t*>(dst)[index] = static_cast<int8_t>(saturate(q, -128, 127));
      break;
    case micro::TensorType::kUInt8:
      static_cast<uint8_t*>(dst)[index] = static_cast<uint8_t>(saturate(q, 0, 255));
      break;
    case micro::TensorType::kInt16:
      static_cast<int16_t*>(dst)[index] = static_cast<int16_t>(saturate(q, -32768, 32767));
      break;
    default: return false;
  }
  return true;
}

bool quantize_into(const micro::TensorInfo& info, const float* values, uint32_t count, void* dst) {
  if (static_cast<int32_t>(count) != info.shape.flat_size()) return false;
  for (uint32_t i = 0; i < count; ++i) {
    if (!store_value(info, i, values[i], dst)) return false;
  }
  return true;
}

}  // namespace app
}  // namespace tinyforge
