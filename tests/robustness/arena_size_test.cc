// The exact-arena promise: allocate() in exact_arena_bytes() succeeds; 8 bytes less fails
// with kArenaTooSmall and reports the exact size through required_arena_bytes(), so a
// user can size the arena from one failed attempt.
#include <gtest/gtest.h>

#include "robustness/robustness_support.h"
#include "tinyforge/error.h"
#include "tinyforge/micro/kernels.h"
#include "tinyforge/runtime.h"

namespace tinyforge::test {
namespace {

using micro::Status;

struct Attempt {
  Status status;
  size_t required;
  size_t used;
  std::string error;
};

Attempt allocate_in(const ModelBytes& model, const micro::OpResolver& resolver, size_t arena_bytes) {
  AlignedBytes arena(arena_bytes);
  micro::Interpreter interp(model.data(), model.size(), resolver, arena.data(), arena_bytes);
  const Status s = interp.allocate();
  return {s, interp.required_arena_bytes(), interp.arena_used_bytes(), interp.error()};
}

void check_exact(const std::string& name, const ModelBytes& model, const micro::OpResolver& resolver, size_t exact) {
  const Attempt fit = allocate_in(model, resolver, exact);
  EXPECT_EQ(fit.status, Status::kOk) << name << " in " << exact << " bytes: " << fit.error;
  EXPECT_EQ(fit.used, exact) << name;
  for (size_t less : {size_t{8}, size_t{1}}) {
    const Attempt small = allocate_in(model, resolver, exact - less);
    EXPECT_EQ(small.status, Status::kArenaTooSmall) << name << " in " << exact - less << " bytes: " << small.error;
    EXPECT_EQ(small.required, exact) << name << " in " << exact - less << " bytes (\"" << small.error << "\")";
    EXPECT_FALSE(small.error.empty()) << name;
  }
  // Far too small: still a clean kArenaTooSmall, never a crash.
  for (size_t tiny : {size_t{0}, size_t{16}, size_t{64}, exact / 2}) {
    const Attempt a = allocate_in(model, resolver, tiny);
    EXPECT_EQ(a.status, Status::kArenaTooSmall) << name << " in " << tiny << " bytes: " << a.error;
    EXPECT_FALSE(a.error.empty()) << name;
  }
}

bool out_of_scope(const std::string& name) {
  return name.rfind("audio_preprocessor", 0) == 0 || name == "person_detect_vela.tflite";
}

// With the real kernels and the host's exact_arena_bytes(), for every model whose kernels exist.
TEST(ArenaSize, ExactArenaBytesIsExact) {
  micro::OpResolver resolver;
  micro::register_all_kernels(&resolver);
  int checked = 0;
  for (const std::string& name : shared_model_names()) {
    if (out_of_scope(name)) continue;
    const ModelBytes model = ModelBytes::load(shared_path("models/" + name));
    size_t exact = 0;
    try {
      exact = exact_arena_bytes(model);
    } catch (const Error& e) {
      std::printf("skipped %s: %s\n", name.c_str(), e.what());
      continue;
    }
    check_exact(name, model, resolver, exact);
    ++checked;
  }
  std::printf("exact arena checked on %d models with real kernels\n", checked);
}

// The same promise for every in-scope model, missing kernels replaced by stand-ins, so the
// planner is held to it even before every kernel exists.
TEST(ArenaSize, ExactWithStandIns) {
  for (const std::string& name : shared_model_names()) {
    if (out_of_scope(name)) continue;
    const ModelBytes model = ModelBytes::load(shared_path("models/" + name));
    const Attempt big = allocate_in(model, robustness_resolver(), 8u << 20);
    ASSERT_EQ(big.status, Status::kOk) << name << ": " << big.error;
    check_exact(name, model, robustness_resolver(), big.used);
  }
}

TEST(ArenaSize, NoArenaIsABadArgument) {
  const ModelBytes model = ModelBytes::load(shared_path("models/hello_world_int8.tflite"));
  micro::Interpreter interp(model.data(), model.size(), robustness_resolver(), nullptr, 1024);
  EXPECT_EQ(interp.allocate(), Status::kBadArgument);
  EXPECT_STRNE(interp.error(), "");
  EXPECT_EQ(interp.invoke(), Status::kNotReady);
  EXPECT_EQ(interp.input_data(0), nullptr);
}

}  // namespace
}  // namespace tinyforge::test
