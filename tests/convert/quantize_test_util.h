// Helpers of the quantization tests: shared models as Graphs, seeded representative data, and
// running a Graph through the micro runtime with float inputs and outputs.
#pragma once

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "support/test_support.h"
#include "tinyforge/convert/quantize.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/runtime.h"

namespace tinyforge::convert::testing {

inline Graph shared_graph(const std::string& name) {
  return read_tflite(test::read_file(test::shared_path("models/" + name + ".tflite")));
}

// hello_world's input: x uniform in [0, 2 pi] (the range the model was trained on).
inline RepresentativeData sine_inputs(int count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> x(0.0f, 6.2831853f);
  RepresentativeData d;
  for (int i = 0; i < count; ++i) d.push_back({{x(rng)}});
  return d;
}

// magic_wand's input: 128 steps x 3 accelerometer axes, smooth random strokes (a few sines of
// random frequency, phase and amplitude per axis, plus noise), in the model's units.
inline RepresentativeData gesture_inputs(int count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  RepresentativeData d;
  for (int s = 0; s < count; ++s) {
    std::vector<float> x(128 * 3);
    for (int axis = 0; axis < 3; ++axis) {
      const float amp = 0.2f + 1.3f * u(rng), freq = 0.5f + 3.0f * u(rng), phase = 6.2831853f * u(rng);
      const float offset = -0.5f + u(rng);
      for (int t = 0; t < 128; ++t) {
        x[static_cast<size_t>(t * 3 + axis)] =
            offset + amp * std::sin(phase + freq * 6.2831853f * static_cast<float>(t) / 128.0f) + noise(rng);
      }
    }
    d.push_back({x});
  }
  return d;
}

// Runs `g` on float inputs: quantizes them with the input tensors' parameters when the model
// takes integers, dequantizes integer outputs. Returns output 0 as floats.
class FloatIo {
 public:
  explicit FloatIo(const Graph& g) : runner_(ModelBytes(write_tflite(g))) {}

  std::vector<float> run(const Sample& sample) {
    micro::Interpreter& it = runner_.interpreter();
    for (uint32_t i = 0; i < it.num_inputs(); ++i) {
      const micro::TensorInfo info = it.input_info(i);
      const std::vector<float>& x = sample[i];
      if (info.type == micro::TensorType::kFloat32) {
        runner_.set_input(i, x.data(), x.size() * 4);
        continue;
      }
      const double scale = info.quant.scale(0);
      const int32_t zp = info.quant.zero_point(0);
      std::vector<uint8_t> bytes(info.bytes);
      for (size_t k = 0; k < x.size(); ++k) {
        const double q = std::round(x[k] / scale) + zp;
        if (info.type == micro::TensorType::kInt8) {
          bytes[k] = static_cast<uint8_t>(static_cast<int8_t>(std::fmin(127, std::fmax(-128, q))));
        } else if (info.type == micro::TensorType::kUInt8) {
          bytes[k] = static_cast<uint8_t>(std::fmin(255, std::fmax(0, q)));
        } else {
          const int16_t v = static_cast<int16_t>(std::fmin(32767, std::fmax(-32768, q)));
          std::memcpy(&bytes[k * 2], &v, 2);
        }
      }
      runner_.set_input(i, bytes.data(), bytes.size());
    }
    runner_.invoke();
    const micro::TensorInfo out = it.output_info(0);
    const std::vector<uint8_t> b = runner_.output_bytes(0);
    const size_t n = static_cast<size_t>(out.shape.flat_size());
    std::vector<float> y(n);
    for (size_t k = 0; k < n; ++k) {
      switch (out.type) {
        case micro::TensorType::kFloat32: std::memcpy(&y[k], &b[k * 4], 4); break;
        case micro::TensorType::kInt8:
          y[k] = static_cast<float>(out.quant.scale(0) * (static_cast<int8_t>(b[k]) - out.quant.zero_point(0)));
          break;
        case micro::TensorType::kUInt8:
          y[k] = static_cast<float>(out.quant.scale(0) * (b[k] - out.quant.zero_point(0)));
          break;
        default: {
          int16_t v;
          std::memcpy(&v, &b[k * 2], 2);
          y[k] = static_cast<float>(out.quant.scale(0) * (v - out.quant.zero_point(0)));
        }
      }
    }
    return y;
  }

 private:
  Runner runner_;
};

inline size_t argmax(const std::vector<float>& v) {
  size_t best = 0;
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] > v[best]) best = i;
  }
  return best;
}

}  // namespace tinyforge::convert::testing
