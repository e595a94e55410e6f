// The micro/ object cache: cross-compiling micro/ is most of a deployment's build time, and it
// is the same for every model of a target.
#include <unistd.h>

#include <atomic>

#include "deploy/baremetal_internal.h"
#include "deploy/process.h"
#include "tinyforge/deploy/embedded_files.h"
#include "tinyforge/runtime.h"

namespace tinyforge::deploy {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLibrary = "libtinyforge_micro.a";

fs::path entry_path(const std::string& cache_dir, const std::string& key) {
  return fs::path(cache_dir) / key;
}

}  // namespace

std::string object_cache_key(const TargetTools& tools) {
  uint64_t h = fnv1a64(tools.name, std::char_traits<char>::length(tools.name));
  const ProcessResult version = run_process({tools.compiler, "--version"}, "");
  h = fnv1a64(version.output.data(), version.output.size(), h);
  for (const EmbeddedFile& f : embedded_firmware_files()) {
    const std::string path = f.path;
    // What the objects are built from: micro/ and the Makefile with the flags it includes.
    if (path.rfind("micro/", 0) != 0 && path != "firmware/deploy/deploy.mk" && path != "firmware/targets.mk") continue;
    h = fnv1a64(path.data(), path.size() + 1, h);  // with the terminating zero: "ab"+"c" != "a"+"bc"
    h = fnv1a64(f.data, f.size, h);
  }
  return std::string(tools.name) + "-" + hex16(h);
}

bool seed_from_object_cache(const std::string& cache_dir, const std::string& key, const fs::path& build_dir) {
  const fs::path entry = entry_path(cache_dir, key);
  std::error_code ec;
  if (!fs::is_directory(entry / "micro", ec) || !fs::exists(entry / kLibrary, ec)) return false;
  fs::create_directories(build_dir, ec);
  // Copies get the current time, so make sees them newer than the sources just written.
  fs::copy(entry / "micro", build_dir / "micro", fs::copy_options::recursive, ec);
  if (!ec) fs::copy_file(entry / kLibrary, build_dir / kLibrary, ec);
  if (ec) {  // a damaged entry: build from scratch instead
    fs::remove_all(build_dir, ec);
    return false;
  }
  return true;
}

void store_in_object_cache(const std::string& cache_dir, const std::string& key, const fs::path& build_dir) {
  static std::atomic<unsigned> counter{0};
  const fs::path entry = entry_path(cache_dir, key);
  std::error_code ec;
  if (fs::exists(entry, ec)) return;
  // Staged under a private name and renamed: concurrent deployments never see half an entry.
  const fs::path stage =
      fs::path(cache_dir) / ("." + key + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::create_directories(stage, ec);
  if (!ec) fs::copy(build_dir / "micro", stage / "micro", fs::copy_options::recursive, ec);
  if (!ec) fs::copy_file(build_dir / kLibrary, stage / kLibrary, ec);
  if (!ec) fs::rename(stage, entry, ec);
  if (ec) fs::remove_all(stage, ec);
}

}  // namespace tinyforge::deploy
