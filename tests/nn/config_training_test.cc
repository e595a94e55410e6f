// Training from a JSON config: a separable problem is learned, the same seed gives the same
// file, and every bad config is a clear error naming its key with no output written.
#include "tinyforge/nn/config_training.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>

#include "support/test_support.h"
#include "tinyforge/data/fashion_mnist.h"
#include "tinyforge/error.h"
#include "tinyforge/npy.h"
#include "tinyforge/nn/random.h"

namespace tinyforge::nn {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Two classes split by the line x0 + x1 = 0, with a margin of 0.5 around it: a linear model
// can reach 100% accuracy, so >= 0.95 is a loose bound for a few epochs of Adam.
void write_separable(const std::string& dir, int n, uint64_t seed, std::vector<float>* xs = nullptr,
                     std::vector<int32_t>* ys = nullptr) {
  Rng rng(seed);
  NpyArray x{"f4", {n, 2}, {}}, y{"i4", {n}, {}};
  std::vector<float> xv;
  std::vector<int32_t> yv;
  while (static_cast<int>(yv.size()) < n) {
    const float a = rng.uniform(-2, 2), b = rng.uniform(-2, 2);
    if (std::abs(a + b) < 0.5f) continue;
    xv.push_back(a);
    xv.push_back(b);
    yv.push_back(a + b > 0 ? 1 : 0);
  }
  x.data.resize(xv.size() * 4);
  std::memcpy(x.data.data(), xv.data(), x.data.size());
  y.data.resize(yv.size() * 4);
  std::memcpy(y.data.data(), yv.data(), y.data.size());
  write_npy(dir + "/x.npy", x);
  write_npy(dir + "/y.npy", y);
  if (xs) *xs = xv;
  if (ys) *ys = yv;
}

class ConfigTraining : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "config_training_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write_separable(dir_, 400, 7, &xv_, &yv_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  json base_config() const {
    return json::parse(R"({
      "model": {"type": "sequential", "input_shape": [2],
                "layers": [{"type": "Dense", "units": 8, "activation": "relu"},
                           {"type": "Dense", "units": 2, "activation": "softmax"}]},
      "data": {"x": "x.npy", "y": "y.npy"},
      "optimizer": {"name": "adam", "learning_rate": 0.05},
      "loss": "sparse_categorical_crossentropy",
      "metrics": ["accuracy"],
      "epochs": 10, "batch_size": 32, "seed": 3, "output": "model.tfm"})");
  }

  TrainingResult train(const json& config) {
    TrainingRunOptions quiet;
    quiet.verbose = 0;
    quiet.print_summary = false;
    return train_from_config(parse_training_config(config, dir_), quiet);
  }

  // The config fails with a message holding every one of `parts`, and writes no file.
  void expect_error(const json& config, const std::vector<std::string>& parts) {
    try {
      train(config);
      ADD_FAILURE() << "no error for " << config.dump();
    } catch (const Error& e) {
      const std::string msg = e.what();
      for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    }
    EXPECT_FALSE(fs::exists(dir_ + "/model.tfm"));
    for (const auto& entry : fs::directory_iterator(dir_))
      EXPECT_EQ(entry.path().extension(), ".npy") << "stray file " << entry.path();
  }

  // Accuracy of the saved model on the training data, counted here from predict().
  double saved_model_accuracy(const std::string& path) {
    auto model = Model::load(path);
    const int64_t n = static_cast<int64_t>(yv_.size());
    const Tensor p = model->predict(Tensor({n, 2}, xv_));
    int correct = 0;
    for (int64_t i = 0; i < n; ++i) correct += ((p[2 * i + 1] > p[2 * i]) ? 1 : 0) == yv_[static_cast<size_t>(i)];
    return double(correct) / double(n);
  }

  std::string dir_;
  std::vector<float> xv_;
  std::vector<int32_t> yv_;
};

TEST_F(ConfigTraining, LearnsASeparableProblemAndSavesIt) {
  const TrainingResult r = train(base_config());
  EXPECT_EQ(r.final_split, "train");
  EXPECT_GE(r.final_logs.at("accuracy"), 0.95);
  ASSERT_EQ(r.history.history.at("loss").size(), 10u);
  EXPECT_LT(r.history.history.at("loss").back(), r.history.history.at("loss").front());
  ASSERT_TRUE(fs::exists(dir_ + "/model.tfm"));
  EXPECT_GE(saved_model_accuracy(dir_ + "/model.tfm"), 0.95);
  // Unnamed layers get per-model Keras names, whatever the process built before.
  EXPECT_EQ(r.model->layers()[0]->name(), "dense");
  EXPECT_EQ(r.model->layers()[1]->name(), "dense_1");
}

