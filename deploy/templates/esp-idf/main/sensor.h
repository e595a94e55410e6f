// The input source for this project's sensor (one of sensor_adc.cc, sensor_i2s.cc,
// sensor_mpu6050.cc, sensor_camera.cc is compiled in, chosen at generation time).
#pragma once

#include "tinyforge/app/input_source.h"
#include "tinyforge/micro/model.h"

// Sets up the sensor for a model input shaped like `input`. Returns null (after logging what
// went wrong) when the hardware cannot be set up; the caller falls back to replay.
tinyforge::app::InputSource* sensor_source_open(const tinyforge::micro::TensorInfo& input);
