// `tinyforge deploy baremetal`: check everything, build in a temporary directory, rename.
#include <unistd.h>

#include <atomic>
#include <set>
#include <sstream>

#include "deploy/baremetal_internal.h"
#include "deploy/process.h"
#include "tinyforge/error.h"
#include "tinyforge/file_util.h"

namespace tinyforge::deploy {

namespace fs = std::filesystem;

namespace {

// The emulated machines have 4 MiB of "flash" and 4 MiB of RAM; keep room for code, stack, data.
constexpr size_t kFlashBudget = 3u << 20;
constexpr size_t kArenaBudget = 3u << 20;
constexpr const char* kMarker = ".tinyforge-deploy";  // says "a deployment lives here: may be replaced"

// Removes the directory on scope exit unless released (every error path leaves nothing).
struct ScopedDir {
  fs::path path;
  bool keep = false;
  ~ScopedDir() {
    std::error_code ec;
    if (!keep && !path.empty()) fs::remove_all(path, ec);
  }
};

std::string last_lines(const std::string& text, size_t n) {
  size_t pos = text.size();
  for (size_t i = 0; i <= n && pos != std::string::npos && pos > 0; ++i) pos = text.rfind('\n', pos - 1);
  return pos == std::string::npos || pos == 0 ? text : text.substr(pos + 1);
}

// Berkeley `size` output: "text data bss dec hex filename" then the numbers.
void parse_size(const std::string& log, BaremetalImage* image) {
  std::istringstream in(log);
  std::string line;
  bool header = false;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string first;
    fields >> first;
    if (first == "text") {
      header = true;
      continue;
    }
    if (header) {
      std::istringstream numbers(line);
      numbers >> image->text_bytes >> image->data_bytes >> image->bss_bytes;
      header = false;
    }
  }
}

std::vector<std::string> model_operators(const ModelBytes& model) {
  Runner runner(model);
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (uint32_t i = 0; i < runner.model().num_operators(); ++i) {
    const std::string name = op_display(runner.model(), i);
    if (seen.insert(name).second) names.push_back(name);
  }
  return names;
}

fs::path destination_of(const std::string& output_dir) {
  if (output_dir.empty()) throw Error("give the output directory: -o DIR");
  fs::path dest = fs::absolute(output_dir).lexically_normal();
  if (dest.filename().empty()) dest = dest.parent_path();  // "out/" -> "out"
  std::error_code ec;
  if (fs::exists(dest, ec) && !(fs::is_directory(dest, ec) && fs::exists(dest / kMarker, ec))) {
    throw Error("'" + output_dir + "' exists and is not an earlier deployment; remove it or choose another -o");
  }
  return dest;
}

// ".<name><kind><tag>" beside `dest`: the same file system, so rename() can move it into place.
fs::path hidden_sibling(const fs::path& dest, const char* kind, const std::string& tag) {
  std::string name = ".";
  name += dest.filename().string();
  name += kind;
  name += tag;
  return dest.parent_path() / name;
}

// Replaces `dest` (absent, or an earlier deployment) with the finished `built` directory.
void move_into_place(const fs::path& built, const fs::path& dest, const std::string& tag) {
  std::error_code ec;
  const fs::path old = hidden_sibling(dest, ".old-", tag);
  const bool had_old = fs::exists(dest, ec);
  if (had_old) {
    fs::rename(dest, old, ec);
    if (ec) throw Error("cannot replace '" + dest.string() + "': " + ec.message());
  }
  fs::rename(built, dest, ec);
  if (ec) {
    std::error_code restore;
    if (had_old) fs::rename(old, dest, restore);
    throw Error("cannot create '" + dest.string() + "': " + ec.message());
  }
  if (had_old) fs::remove_all(old, ec);
}

BaremetalImage deploy(const BaremetalOptions& options) {
  static std::atomic<unsigned> counter{0};
  const TargetTools& tools = target_tools(options.target);
  const fs::path dest = destination_of(options.output_dir);
  if (options.jobs < 1) throw Error("--jobs must be at least 1");

  // Every check on the input comes before anything is written.
  const ModelBytes model = ModelBytes::load(options.model_path);
  size_t arena = 0;
  try {
    arena = exact_arena_bytes(model);
  } catch (const Error& e) {
    throw Error("'" + options.model_path + "' cannot run on the micro runtime: " + e.what());
  }
  if (arena > kArenaBudget) {
    throw Error("'" + options.model_path + "' needs a " + std::to_string(arena) +
                "-byte arena; the emulated boards leave room for at most " + std::to_string(kArenaBudget));
  }
  const bool argmax = predicts_argmax(model, options.prediction);
  const SampleSet samples =
      options.samples_path.empty() ? tflm_pattern_samples(model) : load_samples(model, options.samples_path);
  if (samples.bytes.size() + model.size() > kFlashBudget) {
    throw Error("the model (" + std::to_string(model.size()) + " bytes) and " + std::to_string(samples.count) +
                " samples (" + std::to_string(samples.bytes.size()) + " bytes) do not fit the " +
                std::to_string(kFlashBudget) + " bytes of flash the image may use: give fewer samples");
  }
  require_build_tools(tools, options.build_plugin);

  BaremetalImage image;
  image.target = options.target;
  image.model_name = image_name(options.model_path);
  image.arena_bytes = arena;
  image.sample_count = samples.count;
  image.argmax = argmax;
  image.kernels = model_operators(model);

  fs::create_directories(dest.parent_path());
  const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(counter++);
  ScopedDir work{hidden_sibling(dest, ".tmp-", tag)};
  fs::remove_all(work.path);
  fs::create_directories(work.path);

  const std::vector<uint8_t> model_bytes(model.data(), model.data() + model.size());
  DeploymentSources sources;
  sources.name = image.model_name;
  sources.tools = &tools;
  sources.model = &model_bytes;
  sources.arena_bytes = arena;
  sources.samples = &samples;
  sources.argmax = argmax;
  write_deployment_sources(work.path, sources);

  std::string cache_key;
  if (!options.object_cache_dir.empty()) {
    cache_key = object_cache_key(tools);
    seed_from_object_cache(options.object_cache_dir, cache_key, work.path / "build");
  }
  std::vector<std::string> make = {"make", "-j" + std::to_string(options.jobs), "all"};
  if (options.build_plugin) make.push_back("plugin");
  const ProcessResult build = run_process(make, work.path.string());
  if (build.exit_status != 0) {
    throw Error(std::string("the ") + tools.name + " cross build failed (make exited with " +
                std::to_string(build.exit_status) + "); its last lines:\n" + last_lines(build.output, 40));
  }
  if (!cache_key.empty()) store_in_object_cache(options.object_cache_dir, cache_key, work.path / "build");
  image.build_log = build.output;
  parse_size(build.output, &image);

  write_file_atomic((work.path / kMarker).string(),
                    "target=" + std::string(tools.name) + "\nmodel=" + options.model_path + "\n");
  move_into_place(work.path, dest, tag);
  work.keep = true;
  image.dir = dest.string();
  image.elf = (dest / (image.model_name + ".elf")).string();
  image.run_script = (dest / "run.sh").string();
  return image;
}

}  // namespace

BaremetalImage deploy_baremetal(const BaremetalOptions& options) {
  try {
    return deploy(options);
  } catch (const fs::filesystem_error& e) {  // the temporary directory is already gone
    throw Error(std::string("cannot write the deployment: ") + e.what());
  }
}

}  // namespace tinyforge::deploy
