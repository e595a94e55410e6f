// Training from a JSON config: the library behind `tinyforge train CONFIG.json`.
//
//   {"model": {"type": "sequential", "input_shape": [28, 28, 1],
//              "layers": [{"type": "Conv2D", "filters": 8, "kernel_size": 3, "activation": "relu"},
//                         {"type": "Flatten"}, {"type": "Dense", "units": 10, "activation": "softmax"}]},
//    "data": {"source": "fashion_mnist"} | {"x": "x.npy", "y": "y.npy", "validation_split": 0.1},
//    "optimizer": {"name": "adam", "learning_rate": 0.001},
//    "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"],
//    "epochs": 5, "batch_size": 64, "seed": 42, "output": "model.tfm"}
//
// docs/training.md is the full reference. Every problem is reported as an Error naming the key
// ("model.layers[2].units: ...") before any training starts, and nothing is written.
// Relative paths in a config resolve against the directory holding the config file.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tinyforge/nn/model.h"
#include "tinyforge/nn/training.h"

namespace tinyforge::nn {

// One labelled set: inputs and targets, one tensor each (single-input, single-output models).
struct LabelledData {
  Tensor x, y;
  bool empty() const { return x.empty(); }
};

// "data": where the samples come from and how they are split.
struct DataConfig {
  std::string source;          // "npy" (x/y files) or "fashion_mnist" (train + t10k test set)
  std::string dir;             // fashion_mnist's folder (default data::fashion_mnist_dir())
  std::string x_path, y_path;  // resolved paths for "npy"
  std::string validation_x_path, validation_y_path;  // optional explicit validation set
  std::string test_x_path, test_y_path;              // optional test set for the final metrics
  double validation_split = 0.0;                     // last fraction of the training rows, as Keras
  double scale = 1.0;                                // x is multiplied by this after loading
  int64_t limit = 0;                                 // use only the first `limit` training rows (0: all)
};

// A whole config, parsed and checked (types, ranges, unknown keys); nothing loaded yet.
struct TrainingConfig {
  nlohmann::json model;      // the "model" object as written (built by build_model_from_config)
  DataConfig data;
  nlohmann::json optimizer;  // {"name": ..., optimizer options}
  std::string loss = "sparse_categorical_crossentropy";
  bool from_logits = false;
  std::vector<std::string> metrics;
  nlohmann::json callbacks = nlohmann::json::array();  // [{"type": "EarlyStopping", ...}]
  int epochs = 1;
  int64_t batch_size = 32;
  uint64_t seed = 42;
  bool shuffle = true;
  std::string output;  // resolved path; may be empty until a command line supplies one
};

// Parses a config object. `base_dir` resolves relative paths ("" = current directory).
TrainingConfig parse_training_config(const nlohmann::json& config, const std::string& base_dir = "");
// Reads and parses a config file (a clear Error for a missing file or bad JSON, with its line).
TrainingConfig load_training_config(const std::string& path);

// Builds the model described by a config's "model" object ("sequential" or "functional"),
// seeding the layers' initializers with `seed`. `data_shape` (per sample) is used when the
// model states no input shape.
std::shared_ptr<Model> build_model_from_config(const nlohmann::json& model, uint64_t seed,
                                               const std::optional<Shape>& data_shape = std::nullopt);

// The data a config names: train, and validation/test when the config has them.
struct TrainingData {
  LabelledData train, validation, test;
};
TrainingData load_training_data(const DataConfig& data);

struct TrainingRunOptions {
  int verbose = 1;            // fit()'s progress: 0 silent, 1 bar, 2 one line per epoch
  bool print_summary = true;  // model.summary() before training
  FILE* out = stdout;         // where summary and final metrics go
};

struct TrainingResult {
  std::shared_ptr<Model> model;
  History history;
  Logs final_logs;          // test-set metrics when the data has a test set, else the last epoch's
  std::string final_split;  // "test" or "train" (+ "val_*" keys when validating)
};

// Loads the data, builds and compiles the model, checks that data and model fit together, trains,
// evaluates. Does not save. Throws Error on any config problem before the first step.
TrainingResult run_training(const TrainingConfig& config, const TrainingRunOptions& options = {});

// run_training, then Model::save to config.output (atomically). Checks the output path first, so
// a bad path fails before training rather than after.
TrainingResult train_from_config(const TrainingConfig& config, const TrainingRunOptions& options = {});

}  // namespace tinyforge::nn
