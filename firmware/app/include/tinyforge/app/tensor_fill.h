// Turning real-valued sensor readings into a model input of any supported type.
#pragma once

#include <stdint.h>

#include "tinyforge/micro/model.h"

namespace tinyforge {
namespace app {

// Writes `count` values (count must equal the tensor's element count) into `dst` in the tensor's
// type: float32 as is; int8/uint8/int16 quantized with the tensor's scale and zero point,
// rounded half away from zero and saturated. False for other types or a count mismatch.
bool quantize_into(const micro::TensorInfo& info, const float* values, uint32_t count, void* dst);
// The same for one element (sensors that convert as they read, without a float buffer).
bool store_value(const micro::TensorInfo& info, uint32_t index, float value, void* dst);

}  // namespace app
}  // namespace tinyforge
