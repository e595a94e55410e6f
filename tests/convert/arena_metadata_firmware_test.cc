// Firmware sizing its arena from the model: a program built like firmware (C++17, no exceptions,
// micro headers only) reads the stored arena in place from the C array, allocates exactly that
// much, and is refused with the exact need when given a byte less.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/test_support.h"
#include "tinyforge/convert/arena_metadata.h"
#include "tinyforge/convert/c_array.h"
#include "tinyforge/runtime.h"

namespace tinyforge::convert {
namespace {

#if defined(__SANITIZE_ADDRESS__)
const std::string kSanitizerFlags = "-fsanitize=address,undefined";
#else
const std::string kSanitizerFlags;
#endif

TEST(ArenaMetadataFirmware, ProgramSizesItsArenaFromTheModel) {
  if (std::system("c++ --version > /dev/null 2>&1") != 0) FAIL() << "no host C++ compiler";
  const std::string micro_lib = std::string(TINYFORGE_BINARY_DIR) + "/micro/libtinyforge_micro.a";
  if (!std::filesystem::exists(micro_lib)) FAIL() << "no " << micro_lib;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tinyforge_arena_metadata_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  const std::vector<uint8_t> model =
      add_arena_metadata(test::read_file(test::shared_path("models/micro_speech_quantized.tflite")));
  CArrayOptions options;
  options.name = "g_speech";
  const std::vector<std::string> paths = write_c_array(model, dir.string(), options);
  std::ofstream(dir / "main.cc") << R"(
#include <stdio.h>
#include "g_speech.h"
#include "tinyforge/micro/arena_metadata.h"
#include "tinyforge/micro/interpreter.h"
alignas(16) static unsigned char arena[65536];
int main() {
  tinyforge::micro::Model model;
  tinyforge::micro::ErrorBuffer err;
  if (model.verify(g_speech, g_speech_len, &err) != tinyforge::micro::Status::kOk) return 2;
  const unsigned stored = tinyforge::micro::stored_arena_bytes(model);
  if (stored == 0 || stored > sizeof arena) return 3;
  tinyforge::micro::OpResolver resolver;
  if (!g_speech_register_ops(resolver)) return 4;
  tinyforge::micro::Interpreter exact(g_speech, g_speech_len, resolver, arena, stored);
  if (exact.allocate() != tinyforge::micro::Status::kOk) { puts(exact.error()); return 5; }
  tinyforge::micro::Interpreter small(g_speech, g_speech_len, resolver, arena, stored - 1);
  if (small.allocate() != tinyforge::micro::Status::kArenaTooSmall) return 6;
  printf("%u %u %u\n", stored, static_cast<unsigned>(exact.arena_used_bytes()),
         static_cast<unsigned>(small.required_arena_bytes()));
  return 0;
}
)";
  const std::string exe = (dir / "prog").string();
  const std::string cmd = "c++ -std=c++17 -Wall -Wextra -Werror -fno-exceptions -fno-rtti " + kSanitizerFlags + " -I" +
                          std::string(TINYFORGE_SOURCE_DIR) + "/micro/include -I" + dir.string() + " " +
                          (dir / "main.cc").string() + " " + paths[1] + " " + micro_lib + " -o " + exe + " && " + exe +
                          " > " + (dir / "out.txt").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(dir / "out.txt");
  size_t stored = 0, used = 0, required = 0;
  in >> stored >> used >> required;
  const size_t planned = exact_arena_bytes(ModelBytes(model));
  EXPECT_EQ(stored, planned);
  EXPECT_EQ(used, planned);
  EXPECT_EQ(required, planned);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tinyforge::convert
