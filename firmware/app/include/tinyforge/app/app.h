// The portable application: one model, one arena, one input source, the postprocessing of
// the app kind, a benchmark, and logging through the platform hooks. No heap, no
// exceptions; everything it needs is passed in, so the same object runs on ESP-IDF and
// under QEMU.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "tinyforge/app/input_source.h"
#include "tinyforge/app/platform.h"
#include "tinyforge/app/postprocess.h"
#include "tinyforge/micro/interpreter.h"

namespace tinyforge {
namespace app {

struct AppModel {
  const uint8_t* data;
  uint32_t size;
  // Adds exactly the kernels the model uses (generated with the model's C array).
  bool (*register_ops)(micro::OpResolver& resolver);
};

struct BenchmarkStats {
  static constexpr uint32_t kMaxOps = 128;
  uint32_t runs = 0;
  uint64_t total = 0;  // platform time units
  uint64_t min = 0;
  uint64_t max = 0;
  uint32_t num_ops = 0;
  uint64_t op_total[kMaxOps] = {};  // per operator, summed over the runs
};

class App {
 public:
  App(const Platform& platform, const AppParams& params, const AppModel& model, uint8_t* arena, size_t arena_bytes);

  // Registers the kernels, allocates the arena and checks the model against the app kind.
  // Logs what is wrong and returns false on failure.
  bool init();
  // One inference: read an input from `source`, invoke, postprocess, log one "prediction" line.
  bool step(InputSource& source, uint32_t sample_index, Prediction* result);
  // `runs` inferences from `source`; logs mean/min/max and the time of every operator.
  bool benchmark(InputSource& source, uint32_t runs, BenchmarkStats* stats);

  micro::Interpreter& interpreter() { return interp_; }
  const Postprocessor& postprocessor() const { return post_; }
  bool ready() const { return ready_; }

 private:
  bool invoke_from(InputSource& source);
  static void on_op(void* user, uint32_t op_index, bool after);
  void log(LogLevel level, const char* line) const { platform_.log(level, line); }

  Platform platform_;
  AppParams params_;
  AppModel model_;
  micro::OpResolver resolver_;
  micro::Interpreter interp_;
  Postprocessor post_;
  bool ready_ = false;
  // Per-operator timing during benchmark().
  BenchmarkStats* profiling_ = nullptr;
  uint64_t op_start_ = 0;
};

}  // namespace app
}  // namespace tinyforge
