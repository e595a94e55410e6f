// The deploy budget: limits from the chip table, internal RAM vs PSRAM placement, flash, and
// refusals that say what to do.
#include "tinyforge/deploy/budget.h"

#include <gtest/gtest.h>

#include "deploy/deploy_test_support.h"
#include "tinyforge/deploy/chips.h"
#include "tinyforge/deploy/esp_idf.h"
#include "tinyforge/error.h"
#include "tinyforge/runtime.h"

namespace tinyforge {
namespace {

using deploy::ArenaPlacement;
using deploy::BudgetInput;
using deploy::check_budget;
using deploy::find_esp_chip;

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

TEST(ChipTable, HoldsTheDocumentedFigures) {
  // ESP-IDF's memory-types guide: at most 160 KB of statically allocated DRAM on the ESP32.
  EXPECT_EQ(find_esp_chip("esp32").static_dram_bytes, 160u * 1024u);
  EXPECT_EQ(find_esp_chip("esp32").sram_bytes, 520u * 1024u);
  EXPECT_EQ(find_esp_chip("esp32c3").sram_bytes, 400u * 1024u);
  EXPECT_EQ(find_esp_chip("esp32").max_cpu_mhz, 240);
  EXPECT_EQ(find_esp_chip("esp32s3").max_cpu_mhz, 240);
  EXPECT_EQ(find_esp_chip("esp32c3").max_cpu_mhz, 160);
  EXPECT_EQ(find_esp_chip("esp32c6").max_cpu_mhz, 160);
  EXPECT_EQ(find_esp_chip("esp32c3").cores, 1);
  EXPECT_EQ(find_esp_chip("esp32s3").cores, 2);
  EXPECT_FALSE(find_esp_chip("esp32c3").psram);
  EXPECT_FALSE(find_esp_chip("esp32c6").psram);
  EXPECT_TRUE(find_esp_chip("esp32s3").psram);
  for (const auto& chip : deploy::esp_chips()) EXPECT_FALSE(chip.limits_source.empty()) << chip.name;
}

TEST(ChipTable, UnknownTargetListsTheSupportedOnes) {
  try {
    find_esp_chip("esp8266");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "esp8266"));
    EXPECT_TRUE(contains(e.what(), "esp32, esp32s3, esp32c3, esp32c6"));
  }
}

TEST(Budget, Esp32InternalBudgetIs160KMinusIdfAndAppStatics) {
  // 160 KiB - 24 KiB (ESP-IDF's statics) - 8 KiB (app core); the ESP32's heap is elsewhere.
  BudgetInput in;
  in.arena_bytes = 1000;
  const auto r = check_budget(find_esp_chip("esp32"), in);
  EXPECT_EQ(r.internal_budget_bytes, (160u - 24u - 8u) * 1024u);
  EXPECT_EQ(r.internal_used_bytes, 1000u + 8u * 1024u);
  EXPECT_TRUE(r.fits());
}

TEST(Budget, AcceptsHelloWorldEverywhere) {
  const std::vector<uint8_t> model = test::shared_model("hello_world_int8");
  for (const auto& chip : deploy::esp_chips()) {
    BudgetInput in;
    in.model_bytes = model.size();
    in.arena_bytes = exact_arena_bytes(ModelBytes(model));
    in.runtime_code_bytes = deploy::estimate_runtime_code_bytes(model);
    const auto r = check_budget(chip, in);
    EXPECT_TRUE(r.fits()) << chip.name << "\n" << deploy::budget_text(r);
    EXPECT_EQ(r.placement, ArenaPlacement::kInternal);
    EXPECT_TRUE(r.warnings.empty()) << chip.name;
  }
}

TEST(Budget, RefusesAnArenaBeyondInternalRamOnChipsWithoutPsram) {
  BudgetInput in;
  in.arena_bytes = 600 * 1024;  // far beyond the 400 KB of SRAM the ESP32-C3 has at all
  const auto r = check_budget(find_esp_chip("esp32c3"), in);
  ASSERT_FALSE(r.fits());
  const std::string text = deploy::budget_text(r);
  EXPECT_TRUE(contains(text, "no PSRAM")) << text;
  EXPECT_TRUE(contains(text, "int8")) << text;
  EXPECT_TRUE(contains(text, "smaller model")) << text;
  EXPECT_TRUE(contains(text, "verdict: does not fit")) << text;
}

