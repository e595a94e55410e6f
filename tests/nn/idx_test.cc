// IDX parsing, gzip reading, and the Fashion-MNIST loader (on hand-made files, and on the real
// Debian package when it is installed).
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tinyforge/data/fashion_mnist.h"
#include "tinyforge/error.h"

namespace tinyforge::data {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> idx_bytes(uint8_t type, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> b = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

void write_plain(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::vector<uint8_t> read_plain(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("tf_idx_test_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Idx, ParsesHeaderDimsAndData) {
  // magic 0x00000803, dims 2 x 2 x 3 (big-endian), then 12 bytes.
  const std::vector<uint8_t> bytes = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3,
                                      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255};
  IdxArray a = parse_idx(bytes);
  EXPECT_EQ(a.dims, (std::vector<int64_t>{2, 2, 3}));
  ASSERT_EQ(a.data.size(), 12u);
  EXPECT_EQ(a.data[0], 1);
  EXPECT_EQ(a.data[11], 255);
}

TEST(Idx, DimsAboveOneByteAreBigEndian) {
  // 0x00000102 = 258 labels.
  std::vector<uint8_t> bytes = {0, 0, 8, 1, 0, 0, 1, 2};
  bytes.resize(8 + 258, 7);
  EXPECT_EQ(parse_idx(bytes).dims, (std::vector<int64_t>{258}));
}

TEST(Idx, RejectsTruncatedTrailingAndForeignData) {
  auto full = idx_bytes(8, {4}, {1, 2, 3, 4});
  auto cut = full;
  cut.pop_back();
  EXPECT_NE(error_of([&] { parse_idx(cut, "labels"); }).find("truncated"), std::string::npos);
  auto extra = full;
  extra.push_back(0);
  EXPECT_NE(error_of([&] { parse_idx(extra); }).find("trailing"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_idx({0, 0, 8}); }).find("too short"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_idx({0, 0, 8, 3, 0, 0}); }).find("header"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_idx({0x1f, 0x8b, 8, 0, 0, 0}); }).find("not an IDX"), std::string::npos);
  // Type 0x0D is float32 in IDX: not supported.
  EXPECT_NE(error_of([&] { parse_idx(idx_bytes(0x0D, {1}, {0, 0, 0, 0})); }).find("not supported"),
            std::string::npos);
}

