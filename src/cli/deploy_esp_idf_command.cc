// `tinyforge deploy esp-idf MODEL.tflite --target T --app A -o DIR`: an ESP-IDF project with the
// model, the micro runtime and the app; prints the memory budget (also written to budget.json).
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "tinyforge/deploy/esp_idf.h"
#include "tinyforge/file_util.h"

namespace tinyforge::cli {

namespace {

// "out/kws-c3" -> "kws_c3": the project directory's name as a CMake project name.
std::string project_name_for(const std::string& dir) {
  std::string base = std::filesystem::path(dir).lexically_normal().filename().string();
  if (base.empty() || base == "." || base == "..") base = "tinyforge_app";
  for (char& c : base)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  if (std::isdigit(static_cast<unsigned char>(base[0]))) base = "app_" + base;
  return base;
}

}  // namespace

void add_deploy_esp_idf(CLI::App& deploy) {
  CLI::App* cmd = deploy.add_subcommand("esp-idf", "Write a complete ESP-IDF (5.1+) project that runs the model");
  struct Args {
    std::string model;
    std::string output;
    bool force = false;
    deploy::EspIdfOptions options;
  };
  auto a = std::make_shared<Args>();
  deploy::EspIdfOptions& o = a->options;
  cmd->add_option("model", a->model, "The .tflite file")->required();
  cmd->add_option("--target", o.target, "esp32, esp32s3, esp32c3 or esp32c6")->required();
  cmd->add_option("--app", o.app, "classify, kws, gesture or anomaly")->required();
  cmd->add_option("-o,--output", a->output, "Directory to write (must be absent or empty, unless --force)")->required();
  cmd->add_option("--sensor", o.sensor, "adc, i2s, mpu6050 or camera (default: the app's usual sensor)");
  cmd->add_option("--samples", o.samples_path, ".npy with the replay samples (N x the model input), or fashion-mnist[:test|:train]:N");
  cmd->add_option("--num-samples", o.num_samples, "Default replay samples: the TFLM pattern + seeded ones")
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "Seed of the default replay samples")->capture_default_str();
  cmd->add_option("--labels", o.labels, "Names of the output classes, comma separated")->delimiter(',');
  cmd->add_flag("--psram", o.psram, "The board has PSRAM: put the arena there (esp32, esp32s3)");
  cmd->add_option("--core", o.core, "Core the inference task is pinned to (default: 1 on dual-core chips)");
  cmd->add_option("--duty-cycle-ms", o.duty_cycle_ms, "One inference per period, light sleep in between (0: none)")
      ->capture_default_str();
  cmd->add_option("--benchmark-runs", o.benchmark_runs, "Inferences per benchmark round")->capture_default_str();
  cmd->add_option("--kws-window", o.kws_window, "kws: results averaged")->capture_default_str();
  cmd->add_option("--threshold", o.threshold,
                  "kws: probability (default 0.8); anomaly: mean squared error (default 0.1)");
  cmd->add_option("--project-name", o.project_name, "CMake project name (default: from the output directory)");
  cmd->add_flag("--force", a->force, "Replace a non-empty output directory");
  cmd->callback([a] {
    deploy::EspIdfOptions options = a->options;
    if (options.project_name == deploy::EspIdfOptions().project_name)
      options.project_name = project_name_for(a->output);
    options.model_name = std::filesystem::path(a->model).filename().string();
    const deploy::EspIdfProject project = deploy::generate_esp_idf_project(read_file_bytes(a->model), options);
    std::printf("%s", deploy::budget_text(project.budget).c_str());
    deploy::write_project_dir(project.files, a->output, a->force);
    std::printf("wrote %zu files to %s (%s, %s app, %s sensor, arena %zu bytes)\nnext:\n", project.files.size(),
                a->output.c_str(), options.target.c_str(), options.app.c_str(), project.sensor.c_str(),
                project.arena_bytes);
    std::printf("  cd %s && idf.py set-target %s && idf.py build && idf.py -p PORT flash monitor\n", a->output.c_str(),
                options.target.c_str());
  });
}

}  // namespace tinyforge::cli
