// Storing the planner's arena sizes in a model: write once with a placeholder record, plan
// the written bytes, then patch the record in place. The record has a fixed size, so the
// patched file is byte for byte what writing the real values would give.
#include "tinyforge/convert/arena_metadata.h"

#include <string>

#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/error.h"
#include "tinyforge/runtime.h"

namespace tinyforge::convert {

namespace {

void put_le32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

micro::Model verified_model(const ModelBytes& bytes) {
  micro::Model model;
  micro::ErrorBuffer err;
  if (model.verify(bytes.data(), bytes.size(), &err) != micro::Status::kOk) {
    throw Error(std::string("invalid model: ") + err.c_str());
  }
  return model;
}

std::optional<micro::ArenaMetadata> read_record(const micro::Model& model) {
  micro::ArenaMetadata m;
  switch (micro::read_arena_metadata(model, &m)) {
    case micro::ArenaMetadataStatus::kOk: return m;
    case micro::ArenaMetadataStatus::kAbsent: return std::nullopt;
    case micro::ArenaMetadataStatus::kMalformed: break;
  }
  throw Error(std::string("the model's '") + micro::kArenaMetadataName + "' metadata is malformed (shorter than " +
              std::to_string(micro::kArenaMetadataRecordBytes) +
              " bytes, version 0 or a zero size): re-store it with the converter");
}

size_t plan(const ModelBytes& bytes, bool preserve_inputs) {
  try {
    return exact_arena_bytes(bytes, preserve_inputs);
  } catch (const Error& e) {
    throw Error(std::string("the micro runtime cannot plan this model, so its arena size is unknown: ") + e.what());
  }
}

}  // namespace

std::vector<uint8_t> encode_arena_record(const micro::ArenaMetadata& r) {
  std::vector<uint8_t> out(micro::kArenaMetadataRecordBytes);
  put_le32(out.data(), r.version);
  put_le32(out.data() + 4, r.arena_bytes);
  put_le32(out.data() + 8, r.arena_bytes_preserve_inputs);
  put_le32(out.data() + 12, r.planner_pointer_bytes);
  return out;
}

std::vector<uint8_t> write_tflite_with_arena(const Graph& graph) {
  Graph g = graph;
  g.metadata[micro::kArenaMetadataName] = std::vector<uint8_t>(micro::kArenaMetadataRecordBytes, 0);
  std::vector<uint8_t> bytes = write_tflite(g);
  const ModelBytes planned(bytes);
  micro::ArenaMetadata record;
  record.version = micro::kArenaMetadataVersion;
  record.arena_bytes = static_cast<uint32_t>(plan(planned, false));
  record.arena_bytes_preserve_inputs = static_cast<uint32_t>(plan(planned, true));
  record.planner_pointer_bytes = static_cast<uint32_t>(sizeof(void*));
  const micro::Model model = verified_model(planned);
  const micro::fb::Vector entry = model.metadata(micro::kArenaMetadataName);
  if (!entry.ok() || entry.byte_size() != micro::kArenaMetadataRecordBytes) {
    throw Error("internal: the written model lost its arena metadata entry");
  }
  const size_t offset = static_cast<size_t>(entry.data() - planned.data());
  const std::vector<uint8_t> encoded = encode_arena_record(record);
  std::copy(encoded.begin(), encoded.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset));
  return bytes;
}

std::vector<uint8_t> add_arena_metadata(const std::vector<uint8_t>& tflite) {
  return write_tflite_with_arena(read_tflite(tflite));
}

std::optional<micro::ArenaMetadata> read_arena_metadata(const std::vector<uint8_t>& tflite) {
  const ModelBytes bytes(tflite);
  return read_record(verified_model(bytes));
}

ArenaCheck check_arena_metadata(const std::vector<uint8_t>& tflite) {
  const ModelBytes bytes(tflite);
  ArenaCheck c;
  c.stored = read_record(verified_model(bytes));
  c.planned_bytes = plan(bytes, false);
  c.planned_bytes_preserve_inputs = plan(bytes, true);
  if (c.stored) {
    c.matches = c.stored->planner_pointer_bytes != sizeof(void*) ||
                (c.stored->arena_bytes == c.planned_bytes &&
                 c.stored->arena_bytes_preserve_inputs == c.planned_bytes_preserve_inputs);
  }
  return c;
}

}  // namespace tinyforge::convert
