// Helpers for the deploy tests: model bytes, generating projects, reading C arrays back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tinyforge/deploy/esp_idf.h"

namespace tinyforge::test {

std::vector<uint8_t> shared_model(const std::string& name);
// A one-input int8 model (ADD of the input with itself) whose activations take
// 2 x `side` x `side` x 4 bytes: big enough to overflow a chip's internal RAM.
std::vector<uint8_t> big_activation_model(int32_t side);
// The bytes of `array_name` in generated C source (the "0x.." list between its braces).
std::vector<uint8_t> parse_c_array(const std::string& source, const std::string& array_name);
// The model each app kind is tested with (shared reference models).
std::string model_for_app(const std::string& app);

}  // namespace tinyforge::test
