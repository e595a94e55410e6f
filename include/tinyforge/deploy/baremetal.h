// Bare-metal deployment: a .tflite model plus sample inputs become a cross-compiled image for
// an emulated MCU (Cortex-M4, RV32IMC, Xtensa lx106) that replays the samples under QEMU and
// prints one prediction and the exact instruction count per inference.
//
//   BaremetalImage image = deploy_baremetal({.model_path = "m.tflite", .target = BaremetalTarget::kRv32imc,
//                                            .samples_path = "x.npy", .output_dir = "out"});
//   BaremetalRun run = run_baremetal(image);                  // QEMU + the instruction-count plugin
//   compare with host_predictions(model, samples, argmax)     // the same samples on the host runtime
//
// The output directory is complete or absent: it is built under a temporary name and renamed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tinyforge/npy.h"
#include "tinyforge/runtime.h"

namespace tinyforge::deploy {

enum class BaremetalTarget { kCortexM4, kRv32imc, kLx106 };

// "cortex-m4", "rv32imc", "lx106"; throws Error listing the known targets.
BaremetalTarget parse_baremetal_target(const std::string& name);
const char* baremetal_target_name(BaremetalTarget target);

// What the image prints per inference, from output 0 (firmware/deploy/prediction.h):
// argmax and its score, or every value. kAuto: argmax when output 0 has more than one element.
enum class PredictionMode { kAuto, kArgmax, kValues };
PredictionMode parse_prediction_mode(const std::string& name);  // "auto", "argmax", "values"

// Samples as the image embeds them: each sample is every model input's raw bytes, in input
// order and in the input's own type.
struct SampleSet {
  std::vector<uint8_t> bytes;
  size_t sample_bytes = 0;
  size_t count = 0;
  std::string source;  // the .npy path, or "tflm pattern"
};

// Samples from a .npy of shape [N, *input shape] (or [N, *input shape without its leading 1]).
// float32 data is quantized for int8/uint8/int16 inputs with the input's scale and zero point;
// otherwise the dtype must be the input's. Only single-input models. Throws Error naming the
// file and the mismatch. `npy_path` may also be "fashion-mnist[:test|:train]:N": the first N
// images of that Fashion-MNIST part, scaled to [0, 1] as training scales them.
SampleSet load_samples(const ModelBytes& model, const std::string& npy_path);
// The raw array behind a --samples spec: a .npy file, or "fashion-mnist[:test|:train]:N".
NpyArray read_sample_array(const std::string& spec);
// One sample: the TFLite Micro golden input pattern (shared/reference/tflm_goldens.json) on
// every input.
SampleSet tflm_pattern_samples(const ModelBytes& model);

// True when the image predicts by argmax for this mode and model.
bool predicts_argmax(const ModelBytes& model, PredictionMode mode);

struct Prediction {
  std::string text;            // "class=2 score=0.996094" or "values=0.123456,..."
  std::string output_fnv1a64;  // over every output's bytes, in order
};
// The same samples through tinyforge::Runner on the host, formatted as the image formats them.
std::vector<Prediction> host_predictions(const ModelBytes& model, const SampleSet& samples, bool argmax);

struct BaremetalOptions {
  std::string model_path;
  BaremetalTarget target = BaremetalTarget::kCortexM4;
  std::string samples_path;  // empty: the TFLM input pattern, one sample
  std::string output_dir;
  PredictionMode prediction = PredictionMode::kAuto;
  // Reuse compiled micro/ objects between deployments (keyed by sources, flags and compiler);
  // empty: compile everything in the output directory.
  std::string object_cache_dir;
  bool build_plugin = true;  // also build the QEMU instruction-count plugin (host cc) for run.sh
  int jobs = 2;
};

struct BaremetalImage {
  std::string dir;         // the deployment directory (absolute)
  std::string elf;         // DIR/<model>.elf
  std::string run_script;  // DIR/run.sh
  BaremetalTarget target = BaremetalTarget::kCortexM4;
  std::string model_name;
  size_t arena_bytes = 0;  // the image's static arena: exactly exact_arena_bytes(model)
  size_t sample_count = 0;
  bool argmax = true;
  std::vector<std::string> kernels;  // the operators whose kernels the image registers (the model's only)
  size_t text_bytes = 0;             // from `size` on the ELF: flash = text + data, RAM = data + bss
  size_t data_bytes = 0;
  size_t bss_bytes = 0;
  std::string build_log;  // the cross build's output
};

// Checks the model and samples, writes the sources, Makefile and run script into a temporary
// directory beside output_dir, cross-compiles, and renames it to output_dir. An existing
// output_dir is replaced only when it is an earlier deployment. Throws Error (leaving no
// output_dir behind) on bad input, a missing tool (naming the Debian package) or a failed build.
BaremetalImage deploy_baremetal(const BaremetalOptions& options);

struct SampleRun {
  uint32_t index = 0;
  std::string prediction;      // as the image printed it
  std::string output_fnv1a64;  // as the image printed it
  uint64_t instructions = 0;   // executed by that invoke (exact, from the QEMU plugin)
};

struct BaremetalRun {
  int exit_status = -1;  // the image's (0 = every sample ran); 124 = timeout
  std::vector<SampleRun> samples;
  uint64_t allocate_instructions = 0;
  size_t arena_used_bytes = 0;  // what allocate() used on the target
  std::string error;            // the image's "error: ..." line or run.sh's diagnostics when it failed
  std::string output;           // everything the run printed

  bool ok() const { return exit_status == 0 && error.empty(); }
};

// Runs DIR/run.sh (QEMU with the instruction-count plugin) and parses its output. Throws
// Error when QEMU or a host tool is missing (naming the package); a failing image is reported
// in the result, not thrown.
BaremetalRun run_baremetal(const BaremetalImage& image, int timeout_seconds = 300);

}  // namespace tinyforge::deploy
