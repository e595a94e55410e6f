// fit(): convergence, validation split, class weights, regularization, callbacks and their
// order, determinism, and the progress output.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "nn/model_test_layers.h"
#include "nn/training/progress_bar.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/callbacks.h"
#include "tinyforge/nn/losses.h"
#include "tinyforge/nn/model.h"
#include "tinyforge/nn/optimizers.h"
#include "tinyforge/nn/regularizers.h"

namespace tinyforge::nn {
namespace {

using model_test::Linear;
using model_test::Scale;

// y = 2 x0 - 3 x1 + 0.5 on x ~ U(-1, 1).
void linear_data(int64_t n, Tensor& x, Tensor& y, uint64_t seed = 1) {
  Rng rng(seed);
  x = Tensor({n, 2});
  y = Tensor({n, 1});
  for (int64_t i = 0; i < n; ++i) {
    x[2 * i] = rng.uniform(-1, 1);
    x[2 * i + 1] = rng.uniform(-1, 1);
    y[i] = 2 * x[2 * i] - 3 * x[2 * i + 1] + 0.5f;
  }
}

std::unique_ptr<Sequential> linear_model(double lr, uint64_t seed = 3) {
  set_random_seed(seed);
  auto m = std::make_unique<Sequential>(Shape{2}, std::vector<LayerPtr>{Linear(1, "lin")});
  m->compile(std::make_shared<SGD>(lr), std::make_shared<MeanSquaredError>());
  return m;
}

FitOptions quiet(int epochs, int64_t batch = 16) {
  FitOptions o;
  o.epochs = epochs;
  o.batch_size = batch;
  o.verbose = 0;
  return o;
}

TEST(Fit, LinearRegressionConvergesToKnownWeights) {
  Tensor x, y;
  linear_data(256, x, y);
  auto m = linear_model(0.1);
  History h = m->fit(x, y, quiet(60));
  auto w = m->get_weights();
  EXPECT_NEAR(w[0][0], 2.0f, 1e-3);
  EXPECT_NEAR(w[0][1], -3.0f, 1e-3);
  EXPECT_NEAR(w[1][0], 0.5f, 1e-3);
  ASSERT_EQ(h.history["loss"].size(), 60u);
  EXPECT_LT(h.history["loss"].back(), 1e-6);
  EXPECT_GT(h.history["loss"].front(), h.history["loss"].back());
  EXPECT_LT(m->evaluate(x, y)["loss"], 1e-6);
}

TEST(Fit, ValidationSplitTakesTheLastRows) {
  // The last 25% of rows are poison (y = 100): if any reached training the weights would move.
  Tensor x, y;
  linear_data(200, x, y);
  for (int64_t i = 150; i < 200; ++i) y[i] = 100.0f;
  auto m = linear_model(0.1);
  FitOptions o = quiet(60);
  o.validation_split = 0.25;
  History h = m->fit(x, y, o);
  auto w = m->get_weights();
  EXPECT_NEAR(w[0][0], 2.0f, 1e-3);
  EXPECT_NEAR(w[0][1], -3.0f, 1e-3);
  // val_loss is the MSE on exactly those rows, worked out here from predict().
  Tensor xv = x.slice_rows(150, 200);
  Tensor p = m->predict(xv);
  double mse = 0;
  for (int64_t i = 0; i < 50; ++i) mse += std::pow(double(p[i]) - 100.0, 2) / 50;
  EXPECT_NEAR(h.history["val_loss"].back(), mse, 1e-3 * mse);
}

TEST(Fit, ZeroClassWeightsLeaveWeightsUnchanged) {
  Tensor x, y;
  linear_data(64, x, y);
  for (int64_t i = 0; i < 64; ++i) y[i] = float(i % 2);  // classes 0 and 1
  auto m = linear_model(0.5);
  auto before = m->get_weights();
  FitOptions o = quiet(2);
  o.class_weight = {{0, 0.0}, {1, 0.0}};
  m->fit(x, y, o);
  auto after = m->get_weights();
  for (size_t k = 0; k < before.size(); ++k) EXPECT_EQ(before[k].values(), after[k].values());
  o.class_weight = {{0, 1.0}, {1, 0.0}};
  m->fit(x, y, o);
  EXPECT_NE(before[0].values(), m->get_weights()[0].values());
}

TEST(Fit, RegularizationPenaltyIsAddedToTheLoss) {
  // Frozen weights (lr 0): loss = MSE + l2 * sum(w^2), both computed here.
  Tensor x, y;
  linear_data(32, x, y);
  auto m = linear_model(0.0);
  Param* k = m->layer("lin")->param("kernel");
  k->regularizer = std::make_shared<L1L2>(0.0, 0.25);
  Tensor p = m->predict(x);
  double mse = 0;
  for (int64_t i = 0; i < 32; ++i) mse += std::pow(double(p[i]) - y[i], 2) / 32;
  const double pen = 0.25 * (double(k->value[0]) * k->value[0] + double(k->value[1]) * k->value[1]);
  History h = m->fit(x, y, quiet(1, 32));
  EXPECT_NEAR(h.history["loss"][0], mse + pen, 1e-5 * (mse + pen));
}

TEST(Fit, EarlyStoppingRestoresBestWeights) {
  // Training pulls w towards y = 2x; validation wants w = 0, so val_loss only grows after epoch 0.
  Tensor x({64, 1}), y({64, 1}), yv({64, 1});
  Rng rng(4);
  for (int64_t i = 0; i < 64; ++i) {
    x[i] = rng.uniform(-1, 1);
    y[i] = 2 * x[i];
  }
  set_random_seed(2);
  Sequential m({1}, {Scale(0.1f)});
  m.compile(std::make_shared<SGD>(0.05), std::make_shared<MeanSquaredError>());
  std::vector<Tensor> best;
  auto record = std::make_shared<LambdaCallback>();
  record->epoch_end = [&](Model& model, int epoch, const Logs&) {
    if (epoch == 0) best = model.get_weights();
  };
  auto es = std::make_shared<EarlyStopping>("val_loss", 2, 0.0, "auto", true);
  FitOptions o = quiet(20);
  std::vector<Tensor> vx = {x}, vy = {yv};
  o.validation_x = &vx;
  o.validation_y = &vy;
  o.callbacks = {record, es};
  History h = m.fit(x, y, o);
  EXPECT_EQ(h.history["loss"].size(), 3u);  // best at 0, then 2 epochs of patience
  EXPECT_EQ(es->best_epoch(), 0);
  EXPECT_EQ(es->stopped_epoch(), 2);
  EXPECT_EQ(m.get_weights()[0].values(), best[0].values());
}

TEST(Fit, CallbacksRunInKerasOrderAndCanStopTraining) {
  Tensor x, y;
  linear_data(40, x, y);
  auto m = linear_model(0.1);
  std::vector<std::string> events;
  auto cb = std::make_shared<LambdaCallback>();
  cb->train_begin = [&](Model&) { events.push_back("train_begin"); };
  cb->epoch_begin = [&](Model&, int e) { events.push_back("epoch_begin " + std::to_string(e)); };
  cb->batch_end = [&](Model&, int64_t b, const Logs& l) {
    events.push_back("batch_end " + std::to_string(b));
    EXPECT_TRUE(l.count("loss"));
  };
  cb->epoch_end = [&](Model& model, int e, const Logs& l) {
    events.push_back("epoch_end " + std::to_string(e));
    EXPECT_TRUE(l.count("val_loss"));
    if (e == 1) model.stop_training = true;
  };
  cb->train_end = [&](Model&) { events.push_back("train_end"); };
  FitOptions o = quiet(5, 20);
  o.validation_split = 0.5;  // 20 training rows: one batch per epoch
  o.callbacks = {cb};
  History h = m->fit(x, y, o);
  std::vector<std::string> want = {"train_begin", "epoch_begin 0", "batch_end 0", "epoch_end 0",
                                   "epoch_begin 1", "batch_end 0", "epoch_end 1", "train_end"};
  EXPECT_EQ(events, want);
  EXPECT_EQ(h.epochs, (std::vector<int>{0, 1}));
}

TEST(Fit, ReduceLROnPlateauAndScheduler) {
  Tensor x, y;
  linear_data(16, x, y);
  auto m = linear_model(0.1);
  m->layer("lin")->set_trainable(false);  // the loss cannot improve
  auto plateau = std::make_shared<ReduceLROnPlateau>("loss", 0.5, 2);
  FitOptions o = quiet(3);
  o.callbacks = {plateau};
  m->fit(x, y, o);  // epoch 0 best, 1 wait, 2 reduce
  EXPECT_DOUBLE_EQ(m->optimizer()->learning_rate(), 0.05);
  auto sched = std::make_shared<LearningRateScheduler>([](int epoch, double) { return 0.01 * (epoch + 1); });
  o.callbacks = {sched};
  m->fit(x, y, o);
  EXPECT_DOUBLE_EQ(m->optimizer()->learning_rate(), 0.03);
}

TEST(Fit, CsvLoggerWritesOneRowPerEpoch) {
  Tensor x, y;
  linear_data(16, x, y);
  auto m = linear_model(0.1);
  const std::string path = ::testing::TempDir() + "/fit_log.csv";
  FitOptions o = quiet(2);
  o.callbacks = {std::make_shared<CSVLogger>(path)};
  History h = m->fit(x, y, o);
  std::ifstream in(path);
  std::string header, row0, row1;
  std::getline(in, header);
  std::getline(in, row0);
  std::getline(in, row1);
  EXPECT_EQ(header, "epoch,loss");
  EXPECT_EQ(row0.substr(0, 2), "0,");
  EXPECT_NEAR(std::stod(row1.substr(2)), h.history["loss"][1], 1e-12);
}

std::vector<float> trained_weights(uint64_t fit_seed) {
  Tensor x, y;
  linear_data(50, x, y);
  set_random_seed(21);
  Sequential m({2}, {Linear(4), model_test::Dropout50(), Linear(1)});
  m.compile(std::make_shared<Adam>(0.01), std::make_shared<MeanSquaredError>());
  FitOptions o = quiet(3, 8);
  o.seed = fit_seed;
  m.fit(x, y, o);
  std::vector<float> all;
  for (const auto& t : m.get_weights()) all.insert(all.end(), t.values().begin(), t.values().end());
  return all;
}

TEST(Fit, SameSeedGivesIdenticalWeights) {
  const auto a = trained_weights(9), b = trained_weights(9), c = trained_weights(10);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)));
  EXPECT_NE(a, c);  // shuffling and dropout follow the seed
}

