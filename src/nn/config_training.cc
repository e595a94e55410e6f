// Training from a JSON config (see config_training.h and docs/training.md).
//
// Everything a config can get wrong is checked before the first training step: keys and types
// when parsing, files when loading, layers and shapes when building, and the data against the
// model with one trial forward + loss. Messages start with the config key they are about.
#include "tinyforge/nn/config_training.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "nn/config_json.h"
#include "tinyforge/data/fashion_mnist.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/callbacks.h"
#include "tinyforge/nn/losses.h"
#include "tinyforge/nn/metrics.h"
#include "tinyforge/nn/optimizers.h"
#include "tinyforge/npy.h"

namespace tinyforge::nn {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using namespace config_json;

// ---------------------------------------------------------------- parsing

// {"name": "adam", "learning_rate": 0.001, ...} or "adam": checked by building it once.
json parse_optimizer(const json& v) {
  json o = v.is_string() ? json{{"name", v}} : get_object(v, "optimizer");
  if (!o.contains("name")) fail("optimizer.name", "missing (one of sgd, adam, adamw, rmsprop)");
  const std::string name = get_string(o["name"], "optimizer.name");
  std::shared_ptr<Optimizer> opt;
  try {
    opt = make_optimizer(name);
  } catch (const Error& e) {
    fail("optimizer.name", e.what());
  }
  json options = o;
  options.erase("name");
  std::vector<std::string> known{"name"};
  const json defaults = optimizer_to_json(*opt)["config"];
  for (const auto& [k, val] : defaults.items()) known.push_back(k);
  check_keys(o, "optimizer", known);
  for (const auto& [k, val] : options.items()) {
    if (!val.is_number() && !val.is_boolean())
      fail("optimizer." + k, "expected a number or true/false, got " + val.dump());
    if (val.is_number() && val.get<double>() < 0) fail("optimizer." + k, "must be >= 0, got " + val.dump());
  }
  if (options.contains("learning_rate") && options["learning_rate"].get<double>() <= 0)
    fail("optimizer.learning_rate", "must be > 0, got " + options["learning_rate"].dump());
  try {
    optimizer_from_json({{"class_name", opt->name()}, {"config", options}});
  } catch (const Error& e) {
    fail("optimizer", e.what());
  }
  return o;
}

void parse_labelled_files(const json& v, const std::string& key, const std::string& base_dir, std::string& x,
                          std::string& y) {
  get_object(v, key);
  check_keys(v, key, {"x", "y"});
  if (!v.contains("x")) fail(key + ".x", "missing (path of a .npy file of inputs)");
  if (!v.contains("y")) fail(key + ".y", "missing (path of a .npy file of targets)");
  x = existing_file(v["x"], key + ".x", base_dir);
  y = existing_file(v["y"], key + ".y", base_dir);
}

DataConfig parse_data(const json& v, const std::string& base_dir) {
  get_object(v, "data");
  DataConfig d;
  d.source = v.contains("source") ? get_string(v["source"], "data.source") : "npy";
  if (d.source == "npy") {
    check_keys(v, "data", {"source", "x", "y", "validation", "test", "validation_split", "scale", "limit"});
    if (!v.contains("x")) fail("data.x", "missing (path of a .npy file of inputs, first axis = samples)");
    if (!v.contains("y")) fail("data.y", "missing (path of a .npy file of targets, first axis = samples)");
    d.x_path = existing_file(v["x"], "data.x", base_dir);
    d.y_path = existing_file(v["y"], "data.y", base_dir);
    if (v.contains("validation"))
      parse_labelled_files(v["validation"], "data.validation", base_dir, d.validation_x_path, d.validation_y_path);
    if (v.contains("test")) parse_labelled_files(v["test"], "data.test", base_dir, d.test_x_path, d.test_y_path);
  } else if (d.source == "fashion_mnist") {
    check_keys(v, "data", {"source", "dir", "validation_split", "scale", "limit"});
    d.dir = v.contains("dir") ? resolve(base_dir, get_string(v["dir"], "data.dir")) : data::fashion_mnist_dir();
  } else {
    fail("data.source", "unknown source '" + d.source + "' (known: npy, fashion_mnist)");
  }
  if (v.contains("validation_split")) {
    d.validation_split = get_number(v["validation_split"], "data.validation_split");
    if (!(d.validation_split >= 0 && d.validation_split < 1))
      fail("data.validation_split", "must be in [0, 1), got " + v["validation_split"].dump());
    if (d.validation_split > 0 && !d.validation_x_path.empty())
      fail("data.validation_split", "give either validation_split or a validation set, not both");
  }
  if (v.contains("scale")) d.scale = get_number(v["scale"], "data.scale");
  if (v.contains("limit")) d.limit = get_int(v["limit"], "data.limit", 1);
  return d;
}

// Builds each callback once so that bad options fail here, not after training started.
std::vector<std::shared_ptr<Callback>> make_callbacks(const json& list, const std::string& base_dir) {
  std::vector<std::shared_ptr<Callback>> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string key = "callbacks[" + std::to_string(i) + "]";
    const json& c = get_object(list[i], key);
    if (!c.contains("type")) fail(key + ".type", "missing (EarlyStopping, ReduceLROnPlateau, CSVLogger)");
    const std::string type = get_string(c["type"], key + ".type");
    auto str = [&](const char* k, const char* def) {
      return c.contains(k) ? get_string(c[k], key + "." + k) : std::string(def);
    };
    auto num = [&](const char* k, double def) { return c.contains(k) ? get_number(c[k], key + "." + k) : def; };
    auto integer = [&](const char* k, int64_t def) {
      return c.contains(k) ? static_cast<int>(get_int(c[k], key + "." + k, 0)) : static_cast<int>(def);
    };
    if (type == "EarlyStopping") {
      check_keys(c, key, {"type", "monitor", "patience", "min_delta", "mode", "restore_best_weights"});
      const bool restore =
          c.contains("restore_best_weights") && get_bool(c["restore_best_weights"], key + ".restore_best_weights");
      out.push_back(std::make_shared<EarlyStopping>(str("monitor", "val_loss"), integer("patience", 0),
                                                    num("min_delta", 0), str("mode", "auto"), restore));
    } else if (type == "ReduceLROnPlateau") {
      check_keys(c, key, {"type", "monitor", "factor", "patience", "min_lr", "min_delta", "cooldown", "mode"});
      out.push_back(std::make_shared<ReduceLROnPlateau>(
          str("monitor", "val_loss"), num("factor", 0.1), integer("patience", 10), num("min_lr", 0),
          num("min_delta", 1e-4), integer("cooldown", 0), str("mode", "auto")));
    } else if (type == "CSVLogger") {
      check_keys(c, key, {"type", "filename", "append"});
      if (!c.contains("filename")) fail(key + ".filename", "missing (path of the CSV file to write)");
      const bool append = c.contains("append") && get_bool(c["append"], key + ".append");
      out.push_back(
          std::make_shared<CSVLogger>(resolve(base_dir, get_string(c["filename"], key + ".filename")), append));
    } else {
      fail(key + ".type", "unknown callback '" + type + "' (known: EarlyStopping, ReduceLROnPlateau, CSVLogger)");
    }
  }
  return out;
}

