// The deploy-time memory budget: model, arena and estimated code against a chip's limits,
// with the arena placed in internal RAM or PSRAM, and a verdict that says what to do when
// the model does not fit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinyforge/deploy/chips.h"

namespace tinyforge::deploy {

enum class ArenaPlacement { kInternal, kPsram };

struct BudgetInput {
  size_t model_bytes = 0;         // flash (.rodata)
  size_t arena_bytes = 0;         // exact, from the micro runtime's planner
  size_t runtime_code_bytes = 0;  // estimate_runtime_code_bytes()
  size_t samples_bytes = 0;       // replay samples (flash)
  bool psram_requested = false;   // --psram: the board has PSRAM and the arena goes there
};

struct BudgetReport {
  std::string chip;
  BudgetInput input;
  ArenaPlacement placement = ArenaPlacement::kInternal;
  // Internal RAM for static data: what the app may use, and what it uses.
  size_t internal_budget_bytes = 0;
  size_t internal_used_bytes = 0;  // arena (when internal) + the app core's own statics
  size_t psram_budget_bytes = 0;
  // Flash: the app image against the app partition.
  size_t flash_used_bytes = 0;
  size_t app_partition_bytes = 0;
  bool large_partition = false;  // the 1.5 MiB single-app partition table is needed
  std::vector<std::string> warnings;
  std::vector<std::string> errors;  // empty: it fits

  bool fits() const { return errors.empty(); }
};

// ESP-IDF's own flash (bootloader not counted) for a minimal app with our drivers, and what
// Wi-Fi + MQTT add when enabled in menuconfig (estimates; see docs/deploy-esp-idf.md).
constexpr size_t kIdfFlashBytes = 200 * 1024;
constexpr size_t kWifiMqttFlashBytes = 600 * 1024;
// The app core's static objects (App with resolver, postprocessor window, benchmark table).
constexpr size_t kAppStaticBytes = 8 * 1024;

BudgetReport check_budget(const ChipInfo& chip, const BudgetInput& input);
std::string budget_text(const BudgetReport& report);
nlohmann::json budget_json(const BudgetReport& report);

// Code bytes of the micro runtime with exactly the model's kernels (measured object sizes for
// rv32imc at -O2; Xtensa code is of similar size). Throws Error for unreadable models.
size_t estimate_runtime_code_bytes(const std::vector<uint8_t>& model);

}  // namespace tinyforge::deploy
