// `tinyforge train CONFIG` as a user runs it: output, overrides, errors, determinism.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "tinyforge/nn/model.h"
#include "tinyforge/nn/random.h"
#include "tinyforge/npy.h"

namespace tinyforge {
namespace {

namespace fs = std::filesystem;

using Result = test::CommandResult;

class TrainCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "train_cli_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // Class 1 iff x0 - x1 > 0, nothing within 0.4 of the line: linearly separable.
    nn::Rng rng(11);
    while (static_cast<int>(y_.size()) < 300) {
      const float a = rng.uniform(-1, 1), b = rng.uniform(-1, 1);
      if (std::abs(a - b) < 0.4f) continue;
      x_.push_back(a);
      x_.push_back(b);
      y_.push_back(a - b > 0 ? 1.0f : 0.0f);
    }
    NpyArray x{"f4", {300, 2}, std::vector<uint8_t>(x_.size() * 4)},
        y{"f4", {300}, std::vector<uint8_t>(y_.size() * 4)};
    std::memcpy(x.data.data(), x_.data(), x.data.size());
    std::memcpy(y.data.data(), y_.data(), y.data.size());
    write_npy(dir_ + "/x.npy", x);
    write_npy(dir_ + "/y.npy", y);
    write_config(R"({
      "model": {"type": "sequential", "input_shape": [2],
                "layers": [{"type": "Dense", "units": 2, "activation": "softmax"}]},
      "data": {"x": "x.npy", "y": "y.npy", "validation_split": 0.1},
      "optimizer": {"name": "adam", "learning_rate": 0.1},
      "loss": "sparse_categorical_crossentropy",
      "metrics": ["accuracy"],
      "epochs": 8, "batch_size": 16, "seed": 5, "output": "model.tfm"})");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_config(const std::string& text, const std::string& name = "train.json") {
    std::ofstream(dir_ + "/" + name) << text;
  }
  Result train(const std::string& args) { return test::run_tinyforge("train " + args); }

  // Accuracy of a saved model over all 300 samples, counted here.
  double accuracy(const std::string& path) {
    auto m = nn::Model::load(path);
    const nn::Tensor p = m->predict(nn::Tensor({300, 2}, x_));
    int correct = 0;
    for (int i = 0; i < 300; ++i) correct += (p[2 * i + 1] > p[2 * i] ? 1.0f : 0.0f) == y_[static_cast<size_t>(i)];
    return correct / 300.0;
  }

  std::string dir_;
  std::vector<float> x_, y_;
};

TEST_F(TrainCommand, TrainsPrintsAndSaves) {
  const Result r = train(dir_ + "/train.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Total params"), std::string::npos) << r.out;  // the summary
  EXPECT_NE(r.out.find("Epoch 1/8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Epoch 8/8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("val_accuracy"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Final train metrics:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Saved " + dir_ + "/model.tfm"), std::string::npos) << r.out;
  EXPECT_GE(accuracy(dir_ + "/model.tfm"), 0.95);
}

TEST_F(TrainCommand, EpochsOutputAndQuietOverrides) {
  const std::string out = dir_ + "/other.tfm";
  const Result r = train(dir_ + "/train.json --epochs 2 -o " + out + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("Epoch 1/"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Total params"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Final train metrics:"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(dir_ + "/model.tfm"));

  const Result loud = train(dir_ + "/train.json --epochs 3 -o " + out);
  ASSERT_EQ(loud.exit_code, 0) << loud.err;
  EXPECT_NE(loud.out.find("Epoch 3/3"), std::string::npos) << loud.out;
  EXPECT_EQ(loud.out.find("Epoch 4/"), std::string::npos) << loud.out;
}

TEST_F(TrainCommand, SameSeedSameBytes) {
  ASSERT_EQ(train(dir_ + "/train.json --epochs 2 -o " + dir_ + "/a.tfm --quiet").exit_code, 0);
  ASSERT_EQ(train(dir_ + "/train.json --epochs 2 -o " + dir_ + "/b.tfm --quiet").exit_code, 0);
  const auto a = test::read_file(dir_ + "/a.tfm");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, test::read_file(dir_ + "/b.tfm"));
}

TEST_F(TrainCommand, BadConfigsExitOneAndWriteNothing) {
  write_config(R"({"model": {"input_shape": [2], "layers": [{"type": "Dense", "units": 2}, {"type": "Fancy"}]},
                   "data": {"x": "x.npy", "y": "y.npy"}, "optimizer": "adam",
                   "loss": "sparse_categorical_crossentropy", "output": "model.tfm"})",
               "unknown_layer.json");
  Result r = train(dir_ + "/unknown_layer.json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("model.layers[1].type"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Conv2D"), std::string::npos) << r.err;  // lists the known types

  write_config(R"({"model": {"input_shape": [2], "layers": [{"type": "Dense", "units": 2}]},
                   "data": {"x": "missing_x.npy", "y": "y.npy"}, "optimizer": "adam",
                   "loss": "sparse_categorical_crossentropy", "output": "model.tfm"})",
               "missing_file.json");
  r = train(dir_ + "/missing_file.json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("data.x"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(dir_ + "/missing_x.npy"), std::string::npos) << r.err;

  r = train(dir_ + "/no_such_config.json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no_such_config.json"), std::string::npos) << r.err;

  EXPECT_FALSE(fs::exists(dir_ + "/model.tfm"));
}

}  // namespace
}  // namespace tinyforge
