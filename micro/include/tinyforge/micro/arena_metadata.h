// The arena sizes TinyForge stores in a model's metadata when it converts the model, read
// in place so firmware can size (or check) its arena without guessing:
//
//   tinyforge::micro::Model model;
//   model.verify(g_model, g_model_len, &err);
//   tinyforge::micro::ArenaMetadata m;
//   if (read_arena_metadata(model, &m) == ArenaMetadataStatus::kOk && m.arena_bytes > sizeof(arena)) ...
//
// The entry is a TFLite Model.metadata item named kArenaMetadataName whose buffer holds a
// record of little-endian uint32 fields (docs/evaluation.md, "Arena metadata"):
//
//   offset 0   format version (1)
//   offset 4   arena bytes, inputs reused once consumed (the interpreter's default)
//   offset 8   arena bytes with InterpreterOptions::preserve_inputs
//   offset 12  sizeof(void*) of the host that planned it (8 on 64-bit hosts)
//
// The sizes are exact for a target with the planning host's pointer size; a 32-bit MCU's
// persistent tables are smaller, so there the stored value is a safe upper bound.
// Later versions only append fields; a reader of version 1 reads the first 16 bytes.
#pragma once

#include "tinyforge/micro/model.h"

namespace tinyforge {
namespace micro {

constexpr char kArenaMetadataName[] = "tinyforge_arena_bytes";
constexpr uint32_t kArenaMetadataVersion = 1;
constexpr uint32_t kArenaMetadataRecordBytes = 16;

struct ArenaMetadata {
  uint32_t version = 0;
  uint32_t arena_bytes = 0;
  uint32_t arena_bytes_preserve_inputs = 0;
  uint32_t planner_pointer_bytes = 0;
};

enum class ArenaMetadataStatus : uint8_t {
  kOk = 0,
  kAbsent,     // no entry of that name (a model not converted by TinyForge)
  kMalformed,  // an entry too short, with version 0, or with a zero arena size
};

// Reads the record from a verified model. `out` is written only on kOk.
ArenaMetadataStatus read_arena_metadata(const Model& model, ArenaMetadata* out);

// The stored arena bytes for these options, or 0 when the model has no (valid) record.
uint32_t stored_arena_bytes(const Model& model, bool preserve_inputs = false);

}  // namespace micro
}  // namespace tinyforge
