#include "tinyforge/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "eval/sample_io.h"
#include "tinyforge/error.h"

namespace tinyforge::eval {

EvalResult evaluate_model(const ModelBytes& model, const LabelledData& data, const EvalOptions& options) {
  validate(data);
  if (options.limit < 0) throw Error("the sample limit must be positive");
  Runner runner(model);
  micro::Interpreter& interp = runner.interpreter();
  if (interp.num_inputs() != 1) {
    throw Error("evaluate needs a model with one input; this one has " + std::to_string(interp.num_inputs()));
  }
  detail::check_sample_shape(interp, data.x);
  const size_t outputs = static_cast<size_t>(interp.output_info(0).shape.flat_size());
  detail::Scorer scorer(data, outputs, options.task);
  const int64_t n = options.limit > 0 ? std::min(options.limit, data.size()) : data.size();
  EvalResult r;
  r.source = data.source;
  r.arena_bytes = runner.arena_bytes();
  for (int64_t i = 0; i < n; ++i) scorer.add(i, detail::run_sample(interp, data.x, i, &r.invoke_seconds));
  scorer.finish(&r);
  if (r.task == Task::kClassification && data.class_names.size() == static_cast<size_t>(r.num_classes)) {
    r.class_names = data.class_names;
  }
  return r;
}

std::string eval_text(const EvalResult& r, bool with_confusion) {
  std::string s =
      fmt::format("data: {} ({} samples, labels as {})\n", r.source, r.samples, label_format_name(r.label_format));
  if (r.task == Task::kRegression) {
    s += fmt::format("regression: mse {:.6g}  mae {:.6g}\n", r.mse, r.mae);
  } else {
    s += fmt::format("accuracy: {:.4f} ({} of {} correct, {} classes)\n", r.accuracy, r.correct, r.samples,
                     r.num_classes);
    if (with_confusion && !r.confusion.empty()) {
      s += "confusion (rows: true class, columns: predicted; recall at the end):\n      ";
      for (size_t c = 0; c < r.confusion.size(); ++c) s += fmt::format("{:>6}", c);
      s += "  recall\n";
      for (size_t t = 0; t < r.confusion.size(); ++t) {
        int64_t total = 0;
        for (int64_t v : r.confusion[t]) total += v;
        s += fmt::format("{:>6}", t);
        for (int64_t v : r.confusion[t]) s += fmt::format("{:>6}", v);
        s += total ? fmt::format("  {:.3f}\n", static_cast<double>(r.confusion[t][t]) / static_cast<double>(total))
                   : "       -\n";
      }
      if (!r.class_names.empty()) {
        s += "classes:";
        for (size_t c = 0; c < r.class_names.size(); ++c)
          s += fmt::format(" {} {}{}", c, r.class_names[c], c + 1 < r.class_names.size() ? "," : "");
        s += "\n";
      }
      // The most frequent mistakes, which a full matrix hides in a larger model.
      std::vector<std::tuple<int64_t, size_t, size_t>> mistakes;
      for (size_t t = 0; t < r.confusion.size(); ++t) {
        for (size_t p = 0; p < r.confusion.size(); ++p) {
          if (t != p && r.confusion[t][p] > 0) mistakes.emplace_back(r.confusion[t][p], t, p);
        }
      }
      std::stable_sort(mistakes.begin(), mistakes.end(),
                       [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
      auto name = [&](size_t c) { return c < r.class_names.size() ? r.class_names[c] : std::to_string(c); };
      if (!mistakes.empty()) s += "most confused (true->predicted):";
      for (size_t k = 0; k < mistakes.size() && k < 3; ++k) {
        s += fmt::format(" {}->{} x{}{}", name(std::get<1>(mistakes[k])), name(std::get<2>(mistakes[k])),
                         std::get<0>(mistakes[k]), k + 1 < std::min<size_t>(3, mistakes.size()) ? "," : "");
      }
      if (!mistakes.empty()) s += "\n";
    }
  }
  s += fmt::format("time: {:.3f} s invoking ({:.1f} us per sample), arena {} bytes\n", r.invoke_seconds,
                   r.samples ? r.invoke_seconds * 1e6 / static_cast<double>(r.samples) : 0.0, r.arena_bytes);
  return s;
}

nlohmann::json eval_json(const EvalResult& r) {
  nlohmann::json j = {
      {"data", r.source},     {"task", task_name(r.task)},          {"labels", label_format_name(r.label_format)},
      {"samples", r.samples}, {"invoke_seconds", r.invoke_seconds}, {"arena_bytes", r.arena_bytes}};
  if (r.task == Task::kRegression) {
    j["mse"] = r.mse;
    j["mae"] = r.mae;
  } else {
    j["accuracy"] = r.accuracy;
    j["correct"] = r.correct;
    j["num_classes"] = r.num_classes;
    j["confusion"] = r.confusion;
    if (!r.class_names.empty()) j["class_names"] = r.class_names;
  }
  return j;
}

}  // namespace tinyforge::eval
