// The byte breakdown walks parts of a file the verifier does not check (signature definitions,
// option tables): on corrupted models that still verify it must answer with an Error or with
// parts that sum to the file size, never read outside the file (the sanitized build checks).
// The same goes for the device's reader of the arena metadata, which verify() does not cover.
#include <gtest/gtest.h>

#include "support/test_support.h"
#include "tinyforge/convert/arena_metadata.h"
#include "tinyforge/error.h"
#include "tinyforge/micro/arena_metadata.h"
#include "tinyforge/size_breakdown.h"

namespace tinyforge {
namespace {

TEST(SizeBreakdownRobustness, CorruptedModelsAreAnsweredNotCrashedOn) {
  int verified = 0, answered = 0;
  for (const std::string name : {"hello_world_int8", "magic_wand", "audio_preprocessor_int8", "stored"}) {
    // "stored": hello_world_int8 with the arena metadata written by the converter.
    const std::vector<uint8_t> original =
        name == "stored"
            ? convert::add_arena_metadata(test::read_file(test::shared_path("models/hello_world_int8.tflite")))
            : test::read_file(test::shared_path("models/" + name + ".tflite"));
    for (size_t pos = 0; pos < original.size(); pos += 3) {
      for (uint8_t value : {0x00, 0x7f, 0xff}) {
        std::vector<uint8_t> bytes = original;
        if (bytes[pos] == value) continue;
        bytes[pos] = value;
        test::AlignedBytes aligned(bytes);
        micro::Model model;
        micro::ErrorBuffer err;
        if (model.verify(aligned.data(), aligned.size(), &err) != micro::Status::kOk) continue;
        ++verified;
        micro::ArenaMetadata record;
        const micro::ArenaMetadataStatus status = micro::read_arena_metadata(model, &record);
        if (status == micro::ArenaMetadataStatus::kOk) EXPECT_GT(record.arena_bytes, 0u);
        try {
          const SizeBreakdown b = size_breakdown(model);
          size_t sum = 0;
          for (const SizePart& p : b.parts) sum += p.bytes;
          EXPECT_EQ(sum, bytes.size()) << name << " byte " << pos;
          ++answered;
        } catch (const Error&) {
          ++answered;
        }
      }
    }
  }
  EXPECT_GT(verified, 100);  // the mutations reach the walker, not only the verifier
  EXPECT_EQ(answered, verified);
}

}  // namespace
}  // namespace tinyforge
