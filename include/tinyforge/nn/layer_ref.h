// Keras-style construction: `Dense(10)` makes a layer you can add to a Sequential or call
// on a symbolic tensor: `auto y = Dense(10, {.activation = "relu"})(x);`
#pragma once

#include "tinyforge/nn/model.h"

namespace tinyforge::nn {

class LayerRef {
 public:
  LayerRef(LayerPtr layer) : layer_(std::move(layer)) {}  // NOLINT: implicit on purpose
  SymbolicTensor operator()(const SymbolicTensor& x) const { return call(layer_, {x}); }
  SymbolicTensor operator()(const std::vector<SymbolicTensor>& xs) const { return call(layer_, xs); }
  operator LayerPtr() const { return layer_; }  // NOLINT
  Layer* operator->() const { return layer_.get(); }
  const LayerPtr& ptr() const { return layer_; }

 private:
  LayerPtr layer_;
};

}  // namespace tinyforge::nn
