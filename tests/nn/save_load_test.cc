// save/load round trips (architecture, weights, optimizer state), resume equals uninterrupted
// training, corrupted files are refused with a reason, clone, and summary().
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "nn/model_test_layers.h"
#include "tinyforge/error.h"
#include "tinyforge/file_util.h"
#include "tinyforge/nn/callbacks.h"
#include "tinyforge/nn/losses.h"
#include "tinyforge/nn/model.h"
#include "tinyforge/nn/optimizers.h"

namespace tinyforge::nn {
namespace {

using model_test::Add;
using model_test::Linear;
using model_test::Mul;
using model_test::Scale;

std::string temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

void data(Tensor& x, Tensor& y) {
  Rng rng(8);
  x = Tensor({40, 3});
  y = Tensor({40, 1});
  for (int64_t i = 0; i < 40; ++i) {
    for (int j = 0; j < 3; ++j) x[3 * i + j] = rng.uniform(-1, 1);
    y[i] = x[3 * i] * x[3 * i + 1] - x[3 * i + 2];
  }
}

std::shared_ptr<Model> make_model() {
  set_random_seed(17);
  auto in = Input({3}, "features");
  auto h = call(Linear(4, "hidden"), {in});
  auto s = call(Scale(0, "gate"), {h});
  auto m = call(Mul("mul"), {h, s});
  auto out = call(Linear(1, "head"), {call(Add("add"), {m, h})});
  auto model = std::make_shared<Model>(std::vector{in}, std::vector{out}, "net");
  model->compile(std::make_shared<Adam>(0.02), std::make_shared<MeanSquaredError>());
  return model;
}

FitOptions quiet(int epochs) {
  FitOptions o;
  o.epochs = epochs;
  o.batch_size = 8;
  o.verbose = 0;
  return o;
}

std::vector<float> flat(const std::vector<Tensor>& ts) {
  std::vector<float> out;
  for (const auto& t : ts) out.insert(out.end(), t.values().begin(), t.values().end());
  return out;
}

TEST(SaveLoad, RoundTripKeepsArchitectureWeightsAndOutputs) {
  auto m = make_model();
  Tensor x, y;
  data(x, y);
  m->fit(x, y, quiet(1));
  const std::string path = temp("round_trip.tfm");
  m->save(path);
  auto loaded = Model::load(path);
  EXPECT_EQ(loaded->name(), "net");
  ASSERT_EQ(loaded->layers().size(), m->layers().size());
  for (size_t i = 0; i < m->layers().size(); ++i) {
    EXPECT_EQ(loaded->layers()[i]->name(), m->layers()[i]->name());
    EXPECT_EQ(loaded->layers()[i]->type(), m->layers()[i]->type());
    EXPECT_NE(loaded->layers()[i].get(), m->layers()[i].get());
  }
  EXPECT_EQ(flat(loaded->get_weights()), flat(m->get_weights()));
  Tensor a = m->predict(x), b = loaded->predict(x);
  EXPECT_EQ(a.values(), b.values());
  ASSERT_TRUE(loaded->optimizer());
  EXPECT_EQ(loaded->optimizer()->name(), "Adam");
  EXPECT_EQ(loaded->optimizer()->iterations(), m->optimizer()->iterations());
}

TEST(SaveLoad, ResumedTrainingEqualsUninterrupted) {
  Tensor x, y;
  data(x, y);
  auto straight = make_model();
  straight->fit(x, y, quiet(2));
  auto first = make_model();
  first->fit(x, y, quiet(1));
  const std::string path = temp("resume.tfm");
  first->save(path);
  auto resumed = Model::load(path);
  resumed->fit(x, y, quiet(1));
  const auto a = flat(straight->get_weights()), b = flat(resumed->get_weights());
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)));
}

TEST(SaveLoad, SequentialStaysSequentialAndTrainableFlagSurvives) {
  set_random_seed(3);
  Sequential seq({3}, {Linear(2, "a"), Scale(0, "b")}, "seq");
  seq.layer("a")->set_trainable(false);
  const std::string path = temp("seq.tfm");
  seq.save(path);  // uncompiled: no optimizer in the file
  auto loaded = Model::load(path);
  EXPECT_NE(dynamic_cast<Sequential*>(loaded.get()), nullptr);
  EXPECT_FALSE(loaded->layer("a")->trainable());
  EXPECT_FALSE(loaded->optimizer());
  EXPECT_EQ(loaded->count_params(true), 2);
}