TEST_F(ConfigTraining, SameSeedGivesIdenticalFileBytes) {
  json c = base_config();
  c["epochs"] = 2;
  c["output"] = "a.tfm";
  train(c);
  c["output"] = "b.tfm";
  train(c);
  c["output"] = "c.tfm";
  c["seed"] = 4;
  train(c);
  const auto a = test::read_file(dir_ + "/a.tfm"), b = test::read_file(dir_ + "/b.tfm"),
             other = test::read_file(dir_ + "/c.tfm");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, other);
}

TEST_F(ConfigTraining, FunctionalFormWithNamedNodes) {
  json c = base_config();
  c["model"] = json::parse(R"({"type": "functional",
      "inputs": [{"name": "point", "shape": [2]}],
      "layers": [{"type": "Dense", "name": "a", "units": 8, "activation": "relu", "inputs": ["point"]},
                 {"type": "Dense", "name": "b", "units": 8, "activation": "tanh", "inputs": ["point"]},
                 {"type": "Concatenate", "name": "ab", "inputs": ["a", "b"]},
                 {"type": "Dense", "name": "out", "units": 2, "activation": "softmax"}],
      "outputs": ["out"]})");
  const TrainingResult r = train(c);
  EXPECT_EQ(r.model->layers().size(), 4u);
  EXPECT_GE(saved_model_accuracy(dir_ + "/model.tfm"), 0.95);
}

TEST_F(ConfigTraining, InputShapeComesFromTheDataWhenNotGiven) {
  json c = base_config();
  c["model"].erase("input_shape");
  c["epochs"] = 1;
  const TrainingResult r = train(c);
  EXPECT_EQ(r.model->input_shapes()[0], (Shape{2}));
}

TEST_F(ConfigTraining, TestSetGivesTheFinalMetrics) {
  json c = base_config();
  c["data"]["test"] = {{"x", "x.npy"}, {"y", "y.npy"}};
  const TrainingResult r = train(c);
  EXPECT_EQ(r.final_split, "test");
  // The test set is the training set here, so the final accuracy is the saved model's.
  EXPECT_NEAR(r.final_logs.at("accuracy"), saved_model_accuracy(dir_ + "/model.tfm"), 1e-9);
}

TEST_F(ConfigTraining, RelativePathsResolveAgainstTheConfigFile) {
  std::ofstream(dir_ + "/train.json") << base_config().dump();
  const TrainingConfig c = load_training_config(dir_ + "/train.json");
  EXPECT_EQ(fs::path(c.data.x_path), fs::path(dir_) / "x.npy");
  EXPECT_EQ(fs::path(c.output), fs::path(dir_) / "model.tfm");
}

