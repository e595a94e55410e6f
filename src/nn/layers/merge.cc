// Merge layers: Add and Multiply (elementwise over same-shape inputs) and Concatenate (along an axis).
#include <algorithm>

#include "nn/layers/structural_common.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

using structural::describe;

class ElementwiseMergeLayer : public Layer {
 public:
  ElementwiseMergeLayer(bool multiply, const std::string& name)
      : Layer(structural::layer_name(name, multiply ? "multiply" : "add")), multiply_(multiply) {}
  std::string type() const override { return multiply_ ? "Multiply" : "Add"; }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    if (inputs.empty()) throw Error(describe(*this) + " needs at least one input");
    for (const Shape& s : inputs) {
      if (s != inputs[0]) {
        throw Error(describe(*this) + " needs inputs of one shape, got " + shape_str(inputs[0]) + " and " + shape_str(s));
      }
    }
    return inputs[0];
  }

  Tensor forward(LayerCall& call) override {
    output_shape(batch_shapes(call));
    Tensor y = *call.inputs[0];
    for (size_t k = 1; k < call.inputs.size(); ++k) {
      const Tensor& x = *call.inputs[k];
      if (multiply_) for (int64_t i = 0; i < y.size(); ++i) y[i] *= x[i];
      else for (int64_t i = 0; i < y.size(); ++i) y[i] += x[i];
    }
    return y;
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& dy) override {
    std::vector<Tensor> dx(call.inputs.size(), dy);
    if (!multiply_) return dx;
    // d(x0 * x1 * ... ) / d(xk) = product of the other inputs (no division: inputs may be 0).
    for (size_t k = 0; k < call.inputs.size(); ++k) {
      for (size_t j = 0; j < call.inputs.size(); ++j) {
        if (j == k) continue;
        const Tensor& x = *call.inputs[j];
        for (int64_t i = 0; i < dy.size(); ++i) dx[k][i] *= x[i];
      }
    }
    return dx;
  }

  int64_t macs(const std::vector<Shape>& inputs) const override {
    return inputs.empty() ? 0 : shape_size(inputs[0]) * static_cast<int64_t>(inputs.size() - 1);
  }

  nlohmann::json config() const override { return structural::base_config(*this); }

 private:
  static std::vector<Shape> batch_shapes(const LayerCall& call) {
    std::vector<Shape> s;
    for (const Tensor* t : call.inputs) s.push_back(t->shape());
    return s;
  }
  bool multiply_;
};

class ConcatenateLayer : public Layer {
 public:
  ConcatenateLayer(int axis, const std::string& name) : Layer(structural::layer_name(name, "concatenate")), axis_(axis) {}
  std::string type() const override { return "Concatenate"; }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    if (inputs.empty()) throw Error(describe(*this) + " needs at least one input");
    const size_t a = structural::sample_axis(*this, axis_, inputs[0].size());
    Shape out = inputs[0];
    for (size_t k = 1; k < inputs.size(); ++k) {
      const Shape& s = inputs[k];
      bool fits = s.size() == out.size();
      for (size_t i = 0; fits && i < s.size(); ++i) fits = i == a || s[i] == out[i];
      if (!fits) {
        throw Error(describe(*this) + " (axis " + std::to_string(axis_) + ") needs inputs that match except on that axis, got " +
                    shape_str(inputs[0]) + " and " + shape_str(s));
      }
      out[a] += s[a];
    }
    return out;
  }

  Tensor forward(LayerCall& call) override {
    std::vector<Shape> samples;
    for (const Tensor* t : call.inputs) samples.push_back(t->sample_shape());
    const Shape out = output_shape(samples);
    const size_t a = structural::sample_axis(*this, axis_, out.size()) + 1;
    Tensor y(structural::with_batch(call.inputs[0]->dim(0), out));
    const auto ys = structural::split_at(y.shape(), a);
    int64_t offset = 0;  // where this input's slab starts inside each output row
    for (const Tensor* t : call.inputs) {
      const int64_t chunk = t->dim(static_cast<int>(a)) * ys.inner;
      for (int64_t o = 0; o < ys.outer; ++o) {
        std::copy(t->data() + o * chunk, t->data() + (o + 1) * chunk, y.data() + o * ys.size * ys.inner + offset);
      }
      offset += chunk;
    }
    return y;
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& dy) override {
    const size_t a = structural::sample_axis(*this, axis_, dy.sample_shape().size()) + 1;
    const auto ys = structural::split_at(dy.shape(), a);
    std::vector<Tensor> dx;
    int64_t offset = 0;
    for (const Tensor* t : call.inputs) {
      Tensor d(t->shape());
      const int64_t chunk = t->dim(static_cast<int>(a)) * ys.inner;
      for (int64_t o = 0; o < ys.outer; ++o) {
        const float* src = dy.data() + o * ys.size * ys.inner + offset;
        std::copy(src, src + chunk, d.data() + o * chunk);
      }
      offset += chunk;
      dx.push_back(std::move(d));
    }
    return dx;
  }

  nlohmann::json config() const override {
    nlohmann::json c = structural::base_config(*this);
    c["axis"] = axis_;
    return c;
  }

 private:
  int axis_;
};

const LayerRegistrar kRegisterAdd("Add", [](const nlohmann::json& c) -> LayerPtr {
  return std::make_shared<ElementwiseMergeLayer>(false, c.value("name", ""));
});
const LayerRegistrar kRegisterMultiply("Multiply", [](const nlohmann::json& c) -> LayerPtr {
  return std::make_shared<ElementwiseMergeLayer>(true, c.value("name", ""));
});
const LayerRegistrar kRegisterConcatenate("Concatenate", [](const nlohmann::json& c) -> LayerPtr {
  return std::make_shared<ConcatenateLayer>(c.value("axis", -1), c.value("name", ""));
});

}  // namespace

LayerRef Add(std::string name) { return LayerRef(std::make_shared<ElementwiseMergeLayer>(false, name)); }
LayerRef Multiply(std::string name) { return LayerRef(std::make_shared<ElementwiseMergeLayer>(true, name)); }
LayerRef Concatenate(int axis, std::string name) { return LayerRef(std::make_shared<ConcatenateLayer>(axis, name)); }

}  // namespace tinyforge::nn