// ---------------------------------------------------------------- data

template <typename T>
void convert(const NpyArray& a, Tensor& t) {
  for (int64_t i = 0; i < t.size(); ++i) {
    T v;
    std::memcpy(&v, a.data.data() + static_cast<size_t>(i) * sizeof(T), sizeof(T));
    t[i] = static_cast<float>(v);
  }
}

// A .npy array of any real dtype as float32 with the first axis as samples.
Tensor load_npy_tensor(const std::string& path, const std::string& key) {
  NpyArray a;
  try {
    a = read_npy(path);
  } catch (const Error& e) {
    fail(key, e.what());
  }
  if (a.shape.empty()) fail(key, path + " holds a scalar; expected an array with samples on the first axis");
  Tensor t(Shape(a.shape.begin(), a.shape.end()));
  const std::string& d = a.dtype;
  if (d == "f4")
    convert<float>(a, t);
  else if (d == "f8")
    convert<double>(a, t);
  else if (d == "i1")
    convert<int8_t>(a, t);
  else if (d == "u1" || d == "b1")
    convert<uint8_t>(a, t);
  else if (d == "i2")
    convert<int16_t>(a, t);
  else if (d == "u2")
    convert<uint16_t>(a, t);
  else if (d == "i4")
    convert<int32_t>(a, t);
  else if (d == "u4")
    convert<uint32_t>(a, t);
  else if (d == "i8")
    convert<int64_t>(a, t);
  else if (d == "u8")
    convert<uint64_t>(a, t);
  else
    fail(key, path + " has dtype '" + d + "'; expected a real number type (f4, f8, i1..i8, u1..u8, b1)");
  return t;
}

