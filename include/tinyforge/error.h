// The one exception type of the host library. Messages say what is wrong and, where
// possible, what to do; the CLI catches it once and exits non-zero.
#pragma once

#include <stdexcept>
#include <string>

namespace tinyforge {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace tinyforge
