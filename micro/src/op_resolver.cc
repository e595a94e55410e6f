#include "tinyforge/micro/op_resolver.h"

#include <string.h>

namespace tinyforge {
namespace micro {

static bool same_op(const Kernel& k, int32_t builtin, const char* custom_name) {
  if (k.builtin != builtin) return false;
  if (builtin != op::kCustom) return true;
  return k.custom_name && custom_name && strcmp(k.custom_name, custom_name) == 0;
}

bool OpResolver::add(const Kernel& kernel) {
  if (count_ >= kCapacity || find(kernel.builtin, kernel.custom_name)) return false;
  kernels_[count_++] = &kernel;
  return true;
}

const Kernel* OpResolver::find(int32_t builtin, const char* custom_name) const {
  for (uint32_t i = 0; i < count_; ++i) {
    if (same_op(*kernels_[i], builtin, custom_name)) return kernels_[i];
  }
  return nullptr;
}

}  // namespace micro
}  // namespace tinyforge
