// Optional publishing of predictions over Wi-Fi + MQTT (menuconfig: TF_APP_MQTT, off by
// default). Without it both functions do nothing.
#pragma once

#include <stdint.h>

#include "tinyforge/app/postprocess.h"

void mqtt_publish_start();
void mqtt_publish_prediction(uint32_t sample, const tinyforge::app::Prediction& prediction, const char* label);
