// Where model inputs come from: a sensor, or samples compiled into the firmware (replay).
// Each app kind has its sensor implementation in the platform layer; the core only sees this.
#pragma once

#include "tinyforge/micro/model.h"

namespace tinyforge {
namespace app {

class InputSource {
 public:
  // Writes the next input, exactly info.bytes bytes in the tensor's type, to `dst`.
  // Returns false when no input could be produced; error() then says why.
  virtual bool read(const micro::TensorInfo& info, void* dst) = 0;
  virtual const char* name() const = 0;
  virtual const char* error() const = 0;

 protected:
  // Sources are never deleted through this interface (there is no heap).
  ~InputSource() = default;
};

}  // namespace app
}  // namespace tinyforge
