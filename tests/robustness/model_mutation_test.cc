// Thousands of damaged variants of every shared model (truncated, bytes and 32-bit words
// overwritten) must each either fail cleanly (a Status other than kOk and a message) or
// allocate and invoke normally. Run under ASan+UBSan this is what shows a crash; in any
// build it checks the "never a silent failure" contract. Deterministic: fixed seeds.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "robustness/robustness_support.h"

namespace tinyforge::test {
namespace {

struct Counts {
  int variants = 0;
  int failed_cleanly = 0;
  int invoked = 0;
};

// Byte ranges of the model that hold constant tensor data. Damage there only changes
// weights, so most damage is aimed at the rest: the structure the verifier must guard.
std::vector<bool> weight_bytes(const std::vector<uint8_t>& bytes) {
  std::vector<bool> is_weight(bytes.size(), false);
  AlignedBytes copy(bytes);
  micro::ErrorBuffer err;
  micro::Model m;
  if (m.verify(copy.data(), copy.size(), &err) != micro::Status::kOk) return is_weight;
  for (uint32_t t = 0; t < m.num_tensors(); ++t) {
    const micro::TensorInfo info = m.tensor(t);
    if (!info.const_data) continue;
    const size_t begin = static_cast<size_t>(info.const_data - copy.data());
    for (size_t k = begin; k < begin + info.bytes && k < bytes.size(); ++k) is_weight[k] = true;
  }
  return is_weight;
}

class Mutator {
 public:
  Mutator(const std::string& name, const std::vector<uint8_t>& original)
      : name_(name), original_(original), rng_(static_cast<uint32_t>(fnv1a64(name.data(), name.size()))) {
    const std::vector<bool> w = weight_bytes(original);
    for (uint32_t i = 0; i < original.size(); ++i) (w[i] ? weights_ : structure_).push_back(i);
  }

  // A position, 7 times in 8 in the structure.
  uint32_t position(uint32_t align) {
    const std::vector<uint32_t>& from = (weights_.empty() || rng_() % 8 != 0) && !structure_.empty() ? structure_
                                                                                                     : weights_;
    uint32_t p = from[rng_() % from.size()] & ~(align - 1);
    if (p + align > original_.size()) p = static_cast<uint32_t>(original_.size() - align) & ~(align - 1);
    return p;
  }

  void check(const std::vector<uint8_t>& variant, const std::string& what, Counts* c) {
    // A sanitizer aborts the process without a test failure: name the variant first.
    static const bool trace = std::getenv("TINYFORGE_TRACE_VARIANTS") != nullptr;
    if (trace) std::fprintf(stderr, "variant: %s %s\n", name_.c_str(), what.c_str());
    AlignedBytes bytes(variant);
    const RunOutcome r = run_model(bytes.data(), bytes.size());
    ++c->variants;
    if (r.allocate != micro::Status::kOk) ++c->failed_cleanly;
    if (r.invoked) ++c->invoked;
    EXPECT_TRUE(r.problem.empty()) << name_ << " " << what << ": " << r.problem;
  }

  void truncations(int count, Counts* c) {
    const uint32_t n = static_cast<uint32_t>(original_.size());
    std::vector<uint32_t> cuts = {0, 1, 4, 7, 8, 15, 16, 17, 24, 32, 64, n / 2, n - 1, n - 4, n - 16};
    while (static_cast<int>(cuts.size()) < count) cuts.push_back(rng_() % n);
    for (uint32_t cut : cuts) {
      if (cut >= n) continue;
      check(std::vector<uint8_t>(original_.begin(), original_.begin() + cut), "truncated to " + std::to_string(cut), c);
    }
  }

  void bytes(int count, Counts* c) {
    static const uint8_t kValues[] = {0x00, 0xff, 0x80, 0x7f, 0x01, 0x02, 0x06, 0x07, 0x10, 0xfe};
    std::vector<uint8_t> v = original_;
    for (int k = 0; k < count; ++k) {
      const uint32_t p = position(1);
      const uint8_t value = k % 4 == 3 ? static_cast<uint8_t>(rng_()) : kValues[rng_() % sizeof(kValues)];
      if (value == original_[p]) continue;
      v[p] = value;
      check(v, "byte " + std::to_string(p) + " = " + std::to_string(value), c);
      v[p] = original_[p];
    }
  }

