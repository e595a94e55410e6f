// Arm NN as an independent oracle for .tflite files: runs a model through Debian's Arm NN 20.08
// TfLite parser and reference CPU backend (python3-pyarmnn, driven through /usr/bin/python3 and
// tests/support/armnn_run.py in a child process, so Arm NN's own allocations stay out of the
// sanitized test process). See ../shared/notes/armnn-oracle.md for what it accepts.
//
//   ArmnnResult r = armnn_run(write_tflite(graph), {input0});
//   ASSERT_TRUE(r.ok) << r.error;   // r.outputs[k]: output k in model order
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tinyforge/npy.h"

namespace tinyforge::test {

struct ArmnnResult {
  bool ok = false;
  std::string error;  // Arm NN's message when it rejected the model (or why it could not run)
  std::vector<NpyArray> outputs;
};

// One invocation; inputs are in model input order with the model's dtypes and shapes.
ArmnnResult armnn_run(const std::vector<uint8_t>& model, const std::vector<NpyArray>& inputs);

// Helpers for float32 arrays.
NpyArray npy_f32(const std::vector<int64_t>& shape, const std::vector<float>& values);
std::vector<float> npy_values_f32(const NpyArray& a);

}  // namespace tinyforge::test
