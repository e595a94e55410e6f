// Running a deployed image under QEMU and reading back what it printed.
#include <sstream>

#include "deploy/baremetal_internal.h"
#include "deploy/process.h"
#include "tinyforge/error.h"

namespace tinyforge::deploy {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

uint64_t to_u64(const std::string& s, const std::string& line) {
  try {
    size_t used = 0;
    const uint64_t v = std::stoull(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw Error("unexpected line from the image: '" + line + "'");
}

// "sample=<i> <prediction> output_fnv1a64=<hex> insns=<n>" (run.sh appends insns=).
SampleRun parse_sample_line(const std::string& line, bool* has_count) {
  const std::string hash_key = " output_fnv1a64=", count_key = " insns=";
  const size_t space = line.find(' ');
  const size_t hash = line.rfind(hash_key);
  if (space == std::string::npos || hash == std::string::npos || hash < space) {
    throw Error("unexpected line from the image: '" + line + "'");
  }
  SampleRun s;
  s.index = static_cast<uint32_t>(to_u64(line.substr(7, space - 7), line));
  s.prediction = line.substr(space + 1, hash - space - 1);
  const size_t hash_end = line.find(' ', hash + hash_key.size());
  s.output_fnv1a64 = line.substr(hash + hash_key.size(), hash_end - (hash + hash_key.size()));
  *has_count = hash_end != std::string::npos && line.compare(hash_end, count_key.size(), count_key) == 0;
  if (*has_count) s.instructions = to_u64(line.substr(hash_end + count_key.size()), line);
  return s;
}

}  // namespace

BaremetalRun run_baremetal(const BaremetalImage& image, int timeout_seconds) {
  require_run_tools(target_tools(image.target));
  if (timeout_seconds < 1) throw Error("the run timeout must be at least 1 second");
  const ProcessResult r = run_process({image.run_script}, image.dir, {{"FW_TIMEOUT", std::to_string(timeout_seconds)}});

  BaremetalRun run;
  run.exit_status = r.exit_status;
  run.output = r.output;
  size_t counted = 0;
  std::istringstream in(r.output);
  std::string line;
  while (std::getline(in, line)) {
    if (starts_with(line, "sample=")) {
      bool has_count = false;
      run.samples.push_back(parse_sample_line(line, &has_count));
      counted += has_count;
    } else if (starts_with(line, "insns_allocate=")) {
      run.allocate_instructions = to_u64(line.substr(15), line);
    } else if (starts_with(line, "arena_used_bytes=")) {
      run.arena_used_bytes = static_cast<size_t>(to_u64(line.substr(17), line));
    } else if ((starts_with(line, "error: ") || starts_with(line, "run.sh: ") || starts_with(line, "qemu")) &&
               run.error.empty()) {
      run.error = line;
    }
  }
  if (run.exit_status == 0 && run.error.empty()) {
    if (run.samples.size() != image.sample_count) {
      run.error = "the image printed " + std::to_string(run.samples.size()) + " of " +
                  std::to_string(image.sample_count) + " sample lines";
    } else if (counted != image.sample_count) {
      run.error = "the QEMU plugin counted " + std::to_string(counted) + " of " + std::to_string(image.sample_count) +
                  " inferences";
    }
  } else if (run.error.empty()) {
    run.error = run.exit_status == 124 ? "the image did not finish within " + std::to_string(timeout_seconds) + " s"
                                       : "the image exited with status " + std::to_string(run.exit_status);
  }
  return run;
}

}  // namespace tinyforge::deploy