TEST(Fit, BadArgumentsAreReported) {
  Tensor x, y;
  linear_data(10, x, y);
  set_random_seed(1);
  Sequential raw({2}, {Linear(1)});
  EXPECT_THROW(raw.fit(x, y, quiet(1)), Error);  // not compiled
  auto m = linear_model(0.1);
  EXPECT_THROW(m->fit(x, Tensor({9, 1}), quiet(1)), Error);
  FitOptions o = quiet(1);
  o.validation_split = 0.01;  // floor(10 * 0.99) = 9 train rows, 1 val row: fine
  EXPECT_NO_THROW(m->fit(x, y, o));
  o.validation_split = 1.5;
  EXPECT_THROW(m->fit(x, y, o), Error);
}

TEST(Progress, LineFormatMatchesKeras) {
  Logs logs = {{"accuracy", 0.78125}, {"loss", 0.618}};
  EXPECT_EQ(format_progress_line(469, 469, 3.0, logs),
            "469/469 ━━━━━━━━━━━━━━━━━━━━ 3s 6ms/step - accuracy: 0.7812 - loss: 0.6180");
  // Mid-epoch: right-aligned count, 5 of 20 cells filled, ETA = 0.1 s/step * 300 steps.
  EXPECT_EQ(format_progress_line(100, 400, 10.0, {{"loss", 2.5}}),
            "100/400 ━━━━━─────────────── 30s 100ms/step - loss: 2.5000");
  EXPECT_EQ(format_progress_line(1, 469, 0.33, {}), "  1/469 ──────────────────── 2:34 330ms/step");
  EXPECT_EQ(format_logs({{"loss", 0.0005}}), " - loss: 5.0000e-04");
  EXPECT_EQ(format_time_per_step(2.0), "2s/step");
  EXPECT_EQ(format_time_per_step(0.0004), "400us/step");
  EXPECT_EQ(format_epoch_line(10, 2.0, {{"loss", 1.0}}), "10/10 - 2s - 200ms/step - loss: 1.0000");
}

