#include "tinyforge/app/replay_source.h"

#include <string.h>

namespace tinyforge {
namespace app {

bool ReplaySource::read(const micro::TensorInfo& info, void* dst) {
  if (samples_.count == 0 || samples_.data == nullptr) {
    error_ = "no replay samples compiled in";
    return false;
  }
  if (info.bytes != samples_.sample_bytes) {
    error_ = "replay sample size differs from the model input size (regenerate the project)";
    return false;
  }
  memcpy(dst, samples_.data + static_cast<size_t>(next_) * samples_.sample_bytes, samples_.sample_bytes);
  next_ = (next_ + 1u) % samples_.count;
  return true;
}

}  // namespace app
}  // namespace tinyforge
