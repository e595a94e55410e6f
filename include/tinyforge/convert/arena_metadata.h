// The exact arena a model needs, stored in the model itself (TFLite Model.metadata entry
// "tinyforge_arena_bytes", layout in micro/include/tinyforge/micro/arena_metadata.h), so
// firmware and the C array never guess it. The arena depends only on the model's structure,
// never on its metadata, so one planning pass gives the value to store.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "tinyforge/convert/graph.h"
#include "tinyforge/micro/arena_metadata.h"

namespace tinyforge::convert {

// The record's bytes (little-endian uint32 fields).
std::vector<uint8_t> encode_arena_record(const micro::ArenaMetadata& record);

// Serializes the graph with its arena sizes stored (replacing an older record; every other
// metadata entry is kept). Throws Error when the micro runtime cannot plan the model.
std::vector<uint8_t> write_tflite_with_arena(const Graph& graph);
// The same for an existing .tflite file: read, plan, store, write.
std::vector<uint8_t> add_arena_metadata(const std::vector<uint8_t>& tflite);

// The stored record, or nullopt when the model has none. Throws Error when the bytes are not
// a model or the record is malformed.
std::optional<micro::ArenaMetadata> read_arena_metadata(const std::vector<uint8_t>& tflite);

struct ArenaCheck {
  std::optional<micro::ArenaMetadata> stored;
  size_t planned_bytes = 0;  // the planner's value on this host
  size_t planned_bytes_preserve_inputs = 0;
  // Stored values equal the planner's (false when absent; true when planned on a host with
  // another pointer size, where the values cannot be compared here).
  bool matches = false;
};
// Plans the model and compares with the stored record. Throws Error when the model cannot
// be planned or the record is malformed.
ArenaCheck check_arena_metadata(const std::vector<uint8_t>& tflite);

}  // namespace tinyforge::convert