LabelledData load_pair(const std::string& x_path, const std::string& y_path, const std::string& key, double scale) {
  LabelledData d{load_npy_tensor(x_path, key + ".x"), load_npy_tensor(y_path, key + ".y")};
  if (d.x.dim(0) != d.y.dim(0))
    fail(key + ".y", y_path + " has " + std::to_string(d.y.dim(0)) + " samples but " + x_path + " has " +
                         std::to_string(d.x.dim(0)));
  if (d.x.dim(0) == 0) fail(key + ".x", x_path + " holds no samples");
  if (scale != 1.0)
    for (float& v : d.x.values()) v = static_cast<float>(v * scale);
  return d;
}

// Brings x's samples to the model's input shape: equal element counts reshape (a [N, 28, 28]
// image file feeds a [28, 28, 1] input), anything else is an error naming both shapes.
void fit_to_input(Tensor& x, const Shape& input, const std::string& key) {
  if (x.sample_shape() == input) return;
  if (shape_size(x.sample_shape()) != shape_size(input))
    fail(key, "samples have shape " + shape_text(x.sample_shape()) + " but the model's input is " + shape_text(input));
  Shape s{x.dim(0)};
  s.insert(s.end(), input.begin(), input.end());
  x.reshape(s);
}

// Sparse losses need integer class indices within the model's outputs.
void check_sparse_labels(const Tensor& y, int64_t classes, const std::string& key) {
  for (int64_t i = 0; i < y.size(); ++i) {
    const float v = y[i];
    if (v != std::floor(v) || v < 0 || v >= static_cast<float>(classes)) {
      std::ostringstream msg;
      msg << "label " << v << " (sample " << i << ") is not a class index in [0, " << classes << ") for the model's "
          << classes << " outputs";
      fail(key, msg.str());
    }
  }
}

}  // namespace

