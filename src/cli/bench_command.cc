#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "tinyforge/error.h"
#include "tinyforge/runtime.h"

namespace tinyforge::cli {

namespace {

struct BenchArgs {
  std::string model;
  double seconds = 1.0;
  bool json = false;
};

void bench(const BenchArgs& a) {
  if (a.seconds <= 0) throw Error("--seconds must be positive");
  Runner runner(ModelBytes::load(a.model));
  const uint32_t num_ops = runner.model().num_operators();
  std::vector<double> op_seconds(num_ops, 0.0);
  std::vector<std::string> op_names(num_ops);
  // Warm up, and learn the per-operator times from traced runs.
  size_t traced = 0;
  const auto t0 = std::chrono::steady_clock::now();
  do {
    runner.fill_tflm_pattern();  // inputs may be overwritten by the run: refill each time
    std::vector<OpTrace> trace;
    runner.invoke(&trace);
    for (const OpTrace& t : trace) {
      op_seconds[t.op_index] += t.seconds;
      op_names[t.op_index] = t.opcode;
    }
    ++traced;
  } while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < a.seconds / 4);
  // Untraced runs for the headline rate (input refill is outside the timed part).
  std::vector<double> per_invoke;
  const auto t1 = std::chrono::steady_clock::now();
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count() < a.seconds) {
    runner.fill_tflm_pattern();
    const auto s = std::chrono::steady_clock::now();
    runner.invoke();
    per_invoke.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - s).count());
  }
  std::sort(per_invoke.begin(), per_invoke.end());
  const double median = per_invoke[per_invoke.size() / 2];
  double total = 0;
  for (double d : per_invoke) total += d;
  const double rate = per_invoke.size() / total;
  if (a.json) {
    nlohmann::json j = {{"model", a.model}, {"invocations", per_invoke.size()}, {"invokes_per_s", rate},
                        {"median_us", median * 1e6}, {"arena_bytes", runner.arena_bytes()}};
    j["ops"] = nlohmann::json::array();
    for (uint32_t i = 0; i < num_ops; ++i) {
      j["ops"].push_back({{"index", i}, {"opcode", op_names[i]}, {"mean_us", op_seconds[i] / traced * 1e6}});
    }
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  std::printf("%s: %.1f invokes/s, median %.2f us over %zu invokes, arena %zu bytes\n", a.model.c_str(), rate,
              median * 1e6, per_invoke.size(), runner.arena_bytes());
  double op_total = 0;
  for (double s : op_seconds) op_total += s;
  std::printf("%-4s %-30s %12s %7s\n", "op", "opcode", "mean us", "share");
  for (uint32_t i = 0; i < num_ops; ++i) {
    std::printf("%-4u %-30s %12.2f %6.1f%%\n", i, op_names[i].c_str(), op_seconds[i] / traced * 1e6,
                op_total > 0 ? 100.0 * op_seconds[i] / op_total : 0.0);
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "Measure invocations per second and per-operator time");
  auto a = std::make_shared<BenchArgs>();
  cmd->add_option("model", a->model, "The .tflite file")->required();
  cmd->add_option("--seconds", a->seconds, "How long to measure (default 1)");
  cmd->add_flag("--json", a->json, "Print one JSON object");
  cmd->callback([a] { bench(*a); });
}

}  // namespace tinyforge::cli
