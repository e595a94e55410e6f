// Power management: esp_pm dynamic frequency scaling with automatic light sleep, and a duty
// cycle (one inference per period, the chip asleep in between).
#pragma once

#include <stdint.h>

// Configures esp_pm when enabled in menuconfig; logs and keeps a fixed frequency on failure.
void power_init();
// Waits until `period_ms` after `start_us` (esp_timer time): light sleep when the period is long
// enough, otherwise a plain delay. period_ms == 0 only yields (so the idle task and watchdog run).
void power_wait_for_next_period(int64_t start_us, uint32_t period_ms);
