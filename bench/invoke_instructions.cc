// Instructions for exactly one invoke of a model, measured by valgrind's callgrind.
//
// The program loads a model, allocates the exact arena, fills the inputs with the TFLM
// pattern, invokes once to warm up (lazy symbol binding, first-touch page faults), resets the
// variable tensors and refills the inputs (so the measured invoke computes the same outputs as
// the first invoke in reference/tflm_goldens.json), then invokes once more with callgrind's
// collection switched on only around that call. Run it as
//
//   valgrind --tool=callgrind --collect-atstart=no --instr-atstart=yes
//            --callgrind-out-file=OUT build/bin/invoke_instructions MODEL.tflite
//
// (one command line) and read the "totals:" line of OUT; scripts/bench_instructions does this. Outside valgrind the client requests do nothing and the
// program only prints its JSON line (useful to check that a model runs).
#include <valgrind/callgrind.h>

#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>

#include "tinyforge/runtime.h"

namespace {

// Kept out of line so callgrind shows the measured call as one function in its own right.
__attribute__((noinline)) tinyforge::micro::Status measured_invoke(tinyforge::micro::Interpreter& interp) {
  CALLGRIND_TOGGLE_COLLECT;  // on (the run starts with --collect-atstart=no)
  const tinyforge::micro::Status s = interp.invoke();
  CALLGRIND_TOGGLE_COLLECT;  // off
  return s;
}

int run(const std::string& path) {
  tinyforge::Runner runner(tinyforge::ModelBytes::load(path));
  runner.fill_tflm_pattern();
  runner.invoke();  // warm-up
  runner.reset_state();
  runner.fill_tflm_pattern();
  const tinyforge::micro::Status s = measured_invoke(runner.interpreter());
  if (s != tinyforge::micro::Status::kOk) {
    std::fprintf(stderr, "invoke_instructions: %s: invoke failed: %s: %s\n", path.c_str(),
                 tinyforge::micro::status_name(s), runner.interpreter().error());
    return 1;
  }
  const nlohmann::json j = {{"model", path},
                            {"arena_bytes", runner.arena_bytes()},
                            {"operators", runner.model().num_operators()},
                            {"output_fnv1a64", tinyforge::hex16(runner.outputs_fnv1a64())},
                            {"under_valgrind", RUNNING_ON_VALGRIND != 0}};
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s MODEL.tflite\n", argv[0]);
    return 2;
  }
  try {
    return run(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invoke_instructions: %s\n", e.what());
    return 1;
  }
}
