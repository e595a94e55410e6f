// Reshape: a new per-sample shape for the same row-major data; one -1 entry is inferred.
#include <algorithm>

#include "nn/layers/structural_common.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

using structural::describe;

class ReshapeLayer : public Layer {
 public:
  ReshapeLayer(Shape target, const std::string& name)
      : Layer(structural::layer_name(name, "reshape")), target_(std::move(target)) {
    int unknown = 0;
    for (int64_t d : target_) {
      if (d == -1) ++unknown;
      else if (d < 1) throw Error(describe(*this) + ": target_shape " + shape_str(target_) + " has a bad dimension");
    }
    if (unknown > 1) throw Error(describe(*this) + ": target_shape " + shape_str(target_) + " has more than one -1");
  }
  std::string type() const override { return "Reshape"; }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    structural::expect_input_count(*this, inputs, 1);
    const int64_t total = shape_size(inputs[0]);
    int64_t known = 1;
    for (int64_t d : target_) known *= d == -1 ? 1 : d;
    Shape out = target_;
    for (int64_t& d : out) {
      if (d == -1) d = known > 0 && total % known == 0 ? total / known : -1;
    }
    if (known == 0 || shape_size(out) != total || std::find(out.begin(), out.end(), -1) != out.end()) {
      throw Error(describe(*this) + ": cannot reshape per-sample input " + shape_str(inputs[0]) + " (" +
                  std::to_string(total) + " values) to " + shape_str(target_));
    }
    return out;
  }
  Tensor forward(LayerCall& call) override {
    const Tensor& x = structural::only_input(*this, call);
    return x.reshaped(structural::with_batch(x.dim(0), output_shape({x.sample_shape()})));
  }
  std::vector<Tensor> backward(LayerCall& call, const Tensor& dy) override {
    return {dy.reshaped(structural::only_input(*this, call).shape())};
  }
  nlohmann::json config() const override {
    nlohmann::json c = structural::base_config(*this);
    c["target_shape"] = target_;
    return c;
  }

 private:
  Shape target_;
};

const LayerRegistrar kRegister("Reshape", [](const nlohmann::json& c) -> LayerPtr {
  return std::make_shared<ReshapeLayer>(c.at("target_shape").get<Shape>(), c.value("name", ""));
});

}  // namespace

LayerRef Reshape(Shape target_shape, std::string name) {
  return LayerRef(std::make_shared<ReshapeLayer>(std::move(target_shape), name));
}

}  // namespace tinyforge::nn
