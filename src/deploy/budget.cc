#include "tinyforge/deploy/budget.h"

#include <fmt/format.h>

namespace tinyforge::deploy {

namespace {

constexpr size_t kSingleAppPartition = 0x100000;       // partitions_singleapp.csv: 1 MiB factory app
constexpr size_t kSingleAppLargePartition = 0x180000;  // partitions_singleapp_large.csv: 1.5 MiB

std::string kib(size_t bytes) {
  return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024.0);
}

std::string advice(const ChipInfo& chip) {
  std::string psram_chips;
  for (const ChipInfo& c : esp_chips())
    if (c.psram) psram_chips += (psram_chips.empty() ? "" : ", ") + c.name;
  return fmt::format(
      "use a smaller model, quantize it to int8 (int8 activations need a quarter of float32's arena), or a board "
      "with PSRAM ({}) and --psram{}",
      psram_chips, chip.psram ? "" : fmt::format(" ({} has no PSRAM)", chip.name));
}

}  // namespace

BudgetReport check_budget(const ChipInfo& chip, const BudgetInput& in) {
  BudgetReport r;
  r.chip = chip.name;
  r.input = in;
  const size_t reserved = size_t{chip.idf_static_dram_bytes} + chip.heap_reserve_bytes + kAppStaticBytes;
  r.internal_budget_bytes = chip.static_dram_bytes > reserved ? chip.static_dram_bytes - reserved : 0;
  r.psram_budget_bytes = chip.psram_budget_bytes;

  if (in.psram_requested && !chip.psram) {
    r.errors.push_back(fmt::format("--psram: {} has no PSRAM interface", chip.name));
  }
  const bool fits_internal = in.arena_bytes <= r.internal_budget_bytes;
  if (in.psram_requested && chip.psram) {
    r.placement = ArenaPlacement::kPsram;
  } else if (!fits_internal && chip.psram) {
    r.placement = ArenaPlacement::kPsram;
    r.warnings.push_back(fmt::format(
        "the {} arena does not fit {}'s internal RAM budget ({}): it goes to PSRAM (heap_caps_aligned_alloc); the "
        "board must have PSRAM, and PSRAM is slower than internal RAM",
        kib(in.arena_bytes), chip.name, kib(r.internal_budget_bytes)));
  } else if (!fits_internal) {
    r.errors.push_back(fmt::format("the arena needs {} but {} has {} of internal RAM for it and no PSRAM: {}",
                                   kib(in.arena_bytes), chip.name, kib(r.internal_budget_bytes), advice(chip)));
  }
  if (r.placement == ArenaPlacement::kPsram && in.arena_bytes > r.psram_budget_bytes) {
    r.errors.push_back(fmt::format("the arena needs {} but the PSRAM budget is {}: {}", kib(in.arena_bytes),
                                   kib(r.psram_budget_bytes), advice(chip)));
  }
  r.internal_used_bytes = kAppStaticBytes + (r.placement == ArenaPlacement::kInternal ? in.arena_bytes : 0);
  if (r.placement == ArenaPlacement::kInternal && fits_internal && in.arena_bytes > r.internal_budget_bytes / 10 * 9) {
    r.warnings.push_back(
        fmt::format("the arena takes {} of the {} internal budget: little room is left for "
                    "drivers and Wi-Fi",
                    kib(in.arena_bytes), kib(r.internal_budget_bytes)));
  }

  r.flash_used_bytes = kIdfFlashBytes + in.runtime_code_bytes + in.model_bytes + in.samples_bytes;
  r.app_partition_bytes = kSingleAppPartition;
  if (r.flash_used_bytes > kSingleAppPartition) {
    r.large_partition = true;
    r.app_partition_bytes = kSingleAppLargePartition;
  }
  if (r.flash_used_bytes > r.app_partition_bytes) {
    r.errors.push_back(
        fmt::format("the app image needs about {} of flash, more than the {} app partition: use a "
                    "smaller model or int8 weights (a quarter of float32's), or fewer --samples",
                    kib(r.flash_used_bytes), kib(r.app_partition_bytes)));
  } else if (r.flash_used_bytes + kWifiMqttFlashBytes > r.app_partition_bytes) {
    r.warnings.push_back(
        fmt::format("with Wi-Fi + MQTT enabled in menuconfig the image grows by about {} and no "
                    "longer fits the {} app partition: then also set {}",
                    kib(kWifiMqttFlashBytes), kib(r.app_partition_bytes),
                    r.large_partition ? "a custom partition table with a larger app partition"
                                      : "CONFIG_PARTITION_TABLE_SINGLE_APP_LARGE=y (1.5 MiB)"));
  }
  return r;
}

std::string budget_text(const BudgetReport& r) {
  std::string s = fmt::format("memory budget for {}:\n", r.chip);
  s += fmt::format("  model (flash)            {:>10} bytes\n", r.input.model_bytes);
  s += fmt::format("  replay samples (flash)   {:>10} bytes\n", r.input.samples_bytes);
  s += fmt::format("  runtime code (estimate)  {:>10} bytes\n", r.input.runtime_code_bytes);
  s += fmt::format("  app image (estimate)     {:>10} bytes of a {} byte app partition{}\n", r.flash_used_bytes,
                   r.app_partition_bytes, r.large_partition ? " (single_app_large)" : "");
  s += fmt::format("  arena                    {:>10} bytes in {}\n", r.input.arena_bytes,
                   r.placement == ArenaPlacement::kPsram ? "PSRAM" : "internal RAM");
  s += fmt::format("  internal RAM (static)    {:>10} bytes used of {} available to the app\n", r.internal_used_bytes,
                   r.internal_budget_bytes);
  if (r.placement == ArenaPlacement::kPsram)
    s += fmt::format("  PSRAM                    {:>10} bytes used of {} assumed\n", r.input.arena_bytes,
                     r.psram_budget_bytes);
  for (const std::string& w : r.warnings) s += "  warning: " + w + "\n";
  for (const std::string& e : r.errors) s += "  error: " + e + "\n";
  s += r.fits() ? "  verdict: fits\n" : "  verdict: does not fit\n";
  return s;
}

nlohmann::json budget_json(const BudgetReport& r) {
  return {{"chip", r.chip},
          {"model_bytes", r.input.model_bytes},
          {"samples_bytes", r.input.samples_bytes},
          {"runtime_code_bytes_estimate", r.input.runtime_code_bytes},
          {"flash_used_bytes_estimate", r.flash_used_bytes},
          {"app_partition_bytes", r.app_partition_bytes},
          {"arena_bytes", r.input.arena_bytes},
          {"arena_placement", r.placement == ArenaPlacement::kPsram ? "psram" : "internal"},
          {"internal_used_bytes", r.internal_used_bytes},
          {"internal_budget_bytes", r.internal_budget_bytes},
          {"psram_budget_bytes", r.psram_budget_bytes},
          {"warnings", r.warnings},
          {"errors", r.errors},
          {"fits", r.fits()}};
}

}  // namespace tinyforge::deploy
