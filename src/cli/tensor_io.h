// Moving tensors between files / JSON and the runner, for the CLI.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "tinyforge/runtime.h"

namespace tinyforge::cli {

// Loads input i from a .npy file. The dtype must match the tensor's, except float data
// for a quantized integer input, which is quantized with the input's scale and zero point.
void load_input_npy(Runner& runner, uint32_t i, const std::string& path);
// {index, name, type, shape, fnv1a64, values} of output i (raw values as stored).
nlohmann::json output_json(const Runner& runner, uint32_t i);

}  // namespace tinyforge::cli
