// What a .tflite file holds and what it costs: tensors, operators, bytes of weights
// versus structure, and the exact arena the micro runtime needs.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tinyforge/micro/arena_metadata.h"
#include "tinyforge/runtime.h"
#include "tinyforge/size_breakdown.h"

namespace tinyforge {

struct TensorSummary {
  int32_t index = -1;
  std::string name;
  std::string type;
  std::vector<int32_t> shape;
  uint32_t bytes = 0;
  bool is_constant = false;
  bool is_variable = false;
  std::vector<float> scales;       // empty: not quantized
  std::vector<int32_t> zero_points;
  int32_t quantized_dimension = 0;
};

struct OpSummary {
  uint32_t index = 0;
  std::string opcode;  // "CONV_2D", "CUSTOM(name)"
  int32_t version = 1;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  bool supported = false;
};

struct ModelReport {
  size_t file_bytes = 0;
  size_t weight_bytes = 0;  // constant tensor data
  std::string description;
  std::vector<TensorSummary> inputs;
  std::vector<TensorSummary> outputs;
  std::vector<TensorSummary> tensors;
  std::vector<OpSummary> ops;
  bool runnable = false;   // every op supported and allocation succeeded
  std::string problem;     // why not, when !runnable
  std::vector<std::string> unsupported;  // distinct unsupported opcodes with version
  size_t arena_bytes = 0;               // exact, inputs may be overwritten (default)
  size_t arena_bytes_preserve_inputs = 0;
  size_t planned_bytes = 0;
  size_t persistent_bytes = 0;
  // The "tinyforge_arena_bytes" metadata record, as stored (kAbsent for models not written by
  // TinyForge), and whether it equals the planner's values on this host.
  micro::ArenaMetadataStatus stored_arena_status = micro::ArenaMetadataStatus::kAbsent;
  micro::ArenaMetadata stored_arena;
  bool stored_arena_matches = false;
  SizeBreakdown sizes;  // what the file's bytes are spent on
};

// Throws Error when the bytes are not a valid model.
ModelReport inspect_model(const ModelBytes& model);
std::string report_text(const ModelReport& report, bool with_tensors);
nlohmann::json report_json(const ModelReport& report);

}  // namespace tinyforge
