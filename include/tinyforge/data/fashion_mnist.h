// Fashion-MNIST (Zalando, 70k 28x28 grayscale images of 10 clothing classes) from Debian's
// dataset-fashion-mnist package, and the gzip'd IDX format its files use.
//
//   auto fm = data::load_fashion_mnist();      // /usr/share/datasets/fashion-mnist
//   model.fit(fm.train_x, fm.train_y, ...);    // x [60000, 28, 28, 1] in [0, 1], y [60000] class ids
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tinyforge/nn/tensor.h"

namespace tinyforge::data {

// --- IDX (the MNIST file format) -------------------------------------------------------------
// Big-endian u32 magic 0x0000TTNN (TT = element type, 0x08 = uint8; NN = number of dims), one
// big-endian u32 per dim, then the raw elements in row-major order. Only uint8 data is supported.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

// Throws Error naming `what` for a bad magic, an unsupported type, or a size that does not match
// the header (truncated or trailing bytes).
IdxArray parse_idx(const std::vector<uint8_t>& bytes, const std::string& what = "IDX data");
// Reads a file, gunzipping it when it is gzip'd (either form works). Throws Error for a missing,
// unreadable, corrupt or truncated file.
IdxArray read_idx(const std::string& path);
// The whole (decompressed) content of a gzip'd or plain file.
std::vector<uint8_t> read_gzip_file(const std::string& path);

// --- Fashion-MNIST ---------------------------------------------------------------------------
inline constexpr const char* kFashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";
inline constexpr std::array<const char*, 10> kFashionMnistClasses = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

struct FashionMnist {
  nn::Tensor train_x, train_y;  // [60000, 28, 28, 1] float in [0, 1]; [60000] class indices as floats
  nn::Tensor test_x, test_y;    // [10000, 28, 28, 1]; [10000]
};

// The folder used when none is given: $TINYFORGE_FASHION_MNIST_DIR, else kFashionMnistDefaultDir.
std::string fashion_mnist_dir();
// Loads `part` ("train" or "t10k") from {dir}/{part}-images-idx3-ubyte.gz and
// {dir}/{part}-labels-idx1-ubyte.gz. A missing file is an Error that names the Debian package.
void load_fashion_mnist_part(const std::string& dir, const std::string& part, nn::Tensor& x, nn::Tensor& y);
FashionMnist load_fashion_mnist(const std::string& dir = "");

}  // namespace tinyforge::data
