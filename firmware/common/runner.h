// What the generated model file provides to the runner (see tools/model_to_c.py).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "tinyforge/micro/op_resolver.h"

extern "C" const uint8_t g_model_data[];
extern "C" const size_t g_model_size;
extern "C" const char g_model_name[];

// Adds the kernels the model uses to `resolver`. Returns false and names the first
// problem in `error` (a kernel missing from this build, a full resolver).
bool fw_register_model_ops(tinyforge::micro::OpResolver* resolver, const char** error);
