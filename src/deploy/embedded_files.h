// The files compiled into the binary for `tinyforge deploy` (see embed_files.cmake):
// "esp-idf/..." templates, "micro/..." runtime sources, "app/..." portable app core.
#pragma once

#include <cstddef>

namespace tinyforge::deploy {

struct EmbeddedFile {
  const char* path;
  const unsigned char* data;  // `size` bytes (plus a terminating 0 not counted)
  size_t size;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kEmbeddedFileCount;

}  // namespace tinyforge::deploy
