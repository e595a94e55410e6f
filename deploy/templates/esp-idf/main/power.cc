#include "power.h"

#include "esp_err.h"
#include "esp_log.h"
#include "esp_pm.h"
#include "esp_sleep.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdkconfig.h"

namespace {
const char* const kTag = "tinyforge_power";
bool g_auto_light_sleep = false;
}  // namespace

void power_init() {
#if CONFIG_PM_ENABLE && CONFIG_TF_APP_POWER_MANAGEMENT
  esp_pm_config_t config = {};
  config.max_freq_mhz = CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ;
  config.min_freq_mhz = 40;  // the crystal frequency: the lowest the PM lock-free state runs at
#if CONFIG_FREERTOS_USE_TICKLESS_IDLE
  config.light_sleep_enable = true;
#else
  config.light_sleep_enable = false;
#endif
  const esp_err_t err = esp_pm_configure(&config);
  if (err != ESP_OK) {
    ESP_LOGW(kTag, "esp_pm_configure failed (%s): running at a fixed %d MHz", esp_err_to_name(err),
             CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ);
    return;
  }
  g_auto_light_sleep = config.light_sleep_enable;
  ESP_LOGI(kTag, "power management: %d..%d MHz, automatic light sleep %s", config.min_freq_mhz, config.max_freq_mhz,
           g_auto_light_sleep ? "on" : "off");
#else
  ESP_LOGI(kTag, "power management off (enable CONFIG_PM_ENABLE and TF_APP_POWER_MANAGEMENT)");
#endif
}

void power_wait_for_next_period(int64_t start_us, uint32_t period_ms) {
  const int64_t remaining_us = start_us + static_cast<int64_t>(period_ms) * 1000 - esp_timer_get_time();
  if (period_ms == 0 || remaining_us < 2000) {
    vTaskDelay(1);
    return;
  }
#if !CONFIG_TF_APP_MQTT
  if (!g_auto_light_sleep) {
    // No automatic light sleep: sleep explicitly until the next period (Wi-Fi is off here).
    esp_err_t err = esp_sleep_enable_timer_wakeup(static_cast<uint64_t>(remaining_us));
    if (err == ESP_OK) err = esp_light_sleep_start();
    if (err == ESP_OK) return;
    ESP_LOGW(kTag, "light sleep failed (%s): waiting awake", esp_err_to_name(err));
  }
#endif
  // With automatic light sleep, the idle task puts the chip to sleep during this delay.
  vTaskDelay(pdMS_TO_TICKS(remaining_us / 1000));
}