TEST(Budget, MovesTheArenaToPsramWhereTheChipHasIt) {
  BudgetInput in;
  in.arena_bytes = 600 * 1024;
  const auto r = check_budget(find_esp_chip("esp32s3"), in);
  EXPECT_TRUE(r.fits());
  EXPECT_EQ(r.placement, ArenaPlacement::kPsram);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_TRUE(contains(r.warnings[0], "PSRAM"));
  EXPECT_EQ(r.internal_used_bytes, 8u * 1024u);  // only the app core's statics stay internal
}

TEST(Budget, PsramFlagOnAChipWithoutPsramIsAnError) {
  BudgetInput in;
  in.arena_bytes = 1024;
  in.psram_requested = true;
  const auto r = check_budget(find_esp_chip("esp32c6"), in);
  ASSERT_FALSE(r.fits());
  EXPECT_TRUE(contains(r.errors[0], "esp32c6 has no PSRAM"));
}

TEST(Budget, PsramFlagPlacesEvenASmallArenaThere) {
  BudgetInput in;
  in.arena_bytes = 1024;
  in.psram_requested = true;
  EXPECT_EQ(check_budget(find_esp_chip("esp32"), in).placement, ArenaPlacement::kPsram);
}

TEST(Budget, BigImagesNeedTheLargePartitionOrDoNotFit) {
  BudgetInput in;
  in.model_bytes = 900 * 1024;  // + 200 KiB of ESP-IDF > 1 MiB, < 1.5 MiB
  auto r = check_budget(find_esp_chip("esp32"), in);
  EXPECT_TRUE(r.fits());
  EXPECT_TRUE(r.large_partition);
  EXPECT_EQ(r.app_partition_bytes, 0x180000u);
  in.model_bytes = 1400 * 1024;
  r = check_budget(find_esp_chip("esp32"), in);
  ASSERT_FALSE(r.fits());
  EXPECT_TRUE(contains(r.errors[0], "app partition"));
}

TEST(Budget, RuntimeCodeCountsSharedKernelObjectsOnce) {
  // person_detect: CONV_2D and DEPTHWISE_CONV_2D share conv_common; AVERAGE_POOL_2D, RESHAPE, SOFTMAX.
  // core 26553 + conv_2d 4468 + conv_common 4349 + depthwise 3682 + pooling 4844 + reshape 1385 + softmax 9123.
  EXPECT_EQ(deploy::estimate_runtime_code_bytes(test::shared_model("person_detect")),
            26553u + 4468u + 4349u + 3682u + 4844u + 1385u + 9123u);
}

TEST(Budget, GeneratorRefusesABigArenaOnEsp32c3AndUsesPsramOnEsp32s3) {
  const std::vector<uint8_t> model = test::big_activation_model(256);  // 256 KiB per activation
  deploy::EspIdfOptions o;
  o.target = "esp32c3";
  o.app = "classify";
  o.sensor = "adc";
  try {
    deploy::generate_esp_idf_project(model, o);
    FAIL() << "a 256 KiB activation was accepted on esp32c3";
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "does not fit esp32c3")) << e.what();
    EXPECT_TRUE(contains(e.what(), "memory budget for esp32c3")) << e.what();
  }
  o.target = "esp32s3";
  const auto p = deploy::generate_esp_idf_project(model, o);
  EXPECT_EQ(p.budget.placement, ArenaPlacement::kPsram);
  EXPECT_TRUE(contains(p.files.at("sdkconfig.defaults"), "\nCONFIG_SPIRAM=y\n"));
  EXPECT_TRUE(contains(p.files.at("sdkconfig.defaults"), "\nCONFIG_TF_APP_ARENA_IN_PSRAM=y\n"));
  EXPECT_TRUE(contains(p.files.at("budget.json"), "\"arena_placement\": \"psram\""));
}

TEST(Budget, PersonDetectFitsEsp32c3InternalRam) {
  // person_detect's arena (82400 bytes on the host) is well within the C3's internal budget.
  deploy::EspIdfOptions o;
  o.target = "esp32c3";
  o.app = "classify";
  const auto p = deploy::generate_esp_idf_project(test::shared_model("person_detect"), o);
  EXPECT_EQ(p.budget.placement, ArenaPlacement::kInternal);
  EXPECT_TRUE(p.budget.fits());
}

}  // namespace
}  // namespace tinyforge
