#include "tinyforge/app/postprocess.h"

#include <string.h>

namespace tinyforge {
namespace app {

namespace {

using micro::TensorType;

bool is_quantized_integer(TensorType t) {
  return t == TensorType::kInt8 || t == TensorType::kUInt8 || t == TensorType::kInt16;
}

bool is_argmax_type(TensorType t) {
  return is_quantized_integer(t) || t == TensorType::kInt32 || t == TensorType::kFloat32;
}

int32_t raw_integer(TensorType type, const void* data, uint32_t i) {
  switch (type) {
    case TensorType::kInt8: return static_cast<const int8_t*>(data)[i];
    case TensorType::kUInt8: return static_cast<const uint8_t*>(data)[i];
    case TensorType::kInt16: return static_cast<const int16_t*>(data)[i];
    case TensorType::kInt32: return static_cast<const int32_t*>(data)[i];
    default: break;
  }
  int32_t bits;
  memcpy(&bits, static_cast<const uint8_t*>(data) + 4u * i, sizeof bits);
  return bits;
}

float dequantized(const micro::TensorInfo& info, const void* data, uint32_t i) {
  if (info.type == TensorType::kFloat32) {
    float v;
    memcpy(&v, static_cast<const uint8_t*>(data) + 4u * i, sizeof v);
    return v;
  }
  return info.quant.scale(0) * static_cast<float>(raw_integer(info.type, data, i) - info.quant.zero_point(0));
}

uint32_t float_bits(float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof bits);
  return bits;
}

uint32_t element_count(const micro::TensorInfo& info) {
  return static_cast<uint32_t>(info.shape.flat_size());
}

}  // namespace

const char* app_kind_name(AppKind kind) {
  switch (kind) {
    case AppKind::kClassify: return "classify";
    case AppKind::kKws: return "kws";
    case AppKind::kGesture: return "gesture";
    case AppKind::kAnomaly: return "anomaly";
  }
  return "unknown";
}

int32_t ordered_value(TensorType type, const void* data, uint32_t index) {
  int32_t v = raw_integer(type, data, index);
  // IEEE-754 sign-magnitude to a two's complement order: flip the magnitude of negatives.
  if (type == TensorType::kFloat32 && v < 0) v ^= 0x7fffffff;
  return v;
}

int32_t argmax(TensorType type, const void* data, uint32_t count) {
  if (!is_argmax_type(type) || count == 0) return -1;
  int32_t best = 0;
  int32_t best_value = ordered_value(type, data, 0);
  for (uint32_t i = 1; i < count; ++i) {
    const int32_t v = ordered_value(type, data, i);
    if (v > best_value) {
      best_value = v;
      best = static_cast<int32_t>(i);
    }
  }
  return best;
}

bool Postprocessor::check(const micro::TensorInfo& input, const micro::TensorInfo& output, const char** error) const {
  const uint32_t classes = element_count(output);
  if (classes == 0) {
    *error = "the model output is empty";
    return false;
  }
  switch (params_.kind) {
    case AppKind::kClassify:
    case AppKind::kGesture:
      if (!is_argmax_type(output.type)) {
        *error = "classification needs an int8, uint8, int16, int32 or float32 output";
        return false;
      }
      return true;
    case AppKind::kKws:
      if (!is_quantized_integer(output.type) || output.quant.count == 0) {
        *error = "kws averaging needs a quantized int8, uint8 or int16 output";
        return false;
      }
      if (classes > kMaxClasses) {
        *error = "kws supports at most 64 output classes";
        return false;
      }
      if (params_.kws_window == 0 || params_.kws_window > kMaxWindow) {
        *error = "kws window must be 1..16 results";
        return false;
      }
      return true;
    case AppKind::kAnomaly: {
      const bool types_ok =
          (input.type == TensorType::kFloat32 || (is_quantized_integer(input.type) && input.quant.count != 0)) &&
          (output.type == TensorType::kFloat32 || (is_quantized_integer(output.type) && output.quant.count != 0));
      if (!types_ok) {
        *error = "anomaly detection needs float32 or quantized int8/uint8/int16 input and output";
        return false;
      }
      if (element_count(input) != classes) {
        *error = "anomaly detection needs an autoencoder: output with as many elements as the input";
        return false;
      }
      return true;
    }
  }
  *error = "unknown app kind";
  return false;
}

void Postprocessor::reset() {
  memset(history_, 0, sizeof history_);
  filled_ = 0;
  next_ = 0;
}

const char* Postprocessor::label_name(int32_t label) const {
  if (label >= 0 && params_.labels != nullptr && static_cast<uint32_t>(label) < params_.num_labels) {
    return params_.labels[label];
  }
  return nullptr;
}

bool Postprocessor::run_kws(const micro::TensorInfo& out_info, const void* out, Prediction* result) {
  const uint32_t classes = element_count(out_info);
  const int32_t zero_point = out_info.quant.zero_point(0);
  for (uint32_t c = 0; c < classes; ++c) history_[next_][c] = raw_integer(out_info.type, out, c) - zero_point;
  next_ = (next_ + 1u) % params_.kws_window;
  if (filled_ < params_.kws_window) ++filled_;
  // Rows not written yet are zero, so summing the whole window sums the results so far.
  int32_t best = 0, best_sum = 0;
  for (uint32_t c = 0; c < classes; ++c) {
    int32_t sum = 0;
    for (uint32_t r = 0; r < params_.kws_window; ++r) sum += history_[r][c];
    if (c == 0 || sum > best_sum) {
      best_sum = sum;
      best = static_cast<int32_t>(c);
    }
  }
  result->label = best;
  result->score_raw = raw_integer(out_info.type, out, static_cast<uint32_t>(best));
  result->window_sum = best_sum;
  result->window_count = filled_;
  result->detected =
      filled_ == params_.kws_window && best_sum >= params_.kws_threshold_q * static_cast<int32_t>(params_.kws_window);
  return true;
}

bool Postprocessor::run(const micro::TensorInfo& out_info, const void* out, const micro::TensorInfo& in_info,
                        const void* in, Prediction* result) {
  *result = Prediction();
  if (out == nullptr) return false;
  switch (params_.kind) {
    case AppKind::kClassify:
    case AppKind::kGesture: {
      result->label = argmax(out_info.type, out, element_count(out_info));
      if (result->label < 0) return false;
      result->score_raw = raw_integer(out_info.type, out, static_cast<uint32_t>(result->label));
      result->detected = true;
      return true;
    }
    case AppKind::kKws: return run_kws(out_info, out, result);
    case AppKind::kAnomaly: {
      if (in == nullptr) return false;
      float sum = 0.0f;
      const uint32_t n = element_count(out_info);
      for (uint32_t i = 0; i < n; ++i) {
        const float d = dequantized(out_info, out, i) - dequantized(in_info, in, i);
        sum = sum + d * d;
      }
      result->error_bits = float_bits(sum);
      // Both are non-negative floats, whose bit patterns order like their values.
      result->detected = result->error_bits > params_.anomaly_threshold_sum_bits;
      return true;
    }
  }
  return false;
}

}  // namespace app
}  // namespace tinyforge
