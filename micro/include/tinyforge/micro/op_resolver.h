// Which kernels a firmware carries. A resolver holds pointers to constant Kernel records;
// registering only the ops a model needs lets the linker drop every other kernel.
#pragma once

#include "tinyforge/micro/kernel_api.h"

namespace tinyforge {
namespace micro {

class OpResolver {
 public:
  static constexpr uint32_t kCapacity = 64;

  // False when full or when the same op is already registered.
  bool add(const Kernel& kernel);
  // The kernel for an op code and version, or null.
  const Kernel* find(int32_t builtin, const char* custom_name) const;
  uint32_t size() const { return count_; }
  const Kernel* at(uint32_t i) const { return i < count_ ? kernels_[i] : nullptr; }

 private:
  const Kernel* kernels_[kCapacity] = {};
  uint32_t count_ = 0;
};

}  // namespace micro
}  // namespace tinyforge
