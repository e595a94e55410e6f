// The C array output: the bytes parse back to exactly the model, the header names the arena
// size and the kernels, and the generated files compile and run on the micro runtime.
#include "tinyforge/convert/c_array.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "support/test_support.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/error.h"
#include "tinyforge/micro/kernels.h"
#include "tinyforge/runtime.h"

namespace tinyforge::convert {
namespace {

// A sanitized build's micro library needs the sanitizer runtime at link time.
#if defined(__SANITIZE_ADDRESS__)
const std::string kSanitizerFlags = "-fsanitize=address,undefined";
#else
const std::string kSanitizerFlags;
#endif

std::vector<uint8_t> model_bytes(const std::string& name) {
  return test::read_file(test::shared_path("models/" + name + ".tflite"));
}

// The bytes between the array's braces, parsed back from "0x..," text.
std::vector<uint8_t> parse_array(const std::string& source, const std::string& name) {
  const std::string start = "alignas(16) const unsigned char " + name + "[] = {";
  const size_t begin = source.find(start);
  EXPECT_NE(begin, std::string::npos);
  const size_t end = source.find("};", begin);
  std::vector<uint8_t> out;
  const std::string body = source.substr(begin + start.size(), end - begin - start.size());
  const std::regex byte("0x([0-9a-f]{2}),");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), byte); it != std::sregex_iterator(); ++it) {
    out.push_back(static_cast<uint8_t>(std::stoul((*it)[1].str(), nullptr, 16)));
  }
  return out;
}

TEST(CArray, HoldsExactlyTheModelBytes) {
  for (const std::string name : {"hello_world_int8", "person_detect", "person_detect_vela"}) {
    const std::vector<uint8_t> model = model_bytes(name);
    CArrayOptions options;
    options.name = "g_" + name;
    options.arena_bytes = name == "person_detect_vela" ? 1000 : 0;  // vela's CUSTOM op cannot be planned here
    const CArraySource src = make_c_array(model, options);
    EXPECT_EQ(parse_array(src.source, options.name), model) << name;
    EXPECT_NE(src.source.find("const unsigned int g_" + name + "_len = " + std::to_string(model.size()) + ";"),
              std::string::npos);
    EXPECT_NE(src.header.find("extern const unsigned char g_" + name + "[];"), std::string::npos);
  }
}

TEST(CArray, HeaderNamesArenaSizeAndKernels) {
  const std::vector<uint8_t> model = model_bytes("person_detect");
  CArrayOptions options;
  options.name = "person";
  const CArraySource src = make_c_array(model, options);
  const size_t arena = exact_arena_bytes(ModelBytes(model));
  EXPECT_NE(src.header.find("constexpr size_t person_arena_bytes = " + std::to_string(arena) + ";"), std::string::npos)
      << src.header;
  // person_detect uses DEPTHWISE_CONV_2D, CONV_2D, AVERAGE_POOL_2D, RESHAPE, SOFTMAX (SOURCES.md).
  for (const char* k : {"kDepthwiseConv2D", "kConv2D", "kAveragePool2D", "kReshape", "kSoftmax"}) {
    const std::string line = std::string("  ok = resolver.add(tinyforge::micro::kernels::") + k + ") && ok;\n";
    const size_t at = src.header.find(line);
    EXPECT_NE(at, std::string::npos) << k;
    EXPECT_EQ(src.header.find(line, at + 1), std::string::npos) << k << " registered twice";
    EXPECT_NE(src.header.find(std::string("//   resolver.add(tinyforge::micro::kernels::") + k + ");"),
              std::string::npos);
  }
  EXPECT_EQ(src.header.find("kFullyConnected"), std::string::npos);

  options.arena_bytes = 1234;
  EXPECT_NE(make_c_array(model, options).header.find("person_arena_bytes = 1234;"), std::string::npos);

  options.name = "person_detect_vela";
  const CArraySource vela = make_c_array(model_bytes("person_detect_vela"), options);
  EXPECT_NE(vela.header.find("CUSTOM(ethos-u): no TinyForge kernel"), std::string::npos);
}

