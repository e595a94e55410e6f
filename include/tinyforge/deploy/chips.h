// The ESP32 family as `tinyforge deploy esp-idf` budgets it: cores, clock, on-chip RAM, how much
// of it static data may use, PSRAM and camera support. Values and their sources:
// src/deploy/chips.cc and docs/deploy-esp-idf.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinyforge::deploy {

struct ChipInfo {
  std::string name;  // the IDF target: "esp32", "esp32s3", "esp32c3", "esp32c6"
  std::string cpu;   // "Xtensa LX6 (dual core)"
  int cores = 1;
  int max_cpu_mhz = 160;
  uint32_t sram_bytes = 0;             // on-chip SRAM (datasheet)
  uint32_t static_dram_bytes = 0;      // what .data + .bss may use (see chips.cc for each source)
  uint32_t idf_static_dram_bytes = 0;  // ESP-IDF's own .data/.bss in a minimal app (estimate)
  uint32_t heap_reserve_bytes = 0;     // internal heap left free for tasks and drivers when heap
                                       // and static data share one region
  bool psram = false;                  // can have PSRAM (a board property: --psram says it has)
  uint32_t psram_budget_bytes = 0;     // PSRAM assumed when used (the smallest common module)
  bool camera = false;                 // a camera interface the esp32-camera component supports
  std::string limits_source;           // where the RAM figures come from
};

const std::vector<ChipInfo>& esp_chips();
// Throws Error naming the valid targets.
const ChipInfo& find_esp_chip(const std::string& name);

}  // namespace tinyforge::deploy
