// The five reference TinyML training workloads of the PyTorch peer baseline
// (shared/notes/peer-pytorch.md, shared/peers/*.py): same layers, data, batch size, optimizer
// (Adam 1e-3) and epochs, written with TinyForge's Keras-style API.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tinyforge/nn/model.h"

namespace tinyforge::bench {

struct ReferenceWorkload {
  std::string name;
  int64_t batch_size = 32;
  int epochs = 1;
  bool fashion_mnist = false;  // real data with a test set (else synthetic, throughput only)
  std::string loss;            // "sparse_categorical_crossentropy" (from logits) or "mse"
};

// fmnist_cnn, fmnist_mlp, kws_dscnn, ad_autoencoder, gesture_conv1d.
const std::vector<ReferenceWorkload>& reference_workloads();
// Throws Error listing the known names.
const ReferenceWorkload& reference_workload(const std::string& name);

// The model (built, not compiled); initial weights from nn::set_random_seed(seed).
// kernel_init "torch_default" is the peers' recipe (PyTorch's default weights and biases); any
// other Keras initializer name (he_uniform, glorot_uniform, ...) comes with zero biases, as in
// Keras. An unknown name throws Error.
std::shared_ptr<nn::Model> build_reference_model(const std::string& name, uint64_t seed,
                                                 const std::string& kernel_init = "torch_default");

struct ReferenceData {
  nn::Tensor x, y;            // training data
  nn::Tensor test_x, test_y;  // Fashion-MNIST only
};
// Fashion-MNIST for the fmnist_* models; for the others the peers' synthetic generators:
// kws / gesture: 20k samples x ~ N(0, 1), label = argmax of x times a fixed random N(0, 1) matrix
// (12 / 5 classes); ad: 20k x ~ N(0, 1) with y = x (autoencoder).
ReferenceData reference_data(const std::string& name, uint64_t seed);

}  // namespace tinyforge::bench