TEST_F(ConfigTraining, BadJsonNamesTheFileAndLine) {
  std::ofstream(dir_ + "/bad.json") << "{\n  \"epochs\": 5,\n  oops\n}";
  try {
    load_training_config(dir_ + "/bad.json");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
  fs::remove(dir_ + "/bad.json");
  EXPECT_THROW(load_training_config(dir_ + "/missing.json"), Error);
}

// One broken key at a time; each error names the key and the problem.
struct BadCase {
  const char* what;
  std::function<void(json&)> edit;
  std::vector<std::string> parts;
};

TEST_F(ConfigTraining, EveryBadConfigIsAClearErrorAndWritesNothing) {
  const std::vector<BadCase> cases = {
      {"unknown layer type", [](json& c) { c["model"]["layers"][1]["type"] = "Dens"; },
       {"model.layers[1].type", "'Dens'", "Dense", "Conv2D"}},
      {"missing units", [](json& c) { c["model"]["layers"][0].erase("units"); }, {"model.layers[0]", "units"}},
      {"typo in a layer key", [](json& c) { c["model"]["layers"][0]["activaton"] = "relu"; },
       {"model.layers[0].activaton", "unknown key"}},
      {"bad activation", [](json& c) { c["model"]["layers"][0]["activation"] = "rellu"; }, {"model.layers[0]", "rellu"}},
      {"missing x file", [](json& c) { c["data"]["x"] = "nowhere/x.npy"; }, {"data.x", "nowhere/x.npy"}},
      {"missing data", [](json& c) { c.erase("data"); }, {"data", "missing"}},
      {"unknown top-level key", [](json& c) { c["epoch"] = 3; }, {"epoch", "unknown key", "epochs"}},
      {"zero epochs", [](json& c) { c["epochs"] = 0; }, {"epochs", ">= 1"}},
      {"string batch size", [](json& c) { c["batch_size"] = "64"; }, {"batch_size", "integer"}},
      {"unknown optimizer", [](json& c) { c["optimizer"]["name"] = "adamax"; }, {"optimizer.name", "adamax", "adam"}},
      {"optimizer key typo", [](json& c) { c["optimizer"]["learnig_rate"] = 0.1; }, {"optimizer.learnig_rate"}},
      {"unknown loss", [](json& c) { c["loss"] = "hinge"; }, {"loss", "hinge"}},
      {"unknown metric", [](json& c) { c["metrics"] = {"accuracy", "acuracy"}; }, {"metrics[1]", "acuracy"}},
      {"validation split 1", [](json& c) { c["data"]["validation_split"] = 1.0; }, {"data.validation_split"}},
      {"input shape mismatch", [](json& c) { c["model"]["input_shape"] = {3}; }, {"data.x", "[2]", "[3]"}},
      {"too few classes", [](json& c) { c["model"]["layers"][1]["units"] = 1; }, {"data.y", "label 1"}},
      {"bad output dir", [](json& c) { c["output"] = "no/such/dir/m.tfm"; }, {"output", "no/such/dir"}},
      {"unknown callback", [](json& c) { c["callbacks"] = {{{"type", "EarlyStop"}}}; }, {"callbacks[0].type"}},
      {"unknown model type", [](json& c) { c["model"]["type"] = "graph"; }, {"model.type", "graph"}},
      {"functional unknown input", [](json& c) {
         c["model"] = {{"type", "functional"}, {"inputs", {{{"name", "p"}, {"shape", {2}}}}},
                       {"layers", {{{"type", "Dense"}, {"units", 2}, {"inputs", {"q"}}}}}};
       }, {"model.layers[0].inputs", "'q'"}},
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.what);
    json c = base_config();
    bad.edit(c);
    expect_error(c, bad.parts);
  }
}

// The shipped example configs parse and build (their layer keys are all known).
TEST(ExampleConfigs, ParseAndBuild) {
  for (const char* name : {"fmnist_mlp", "fmnist_cnn"}) {
    SCOPED_TRACE(name);
    const std::string path = std::string(TINYFORGE_SOURCE_DIR) + "/examples/configs/" + name + ".json";
    const TrainingConfig c = load_training_config(path);
    EXPECT_EQ(c.data.source, "fashion_mnist");
    auto model = build_model_from_config(c.model, c.seed);
    EXPECT_EQ(model->name(), name);
    EXPECT_EQ(model->input_shapes()[0], (Shape{28, 28, 1}));
    EXPECT_EQ(model->output_shapes()[0], (Shape{10}));
  }
}

// End to end on the real data: the MLP example on 6000 images for 2 epochs. A linear classifier
// reaches ~0.8 on Fashion-MNIST, so 0.75 on the 10k test images is a loose bound.
TEST(ExampleConfigs, FashionMnistMlpLearns) {
  if (!fs::exists(data::fashion_mnist_dir() + "/train-images-idx3-ubyte.gz"))
    FAIL() << "Fashion-MNIST not installed (Debian package dataset-fashion-mnist; scripts/setup installs it)";
  TrainingConfig c = load_training_config(std::string(TINYFORGE_SOURCE_DIR) + "/examples/configs/fmnist_mlp.json");
  c.data.limit = 6000;
  c.epochs = 2;
  TrainingRunOptions quiet;
  quiet.verbose = 0;
  quiet.print_summary = false;
  const TrainingResult r = run_training(c, quiet);
  EXPECT_EQ(r.final_split, "test");
  EXPECT_GE(r.final_logs.at("accuracy"), 0.75);
}

}  // namespace
}  // namespace tinyforge::nn
