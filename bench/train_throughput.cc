// Training throughput of the reference models (bench/reference_models.h), for comparison with the
// PyTorch peer (shared/notes/peer-pytorch.md). Prints one JSON object on stdout.
//
//   train_throughput --model fmnist_cnn [--epochs N] [--threads T] [--backend cpu|reference]
//                    [--seed S] [--init torch_default|he_uniform|...] [--train-samples N] --json
//
// --init picks the weight initialization (bench/reference_models.h); the default is the peers'
// (PyTorch's). It changes accuracy, not speed.
//
// train_samples_per_s is the steady state: training samples / median epoch time over epochs 2..N
// (with one epoch: median over timed chunks of batches). infer_b1_us: median of 200 batch-1
// predict() calls after 20 warm-up calls. other_load: cores other processes kept busy during
// training (the machine may be shared), as the peer scripts record it.
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reference_models.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/backend.h"
#include "tinyforge/nn/losses.h"
#include "tinyforge/nn/optimizers.h"

using namespace tinyforge;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU seconds of this process (all threads).
double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Machine-wide busy CPU seconds, this process's CPU seconds, wall seconds.
struct CpuSnapshot {
  double busy = 0, self = 0;
  Clock::time_point wall = Clock::now();
};
CpuSnapshot cpu_snapshot() {
  CpuSnapshot s;
  std::ifstream stat("/proc/stat");
  std::string cpu;
  double v[8] = {};
  stat >> cpu;
  for (double& x : v) stat >> x;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  s.busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / tick;  // all but idle and iowait
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  s.self = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
  return s;
}
double other_load(const CpuSnapshot& a) {
  CpuSnapshot b = cpu_snapshot();
  const double wall = std::chrono::duration<double>(b.wall - a.wall).count();
  return wall > 0 ? std::max(0.0, ((b.busy - a.busy) - (b.self - a.self)) / wall) : 0.0;
}

// Times each epoch, and chunks of batches within it (for the single-epoch case).
class Timer : public nn::Callback {
 public:
  explicit Timer(int64_t chunk_batches) : chunk_(chunk_batches) {}
  void on_epoch_begin(nn::Model&, int) override {
    start_ = chunk_start_ = Clock::now();
    cpu_start_ = process_cpu_s();
  }
  void on_batch_end(nn::Model&, int64_t batch, const nn::Logs&) override {
    if ((batch + 1) % chunk_ == 0) {
      chunks_.push_back(seconds_since(chunk_start_));
      chunk_start_ = Clock::now();
    }
  }
  void on_epoch_end(nn::Model&, int epoch, const nn::Logs& logs) override {
    epochs_.push_back(seconds_since(start_));
    epochs_cpu_.push_back(process_cpu_s() - cpu_start_);
    const auto it = logs.find("loss");
    loss_ = it == logs.end() ? NAN : it->second;
    std::fprintf(stderr, "  epoch %d: %.2f s (cpu %.2f s)  loss %.4f\n", epoch + 1, epochs_.back(), epochs_cpu_.back(),
                 loss_);
  }
  std::vector<double> epochs_, epochs_cpu_, chunks_;
  double loss_ = NAN;

 private:
  int64_t chunk_;
  Clock::time_point start_, chunk_start_;
  double cpu_start_ = 0;
};

double accuracy(nn::Model& model, const nn::Tensor& x, const nn::Tensor& y) {
  const nn::Tensor p = model.predict(x, 1000);
  const int64_t n = p.dim(0), c = p.size() / n;
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = p.data() + i * c;
    correct += (std::max_element(row, row + c) - row) == static_cast<int64_t>(y[i]);
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

double infer_b1_us(nn::Model& model, const nn::Tensor& x, int runs) {
  const nn::Tensor one = x.slice_rows(0, 1);
  for (int i = 0; i < 20; ++i) model.predict(one, 1);
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    model.predict(one, 1);
    t.push_back(seconds_since(t0) * 1e6);
  }
  return median(t);
}

