#include "mqtt_publish.h"

#include <stdio.h>
#include <string.h>

#include "sdkconfig.h"

#if CONFIG_TF_APP_MQTT
#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "mqtt_client.h"
#include "nvs_flash.h"

namespace {

const char* const kTag = "tinyforge_mqtt";
esp_mqtt_client_handle_t g_client = nullptr;
bool g_connected = false;

void on_wifi(void*, esp_event_base_t base, int32_t id, void*) {
  if (base == WIFI_EVENT && (id == WIFI_EVENT_STA_START || id == WIFI_EVENT_STA_DISCONNECTED)) {
    if (id == WIFI_EVENT_STA_DISCONNECTED) ESP_LOGW(kTag, "Wi-Fi disconnected; reconnecting");
    const esp_err_t err = esp_wifi_connect();
    if (err != ESP_OK) ESP_LOGE(kTag, "esp_wifi_connect failed: %s", esp_err_to_name(err));
  }
}

void on_mqtt(void*, esp_event_base_t, int32_t id, void*) {
  if (id == MQTT_EVENT_CONNECTED) {
    g_connected = true;
    ESP_LOGI(kTag, "connected to %s", CONFIG_TF_APP_MQTT_BROKER_URI);
  } else if (id == MQTT_EVENT_DISCONNECTED) {
    g_connected = false;
    ESP_LOGW(kTag, "broker disconnected; the client reconnects by itself");
  } else if (id == MQTT_EVENT_ERROR) {
    ESP_LOGE(kTag, "MQTT error (check the broker URI and that the broker is reachable)");
  }
}

bool check(esp_err_t err, const char* what) {
  if (err == ESP_OK) return true;
  ESP_LOGE(kTag, "%s failed: %s; publishing disabled", what, esp_err_to_name(err));
  return false;
}

}  // namespace

void mqtt_publish_start() {
  esp_err_t err = nvs_flash_init();
  if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
    // A partition written by another firmware version: erase it and start over.
    if (!check(nvs_flash_erase(), "nvs_flash_erase")) return;
    err = nvs_flash_init();
  }
  if (!check(err, "nvs_flash_init") || !check(esp_netif_init(), "esp_netif_init") ||
      !check(esp_event_loop_create_default(), "esp_event_loop_create_default")) {
    return;
  }
  if (esp_netif_create_default_wifi_sta() == nullptr) {
    ESP_LOGE(kTag, "esp_netif_create_default_wifi_sta failed; publishing disabled");
    return;
  }
  wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
  if (!check(esp_wifi_init(&init), "esp_wifi_init")) return;
  if (!check(esp_event_handler_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_wifi, nullptr), "wifi event handler")) return;
  wifi_config_t wifi = {};
  strncpy(reinterpret_cast<char*>(wifi.sta.ssid), CONFIG_TF_APP_WIFI_SSID, sizeof wifi.sta.ssid - 1);
  strncpy(reinterpret_cast<char*>(wifi.sta.password), CONFIG_TF_APP_WIFI_PASSWORD, sizeof wifi.sta.password - 1);
  if (!check(esp_wifi_set_mode(WIFI_MODE_STA), "esp_wifi_set_mode") ||
      !check(esp_wifi_set_config(WIFI_IF_STA, &wifi), "esp_wifi_set_config") ||
      !check(esp_wifi_start(), "esp_wifi_start")) {
    return;
  }
  esp_mqtt_client_config_t mqtt = {};
  mqtt.broker.address.uri = CONFIG_TF_APP_MQTT_BROKER_URI;
  g_client = esp_mqtt_client_init(&mqtt);
  if (g_client == nullptr) {
    ESP_LOGE(kTag, "esp_mqtt_client_init failed (bad broker URI '%s'?)", CONFIG_TF_APP_MQTT_BROKER_URI);
    return;
  }
  if (!check(esp_mqtt_client_register_event(g_client, MQTT_EVENT_ANY, on_mqtt, nullptr), "mqtt event handler") ||
      !check(esp_mqtt_client_start(g_client), "esp_mqtt_client_start")) {
    esp_mqtt_client_destroy(g_client);
    g_client = nullptr;
  }
}

void mqtt_publish_prediction(uint32_t sample, const tinyforge::app::Prediction& p, const char* label) {
  if (g_client == nullptr || !g_connected) return;
  char json[160];
  const int n =
      snprintf(json, sizeof json, "{\"sample\":%lu,\"label\":%ld,\"name\":\"%s\",\"detected\":%s,\"score_raw\":%ld}",
               static_cast<unsigned long>(sample), static_cast<long>(p.label), label ? label : "",
               p.detected ? "true" : "false", static_cast<long>(p.score_raw));
  if (n <= 0 || n >= static_cast<int>(sizeof json)) return;
  if (esp_mqtt_client_publish(g_client, CONFIG_TF_APP_MQTT_TOPIC, json, n, 0, 0) < 0) {
    ESP_LOGW(kTag, "publish of sample %lu failed", static_cast<unsigned long>(sample));
  }
}

#else

void mqtt_publish_start() {}
void mqtt_publish_prediction(uint32_t, const tinyforge::app::Prediction&, const char*) {}

#endif
