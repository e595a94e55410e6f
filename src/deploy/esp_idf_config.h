// The per-chip and per-app text of a generated ESP-IDF project: sensor choice and pins,
// sdkconfig.defaults, main/app_config.h.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tinyforge/deploy/budget.h"
#include "tinyforge/deploy/chips.h"
#include "tinyforge/micro/model.h"

namespace tinyforge::deploy {

struct SensorInfo {
  std::string name;         // adc | i2s | mpu6050 | camera
  std::string description;  // for menuconfig and the README
  std::string source;       // main/sensor_<name>.cc
  std::string requires_;    // IDF components main/ needs for it
  std::string min_idf;      // oldest ESP-IDF release with the driver API it uses
};

// The sensor for `requested` (empty: the app kind's default for this input and chip). Throws
// Error for an unknown sensor or one the chip does not have (camera on esp32c3/c6).
SensorInfo choose_sensor(const std::string& requested, const std::string& app, const ChipInfo& chip,
                         const micro::TensorInfo& input);
// Values for the sensor's Kconfig fragment (default pins for the chip's common dev boards).
std::map<std::string, std::string> sensor_pin_defaults(const SensorInfo& sensor, const ChipInfo& chip);

std::string sdkconfig_defaults(const ChipInfo& chip, const BudgetReport& budget, const std::string& app);

struct AppConfigValues {
  std::string project_name;
  std::string app;
  uint32_t kws_window = 1;
  int32_t kws_threshold_q = 0;
  double threshold = 0;
  uint32_t anomaly_threshold_sum_bits = 0;
  uint32_t output_elements = 0;
  std::vector<std::string> labels;
};
std::string app_config_header(const AppConfigValues& values);

}  // namespace tinyforge::deploy
