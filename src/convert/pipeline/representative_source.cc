// Representative data for calibration from a command-line style spec: .npy files (one per
// model input) or the Fashion-MNIST training images.
#include <cstdlib>

#include "tinyforge/convert/pipeline.h"
#include "tinyforge/data/fashion_mnist.h"
#include "tinyforge/error.h"

namespace tinyforge::convert {
namespace {

constexpr int64_t kDefaultFashionMnistSamples = 500;

// "fashion-mnist" or "fashion-mnist:N"; returns N (0 when the spec is not Fashion-MNIST).
int64_t fashion_mnist_count(const std::string& spec) {
  const std::string prefix = "fashion-mnist";
  if (spec.rfind(prefix, 0) != 0) return 0;
  if (spec.size() == prefix.size()) return kDefaultFashionMnistSamples;
  const std::string n = spec.substr(prefix.size() + 1);
  char* end = nullptr;
  const long long v = spec[prefix.size()] == ':' && !n.empty() ? std::strtoll(n.c_str(), &end, 10) : -1;
  if (v <= 0 || (end && *end))
    throw Error("representative data '" + spec + "': expected fashion-mnist or fashion-mnist:N with N > 0");
  return v;
}

}  // namespace

RepresentativeData load_representative(const std::vector<std::string>& spec, const Graph& float_graph,
                                       int64_t max_samples) {
  RepresentativeData data;
  const int64_t fm = spec.size() == 1 ? fashion_mnist_count(spec[0]) : 0;
  if (fm > 0) {
    if (float_graph.inputs.size() != 1)
      throw Error("representative data fashion-mnist: the model has " + std::to_string(float_graph.inputs.size()) +
                  " inputs; Fashion-MNIST feeds one");
    const GraphTensor& in = float_graph.tensors[static_cast<size_t>(float_graph.inputs[0])];
    if (in.element_count() != 28 * 28)
      throw Error("representative data fashion-mnist: input '" + in.name + "' holds " +
                  std::to_string(in.element_count()) + " values, a Fashion-MNIST image 784 (28x28x1)");
    nn::Tensor x, y;
    data::load_fashion_mnist_part(data::fashion_mnist_dir(), "train", x, y);
    const int64_t n = std::min<int64_t>(fm, x.shape()[0]);
    data.resize(static_cast<size_t>(n), Sample(1));
    for (int64_t s = 0; s < n; ++s)
      data[static_cast<size_t>(s)][0].assign(x.data() + s * 784, x.data() + (s + 1) * 784);
  } else {
    data = load_representative_npy(spec, float_graph);
  }
  if (max_samples > 0 && static_cast<int64_t>(data.size()) > max_samples) data.resize(static_cast<size_t>(max_samples));
  return data;
}

}  // namespace tinyforge::convert
