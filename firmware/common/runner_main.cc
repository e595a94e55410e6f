// Bare-metal model runner: runs the model linked into the image (model_data.c) once on the
// TFLite Micro golden input pattern and prints, one "key=value" per line:
//   per-op output hashes (first invoke, through the op hook), output_fnv1a64, arena sizes,
//   and "region <n> <label>" lines that name the instruction-count regions which the
//   insn_region QEMU plugin reports (run.sh joins both into "insns_<label>=<count>").
// Exit status 0 on success; on any error the error text is printed and the status is non-zero.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "runner.h"
#include "target.h"  // per target: FW_TARGET_NAME, fw_mark_start(), fw_mark_stop()
#include "tinyforge/micro/interpreter.h"

#ifndef FW_ARENA_BYTES
#define FW_ARENA_BYTES (384 * 1024)
#endif

namespace tm = tinyforge::micro;

namespace {

alignas(16) uint8_t g_arena[FW_ARENA_BYTES];

enum ExitCode { kExitOk = 0, kExitResolver = 2, kExitAllocate = 3, kExitInput = 4, kExitInvoke = 5,
                kExitOutput = 6 };

// Output without printf: picolibc's integer printf engine is not guaranteed to do 64-bit.
void put(const char* s) { fputs(s, stdout); }
void put_u32(uint32_t v) {
  char buf[11];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) putchar(buf[--n]);
}
void put_hex64(uint64_t v) {
  for (int shift = 60; shift >= 0; shift -= 4) putchar("0123456789abcdef"[(v >> shift) & 0xf]);
}
void put_kv(const char* key, uint32_t v) {
  put(key);
  putchar('=');
  put_u32(v);
  putchar('\n');
}

constexpr uint64_t kFnvBasis = 0xcbf29ce484222325ull;
uint64_t fnv1a64(const void* data, size_t size, uint64_t h) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

// Numbers the instruction-count regions in the order the plugin sees them.
uint32_t g_next_region = 0;
void label_region(const char* label, int32_t index) {
  put("region ");
  put_u32(g_next_region++);
  putchar(' ');
  put(label);
  if (index >= 0) put_u32(static_cast<uint32_t>(index));
  putchar('\n');
}

const char* op_name(const tm::Model& model, uint32_t op_index) {
  tm::OpCode code = model.op_code_of(op_index);
  return code.builtin == tm::op::kCustom ? code.custom : tm::builtin_op_name(code.builtin);
}

// s / 128 for s in [-128, 127], built from its IEEE-754 bits: exact, and needs no soft-float
// helpers (Debian's lx106 libgcc has none).
float pattern_float(int32_t s) {
  if (s == 0) return 0.0f;
  uint32_t sign = s < 0 ? 0x80000000u : 0u;
  uint32_t m = static_cast<uint32_t>(s < 0 ? -s : s);  // 1..128
  int32_t e = 31 - __builtin_clz(m);                    // m = 1.f * 2^e
  uint32_t frac = (m << (23 - e)) & 0x7fffffu;
  uint32_t bits = sign | static_cast<uint32_t>(127 + e - 7) << 23 | frac;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

// The golden input pattern (shared/reference/tflm_goldens.json "input_pattern").
bool fill_input(tm::Interpreter& interp, uint32_t k) {
  tm::TensorInfo info = interp.input_info(k);
  void* data = interp.input_data(k);
  if (!data) return false;
  const uint32_t n = static_cast<uint32_t>(info.shape.flat_size());
  for (uint32_t i = 0; i < n; ++i) {
    const int32_t b = static_cast<int32_t>((7u * i + 3u + 11u * k) % 256u);
    const int32_t s = b - 128;
    switch (info.type) {
      case tm::TensorType::kInt8: static_cast<int8_t*>(data)[i] = static_cast<int8_t>(s); break;
      case tm::TensorType::kUInt8: static_cast<uint8_t*>(data)[i] = static_cast<uint8_t>(b); break;
      case tm::TensorType::kInt16: static_cast<int16_t*>(data)[i] = static_cast<int16_t>(256 * s); break;
      case tm::TensorType::kInt32: static_cast<int32_t*>(data)[i] = s; break;
      case tm::TensorType::kInt64: static_cast<int64_t*>(data)[i] = s; break;
      case tm::TensorType::kBool: static_cast<uint8_t*>(data)[i] = static_cast<uint8_t>((i + k) % 2); break;
      case tm::TensorType::kFloat32: static_cast<float*>(data)[i] = pattern_float(s); break;
      default: return false;
    }
  }
  return true;
}

bool fill_inputs(tm::Interpreter& interp) {
  for (uint32_t k = 0; k < interp.num_inputs(); ++k) {
    if (!fill_input(interp, k)) {
      put("error: cannot fill input ");
      put_u32(k);
      put(" of type ");
      put(tm::type_name(interp.input_info(k).type));
      putchar('\n');
      return false;
    }
  }
  return true;
}

// Before each op: open a region; after it: close it, then hash the op's outputs (outside the region).
struct HookState {
  tm::Interpreter* interp;
  bool ok;
};

void op_hook(void* user, uint32_t op_index, bool after) {
  if (!after) {
    fw_mark_start();
    return;
  }
  fw_mark_stop();
  HookState* st = static_cast<HookState*>(user);
  const tm::Model& model = st->interp->model();
  label_region("op", static_cast<int32_t>(op_index));
  tm::fb::Vector outs = model.op_outputs(op_index);
  for (uint32_t j = 0; j < outs.size(); ++j) {
    const int32_t t = outs.i32(j);
    if (t < 0) continue;  // optional output left out
    tm::TensorInfo info = model.tensor(static_cast<uint32_t>(t));
    const void* data = st->interp->tensor_data(static_cast<uint32_t>(t));
    put("op=");
    put_u32(op_index);
    put(" opcode=");
    put(op_name(model, op_index));
    put(" output_tensor=");
    put_u32(static_cast<uint32_t>(t));
    put(" bytes=");
    put_u32(info.bytes);
    put(" fnv1a64=");
    if (data) {
      put_hex64(fnv1a64(data, info.bytes, kFnvBasis));
    } else {
      put("none");
      st->ok = false;
    }
    putchar('\n');
  }
}

bool print_outputs(tm::Interpreter& interp, const char* key) {
  uint64_t all = kFnvBasis;
  for (uint32_t k = 0; k < interp.num_outputs(); ++k) {
    const void* data = interp.output_data(k);
    if (!data) {
      put("error: output ");
      put_u32(k);
      put(" has no data\n");
      return false;
    }
    all = fnv1a64(data, interp.output_info(k).bytes, all);
  }
  put(key);
  putchar('=');
  put_hex64(all);
  putchar('\n');
  return true;
}

}  // namespace