int usage(const char* msg) {
  std::fprintf(stderr,
               "%s\nusage: train_throughput --model fmnist_cnn|fmnist_mlp|kws_dscnn|ad_autoencoder|gesture_conv1d\n"
               "         [--epochs N] [--threads T] [--backend cpu|reference] [--seed S] [--train-samples N]\n"
               "         [--batch-size B] [--init torch_default|he_uniform|glorot_uniform|...] [--json]\n",
               msg);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_name, backend_name = "cpu";
  int epochs = -1, threads = 0;
  int64_t train_samples = 0, batch_size = 0;
  uint64_t seed = 0;
  std::string kernel_init = "torch_default";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--model")
        model_name = value();
      else if (a == "--epochs")
        epochs = std::stoi(value());
      else if (a == "--threads")
        threads = std::stoi(value());
      else if (a == "--backend")
        backend_name = value();
      else if (a == "--seed")
        seed = std::stoull(value());
      else if (a == "--init")
        kernel_init = value();
      else if (a == "--train-samples")
        train_samples = std::stoll(value());
      else if (a == "--batch-size")
        batch_size = std::stoll(value());
      else if (a == "--json") {
      }  // JSON is the only output format
      else if (a == "-h" || a == "--help")
        return usage("");
      else
        return usage(("unknown argument " + a).c_str());
    } catch (const std::exception& e) {
      return usage(e.what());
    }
  }
  if (model_name.empty()) return usage("--model is required");
  try {
    const auto& w = bench::reference_workload(model_name);
    if (epochs < 0) epochs = w.epochs;
    if (epochs < 1) throw Error("--epochs must be >= 1");
    if (batch_size <= 0) batch_size = w.batch_size;
    nn::set_backend(backend_name);
    if (threads > 0) nn::set_threads(threads);

    auto data = bench::reference_data(model_name, seed);
    if (train_samples > 0 && train_samples < data.x.dim(0)) {
      data.x = data.x.slice_rows(0, train_samples);
      data.y = data.y.slice_rows(0, train_samples);
    }
    const int64_t n = data.x.dim(0);
    auto model = bench::build_reference_model(model_name, seed, kernel_init);
    std::shared_ptr<nn::Loss> loss;
    if (w.loss == "mse")
      loss = std::make_shared<nn::MeanSquaredError>();
    else
      loss = std::make_shared<nn::SparseCategoricalCrossentropy>(/*from_logits=*/true);
    // PyTorch's Adam defaults (epsilon 1e-8; Keras' is 1e-7). PyTorch adds epsilon to
    // sqrt(v) / sqrt(1 - beta_2^t) instead of sqrt(v): a difference only in the first steps.
    model->compile(std::make_shared<nn::Adam>(nn::AdamOptions{.learning_rate = 1e-3, .epsilon = 1e-8}), loss);

    const int64_t steps = (n + batch_size - 1) / batch_size;
    auto timer = std::make_shared<Timer>(std::max<int64_t>(1, steps / 10));
    nn::FitOptions fo;
    fo.epochs = epochs;
    fo.batch_size = batch_size;
    fo.verbose = 0;
    fo.seed = seed;
    fo.callbacks = {timer};
    std::fprintf(stderr, "%s: backend %s, threads %d, params %lld, train samples %lld, batch %lld, epochs %d\n",
                 model_name.c_str(), nn::backend().name().c_str(), nn::backend().threads(),
                 static_cast<long long>(model->count_params(true)), static_cast<long long>(n),
                 static_cast<long long>(batch_size), epochs);
    const CpuSnapshot snap = cpu_snapshot();
    model->fit(data.x, data.y, fo);
    const double load = other_load(snap);

    double sps = 0, cpu_s = 0;
    if (epochs > 1) {
      std::vector<double> steady(timer->epochs_.begin() + 1, timer->epochs_.end());
      sps = static_cast<double>(n) / median(steady);
      cpu_s = median(std::vector<double>(timer->epochs_cpu_.begin() + 1, timer->epochs_cpu_.end()));
    } else {
      // One epoch: the chunks after the first (warm-up), each of steps/10 full batches.
      std::vector<double> c(timer->chunks_.begin() + (timer->chunks_.size() > 1 ? 1 : 0), timer->chunks_.end());
      const int64_t chunk_samples = std::max<int64_t>(1, steps / 10) * batch_size;
      sps = c.empty() ? static_cast<double>(n) / timer->epochs_[0] : static_cast<double>(chunk_samples) / median(c);
      cpu_s = timer->epochs_cpu_[0];
    }

    nlohmann::json j;
    j["model"] = model_name;
    j["backend"] = nn::backend().name();
    j["threads"] = nn::backend().threads();
    j["seed"] = seed;
    j["init"] = kernel_init;
    j["params"] = model->count_params(true);
    j["params_total"] = model->count_params(false);
    j["batch_size"] = batch_size;
    j["epochs"] = epochs;
    j["train_samples"] = n;
    j["train_samples_per_s"] = std::round(sps);
    j["epoch_s"] = timer->epochs_;
    j["epoch_cpu_s"] = timer->epochs_cpu_;
    // Samples per CPU-second of this process: less sensitive to other load than wall time (with
    // one thread it approximates the idle-machine rate; spinning workers inflate it with more).
    j["train_samples_per_cpu_s"] = cpu_s > 0 ? std::round(static_cast<double>(n) / cpu_s) : 0.0;
    j["final_loss"] = timer->loss_;
    j["other_load"] = std::round(load * 100) / 100;
    double loadavg[3] = {0, 0, 0};
    if (getloadavg(loadavg, 3) > 0) j["loadavg_1m"] = loadavg[0];
    if (w.fashion_mnist)
      j["test_accuracy"] = accuracy(*model, data.test_x, data.test_y);
    else
      j["test_accuracy"] = nullptr;
    j["infer_b1_us"] = std::round(infer_b1_us(*model, data.x, 200) * 10) / 10;
    std::cout << j.dump() << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_throughput: %s\n", e.what());
    return 1;
  }
}
