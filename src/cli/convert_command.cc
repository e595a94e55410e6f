// `tinyforge convert`: a .tfm or .tflite model to a float32 / float16 / dynamic-range / int8 /
// int16x8 .tflite (and optionally a C array), with the exact arena size recorded.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "tinyforge/convert/c_array.h"
#include "tinyforge/convert/pipeline.h"
#include "tinyforge/error.h"
#include "tinyforge/file_util.h"

namespace tinyforge::cli {
namespace {

struct ConvertArgs {
  convert::ConvertRequest request;
  std::string calibration = "minmax";
  std::string output;
  std::string c_array;
  bool print_ranges = false;
  bool json = false;
};

void print_summary(const ConvertArgs& a, const convert::ConvertResult& r, const std::vector<std::string>& written) {
  if (a.json) {
    nlohmann::json j{{"input", a.request.input_path},
                     {"mode", a.request.mode},
                     {"output", a.output},
                     {"bytes", r.bytes.size()},
                     {"float32_bytes", r.float_tflite_bytes},
                     {"arena_bytes", r.arena_bytes},
                     {"ops", r.graph.ops.size()},
                     {"representative_samples", r.representative_samples},
                     {"warnings", r.warnings},
                     {"written", written}};
    if (a.print_ranges) {
      nlohmann::json ranges = nlohmann::json::array();
      for (const auto& t : r.ranges)
        ranges.push_back({{"tensor", t.tensor}, {"name", t.name}, {"min", t.min}, {"max", t.max}});
      j["ranges"] = ranges;
    }
    std::printf("%s\n", j.dump(1).c_str());
    return;
  }
  for (const auto& w : r.warnings) std::fprintf(stderr, "tinyforge: warning: %s\n", w.c_str());
  if (a.print_ranges)
    std::printf("calibrated ranges (%s):\n%s", a.calibration.c_str(), convert::format_ranges(r.ranges).c_str());
  std::printf("%s -> %s (%s): %zu bytes", a.request.input_path.c_str(), a.output.c_str(), a.request.mode.c_str(),
              r.bytes.size());
  if (r.float_tflite_bytes > 0 && a.request.mode != "float32")
    std::printf(", %.3fx the float32 model (%llu bytes)",
                static_cast<double>(r.bytes.size()) / static_cast<double>(r.float_tflite_bytes),
                static_cast<unsigned long long>(r.float_tflite_bytes));
  std::printf("\n  %zu ops, ", r.graph.ops.size());
  if (r.arena_bytes >= 0) {
    std::printf("arena %lld bytes (exact, micro runtime)", static_cast<long long>(r.arena_bytes));
  } else {
    std::printf("the micro runtime cannot run this variant");
  }
  if (r.representative_samples > 0)
    std::printf(", calibrated on %lld samples (%s)", static_cast<long long>(r.representative_samples),
                a.calibration.c_str());
  std::printf("\n");
  for (size_t i = 1; i < written.size(); ++i) std::printf("  wrote %s\n", written[i].c_str());
}

}  // namespace

void add_convert_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("convert", "Convert a .tfm or .tflite model to a (quantized) .tflite and C array");
  auto a = std::make_shared<ConvertArgs>();
  cmd->add_option("model", a->request.input_path, "The model: a TinyForge .tfm or a .tflite")->required();
  cmd->add_option("--to", a->request.mode, "float32 | float16 | dynamic | int8 | int16x8")
      ->check(CLI::IsMember({"float32", "float16", "dynamic", "int8", "int16x8"}))
      ->default_str("float32");
  cmd->add_option("-o,--output", a->output, "The .tflite file to write")->required();
  cmd->add_option("--representative", a->request.representative,
                  "Calibration data (int8, int16x8): one .npy (N x input shape) per model input, or fashion-mnist[:N]");
  cmd->add_option("--samples", a->request.max_samples, "Use at most this many representative samples");
  cmd->add_option("--io", a->request.io, "Type of the model's inputs and outputs: int8 | uint8 | int16 | float")
      ->check(CLI::IsMember({"int8", "uint8", "int16", "float"}));
  cmd->add_option("--calibration", a->calibration, "Range observer: minmax | ema | percentile | mse")
      ->check(CLI::IsMember({"minmax", "ema", "percentile", "mse"}))
      ->default_str("minmax");
  cmd->add_option("--percentile", a->request.calibration.percentile, "Upper percentile for --calibration percentile")
      ->default_str("99.99");
  cmd->add_flag("--per-channel-fc", a->request.per_channel_fc, "Per-channel FULLY_CONNECTED weights");
  cmd->add_flag("--bias-correction", a->request.bias_correction, "Correct the output shift of quantized weights");
  cmd->add_option("--c-array", a->c_array, "Also write NAME.h and NAME.cc (beside the output) for firmware");
  cmd->add_flag("--ranges", a->print_ranges, "Print the calibrated range of every activation tensor");
  cmd->add_flag("--json", a->json, "Print one JSON object");
  cmd->callback([a] {
    a->request.calibration.observer = convert::parse_observer(a->calibration);
    if (a->request.mode == "int16x8") a->request.calibration.mse_bits = 16;
    if (!a->c_array.empty() && !convert::is_c_identifier(a->c_array))
      throw Error("--c-array '" + a->c_array + "' is not a C identifier");
    const convert::ConvertResult r = convert::convert_model(a->request);
    std::vector<std::string> written{a->output};
    write_file_atomic(a->output, r.bytes);
    if (!a->c_array.empty()) {
      if (r.arena_bytes < 0) throw Error("--c-array: the micro runtime cannot run a " + a->request.mode + " model");
      convert::CArrayOptions options;
      options.name = a->c_array;
      options.arena_bytes = static_cast<size_t>(r.arena_bytes);
      const std::string dir = std::filesystem::path(a->output).parent_path().string();
      for (const auto& p : convert::write_c_array(r.bytes, dir.empty() ? "." : dir, options)) written.push_back(p);
    }
    print_summary(*a, r, written);
  });
}

}  // namespace tinyforge::cli
