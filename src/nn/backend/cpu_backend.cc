// Temporary: the cpu backend delegates to the reference backend until the fast one lands.
#include "tinyforge/nn/backend.h"

namespace tinyforge::nn {

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  (void)threads;
  return make_reference_backend();
}

}  // namespace tinyforge::nn
