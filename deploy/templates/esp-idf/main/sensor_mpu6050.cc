// MPU-6050 accelerometer through the I2C master driver (driver/i2c_master.h, ESP-IDF 5.2+).
// One model input = (elements / 3) consecutive x, y, z readings in g, at TF_APP_IMU_SAMPLE_HZ.
#include "driver/i2c_master.h"
#include "esp_err.h"
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdkconfig.h"
#include "sensor.h"
#include "tinyforge/app/tensor_fill.h"

namespace {

const char* const kTag = "tinyforge_mpu6050";
constexpr int kTimeoutMs = 100;
constexpr uint8_t kRegPowerManagement1 = 0x6B;
constexpr uint8_t kRegAccelConfig = 0x1C;
constexpr uint8_t kRegAccelXoutH = 0x3B;
constexpr uint8_t kRegWhoAmI = 0x75;
constexpr float kCountsPerG = 8192.0f;  // +-4 g full scale

class Mpu6050Source final : public tinyforge::app::InputSource {
 public:
  bool open(const tinyforge::micro::TensorInfo& input) {
    if (input.shape.flat_size() % 3 != 0) {
      ESP_LOGE(kTag, "the model input has %ld elements, not a whole number of (x, y, z) samples",
               static_cast<long>(input.shape.flat_size()));
      return false;
    }
    i2c_master_bus_config_t bus_config = {};
    bus_config.i2c_port = I2C_NUM_0;
    bus_config.sda_io_num = static_cast<gpio_num_t>(CONFIG_TF_APP_I2C_SDA_GPIO);
    bus_config.scl_io_num = static_cast<gpio_num_t>(CONFIG_TF_APP_I2C_SCL_GPIO);
    bus_config.clk_source = I2C_CLK_SRC_DEFAULT;
    bus_config.glitch_ignore_cnt = 7;
    bus_config.flags.enable_internal_pullup = true;
    esp_err_t err = i2c_new_master_bus(&bus_config, &bus_);
    if (err != ESP_OK) return fail("i2c_new_master_bus", err);
    i2c_device_config_t device_config = {};
    device_config.dev_addr_length = I2C_ADDR_BIT_LEN_7;
    device_config.device_address = CONFIG_TF_APP_MPU6050_ADDRESS;
    device_config.scl_speed_hz = 400000;
    err = i2c_master_bus_add_device(bus_, &device_config, &device_);
    if (err != ESP_OK) return fail("i2c_master_bus_add_device", err);
    uint8_t who = 0;
    err = i2c_master_transmit_receive(device_, &kRegWhoAmI, 1, &who, 1, kTimeoutMs);
    if (err != ESP_OK) return fail("reading WHO_AM_I (is the MPU-6050 wired and powered?)", err);
    const uint8_t wake[2] = {kRegPowerManagement1, 0x00};
    const uint8_t range[2] = {kRegAccelConfig, 0x08};
    err = i2c_master_transmit(device_, wake, sizeof wake, kTimeoutMs);
    if (err == ESP_OK) err = i2c_master_transmit(device_, range, sizeof range, kTimeoutMs);
    if (err != ESP_OK) return fail("configuring the MPU-6050", err);
    ESP_LOGI(kTag, "MPU-6050 (WHO_AM_I 0x%02x) at %d Hz, +-4 g", who, CONFIG_TF_APP_IMU_SAMPLE_HZ);
    return true;
  }

  bool read(const tinyforge::micro::TensorInfo& info, void* dst) override {
    const uint32_t samples = static_cast<uint32_t>(info.shape.flat_size()) / 3u;
    const TickType_t period = pdMS_TO_TICKS(1000 / CONFIG_TF_APP_IMU_SAMPLE_HZ);
    TickType_t wake = xTaskGetTickCount();
    for (uint32_t s = 0; s < samples; ++s) {
      uint8_t raw[6];
      const esp_err_t err = i2c_master_transmit_receive(device_, &kRegAccelXoutH, 1, raw, sizeof raw, kTimeoutMs);
      if (err != ESP_OK) {
        error_ = esp_err_to_name(err);
        return false;
      }
      for (uint32_t axis = 0; axis < 3; ++axis) {
        const int16_t counts = static_cast<int16_t>((raw[2 * axis] << 8) | raw[2 * axis + 1]);
        if (!tinyforge::app::store_value(info, 3 * s + axis, counts / kCountsPerG, dst)) {
          error_ = "the model input type cannot take accelerometer values";
          return false;
        }
      }
      if (period > 0) vTaskDelayUntil(&wake, period);
    }
    return true;
  }
  const char* name() const override { return "mpu6050"; }
  const char* error() const override { return error_; }

 private:
  bool fail(const char* what, esp_err_t err) {
    ESP_LOGE(kTag, "%s failed: %s (check the I2C GPIOs and address in menuconfig)", what, esp_err_to_name(err));
    if (device_ != nullptr) i2c_master_bus_rm_device(device_);
    if (bus_ != nullptr) i2c_del_master_bus(bus_);
    device_ = nullptr;
    bus_ = nullptr;
    return false;
  }

  i2c_master_bus_handle_t bus_ = nullptr;
  i2c_master_dev_handle_t device_ = nullptr;
  const char* error_ = "";
};

Mpu6050Source g_imu;

}  // namespace

tinyforge::app::InputSource* sensor_source_open(const tinyforge::micro::TensorInfo& input) {
  return g_imu.open(input) ? &g_imu : nullptr;
}
