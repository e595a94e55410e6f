// Pieces of the bare-metal deployment shared between its source files (not public API).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tinyforge/deploy/baremetal.h"

namespace tinyforge::deploy {

// The tools of one target and the Debian packages that provide them.
struct TargetTools {
  BaremetalTarget target;
  const char* name;
  const char* compiler;           // C/C++ cross compiler driver
  const char* compiler_packages;  // compiler + picolibc (+ C++ headers)
  const char* picolibc_specs;     // absolute, or "" when it is on the compiler's search path
  const char* qemu;
  const char* qemu_package;
};

const TargetTools& target_tools(BaremetalTarget target);

// Throw Error naming the apt packages to install when a tool is missing.
void require_build_tools(const TargetTools& tools, bool plugin);
void require_run_tools(const TargetTools& tools);

// Everything a deployment directory holds before it is built.
struct DeploymentSources {
  std::string name;  // the image name: DIR/<name>.elf
  const TargetTools* tools = nullptr;
  const std::vector<uint8_t>* model = nullptr;
  size_t arena_bytes = 0;
  const SampleSet* samples = nullptr;
  bool argmax = true;
};

// Writes the embedded micro/ and firmware sources (under src/), the Makefile and config.mk,
// the generated model and samples (under gen/) and run.sh into `dir`.
void write_deployment_sources(const std::filesystem::path& dir, const DeploymentSources& sources);
// A file-system and make friendly image name from the model's file name.
std::string image_name(const std::string& model_path);

// The compiled micro/ objects of a target, kept between deployments. The key covers the
// embedded sources, the Makefile and the compiler's version, so a stale entry is never used.
std::string object_cache_key(const TargetTools& tools);
// Copies a cached build/micro (and the library) into `build_dir`; false when there is none.
bool seed_from_object_cache(const std::string& cache_dir, const std::string& key,
                            const std::filesystem::path& build_dir);
// Keeps `build_dir`'s micro/ objects for later deployments (best effort: a cache that cannot be
// written only costs time).
void store_in_object_cache(const std::string& cache_dir, const std::string& key,
                           const std::filesystem::path& build_dir);

}  // namespace tinyforge::deploy
