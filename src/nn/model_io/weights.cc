// get_weights / set_weights / count_params: every Param of every layer, in layer order.
#include "tinyforge/error.h"
#include "tinyforge/nn/model.h"

namespace tinyforge::nn {

std::vector<Tensor> Model::get_weights() const {
  std::vector<Tensor> out;
  for (const auto& l : layers_)
    for (const Param& p : l->params()) out.push_back(p.value);
  return out;
}

void Model::set_weights(const std::vector<Tensor>& weights) {
  size_t expected = 0;
  for (const auto& l : layers_) expected += l->params().size();
  if (weights.size() != expected)
    throw Error("model '" + name_ + "' set_weights: got " + std::to_string(weights.size()) +
                " tensors, the model has " + std::to_string(expected) + " weights");
  // Check everything before changing anything, so a mismatch leaves the model as it was.
  size_t i = 0;
  for (const auto& l : layers_) {
    for (const Param& p : l->params()) {
      if (weights[i].shape() != p.value.shape())
        throw Error("model '" + name_ + "' set_weights: weight " + std::to_string(i) + " ('" + l->name() + "/" +
                    p.name + "') has shape " + shape_str(p.value.shape()) + ", got " + shape_str(weights[i].shape()));
      ++i;
    }
  }
  i = 0;
  for (const auto& l : layers_)
    for (Param& p : l->params()) p.value = weights[i++];
}

int64_t Model::count_params(bool trainable_only) const {
  int64_t n = 0;
  for (const auto& l : layers_)
    for (const Param& p : l->params())
      if (!trainable_only || (p.trainable && l->trainable())) n += p.value.size();
  return n;
}

}  // namespace tinyforge::nn
