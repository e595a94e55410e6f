#include "deploy/templates.h"

#include <cstring>

#include "tinyforge/error.h"

namespace tinyforge::deploy {

std::string embedded_text(const std::string& path) {
  for (auto table : {embedded_project_files(), embedded_firmware_files()})
    for (const EmbeddedFile& f : table)
      if (path == f.path) return std::string(reinterpret_cast<const char*>(f.data), f.size);
  throw Error("internal: the deploy file '" + path + "' is not compiled into this tinyforge (rebuild it)");
}

std::vector<const EmbeddedFile*> embedded_under(const std::string& prefix) {
  std::vector<const EmbeddedFile*> files;
  for (auto table : {embedded_project_files(), embedded_firmware_files()})
    for (const EmbeddedFile& f : table)
      if (std::strncmp(f.path, prefix.c_str(), prefix.size()) == 0) files.push_back(&f);
  return files;
}

std::string render_template(const std::string& text, const std::map<std::string, std::string>& vars,
                            const std::string& what) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    size_t end = open + 2;
    while (end < text.size() &&
           ((text[end] >= 'A' && text[end] <= 'Z') || (text[end] >= '0' && text[end] <= '9') || text[end] == '_')) {
      ++end;
    }
    if (end == open + 2 || text.compare(end, 2, "}}") != 0) {  // not a placeholder: keep the braces
      out.append(text, pos, open + 2 - pos);
      pos = open + 2;
      continue;
    }
    const std::string name = text.substr(open + 2, end - open - 2);
    const auto it = vars.find(name);
    if (it == vars.end())
      throw Error("internal: " + what + " uses the placeholder {{" + name + "}}, which has no value");
    out.append(text, pos, open - pos);
    out += it->second;
    pos = end + 2;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

}  // namespace tinyforge::deploy
