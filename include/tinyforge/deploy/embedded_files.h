// Files compiled into the tinyforge binary at build time (cmake/embed_files.cmake), which
// deployments write out: an installed binary needs no source tree.
#pragma once

#include <cstddef>
#include <span>

namespace tinyforge::deploy {

struct EmbeddedFile {
  const char* path;           // the name it is stored under, e.g. "micro/src/interpreter.cc"
  const unsigned char* data;  // `size` bytes (plus a terminating 0 not counted)
  size_t size;
};

// What `tinyforge deploy baremetal` builds images from: micro/ and the firmware support files,
// under their repository paths ("micro/...", "firmware/..."). Sorted by path.
std::span<const EmbeddedFile> embedded_firmware_files();

// What `tinyforge deploy esp-idf` writes into projects besides micro/ (which it takes from the
// table above): the templates ("esp-idf/...") and the portable app core ("app/...", from
// firmware/app). Sorted by path.
std::span<const EmbeddedFile> embedded_project_files();

}  // namespace tinyforge::deploy
