// Test harness for the micro kernels: builds a one-operator .tflite in memory with FlatBuffers'
// untyped table API (field ids from TFLite's schema.fbs; per-tensor or per-channel quantization;
// int8, int32 and float option fields), runs it through the micro Interpreter with only the
// kernel under test registered, and reads the outputs back.
#pragma once

#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "support/test_support.h"
#include "tinyforge/micro/interpreter.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge::test::single_op {

using micro::Status;
using micro::TensorType;

struct TensorSpec {
  TensorType type = TensorType::kFloat32;
  std::vector<int32_t> shape;
  std::vector<float> scales;        // empty: not quantized
  std::vector<int64_t> zero_points;
  int32_t quantized_dimension = 0;
  std::vector<uint8_t> const_data;  // non-empty: a constant tensor
};

inline TensorSpec tensor(TensorType type, std::vector<int32_t> shape) {
  TensorSpec t;
  t.type = type;
  t.shape = std::move(shape);
  return t;
}

inline TensorSpec qtensor(TensorType type, std::vector<int32_t> shape, float scale, int64_t zero_point) {
  TensorSpec t = tensor(type, std::move(shape));
  t.scales = {scale};
  t.zero_points = {zero_point};
  return t;
}

// Per-channel (symmetric) quantization along `axis`.
inline TensorSpec pctensor(TensorType type, std::vector<int32_t> shape, std::vector<float> scales, int32_t axis) {
  TensorSpec t = tensor(type, std::move(shape));
  t.zero_points.assign(scales.size(), 0);
  t.scales = std::move(scales);
  t.quantized_dimension = axis;
  return t;
}

template <typename T>
TensorSpec constant(TensorSpec t, const std::vector<T>& values) {
  t.const_data.resize(values.size() * sizeof(T));
  std::memcpy(t.const_data.data(), values.data(), t.const_data.size());
  return t;
}

// One scalar field of the operator's builtin options table.
struct OptionField {
  enum Kind { kInt8, kInt32, kFloat } kind;
  int id;
  double value;
};
inline OptionField opt_i8(int id, int value) { return {OptionField::kInt8, id, static_cast<double>(value)}; }
inline OptionField opt_i32(int id, int32_t value) { return {OptionField::kInt32, id, static_cast<double>(value)}; }
inline OptionField opt_f32(int id, float value) { return {OptionField::kFloat, id, static_cast<double>(value)}; }

// BuiltinOptions union type codes (schema.fbs); kNoOptions writes no options table.
constexpr uint8_t kNoOptions = 0;
constexpr uint8_t kConv2DOptions = 1;
constexpr uint8_t kDepthwiseConv2DOptions = 2;
constexpr uint8_t kPool2DOptions = 5;
constexpr uint8_t kFullyConnectedOptions = 8;

inline flatbuffers::voffset_t field(int id) { return static_cast<flatbuffers::voffset_t>(4 + 2 * id); }

inline std::vector<uint8_t> build_model(int32_t builtin, int32_t version, const std::vector<TensorSpec>& tensors,
                                        const std::vector<int32_t>& op_inputs, const std::vector<int32_t>& op_outputs,
                                        const std::vector<OptionField>& options, uint8_t options_type) {
  flatbuffers::FlatBufferBuilder b;
  b.ForceDefaults(true);
  std::vector<flatbuffers::Offset<void>> buffers;
  std::vector<uint32_t> tensor_buffer(tensors.size(), 0);
  {
    auto start = b.StartTable();  // buffer 0: the empty buffer
    buffers.push_back(flatbuffers::Offset<void>(b.EndTable(start)));
  }
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].const_data.empty()) continue;
    b.ForceVectorAlignment(tensors[i].const_data.size(), 1, 16);
    auto data = b.CreateVector(tensors[i].const_data);
    auto start = b.StartTable();
    b.AddOffset(field(0), data);
    tensor_buffer[i] = static_cast<uint32_t>(buffers.size());
    buffers.push_back(flatbuffers::Offset<void>(b.EndTable(start)));
  }
  std::vector<flatbuffers::Offset<void>> tensor_tables;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorSpec& t = tensors[i];
    auto shape = b.CreateVector(t.shape);
    auto name = b.CreateString("t" + std::to_string(i));
    flatbuffers::Offset<void> quant;
    const bool quantized = !t.scales.empty();
    if (quantized) {
      auto scales = b.CreateVector(t.scales);
      auto zps = b.CreateVector(t.zero_points);
      auto qs = b.StartTable();
      b.AddOffset(field(2), scales);
      b.AddOffset(field(3), zps);
      b.AddElement<int32_t>(field(6), t.quantized_dimension, 0);
      quant = flatbuffers::Offset<void>(b.EndTable(qs));
    }
    auto start = b.StartTable();
    b.AddOffset(field(0), shape);
    b.AddElement<int8_t>(field(1), static_cast<int8_t>(t.type), 0);
    b.AddElement<uint32_t>(field(2), tensor_buffer[i], 0);
    b.AddOffset(field(3), name);
    if (quantized) b.AddOffset(field(4), quant);
    tensor_tables.push_back(flatbuffers::Offset<void>(b.EndTable(start)));
  }
  flatbuffers::Offset<void> opts;
  if (options_type != kNoOptions) {
    auto start = b.StartTable();
    for (const OptionField& f : options) {
      if (f.kind == OptionField::kInt8)
        b.AddElement<int8_t>(field(f.id), static_cast<int8_t>(f.value), 0);
      else if (f.kind == OptionField::kInt32)
        b.AddElement<int32_t>(field(f.id), static_cast<int32_t>(f.value), 0);
      else
        b.AddElement<float>(field(f.id), static_cast<float>(f.value), 0.0f);
    }
    opts = flatbuffers::Offset<void>(b.EndTable(start));
  }
  auto in_vec = b.CreateVector(op_inputs);
  auto out_vec = b.CreateVector(op_outputs);
  auto op_start = b.StartTable();
  b.AddElement<uint32_t>(field(0), 0, 0);
  b.AddOffset(field(1), in_vec);
  b.AddOffset(field(2), out_vec);
  if (options_type != kNoOptions) {
    b.AddElement<uint8_t>(field(3), options_type, 0);
    b.AddOffset(field(4), opts);
  }
  auto op = flatbuffers::Offset<void>(b.EndTable(op_start));

  std::vector<int32_t> graph_inputs;
  for (int32_t t : op_inputs) {
    if (t >= 0 && tensors[static_cast<size_t>(t)].const_data.empty()) graph_inputs.push_back(t);
  }
  auto tensors_vec = b.CreateVector(tensor_tables);
  auto gin = b.CreateVector(graph_inputs);
  auto gout = b.CreateVector(op_outputs);
  auto ops_vec = b.CreateVector(std::vector<flatbuffers::Offset<void>>{op});
  auto sg_name = b.CreateString("main");
  auto sg_start = b.StartTable();
  b.AddOffset(field(0), tensors_vec);
  b.AddOffset(field(1), gin);
  b.AddOffset(field(2), gout);
  b.AddOffset(field(3), ops_vec);
  b.AddOffset(field(4), sg_name);
  auto subgraph = flatbuffers::Offset<void>(b.EndTable(sg_start));

  auto oc_start = b.StartTable();
  b.AddElement<int8_t>(field(0), static_cast<int8_t>(builtin < 127 ? builtin : 127), 0);
  b.AddElement<int32_t>(field(2), version, 1);
  b.AddElement<int32_t>(field(3), builtin, 0);
  auto opcode = flatbuffers::Offset<void>(b.EndTable(oc_start));

  auto opcodes_vec = b.CreateVector(std::vector<flatbuffers::Offset<void>>{opcode});
  auto subgraphs_vec = b.CreateVector(std::vector<flatbuffers::Offset<void>>{subgraph});
  auto buffers_vec = b.CreateVector(buffers);
  auto desc = b.CreateString("single-op kernel test");
  auto m_start = b.StartTable();
  b.AddElement<uint32_t>(field(0), 3, 0);
  b.AddOffset(field(1), opcodes_vec);
  b.AddOffset(field(2), subgraphs_vec);
  b.AddOffset(field(3), desc);
  b.AddOffset(field(4), buffers_vec);
  auto model = flatbuffers::Offset<void>(b.EndTable(m_start));
  b.Finish(model, "TFL3");
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

