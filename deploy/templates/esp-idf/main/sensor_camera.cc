// Camera frames through the esp32-camera managed component (esp_camera.h): 96x96 grayscale
// frames, resized (nearest neighbour) to the model input's height x width, pixels mapped to
// [-1, 1] and quantized with the input's parameters; 3-channel inputs get the gray value thrice.
#include "esp_camera.h"
#include "esp_err.h"
#include "esp_log.h"
#include "sdkconfig.h"
#include "sensor.h"
#include "tinyforge/app/tensor_fill.h"

namespace {

const char* const kTag = "tinyforge_camera";

class CameraSource final : public tinyforge::app::InputSource {
 public:
  bool open(const tinyforge::micro::TensorInfo& input) {
    if (input.shape.rank != 4 || (input.shape.dims[3] != 1 && input.shape.dims[3] != 3)) {
      ESP_LOGE(kTag, "the camera needs an image input [1, height, width, 1 or 3]");
      return false;
    }
    camera_config_t config = {};
    config.pin_pwdn = CONFIG_TF_APP_CAM_PWDN;
    config.pin_reset = CONFIG_TF_APP_CAM_RESET;
    config.pin_xclk = CONFIG_TF_APP_CAM_XCLK;
    config.pin_sccb_sda = CONFIG_TF_APP_CAM_SIOD;
    config.pin_sccb_scl = CONFIG_TF_APP_CAM_SIOC;
    config.pin_d7 = CONFIG_TF_APP_CAM_D7;
    config.pin_d6 = CONFIG_TF_APP_CAM_D6;
    config.pin_d5 = CONFIG_TF_APP_CAM_D5;
    config.pin_d4 = CONFIG_TF_APP_CAM_D4;
    config.pin_d3 = CONFIG_TF_APP_CAM_D3;
    config.pin_d2 = CONFIG_TF_APP_CAM_D2;
    config.pin_d1 = CONFIG_TF_APP_CAM_D1;
    config.pin_d0 = CONFIG_TF_APP_CAM_D0;
    config.pin_vsync = CONFIG_TF_APP_CAM_VSYNC;
    config.pin_href = CONFIG_TF_APP_CAM_HREF;
    config.pin_pclk = CONFIG_TF_APP_CAM_PCLK;
    config.xclk_freq_hz = 20000000;
    config.ledc_timer = LEDC_TIMER_0;
    config.ledc_channel = LEDC_CHANNEL_0;
    config.pixel_format = PIXFORMAT_GRAYSCALE;
    config.frame_size = FRAMESIZE_96X96;
    config.jpeg_quality = 12;
    config.fb_count = 1;
    config.fb_location = CAMERA_FB_IN_DRAM;
    config.grab_mode = CAMERA_GRAB_WHEN_EMPTY;
    const esp_err_t err = esp_camera_init(&config);
    if (err != ESP_OK) {
      ESP_LOGE(kTag, "esp_camera_init failed: %s (check the camera GPIOs in menuconfig)", esp_err_to_name(err));
      return false;
    }
    return true;
  }

  bool read(const tinyforge::micro::TensorInfo& info, void* dst) override {
    camera_fb_t* frame = esp_camera_fb_get();
    if (frame == nullptr) {
      error_ = "esp_camera_fb_get returned no frame";
      return false;
    }
    const int32_t height = info.shape.dims[1], width = info.shape.dims[2], channels = info.shape.dims[3];
    bool ok = true;
    for (int32_t y = 0; y < height && ok; ++y) {
      const size_t src_y = static_cast<size_t>(y) * frame->height / height;
      for (int32_t x = 0; x < width && ok; ++x) {
        const size_t src_x = static_cast<size_t>(x) * frame->width / width;
        const float v = frame->buf[src_y * frame->width + src_x] / 127.5f - 1.0f;
        for (int32_t c = 0; c < channels && ok; ++c) {
          ok = tinyforge::app::store_value(info, static_cast<uint32_t>((y * width + x) * channels + c), v, dst);
        }
      }
    }
    esp_camera_fb_return(frame);
    if (!ok) error_ = "the model input type cannot take pixels";
    return ok;
  }
  const char* name() const override { return "camera"; }
  const char* error() const override { return error_; }

 private:
  const char* error_ = "";
};

CameraSource g_camera;

}  // namespace

tinyforge::app::InputSource* sensor_source_open(const tinyforge::micro::TensorInfo& input) {
  return g_camera.open(input) ? &g_camera : nullptr;
}
