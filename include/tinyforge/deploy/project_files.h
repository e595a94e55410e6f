// A generated project as data (relative path -> contents), written all at once: everything
// goes into a temporary sibling directory that is renamed into place, so DIR is either the
// complete project or untouched.
#pragma once

#include <map>
#include <string>

namespace tinyforge::deploy {

using ProjectFiles = std::map<std::string, std::string>;

// Throws Error (and leaves `dir` as it was) when `dir` exists and is not an empty directory
// unless `force`, or when anything cannot be written.
void write_project_dir(const ProjectFiles& files, const std::string& dir, bool force);

}  // namespace tinyforge::deploy