TrainingConfig parse_training_config(const json& j, const std::string& base_dir) {
  if (!j.is_object()) fail("config", "expected a JSON object {...} at the top level");
  check_keys(j, "",
             {"description", "model", "data", "optimizer", "loss", "metrics", "callbacks", "epochs", "batch_size",
              "seed", "shuffle", "output"});
  TrainingConfig c;
  for (const char* k : {"model", "data", "optimizer", "loss"})
    if (!j.contains(k)) fail(k, "missing (required)");
  c.model = get_object(j["model"], "model");
  if (c.model.contains("type")) {
    const std::string t = get_string(c.model["type"], "model.type");
    if (t != "sequential" && t != "functional")
      fail("model.type", "unknown model type '" + t + "' (known: sequential, functional)");
  }
  c.data = parse_data(j["data"], base_dir);
  c.optimizer = parse_optimizer(j["optimizer"]);

  const json& loss = j["loss"];
  if (loss.is_object()) {
    check_keys(loss, "loss", {"name", "from_logits"});
    if (!loss.contains("name")) fail("loss.name", "missing");
    c.loss = get_string(loss["name"], "loss.name");
    if (loss.contains("from_logits")) c.from_logits = get_bool(loss["from_logits"], "loss.from_logits");
  } else {
    c.loss = get_string(loss, "loss");
  }
  try {
    make_loss(c.loss, c.from_logits);
  } catch (const Error& e) {
    fail("loss", e.what());
  }

  if (j.contains("metrics")) {
    const json& m = j["metrics"];
    if (!m.is_array()) fail("metrics", "expected a list of metric names like [\"accuracy\"], got " + m.dump());
    for (size_t i = 0; i < m.size(); ++i) {
      const std::string key = "metrics[" + std::to_string(i) + "]";
      c.metrics.push_back(get_string(m[i], key));
      try {
        make_metric(c.metrics.back());
      } catch (const Error& e) {
        fail(key, e.what());
      }
    }
  }
  if (j.contains("callbacks")) {
    if (!j["callbacks"].is_array()) fail("callbacks", "expected a list of callback objects");
    c.callbacks = j["callbacks"];
    make_callbacks(c.callbacks, base_dir);
  }
  // Callback paths resolve like every other path; keep the base for run_training.
  for (auto& cb : c.callbacks)
    if (cb.contains("filename")) cb["filename"] = resolve(base_dir, cb["filename"].get<std::string>());
  if (j.contains("epochs")) c.epochs = static_cast<int>(get_int(j["epochs"], "epochs", 1));
  if (j.contains("batch_size")) c.batch_size = get_int(j["batch_size"], "batch_size", 1);
  if (j.contains("seed")) c.seed = static_cast<uint64_t>(get_int(j["seed"], "seed", 0));
  if (j.contains("shuffle")) c.shuffle = get_bool(j["shuffle"], "shuffle");
  if (j.contains("output")) c.output = resolve(base_dir, get_string(j["output"], "output"));
  return c;
}

TrainingConfig load_training_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open config file: " + path);
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw Error("config " + path + " is not valid JSON: " + e.what());
  }
  return parse_training_config(j, fs::path(path).parent_path().string());
}

TrainingData load_training_data(const DataConfig& data) {
  TrainingData d;
  if (data.source == "fashion_mnist") {
    try {
      data::load_fashion_mnist_part(data.dir, "train", d.train.x, d.train.y);
      data::load_fashion_mnist_part(data.dir, "t10k", d.test.x, d.test.y);
    } catch (const Error& e) {
      fail("data.source", std::string("cannot load fashion_mnist: ") + e.what());
    }
    if (data.scale != 1.0) {
      for (float& v : d.train.x.values()) v = static_cast<float>(v * data.scale);
      for (float& v : d.test.x.values()) v = static_cast<float>(v * data.scale);
    }
  } else {
    d.train = load_pair(data.x_path, data.y_path, "data", data.scale);
  }
  if (!data.validation_x_path.empty())
    d.validation = load_pair(data.validation_x_path, data.validation_y_path, "data.validation", data.scale);
  if (!data.test_x_path.empty()) d.test = load_pair(data.test_x_path, data.test_y_path, "data.test", data.scale);
  if (data.limit > 0 && data.limit < d.train.x.dim(0)) {
    d.train.x = d.train.x.slice_rows(0, data.limit);
    d.train.y = d.train.y.slice_rows(0, data.limit);
  }
  return d;
}