// Every registration line names the kernel record whose builtin code is the op's.
TEST(CArray, RegistersTheKernelOfEveryOpTheRuntimeHas) {
  namespace k = micro::kernels;
  const std::map<std::string, const micro::Kernel*> records = {
      {"kAdd", &k::kAdd},
      {"kAveragePool2D", &k::kAveragePool2D},
      {"kCast", &k::kCast},
      {"kConcatenation", &k::kConcatenation},
      {"kConv2D", &k::kConv2D},
      {"kDepthwiseConv2D", &k::kDepthwiseConv2D},
      {"kDequantize", &k::kDequantize},
      {"kExpandDims", &k::kExpandDims},
      {"kFullyConnected", &k::kFullyConnected},
      {"kHardSwish", &k::kHardSwish},
      {"kLeakyRelu", &k::kLeakyRelu},
      {"kLogistic", &k::kLogistic},
      {"kMaxPool2D", &k::kMaxPool2D},
      {"kMean", &k::kMean},
      {"kMul", &k::kMul},
      {"kPad", &k::kPad},
      {"kQuantize", &k::kQuantize},
      {"kRelu", &k::kRelu},
      {"kRelu6", &k::kRelu6},
      {"kReshape", &k::kReshape},
      {"kSoftmax", &k::kSoftmax},
      {"kSqueeze", &k::kSqueeze},
      {"kStridedSlice", &k::kStridedSlice},
      {"kSub", &k::kSub},
      {"kSvdf", &k::kSvdf},
      {"kTanh", &k::kTanh},
      {"kTranspose", &k::kTranspose},
      {"kUnidirectionalSequenceLstm", &k::kUnidirectionalSequenceLstm}};
  Graph g;
  GraphTensor t;
  t.shape = {1};
  g.add_tensor(t);
  std::vector<int32_t> builtins;
  for (const auto& entry : records) builtins.push_back(entry.second->builtin);
  builtins.push_back(micro::op::kDiv);  // no kernel yet: listed, not registered
  for (int32_t b : builtins) {
    GraphOp o;
    o.builtin = b;
    o.inputs = {0};
    o.outputs = {0};
    g.add_op(o);
  }
  CArrayOptions options;
  options.name = "every_op";
  options.arena_bytes = 64;
  const std::string header = make_c_array(write_tflite(g), options).header;
  const std::regex line("  ok = resolver\\.add\\(tinyforge::micro::kernels::(k[A-Za-z0-9]+)\\) && ok;");
  std::vector<int32_t> registered;
  for (auto it = std::sregex_iterator(header.begin(), header.end(), line); it != std::sregex_iterator(); ++it) {
    const auto found = records.find((*it)[1].str());
    ASSERT_NE(found, records.end()) << (*it)[1].str();
    registered.push_back(found->second->builtin);
  }
  builtins.pop_back();
  EXPECT_EQ(registered, builtins);
  EXPECT_NE(header.find("//   DIV: no TinyForge kernel"), std::string::npos) << header;
}

TEST(CArray, RejectsBadNamesAndBadModels) {
  CArrayOptions options;
  for (const char* bad : {"", "1model", "my-model", "a b"}) {
    options.name = bad;
    EXPECT_THROW(make_c_array(model_bytes("hello_world_int8"), options), Error) << bad;
  }
  options.name = "ok";
  EXPECT_THROW(make_c_array({1, 2, 3, 4, 5, 6, 7, 8, 9}, options), Error);
}

// The generated files compile as firmware code would (C++17, micro headers only), and the
// program they make runs the model with the declared arena and gives TFLM's output hash.
TEST(CArray, GeneratedFilesCompileAndRun) {
  if (std::system("c++ --version > /dev/null 2>&1") != 0) FAIL() << "no host C++ compiler";
  const std::string micro_lib = std::string(TINYFORGE_BINARY_DIR) + "/micro/libtinyforge_micro.a";
  if (!std::filesystem::exists(micro_lib)) FAIL() << "no " << micro_lib;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tinyforge_c_array_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  CArrayOptions options;
  options.name = "g_hello";
  const std::vector<std::string> paths = write_c_array(model_bytes("hello_world_int8"), dir.string(), options);
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(paths[0]));
  std::ofstream(dir / "main.cc") << R"(
#include <stdio.h>
#include <string.h>
#include "g_hello.h"
#include "tinyforge/micro/interpreter.h"
alignas(16) static unsigned char arena[g_hello_arena_bytes];
int main() {
  if (reinterpret_cast<unsigned long>(g_hello) % 16 != 0) return 2;
  tinyforge::micro::OpResolver resolver;
  if (!g_hello_register_ops(resolver) || resolver.size() != 1) return 3;
  tinyforge::micro::Interpreter interp(g_hello, g_hello_len, resolver, arena, sizeof arena);
  if (interp.allocate() != tinyforge::micro::Status::kOk) { printf("%s\n", interp.error()); return 4; }
  // The goldens' input pattern for one int8 element: (7*0 + 3) - 128.
  *static_cast<signed char*>(interp.input_data(0)) = static_cast<signed char>(3 - 128);
  if (interp.invoke() != tinyforge::micro::Status::kOk) return 5;
  unsigned long long h = 0xcbf29ce484222325ull;
  const unsigned char* p = static_cast<const unsigned char*>(interp.output_data(0));
  for (int i = 0; i < 1; ++i) { h ^= p[i]; h *= 0x100000001b3ull; }
  printf("%016llx\n", h);
  return 0;
}
)";
  const std::string src = TINYFORGE_SOURCE_DIR;
  const std::string exe = (dir / "prog").string();
  const std::string cmd = "c++ -std=c++17 -Wall -Wextra -Werror -fno-exceptions -fno-rtti " + kSanitizerFlags + " -I" +
                          src + "/micro/include -I" + dir.string() + " " + (dir / "main.cc").string() + " " + paths[1] +
                          " " + micro_lib + " -o " + exe + " && " + exe + " > " + (dir / "out.txt").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(dir / "out.txt");
  std::string hash;
  in >> hash;
  // TFLM's output hash for hello_world_int8 on the pattern (reference/tflm_goldens.json).
  std::ifstream goldens(test::shared_path("reference/tflm_goldens.json"));
  const nlohmann::json g = nlohmann::json::parse(goldens);
  EXPECT_EQ(hash, g["models"]["hello_world_int8"]["output_fnv1a64"].get<std::string>());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tinyforge::convert
