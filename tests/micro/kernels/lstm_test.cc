// UNIDIRECTIONAL_SEQUENCE_LSTM: the int16 nonlinearities against real sigmoid/tanh, the
// kernel on the shared LSTM models against TFLite Micro's per-operator hashes, against an
// independent double-precision LSTM, and on small built models (batches, time-major).
#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../../../micro/src/kernels/lstm_activations.h"
#include "robustness/fill_in_kernels.h"
#include "support/test_support.h"
#include "tinyforge/micro/interpreter.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge::micro {
namespace {

// ---------------------------------------------------------------- int16 nonlinearities

TEST(LstmActivations, TableIsSigmoidOfStepsOf1Over24) {
  for (int k = 0; k < 256; ++k) {
    const double want = 65536.0 / (1.0 + std::exp(-k / 24.0));
    EXPECT_LE(std::fabs(lstm::kSigmoidTable[k] - want), 1.5) << "entry " << k;
  }
}

TEST(LstmActivations, SigmoidOfQ3_12IsCloseToTheRealOne) {
  EXPECT_EQ(lstm::kSigmoidTable[0], 32768);
  int worst = 0;
  for (int32_t x = -32768; x <= 32767; ++x) {
    const int16_t in = static_cast<int16_t>(x);
    int16_t out = 0;
    lstm::sigmoid_q3_12(&in, 1, &out);
    const double want = 32768.0 / (1.0 + std::exp(-x / 4096.0));
    const int err = static_cast<int>(std::lround(std::fabs(out - want)));
    worst = err > worst ? err : worst;
    ASSERT_GE(out, 0);
  }
  EXPECT_LE(worst, 4);  // a few Q0.15 units from linear interpolation of a 16-bit table
  const int16_t zero = 0;
  int16_t half = 0;
  lstm::sigmoid_q3_12(&zero, 1, &half);
  EXPECT_EQ(half, 16384);
}

TEST(LstmActivations, TanhIsCloseToTheRealOneAndOdd) {
  for (int32_t power : {-12, -11, -15}) {
    lstm::TanhScaling s;
    ASSERT_TRUE(lstm::tanh_scaling_for_power(power, &s));
    int worst = 0;
    for (int32_t x = -32768; x <= 32767; x += 3) {
      const int16_t in = static_cast<int16_t>(x);
      int16_t out = 0;
      lstm::tanh_q15(&in, 1, s, &out);
      const double want = 32768.0 * std::tanh(std::ldexp(static_cast<double>(x), power));
      const int err = static_cast<int>(std::lround(std::fabs(out - want)));
      worst = err > worst ? err : worst;
      // With a right shift the rescale rounds half up, so only unshifted inputs are exactly odd.
      if (x > -32768 && s.shift == 0) {
        const int16_t neg_in = static_cast<int16_t>(-x);
        int16_t neg_out = 0;
        lstm::tanh_q15(&neg_in, 1, s, &neg_out);
        EXPECT_LE(std::abs(neg_out + out), 2) << "tanh not odd at " << x;
      }
    }
    EXPECT_LE(worst, 8) << "power " << power;
  }
}

TEST(LstmActivations, TanhScalingFollowsTheCellScale) {
  lstm::TanhScaling s;
  ASSERT_TRUE(lstm::tanh_scaling_for_power(-12, &s));  // Q3.12: times 3
  EXPECT_EQ(s.multiplier, 3);
  EXPECT_EQ(s.shift, 0);
  ASSERT_TRUE(lstm::tanh_scaling_for_power(-11, &s));  // one more integer bit: times 6
  EXPECT_EQ(s.multiplier, 6);
  EXPECT_EQ(s.shift, 0);
  ASSERT_TRUE(lstm::tanh_scaling_for_power(-15, &s));  // finer: times 3, rounded shift by 3
  EXPECT_EQ(s.multiplier, 3);
  EXPECT_EQ(s.shift, 3);
  EXPECT_FALSE(lstm::tanh_scaling_for_power(3, &s));   // would overflow int32
  EXPECT_FALSE(lstm::tanh_scaling_for_power(-44, &s));
}

// ---------------------------------------------------------------- running models

// Registers the real LSTM kernel and stand-ins for every other op: only LSTM outputs are checked.
struct LstmOnlyResolver {
  OpResolver resolver;
  LstmOnlyResolver() {
    resolver.add(kernels::kUnidirectionalSequenceLstm);
    for (const Kernel& k : fill_in::kStubs) {
      if (!resolver.find(k.builtin, nullptr)) resolver.add(k);
    }
  }
};

struct Trace {
  Interpreter* interp = nullptr;
  std::vector<uint64_t> lstm_hashes;       // per LSTM op, in execution order
  std::vector<std::vector<uint8_t>> lstm_outputs;
};

void on_op(void* user, uint32_t op, bool after) {
  auto* t = static_cast<Trace*>(user);
  if (!after || t->interp->model().op_code_of(op).builtin != op::kUnidirectionalSequenceLstm) return;
  const int32_t out = t->interp->model().op_outputs(op).i32(0);
  const TensorInfo info = t->interp->model().tensor(static_cast<uint32_t>(out));
  const auto* data = static_cast<const uint8_t*>(t->interp->tensor_data(static_cast<uint32_t>(out)));
  t->lstm_hashes.push_back(test::fnv1a64(data, info.bytes));
  t->lstm_outputs.emplace_back(data, data + info.bytes);
}

// The goldens' input pattern (shared/notes/tflm-peer.md).
void fill_pattern(Interpreter& interp) {
  for (uint32_t k = 0; k < interp.num_inputs(); ++k) {
    const TensorInfo info = interp.input_info(k);
    const uint32_t n = info.shape.flat_size();
    for (uint32_t i = 0; i < n; ++i) {
      const int32_t b = static_cast<int32_t>((7 * i + 3 + 11 * k) % 256);
      const int32_t s = b - 128;
      if (info.type == TensorType::kInt8) {
        static_cast<int8_t*>(interp.input_data(k))[i] = static_cast<int8_t>(s);
      } else if (info.type == TensorType::kFloat32) {
        static_cast<float*>(interp.input_data(k))[i] = static_cast<float>(s) / 128.0f;
      } else {
        FAIL() << "input type not covered by this test";
      }
    }
  }
}

struct RunResult {
  Trace trace;
  std::vector<uint8_t> model;
};

void run_model(const uint8_t* bytes, size_t size, Trace* trace, void (*fill)(Interpreter&)) {
  static LstmOnlyResolver r;
  std::vector<uint8_t> arena(1 << 20);
  Interpreter interp(bytes, size, r.resolver, arena.data(), arena.size());
  ASSERT_EQ(interp.allocate(), Status::kOk) << interp.error();
  fill(interp);
  trace->interp = &interp;
  interp.set_op_hook(on_op, trace);
  ASSERT_EQ(interp.invoke(), Status::kOk) << interp.error();
  trace->interp = nullptr;
}

const nlohmann::json& goldens() {
  static const nlohmann::json j = [] {
    std::ifstream in(test::shared_path("reference/tflm_goldens.json"));
    return nlohmann::json::parse(in);
  }();
  return j;
}

std::string hex16(uint64_t v) {
  char buf[17];
  snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

class LstmGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(LstmGolden, OutputsMatchTflmByteForByte) {
  const std::string name = GetParam();
  const std::vector<uint8_t> bytes = test::read_file(test::shared_path("models/" + name + ".tflite"));
  test::AlignedBytes model(bytes);
  Trace trace;
  run_model(model.data(), model.size(), &trace, fill_pattern);
  std::vector<std::string> want;
  for (const auto& op : goldens()["models"][name]["per_op_output_fnv1a64"]) {
    if (op["opcode"] == "UNIDIRECTIONAL_SEQUENCE_LSTM") want.push_back(op["fnv1a64"].get<std::string>());
  }
  ASSERT_FALSE(want.empty());
  ASSERT_EQ(trace.lstm_hashes.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(hex16(trace.lstm_hashes[i]), want[i]) << "LSTM #" << i;
}

INSTANTIATE_TEST_SUITE_P(SharedModels, LstmGolden,
                         ::testing::Values("trained_lstm", "trained_lstm_int8", "micro_speech_lstm",
                                           "dtln_noise_suppression"));

// ---------------------------------------------------------------- small built models

// A one-operator float LSTM model, written with the FlatBuffers builder (schema.fbs field ids).
struct FloatLstmSpec {
  int32_t batches = 2, steps = 3, inputs = 4, units = 5;
  bool time_major = false;
  float cell_clip = 0.0f;
  int32_t state_units = 0;  // units of the state tensors when non-zero (to build bad models)
  std::vector<float> w[4], r[4], b[4];  // per gate: [units, inputs], [units, units], [units]
};

std::vector<uint8_t> build_float_lstm(const FloatLstmSpec& s) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<void>> buffers;
  auto add_buffer = [&](const std::vector<float>* data) {
    flatbuffers::Offset<flatbuffers::Vector<uint8_t>> bytes;
    if (data) {
      fbb.ForceVectorAlignment(data->size() * 4, 1, 16);
      bytes = fbb.CreateVector(reinterpret_cast<const uint8_t*>(data->data()), data->size() * 4);
    }
    const auto start = fbb.StartTable();
    if (data) fbb.AddOffset(4, bytes);  // Buffer.data
    buffers.push_back(flatbuffers::Offset<void>(fbb.EndTable(start)));
    return static_cast<uint32_t>(buffers.size() - 1);
  };
  add_buffer(nullptr);  // buffer 0: the empty sentinel
  std::vector<flatbuffers::Offset<void>> tensors;
  auto add_tensor = [&](std::vector<int32_t> shape, uint32_t buffer, bool variable) {
    const auto dims = fbb.CreateVector(shape);
    const auto name = fbb.CreateString("t" + std::to_string(tensors.size()));
    const auto start = fbb.StartTable();
    fbb.AddOffset(4, dims);                                       // shape
    fbb.AddElement<int8_t>(6, 0, -1);                              // type FLOAT32
    fbb.AddElement<uint32_t>(8, buffer, 0);                        // buffer
    fbb.AddOffset(10, name);                                       // name
    if (variable) fbb.AddElement<uint8_t>(14, 1, 0);               // is_variable
    tensors.push_back(flatbuffers::Offset<void>(fbb.EndTable(start)));
    return static_cast<int32_t>(tensors.size() - 1);
  };
  const int32_t a = s.time_major ? s.steps : s.batches;
  const int32_t c = s.time_major ? s.batches : s.steps;
  std::vector<int32_t> in(24, -1);
  in[0] = add_tensor({a, c, s.inputs}, 0, false);
  for (int g = 0; g < 4; ++g) {
    in[1 + g] = add_tensor({s.units, s.inputs}, add_buffer(&s.w[g]), false);
    in[5 + g] = add_tensor({s.units, s.units}, add_buffer(&s.r[g]), false);
    in[12 + g] = add_tensor({s.units}, add_buffer(&s.b[g]), false);
  }
  const int32_t state_units = s.state_units ? s.state_units : s.units;
  in[18] = add_tensor({s.batches, state_units}, 0, true);
  in[19] = add_tensor({s.batches, state_units}, 0, true);
  const int32_t out = add_tensor({a, c, s.units}, 0, false);

  auto start = fbb.StartTable();  // UnidirectionalSequenceLSTMOptions
  fbb.AddElement<int8_t>(4, 4, 0);                  // fused_activation_function TANH
  fbb.AddElement<float>(6, s.cell_clip, 0.0f);      // cell_clip
  fbb.AddElement<uint8_t>(10, s.time_major ? 1 : 0, 0);
  const auto options = fbb.EndTable(start);
  const auto op_in = fbb.CreateVector(in);
  const auto op_out = fbb.CreateVector(std::vector<int32_t>{out});
  start = fbb.StartTable();  // Operator
  fbb.AddElement<uint32_t>(4, 0, 0);
  fbb.AddOffset(6, op_in);
  fbb.AddOffset(8, op_out);
  fbb.AddElement<uint8_t>(10, 71, 0);  // BuiltinOptions_UnidirectionalSequenceLSTMOptions
  fbb.AddOffset(12, flatbuffers::Offset<void>(options));
  const auto op = flatbuffers::Offset<void>(fbb.EndTable(start));

  const auto sg_tensors = fbb.CreateVector(tensors);
  const auto sg_in = fbb.CreateVector(std::vector<int32_t>{in[0]});
  const auto sg_out = fbb.CreateVector(std::vector<int32_t>{out});
  const auto sg_ops = fbb.CreateVector(std::vector<flatbuffers::Offset<void>>{op});
  start = fbb.StartTable();  // SubGraph
  fbb.AddOffset(4, sg_tensors);
  fbb.AddOffset(6, sg_in);
  fbb.AddOffset(8, sg_out);
  fbb.AddOffset(10, sg_ops);
  const auto subgraph = flatbuffers::Offset<void>(fbb.EndTable(start));

  start = fbb.StartTable();  // OperatorCode
  fbb.AddElement<int8_t>(4, 44, 0);
  fbb.AddElement<int32_t>(8, 1, 1);
  fbb.AddElement<int32_t>(10, 44, 0);
  const auto opcode = flatbuffers::Offset<void>(fbb.EndTable(start));

  const auto codes = fbb.CreateVector(std::vector<flatbuffers::Offset<void>>{opcode});
  const auto subgraphs = fbb.CreateVector(std::vector<flatbuffers::Offset<void>>{subgraph});
  const auto bufs = fbb.CreateVector(buffers);
  start = fbb.StartTable();  // Model
  fbb.AddElement<uint32_t>(4, 3, 0);
  fbb.AddOffset(6, codes);
  fbb.AddOffset(8, subgraphs);
  fbb.AddOffset(12, bufs);
  fbb.Finish(flatbuffers::Offset<void>(fbb.EndTable(start)), "TFL3");
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

// The same LSTM in double, straight from the equations.
std::vector<double> reference_lstm(const FloatLstmSpec& s, const std::vector<float>& x) {
  const int B = s.batches, T = s.steps, I = s.inputs, S = s.units;
  std::vector<double> h(B * S, 0.0), c(B * S, 0.0), out(static_cast<size_t>(B) * T * S);
  auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  for (int t = 0; t < T; ++t) {
    std::vector<double> nh(B * S);
    for (int b = 0; b < B; ++b) {
      const size_t row = s.time_major ? static_cast<size_t>(t) * B + b : static_cast<size_t>(b) * T + t;
      for (int u = 0; u < S; ++u) {
        double gate[4];
        for (int g = 0; g < 4; ++g) {
          double v = s.b[g][u];
          for (int d = 0; d < I; ++d) v += s.w[g][u * I + d] * x[row * I + d];
          for (int d = 0; d < S; ++d) v += s.r[g][u * S + d] * h[b * S + d];
          gate[g] = g == 2 ? std::tanh(v) : sig(v);
        }
        double cv = gate[1] * c[b * S + u] + gate[0] * gate[2];
        if (s.cell_clip > 0) cv = std::fmax(-s.cell_clip, std::fmin(s.cell_clip, cv));
        c[b * S + u] = cv;
        nh[b * S + u] = gate[3] * std::tanh(cv);
        out[row * S + u] = nh[b * S + u];
      }
    }
    h = nh;
  }
  return out;
}

FloatLstmSpec random_spec(bool time_major, float cell_clip) {
  FloatLstmSpec s;
  s.time_major = time_major;
  s.cell_clip = cell_clip;
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return static_cast<float>(static_cast<int32_t>(seed >> 8) % 2001 - 1000) / 1000.0f;
  };
  for (int g = 0; g < 4; ++g) {
    for (int i = 0; i < s.units * s.inputs; ++i) s.w[g].push_back(next());
    for (int i = 0; i < s.units * s.units; ++i) s.r[g].push_back(next());
    for (int i = 0; i < s.units; ++i) s.b[g].push_back(next());
  }
  return s;
}

void expect_matches_reference(const FloatLstmSpec& s) {
  const std::vector<uint8_t> bytes = build_float_lstm(s);
  test::AlignedBytes model(bytes);
  LstmOnlyResolver r;
  std::vector<uint8_t> arena(1 << 16);
  Interpreter interp(model.data(), model.size(), r.resolver, arena.data(), arena.size());
  ASSERT_EQ(interp.allocate(), Status::kOk) << interp.error();
  std::vector<float> x(static_cast<size_t>(s.batches) * s.steps * s.inputs);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(static_cast<int>(i * 37 % 17) - 8) / 4.0f;
  memcpy(interp.input_data(0), x.data(), x.size() * sizeof(float));
  ASSERT_EQ(interp.invoke(), Status::kOk) << interp.error();
  const std::vector<double> want = reference_lstm(s, x);
  const float* got = static_cast<const float*>(interp.output_data(0));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 2e-5) << "element " << i;
}

TEST(LstmFloat, BatchMajorWithSeveralBatchesMatchesTheEquations) { expect_matches_reference(random_spec(false, 0.0f)); }

TEST(LstmFloat, TimeMajorMatchesTheEquations) { expect_matches_reference(random_spec(true, 0.0f)); }

TEST(LstmFloat, CellClipLimitsTheCellState) { expect_matches_reference(random_spec(false, 0.25f)); }

TEST(LstmFloat, RejectsAModelWhoseWeightsDoNotFitTheState) {
  FloatLstmSpec s = random_spec(false, 0.0f);
  s.state_units = 6;  // the weights are for 5 units
  const std::vector<uint8_t> bytes = build_float_lstm(s);
  test::AlignedBytes model(bytes);
  LstmOnlyResolver r;
  std::vector<uint8_t> arena(1 << 16);
  Interpreter interp(model.data(), model.size(), r.resolver, arena.data(), arena.size());
  EXPECT_NE(interp.allocate(), Status::kOk);
  const std::string error = interp.error();
  EXPECT_NE(error.find("UNIDIRECTIONAL_SEQUENCE_LSTM"), std::string::npos) << error;
  EXPECT_NE(error.find("input weights (input 1) must be [6, 4]"), std::string::npos) << error;
}

}  // namespace
}  // namespace tinyforge::micro
