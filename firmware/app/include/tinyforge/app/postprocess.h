// From raw model outputs to an app-level result, per app kind:
//   classify, gesture: argmax of output 0 and its score;
//   kws:     scores averaged over the last `window` results, a keyword is detected when the
//            top averaged score reaches the threshold (a full window is required);
//   anomaly: reconstruction error (sum of squared differences between the dequantized output
//            and input) above a threshold.
// Integer-only where it can be (argmax, kws window), so every target computes the same bits.
#pragma once

#include <stdint.h>

#include "tinyforge/micro/model.h"

namespace tinyforge {
namespace app {

enum class AppKind : uint8_t { kClassify = 0, kKws = 1, kGesture = 2, kAnomaly = 3 };

const char* app_kind_name(AppKind kind);

struct AppParams {
  AppKind kind = AppKind::kClassify;
  // kws: results averaged, and the threshold in output units above the zero point
  // (round(probability / scale)), computed when the project is generated.
  uint32_t kws_window = 1;
  int32_t kws_threshold_q = 0;
  // anomaly: IEEE-754 bits of (threshold on the mean squared error) x (element count).
  uint32_t anomaly_threshold_sum_bits = 0;
  // Label names for output classes (may be null: "class<k>").
  const char* const* labels = nullptr;
  uint32_t num_labels = 0;
};

struct Prediction {
  int32_t label = -1;         // top class (classify, gesture, kws); -1 for anomaly
  int32_t score_raw = 0;      // raw output value of the top class (float32: its bits)
  bool detected = false;      // kws: keyword heard; anomaly: error above threshold; else true
  int32_t window_sum = 0;     // kws: sum of (q - zero point) of the top class over the window
  uint32_t window_count = 0;  // kws: results in the window so far
  uint32_t error_bits = 0;    // anomaly: IEEE-754 bits of the sum of squared errors
};

class Postprocessor {
 public:
  static constexpr uint32_t kMaxWindow = 16;
  static constexpr uint32_t kMaxClasses = 64;

  explicit Postprocessor(const AppParams& params) : params_(params) {}

  // Checks once that the model's input/output fit the app kind; names the problem.
  bool check(const micro::TensorInfo& input, const micro::TensorInfo& output, const char** error) const;
  // `input` is the (preserved) input, used by anomaly only.
  bool run(const micro::TensorInfo& out_info, const void* out, const micro::TensorInfo& in_info, const void* in,
           Prediction* result);
  void reset();
  const char* label_name(int32_t label) const;

 private:
  bool run_kws(const micro::TensorInfo& out_info, const void* out, Prediction* result);

  AppParams params_;
  int32_t history_[kMaxWindow][kMaxClasses] = {};
  uint32_t filled_ = 0;
  uint32_t next_ = 0;
};

// A value of a raw output element that orders like the real number it encodes (float32:
// a total order on the bits; integers: the value). Integer-only, so argmax needs no FPU.
int32_t ordered_value(micro::TensorType type, const void* data, uint32_t index);
// Index of the largest element (the first one on ties), or -1 for unsupported types.
int32_t argmax(micro::TensorType type, const void* data, uint32_t count);

}  // namespace app
}  // namespace tinyforge
