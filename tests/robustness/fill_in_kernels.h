// Stand-in kernels for the robustness tests and the fuzzer. Kernels are written in
// parallel; while one is missing, every model using it would stop at "unsupported
// operators" and the interpreter's later stages (prepare, planning, invoke) would go
// untested. A stand-in accepts any shapes, reads every input byte and writes every output
// byte, so the planner's and the verifier's promises are exercised under ASan. Real
// kernels always win: stand-ins are added only for codes the resolver lacks.
#pragma once

#include <stdint.h>
#include <string.h>

#include "tinyforge/micro/kernel_api.h"
#include "tinyforge/micro/kernels.h"
#include "tinyforge/micro/op_resolver.h"

namespace tinyforge::micro::fill_in {

struct StubData {
  static constexpr int kMax = 8;
  int num_inputs;
  int num_outputs;
  uint32_t input_bytes[kMax];
  uint32_t output_bytes[kMax];
};

inline Status stub_prepare(PrepareContext& ctx) {
  StubData* d = ctx.allocate_op_data<StubData>();
  if (!d) return Status::kArenaTooSmall;
  d->num_inputs = ctx.num_inputs() < StubData::kMax ? ctx.num_inputs() : StubData::kMax;
  d->num_outputs = ctx.num_outputs() < StubData::kMax ? ctx.num_outputs() : StubData::kMax;
  for (int i = 0; i < d->num_inputs; ++i) d->input_bytes[i] = ctx.input(i).bytes;
  for (int i = 0; i < d->num_outputs; ++i) d->output_bytes[i] = ctx.output(i).bytes;
  return Status::kOk;
}

inline Status stub_eval(EvalContext& ctx) {
  const StubData* d = ctx.op_data_as<StubData>();
  if (!d) return ctx.fail("stand-in kernel has no op data");
  uint32_t sum = 0;
  for (int i = 0; i < d->num_inputs; ++i) {
    const auto* p = static_cast<const uint8_t*>(ctx.input_data(i));
    if (!p) continue;
    for (uint32_t b = 0; b < d->input_bytes[i]; ++b) sum += p[b];
  }
  for (int i = 0; i < d->num_outputs; ++i) {
    void* p = ctx.output_data(i);
    if (p) memset(p, static_cast<int>(sum & 0xff), d->output_bytes[i]);
  }
  return Status::kOk;
}

#define TF_STUB(code) Kernel{code, nullptr, 127, stub_prepare, stub_eval, kNoFlags}
inline constexpr Kernel kStubs[] = {
    TF_STUB(op::kAdd),          TF_STUB(op::kAveragePool2D), TF_STUB(op::kConcatenation),
    TF_STUB(op::kConv2D),       TF_STUB(op::kDepthwiseConv2D), TF_STUB(op::kDequantize),
    TF_STUB(op::kFullyConnected), TF_STUB(op::kLogistic),    TF_STUB(op::kMaxPool2D),
    TF_STUB(op::kMul),          TF_STUB(op::kRelu),          TF_STUB(op::kRelu6),
    TF_STUB(op::kReshape),      TF_STUB(op::kSoftmax),       TF_STUB(op::kSvdf),
    TF_STUB(op::kTanh),         TF_STUB(op::kPad),           TF_STUB(op::kTranspose),
    TF_STUB(op::kMean),         TF_STUB(op::kSub),           TF_STUB(op::kDiv),
    TF_STUB(op::kSqueeze),      TF_STUB(op::kUnidirectionalSequenceLstm), TF_STUB(op::kStridedSlice),
    TF_STUB(op::kCast),         TF_STUB(op::kMaximum),       TF_STUB(op::kMinimum),
    TF_STUB(op::kExpandDims),   TF_STUB(op::kLeakyRelu),     TF_STUB(op::kQuantize),
    TF_STUB(op::kHardSwish),
};
#undef TF_STUB

// Registers every real kernel, then stand-ins for the builtin codes still missing.
// Returns how many stand-ins were added.
inline int register_kernels_with_fill_ins(OpResolver* resolver) {
  register_all_kernels(resolver);
  int added = 0;
  for (const Kernel& k : kStubs) {
    if (!resolver->find(k.builtin, nullptr) && resolver->add(k)) ++added;
  }
  return added;
}

}  // namespace tinyforge::micro::fill_in
