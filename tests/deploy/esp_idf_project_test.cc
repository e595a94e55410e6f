// Projects generated for every target x app kind: the files an ESP-IDF build needs, the
// component registrations, the chip-specific sdkconfig, the model bytes and arena size, and
// only ESP-IDF 5.x driver APIs.
#include <gtest/gtest.h>

#include <regex>

#include "deploy/deploy_test_support.h"
#include "support/test_support.h"
#include "tinyforge/deploy/esp_idf.h"
#include "tinyforge/runtime.h"

namespace tinyforge {
namespace {

using deploy::EspIdfOptions;
using deploy::EspIdfProject;

struct Case {
  std::string target;
  std::string app;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.target << "/" << c.app;
}

EspIdfProject generate(const Case& c, const std::vector<uint8_t>& model) {
  EspIdfOptions o;
  o.target = c.target;
  o.app = c.app;
  o.model_name = test::model_for_app(c.app) + ".tflite";
  return deploy::generate_esp_idf_project(model, o);
}

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

class EspIdfProjectTest : public testing::TestWithParam<Case> {};

TEST_P(EspIdfProjectTest, HasTheStructureOfAnEspIdfProject) {
  const Case& c = GetParam();
  const std::vector<uint8_t> model = test::shared_model(test::model_for_app(c.app));
  const EspIdfProject p = generate(c, model);
  const auto& f = p.files;
  for (const char* path : {"CMakeLists.txt",
                           "README.md",
                           "sdkconfig.defaults",
                           "budget.json",
                           "main/CMakeLists.txt",
                           "main/idf_component.yml",
                           "main/Kconfig.projbuild",
                           "main/app_main.cc",
                           "main/model_data.h",
                           "main/model_data.cc",
                           "main/replay_samples.cc",
                           "main/app_config.h",
                           "main/power.cc",
                           "main/mqtt_publish.cc",
                           "components/tinyforge_micro/CMakeLists.txt",
                           "components/tinyforge_micro/idf_component.yml",
                           "components/tinyforge_micro/include/tinyforge/micro/interpreter.h",
                           "components/tinyforge_micro/src/interpreter.cc",
                           "components/tinyforge_app/CMakeLists.txt",
                           "components/tinyforge_app/idf_component.yml",
                           "components/tinyforge_app/src/app.cc"}) {
    EXPECT_TRUE(f.count(path)) << "missing " << path;
  }
  // Top level: the ESP-IDF project boilerplate.
  EXPECT_TRUE(contains(f.at("CMakeLists.txt"), "include($ENV{IDF_PATH}/tools/cmake/project.cmake)"));
  EXPECT_TRUE(contains(f.at("CMakeLists.txt"), "project(tinyforge_app)"));
  // Every component registers with ESP-IDF and lists sources that exist in the project.
  for (const std::string component : {"main", "components/tinyforge_micro", "components/tinyforge_app"}) {
    const std::string& cmake = f.at(component + "/CMakeLists.txt");
    EXPECT_TRUE(contains(cmake, "idf_component_register(")) << component;
    const std::regex source("\"([A-Za-z0-9_/]+\\.cc)\"");
    int sources = 0;
    for (std::sregex_iterator it(cmake.begin(), cmake.end(), source), end; it != end; ++it, ++sources) {
      EXPECT_TRUE(f.count(component + "/" + (*it)[1].str())) << component << " lists missing " << (*it)[1];
    }
    EXPECT_GT(sources, 0) << component;
  }
  EXPECT_TRUE(contains(f.at("main/CMakeLists.txt"), "REQUIRES tinyforge_app tinyforge_micro"));
  EXPECT_TRUE(contains(f.at("components/tinyforge_micro/CMakeLists.txt"), "\"src/kernels/conv_2d.cc\""));
  EXPECT_TRUE(contains(f.at("main/idf_component.yml"), "idf: \">=5."));
  // The sensor for the app kind is the one compiled in.
  const std::string sensor_file = "main/sensor_" + p.sensor + ".cc";
  EXPECT_TRUE(f.count(sensor_file));
  EXPECT_TRUE(contains(f.at("main/CMakeLists.txt"), "\"sensor_" + p.sensor + ".cc\""));
  const std::string expected_sensor = c.app == "kws"                                   ? "i2s"
                                      : c.app == "gesture"                             ? "mpu6050"
                                      : c.app == "anomaly"                             ? "adc"
                                      : (c.target == "esp32" || c.target == "esp32s3") ? "camera"
                                                                                       : "adc";
  EXPECT_EQ(p.sensor, expected_sensor);
  // The application pieces the issue asks for, in the ESP layer.
  const std::string& main_cc = f.at("main/app_main.cc");
  EXPECT_TRUE(contains(main_cc, "xTaskCreatePinnedToCore"));
  EXPECT_TRUE(contains(main_cc, "heap_caps_aligned_alloc(16, model_data_arena_bytes, MALLOC_CAP_SPIRAM"));
  EXPECT_TRUE(contains(main_cc, "alignas(16) uint8_t g_arena[model_data_arena_bytes];"));
  EXPECT_TRUE(contains(f.at("main/power.cc"), "esp_pm_configure"));
  EXPECT_TRUE(contains(f.at("main/power.cc"), "esp_light_sleep_start"));
  EXPECT_TRUE(contains(f.at("main/mqtt_publish.cc"), "esp_mqtt_client_publish"));
  EXPECT_TRUE(contains(f.at("main/Kconfig.projbuild"),
                       "config TF_APP_MQTT\n            bool \"Publish every prediction "
                       "to an MQTT broker\"\n            default n"));
  // README: how to build and flash.
  for (const std::string& cmd :
       {"idf.py set-target " + c.target, std::string("idf.py build"), std::string("flash monitor")}) {
    EXPECT_TRUE(contains(f.at("README.md"), cmd)) << cmd;
  }
  // No placeholder left unfilled anywhere.
  for (const auto& [path, text] : f)
    EXPECT_FALSE(std::regex_search(text, std::regex("\\{\\{[A-Z0-9_]+\\}\\}"))) << path;
}

TEST_P(EspIdfProjectTest, ModelArrayIsTheTfliteAndArenaIsExact) {
  const Case& c = GetParam();
  const std::vector<uint8_t> model = test::shared_model(test::model_for_app(c.app));
  const EspIdfProject p = generate(c, model);
  EXPECT_EQ(test::parse_c_array(p.files.at("main/model_data.cc"), "model_data"), model);
  // The anomaly app keeps its input for the reconstruction error: the preserved-input size.
  const size_t arena = exact_arena_bytes(ModelBytes(model), c.app == "anomaly");
  EXPECT_EQ(p.arena_bytes, arena);
  EXPECT_TRUE(contains(p.files.at("main/model_data.h"),
                       "constexpr size_t model_data_arena_bytes = " + std::to_string(arena) + ";"));
}

TEST_P(EspIdfProjectTest, SdkconfigMatchesTheChip) {
  const Case& c = GetParam();
  const EspIdfProject p = generate(c, test::shared_model(test::model_for_app(c.app)));
  const std::string& s = p.files.at("sdkconfig.defaults");
  // 240 MHz where the chip has it (ESP32, ESP32-S3); the C3 and C6 top out at 160 MHz.
  const bool fast = c.target == "esp32" || c.target == "esp32s3";
  EXPECT_TRUE(
      contains(s, fast ? "CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ_240=y\n" : "CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ_160=y\n"));
  EXPECT_TRUE(contains(s, "CONFIG_COMPILER_OPTIMIZATION_PERF=y\n"));
  EXPECT_TRUE(contains(s, "CONFIG_PM_ENABLE=y\n"));
  // These models fit internal RAM: PSRAM stays off (shown commented out where the chip has it).
  EXPECT_FALSE(contains(s, "\nCONFIG_SPIRAM=y"));
  EXPECT_EQ(contains(s, "# CONFIG_SPIRAM=y"), fast);
  // Single-core chips pin the inference task to core 0, dual-core ones to core 1.
  EXPECT_TRUE(contains(p.files.at("main/Kconfig.projbuild"),
                       fast ? "default 1\n        range 0 1" : "default 0\n        range 0 0"));
}

TEST_P(EspIdfProjectTest, UsesOnlyEspIdf5DriverApis) {
  const Case& c = GetParam();
  const EspIdfProject p = generate(c, test::shared_model(test::model_for_app(c.app)));
  // The legacy ADC, I2S and I2C drivers (removed or deprecated in ESP-IDF 5.x).
  const std::regex legacy(
      "#include [\"<](driver/adc\\.h|driver/i2s\\.h|driver/i2c\\.h|esp_adc_cal\\.h|driver/adc_common\\.h)[\">]");
  for (const auto& [path, text] : p.files) EXPECT_FALSE(std::regex_search(text, legacy)) << path;
  const std::string& sensor = p.files.at("main/sensor_" + p.sensor + ".cc");
  if (p.sensor == "adc") EXPECT_TRUE(contains(sensor, "#include \"esp_adc/adc_oneshot.h\""));
  if (p.sensor == "i2s") EXPECT_TRUE(contains(sensor, "#include \"driver/i2s_std.h\""));
  if (p.sensor == "mpu6050") {
    EXPECT_TRUE(contains(sensor, "#include \"driver/i2c_master.h\""));
    EXPECT_TRUE(contains(p.files.at("main/idf_component.yml"), "idf: \">=5.2\""));  // i2c_master.h is 5.2+
  }
  if (p.sensor == "camera") EXPECT_TRUE(contains(p.files.at("main/idf_component.yml"), "espressif/esp32-camera"));
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (const char* target : {"esp32", "esp32s3", "esp32c3", "esp32c6"})
    for (const char* app : {"classify", "kws", "gesture", "anomaly"}) cases.push_back({target, app});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(TargetsAndApps, EspIdfProjectTest, testing::ValuesIn(all_cases()),
                         [](const testing::TestParamInfo<Case>& info) {
                           return info.param.target + "_" + info.param.app;
                         });

TEST(EspIdfProject, SameInputsGiveTheSameBytes) {
  const std::vector<uint8_t> model = test::shared_model("micro_speech_quantized");
  EspIdfOptions o;
  o.target = "esp32s3";
  o.app = "kws";
  o.seed = 7;
  EXPECT_EQ(deploy::generate_esp_idf_project(model, o).files, deploy::generate_esp_idf_project(model, o).files);
  EspIdfOptions other = o;
  other.seed = 8;
  EXPECT_NE(deploy::generate_esp_idf_project(model, other).files.at("main/replay_samples.cc"),
            deploy::generate_esp_idf_project(model, o).files.at("main/replay_samples.cc"));
}

TEST(EspIdfProject, KwsThresholdIsTheProbabilityInOutputSteps) {
  // micro_speech's output scale is 1/256 (SOURCES.md: s=0.003906): 0.5 -> 128 steps.
  EspIdfOptions o;
  o.target = "esp32c3";
  o.app = "kws";
  o.threshold = 0.5;
  o.kws_window = 4;
  const EspIdfProject p = deploy::generate_esp_idf_project(test::shared_model("micro_speech_quantized"), o);
  EXPECT_TRUE(contains(p.files.at("main/app_config.h"), "p.kws_threshold_q = 128;"));
  EXPECT_TRUE(contains(p.files.at("main/app_config.h"), "p.kws_window = 4;"));
}

TEST(EspIdfProject, AnomalyThresholdIsTheSumOverElements) {
  // dtln's output has 257 elements: 0.25 x 257 = 64.25 = 0x42808000 as an IEEE-754 float.
  EspIdfOptions o;
  o.target = "esp32";
  o.app = "anomaly";
  o.threshold = 0.25;
  const EspIdfProject p = deploy::generate_esp_idf_project(test::shared_model("dtln_noise_suppression"), o);
  EXPECT_TRUE(contains(p.files.at("main/app_config.h"), "p.anomaly_threshold_sum_bits = 0x42808000u;"));
}

TEST(EspIdfProject, LabelsGoIntoTheAppConfig) {
  EspIdfOptions o;
  o.target = "esp32";
  o.app = "gesture";
  o.labels = {"wing", "ring", "slope", "negative"};
  const EspIdfProject p = deploy::generate_esp_idf_project(test::shared_model("magic_wand"), o);
  EXPECT_TRUE(contains(p.files.at("main/app_config.h"),
                       "constexpr const char* kLabels[] = {\"wing\", \"ring\", \"slope\", \"negative\"};"));
  EXPECT_TRUE(contains(p.files.at("main/app_config.h"), "p.num_labels = 4;"));
}

}  // namespace
}  // namespace tinyforge
