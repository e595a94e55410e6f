// Helpers shared by the JSON config readers (training config and model config): typed getters
// whose errors name the config key, so every message reads "model.layers[2].units: ...".
#pragma once

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinyforge/error.h"
#include "tinyforge/nn/tensor.h"

namespace tinyforge::nn::config_json {

using nlohmann::json;

[[noreturn]] inline void fail(const std::string& key, const std::string& what) {
  throw Error(key + ": " + what);
}

inline std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

inline std::string shape_text(const Shape& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

// Rejects keys outside `known`, so a typo ("epoch") is an error rather than silently ignored.
inline void check_keys(const json& j, const std::string& where, const std::vector<std::string>& known) {
  for (const auto& [k, v] : j.items()) {
    if (std::find(known.begin(), known.end(), k) == known.end())
      fail(where.empty() ? k : where + "." + k, "unknown key (known: " + join(known) + ")");
  }
}

inline int64_t get_int(const json& v, const std::string& key, int64_t min) {
  if (!v.is_number_integer() || v.get<int64_t>() < min)
    fail(key, "expected an integer >= " + std::to_string(min) + ", got " + v.dump());
  return v.get<int64_t>();
}

inline double get_number(const json& v, const std::string& key) {
  if (!v.is_number()) fail(key, "expected a number, got " + v.dump());
  return v.get<double>();
}

inline std::string get_string(const json& v, const std::string& key) {
  if (!v.is_string() || v.get<std::string>().empty()) fail(key, "expected a non-empty string, got " + v.dump());
  return v.get<std::string>();
}

inline bool get_bool(const json& v, const std::string& key) {
  if (!v.is_boolean()) fail(key, "expected true or false, got " + v.dump());
  return v.get<bool>();
}

inline const json& get_object(const json& j, const std::string& key) {
  if (!j.is_object()) fail(key, "expected an object {...}, got " + j.dump());
  return j;
}

inline Shape get_shape(const json& v, const std::string& key) {
  if (!v.is_array() || v.empty()) fail(key, "expected a per-sample shape like [28, 28, 1], got " + v.dump());
  Shape s;
  for (size_t i = 0; i < v.size(); ++i) s.push_back(get_int(v[i], key + "[" + std::to_string(i) + "]", 1));
  return s;
}

inline std::string resolve(const std::string& base_dir, const std::string& p) {
  if (base_dir.empty() || std::filesystem::path(p).is_absolute()) return p;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

inline std::string existing_file(const json& v, const std::string& key, const std::string& base_dir) {
  const std::string p = resolve(base_dir, get_string(v, key));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) fail(key, "file not found: " + p);
  return p;
}

}  // namespace tinyforge::nn::config_json