void expect_load_error(const std::string& path, const std::string& needle) {
  try {
    Model::load(path);
    FAIL() << "loading " << path << " should fail with '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(SaveLoad, DamagedFilesAreRefusedWithAReason) {
  auto m = make_model();
  const std::string path = temp("good.tfm");
  m->save(path);
  const std::vector<uint8_t> good = read_file_bytes(path);
  auto write = [&](const std::string& name, std::vector<uint8_t> bytes) {
    const std::string p = temp(name);
    write_file_atomic(p, bytes);
    return p;
  };
  auto truncated = good;
  truncated.resize(good.size() - 10);
  expect_load_error(write("trunc.tfm", truncated), "truncated");
  auto tiny = good;
  tiny.resize(12);
  expect_load_error(write("tiny.tfm", tiny), "truncated");
  auto flipped = good;
  flipped[good.size() - 20] ^= 0x40;  // inside the weights
  expect_load_error(write("flip.tfm", flipped), "checksum");
  auto version = good;
  version[8] = 99;
  expect_load_error(write("version.tfm", version), "version 99");
  auto magic = good;
  magic[0] = 'X';
  expect_load_error(write("magic.tfm", magic), "not a TinyForge model");
  expect_load_error(temp("does_not_exist.tfm"), "does_not_exist.tfm");
  // The atomic write leaves no temporary behind.
  std::ifstream tmp(path + ".tmp-" + std::to_string(::getpid()));
  EXPECT_FALSE(tmp.good());
}

TEST(SaveLoad, CloneHasSameWeightsAndFreshLayers) {
  auto m = make_model();
  auto c = m->clone();
  EXPECT_EQ(flat(c->get_weights()), flat(m->get_weights()));
  for (size_t i = 0; i < m->layers().size(); ++i) EXPECT_NE(c->layers()[i].get(), m->layers()[i].get());
  // Changing the clone leaves the original alone.
  c->layer("head")->params()[0].value.fill(0.0f);
  EXPECT_NE(flat(c->get_weights()), flat(m->get_weights()));
  // Cloning does not disturb the initialization stream.
  set_random_seed(4);
  Sequential a({2}, {Linear(2)});
  set_random_seed(4);
  m->clone();
  Sequential b({2}, {Linear(2)});
  EXPECT_EQ(flat(a.get_weights()), flat(b.get_weights()));
}

TEST(Summary, TableAndTotalsWorkedOutByHand) {
  set_random_seed(1);
  Sequential seq({8}, {Linear(4, "hidden"), Linear(2, "out")}, "tiny");
  seq.layer("out")->set_trainable(false);
  const std::string s = seq.summary();
  // hidden: 8*4 + 4 = 36 params, f32 144 B, int8 32 + 4*4 = 48 B, 32 MACs.
  // out:    4*2 + 2 = 10 params, f32 40 B,  int8 8 + 2*4 = 16 B, 8 MACs.
  EXPECT_NE(s.find("Model: \"tiny\""), std::string::npos) << s;
  EXPECT_NE(s.find("hidden (ModelTestLinear)"), std::string::npos) << s;
  EXPECT_NE(s.find("(None, 4)"), std::string::npos) << s;
  EXPECT_NE(s.find(" Total params: 46 (184.00 B)"), std::string::npos) << s;
  EXPECT_NE(s.find(" Trainable params: 36 (144.00 B)"), std::string::npos) << s;
  EXPECT_NE(s.find(" Non-trainable params: 10 (40.00 B)"), std::string::npos) << s;
  EXPECT_NE(s.find(" MACs per sample: 40"), std::string::npos) << s;
  EXPECT_NE(s.find(" int8 weights: 64 B"), std::string::npos) << s;
  // Peak live activations: input 8 + hidden 4 = 12 bytes (then 4 + 2 = 6).
  EXPECT_NE(s.find("(12 B)"), std::string::npos) << s;
  EXPECT_EQ(seq.count_params(), 46);
  EXPECT_EQ(seq.count_params(true), 36);
}

TEST(Summary, PeakActivationCountsTensorsKeptForLaterUse) {
  // in(10) -> a = Scale(in) (10) -> b = Scale(a) (10) -> c = Add(a, b): while b runs, in? no:
  // in is dead after a. Live at b: a + b = 20; at c: a + b + c = 30.
  auto in = Input({10});
  auto a = call(Scale(1), {in});
  auto b = call(Scale(1), {a});
  auto c = call(Add(), {a, b});
  Model m({in}, {c});
  EXPECT_NE(m.summary().find("(30 B)"), std::string::npos) << m.summary();
}

}  // namespace
}  // namespace tinyforge::nn
