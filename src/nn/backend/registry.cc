// The process-wide backend, chosen once from TINYFORGE_BACKEND (default cpu) and
// replaceable with set_backend().
#include <cstdlib>
#include <mutex>

#include "tinyforge/error.h"
#include "tinyforge/nn/backend.h"

namespace tinyforge::nn {

namespace {

std::mutex g_mutex;
std::unique_ptr<Backend> g_backend;
int g_threads = 0;  // 0: all cores

std::unique_ptr<Backend> make_named(const std::string& name) {
  if (name == "cpu") return make_cpu_backend(g_threads);
  if (name == "reference") return make_reference_backend();
  throw Error("unknown backend '" + name + "': choose 'cpu' or 'reference' (set_backend or TINYFORGE_BACKEND)");
}

}  // namespace

Backend& backend() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_backend) {
    const char* env = std::getenv("TINYFORGE_BACKEND");
    g_backend = make_named(env && *env ? std::string(env) : std::string("cpu"));
  }
  return *g_backend;
}

void set_backend(const std::string& name) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_backend = make_named(name);  // throws before assigning: an unknown name keeps the old backend
}

void set_threads(int threads) {
  if (threads < 0) throw Error("thread count must be >= 0 (0 uses all cores), got " + std::to_string(threads));
  std::lock_guard<std::mutex> lock(g_mutex);
  g_threads = threads;
  if (g_backend) g_backend->set_threads(threads);
}

}  // namespace tinyforge::nn
