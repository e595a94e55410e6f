// Initializers: Keras' fan computation, the variance-scaling bounds and spreads worked out from
// their definitions, seeded determinism, config round trip.
#include "tinyforge/nn/initializers.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tinyforge/error.h"

namespace tinyforge::nn {
namespace {

TEST(Initializers, FansAsKerasComputesThem) {
  EXPECT_EQ(compute_fans({}), (std::pair<double, double>{1, 1}));
  EXPECT_EQ(compute_fans({7}), (std::pair<double, double>{7, 7}));
  EXPECT_EQ(compute_fans({3, 5}), (std::pair<double, double>{3, 5}));          // Dense [in, units]
  EXPECT_EQ(compute_fans({3, 3, 4, 8}), (std::pair<double, double>{36, 72}));  // Conv2D
  EXPECT_EQ(compute_fans({3, 3, 4, 2}), (std::pair<double, double>{36, 18}));  // Depthwise [kh, kw, C, M]
  EXPECT_EQ(compute_fans({5, 2, 6}), (std::pair<double, double>{10, 30}));     // Conv1D [k, in, out]
}

double mean(const Tensor& t) {
  double s = 0;
  for (float v : t.values()) s += v;
  return s / static_cast<double>(t.size());
}
double stddev(const Tensor& t) {
  const double m = mean(t);
  double s = 0;
  for (float v : t.values()) s += (v - m) * (v - m);
  return std::sqrt(s / static_cast<double>(t.size()));
}
float max_abs(const Tensor& t) {
  float m = 0;
  for (float v : t.values()) m = std::max(m, std::fabs(v));
  return m;
}

TEST(Initializers, UniformSchemesUseTheKerasLimit) {
  // [in=100, out=300]: glorot limit sqrt(6 / 400); he sqrt(6 / 100); lecun sqrt(3 / 100).
  const Shape s = {100, 300};
  Rng rng(1);
  struct Case {
    const char* name;
    double limit;
  };
  for (const Case c : {Case{"glorot_uniform", std::sqrt(6.0 / 400)}, Case{"he_uniform", std::sqrt(6.0 / 100)},
                       Case{"lecun_uniform", std::sqrt(3.0 / 100)}}) {
    SCOPED_TRACE(c.name);
    Tensor t = initialize(c.name, s, rng);
    EXPECT_LE(max_abs(t), c.limit);
    EXPECT_GT(max_abs(t), 0.98 * c.limit);
    EXPECT_NEAR(stddev(t), c.limit / std::sqrt(3.0), 0.02 * c.limit);
    EXPECT_NEAR(mean(t), 0.0, 0.02 * c.limit);
  }
}

TEST(Initializers, TorchDefaultIsUniformOverOneOverSqrtFanIn) {
  // PyTorch's kaiming_uniform(a = sqrt(5)): bound = sqrt(6 / ((1 + 5) * fan_in)) = 1 / sqrt(fan_in).
  // Conv2D kernel [3, 3, 16, 32]: fan_in = 144, bound 1/12; Dense [800, 64]: fan_in 800.
  Rng rng(3);
  struct Case {
    Shape shape;
    double limit;
  };
  for (const Case& c : {Case{{3, 3, 16, 32}, 1.0 / 12.0}, Case{{800, 64}, 1.0 / std::sqrt(800.0)}}) {
    SCOPED_TRACE(shape_str(c.shape));
    Tensor t = initialize("torch_default", c.shape, rng);
    EXPECT_LE(max_abs(t), c.limit);
    EXPECT_GT(max_abs(t), 0.98 * c.limit);
    EXPECT_NEAR(stddev(t), c.limit / std::sqrt(3.0), 0.03 * c.limit);
    EXPECT_NEAR(mean(t), 0.0, 0.03 * c.limit);
  }
  EXPECT_EQ(initialize("TorchDefault", {2, 2}, rng).size(), 4);  // the Keras-style class name works too
}

TEST(Initializers, NormalSchemesAreTruncatedWithTheTargetSpread) {
  // Conv kernel [3, 3, 16, 32]: fan_in 144, fan_out 288. After truncation at 2 sigma the spread is
  // sqrt(scale / n) exactly (Keras rescales by 0.8796...), and nothing lies beyond 2 / 0.8796 of it.
  const Shape s = {3, 3, 16, 32};
  Rng rng(2);
  struct Case {
    const char* name;
    double target;
  };
  for (const Case c : {Case{"glorot_normal", std::sqrt(2.0 / (144 + 288))}, Case{"he_normal", std::sqrt(2.0 / 144)},
                       Case{"lecun_normal", std::sqrt(1.0 / 144)}}) {
    SCOPED_TRACE(c.name);
    Tensor t = initialize(c.name, s, rng);
    EXPECT_NEAR(stddev(t), c.target, 0.04 * c.target);
    EXPECT_LE(max_abs(t), 2.0 * c.target / 0.87962566103423978 * 1.0001);
  }
}

TEST(Initializers, SimpleOnesAndParameters) {
  Rng rng(3);
  const Tensor zeros = initialize("zeros", {4}, rng), ones = initialize("Ones", {4}, rng),
               quarter = initialize(Constant(0.25), {4}, rng);
  EXPECT_EQ(zeros.to_vector(), std::vector<float>(4, 0.0f));
  EXPECT_EQ(ones.to_vector(), std::vector<float>(4, 1.0f));
  EXPECT_EQ(quarter.to_vector(), std::vector<float>(4, 0.25f));
  Tensor n = initialize(RandomNormal(1.0, 0.5), {20000}, rng);
  EXPECT_NEAR(mean(n), 1.0, 0.02);
  EXPECT_NEAR(stddev(n), 0.5, 0.02);
  Tensor u = initialize(RandomUniform(2.0, 3.0), {20000}, rng);
  for (float v : u.values()) {
    EXPECT_GE(v, 2.0f);
    EXPECT_LT(v, 3.0f);
  }
  Tensor d = initialize("random_uniform", {20000}, rng);  // Keras default [-0.05, 0.05)
  EXPECT_LE(max_abs(d), 0.05f);
  Tensor tn = initialize("truncated_normal", {20000}, rng);  // Keras default stddev 0.05, cut at 2 sigma
  EXPECT_LE(max_abs(tn), 0.1f);
  EXPECT_THROW(initialize("orthogonalish", {2}, rng), Error);
}

TEST(Initializers, SameSeedSameWeights) {
  Rng a(9), b(9), c(10);
  const Tensor ta = initialize("he_normal", {8, 8}, a);
  EXPECT_EQ(ta.values(), initialize("he_normal", {8, 8}, b).values());
  EXPECT_NE(ta.values(), initialize("he_normal", {8, 8}, c).values());
}

TEST(Initializers, JsonRoundTrip) {
  EXPECT_EQ(Initializer("glorot_uniform").to_json(), "glorot_uniform");
  EXPECT_EQ(Initializer("GlorotUniform").to_json(), "glorot_uniform");
  const nlohmann::json j = Constant(0.5).to_json();
  EXPECT_EQ(j["class_name"], "Constant");
  EXPECT_EQ(j["config"]["value"], 0.5);
  const Initializer back = Initializer::from_json(RandomNormal(0.1, 0.2).to_json());
  EXPECT_EQ(back.name, "random_normal");
  EXPECT_DOUBLE_EQ(back.mean, 0.1);
  EXPECT_DOUBLE_EQ(back.stddev, 0.2);
  EXPECT_EQ(Initializer::from_json({{"class_name", "HeNormal"}, {"config", {{"seed", nullptr}}}}).name, "he_normal");
  EXPECT_THROW(Initializer::from_json(3), Error);
}

}  // namespace
}  // namespace tinyforge::nn
