// Running .tflite models on the host through the micro runtime: the same interpreter and
// kernels that run on the chip, with conveniences only a host has (files, exact arena
// sizing, tracing, timing).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tinyforge/micro/interpreter.h"

namespace tinyforge {

// Model bytes kept at a 16-byte aligned address, as the runtime wants them.
class ModelBytes {
 public:
  ModelBytes() = default;
  explicit ModelBytes(const std::vector<uint8_t>& bytes);
  static ModelBytes load(const std::string& path);  // throws Error naming the file

  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(storage_.data()); }
  size_t size() const { return size_; }

 private:
  struct alignas(16) Block {
    uint8_t b[16];
  };
  std::vector<Block> storage_;
  size_t size_ = 0;
};

uint64_t fnv1a64(const void* data, size_t size, uint64_t seed = 0xcbf29ce484222325ull);
std::string hex16(uint64_t v);

struct RunnerOptions {
  bool preserve_inputs = false;
  // 0: find the exact arena size and allocate exactly that much.
  size_t arena_bytes = 0;
};

struct OpTrace {
  uint32_t op_index;
  std::string opcode;     // "FULLY_CONNECTED", "CUSTOM(name)"
  int32_t output_tensor;  // first output
  uint64_t output_fnv1a64;
  double seconds;         // wall time of the kernel
};

// One model, one arena, one interpreter with every kernel registered.
class Runner {
 public:
  Runner(ModelBytes model, RunnerOptions options = {});
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  micro::Interpreter& interpreter() { return *interp_; }
  const micro::Model& model() const { return interp_->model(); }
  size_t arena_bytes() const { return interp_->arena_used_bytes(); }

  // Fills every input with the fixed pattern of ../shared/reference/tflm_goldens.json.
  void fill_tflm_pattern();
  // Raw bytes of input i (size must match the tensor).
  void set_input(uint32_t i, const void* data, size_t bytes);

  // Runs once; when `trace` is given, it receives every operator's output hash and time.
  void invoke(std::vector<OpTrace>* trace = nullptr);
  void reset_state();

  // Bytes of output i, and the hash over all outputs in order (as in the goldens file).
  std::vector<uint8_t> output_bytes(uint32_t i) const;
  uint64_t outputs_fnv1a64() const;

 private:
  ModelBytes model_;
  micro::OpResolver resolver_;
  std::vector<uint8_t> arena_;
  std::unique_ptr<micro::Interpreter> interp_;
};

// The exact arena bytes a model needs (allocates once in a large arena). Throws on errors.
size_t exact_arena_bytes(const ModelBytes& model, bool preserve_inputs = false);

// Name of the operator as users read it: "CONV_2D" or "CUSTOM(name)".
std::string op_display(const micro::Model& model, uint32_t op_index);

}  // namespace tinyforge
