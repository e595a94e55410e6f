#include "tinyforge/nn/initializers.h"

#include <cctype>
#include <cmath>

#include "tinyforge/error.h"

namespace tinyforge::nn {
namespace {

// stddev of a unit normal truncated to [-2, 2]; Keras divides by it so the truncated draw has
// the variance the scheme asks for.
constexpr double kTruncatedStddev = 0.87962566103423978;

// "GlorotUniform" -> "glorot_uniform"; snake_case names pass through.
std::string canonical_name(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (i > 0 && name[i - 1] != '_') out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  if (out == "zero") return "zeros";
  if (out == "one") return "ones";
  return out;
}

std::string class_name(const std::string& snake) {
  std::string out;
  bool up = true;
  for (char c : snake) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

enum class FanMode { kIn, kAvg };

void variance_scaling(Tensor& t, double scale, FanMode mode, bool uniform, Rng& rng) {
  const auto [fan_in, fan_out] = compute_fans(t.shape());
  const double n = std::max(1.0, mode == FanMode::kIn ? fan_in : (fan_in + fan_out) / 2.0);
  if (uniform) {
    const float limit = static_cast<float>(std::sqrt(3.0 * scale / n));
    for (auto& v : t.values()) v = rng.uniform(-limit, limit);
  } else {
    const float stddev = static_cast<float>(std::sqrt(scale / n) / kTruncatedStddev);
    for (auto& v : t.values()) v = rng.truncated_normal(stddev);
  }
}

}  // namespace

Initializer Constant(double value) {
  Initializer i("constant");
  i.value = value;
  return i;
}
Initializer RandomNormal(double mean, double stddev) {
  Initializer i("random_normal");
  i.mean = mean;
  i.stddev = stddev;
  return i;
}
Initializer RandomUniform(double minval, double maxval) {
  Initializer i("random_uniform");
  i.minval = minval;
  i.maxval = maxval;
  return i;
}
Initializer TruncatedNormal(double mean, double stddev) {
  Initializer i("truncated_normal");
  i.mean = mean;
  i.stddev = stddev;
  return i;
}

nlohmann::json Initializer::to_json() const {
  const std::string n = canonical_name(name);
  const Initializer d(n);
  nlohmann::json cfg = nlohmann::json::object();
  if (n == "constant" && value != d.value) cfg["value"] = value;
  if ((n == "random_normal" || n == "truncated_normal") && (mean != d.mean || stddev != d.stddev)) {
    cfg["mean"] = mean;
    cfg["stddev"] = stddev;
  }
  if (n == "random_uniform" && (minval != d.minval || maxval != d.maxval)) {
    cfg["minval"] = minval;
    cfg["maxval"] = maxval;
  }
  if (cfg.empty()) return n;
  return {{"class_name", class_name(n)}, {"config", cfg}};
}

Initializer Initializer::from_json(const nlohmann::json& j) {
  if (j.is_string()) return Initializer(canonical_name(j.get<std::string>()));
  if (!j.is_object() || !j.contains("class_name") || !j["class_name"].is_string()) {
    throw Error("initializer config must be a name or {\"class_name\": ..., \"config\": {...}}, got " + j.dump());
  }
  Initializer i(canonical_name(j["class_name"].get<std::string>()));
  const nlohmann::json cfg = j.value("config", nlohmann::json::object());
  i.value = cfg.value("value", i.value);
  i.mean = cfg.value("mean", i.mean);
  i.stddev = cfg.value("stddev", i.stddev);
  i.minval = cfg.value("minval", i.minval);
  i.maxval = cfg.value("maxval", i.maxval);
  return i;
}

std::pair<double, double> compute_fans(const Shape& shape) {
  if (shape.empty()) return {1.0, 1.0};
  if (shape.size() == 1) return {static_cast<double>(shape[0]), static_cast<double>(shape[0])};
  double receptive = 1.0;
  for (size_t i = 0; i + 2 < shape.size(); ++i) receptive *= static_cast<double>(shape[i]);
  return {receptive * static_cast<double>(shape[shape.size() - 2]),
          receptive * static_cast<double>(shape[shape.size() - 1])};
}

Tensor initialize(const Initializer& init, const Shape& shape, Rng& rng) {
  const std::string n = canonical_name(init.name);
  Tensor t(shape);
  if (n == "zeros") return t;
  if (n == "ones") {
    t.fill(1.0f);
  } else if (n == "constant") {
    t.fill(static_cast<float>(init.value));
  } else if (n == "random_normal") {
    for (auto& v : t.values()) v = static_cast<float>(init.mean) + static_cast<float>(init.stddev) * rng.normal();
  } else if (n == "truncated_normal") {
    for (auto& v : t.values())
      v = static_cast<float>(init.mean) + rng.truncated_normal(static_cast<float>(init.stddev));
  } else if (n == "random_uniform") {
    for (auto& v : t.values()) v = rng.uniform(static_cast<float>(init.minval), static_cast<float>(init.maxval));
  } else if (n == "glorot_uniform") {
    variance_scaling(t, 1.0, FanMode::kAvg, true, rng);
  } else if (n == "glorot_normal") {
    variance_scaling(t, 1.0, FanMode::kAvg, false, rng);
  } else if (n == "he_uniform") {
    variance_scaling(t, 2.0, FanMode::kIn, true, rng);
  } else if (n == "he_normal") {
    variance_scaling(t, 2.0, FanMode::kIn, false, rng);
  } else if (n == "lecun_uniform") {
    variance_scaling(t, 1.0, FanMode::kIn, true, rng);
  } else if (n == "lecun_normal") {
    variance_scaling(t, 1.0, FanMode::kIn, false, rng);
  } else if (n == "torch_default") {
    // PyTorch's Linear/Conv default, kaiming_uniform(a = sqrt(5)): gain^2 = 2 / (1 + 5) = 1/3, so
    // the limit sqrt(3 * (1/3) / fan_in) is 1 / sqrt(fan_in).
    variance_scaling(t, 1.0 / 3.0, FanMode::kIn, true, rng);
  } else {
    throw Error("unknown initializer '" + init.name +
                "' (known: zeros, ones, constant, random_normal, random_uniform, truncated_normal, glorot_uniform, "
                "glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal, torch_default)");
  }
  return t;
}

}  // namespace tinyforge::nn
