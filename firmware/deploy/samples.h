// What the generated samples.c gives the replay runner (written by `tinyforge deploy baremetal`).
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// g_num_samples samples of g_sample_bytes each: every model input's raw bytes, in input order,
// already in the input's type (float data was quantized on the host).
extern const uint8_t g_samples[];
extern const uint32_t g_num_samples;
extern const uint32_t g_sample_bytes;
// 1: print argmax and score of output 0; 0: print its values (regressors).
extern const uint8_t g_predict_argmax;
extern const char g_model_name[];

#ifdef __cplusplus
}
#endif