  void words(int count, Counts* c) {
    std::vector<uint8_t> v = original_;
    const uint32_t n = static_cast<uint32_t>(original_.size());
    for (int k = 0; k < count; ++k) {
      const uint32_t p = position(4);
      const uint32_t old = get_u32(original_, p);
      // Offsets are relative to where they are stored: n - p points exactly at the end,
      // 0u - p back at byte 0 (as a signed vtable offset: forward to byte 2p).
      const uint32_t candidates[] = {0u,         0xffffffffu, 1u,         2u,          4u,        7u,
                                     0x7fffffffu, 0x80000000u, 0xfffffffcu, 0x10000u,   0xffffu,   1000000u,
                                     n - p,      n - p - 4,   n - p + 4,  0u - p,      p,         old + 4,
                                     old - 4,    old * 2,     old + 1,    old ^ 0x80000000u, 6u, 65535u * 4};
      const uint32_t value = candidates[rng_() % (sizeof(candidates) / sizeof(candidates[0]))];
      if (value == old) continue;
      put_u32(v, p, value);
      char what[64];
      std::snprintf(what, sizeof(what), "word at %u = 0x%08x (was 0x%08x)", p, value, old);
      check(v, what, c);
      put_u32(v, p, old);
    }
  }

  // Two damaged places at once: each alone may be caught by the same check.
  void pairs(int count, Counts* c) {
    std::vector<uint8_t> v = original_;
    for (int k = 0; k < count; ++k) {
      const uint32_t a = position(1), b = position(4);
      const uint8_t va = static_cast<uint8_t>(rng_());
      const uint32_t vb = rng_() % 3 == 0 ? rng_() : rng_() % 64;
      v[a] = va;
      put_u32(v, b, vb);
      check(v, "byte " + std::to_string(a) + " = " + std::to_string(va) + " and word " + std::to_string(b) + " = " +
                   std::to_string(vb),
            c);
      std::copy(original_.begin() + a, original_.begin() + a + 1, v.begin() + a);
      std::copy(original_.begin() + b, original_.begin() + b + 4, v.begin() + b);
    }
  }

 private:
  std::string name_;
  const std::vector<uint8_t>& original_;
  std::mt19937 rng_;
  std::vector<uint32_t> weights_;
  std::vector<uint32_t> structure_;
};

// Large models cost more per variant (a verify walks every tensor; an invoke runs every
// kernel), so they get fewer; the totals stay in the thousands.
int budget(size_t model_bytes) { return model_bytes > 100000 ? 250 : model_bytes > 20000 ? 800 : 1500; }

class ModelMutation : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelMutation, EveryVariantFailsCleanlyOrRuns) {
  const std::string name = GetParam();
  const std::vector<uint8_t> original = read_file(shared_path("models/" + name));
  ASSERT_FALSE(original.empty());
  const auto start = std::chrono::steady_clock::now();
  Counts c;
  Mutator m(name, original);
  const int n = budget(original.size());
  m.truncations(n / 6, &c);
  m.bytes(n, &c);
  m.words(n, &c);
  m.pairs(n / 2, &c);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%-34s %5d variants: %5d failed cleanly, %5d allocated and invoked (%.1f s)\n", name.c_str(),
              c.variants, c.failed_cleanly, c.invoked, secs);
  EXPECT_GT(c.variants, n);
}

INSTANTIATE_TEST_SUITE_P(SharedModels, ModelMutation, ::testing::ValuesIn(shared_model_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string s = info.param.substr(0, info.param.find('.'));
                           for (char& ch : s) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return s;
                         });

// The originals themselves must load (those whose kernels exist) or fail cleanly.
TEST(ModelMutation, OriginalsRunOrFailCleanly) {
  for (const std::string& name : shared_model_names()) {
    AlignedBytes bytes(read_file(shared_path("models/" + name)));
    const RunOutcome r = run_model(bytes.data(), bytes.size());
    EXPECT_TRUE(r.problem.empty()) << name << ": " << r.problem;
    // The Signal and Ethos-U custom ops are out of scope; everything else must get through.
    const bool out_of_scope = name.rfind("audio_preprocessor", 0) == 0 || name == "person_detect_vela.tflite";
    if (out_of_scope) {
      EXPECT_EQ(r.allocate, micro::Status::kUnsupported) << name << ": " << r.error;
    } else {
      EXPECT_EQ(r.allocate, micro::Status::kOk) << name << ": " << r.error;
      EXPECT_EQ(r.invoke, micro::Status::kOk) << name << ": " << r.error;
    }
  }
}

}  // namespace
}  // namespace tinyforge::test
