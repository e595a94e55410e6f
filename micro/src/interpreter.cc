#include "tinyforge/micro/interpreter.h"

#include <string.h>

#include "memory_planner.h"
#include "runtime_internal.h"

namespace tinyforge {
namespace micro {

const char* op_display_name(const Model& model, uint32_t op_index) {
  const OpCode code = model.op_code_of(op_index);
  return code.builtin == op::kCustom ? code.custom : builtin_op_name(code.builtin);
}

void* runtime_persistent(RuntimeState* rt, size_t bytes) {
  const size_t n = align_up(bytes == 0 ? 1 : bytes);
  if (rt->overflow_bytes == 0 && n <= rt->tail) {
    rt->tail -= n;
    return rt->arena + rt->tail;
  }
  // The arena is too small. Keep preparing with throw-away memory from the bottom, only
  // to learn how many bytes the whole model needs.
  rt->overflow_bytes += n;
  if (rt->sizing_cursor + n <= rt->tail) {
    void* p = rt->arena + rt->sizing_cursor;
    rt->sizing_cursor += n;
    return p;
  }
  rt->sizing_exhausted = true;
  return nullptr;
}

Interpreter::Interpreter(const uint8_t* model_data, size_t model_size, const OpResolver& resolver, uint8_t* arena,
                         size_t arena_size, InterpreterOptions options)
    : model_data_(model_data), model_size_(model_size), user_arena_(arena), user_arena_size_(arena_size) {
  rt_.resolver = &resolver;
  rt_.preserve_inputs = options.preserve_inputs;
}

void* Interpreter::persistent(size_t bytes) { return runtime_persistent(&rt_, bytes); }

Status Interpreter::allocate() {
  if (rt_.allocated) return Status::kOk;
  rt_.error.clear();
  required_bytes_ = 0;
  Status s = rt_.model.verify(model_data_, model_size_, &rt_.error);
  if (s != Status::kOk) return s;
  if (user_arena_ == nullptr) {
    rt_.error.set("no arena given");
    return Status::kBadArgument;
  }
  const uintptr_t addr = reinterpret_cast<uintptr_t>(user_arena_);
  rt_.arena_misalign = (kArenaAlign - addr % kArenaAlign) % kArenaAlign;
  const size_t usable = user_arena_size_ > rt_.arena_misalign ? user_arena_size_ - rt_.arena_misalign : 0;
  rt_.arena = user_arena_ + rt_.arena_misalign;
  rt_.arena_size = usable & ~(kArenaAlign - 1);
  rt_.tail = rt_.arena_size;
  rt_.head_bytes = 0;
  rt_.overflow_bytes = 0;
  rt_.sizing_cursor = 0;
  rt_.sizing_exhausted = false;
  rt_.num_scratch = 0;

  const uint32_t num_tensors = rt_.model.num_tensors();
  const uint32_t num_ops = rt_.model.num_operators();
  rt_.tensor_data = static_cast<void**>(persistent(sizeof(void*) * (num_tensors ? num_tensors : 1)));
  rt_.ops = static_cast<OpRecord*>(persistent(sizeof(OpRecord) * (num_ops ? num_ops : 1)));
  if (rt_.tensor_data == nullptr || rt_.ops == nullptr) {
    const size_t need = rt_.arena_misalign + align_up(sizeof(void*) * (num_tensors ? num_tensors : 1)) +
                        align_up(sizeof(OpRecord) * (num_ops ? num_ops : 1));
    rt_.error.set("arena too small: %u bytes given, at least %u needed for the tensor and operator tables",
                  static_cast<unsigned>(user_arena_size_), static_cast<unsigned>(need));
    required_bytes_ = 0;
    return Status::kArenaTooSmall;
  }
  for (uint32_t t = 0; t < num_tensors; ++t) {
    rt_.tensor_data[t] = const_cast<uint8_t*>(rt_.model.tensor(t).const_data);
  }
  s = resolve_kernels();
  if (s != Status::kOk) return s;
  s = allocate_variables();
  if (s != Status::kOk) return s;
  s = prepare_and_plan();
  if (s != Status::kOk) return s;
  rt_.allocated = true;
  return reset_state();
}

Status Interpreter::resolve_kernels() {
  const uint32_t num_ops = rt_.model.num_operators();
  uint32_t missing = 0;
  for (uint32_t i = 0; i < num_ops; ++i) {
    const OpCode code = rt_.model.op_code_of(i);
    const Kernel* k = rt_.resolver->find(code.builtin, code.builtin == op::kCustom ? code.custom : nullptr);
    const bool version_ok = k && code.version >= 1 && code.version <= k->max_version;
    fb::Table table = rt_.model.op_table(i);
    fb::Vector ins = table.vector(field::kOpInputs, 4);
    fb::Vector outs = table.vector(field::kOpOutputs, 4);
    rt_.ops[i].kernel = version_ok ? k : nullptr;
    rt_.ops[i].op_data = nullptr;
    rt_.ops[i].inputs = ins.ok() ? ins.data() - 4 : nullptr;
    rt_.ops[i].outputs = outs.ok() ? outs.data() - 4 : nullptr;
    if (version_ok) continue;
    // One error listing every kind of operator this runtime cannot run (each once), so a
    // user sees them all at once.
    const uint32_t code_index = table.scalar<uint32_t>(field::kOpOpcodeIndex, 0);
    bool seen = false;
    for (uint32_t j = 0; j < i && !seen; ++j) {
      seen = rt_.ops[j].kernel == nullptr &&
             rt_.model.op_table(j).scalar<uint32_t>(field::kOpOpcodeIndex, 0) == code_index;
    }
    if (seen) continue;
    if (missing == 0) rt_.error.set("unsupported operators: ");
    if (missing < 16) {
      if (missing > 0) rt_.error.append(", ");
      if (code.builtin == op::kCustom) {
        rt_.error.append("CUSTOM(%s) (op %u)", code.custom, i);
      } else {
        rt_.error.append("%s v%d (op %u", builtin_op_name(code.builtin), static_cast<int>(code.version), i);
        if (k) rt_.error.append("; this runtime implements up to v%d", static_cast<int>(k->max_version));
        else if (strcmp(builtin_op_name(code.builtin), "UNKNOWN") == 0)
          rt_.error.append("; builtin code %d", static_cast<int>(code.builtin));
        rt_.error.append(")");
      }
    }
    ++missing;
  }
  if (missing > 16) rt_.error.append(", and %u more kinds", missing - 16);
  return missing ? Status::kUnsupported : Status::kOk;
}

Status Interpreter::allocate_variables() {
  for (uint32_t t = 0; t < rt_.model.num_tensors(); ++t) {
    const TensorInfo info = rt_.model.tensor(t);
    if (!info.is_variable || info.const_data) continue;
    void* p = persistent(info.bytes);
    rt_.tensor_data[t] = rt_.overflow_bytes ? nullptr : p;
  }
  return Status::kOk;
}

namespace {

constexpr uint16_t kNoBuffer = 0xffff;
constexpr int32_t kNotWritten = -2;
constexpr int32_t kGraphInput = -1;

// Working memory of the planner, carved from the bottom of the arena and dropped after.
struct PlanScratch {
  int32_t* producer;     // per tensor: op that writes it, kGraphInput, or kNotWritten
  uint16_t* last_use;    // per tensor: last step that reads it
  uint16_t* buffer_of;   // per tensor: planned buffer, or kNoBuffer
  PlanBuffer* buffers;   // tensors and scratch requests
  uint16_t* order;
  size_t bytes;
};

size_t plan_scratch_bytes(uint32_t num_tensors, uint32_t max_buffers) {
  return align_up(sizeof(int32_t) * num_tensors) + align_up(sizeof(uint16_t) * num_tensors) * 2 +
         align_up(sizeof(PlanBuffer) * max_buffers) + align_up(sizeof(uint16_t) * max_buffers);
}

PlanScratch carve(uint8_t* base, uint32_t num_tensors, uint32_t max_buffers) {
  PlanScratch s;
  uint8_t* p = base;
  s.producer = reinterpret_cast<int32_t*>(p);
  p += align_up(sizeof(int32_t) * num_tensors);
  s.last_use = reinterpret_cast<uint16_t*>(p);
  p += align_up(sizeof(uint16_t) * num_tensors);
  s.buffer_of = reinterpret_cast<uint16_t*>(p);
  p += align_up(sizeof(uint16_t) * num_tensors);
  s.buffers = reinterpret_cast<PlanBuffer*>(p);
  p += align_up(sizeof(PlanBuffer) * max_buffers);
  s.order = reinterpret_cast<uint16_t*>(p);
  p += align_up(sizeof(uint16_t) * max_buffers);
  s.bytes = static_cast<size_t>(p - base);
  return s;
}

bool is_graph_input(const Model& m, int32_t t) {
  for (uint32_t i = 0; i < m.num_inputs(); ++i) {
    if (m.input_tensor(i) == t) return true;
  }
  return false;
}

bool is_graph_output(const Model& m, int32_t t) {
  for (uint32_t i = 0; i < m.num_outputs(); ++i) {
    if (m.output_tensor(i) == t) return true;
  }
  return false;
}

}  // namespace

Status Interpreter::prepare_and_plan() {
  const Model& m = rt_.model;
  const uint32_t num_ops = m.num_operators();
  const uint32_t num_tensors = m.num_tensors();

  for (uint32_t i = 0; i < num_ops; ++i) {
    rt_.current_op = i;
    rt_.sizing_cursor = 0;
    PrepareContext ctx(&rt_, i);
    const Status s = rt_.ops[i].kernel->prepare(ctx);
    if (s == Status::kArenaTooSmall && rt_.overflow_bytes > 0 && !rt_.sizing_exhausted) continue;
    if (s == Status::kArenaTooSmall || rt_.sizing_exhausted) {
      rt_.error.set("arena too small: %u bytes given; preparing op %u (%s) needs more (at least %u bytes)",
                    static_cast<unsigned>(user_arena_size_), i, op_display_name(m, i),
                    static_cast<unsigned>(rt_.arena_misalign + (rt_.arena_size - rt_.tail) + rt_.overflow_bytes));
      return Status::kArenaTooSmall;
    }
    if (s != Status::kOk) {
      if (rt_.error.empty()) rt_.error.set("op %u (%s): prepare failed (%s)", i, op_display_name(m, i), status_name(s));
      return s;
    }
  }

  // Planning memory comes from the bottom of the arena, below the persistent area.
  const uint32_t max_buffers = num_tensors + rt_.num_scratch;
  const size_t scratch_bytes = plan_scratch_bytes(num_tensors, max_buffers ? max_buffers : 1);
  const size_t persistent_total = (rt_.arena_size - rt_.tail) + rt_.overflow_bytes;
  if (scratch_bytes > rt_.tail) {
    // No room to plan. The plan never exceeds the sum of all buffer sizes, so when that sum
    // is below the planner's own working memory, the working memory is what decides.
    size_t sum = 0;
    for (uint32_t t = 0; t < num_tensors; ++t) {
      const TensorInfo info = m.tensor(t);
      if (!info.const_data && !info.is_variable) sum += align_up(info.bytes);
    }
    for (uint32_t s = 0; s < rt_.num_scratch; ++s) sum += align_up(rt_.scratch[s].bytes);
    const size_t lower = rt_.arena_misalign + persistent_total + scratch_bytes;
    required_bytes_ = sum <= scratch_bytes ? lower : 0;
    rt_.error.set("arena too small: %u bytes given, %s%u needed", static_cast<unsigned>(user_arena_size_),
                  required_bytes_ ? "" : "at least ", static_cast<unsigned>(lower));
    return Status::kArenaTooSmall;
  }
  PlanScratch ps = carve(rt_.arena, num_tensors, max_buffers ? max_buffers : 1);
  const uint16_t end_step = static_cast<uint16_t>(num_ops);  // alive after invoke

  for (uint32_t t = 0; t < num_tensors; ++t) {
    ps.producer[t] = kNotWritten;
    ps.last_use[t] = 0;
    ps.buffer_of[t] = kNoBuffer;
  }
  for (uint32_t i = 0; i < m.num_inputs(); ++i) {
    const int32_t t = m.input_tensor(i);
    ps.producer[t] = kGraphInput;
    if (rt_.preserve_inputs) ps.last_use[t] = end_step;
  }
  // Data flow: every operator reads tensors that exist by then and writes tensors
  // no one else writes; anything else would read garbage or write into the model.
  for (uint32_t i = 0; i < num_ops; ++i) {
    const uint8_t* ins = rt_.ops[i].inputs;
    for (int k = 0; k < op_slot_count(ins); ++k) {
      const int32_t t = op_slot(ins, k);
      if (t < 0) continue;
      const TensorInfo info = m.tensor(static_cast<uint32_t>(t));
      if (info.const_data || info.is_variable) continue;
      if (ps.producer[t] == kNotWritten && info.bytes > 0) {
        rt_.error.set("op %u (%s) reads tensor %d '%s' before any operator writes it", i, op_display_name(m, i), t,
                      info.name);
        return Status::kInvalidModel;
      }
      if (ps.last_use[t] < i) ps.last_use[t] = static_cast<uint16_t>(i);
    }
    const uint8_t* outs = rt_.ops[i].outputs;
    for (int k = 0; k < op_slot_count(outs); ++k) {
      const int32_t t = op_slot(outs, k);
      const TensorInfo info = m.tensor(static_cast<uint32_t>(t));
      if (info.const_data) {
        rt_.error.set("op %u (%s) writes constant tensor %d '%s'", i, op_display_name(m, i), t, info.name);
        return Status::kInvalidModel;
      }
      if (info.is_variable) {
        rt_.error.set("op %u (%s) outputs variable tensor %d '%s'", i, op_display_name(m, i), t, info.name);
        return Status::kInvalidModel;
      }
      if (ps.producer[t] != kNotWritten) {
        rt_.error.set("op %u (%s) writes tensor %d '%s', which is already %s", i, op_display_name(m, i), t, info.name,
                      ps.producer[t] == kGraphInput ? "a subgraph input" : "written by an earlier operator");
        return Status::kInvalidModel;
      }
      ps.producer[t] = static_cast<int32_t>(i);
      if (ps.last_use[t] < i) ps.last_use[t] = static_cast<uint16_t>(i);
    }
  }
  for (uint32_t i = 0; i < m.num_outputs(); ++i) {
    const int32_t t = m.output_tensor(i);
    const TensorInfo info = m.tensor(static_cast<uint32_t>(t));
    if (info.const_data || info.is_variable) continue;
    if (ps.producer[t] == kNotWritten) {
      rt_.error.set("subgraph output %u (tensor %d '%s') is never written", i, t, info.name);
      return Status::kInvalidModel;
    }
    ps.last_use[t] = end_step;
  }

  // Buffers in execution order, so in-place operators can hand their input's buffer on.
  uint32_t nb = 0;
  auto new_buffer = [&](int32_t t, uint16_t first) {
    const TensorInfo info = m.tensor(static_cast<uint32_t>(t));
    PlanBuffer& b = ps.buffers[nb];
    b.size = info.bytes;
    b.offset = 0;
    b.first = first;
    b.last = ps.last_use[t];
    ps.buffer_of[t] = static_cast<uint16_t>(nb++);
  };
  for (uint32_t i = 0; i < m.num_inputs(); ++i) {
    const int32_t t = m.input_tensor(i);
    if (ps.buffer_of[t] == kNoBuffer && m.tensor(static_cast<uint32_t>(t)).bytes > 0) new_buffer(t, 0);
  }
  for (uint32_t i = 0; i < num_ops; ++i) {
    const uint8_t* outs = rt_.ops[i].outputs;
    for (int k = 0; k < op_slot_count(outs); ++k) {
      const int32_t t = op_slot(outs, k);
      const TensorInfo out = m.tensor(static_cast<uint32_t>(t));
      if (out.bytes == 0 || ps.buffer_of[t] != kNoBuffer) continue;
      const int32_t in0 = op_slot(rt_.ops[i].inputs, 0);
      const bool in_place = k == 0 && (rt_.ops[i].kernel->flags & kInPlace) && in0 >= 0 &&
                            ps.buffer_of[in0] != kNoBuffer && ps.last_use[in0] == i &&
                            m.tensor(static_cast<uint32_t>(in0)).bytes == out.bytes && !is_graph_output(m, in0) &&
                            !(rt_.preserve_inputs && is_graph_input(m, in0));
      if (in_place) {
        PlanBuffer& b = ps.buffers[ps.buffer_of[in0]];
        ps.buffer_of[t] = ps.buffer_of[in0];
        if (b.last < ps.last_use[t]) b.last = ps.last_use[t];
      } else {
        new_buffer(t, static_cast<uint16_t>(i));
      }
    }
  }
  const uint32_t first_scratch = nb;
  for (uint32_t s = 0; s < rt_.num_scratch; ++s) {
    PlanBuffer& b = ps.buffers[nb++];
    b.size = rt_.scratch[s].bytes;
    b.offset = 0;
    b.first = static_cast<uint16_t>(rt_.scratch[s].op);
    b.last = static_cast<uint16_t>(rt_.scratch[s].op);
  }
  const size_t head = plan_memory(ps.buffers, ps.order, nb, kArenaAlign);
  if (head == 0xffffffffu) {
    rt_.error.set("the model's activations need more than 4 GiB");
    return Status::kArenaTooSmall;
  }

  const size_t bottom = head > ps.bytes ? head : ps.bytes;
  const size_t needed = rt_.arena_misalign + persistent_total + bottom;
  if (rt_.overflow_bytes > 0 || head > rt_.tail) {
    required_bytes_ = needed;
    rt_.error.set("arena too small: %u bytes given, %u needed", static_cast<unsigned>(user_arena_size_),
                  static_cast<unsigned>(needed));
    return Status::kArenaTooSmall;
  }
  rt_.head_bytes = bottom;
  // Point tensors at their planned buffers; the planning scratch dies here.
  for (uint32_t t = 0; t < num_tensors; ++t) {
    if (ps.buffer_of[t] != kNoBuffer) rt_.tensor_data[t] = rt_.arena + ps.buffers[ps.buffer_of[t]].offset;
  }
  for (uint32_t s = 0; s < rt_.num_scratch; ++s) rt_.scratch[s].offset = ps.buffers[first_scratch + s].offset;
  return Status::kOk;
}

Status Interpreter::reset_state() {
  if (!rt_.allocated) {
    rt_.error.set("reset_state() called before a successful allocate()");
    return Status::kNotReady;
  }
  for (uint32_t t = 0; t < rt_.model.num_tensors(); ++t) {
    const TensorInfo info = rt_.model.tensor(t);
    if (!info.is_variable || info.const_data || !rt_.tensor_data[t]) continue;
    // TFLM's convention: int8 state starts at its zero point, everything else at zero.
    const int zp = info.type == TensorType::kInt8 && info.quant.count > 0 ? info.quant.zero_point(0) : 0;
    memset(rt_.tensor_data[t], static_cast<int8_t>(zp), info.bytes);
  }
  return Status::kOk;
}

Status Interpreter::invoke() {
  if (!rt_.allocated) {
    rt_.error.set("invoke() called before a successful allocate()");
    return Status::kNotReady;
  }
  const uint32_t num_ops = rt_.model.num_operators();
  for (uint32_t i = 0; i < num_ops; ++i) {
    rt_.current_op = i;
    if (hook_) hook_(hook_user_, i, false);
    EvalContext ctx(&rt_, i);
    const Status s = rt_.ops[i].kernel->eval(ctx);
    if (hook_) hook_(hook_user_, i, true);
    if (s != Status::kOk) {
      if (rt_.error.empty()) rt_.error.set("op %u (%s) failed (%s)", i, op_display_name(rt_.model, i), status_name(s));
      return Status::kInvokeError;
    }
  }
  return Status::kOk;
}

uint32_t Interpreter::num_inputs() const { return rt_.model.verified() ? rt_.model.num_inputs() : 0; }
uint32_t Interpreter::num_outputs() const { return rt_.model.verified() ? rt_.model.num_outputs() : 0; }

bool Interpreter::io_index_ok(uint32_t i, bool input) const {
  return rt_.allocated && i < (input ? rt_.model.num_inputs() : rt_.model.num_outputs());
}

TensorInfo Interpreter::input_info(uint32_t i) const {
  if (!rt_.model.verified() || i >= rt_.model.num_inputs()) return TensorInfo();
  return rt_.model.tensor(static_cast<uint32_t>(rt_.model.input_tensor(i)));
}

TensorInfo Interpreter::output_info(uint32_t i) const {
  if (!rt_.model.verified() || i >= rt_.model.num_outputs()) return TensorInfo();
  return rt_.model.tensor(static_cast<uint32_t>(rt_.model.output_tensor(i)));
}

void* Interpreter::input_data(uint32_t i) {
  return io_index_ok(i, true) ? rt_.tensor_data[rt_.model.input_tensor(i)] : nullptr;
}

const void* Interpreter::output_data(uint32_t i) const {
  return io_index_ok(i, false) ? rt_.tensor_data[rt_.model.output_tensor(i)] : nullptr;
}

const void* Interpreter::tensor_data(uint32_t tensor_index) const {
  return rt_.allocated && tensor_index < rt_.model.num_tensors() ? rt_.tensor_data[tensor_index] : nullptr;
}

size_t Interpreter::arena_used_bytes() const {
  return rt_.allocated ? rt_.arena_misalign + rt_.head_bytes + (rt_.arena_size - rt_.tail) : 0;
}

const Kernel* Interpreter::kernel_of(uint32_t op_index) const {
  return rt_.ops && op_index < rt_.model.num_operators() ? rt_.ops[op_index].kernel : nullptr;
}

}  // namespace micro
}  // namespace tinyforge