TEST(Idx, ReadsGzipAndPlainFiles) {
  TempDir dir;
  const auto bytes = idx_bytes(8, {2, 3}, {9, 8, 7, 6, 5, 4});
  write_gz(dir.file("a.gz"), bytes);
  write_plain(dir.file("a.idx"), bytes);
  for (const auto& f : {dir.file("a.gz"), dir.file("a.idx")}) {
    IdxArray a = read_idx(f);
    EXPECT_EQ(a.dims, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(a.data, (std::vector<uint8_t>{9, 8, 7, 6, 5, 4}));
  }
}

TEST(Idx, TruncatedGzipIsAnError) {
  TempDir dir;
  std::vector<uint8_t> payload(5000);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>((i * 7919) >> 3);
  write_gz(dir.file("full.gz"), idx_bytes(8, {5000}, payload));
  auto gz = read_plain(dir.file("full.gz"));
  gz.resize(gz.size() / 2);
  write_plain(dir.file("cut.gz"), gz);
  EXPECT_THROW(read_idx(dir.file("cut.gz")), Error);
  EXPECT_NE(error_of([&] { read_idx(dir.file("missing.gz")); }).find("missing.gz"), std::string::npos);
}

// A tiny Fashion-MNIST folder: `n` images whose pixel i of image k is (k + i) % 256.
void write_fake_fmnist(const TempDir& dir, const std::string& part, uint32_t n, const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> px(n * 784);
  for (uint32_t k = 0; k < n; ++k)
    for (uint32_t i = 0; i < 784; ++i) px[k * 784 + i] = static_cast<uint8_t>((k + i) % 256);
  write_gz(dir.file(part + "-images-idx3-ubyte.gz"), idx_bytes(8, {n, 28, 28}, px));
  write_gz(dir.file(part + "-labels-idx1-ubyte.gz"), idx_bytes(8, {static_cast<uint32_t>(labels.size())}, labels));
}

TEST(FashionMnist, LoadsScaledImagesAndLabels) {
  TempDir dir;
  write_fake_fmnist(dir, "train", 3, {9, 0, 4});
  write_fake_fmnist(dir, "t10k", 2, {1, 2});
  FashionMnist fm = load_fashion_mnist(dir.str());
  EXPECT_EQ(fm.train_x.shape(), (nn::Shape{3, 28, 28, 1}));
  EXPECT_EQ(fm.train_y.shape(), (nn::Shape{3}));
  EXPECT_EQ(fm.test_x.shape(), (nn::Shape{2, 28, 28, 1}));
  EXPECT_FLOAT_EQ(fm.train_x[0], 0.0f);
  EXPECT_FLOAT_EQ(fm.train_x[255], 1.0f);              // image 0, pixel 255
  EXPECT_FLOAT_EQ(fm.train_x[784 + 1], 2.0f / 255.0f);  // image 1, pixel 1
  EXPECT_FLOAT_EQ(fm.train_y[0], 9.0f);
  EXPECT_FLOAT_EQ(fm.train_y[2], 4.0f);
  EXPECT_FLOAT_EQ(fm.test_y[1], 2.0f);
}

TEST(FashionMnist, MissingFilesNameThePackage) {
  TempDir dir;
  const std::string msg = error_of([&] { load_fashion_mnist(dir.file("nowhere")); });
  EXPECT_NE(msg.find("dataset-fashion-mnist"), std::string::npos) << msg;
  EXPECT_NE(msg.find("train-images-idx3-ubyte.gz"), std::string::npos) << msg;
}

TEST(FashionMnist, RejectsMismatchedOrInvalidLabels) {
  TempDir dir;
  write_fake_fmnist(dir, "train", 3, {1, 2});  // 3 images, 2 labels
  EXPECT_NE(error_of([&] { nn::Tensor x, y; load_fashion_mnist_part(dir.str(), "train", x, y); }).find("labels"),
            std::string::npos);
  write_fake_fmnist(dir, "t10k", 2, {1, 10});  // class 10 does not exist
  EXPECT_NE(error_of([&] { nn::Tensor x, y; load_fashion_mnist_part(dir.str(), "t10k", x, y); }).find("class"),
            std::string::npos);
}

TEST(FashionMnist, RealPackageHasTheKnownShapeAndBalancedClasses) {
  const std::string dir = kFashionMnistDefaultDir;
  if (!fs::exists(dir + "/train-images-idx3-ubyte.gz")) FAIL() << "dataset-fashion-mnist is not installed (scripts/setup installs it)";
  FashionMnist fm = load_fashion_mnist(dir);
  ASSERT_EQ(fm.train_x.shape(), (nn::Shape{60000, 28, 28, 1}));
  ASSERT_EQ(fm.test_x.shape(), (nn::Shape{10000, 28, 28, 1}));
  // Fashion-MNIST is balanced by construction: 6,000 training and 1,000 test images per class.
  std::vector<int> train_counts(10), test_counts(10);
  for (float c : fm.train_y.values()) ++train_counts[static_cast<size_t>(c)];
  for (float c : fm.test_y.values()) ++test_counts[static_cast<size_t>(c)];
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(train_counts[c], 6000) << c;
    EXPECT_EQ(test_counts[c], 1000) << c;
  }
  const auto [lo, hi] = std::minmax_element(fm.train_x.values().begin(), fm.train_x.values().end());
  EXPECT_EQ(*lo, 0.0f);
  EXPECT_EQ(*hi, 1.0f);
}

}  // namespace
}  // namespace tinyforge::data
