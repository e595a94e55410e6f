// Analog sensor through the ADC oneshot driver (esp_adc/adc_oneshot.h, ESP-IDF 5.0+): one model
// input = as many consecutive readings as the input has elements, scaled to [-1, 1).
#include "esp_adc/adc_oneshot.h"
#include "esp_err.h"
#include "esp_idf_version.h"
#include "esp_log.h"
#include "esp_rom_sys.h"
#include "sdkconfig.h"
#include "sensor.h"
#include "tinyforge/app/tensor_fill.h"

namespace {

const char* const kTag = "tinyforge_adc";

class AdcSource final : public tinyforge::app::InputSource {
 public:
  bool open() {
    adc_oneshot_unit_init_cfg_t unit_config = {};
    unit_config.unit_id = ADC_UNIT_1;
    esp_err_t err = adc_oneshot_new_unit(&unit_config, &unit_);
    if (err != ESP_OK) return fail("adc_oneshot_new_unit", err);
    adc_oneshot_chan_cfg_t channel_config = {};
#if ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(5, 1, 3)
    channel_config.atten = ADC_ATTEN_DB_12;  // full range (named DB_11 before 5.1.3)
#else
    channel_config.atten = ADC_ATTEN_DB_11;
#endif
    channel_config.bitwidth = ADC_BITWIDTH_12;
    err = adc_oneshot_config_channel(unit_, static_cast<adc_channel_t>(CONFIG_TF_APP_ADC_CHANNEL), &channel_config);
    if (err != ESP_OK) return fail("adc_oneshot_config_channel", err);
    ESP_LOGI(kTag, "ADC1 channel %d at %d Hz", CONFIG_TF_APP_ADC_CHANNEL, CONFIG_TF_APP_ADC_SAMPLE_HZ);
    return true;
  }

  bool read(const tinyforge::micro::TensorInfo& info, void* dst) override {
    const uint32_t count = static_cast<uint32_t>(info.shape.flat_size());
    const uint32_t period_us = 1000000u / CONFIG_TF_APP_ADC_SAMPLE_HZ;
    for (uint32_t i = 0; i < count; ++i) {
      int raw = 0;
      const esp_err_t err = adc_oneshot_read(unit_, static_cast<adc_channel_t>(CONFIG_TF_APP_ADC_CHANNEL), &raw);
      if (err != ESP_OK) {
        error_ = esp_err_to_name(err);
        return false;
      }
      // 12-bit reading -> [-1, 1): the model's own quantization then applies.
      if (!tinyforge::app::store_value(info, i, (static_cast<float>(raw) - 2048.0f) / 2048.0f, dst)) {
        error_ = "the model input type cannot take sensor values";
        return false;
      }
      esp_rom_delay_us(period_us);
    }
    return true;
  }
  const char* name() const override {
    return "adc";
  }
  const char* error() const override {
    return error_;
  }

 private:
  bool fail(const char* what, esp_err_t err) {
    ESP_LOGE(kTag, "%s failed: %s (check TF_APP_ADC_CHANNEL in menuconfig)", what, esp_err_to_name(err));
    if (unit_ != nullptr) adc_oneshot_del_unit(unit_);
    unit_ = nullptr;
    return false;
  }

  adc_oneshot_unit_handle_t unit_ = nullptr;
  const char* error_ = "";
};

AdcSource g_adc;

}  // namespace

tinyforge::app::InputSource* sensor_source_open(const tinyforge::micro::TensorInfo&) {
  return g_adc.open() ? &g_adc : nullptr;
}
