#include "esp_platform.h"

#include "esp_log.h"
#include "esp_timer.h"

namespace {

const char* const kTag = "tinyforge";

uint64_t now_us() {
  return static_cast<uint64_t>(esp_timer_get_time());
}

void log_line(tinyforge::app::LogLevel level, const char* line) {
  switch (level) {
    case tinyforge::app::LogLevel::kError: ESP_LOGE(kTag, "%s", line); break;
    case tinyforge::app::LogLevel::kWarning: ESP_LOGW(kTag, "%s", line); break;
    default: ESP_LOGI(kTag, "%s", line); break;
  }
}

const tinyforge::app::Platform kPlatform{now_us, log_line, "us"};

}  // namespace

const tinyforge::app::Platform& esp_platform() {
  return kPlatform;
}
