// clone(): the same architecture and weights in new layer objects (make_layer(type, config)),
// uncompiled, as keras.models.clone_model followed by set_weights.
#include "nn/model_internal.h"

namespace tinyforge::nn {

std::shared_ptr<Model> Model::clone() const {
  std::shared_ptr<Model> copy = model_from_architecture(architecture_json(*this));
  copy->set_weights(get_weights());
  return copy;
}

}  // namespace tinyforge::nn
