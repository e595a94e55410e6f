// `tinyforge deploy esp-idf`: checks the options and the model, sizes the arena, checks the
// budget, and assembles the project's files from the embedded templates and sources.
#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <memory>

#include "deploy/esp_idf_config.h"
#include "deploy/replay_samples.h"
#include "deploy/templates.h"
#include "tinyforge/convert/c_array.h"
#include "tinyforge/deploy/baremetal.h"
#include "tinyforge/deploy/esp_idf.h"
#include "tinyforge/deploy/baremetal.h"
#include "tinyforge/error.h"
#include "tinyforge/npy.h"
#include "tinyforge/runtime.h"

namespace tinyforge::deploy {

namespace {

const char* const kVersion = "0.1.0";

bool is_c_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

void check_options(const EspIdfOptions& o, const ChipInfo& chip) {
  if (o.app != "classify" && o.app != "kws" && o.app != "gesture" && o.app != "anomaly") {
    throw Error("unknown app '" + o.app + "' (classify, kws, gesture, anomaly)");
  }
  if (!is_c_identifier(o.project_name)) {
    throw Error("project name '" + o.project_name + "' must be a C identifier (letters, digits, '_')");
  }
  if (o.core >= chip.cores) {
    throw Error(fmt::format("--core {}: {} has {} core{} (0{})", o.core, chip.name, chip.cores,
                            chip.cores == 1 ? "" : "s", chip.cores == 1 ? "" : "..1"));
  }
  if (o.core < -1) throw Error("--core must be 0 or more");
  if (o.benchmark_runs == 0) throw Error("--benchmark-runs must be at least 1");
  if (o.kws_window == 0 || o.kws_window > 16) throw Error("--kws-window must be 1..16");
  for (const std::string& label : o.labels) {
    if (label.empty() || label.size() > 32) throw Error("label '" + label + "' must have 1..32 characters");
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && std::strchr("_-. ", c) == nullptr) {
        throw Error("label '" + label + "' may only use letters, digits, '_', '-', '.' and spaces");
      }
    }
  }
}

std::string quoted_list(const std::vector<const EmbeddedFile*>& files, const std::string& strip,
                        const std::string& suffix) {
  std::string s;
  for (const EmbeddedFile* f : files) {
    const std::string path = f->path;
    if (path.size() < suffix.size() || path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    s += (s.empty() ? "\"" : "\n       \"") + path.substr(strip.size()) + "\"";
  }
  return s;
}

uint32_t float_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

}  // namespace

