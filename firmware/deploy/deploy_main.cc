// Bare-metal sample replay (`tinyforge deploy baremetal`): runs the embedded model on every
// embedded sample and prints, one "key=value" group per line:
//   header (target, model, samples, registered kernels, arena sizes),
//   "sample=<i> <prediction> output_fnv1a64=<hash of all outputs>" per inference (prediction.h),
//   "region <n> sample<i>" naming each invoke's instruction-count region for the insn_region
//   QEMU plugin (run.sh joins them into "insns_sample<i>=<count>"), then a summary.
// Exit status 0 on success; on any error the error is printed and the status is non-zero.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "g_model.h"  // generated: the model bytes, its exact arena size and its kernels
#include "prediction.h"
#include "samples.h"
#include "target.h"  // per target: FW_TARGET_NAME, fw_mark_start(), fw_mark_stop()
#include "tinyforge/micro/interpreter.h"

namespace tm = tinyforge::micro;
namespace fw = tinyforge::firmware;

namespace {

// Exactly the size the host planned for this model (exact_arena_bytes): a deployment that needs
// more fails allocate() with the number of bytes it needs instead of hiding it in slack.
alignas(16) uint8_t g_arena[g_model_arena_bytes];

enum ExitCode { kExitOk = 0, kExitResolver = 2, kExitAllocate = 3, kExitInput = 4, kExitInvoke = 5, kExitOutput = 6 };

void put(const char* s) {
  fputs(s, stdout);
}
void put_line(const fw::Text& t) {
  fputs(t.c_str(), stdout);
  putchar('\n');
}
void put_kv(const char* key, uint64_t v) {
  char buf[64];
  fw::Text t(buf, sizeof buf);
  t.add(key);
  t.add("=");
  t.add_u64(v);
  put_line(t);
}

void put_hex64(uint64_t v) {
  for (int shift = 60; shift >= 0; shift -= 4) putchar("0123456789abcdef"[(v >> shift) & 0xf]);
}

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
void label_region(const char* label, int64_t index) {
  char buf[64];
  fw::Text t(buf, sizeof buf);
  t.add("region ");
  t.add_u64(g_next_region++);
  t.add(" ");
  t.add(label);
  if (index >= 0) t.add_u64(static_cast<uint64_t>(index));
  put_line(t);
}

int fail(const char* what, tm::Status st, const tm::Interpreter& interp, int code) {
  put("error: ");
  put(what);
  put(" (");
  put(tm::status_name(st));
  put("): ");
  put(interp.error());
  putchar('\n');
  return code;
}

fw::OutputView output_view(const tm::Interpreter& interp) {
  const tm::TensorInfo info = interp.output_info(0);
  fw::OutputView v;
  v.type = info.type;
  v.data = interp.output_data(0);
  v.count = static_cast<uint32_t>(info.shape.flat_size());
  v.quantized = info.quant.count == 1 && info.type != tm::TensorType::kFloat32;
  v.scale = info.quant.scale(0);
  v.zero_point = info.quant.zero_point(0);
  return v;
}

}  // namespace

int main() {
  put("target=" FW_TARGET_NAME "\n");
  put("model=");
  put(g_model_name);
  putchar('\n');
  put_kv("model_bytes", g_model_len);
  put_kv("samples", g_num_samples);

  static tm::OpResolver resolver;
  if (!g_model_register_ops(resolver)) {
    put("error: the resolver could not take every kernel the model uses\n");
    return kExitResolver;
  }
  put_kv("registered_ops", resolver.size());

  tm::Interpreter interp(g_model, g_model_len, resolver, g_arena, sizeof(g_arena));
  fw_mark_start();
  tm::Status st = interp.allocate();
  fw_mark_stop();
  label_region("allocate", -1);
  if (st != tm::Status::kOk) {
    const int code = fail("allocate failed", st, interp, kExitAllocate);
    if (st == tm::Status::kArenaTooSmall) put_kv("required_arena_bytes", interp.required_arena_bytes());
    return code;
  }
  put_kv("arena_capacity", sizeof(g_arena));
  put_kv("arena_used_bytes", interp.arena_used_bytes());

  uint32_t input_bytes = 0;
  for (uint32_t k = 0; k < interp.num_inputs(); ++k) input_bytes += interp.input_info(k).bytes;
  if (input_bytes != g_sample_bytes) {
    char buf[128];
    fw::Text t(buf, sizeof buf);
    t.add("error: the model's inputs take ");
    t.add_u64(input_bytes);
    t.add(" bytes but each embedded sample has ");
    t.add_u64(g_sample_bytes);
    put_line(t);
    return kExitInput;
  }
  if (interp.num_outputs() == 0 || !fw::supported_prediction_type(interp.output_info(0).type)) {
    put("error: output 0 has no prediction rule for its type\n");
    return kExitOutput;
  }

  for (uint32_t s = 0; s < g_num_samples; ++s) {
    // Inputs are refilled for every sample: the interpreter may reuse their memory (like TFLM).
    const uint8_t* sample = g_samples + static_cast<size_t>(s) * g_sample_bytes;
    for (uint32_t k = 0; k < interp.num_inputs(); ++k) {
      const uint32_t bytes = interp.input_info(k).bytes;
      memcpy(interp.input_data(k), sample, bytes);
      sample += bytes;
    }
    fw_mark_start();
    st = interp.invoke();
    fw_mark_stop();
    label_region("sample", s);
    if (st != tm::Status::kOk) return fail("invoke failed", st, interp, kExitInvoke);

    uint64_t hash = 0xcbf29ce484222325ull;
    for (uint32_t k = 0; k < interp.num_outputs(); ++k) {
      const void* data = interp.output_data(k);
      if (!data) {
        put("error: an output has no data after invoke\n");
        return kExitOutput;
      }
      hash = fnv1a64(data, interp.output_info(k).bytes, hash);
    }
    char buf[512];
    fw::Text line(buf, sizeof buf);
    line.add("sample=");
    line.add_u64(s);
    line.add(" ");
    fw::format_prediction(output_view(interp), g_predict_argmax != 0, &line);
    line.add(" output_fnv1a64=");
    put(line.c_str());
    put_hex64(hash);
    putchar('\n');
  }
  put_kv("samples_run", g_num_samples);
  put("status=ok\n");
  return kExitOk;
}