TrainingResult run_training(const TrainingConfig& config, const TrainingRunOptions& options) {
  TrainingData data = load_training_data(config.data);
  TrainingResult r;
  r.model = build_model_from_config(config.model, config.seed, data.train.x.sample_shape());
  Model& model = *r.model;
  if (model.input_shapes().size() != 1 || model.output_shapes().size() != 1)
    fail("model", "has " + std::to_string(model.input_shapes().size()) + " inputs and " +
                      std::to_string(model.output_shapes().size()) +
                      " outputs; training from a config supports one input and one output");
  const Shape& in = model.input_shapes()[0];
  fit_to_input(data.train.x, in, "data.x");
  if (!data.validation.empty()) fit_to_input(data.validation.x, in, "data.validation.x");
  if (!data.test.empty()) fit_to_input(data.test.x, in, "data.test.x");

  auto loss = make_loss(config.loss, config.from_logits);
  const int64_t classes = model.output_shapes()[0].back();
  if (loss->name() == "sparse_categorical_crossentropy") {
    check_sparse_labels(data.train.y, classes, "data.y");
    if (!data.validation.empty()) check_sparse_labels(data.validation.y, classes, "data.validation.y");
    if (!data.test.empty()) check_sparse_labels(data.test.y, classes, "data.test.y");
  }
  // One trial forward and loss on two samples: a target shape the loss cannot take fails here,
  // with the config key, instead of at the first training step.
  {
    const int64_t n = std::min<int64_t>(2, data.train.x.dim(0));
    const Tensor pred = model.forward({data.train.x.slice_rows(0, n)}, false)[0];
    Tensor grad(pred.shape());
    try {
      loss->compute(data.train.y.slice_rows(0, n), pred, nullptr, &grad);
    } catch (const Error& e) {
      fail("data.y", "targets of shape " + shape_text(data.train.y.shape()) + " do not fit the loss '" + config.loss +
                         "' for model outputs " + shape_text(model.output_shapes()[0]) + ": " + e.what());
    }
  }

  std::vector<std::shared_ptr<Metric>> metrics;
  for (const auto& m : config.metrics) metrics.push_back(make_metric(m));
  json opt_options = config.optimizer;
  opt_options.erase("name");
  auto opt = optimizer_from_json(
      {{"class_name", make_optimizer(config.optimizer["name"].get<std::string>())->name()}, {"config", opt_options}});
  model.compile(opt, loss, metrics);
  model.set_seed(config.seed);

  FitOptions fo;
  fo.epochs = config.epochs;
  fo.batch_size = config.batch_size;
  fo.validation_split = config.data.validation_split;
  std::vector<Tensor> vx, vy;
  if (!data.validation.empty()) {
    vx = {data.validation.x};
    vy = {data.validation.y};
    fo.validation_x = &vx;
    fo.validation_y = &vy;
  }
  fo.shuffle = config.shuffle;
  fo.seed = config.seed;
  fo.verbose = options.verbose;
  fo.callbacks = make_callbacks(config.callbacks, "");
  if (config.data.validation_split > 0 &&
      static_cast<int64_t>(static_cast<double>(data.train.x.dim(0)) * (1.0 - config.data.validation_split)) < 1)
    fail("data.validation_split", "leaves no training samples");

  if (options.print_summary && options.out) {
    std::fputs(model.summary().c_str(), options.out);
    std::fflush(options.out);
  }
  r.history = model.fit(data.train.x, data.train.y, fo);
  if (!data.test.empty()) {
    r.final_logs = model.evaluate(data.test.x, data.test.y, config.batch_size);
    r.final_split = "test";
  } else {
    for (const auto& [k, v] : r.history.history)
      if (!v.empty()) r.final_logs[k] = v.back();
    r.final_split = "train";
  }
  return r;
}

TrainingResult train_from_config(const TrainingConfig& config, const TrainingRunOptions& options) {
  if (config.output.empty()) fail("output", "missing (set \"output\" in the config or pass -o PATH)");
  const fs::path out(config.output);
  std::error_code ec;
  if (fs::is_directory(out, ec)) fail("output", config.output + " is a directory; give a file name such as model.tfm");
  const fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  if (!fs::is_directory(dir, ec)) fail("output", "directory does not exist: " + dir.string());
  TrainingResult r = run_training(config, options);
  r.model->save(config.output);
  return r;
}

}  // namespace tinyforge::nn