int main() {
  put("target=" FW_TARGET_NAME "\n");
  put("model=");
  put(g_model_name);
  putchar('\n');
  put_kv("model_bytes", static_cast<uint32_t>(g_model_size));

  static tm::OpResolver resolver;
  const char* reg_error = nullptr;
  if (!fw_register_model_ops(&resolver, &reg_error)) {
    put("error: ");
    put(reg_error ? reg_error : "op registration failed");
    putchar('\n');
    return kExitResolver;
  }
  put_kv("registered_ops", resolver.size());

  tm::Interpreter interp(g_model_data, g_model_size, resolver, g_arena, sizeof(g_arena));
  fw_mark_start();
  tm::Status st = interp.allocate();
  fw_mark_stop();
  label_region("allocate", -1);
  if (st != tm::Status::kOk) {
    put("error: allocate failed (");
    put(tm::status_name(st));
    put("): ");
    put(interp.error());
    putchar('\n');
    if (st == tm::Status::kArenaTooSmall) put_kv("required_arena_bytes", interp.required_arena_bytes());
    return kExitAllocate;
  }
  put_kv("arena_capacity", sizeof(g_arena));
  put_kv("arena_used_bytes", interp.arena_used_bytes());
  put_kv("arena_planned_bytes", interp.planned_bytes());
  put_kv("arena_persistent_bytes", interp.persistent_bytes());
  put_kv("num_ops", interp.model().num_operators());

  // First invoke: the golden run (per-op hashes and per-op instruction counts via the hook).
  if (!fill_inputs(interp)) return kExitInput;
  HookState hook{&interp, true};
  interp.set_op_hook(op_hook, &hook);
  st = interp.invoke();
  interp.set_op_hook(nullptr, nullptr);
  if (st != tm::Status::kOk) {
    put("error: invoke failed (");
    put(tm::status_name(st));
    put("): ");
    put(interp.error());
    putchar('\n');
    return kExitInvoke;
  }
  if (!hook.ok) {
    put("error: an operator output has no data after its operator ran\n");
    return kExitOutput;
  }
  if (!print_outputs(interp, "output_fnv1a64")) return kExitOutput;

  // Second invoke, without the hook, for the instruction count of a whole invoke. Inputs
  // are refilled because the interpreter may reuse their memory (like TFLM).
  if (!fill_inputs(interp)) return kExitInput;
  fw_mark_start();
  st = interp.invoke();
  fw_mark_stop();
  label_region("invoke", -1);
  if (st != tm::Status::kOk) {
    put("error: second invoke failed (");
    put(tm::status_name(st));
    put("): ");
    put(interp.error());
    putchar('\n');
    return kExitInvoke;
  }
  if (!print_outputs(interp, "repeat_output_fnv1a64")) return kExitOutput;
  put("status=ok\n");
  return kExitOk;
}
