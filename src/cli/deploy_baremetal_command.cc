// `tinyforge deploy baremetal MODEL --target T [--samples X.npy] -o DIR [--run] [--json]`
#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "tinyforge/deploy/baremetal.h"
#include "tinyforge/error.h"

namespace tinyforge::cli {

namespace {

namespace dp = tinyforge::deploy;

struct DeployBaremetalArgs {
  std::string model;
  std::string target;
  std::string samples;
  std::string output;
  std::string predict = "auto";
  std::string cache_dir;
  int jobs = 2;
  int timeout = 300;
  bool run = false;
  bool json = false;
};

struct Row {
  uint32_t index;
  std::string prediction, host_prediction, fnv, host_fnv;
  uint64_t instructions;
  bool prediction_matches, outputs_match;
};

std::vector<Row> compare(const dp::BaremetalRun& run, const std::vector<dp::Prediction>& host) {
  std::vector<Row> rows;
  for (const dp::SampleRun& s : run.samples) {
    Row r{s.index, s.prediction, "?", s.output_fnv1a64, "?", s.instructions, false, false};
    if (s.index < host.size()) {
      r.host_prediction = host[s.index].text;
      r.host_fnv = host[s.index].output_fnv1a64;
      r.prediction_matches = r.prediction == r.host_prediction;
      r.outputs_match = r.fnv == r.host_fnv;
    }
    rows.push_back(r);
  }
  return rows;
}

void print_deployment(const dp::BaremetalImage& image, const std::string& samples) {
  std::printf("deployed %s for %s into %s\n", image.model_name.c_str(), dp::baremetal_target_name(image.target),
              image.dir.c_str());
  std::printf("  image:   %s (text %zu B, data %zu B, bss %zu B)\n", image.elf.c_str(), image.text_bytes,
              image.data_bytes, image.bss_bytes);
  std::string kernels;
  for (const std::string& k : image.kernels) kernels += (kernels.empty() ? "" : ", ") + k;
  std::printf("  arena:   %zu B (exact); kernels: %s\n", image.arena_bytes, kernels.c_str());
  std::printf("  samples: %zu from %s; prediction: %s of output 0\n", image.sample_count,
              samples.empty() ? "the TFLM input pattern" : samples.c_str(),
              image.argmax ? "argmax and score" : "values");
  std::printf("  run it:  %s\n", image.run_script.c_str());
}

void print_table(const std::vector<Row>& rows, const dp::BaremetalRun& run) {
  size_t width = 10;
  for (const Row& r : rows) width = std::max({width, r.prediction.size(), r.host_prediction.size()});
  const int w = static_cast<int>(width);
  std::printf("%-6s  %-*s  %-*s  %12s  %s\n", "sample", w, "prediction", w, "host", "instructions", "match");
  for (const Row& r : rows) {
    // Float models may differ from the host in the last bits (the C libraries' expf differ)
    // without changing the prediction: shown, but not a failure.
    const char* match = !r.prediction_matches ? "NO" : r.outputs_match ? "yes" : "yes (output bits differ)";
    std::printf("%-6u  %-*s  %-*s  %12llu  %s\n", r.index, w, r.prediction.c_str(), w, r.host_prediction.c_str(),
                static_cast<unsigned long long>(r.instructions), match);
  }
  if (rows.empty()) return;
  uint64_t lo = UINT64_MAX, hi = 0, total = 0;
  for (const Row& r : rows) {
    lo = std::min(lo, r.instructions);
    hi = std::max(hi, r.instructions);
    total += r.instructions;
  }
  std::printf("instructions per inference: min %llu, mean %llu, max %llu (allocate: %llu); target arena used: %zu B\n",
              static_cast<unsigned long long>(lo), static_cast<unsigned long long>(total / rows.size()),
              static_cast<unsigned long long>(hi), static_cast<unsigned long long>(run.allocate_instructions),
              run.arena_used_bytes);
}

nlohmann::json deployment_json(const dp::BaremetalImage& image) {
  return {{"target", dp::baremetal_target_name(image.target)},
          {"model", image.model_name},
          {"dir", image.dir},
          {"elf", image.elf},
          {"run_script", image.run_script},
          {"arena_bytes", image.arena_bytes},
          {"kernels", image.kernels},
          {"samples", image.sample_count},
          {"prediction", image.argmax ? "argmax" : "values"},
          {"text_bytes", image.text_bytes},
          {"data_bytes", image.data_bytes},
          {"bss_bytes", image.bss_bytes}};
}

void deploy_baremetal(const DeployBaremetalArgs& a) {
  dp::BaremetalOptions options;
  options.model_path = a.model;
  options.target = dp::parse_baremetal_target(a.target);
  options.samples_path = a.samples;
  options.output_dir = a.output;
  options.prediction = dp::parse_prediction_mode(a.predict);
  options.object_cache_dir = a.cache_dir;
  options.jobs = a.jobs;
  options.build_plugin = a.run;
  const dp::BaremetalImage image = dp::deploy_baremetal(options);
  nlohmann::json out = deployment_json(image);
  if (!a.run) {
    if (a.json) {
      std::printf("%s\n", out.dump().c_str());
    } else {
      print_deployment(image, a.samples);
    }
    return;
  }

  const ModelBytes model = ModelBytes::load(a.model);
  const dp::SampleSet samples =
      a.samples.empty() ? dp::tflm_pattern_samples(model) : dp::load_samples(model, a.samples);
  const std::vector<dp::Prediction> host = dp::host_predictions(model, samples, image.argmax);
  const dp::BaremetalRun run = dp::run_baremetal(image, a.timeout);
  const std::vector<Row> rows = compare(run, host);
  const size_t differing =
      static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [](const Row& r) { return !r.prediction_matches; }));
  const size_t bits_differ =
      static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [](const Row& r) { return !r.outputs_match; }));

  if (a.json) {
    out["run"] = {{"exit_status", run.exit_status},
                  {"ok", run.ok() && differing == 0},
                  {"error", run.error},
                  {"allocate_instructions", run.allocate_instructions},
                  {"arena_used_bytes", run.arena_used_bytes},
                  {"differing", differing},
                  {"output_bits_differ", bits_differ},
                  {"samples", nlohmann::json::array()}};
    for (const Row& r : rows) {
      out["run"]["samples"].push_back({{"index", r.index},
                                       {"prediction", r.prediction},
                                       {"host_prediction", r.host_prediction},
                                       {"output_fnv1a64", r.fnv},
                                       {"host_output_fnv1a64", r.host_fnv},
                                       {"instructions", r.instructions},
                                       {"match", r.prediction_matches},
                                       {"outputs_match", r.outputs_match}});
    }
    std::printf("%s\n", out.dump().c_str());
  } else {
    print_deployment(image, a.samples);
    print_table(rows, run);
    if (bits_differ != 0) {
      std::printf("note: %zu sample(s) have the host's prediction but output bytes that differ in the last bits\n",
                  bits_differ);
    }
  }
  if (!run.ok()) throw Error("the image failed under QEMU: " + run.error);
  if (differing != 0) {
    throw Error(std::to_string(differing) + " of " + std::to_string(rows.size()) +
                " predictions differ from the host runtime");
  }
}

}  // namespace

