#include "tinyforge/app/app.h"

#include "tinyforge/app/text_line.h"

namespace tinyforge {
namespace app {

namespace {

micro::InterpreterOptions options_for(AppKind kind) {
  micro::InterpreterOptions options;
  // The reconstruction error compares the output with the input, so the input must survive.
  options.preserve_inputs = kind == AppKind::kAnomaly;
  return options;
}

constexpr uint64_t kFnvBasis = 0xcbf29ce484222325ull;

uint64_t fnv1a64(const void* data, uint32_t size, uint64_t h) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  for (uint32_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

const char* op_name(const micro::Model& model, uint32_t op_index) {
  const micro::OpCode code = model.op_code_of(op_index);
  return code.builtin == micro::op::kCustom ? code.custom : micro::builtin_op_name(code.builtin);
}

}  // namespace

App::App(const Platform& platform, const AppParams& params, const AppModel& model, uint8_t* arena, size_t arena_bytes)
    : platform_(platform),
      params_(params),
      model_(model),
      interp_(model.data, model.size, resolver_, arena, arena_bytes, options_for(params.kind)),
      post_(params) {}

bool App::init() {
  ready_ = false;
  if (model_.register_ops == nullptr || !model_.register_ops(resolver_)) {
    log(LogLevel::kError, "cannot register the model's kernels (resolver full, or a kernel missing from the build)");
    return false;
  }
  const micro::Status st = interp_.allocate();
  if (st != micro::Status::kOk) {
    TextLine line;
    line.str("allocate failed (").str(micro::status_name(st)).str("): ").str(interp_.error());
    log(LogLevel::kError, line.c_str());
    if (st == micro::Status::kArenaTooSmall) {
      TextLine need;
      need.key("required_arena_bytes").u32(static_cast<uint32_t>(interp_.required_arena_bytes()));
      log(LogLevel::kError, need.c_str());
    }
    return false;
  }
  if (interp_.num_inputs() != 1 || interp_.num_outputs() < 1) {
    TextLine line;
    line.str("the app needs a model with one input and at least one output; this one has ")
        .u32(interp_.num_inputs())
        .str(" inputs and ")
        .u32(interp_.num_outputs())
        .str(" outputs");
    log(LogLevel::kError, line.c_str());
    return false;
  }
  const char* problem = "";
  if (!post_.check(interp_.input_info(0), interp_.output_info(0), &problem)) {
    TextLine line;
    line.str(app_kind_name(params_.kind)).str(" app: ").str(problem);
    log(LogLevel::kError, line.c_str());
    return false;
  }
  TextLine line;
  line.str("model ready");
  line.key("kind").str(app_kind_name(params_.kind));
  line.key("model_bytes").u32(model_.size);
  line.key("arena_used_bytes").u32(static_cast<uint32_t>(interp_.arena_used_bytes()));
  line.key("ops").u32(interp_.model().num_operators());
  log(LogLevel::kInfo, line.c_str());
  ready_ = true;
  return true;
}

bool App::invoke_from(InputSource& source) {
  void* input = interp_.input_data(0);
  if (input == nullptr || !source.read(interp_.input_info(0), input)) {
    TextLine line;
    line.str("input source '").str(source.name()).str("' failed: ").str(input ? source.error() : "no input buffer");
    log(LogLevel::kError, line.c_str());
    return false;
  }
  const micro::Status st = interp_.invoke();
  if (st != micro::Status::kOk) {
    TextLine line;
    line.str("invoke failed (").str(micro::status_name(st)).str("): ").str(interp_.error());
    log(LogLevel::kError, line.c_str());
    return false;
  }
  return true;
}

bool App::step(InputSource& source, uint32_t sample_index, Prediction* result) {
  if (!ready_) {
    log(LogLevel::kError, "step() before a successful init()");
    return false;
  }
  const uint64_t start = platform_.now();
  if (!invoke_from(source)) return false;
  const uint64_t elapsed = platform_.now() - start;
  if (!post_.run(interp_.output_info(0), interp_.output_data(0), interp_.input_info(0), interp_.input_data(0),
                 result)) {
    log(LogLevel::kError, "postprocessing failed: output type not supported by this app kind");
    return false;
  }
  uint64_t hash = kFnvBasis;
  for (uint32_t k = 0; k < interp_.num_outputs(); ++k) {
    hash = fnv1a64(interp_.output_data(k), interp_.output_info(k).bytes, hash);
  }
  TextLine line;
  line.str("prediction");
  line.key("sample").u32(sample_index);
  line.key("label").i32(result->label);
  if (const char* name = post_.label_name(result->label)) line.key("name").str(name);
  if (params_.kind != AppKind::kAnomaly) line.key("score_raw").i32(result->score_raw);
  line.key("detected").u32(result->detected ? 1u : 0u);
  if (params_.kind == AppKind::kKws) {
    line.key("window_sum").i32(result->window_sum);
    line.key("window_count").u32(result->window_count);
  }
  if (params_.kind == AppKind::kAnomaly) line.key("error_bits").hex32(result->error_bits);
  line.key("output_fnv1a64").hex64(hash);
  line.key("time").u64(elapsed);
  line.key("time_unit").str(platform_.time_unit);
  log(LogLevel::kInfo, line.c_str());
  return true;
}

void App::on_op(void* user, uint32_t op_index, bool after) {
  App* self = static_cast<App*>(user);
  const uint64_t now = self->platform_.now();
  if (!after) {
    self->op_start_ = now;
  } else if (op_index < BenchmarkStats::kMaxOps) {
    self->profiling_->op_total[op_index] += now - self->op_start_;
  }
}

bool App::benchmark(InputSource& source, uint32_t runs, BenchmarkStats* stats) {
  *stats = BenchmarkStats();
  if (!ready_ || runs == 0) {
    log(LogLevel::kError, ready_ ? "benchmark needs at least one run" : "benchmark() before a successful init()");
    return false;
  }
  stats->num_ops = interp_.model().num_operators();
  profiling_ = stats;
  interp_.set_op_hook(&App::on_op, this);
  bool ok = true;
  for (uint32_t r = 0; r < runs && ok; ++r) {
    const uint64_t start = platform_.now();
    ok = invoke_from(source);
    const uint64_t elapsed = platform_.now() - start;
    if (!ok) break;
    stats->min = (r == 0 || elapsed < stats->min) ? elapsed : stats->min;
    stats->max = elapsed > stats->max ? elapsed : stats->max;
    stats->total += elapsed;
    stats->runs = r + 1;
  }
  interp_.set_op_hook(nullptr, nullptr);
  profiling_ = nullptr;
  if (!ok) return false;

  TextLine line;
  line.str("benchmark");
  line.key("runs").u32(stats->runs);
  line.key("mean").u64(stats->total / stats->runs);
  line.key("min").u64(stats->min);
  line.key("max").u64(stats->max);
  line.key("time_unit").str(platform_.time_unit);
  log(LogLevel::kInfo, line.c_str());
  for (uint32_t op = 0; op < stats->num_ops && op < BenchmarkStats::kMaxOps; ++op) {
    TextLine op_line;
    op_line.str("benchmark_op");
    op_line.key("op").u32(op);
    op_line.key("opcode").str(op_name(interp_.model(), op));
    op_line.key("mean").u64(stats->op_total[op] / stats->runs);
    log(LogLevel::kInfo, op_line.c_str());
  }
  return true;
}

}  // namespace app
}  // namespace tinyforge
