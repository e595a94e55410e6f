// Representative data from .npy files: one file per model input, N samples along axis 0.
#include <cstring>

#include "tinyforge/convert/calibration.h"
#include "tinyforge/error.h"
#include "tinyforge/npy.h"

namespace tinyforge::convert {

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

// The number of samples in `a` for an input of shape `want`: a is N x want, or N x want[1:]
// when want has a leading batch dimension of 1. Returns -1 when neither fits.
int64_t sample_count(const NpyArray& a, const std::vector<int32_t>& want) {
  auto tail_matches = [&](size_t skip) {
    if (a.shape.size() != want.size() - skip + 1) return false;
    for (size_t d = skip; d < want.size(); ++d) {
      if (a.shape[d - skip + 1] != want[d]) return false;
    }
    return true;
  };
  if (a.shape.empty()) return -1;
  if (tail_matches(0)) return a.shape[0];
  if (!want.empty() && want[0] == 1 && tail_matches(1)) return a.shape[0];
  return -1;
}

}  // namespace

RepresentativeData load_representative_npy(const std::vector<std::string>& paths, const Graph& graph) {
  if (paths.size() != graph.inputs.size()) {
    throw Error("representative data: " + std::to_string(paths.size()) + " .npy files given, the model has " +
                std::to_string(graph.inputs.size()) + " inputs (one file per input, in input order)");
  }
  RepresentativeData data;
  for (size_t i = 0; i < paths.size(); ++i) {
    const GraphTensor& t = graph.tensors[static_cast<size_t>(graph.inputs[i])];
    const NpyArray a = read_npy(paths[i]);
    if (a.dtype != "f4" && a.dtype != "f8") {
      throw Error(paths[i] + ": dtype " + a.dtype + "; representative data must be float32 or float64");
    }
    std::vector<int64_t> want(t.shape.begin(), t.shape.end());
    const int64_t n = sample_count(a, t.shape);
    if (n < 0) {
      throw Error(paths[i] + ": shape " + shape_text(a.shape) + " does not hold samples of input " + std::to_string(i) +
                  " '" + t.name + "' " + shape_text(want) + " (expected N x " + shape_text(want) + ")");
    }
    if (n == 0) throw Error(paths[i] + ": holds no samples");
    if (i == 0) {
      data.resize(static_cast<size_t>(n), Sample(paths.size()));
    } else if (static_cast<size_t>(n) != data.size()) {
      throw Error(paths[i] + ": " + std::to_string(n) + " samples, but " + paths[0] + " has " +
                  std::to_string(data.size()));
    }
    const size_t per = static_cast<size_t>(t.element_count());
    for (size_t s = 0; s < data.size(); ++s) {
      std::vector<float>& out = data[s][i];
      out.resize(per);
      for (size_t k = 0; k < per; ++k) {
        const size_t e = s * per + k;
        if (a.dtype == "f4") {
          std::memcpy(&out[k], a.data.data() + e * 4, 4);
        } else {
          double d;
          std::memcpy(&d, a.data.data() + e * 8, 8);
          out[k] = static_cast<float>(d);
        }
      }
    }
  }
  return data;
}

}  // namespace tinyforge::convert
