#include "tinyforge/micro/quant_math.h"

#include <float.h>

namespace tinyforge {
namespace micro {

void quantize_multiplier(double multiplier, int32_t* quantized_multiplier, int* shift) {
  if (multiplier == 0.0) {
    *quantized_multiplier = 0;
    *shift = 0;
    return;
  }
  int exponent = 0;
  const double fraction = frexp(multiplier, &exponent);  // multiplier = fraction * 2^exponent, |fraction| in [0.5, 1)
  int64_t q = static_cast<int64_t>(round(fraction * static_cast<double>(int64_t{1} << 31)));
  if (q == (int64_t{1} << 31)) {
    q /= 2;
    ++exponent;
  }
  if (exponent < -31) {  // too small to represent: the product is zero
    exponent = 0;
    q = 0;
  }
  if (exponent > 30) {  // absurd (>= 2^30): saturate, so no kernel ever shifts by 31 or more
    exponent = 30;
    q = INT32_MAX;
  }
  *quantized_multiplier = static_cast<int32_t>(q);
  *shift = exponent;
}

void activation_range_quantized(Activation act, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                                int32_t* act_min, int32_t* act_max) {
  auto quantize = [scale, zero_point](float f) { return zero_point + static_cast<int32_t>(roundf(f / scale)); };
  int32_t lo = qmin;
  int32_t hi = qmax;
  switch (act) {
    case Activation::kRelu:
      lo = quantize(0.0f) > qmin ? quantize(0.0f) : qmin;
      break;
    case Activation::kRelu6:
      lo = quantize(0.0f) > qmin ? quantize(0.0f) : qmin;
      hi = quantize(6.0f) < qmax ? quantize(6.0f) : qmax;
      break;
    case Activation::kReluN1To1:
      lo = quantize(-1.0f) > qmin ? quantize(-1.0f) : qmin;
      hi = quantize(1.0f) < qmax ? quantize(1.0f) : qmax;
      break;
    default:
      break;
  }
  *act_min = lo;
  *act_max = hi;
}

void activation_range_float(Activation act, float* act_min, float* act_max) {
  switch (act) {
    case Activation::kRelu:
      *act_min = 0.0f;
      *act_max = FLT_MAX;
      break;
    case Activation::kRelu6:
      *act_min = 0.0f;
      *act_max = 6.0f;
      break;
    case Activation::kReluN1To1:
      *act_min = -1.0f;
      *act_max = 1.0f;
      break;
    default:
      *act_min = -FLT_MAX;
      *act_max = FLT_MAX;
      break;
  }
}

bool integer_type_range(TensorType t, int32_t* qmin, int32_t* qmax) {
  switch (t) {
    case TensorType::kInt8:
      *qmin = -128;
      *qmax = 127;
      return true;
    case TensorType::kUInt8:
      *qmin = 0;
      *qmax = 255;
      return true;
    case TensorType::kInt16:
      *qmin = -32768;
      *qmax = 32767;
      return true;
    default:
      return false;
  }
}

}  // namespace micro
}  // namespace tinyforge
