#include "tinyforge/deploy/project_files.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tinyforge/error.h"

namespace tinyforge::deploy {

namespace fs = std::filesystem;

namespace {

void write_all(const ProjectFiles& files, const fs::path& root) {
  for (const auto& [relative, text] : files) {
    const fs::path path = root / relative;
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) throw Error("cannot write '" + path.string() + "' (disk full or no permission?)");
  }
}

}  // namespace

void write_project_dir(const ProjectFiles& files, const std::string& dir, bool force) {
  if (dir.empty()) throw Error("no output directory given (-o DIR)");
  const fs::path target = fs::absolute(fs::path(dir)).lexically_normal();
  const fs::path path = target.filename().empty() ? target.parent_path() : target;
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  if (exists && !fs::is_directory(path, ec)) throw Error("'" + dir + "' exists and is not a directory");
  if (exists && !fs::is_empty(path, ec) && !force) {
    throw Error("'" + dir + "' exists and is not empty; choose another directory or pass --force to replace it");
  }
  if (!fs::exists(path.parent_path(), ec)) {
    throw Error("the parent directory of '" + dir + "' does not exist");
  }
  const std::string suffix = std::to_string(::getpid());
  const fs::path temp = path.parent_path() / (path.filename().string() + ".tmp-" + suffix);
  const fs::path old = path.parent_path() / (path.filename().string() + ".old-" + suffix);
  fs::remove_all(temp, ec);
  try {
    fs::create_directory(temp);
    write_all(files, temp);
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(temp, ec);
    throw Error("cannot write the project into '" + dir + "': " + e.code().message());
  } catch (...) {
    fs::remove_all(temp, ec);
    throw;
  }
  // Swap: move the old directory aside, move the new one in, then drop the old one.
  if (exists) {
    fs::rename(path, old, ec);
    if (ec) {
      fs::remove_all(temp, ec);
      throw Error("cannot replace '" + dir + "': " + ec.message());
    }
  }
  fs::rename(temp, path, ec);
  if (ec) {
    const std::string why = ec.message();
    if (exists) fs::rename(old, path, ec);
    fs::remove_all(temp, ec);
    throw Error("cannot move the project into '" + dir + "': " + why);
  }
  if (exists) fs::remove_all(old, ec);
}

}  // namespace tinyforge::deploy
