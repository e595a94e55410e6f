// I2S microphone in standard (Philips) mode through driver/i2s_std.h (ESP-IDF 5.0+), e.g. an
// INMP441 (24-bit samples in 32-bit slots, mono). One model input = as many consecutive audio
// samples as the input has elements, scaled to [-1, 1). Models that expect spectrogram
// features (micro_speech style) need a feature frontend between the two; see README.md.
#include "driver/i2s_std.h"
#include "esp_err.h"
#include "esp_log.h"
#include "sdkconfig.h"
#include "sensor.h"
#include "tinyforge/app/tensor_fill.h"

namespace {

const char* const kTag = "tinyforge_i2s";

class I2sSource final : public tinyforge::app::InputSource {
 public:
  bool open(const tinyforge::micro::TensorInfo& input) {
    i2s_chan_config_t channel_config = I2S_CHANNEL_DEFAULT_CONFIG(I2S_NUM_0, I2S_ROLE_MASTER);
    esp_err_t err = i2s_new_channel(&channel_config, nullptr, &rx_);
    if (err != ESP_OK) return fail("i2s_new_channel", err);
    i2s_std_config_t config = {};
    config.clk_cfg = I2S_STD_CLK_DEFAULT_CONFIG(CONFIG_TF_APP_I2S_SAMPLE_HZ);
    config.slot_cfg = I2S_STD_PHILIPS_SLOT_DEFAULT_CONFIG(I2S_DATA_BIT_WIDTH_32BIT, I2S_SLOT_MODE_MONO);
    config.gpio_cfg.mclk = I2S_GPIO_UNUSED;
    config.gpio_cfg.bclk = static_cast<gpio_num_t>(CONFIG_TF_APP_I2S_BCLK_GPIO);
    config.gpio_cfg.ws = static_cast<gpio_num_t>(CONFIG_TF_APP_I2S_WS_GPIO);
    config.gpio_cfg.dout = I2S_GPIO_UNUSED;
    config.gpio_cfg.din = static_cast<gpio_num_t>(CONFIG_TF_APP_I2S_DIN_GPIO);
    err = i2s_channel_init_std_mode(rx_, &config);
    if (err != ESP_OK) return fail("i2s_channel_init_std_mode", err);
    err = i2s_channel_enable(rx_);
    if (err != ESP_OK) return fail("i2s_channel_enable", err);
    ESP_LOGI(kTag, "microphone at %d Hz; one inference takes %ld samples", CONFIG_TF_APP_I2S_SAMPLE_HZ,
             static_cast<long>(input.shape.flat_size()));
    return true;
  }

  bool read(const tinyforge::micro::TensorInfo& info, void* dst) override {
    const uint32_t count = static_cast<uint32_t>(info.shape.flat_size());
    uint32_t done = 0;
    while (done < count) {
      int32_t chunk[64];
      const uint32_t want = count - done < 64u ? count - done : 64u;
      size_t got = 0;
      const esp_err_t err = i2s_channel_read(rx_, chunk, want * sizeof(int32_t), &got, 1000);
      if (err != ESP_OK) {
        error_ = esp_err_to_name(err);
        return false;
      }
      for (uint32_t i = 0; i < got / sizeof(int32_t); ++i, ++done) {
        // 24-bit sample, left-aligned in the 32-bit slot.
        const float v = static_cast<float>(chunk[i] >> 8) / 8388608.0f;
        if (!tinyforge::app::store_value(info, done, v, dst)) {
          error_ = "the model input type cannot take audio samples";
          return false;
        }
      }
    }
    return true;
  }
  const char* name() const override { return "i2s"; }
  const char* error() const override { return error_; }

 private:
  bool fail(const char* what, esp_err_t err) {
    ESP_LOGE(kTag, "%s failed: %s (check the I2S GPIOs in menuconfig)", what, esp_err_to_name(err));
    if (rx_ != nullptr) i2s_del_channel(rx_);
    rx_ = nullptr;
    return false;
  }

  i2s_chan_handle_t rx_ = nullptr;
  const char* error_ = "";
};

I2sSource g_i2s;

}  // namespace

tinyforge::app::InputSource* sensor_source_open(const tinyforge::micro::TensorInfo& input) {
  return g_i2s.open(input) ? &g_i2s : nullptr;
}