std::string capture(int verbose, const std::function<void(ProgressBar&)>& body) {
  FILE* f = std::tmpfile();
  {
    ProgressBar bar(verbose, f);
    body(bar);
  }
  std::rewind(f);
  std::string out;
  for (int c; (c = std::fgetc(f)) != EOF;) out += char(c);
  std::fclose(f);
  return out;
}

TEST(Progress, PlainLinesWhenNotATerminalAndNothingWhenSilent) {
  auto run = [](ProgressBar& bar) {
    for (int e = 0; e < 2; ++e) {
      bar.epoch_begin(e, 2, 3);
      for (int s = 1; s <= 3; ++s) bar.update(s, {{"loss", 1.0}});
      bar.epoch_end({{"loss", 1.0}, {"val_loss", 2.0}});
    }
  };
  const std::string v1 = capture(1, run);
  EXPECT_EQ(v1.find('\r'), std::string::npos);
  EXPECT_EQ(v1.find("\x1b"), std::string::npos);
  std::istringstream lines(v1);
  std::vector<std::string> got;
  for (std::string l; std::getline(lines, l);) got.push_back(l);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], "Epoch 1/2");
  EXPECT_EQ(got[1].rfind("3/3 ━━━━━━━━━━━━━━━━━━━━ ", 0), 0u) << got[1];
  EXPECT_NE(got[1].find(" - loss: 1.0000 - val_loss: 2.0000"), std::string::npos);
  EXPECT_EQ(got[2], "Epoch 2/2");
  EXPECT_EQ(capture(0, run), "");
  const std::string v2 = capture(2, run);
  EXPECT_NE(v2.find("3/3 - "), std::string::npos);
}

}  // namespace
}  // namespace tinyforge::nn
