#include "tinyforge/npy.h"

#include <gtest/gtest.h>

#include <cstring>

#include "tinyforge/error.h"

namespace tinyforge {
namespace {

TEST(Npy, RoundTripKeepsDtypeShapeAndBytes) {
  NpyArray a;
  a.dtype = "i2";
  a.shape = {2, 3};
  const int16_t v[6] = {1, -2, 3, -32768, 32767, 0};
  a.data.assign(reinterpret_cast<const uint8_t*>(v), reinterpret_cast<const uint8_t*>(v) + sizeof v);
  const std::vector<uint8_t> bytes = serialize_npy(a);
  EXPECT_EQ((bytes.size() - a.data.size()) % 64, 0u) << "data must start 64-byte aligned, as NumPy writes";
  const NpyArray b = parse_npy(bytes);
  EXPECT_EQ(b.dtype, "i2");
  EXPECT_EQ(b.shape, a.shape);
  EXPECT_EQ(b.data, a.data);
}

TEST(Npy, ReadsAHeaderWrittenByNumpy) {
  // Header bytes laid out as numpy.save writes them for np.zeros((2,), '<f4') (padded, newline-terminated).
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  header.append(128 - 10 - header.size() - 1, ' ');
  header.push_back('\n');
  std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<uint8_t>(header.size()), 0};
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.resize(bytes.size() + 8, 0);
  const NpyArray a = parse_npy(bytes);
  EXPECT_EQ(a.dtype, "f4");
  EXPECT_EQ(a.shape, std::vector<int64_t>{2});
  EXPECT_EQ(a.element_count(), 2u);
}

TEST(Npy, RejectsWhatItCannotRead) {
  EXPECT_THROW(parse_npy({1, 2, 3}), Error);
  NpyArray a;
  a.dtype = "f4";
  a.shape = {4};
  a.data.resize(16);
  std::vector<uint8_t> bytes = serialize_npy(a);
  bytes.resize(bytes.size() - 4);  // truncated data
  try {
    parse_npy(bytes, "x.npy");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos);
  }
  std::string text(bytes.begin(), bytes.end());
  text.replace(text.find("False"), 5, "True ");
  EXPECT_THROW(parse_npy(std::vector<uint8_t>(text.begin(), text.end())), Error);
}

}  // namespace
}  // namespace tinyforge
