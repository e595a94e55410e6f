#include "deploy/deploy_test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "support/test_support.h"
#include "tinyforge/convert/graph.h"
#include "tinyforge/convert/tflite_io.h"

namespace tinyforge::test {

std::vector<uint8_t> shared_model(const std::string& name) {
  return read_file(shared_path("models/" + name + ".tflite"));
}

std::vector<uint8_t> big_activation_model(int32_t side) {
  convert::Graph g;
  convert::GraphTensor x;
  x.name = "x";
  x.type = micro::TensorType::kInt8;
  x.shape = {1, side, side, 4};
  x.quant.scales = {0.05f};
  x.quant.zero_points = {0};
  convert::GraphTensor y = x;
  y.name = "y";
  y.quant.scales = {0.1f};
  const int32_t xi = g.add_tensor(x), yi = g.add_tensor(y);
  convert::GraphOp add;
  add.builtin = micro::op::kAdd;
  add.inputs = {xi, xi};
  add.outputs = {yi};
  g.add_op(add);
  g.inputs = {xi};
  g.outputs = {yi};
  return convert::write_tflite(g);
}

std::vector<uint8_t> parse_c_array(const std::string& source, const std::string& array_name) {
  std::vector<uint8_t> bytes;
  const size_t name = source.find(array_name + "[");
  if (name == std::string::npos) {
    ADD_FAILURE() << "no array " << array_name;
    return bytes;
  }
  size_t pos = source.find('{', name);
  const size_t end = source.find('}', pos);
  while ((pos = source.find("0x", pos)) != std::string::npos && pos < end) {
    bytes.push_back(static_cast<uint8_t>(std::strtoul(source.substr(pos, 4).c_str(), nullptr, 16)));
    pos += 4;
  }
  return bytes;
}

std::string model_for_app(const std::string& app) {
  if (app == "classify") return "person_detect";
  if (app == "kws") return "micro_speech_quantized";
  if (app == "gesture") return "magic_wand";
  // An int8 model whose output has the input's shape, as an autoencoder's has.
  return "dtln_noise_suppression";
}

}  // namespace tinyforge::test
