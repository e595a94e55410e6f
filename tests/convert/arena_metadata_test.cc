// The arena size stored in a model's metadata: equal to what the planner computes, read back
// by the host and by the micro runtime in place, detected when stripped or altered, and
// harmless to every other metadata entry.
#include "tinyforge/convert/arena_metadata.h"

#include <gtest/gtest.h>

#include <string>

#include "support/test_support.h"
#include "support/tiny_models.h"
#include "tinyforge/convert/c_array.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/error.h"
#include "tinyforge/micro/arena_metadata.h"
#include "tinyforge/runtime.h"

namespace tinyforge::convert {
namespace {

std::vector<uint8_t> shared_model(const std::string& name) {
  return test::read_file(test::shared_path("models/" + name + ".tflite"));
}

micro::Model verified(const ModelBytes& bytes) {
  micro::Model m;
  micro::ErrorBuffer err;
  EXPECT_EQ(m.verify(bytes.data(), bytes.size(), &err), micro::Status::kOk) << err.c_str();
  return m;
}

// Position of the record inside the file, found through the micro reader.
size_t record_offset(const std::vector<uint8_t>& bytes) {
  const ModelBytes mb(bytes);
  const micro::fb::Vector v = verified(mb).metadata(micro::kArenaMetadataName);
  EXPECT_TRUE(v.ok());
  return static_cast<size_t>(v.data() - mb.data());
}

TEST(ArenaMetadata, RecordIsLittleEndianVersionThenSizes) {
  micro::ArenaMetadata m;
  m.version = 1;
  m.arena_bytes = 0x01020304;
  m.arena_bytes_preserve_inputs = 0x0a0b0c0d;
  m.planner_pointer_bytes = 8;
  const std::vector<uint8_t> want = {1, 0, 0, 0, 4, 3, 2, 1, 0x0d, 0x0c, 0x0b, 0x0a, 8, 0, 0, 0};
  EXPECT_EQ(encode_arena_record(m), want);
}

TEST(ArenaMetadata, StoredValueEqualsThePlannersExactArena) {
  for (const std::string name : {"hello_world_int8", "trained_lstm_int8", "person_detect", "micro_speech_quantized"}) {
    const std::vector<uint8_t> original = shared_model(name);
    const std::vector<uint8_t> stored = add_arena_metadata(original);
    const auto record = read_arena_metadata(stored);
    ASSERT_TRUE(record.has_value()) << name;
    EXPECT_EQ(record->version, 1u);
    EXPECT_EQ(record->planner_pointer_bytes, sizeof(void*));
    // The planner's value for the original file and for the written one (the arena does not
    // depend on metadata).
    EXPECT_EQ(record->arena_bytes, exact_arena_bytes(ModelBytes(original))) << name;
    EXPECT_EQ(record->arena_bytes, exact_arena_bytes(ModelBytes(stored))) << name;
    EXPECT_EQ(record->arena_bytes_preserve_inputs, exact_arena_bytes(ModelBytes(original), true)) << name;
    // The micro runtime reads the same values in place.
    const ModelBytes mb(stored);
    const micro::Model model = verified(mb);
    EXPECT_EQ(micro::stored_arena_bytes(model), record->arena_bytes);
    EXPECT_EQ(micro::stored_arena_bytes(model, true), record->arena_bytes_preserve_inputs);
    EXPECT_TRUE(check_arena_metadata(stored).matches);
    // An interpreter given exactly the stored bytes allocates and runs as the original does.
    Runner a{ModelBytes(original)};
    Runner b{ModelBytes(stored), {.arena_bytes = record->arena_bytes}};
    a.fill_tflm_pattern();
    b.fill_tflm_pattern();
    a.invoke();
    b.invoke();
    EXPECT_EQ(a.outputs_fnv1a64(), b.outputs_fnv1a64()) << name;
  }
}

TEST(ArenaMetadata, StoringTwiceReplacesTheRecord) {
  const std::vector<uint8_t> once = add_arena_metadata(shared_model("hello_world_int8"));
  EXPECT_EQ(add_arena_metadata(once), once);
  EXPECT_EQ(read_tflite(once).metadata.count(micro::kArenaMetadataName), 1u);
}

TEST(ArenaMetadata, KeepsGooglesMetadataEntries) {
  // hello_world_float carries min_runtime_version "1.5.0" and CONVERSION_METADATA (SOURCES.md).
  const std::vector<uint8_t> original = shared_model("hello_world_float");
  const Graph before = read_tflite(original);
  const Graph after = read_tflite(add_arena_metadata(original));
  for (const char* name : {"min_runtime_version", "CONVERSION_METADATA"}) {
    ASSERT_EQ(before.metadata.count(name), 1u) << name;
    ASSERT_EQ(after.metadata.count(name), 1u) << name;
    EXPECT_EQ(after.metadata.at(name), before.metadata.at(name)) << name;
  }
  const std::vector<uint8_t>& version = after.metadata.at("min_runtime_version");
  EXPECT_EQ(std::string(version.begin(), version.begin() + 5), "1.5.0");
  EXPECT_EQ(after.metadata.size(), 3u);
}

TEST(ArenaMetadata, StrippingIsSeenAndTheArenaIsPlannedInstead) {
  const std::vector<uint8_t> stored = add_arena_metadata(shared_model("hello_world_int8"));
  Graph g = read_tflite(stored);
  g.metadata.erase(micro::kArenaMetadataName);
  const std::vector<uint8_t> stripped = write_tflite(g);
  EXPECT_FALSE(read_arena_metadata(stripped).has_value());
  const ModelBytes mb(stripped);
  micro::ArenaMetadata m;
  EXPECT_EQ(micro::read_arena_metadata(verified(mb), &m), micro::ArenaMetadataStatus::kAbsent);
  EXPECT_EQ(micro::stored_arena_bytes(verified(mb)), 0u);
  CArrayOptions options;
  options.name = "g_model";
  const std::string arena = std::to_string(exact_arena_bytes(ModelBytes(stripped)));
  EXPECT_NE(make_c_array(stripped, options).header.find("g_model_arena_bytes = " + arena + ";"), std::string::npos);
}

TEST(ArenaMetadata, AlteredValueIsDetected) {
  std::vector<uint8_t> bytes = add_arena_metadata(shared_model("hello_world_int8"));
  const size_t at = record_offset(bytes);
  bytes[at + 4] = static_cast<uint8_t>(bytes[at + 4] + 16);  // arena_bytes + 16
  const ArenaCheck check = check_arena_metadata(bytes);
  ASSERT_TRUE(check.stored.has_value());
  EXPECT_FALSE(check.matches);
  EXPECT_EQ(check.stored->arena_bytes, check.planned_bytes + 16);
  CArrayOptions options;
  options.name = "g_model";
  try {
    make_c_array(bytes, options);
    ADD_FAILURE() << "an altered arena size was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("differs from the planner"), std::string::npos) << e.what();
  }
}

TEST(ArenaMetadata, MalformedRecordIsAnErrorOnTheHostAndAStatusOnTheDevice) {
  Graph g = read_tflite(shared_model("hello_world_int8"));
  g.metadata[micro::kArenaMetadataName] = {1, 0, 0, 0, 16, 0, 0, 0};  // 8 bytes: too short
  const std::vector<uint8_t> short_record = write_tflite(g);
  EXPECT_THROW(read_arena_metadata(short_record), Error);
  const ModelBytes mb(short_record);
  micro::ArenaMetadata m;
  EXPECT_EQ(micro::read_arena_metadata(verified(mb), &m), micro::ArenaMetadataStatus::kMalformed);
  EXPECT_EQ(micro::stored_arena_bytes(verified(mb)), 0u);

  g.metadata[micro::kArenaMetadataName] = std::vector<uint8_t>(16, 0);  // version 0
  EXPECT_THROW(read_arena_metadata(write_tflite(g)), Error);
}

TEST(ArenaMetadata, SharedModelsWithoutMetadataStillWork) {
  for (const std::string name : {"hello_world_float", "hello_world_int8", "trained_lstm", "trained_lstm_int8",
                                 "magic_wand", "keyword_scrambled", "simple_add_model"}) {
    const std::vector<uint8_t> bytes = shared_model(name);
    EXPECT_FALSE(read_arena_metadata(bytes).has_value()) << name;
    const ArenaCheck check = check_arena_metadata(bytes);
    EXPECT_FALSE(check.matches);
    EXPECT_EQ(check.planned_bytes, exact_arena_bytes(ModelBytes(bytes))) << name;
  }
}

TEST(ArenaMetadata, WritingAGraphWithTheArenaStoresIt) {
  const Graph g = test::dense_chain(2, {{3, {1, 0, 0, 1, -1, -1}, {0, 0, 0}, "logits"}});
  const std::vector<uint8_t> bytes = write_tflite_with_arena(g);
  const auto record = read_arena_metadata(bytes);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->arena_bytes, exact_arena_bytes(ModelBytes(write_tflite(g))));
}

TEST(ArenaMetadata, ModelsThePlannerCannotRunAreRefused) {
  // person_detect_vela's CUSTOM(ethos-u) has no kernel here, so no arena can be computed.
  EXPECT_THROW(add_arena_metadata(shared_model("person_detect_vela")), Error);
}

}  // namespace
}  // namespace tinyforge::convert
