// Replay mode: inputs taken in turn from samples compiled into the firmware, so the app
// runs (and can be tested) without any sensor attached.
#pragma once

#include <stdint.h>

#include "tinyforge/app/input_source.h"

namespace tinyforge {
namespace app {

struct ReplaySamples {
  const uint8_t* data;    // `count` samples of `sample_bytes` bytes each, back to back
  uint32_t sample_bytes;  // bytes of one model input
  uint32_t count;
};

class ReplaySource final : public InputSource {
 public:
  explicit ReplaySource(const ReplaySamples& samples) : samples_(samples) {}

  // Copies the next sample (wrapping around after the last one).
  bool read(const micro::TensorInfo& info, void* dst) override;
  const char* name() const override { return "replay"; }
  const char* error() const override { return error_; }

  // Index of the sample the next read() returns.
  uint32_t next_index() const { return next_; }
  void rewind() { next_ = 0; }

 private:
  ReplaySamples samples_;
  uint32_t next_ = 0;
  const char* error_ = "";
};

}  // namespace app
}  // namespace tinyforge
