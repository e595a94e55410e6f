#include <chrono>
#include <cstring>

#include "tinyforge/error.h"
#include "tinyforge/micro/kernels.h"
#include "tinyforge/runtime.h"

namespace tinyforge {

namespace {

constexpr size_t kSizingArena = 64u << 20;  // large enough for any micro model

std::string status_message(micro::Interpreter& interp, micro::Status s) {
  return std::string(micro::status_name(s)) + ": " + interp.error();
}

// The input pattern of tflm_goldens.json: b = (7i + 3 + 11k) mod 256, s = b - 128.
void fill_pattern(void* data, micro::TensorType type, size_t count, uint32_t k) {
  for (size_t i = 0; i < count; ++i) {
    const int32_t b = static_cast<int32_t>((7 * i + 3 + 11 * k) % 256);
    const int32_t s = b - 128;
    switch (type) {
      case micro::TensorType::kInt8: static_cast<int8_t*>(data)[i] = static_cast<int8_t>(s); break;
      case micro::TensorType::kUInt8: static_cast<uint8_t*>(data)[i] = static_cast<uint8_t>(b); break;
      case micro::TensorType::kInt16: static_cast<int16_t*>(data)[i] = static_cast<int16_t>(256 * s); break;
      case micro::TensorType::kInt32: static_cast<int32_t*>(data)[i] = s; break;
      case micro::TensorType::kInt64: static_cast<int64_t*>(data)[i] = s; break;
      case micro::TensorType::kBool: static_cast<uint8_t*>(data)[i] = static_cast<uint8_t>((i + k) % 2); break;
      case micro::TensorType::kFloat32: static_cast<float*>(data)[i] = static_cast<float>(s) / 128.0f; break;
      default: throw Error(std::string("no input pattern for type ") + micro::type_name(type));
    }
  }
}

struct TraceState {
  Runner* runner;
  micro::Interpreter* interp;
  std::vector<OpTrace>* trace;
  std::chrono::steady_clock::time_point start;
};

void trace_hook(void* user, uint32_t op, bool after) {
  auto* st = static_cast<TraceState*>(user);
  if (!after) {
    st->start = std::chrono::steady_clock::now();
    return;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - st->start).count();
  const micro::Model& m = st->interp->model();
  OpTrace t;
  t.op_index = op;
  t.opcode = op_display(m, op);
  t.output_tensor = m.op_outputs(op).size() > 0 ? m.op_outputs(op).i32(0) : -1;
  t.output_fnv1a64 = 0;
  if (t.output_tensor >= 0) {
    const micro::TensorInfo info = m.tensor(static_cast<uint32_t>(t.output_tensor));
    const void* data = st->interp->tensor_data(static_cast<uint32_t>(t.output_tensor));
    t.output_fnv1a64 = data ? fnv1a64(data, info.bytes) : fnv1a64(nullptr, 0);
  }
  t.seconds = secs;
  st->trace->push_back(t);
}

}  // namespace

std::string op_display(const micro::Model& model, uint32_t op_index) {
  const micro::OpCode code = model.op_code_of(op_index);
  if (code.builtin == micro::op::kCustom) return std::string("CUSTOM(") + code.custom + ")";
  const char* name = micro::builtin_op_name(code.builtin);
  if (std::strcmp(name, "UNKNOWN") == 0) return "BUILTIN(" + std::to_string(code.builtin) + ")";
  return name;
}

size_t exact_arena_bytes(const ModelBytes& model, bool preserve_inputs) {
  micro::OpResolver resolver;
  micro::register_all_kernels(&resolver);
  std::vector<uint8_t> arena(kSizingArena + 16);
  uint8_t* base = arena.data() + ((16 - reinterpret_cast<uintptr_t>(arena.data()) % 16) % 16);
  micro::InterpreterOptions opts;
  opts.preserve_inputs = preserve_inputs;
  micro::Interpreter interp(model.data(), model.size(), resolver, base, kSizingArena, opts);
  const micro::Status s = interp.allocate();
  if (s != micro::Status::kOk) throw Error(status_message(interp, s));
  return interp.arena_used_bytes();
}

Runner::Runner(ModelBytes model, RunnerOptions options) : model_(std::move(model)) {
  micro::register_all_kernels(&resolver_);
  const size_t bytes = options.arena_bytes ? options.arena_bytes : exact_arena_bytes(model_, options.preserve_inputs);
  // std::vector's storage is at least 16-byte aligned from operator new on this host.
  arena_.assign(bytes, 0);
  micro::InterpreterOptions opts;
  opts.preserve_inputs = options.preserve_inputs;
  interp_ = std::make_unique<micro::Interpreter>(model_.data(), model_.size(), resolver_, arena_.data(),
                                                 arena_.size(), opts);
  const micro::Status s = interp_->allocate();
  if (s != micro::Status::kOk) throw Error(status_message(*interp_, s));
}

Runner::~Runner() = default;

void Runner::fill_tflm_pattern() {
  for (uint32_t k = 0; k < interp_->num_inputs(); ++k) {
    const micro::TensorInfo info = interp_->input_info(k);
    void* data = interp_->input_data(k);
    if (!data) continue;
    fill_pattern(data, info.type, static_cast<size_t>(info.shape.flat_size()), k);
  }
}

void Runner::set_input(uint32_t i, const void* data, size_t bytes) {
  if (i >= interp_->num_inputs()) throw Error("model has no input " + std::to_string(i));
  const micro::TensorInfo info = interp_->input_info(i);
  if (bytes != info.bytes) {
    throw Error("input " + std::to_string(i) + " '" + info.name + "' needs " + std::to_string(info.bytes) +
                " bytes, got " + std::to_string(bytes));
  }
  std::memcpy(interp_->input_data(i), data, bytes);
}

void Runner::invoke(std::vector<OpTrace>* trace) {
  TraceState st{this, interp_.get(), trace, {}};
  if (trace) interp_->set_op_hook(trace_hook, &st);
  const micro::Status s = interp_->invoke();
  interp_->set_op_hook(nullptr, nullptr);
  if (s != micro::Status::kOk) throw Error(status_message(*interp_, s));
}

void Runner::reset_state() {
  const micro::Status s = interp_->reset_state();
  if (s != micro::Status::kOk) throw Error(status_message(*interp_, s));
}

std::vector<uint8_t> Runner::output_bytes(uint32_t i) const {
  const micro::TensorInfo info = interp_->output_info(i);
  const auto* p = static_cast<const uint8_t*>(interp_->output_data(i));
  if (!p) return {};
  return std::vector<uint8_t>(p, p + info.bytes);
}

uint64_t Runner::outputs_fnv1a64() const {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint32_t i = 0; i < interp_->num_outputs(); ++i) {
    const std::vector<uint8_t> b = output_bytes(i);
    h = fnv1a64(b.data(), b.size(), h);
  }
  return h;
}

}  // namespace tinyforge
