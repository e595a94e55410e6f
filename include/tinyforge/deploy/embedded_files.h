// Files compiled into the tinyforge binary at build time (cmake/embed_files.cmake): the micro/
// runtime sources and the firmware support files a deployment writes out and cross-compiles.
// Embedding them means an installed binary needs no source tree. (The esp-idf deployment has
// its own table in src/deploy/embedded_files.h; different names, so both can be linked.)
#pragma once

#include <cstddef>
#include <span>

namespace tinyforge::deploy {

struct EmbeddedFirmwareFile {
  const char* path;  // relative to the repository root, e.g. "micro/src/interpreter.cc"
  const unsigned char* data;
  size_t size;
};

// Every embedded file, sorted by path.
std::span<const EmbeddedFirmwareFile> embedded_firmware_files();

}  // namespace tinyforge::deploy
