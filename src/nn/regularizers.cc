// L1/L2 weight penalties (Keras definitions, see regularizers.h).
#include "tinyforge/nn/regularizers.h"

#include <cmath>

#include "tinyforge/error.h"

namespace tinyforge::nn {

L1L2::L1L2(double l1, double l2) : l1_(l1), l2_(l2) {
  if (l1 < 0 || l2 < 0)
    throw Error("regularizer factors must be >= 0 (got l1=" + std::to_string(l1) + ", l2=" + std::to_string(l2) + ")");
}

double L1L2::penalty(const Tensor& w) const {
  double a = 0, s = 0;
  for (float v : w.values()) {
    a += std::abs(double(v));
    s += double(v) * double(v);
  }
  return l1_ * a + l2_ * s;
}

void L1L2::add_gradient(const Tensor& w, Tensor& grad) const {
  if (grad.size() != w.size())
    throw Error("regularizer: gradient " + shape_str(grad.shape()) + " does not match weight " + shape_str(w.shape()));
  const float l1 = float(l1_), two_l2 = float(2.0 * l2_);
  float* g = grad.data();
  const float* x = w.data();
  for (int64_t i = 0; i < w.size(); ++i) {
    const float s = x[i] > 0 ? 1.0f : (x[i] < 0 ? -1.0f : 0.0f);
    g[i] += l1 * s + two_l2 * x[i];
  }
}

std::shared_ptr<Regularizer> make_regularizer(const std::string& name) {
  if (name == "l1") return std::make_shared<L1>();
  if (name == "l2") return std::make_shared<L2>();
  if (name == "l1_l2" || name == "l1l2") return std::make_shared<L1L2>(0.01, 0.01);  // as Keras 2 l1_l2()
  throw Error("unknown regularizer '" + name + "'; known: l1, l2, l1_l2");
}

nlohmann::json regularizer_to_json(const Regularizer* r) {
  if (!r) return nullptr;
  const auto* p = dynamic_cast<const L1L2*>(r);
  if (!p) throw Error("custom regularizers cannot be saved; use L1, L2 or L1L2");
  if (dynamic_cast<const L1*>(r)) return {{"class_name", "L1"}, {"config", {{"l1", p->l1()}}}};
  if (dynamic_cast<const L2*>(r)) return {{"class_name", "L2"}, {"config", {{"l2", p->l2()}}}};
  return {{"class_name", "L1L2"}, {"config", {{"l1", p->l1()}, {"l2", p->l2()}}}};
}

std::shared_ptr<Regularizer> regularizer_from_json(const nlohmann::json& j) {
  if (j.is_null()) return nullptr;
  if (j.is_string()) return make_regularizer(j.get<std::string>());
  try {
    const std::string cls = j.at("class_name").get<std::string>();
    const nlohmann::json c = j.value("config", nlohmann::json::object());
    if (cls == "L1") return std::make_shared<L1>(c.value("l1", 0.01));
    if (cls == "L2") return std::make_shared<L2>(c.value("l2", 0.01));
    if (cls == "L1L2") return std::make_shared<L1L2>(c.value("l1", 0.0), c.value("l2", 0.0));
    throw Error("unknown regularizer class '" + cls + "'; known: L1, L2, L1L2");
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("bad regularizer config: ") + e.what());
  }
}

}  // namespace tinyforge::nn
