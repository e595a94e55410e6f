// The contract between the interpreter and an operator kernel.
//
// Each kernel is a constant `Kernel` record (no static constructors) with two functions:
//  - prepare(): runs once at allocation. Checks types and shapes against what the kernel
//    supports, precomputes everything Eval needs (quantization multipliers, dims) into op
//    data from allocate_persistent(), and requests per-op scratch memory. Any problem is
//    returned through fail()/unsupported(), which name the operator.
//  - eval(): the hot loop and nothing else.
// A firmware links only the kernels its resolver names (one kernel per object file).
#pragma once

#include "tinyforge/micro/model.h"
#include "tinyforge/micro/types.h"

namespace tinyforge {
namespace micro {

class PrepareContext;
class EvalContext;

struct Kernel {
  int32_t builtin;          // BuiltinOperator code (op::kCustom for custom ops)
  const char* custom_name;  // custom_code for CUSTOM kernels, else nullptr
  int32_t max_version;      // highest operator version implemented
  Status (*prepare)(PrepareContext& ctx);
  Status (*eval)(EvalContext& ctx);
  // kInPlace: eval is correct when output 0 shares memory with input 0 (same byte size);
  // the planner then may give them one buffer. Reshape-like kernels must skip the copy
  // when the pointers are equal.
  uint8_t flags;
};

enum KernelFlags : uint8_t { kNoFlags = 0, kInPlace = 1 };

struct RuntimeState;  // the interpreter's internals

class PrepareContext {
 public:
  PrepareContext(RuntimeState* rt, uint32_t op_index) : rt_(rt), op_(op_index) {}

  uint32_t op_index() const { return op_; }
  int32_t version() const;
  const char* op_name() const;

  int num_inputs() const;
  int num_outputs() const;
  int num_intermediates() const;
  // False for an optional input written as -1 in the model.
  bool has_input(int i) const;
  // Full description from the model (shape, type, quantization, constant data if any).
  // For an absent optional input, index is -1 and bytes is 0.
  TensorInfo input(int i) const;
  TensorInfo output(int i) const;
  TensorInfo intermediate(int i) const;

  fb::Table options() const;         // the operator's builtin options table (may be !ok())
  fb::Vector custom_options() const;  // custom options bytes (may be !ok())

  // Memory that lives as long as the interpreter, 8-byte aligned. Returns null when the
  // arena is full; the kernel should then return Status::kArenaTooSmall.
  void* allocate_persistent(size_t bytes);
  template <typename T>
  T* allocate_op_data() {
    T* p = static_cast<T*>(allocate_persistent(sizeof(T)));
    if (p) {
      *p = T();
      set_op_data(p);
    }
    return p;
  }
  void set_op_data(void* data);
  // Memory valid only while this operator runs (planned with the activations).
  // Returns false when the per-model scratch table is full.
  bool request_scratch(size_t bytes, int32_t* handle);

  // Record an error prefixed with "op N (NAME): " and return kInvalidModel / kUnsupported.
  Status fail(const char* fmt, ...) TF_MICRO_PRINTF(2, 3);
  Status unsupported(const char* fmt, ...) TF_MICRO_PRINTF(2, 3);

 private:
  RuntimeState* rt_;
  uint32_t op_;
};

class EvalContext {
 public:
  EvalContext(RuntimeState* rt, uint32_t op_index) : rt_(rt), op_(op_index) {}

  uint32_t op_index() const { return op_; }
  const void* op_data() const;
  template <typename T>
  const T* op_data_as() const {
    return static_cast<const T*>(op_data());
  }

  // Data pointers (null for an absent optional input).
  const void* input_data(int i) const;
  void* output_data(int i) const;
  // A variable input (LSTM/SVDF state) that the kernel updates in place.
  void* variable_data(int i) const;
  template <typename T>
  const T* input(int i) const {
    return static_cast<const T*>(input_data(i));
  }
  template <typename T>
  T* output(int i) const {
    return static_cast<T*>(output_data(i));
  }
  template <typename T>
  T* variable(int i) const {
    return static_cast<T*>(variable_data(i));
  }
  void* scratch(int32_t handle) const;

  Status fail(const char* fmt, ...) TF_MICRO_PRINTF(2, 3);

 private:
  RuntimeState* rt_;
  uint32_t op_;
};

}  // namespace micro
}  // namespace tinyforge
