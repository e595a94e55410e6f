// Looking up the embedded project files and filling their {{PLACEHOLDERS}}.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tinyforge/deploy/embedded_files.h"

namespace tinyforge::deploy {

// The embedded file at `path` ("esp-idf/main/app_main.cc", "micro/src/interpreter.cc"), from
// either table of embedded_files.h (their paths never collide); throws Error when missing.
std::string embedded_text(const std::string& path);
// Every embedded file whose path starts with `prefix` ("micro/", "app/"), in path order.
std::vector<const EmbeddedFile*> embedded_under(const std::string& prefix);

// Replaces every {{NAME}} (NAME: A-Z, 0-9, _) with vars[NAME]. A placeholder without a value
// throws Error naming it and `what` (a template and its variables must agree).
std::string render_template(const std::string& text, const std::map<std::string, std::string>& vars,
                            const std::string& what);

}  // namespace tinyforge::deploy