// One operator, run through the real interpreter.
class SingleOp {
 public:
  SingleOp(const micro::Kernel& kernel, std::vector<TensorSpec> tensors, std::vector<int32_t> inputs,
           std::vector<int32_t> outputs, std::vector<OptionField> options = {}, uint8_t options_type = kNoOptions,
           int32_t version = 1)
      : arena_(1 << 20) {
    model_ = AlignedBytes(build_model(kernel.builtin, version, tensors, inputs, outputs, options, options_type));
    resolver_.add(kernel);
    interp_ = std::make_unique<micro::Interpreter>(model_.data(), model_.size(), resolver_, arena_.data(),
                                                   arena_.size());
  }

  Status allocate() { return interp_->allocate(); }
  std::string error() const { return interp_->error(); }
  micro::Interpreter& interpreter() { return *interp_; }

  template <typename T>
  void set_input(uint32_t i, const std::vector<T>& values) {
    const micro::TensorInfo info = interp_->input_info(i);
    ASSERT_EQ(values.size() * sizeof(T), info.bytes) << "input " << i;
    std::memcpy(interp_->input_data(i), values.data(), info.bytes);
  }

  template <typename T>
  std::vector<T> output(uint32_t i = 0) const {
    const micro::TensorInfo info = interp_->output_info(i);
    std::vector<T> v(info.bytes / sizeof(T));
    std::memcpy(v.data(), interp_->output_data(i), info.bytes);
    return v;
  }

  // allocate + fill the inputs in order + invoke, failing the test on any error; output 0.
  template <typename In, typename Out = In>
  std::vector<Out> run(const std::vector<std::vector<In>>& inputs) {
    EXPECT_EQ(allocate(), Status::kOk) << error();
    if (::testing::Test::HasFailure()) return {};
    for (size_t i = 0; i < inputs.size(); ++i) set_input(static_cast<uint32_t>(i), inputs[i]);
    if (::testing::Test::HasFailure()) return {};
    EXPECT_EQ(interp_->invoke(), Status::kOk) << error();
    return output<Out>();
  }
  // The same for an operator with one variable input.
  template <typename In, typename Out = In>
  std::vector<Out> run(const std::vector<In>& input) {
    return run<In, Out>(std::vector<std::vector<In>>{input});
  }

  // allocate() must fail with `status` and an error message containing `words`.
  void expect_rejected(Status status, const std::string& words) {
    EXPECT_EQ(allocate(), status) << error();
    EXPECT_NE(error().find(words), std::string::npos) << error();
  }

 private:
  AlignedBytes model_;
  AlignedBytes arena_;
  micro::OpResolver resolver_;
  std::unique_ptr<micro::Interpreter> interp_;
};

// Real value -> quantized integer as a quantized tensor stores it: rounding half away from zero,
// saturating.
inline int32_t quantize_value(double real, double scale, int32_t zero_point, int32_t qmin, int32_t qmax) {
  const double q = std::round(real / scale) + zero_point;
  return static_cast<int32_t>(std::fmin(std::fmax(q, qmin), qmax));
}

}  // namespace tinyforge::test::single_op
