// Lowers the five reference architectures (seeded weights, BN statistics made non-trivial) and
// prints, per model, one JSON line: ops, .tflite bytes, the exact arena, and the largest
// difference between the micro runtime and nn::Model::predict relative to the output scale.
// Usage: lower_reference_models [seed]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "reference_models.h"
#include "tinyforge/convert/lower.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/error.h"
#include "tinyforge/runtime.h"

using namespace tinyforge;

namespace {

void perturb(nn::Model& model, uint64_t seed) {
  nn::Rng rng(seed);
  for (const auto& layer : model.layers()) {
    for (nn::Param& p : layer->params()) {
      for (float& v : p.value.values()) {
        const float z = rng.normal();
        if (p.name == "moving_variance")
          v = 0.5f + 1.5f * std::abs(z);
        else if (p.name == "gamma")
          v = 1.0f + 0.3f * z;
        else if (p.name == "bias" || p.name == "beta" || p.name == "moving_mean")
          v = 0.3f * z;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 7;
  try {
    for (const auto& w : bench::reference_workloads()) {
      auto model = bench::build_reference_model(w.name, seed);
      perturb(*model, seed + 1);
      const convert::Graph g = convert::lower_model(*model);
      const std::vector<uint8_t> bytes = convert::write_tflite(g);
      Runner runner{ModelBytes(bytes)};
      nn::Rng rng(seed + 2);
      nn::Shape shape{1};
      for (int64_t d : model->input_shapes()[0]) shape.push_back(d);
      nn::Tensor x(shape);
      for (float& v : x.values()) v = rng.normal();
      runner.set_input(0, x.data(), x.values().size() * sizeof(float));
      runner.invoke();
      const std::vector<uint8_t> out = runner.output_bytes(0);
      const nn::Tensor want = model->predict(x, 1);
      double diff = 0.0, scale = 0.0;
      for (int64_t k = 0; k < want.size(); ++k) {
        float v;
        std::memcpy(&v, out.data() + k * 4, 4);
        diff = std::max(diff, std::abs(double(v) - want[k]));
        scale = std::max(scale, std::abs(double(want[k])));
      }
      std::printf(
          "{\"model\": \"%s\", \"ops\": %zu, \"tflite_bytes\": %zu, \"arena_bytes\": %zu, "
          "\"max_abs_diff_over_output_scale\": %.3g}\n",
          w.name.c_str(), g.ops.size(), bytes.size(), runner.arena_bytes(), diff / scale);
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "lower_reference_models: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
