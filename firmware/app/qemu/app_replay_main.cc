// The generated ESP-IDF project's portable part (runtime, model, app core) in replay mode,
// as a bare-metal image for the emulated MCUs. This file stands in for the project's ESP-IDF
// layer (main/app_main.cc): the same App, the same compiled-in samples and app_config.h, with
// platform hooks over semihosting output and the core's instruction/cycle counter.
// Prints one "prediction ..." line per replay sample, a benchmark, then "status=ok".
#include <stdint.h>
#include <stdio.h>

#include "app_config.h"      // generated: app kind, thresholds, labels
#include "model_data.h"      // generated: the model bytes, exact arena size, kernel registration
#include "replay_samples.h"  // generated: the samples compiled in
#include "target.h"          // firmware/<target>/: FW_TARGET_NAME
#include "tinyforge/app/app.h"
#include "tinyforge/app/replay_source.h"

namespace ta = tinyforge::app;

namespace {

// The arena is exactly the planned size, as on the chip.
alignas(16) uint8_t g_arena[model_data_arena_bytes];

uint64_t counter_now() {
#if defined(__riscv)
  uint32_t v;
  // minstret (QEMU derives it from the host clock unless run with -icount: a rough clock only).
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, minstret\n.option pop" : "=r"(v));
  return v;
#elif defined(__XTENSA__)
  uint32_t v;
  __asm__ volatile("rsr %0, ccount" : "=a"(v));
  return v;
#else
  return 0;
#endif
}

void log_line(ta::LogLevel level, const char* line) {
  if (level == ta::LogLevel::kError) fputs("error: ", stdout);
  fputs(line, stdout);
  putchar('\n');
}

#if defined(__riscv)
constexpr const char* kTimeUnit = "minstret";  // QEMU without -icount: host-derived ticks
#else
constexpr const char* kTimeUnit = "ccount";
#endif

}  // namespace

int main() {
  fputs("target=" FW_TARGET_NAME "\n", stdout);
  const ta::Platform platform{counter_now, log_line, kTimeUnit};
  const ta::AppModel model{model_data, model_data_len, model_data_register_ops};
  static ta::App app(platform, app_config::app_params(), model, g_arena, sizeof g_arena);
  if (!app.init()) return 3;
  ta::ReplaySource replay(kReplaySamples);
  ta::Prediction prediction;
  for (uint32_t i = 0; i < kReplaySamples.count; ++i) {
    if (!app.step(replay, i, &prediction)) return 4;
  }
  replay.rewind();
  ta::BenchmarkStats stats;
  if (!app.benchmark(replay, 2, &stats)) return 5;
  fputs("status=ok\n", stdout);
  return 0;
}
