// Runs one verified model inside one caller-owned arena.
//
//   Interpreter interp(model_bytes, model_size, resolver, arena, sizeof(arena));
//   if (interp.allocate() != Status::kOk) print(interp.error());
//   memcpy(interp.input_data(0), features, n);
//   interp.invoke();
//   read interp.output_data(0);
//
// Arena layout: planned activations and per-op scratch at the bottom (buffers share
// memory when their lifetimes do not overlap), persistent data (tensor table, per-op
// data, RNN/SVDF state) at the top. allocate() reports the exact arena size the model
// needs through arena_used_bytes(), or through required_arena_bytes() when it fails
// with kArenaTooSmall.
//
// By default, like TFLite Micro, the memory of an input tensor is reused once the
// input has been consumed, so inputs must be refilled before every invoke(). Set
// InterpreterOptions::preserve_inputs to keep them intact (costs arena bytes).
#pragma once

#include "tinyforge/micro/error_buffer.h"
#include "tinyforge/micro/kernel_api.h"
#include "tinyforge/micro/model.h"
#include "tinyforge/micro/op_resolver.h"

namespace tinyforge {
namespace micro {

struct InterpreterOptions {
  bool preserve_inputs = false;
};

// Called around every operator during invoke(); `after` is false before, true after.
typedef void (*OpHook)(void* user, uint32_t op_index, bool after);

struct ScratchRecord {
  uint32_t op;
  uint32_t bytes;
  uint32_t offset;
};

struct OpRecord {
  const Kernel* kernel;
  void* op_data;
  const uint8_t* inputs;   // the operator's input index vector in the model (length-prefixed int32)
  const uint8_t* outputs;  // the same for outputs
};

// Internal state shared with the kernel contexts.
struct RuntimeState {
  static constexpr uint32_t kMaxScratch = 24;

  Model model;
  const OpResolver* resolver = nullptr;
  ErrorBuffer error;

  uint8_t* arena = nullptr;  // aligned start
  size_t arena_size = 0;     // aligned usable size
  size_t arena_misalign = 0;  // bytes skipped to align the caller's arena
  size_t tail = 0;           // persistent area is [tail, arena_size)
  size_t head_bytes = 0;     // planned area is [0, head_bytes)
  size_t overflow_bytes = 0;  // persistent bytes asked for beyond the arena (sizing a too-small arena)
  size_t sizing_cursor = 0;   // while sizing: throw-away memory handed out from the bottom
  bool sizing_exhausted = false;  // while sizing: even throw-away memory ran out

  void** tensor_data = nullptr;  // per tensor: constant data, arena buffer, or null
  OpRecord* ops = nullptr;
  ScratchRecord scratch[kMaxScratch] = {};
  uint32_t num_scratch = 0;
  uint32_t current_op = 0;

  bool preserve_inputs = false;
  bool allocated = false;
};

class Interpreter {
 public:
  Interpreter(const uint8_t* model_data, size_t model_size, const OpResolver& resolver, uint8_t* arena,
              size_t arena_size, InterpreterOptions options = InterpreterOptions());

  // Verifies the model, finds every kernel, prepares every operator and plans memory.
  Status allocate();
  Status invoke();
  // Restores every variable tensor (RNN/SVDF state) to its initial value.
  Status reset_state();

  uint32_t num_inputs() const;
  uint32_t num_outputs() const;
  TensorInfo input_info(uint32_t i) const;
  TensorInfo output_info(uint32_t i) const;
  void* input_data(uint32_t i);
  const void* output_data(uint32_t i) const;
  // Data of any tensor (for tracing); null when the tensor has no memory.
  const void* tensor_data(uint32_t tensor_index) const;

  // Exact arena bytes this model needs with these options (after allocate() succeeded).
  size_t arena_used_bytes() const;
  // After allocate() failed with kArenaTooSmall: the exact bytes it needs, or 0 when the arena
  // could not even hold the planner's working memory (error() then gives a lower bound).
  size_t required_arena_bytes() const { return required_bytes_; }
  // Bytes of the planned (activation + scratch) part and of the persistent part.
  size_t planned_bytes() const { return rt_.head_bytes; }
  size_t persistent_bytes() const { return rt_.arena_size - rt_.tail; }

  const char* error() const { return rt_.error.c_str(); }
  const Model& model() const { return rt_.model; }
  const Kernel* kernel_of(uint32_t op_index) const;

  void set_op_hook(OpHook hook, void* user) {
    hook_ = hook;
    hook_user_ = user;
  }

 private:
  Status resolve_kernels();
  Status prepare_and_plan();
  Status allocate_variables();
  void* persistent(size_t bytes);
  bool io_index_ok(uint32_t i, bool input) const;

  RuntimeState rt_;
  const uint8_t* model_data_;
  size_t model_size_;
  uint8_t* user_arena_;
  size_t user_arena_size_;
  size_t required_bytes_ = 0;
  OpHook hook_ = nullptr;
  void* hook_user_ = nullptr;
};

}  // namespace micro
}  // namespace tinyforge
