// Every input the fuzzer ever crashed on (fuzz/regressions/) must now fail cleanly or run.
// Most useful in the sanitizer build, where the original failure was a sanitizer report.
#include <gtest/gtest.h>

#include <filesystem>

#include "robustness/robustness_support.h"

namespace tinyforge::test {
namespace {

TEST(FuzzRegressions, EachFailsCleanlyOrRuns) {
  const std::filesystem::path dir = std::filesystem::path(TINYFORGE_SOURCE_DIR) / "fuzz" / "regressions";
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    AlignedBytes bytes(read_file(e.path().string()));
    const RunOutcome r = run_model(bytes.data(), bytes.size());
    EXPECT_TRUE(r.problem.empty()) << e.path().filename() << ": " << r.problem;
    std::printf("%s: %s%s\n", e.path().filename().c_str(), micro::status_name(r.allocate),
                r.error.empty() ? "" : (" (" + r.error + ")").c_str());
    ++n;
  }
  EXPECT_GT(n, 0) << "no regression inputs in " << dir;
}

}  // namespace
}  // namespace tinyforge::test
