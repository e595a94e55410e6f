// The app core's platform hooks on ESP-IDF: esp_timer for time, ESP_LOG for logging.
#pragma once

#include "tinyforge/app/platform.h"

const tinyforge::app::Platform& esp_platform();