EspIdfProject generate_esp_idf_project(const std::vector<uint8_t>& model, const EspIdfOptions& o) {
  const ChipInfo& chip = find_esp_chip(o.target);
  check_options(o, chip);

  // The model must run on the micro runtime; the app needs one input.
  const bool preserve_inputs = o.app == "anomaly";
  std::unique_ptr<Runner> runner_storage;
  try {
    runner_storage = std::make_unique<Runner>(ModelBytes(model), RunnerOptions{.preserve_inputs = preserve_inputs});
  } catch (const Error& e) {
    throw Error(o.model_name + ": " + e.what());
  }
  Runner& runner = *runner_storage;
  micro::Interpreter& interp = runner.interpreter();
  if (interp.num_inputs() != 1) {
    throw Error(
        fmt::format("the {} app needs a model with one input; {} has {}", o.app, o.model_name, interp.num_inputs()));
  }
  const micro::TensorInfo input = interp.input_info(0);
  const micro::TensorInfo output = interp.output_info(0);
  const uint32_t output_elements = static_cast<uint32_t>(output.shape.flat_size());
  const size_t arena = runner.arena_bytes();
  const SensorInfo sensor = choose_sensor(o.sensor, o.app, chip, input);

  AppConfigValues config;
  config.project_name = o.project_name;
  config.app = o.app;
  config.output_elements = output_elements;
  config.labels = o.labels;
  if (!o.labels.empty() && o.app != "anomaly" && o.labels.size() != output_elements) {
    throw Error(fmt::format("{} labels given but the model has {} output classes", o.labels.size(), output_elements));
  }
  if (o.app == "kws") {
    const bool quantized = output.quant.count != 0 &&
                           (output.type == micro::TensorType::kInt8 || output.type == micro::TensorType::kUInt8 ||
                            output.type == micro::TensorType::kInt16);
    if (!quantized) throw Error("the kws app averages quantized scores: the model output must be int8, uint8 or int16");
    config.threshold = o.threshold < 0 ? 0.8 : o.threshold;
    if (!(config.threshold > 0 && config.threshold <= 1)) throw Error("--threshold for kws is a probability in (0, 1]");
    config.kws_window = o.kws_window;
    config.kws_threshold_q = static_cast<int32_t>(std::lround(config.threshold / output.quant.scale(0)));
  } else if (o.app == "anomaly") {
    if (input.shape.flat_size() != output.shape.flat_size()) {
      throw Error(
          fmt::format("the anomaly app needs an autoencoder (output as large as the input): input has {} "
                      "elements, output {}",
                      input.shape.flat_size(), output.shape.flat_size()));
    }
    config.threshold = o.threshold < 0 ? 0.1 : o.threshold;
    if (!(config.threshold > 0)) throw Error("--threshold for anomaly is a mean squared error above 0");
    config.anomaly_threshold_sum_bits =
        float_bits(static_cast<float>(config.threshold) * static_cast<float>(output_elements));
  }

  ReplaySampleSet samples;
  if (!o.samples_path.empty()) {
    samples = replay_samples_from_npy(read_sample_array(o.samples_path), input, o.samples_path);
  } else {
    runner.fill_tflm_pattern();
    const auto* p = static_cast<const uint8_t*>(interp.input_data(0));
    samples = default_replay_samples(std::vector<uint8_t>(p, p + input.bytes), input, o.num_samples, o.seed);
  }

  BudgetInput budget_in;
  budget_in.model_bytes = model.size();
  budget_in.arena_bytes = arena;
  budget_in.runtime_code_bytes = estimate_runtime_code_bytes(model);
  budget_in.samples_bytes = samples.bytes.size();
  budget_in.psram_requested = o.psram;
  const BudgetReport budget = check_budget(chip, budget_in);
  if (!budget.fits()) {
    std::string why;
    for (const std::string& e : budget.errors) why += "\n  - " + e;
    throw Error(fmt::format("{} does not fit {}:{}\n{}", o.model_name, chip.name, why, budget_text(budget)));
  }

  EspIdfProject project;
  project.budget = budget;
  project.arena_bytes = arena;
  project.sensor = sensor.name;
  const std::string min_idf = sensor.min_idf;
  std::map<std::string, std::string> vars = sensor_pin_defaults(sensor, chip);
  const int core = o.core >= 0 ? o.core : (chip.cores > 1 ? 1 : 0);
  vars.insert({{"PROJECT_NAME", o.project_name},
               {"MODEL_NAME", o.model_name},
               {"TARGET", chip.name},
               {"APP", o.app},
               {"IDF_MIN", min_idf},
               {"TINYFORGE_VERSION", kVersion},
               {"SENSOR_SOURCE", sensor.source},
               {"SENSOR_REQUIRES", sensor.requires_},
               {"SENSOR_DESCRIPTION", sensor.description},
               {"CORE", std::to_string(core)},
               {"MAX_CORE", std::to_string(chip.cores - 1)},
               {"DUTY_CYCLE_MS", std::to_string(o.duty_cycle_ms)},
               {"BENCHMARK_RUNS", std::to_string(o.benchmark_runs)},
               {"ARENA_PSRAM_DEFAULT", budget.placement == ArenaPlacement::kPsram ? "y" : "n"},
               {"SAMPLE_COUNT", std::to_string(samples.count)},
               {"BUDGET_TEXT", budget_text(budget)},
               {"CAMERA_DEPENDENCY", sensor.name == "camera" ? "  espressif/esp32-camera: \"^2.0.0\"" : ""},
               {"SENSOR_NOTE", sensor.name == "i2s" ? "\nThe I2S source feeds raw audio samples (scaled to [-1, 1)) as "
                                                      "the model input; models trained on spectrogram features "
                                                      "need a feature frontend between the two (not included).\n"
                                                    : ""}});
  vars["SENSOR_KCONFIG"] =
      render_template(embedded_text("esp-idf/fragments/kconfig_" + sensor.name + ".in"), vars, "kconfig fragment");
  vars["MICRO_SOURCES"] = quoted_list(embedded_under("micro/src/"), "micro/", ".cc");
  vars["APP_SOURCES"] = quoted_list(embedded_under("app/src/"), "app/", ".cc");

  ProjectFiles& files = project.files;
  for (const char* path :
       {"CMakeLists.txt", "README.md", "main/CMakeLists.txt", "main/idf_component.yml", "main/Kconfig.projbuild",
        "main/app_main.cc", "main/esp_platform.h", "main/esp_platform.cc", "main/power.h", "main/power.cc",
        "main/mqtt_publish.h", "main/mqtt_publish.cc", "main/sensor.h", "components/tinyforge_micro/CMakeLists.txt",
        "components/tinyforge_micro/idf_component.yml", "components/tinyforge_app/CMakeLists.txt",
        "components/tinyforge_app/idf_component.yml"}) {
    files[path] = render_template(embedded_text(std::string("esp-idf/") + path), vars, path);
  }
  files["main/" + sensor.source] = embedded_text("esp-idf/main/" + sensor.source);
  for (const EmbeddedFile* f : embedded_under("micro/")) {
    files["components/tinyforge_micro/" + std::string(f->path).substr(6)] =
        std::string(reinterpret_cast<const char*>(f->data), f->size);
  }
  for (const EmbeddedFile* f : embedded_under("app/")) {
    files["components/tinyforge_app/" + std::string(f->path).substr(4)] =
        std::string(reinterpret_cast<const char*>(f->data), f->size);
  }
  const convert::CArraySource c_array = convert::make_c_array(model, {.name = "model_data", .arena_bytes = arena});
  files["main/model_data.h"] = c_array.header;
  files["main/model_data.cc"] = c_array.source;
  files["main/replay_samples.h"] = replay_samples_header();
  files["main/replay_samples.cc"] = replay_samples_source(samples);
  files["main/app_config.h"] = app_config_header(config);
  files["sdkconfig.defaults"] = sdkconfig_defaults(chip, budget, o.app);
  files["budget.json"] = budget_json(budget).dump(2) + "\n";
  return project;
}

}  // namespace tinyforge::deploy
