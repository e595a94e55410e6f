// Entry point of the generated ESP-IDF app: places the tensor arena, starts the inference task
// pinned to one core and runs the mode chosen in menuconfig (replay, sensor, benchmark).
// Everything model- and app-specific is the portable core (components/tinyforge_app).
#include <stdint.h>

#include "app_config.h"
#include "esp_heap_caps.h"
#include "esp_log.h"
#include "esp_platform.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "model_data.h"
#include "mqtt_publish.h"
#include "power.h"
#include "replay_samples.h"
#include "sdkconfig.h"
#include "sensor.h"
#include "tinyforge/app/app.h"
#include "tinyforge/app/replay_source.h"

namespace ta = tinyforge::app;

namespace {

const char* const kTag = "tinyforge";

#if CONFIG_TF_APP_ARENA_IN_PSRAM
constexpr bool kArenaInPsram = true;
#else
constexpr bool kArenaInPsram = false;
// Exactly the size `tinyforge deploy` planned, in internal RAM (.bss).
alignas(16) uint8_t g_arena[model_data_arena_bytes];
#endif

uint8_t* arena_memory() {
#if CONFIG_TF_APP_ARENA_IN_PSRAM
  void* arena = heap_caps_aligned_alloc(16, model_data_arena_bytes, MALLOC_CAP_SPIRAM | MALLOC_CAP_8BIT);
  if (arena == nullptr) {
    ESP_LOGE(kTag, "cannot allocate the %u-byte arena in PSRAM (%u bytes free): is PSRAM fitted and enabled?",
             static_cast<unsigned>(model_data_arena_bytes),
             static_cast<unsigned>(heap_caps_get_free_size(MALLOC_CAP_SPIRAM)));
  }
  return static_cast<uint8_t*>(arena);
#else
  return g_arena;
#endif
}

void stop_task(const char* why) {
  ESP_LOGE(kTag, "%s; the inference task stops", why);
  vTaskDelete(nullptr);
}

void inference_task(void*) {
  uint8_t* arena = arena_memory();
  if (arena == nullptr) return stop_task("no arena");
  static ta::App app(esp_platform(), app_config::app_params(),
                     ta::AppModel{model_data, model_data_len, model_data_register_ops}, arena, model_data_arena_bytes);
  if (!app.init()) return stop_task("model setup failed (see the error above)");
  static ta::ReplaySource replay(kReplaySamples);

#if CONFIG_TF_APP_MODE_BENCHMARK
  static ta::BenchmarkStats stats;
  for (;;) {
    if (!app.benchmark(replay, CONFIG_TF_APP_BENCHMARK_RUNS, &stats)) ESP_LOGW(kTag, "benchmark round failed");
    vTaskDelay(pdMS_TO_TICKS(5000));
  }
#else
  ta::InputSource* source = &replay;
#if CONFIG_TF_APP_MODE_SENSOR
  source = sensor_source_open(app.interpreter().input_info(0));
  if (source == nullptr) {
    ESP_LOGW(kTag, "sensor setup failed: falling back to the replay samples");
    source = &replay;
  }
#endif
  ESP_LOGI(kTag, "running %s on core %d, input from '%s', period %d ms", app_config::kAppName, xPortGetCoreID(),
           source->name(), CONFIG_TF_APP_DUTY_CYCLE_MS);
  ta::Prediction prediction;
  uint32_t consecutive_failures = 0;
  for (uint32_t n = 0;; ++n) {
    const int64_t start = esp_timer_get_time();
    if (app.step(*source, n, &prediction)) {
      consecutive_failures = 0;
      mqtt_publish_prediction(n, prediction, app.postprocessor().label_name(prediction.label));
    } else if (++consecutive_failures == 10 && source != &replay) {
      ESP_LOGW(kTag, "the sensor failed 10 times in a row: switching to the replay samples");
      source = &replay;
    }
    power_wait_for_next_period(start, CONFIG_TF_APP_DUTY_CYCLE_MS);
  }
#endif
}

}  // namespace

extern "C" void app_main(void) {
  ESP_LOGI(kTag, "%s: model %u bytes, arena %u bytes (%s)", app_config::kProjectName,
           static_cast<unsigned>(model_data_len), static_cast<unsigned>(model_data_arena_bytes),
           kArenaInPsram ? "PSRAM" : "internal RAM");
  power_init();
  mqtt_publish_start();
  const BaseType_t created = xTaskCreatePinnedToCore(inference_task, "tinyforge", CONFIG_TF_APP_TASK_STACK, nullptr, 5,
                                                     nullptr, CONFIG_TF_APP_CORE);
  if (created != pdPASS) {
    ESP_LOGE(kTag, "cannot create the inference task (no memory for its %d-byte stack)", CONFIG_TF_APP_TASK_STACK);
  }
}
