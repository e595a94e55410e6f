// `tinyforge evaluate`, `compare` and the inspect additions as a user runs them: JSON figures
// worked out by hand, text a person reads, exit code 1 with a message for bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "support/tiny_models.h"
#include "tinyforge/convert/arena_metadata.h"
#include "tinyforge/file_util.h"
#include "tinyforge/npy.h"
#include "tinyforge/runtime.h"

namespace tinyforge {
namespace {

using Result = test::CommandResult;

// Files carry the process id and test name: ctest runs the tests of this binary in parallel.
std::string temp(const std::string& name) {
  return ::testing::TempDir() + "eval_cli_" + std::to_string(::getpid()) + "_" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" + name;
}

// Each call gets its own stderr file (ctest runs these tests in parallel processes).
Result tinyforge_cli(const std::string& args) {
  return test::run_tinyforge(args);
}

// logits = [x0, x1, -x0 - x1] (optionally with the arena stored), four samples whose predicted
// classes are 0, 1, 2, 0 against labels 0, 1, 2, 1: accuracy 3/4.
struct Files {
  std::string model, stored_model, other_model, x, y;
};
Files write_files() {
  Files f{temp("model.tflite"), temp("stored.tflite"), temp("other.tflite"), temp("x.npy"), temp("y.npy")};
  const convert::Graph g = test::dense_chain(2, {{3, {1, 0, 0, 1, -1, -1}, {0, 0, 0}, "logits"}});
  write_file_atomic(f.model, convert::write_tflite(g));
  write_file_atomic(f.stored_model, convert::write_tflite_with_arena(g));
  // B: third logit (x0 + x1) / 2, predictions 0, 1, 0, 0 (agreement 3/4, accuracy 2/4).
  write_file_atomic(f.other_model,
                    convert::write_tflite(test::dense_chain(2, {{3, {1, 0, 0, 1, 0.5f, 0.5f}, {0, 0, 0}, "logits"}})));
  write_npy(f.x, test::npy_f32({4, 2}, {1, 0, 0, 1, -1, -1, 2, 1}));
  write_npy(f.y, test::npy_f32({4}, {0, 1, 2, 1}));
  return f;
}

TEST(EvalCli, EvaluatePrintsAccuracyAndConfusion) {
  const Files f = write_files();
  Result r = tinyforge_cli("evaluate " + f.model + " --x " + f.x + " --y " + f.y + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["task"], "classification");
  EXPECT_EQ(j["samples"], 4);
  EXPECT_DOUBLE_EQ(j["accuracy"].get<double>(), 0.75);
  EXPECT_EQ(j["confusion"], nlohmann::json({{1, 0, 0}, {1, 1, 0}, {0, 0, 1}}));
  r = tinyforge_cli("evaluate " + f.model + " --x " + f.x + " --y " + f.y);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("accuracy: 0.7500 (3 of 4 correct, 3 classes)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("most confused (true->predicted): 1->0 x1"), std::string::npos) << r.out;
  r = tinyforge_cli("evaluate " + f.model + " --x " + f.x + " --y " + f.y + " --limit 2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(r.out)["accuracy"].get<double>(), 1.0);
}

TEST(EvalCli, CompareReportsBothAgreementAndLayers) {
  const Files f = write_files();
  const Result r =
      tinyforge_cli("compare " + f.model + " " + f.other_model + " --x " + f.x + " --y " + f.y + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["a"]["accuracy"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(j["b"]["accuracy"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["agreement"].get<double>(), 0.75);
  ASSERT_EQ(j["layers"].size(), 1u);
  // Only the third logit differs. A's rows (1,0,-1), (0,1,-1), (-1,-1,2), (2,1,-3): signal
  // 2 + 2 + 6 + 14 = 24. B's third logits 0.5, 0.5, -1, 1.5 differ by 1.5, 1.5, -3, 4.5: noise
  // 2.25 + 2.25 + 9 + 20.25 = 33.75.
  EXPECT_DOUBLE_EQ(j["layers"][0]["signal_power"].get<double>(), 24.0);
  EXPECT_DOUBLE_EQ(j["layers"][0]["noise_power"].get<double>(), 33.75);
  EXPECT_NEAR(j["layers"][0]["sqnr_db"].get<double>(), 10 * std::log10(24.0 / 33.75), 1e-9);
  EXPECT_TRUE(j["layers"][0]["worst"].get<bool>());
}

TEST(EvalCli, InspectShowsTheStoredArenaAndWhereTheBytesGo) {
  const Files f = write_files();
  Result r = tinyforge_cli("inspect " + f.stored_model + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["stored_arena"]["arena_bytes"], j["arena_bytes"]);
  EXPECT_EQ(j["stored_arena"]["arena_bytes"].get<size_t>(), exact_arena_bytes(ModelBytes::load(f.model)));
  EXPECT_TRUE(j["stored_arena"]["matches_planner"].get<bool>());
  size_t sum = 0;
  for (const auto& [part, bytes] : j["sizes"]["parts"].items()) sum += bytes.get<size_t>();
  EXPECT_EQ(sum, j["file_bytes"].get<size_t>());
  EXPECT_EQ(j["sizes"]["parts"]["weights"], (6 + 3) * 4);
  r = tinyforge_cli("inspect " + f.stored_model);
  EXPECT_NE(r.out.find("matches the planner"), std::string::npos) << r.out;
  r = tinyforge_cli("inspect " + f.model + " --json");
  EXPECT_EQ(nlohmann::json::parse(r.out)["stored_arena"], "absent");
}

TEST(EvalCli, BadDataOptionsAreClearErrors) {
  const Files f = write_files();
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {"evaluate " + f.model, "give the data"},
      {"evaluate " + f.model + " --x " + f.x, "--x and --y go together"},
      {"evaluate " + f.model + " --data mnist", "unknown data set 'mnist'"},
      {"evaluate " + f.model + " --data fashion-mnist --x " + f.x + " --y " + f.y, "not both"},
      {"evaluate " + f.model + " --x " + f.x + " --y " + f.y + " --task clustering", "unknown task"},
      {"evaluate " + f.model + " --x /nonexistent.npy --y " + f.y, "/nonexistent.npy"},
      {"evaluate " + f.model + " --data fashion-mnist", "each sample has 784 values"},
      {"compare " + f.model + " /nonexistent.tflite --x " + f.x + " --y " + f.y, "cannot open"},
  };
  for (const Case& c : cases) {
    const Result r = tinyforge_cli(c.args);
    EXPECT_EQ(r.exit_code, 1) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
}

}  // namespace
}  // namespace tinyforge
