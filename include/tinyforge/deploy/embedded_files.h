// Files compiled into the tinyforge binary at build time (cmake/embed_files.cmake): the micro/
// runtime sources and the firmware support files a deployment writes out and cross-compiles.
// Embedding them means an installed binary needs no source tree.
#pragma once

#include <cstddef>
#include <span>

namespace tinyforge::deploy {

struct EmbeddedFile {
  const char* path;  // relative to the repository root, e.g. "micro/src/interpreter.cc"
  const unsigned char* data;
  size_t size;
};

// Every embedded file, sorted by path.
std::span<const EmbeddedFile> embedded_firmware_files();

}  // namespace tinyforge::deploy
