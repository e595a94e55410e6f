#include "tinyforge/micro/arena_metadata.h"

namespace tinyforge {
namespace micro {

namespace {

// Little-endian whatever the target's byte order.
uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

}  // namespace

ArenaMetadataStatus read_arena_metadata(const Model& model, ArenaMetadata* out) {
  if (!model.verified()) return ArenaMetadataStatus::kAbsent;
  const fb::Vector entry = model.metadata(kArenaMetadataName);
  if (!entry.ok()) return ArenaMetadataStatus::kAbsent;
  if (entry.byte_size() < kArenaMetadataRecordBytes) return ArenaMetadataStatus::kMalformed;
  const uint8_t* p = entry.data();
  ArenaMetadata m;
  m.version = le32(p);
  m.arena_bytes = le32(p + 4);
  m.arena_bytes_preserve_inputs = le32(p + 8);
  m.planner_pointer_bytes = le32(p + 12);
  if (m.version == 0 || m.arena_bytes == 0 || m.arena_bytes_preserve_inputs == 0) {
    return ArenaMetadataStatus::kMalformed;
  }
  if (out) *out = m;
  return ArenaMetadataStatus::kOk;
}

uint32_t stored_arena_bytes(const Model& model, bool preserve_inputs) {
  ArenaMetadata m;
  if (read_arena_metadata(model, &m) != ArenaMetadataStatus::kOk) return 0;
  return preserve_inputs ? m.arena_bytes_preserve_inputs : m.arena_bytes;
}

}  // namespace micro
}  // namespace tinyforge
