// What the portable app core needs from the platform it runs on: a clock and a log.
// ESP-IDF implements these with esp_timer and ESP_LOG; the QEMU test harness with a
// cycle/instruction counter and semihosting output.
#pragma once

#include <stdint.h>

namespace tinyforge {
namespace app {

enum class LogLevel : uint8_t { kInfo = 0, kWarning = 1, kError = 2 };

struct Platform {
  // Monotonic time in `time_unit` (microseconds on a real chip).
  uint64_t (*now)(void);
  // One complete line, without a trailing newline.
  void (*log)(LogLevel level, const char* line);
  // Unit of now(): "us" on ESP-IDF; emulators that have no real clock name their counter.
  const char* time_unit;
};

}  // namespace app
}  // namespace tinyforge
