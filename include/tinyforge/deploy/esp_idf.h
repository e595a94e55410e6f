// `tinyforge deploy esp-idf`: a complete ESP-IDF (5.1+) project for one model, target chip and
// app kind: the model as a C array with its exact arena, the micro runtime and the portable app
// core as components, the ESP-IDF layer (task, sensors, power, MQTT), sdkconfig.defaults, a
// README and the memory budget. Deterministic: the same model and options give the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tinyforge/deploy/budget.h"
#include "tinyforge/deploy/project_files.h"

namespace tinyforge::deploy {

struct EspIdfOptions {
  std::string target;                          // esp32 | esp32s3 | esp32c3 | esp32c6
  std::string app;                             // classify | kws | gesture | anomaly
  std::string sensor;                          // adc | i2s | mpu6050 | camera; empty: the app kind's default
  std::string project_name = "tinyforge_app";  // CMake project name (a C identifier)
  std::string model_name = "model";            // for comments and the README
  std::string samples_path;                    // .npy replay samples; empty: default samples
  uint32_t num_samples = 3;                    // default samples: TFLM pattern + seeded ones
  uint64_t seed = 1;
  std::vector<std::string> labels;  // names of the output classes (optional)
  bool psram = false;               // the board has PSRAM: put the arena there
  int core = -1;                    // core of the inference task; -1: 1 on dual-core chips, else 0
  uint32_t duty_cycle_ms = 0;       // one inference per period, light sleep in between; 0: back to back
  uint32_t benchmark_runs = 100;
  uint32_t kws_window = 3;  // results averaged
  double threshold = -1;    // kws: probability (default 0.8); anomaly: mean squared error (0.1)
};

struct EspIdfProject {
  ProjectFiles files;
  BudgetReport budget;
  size_t arena_bytes = 0;
  std::string sensor;
};

// Throws Error naming the problem: unknown target/app/sensor, a model the runtime cannot run or
// that does not suit the app, bad samples, or a budget the chip cannot meet (the message then
// holds the whole budget report).
EspIdfProject generate_esp_idf_project(const std::vector<uint8_t>& model, const EspIdfOptions& options);

}  // namespace tinyforge::deploy
