// PrepareContext / EvalContext: what a kernel sees of the interpreter.
#include <stdarg.h>

#include "runtime_internal.h"
#include "tinyforge/micro/kernel_api.h"

namespace tinyforge {
namespace micro {

namespace {

Status record(RuntimeState* rt, uint32_t op, Status status, const char* fmt, va_list args) {
  rt->error.set("op %u (%s): ", op, op_display_name(rt->model, op));
  rt->error.vappend(fmt, args);
  return status;
}

}  // namespace

int32_t PrepareContext::version() const { return rt_->model.op_code_of(op_).version; }
const char* PrepareContext::op_name() const { return op_display_name(rt_->model, op_); }

int PrepareContext::num_inputs() const { return op_slot_count(rt_->ops[op_].inputs); }
int PrepareContext::num_outputs() const { return op_slot_count(rt_->ops[op_].outputs); }
int PrepareContext::num_intermediates() const {
  return static_cast<int>(rt_->model.op_intermediates(op_).size());
}

bool PrepareContext::has_input(int i) const { return op_slot(rt_->ops[op_].inputs, i) >= 0; }

TensorInfo PrepareContext::input(int i) const {
  const int32_t t = op_slot(rt_->ops[op_].inputs, i);
  return t >= 0 ? rt_->model.tensor(static_cast<uint32_t>(t)) : TensorInfo();
}

TensorInfo PrepareContext::output(int i) const {
  const int32_t t = op_slot(rt_->ops[op_].outputs, i);
  return t >= 0 ? rt_->model.tensor(static_cast<uint32_t>(t)) : TensorInfo();
}

TensorInfo PrepareContext::intermediate(int i) const {
  fb::Vector v = rt_->model.op_intermediates(op_);
  if (i < 0 || static_cast<uint32_t>(i) >= v.size()) return TensorInfo();
  return rt_->model.tensor(static_cast<uint32_t>(v.i32(static_cast<uint32_t>(i))));
}

fb::Table PrepareContext::options() const { return rt_->model.op_options(op_); }
fb::Vector PrepareContext::custom_options() const { return rt_->model.op_custom_options(op_); }

void* PrepareContext::allocate_persistent(size_t bytes) { return runtime_persistent(rt_, bytes); }

void PrepareContext::set_op_data(void* data) { rt_->ops[op_].op_data = data; }

bool PrepareContext::request_scratch(size_t bytes, int32_t* handle) {
  if (rt_->num_scratch >= RuntimeState::kMaxScratch || bytes > 0x7fffffffu) return false;
  ScratchRecord& s = rt_->scratch[rt_->num_scratch];
  s.op = op_;
  s.bytes = static_cast<uint32_t>(bytes);
  s.offset = 0;
  *handle = static_cast<int32_t>(rt_->num_scratch++);
  return true;
}

Status PrepareContext::fail(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  Status s = record(rt_, op_, Status::kInvalidModel, fmt, args);
  va_end(args);
  return s;
}

Status PrepareContext::unsupported(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  Status s = record(rt_, op_, Status::kUnsupported, fmt, args);
  va_end(args);
  return s;
}

const void* EvalContext::op_data() const { return rt_->ops[op_].op_data; }

const void* EvalContext::input_data(int i) const {
  const int32_t t = op_slot(rt_->ops[op_].inputs, i);
  return t >= 0 ? rt_->tensor_data[t] : nullptr;
}

void* EvalContext::output_data(int i) const {
  const int32_t t = op_slot(rt_->ops[op_].outputs, i);
  return t >= 0 ? rt_->tensor_data[t] : nullptr;
}

void* EvalContext::variable_data(int i) const {
  const int32_t t = op_slot(rt_->ops[op_].inputs, i);
  return t >= 0 ? rt_->tensor_data[t] : nullptr;
}

void* EvalContext::scratch(int32_t handle) const {
  if (handle < 0 || static_cast<uint32_t>(handle) >= rt_->num_scratch) return nullptr;
  return rt_->arena + rt_->scratch[handle].offset;
}

Status EvalContext::fail(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  Status s = record(rt_, op_, Status::kInvokeError, fmt, args);
  va_end(args);
  return s;
}

}  // namespace micro
}  // namespace tinyforge