void add_deploy_baremetal(CLI::App& deploy) {
  auto* cmd = deploy.add_subcommand("baremetal", "Build a bare-metal image for an emulated MCU that replays samples");
  auto a = std::make_shared<DeployBaremetalArgs>();
  cmd->add_option("model", a->model, "The .tflite file")->required();
  cmd->add_option("--target", a->target, "cortex-m4 (QEMU mps2-an386), rv32imc (QEMU virt) or lx106 (QEMU sim)")
      ->required();
  cmd->add_option("--samples", a->samples,
                  ".npy of N samples shaped like the input (float32 is quantized for integer inputs), or "
                  "fashion-mnist[:test|:train]:N; "
                  "default: one sample of the TFLM input pattern");
  cmd->add_option("-o,--output", a->output, "The deployment directory (replaced if it holds an earlier deployment)")
      ->required();
  cmd->add_option("--predict", a->predict,
                  "auto (argmax when output 0 has several elements, else values), argmax or values");
  cmd->add_option("--cache-dir", a->cache_dir, "Reuse cross-compiled micro/ objects kept in this directory");
  cmd->add_option("--jobs", a->jobs, "Parallel compile jobs (default 2)");
  cmd->add_option("--timeout", a->timeout, "Seconds the image may run under QEMU (default 300)");
  cmd->add_flag("--run", a->run, "Run the image under QEMU and compare every prediction with the host runtime");
  cmd->add_flag("--json", a->json, "Print one JSON object");
  cmd->callback([a] { deploy_baremetal(*a); });
}

}  // namespace tinyforge::cli
