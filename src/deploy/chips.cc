// The chip table. Documented figures are marked as such; the others are estimates with the
// reasoning beside them (docs/deploy-esp-idf.md repeats them for users).
#include "tinyforge/deploy/chips.h"

#include "tinyforge/error.h"

namespace tinyforge::deploy {

namespace {

constexpr uint32_t KiB = 1024;
constexpr uint32_t MiB = 1024 * KiB;

// A hello_world build links about 10-25 KiB of ESP-IDF .data/.bss; 24 KiB leaves room for the
// drivers the app adds.
constexpr uint32_t kIdfStaticDram = 24 * KiB;
// FreeRTOS tasks (main, idle, timer, our 8 KiB inference task), esp_timer, driver DMA buffers.
constexpr uint32_t kHeapReserve = 64 * KiB;

std::vector<ChipInfo> make_table() {
  return {
      {"esp32", "Xtensa LX6 (dual core)", 2, 240, 520 * KiB,
       // Documented: "the maximum statically allocated DRAM usage is 160 KB"; the other 160 KB
       // of DRAM is heap only, so static data does not compete with the heap here.
       160 * KiB, kIdfStaticDram, 0, true, 4 * MiB, true,
       "ESP-IDF Programming Guide, esp32 Memory Types (DRAM): 160 KB static DRAM limit; datasheet: 520 KB SRAM"},
      {"esp32s3", "Xtensa LX7 (dual core)", 2, 240, 512 * KiB,
       // Estimate: static data and IRAM share the internal SRAM below the ROM-reserved top;
       // about 390 KiB minus ~70 KiB of IRAM for a typical app.
       320 * KiB, kIdfStaticDram, kHeapReserve, true, 2 * MiB, true,
       "datasheet: 512 KB SRAM; Memory Types guide: static DRAM is reduced by the app's IRAM (estimate)"},
      {"esp32c3", "RISC-V RV32IMC (single core)", 1, 160, 400 * KiB,
       // Estimate: 400 KB SRAM less 16 KB cache and the ROM-reserved top (~ 330 KiB for IRAM +
       // DRAM), less ~70 KiB of IRAM.
       256 * KiB, kIdfStaticDram, kHeapReserve, false, 0, false,
       "datasheet: 400 KB SRAM (16 KB cache); Memory Types guide: static DRAM is reduced by the app's IRAM "
       "(estimate)"},
      {"esp32c6", "RISC-V RV32IMAC (single core)", 1, 160, 512 * KiB,
       // Estimate: 512 KB HP SRAM less the ROM-reserved top and ~70 KiB of IRAM.
       384 * KiB, kIdfStaticDram, kHeapReserve, false, 0, false,
       "datasheet: 512 KB HP SRAM; Memory Types guide: static DRAM is reduced by the app's IRAM (estimate)"},
  };
}

}  // namespace

const std::vector<ChipInfo>& esp_chips() {
  static const std::vector<ChipInfo> table = make_table();
  return table;
}

const ChipInfo& find_esp_chip(const std::string& name) {
  std::string names;
  for (const ChipInfo& chip : esp_chips()) {
    if (chip.name == name) return chip;
    names += (names.empty() ? "" : ", ") + chip.name;
  }
  throw Error("unknown ESP-IDF target '" + name + "' (supported: " + names + ")");
}

}  // namespace tinyforge::deploy
