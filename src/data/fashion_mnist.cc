#include "tinyforge/data/fashion_mnist.h"

#include <cstdlib>
#include <filesystem>

#include "tinyforge/error.h"

namespace tinyforge::data {

std::string fashion_mnist_dir() {
  const char* env = std::getenv("TINYFORGE_FASHION_MNIST_DIR");
  return env && *env ? std::string(env) : std::string(kFashionMnistDefaultDir);
}

void load_fashion_mnist_part(const std::string& dir, const std::string& part, nn::Tensor& x, nn::Tensor& y) {
  if (part != "train" && part != "t10k")
    throw Error("Fashion-MNIST part must be \"train\" or \"t10k\", got \"" + part + "\"");
  const std::string images = dir + "/" + part + "-images-idx3-ubyte.gz";
  const std::string labels = dir + "/" + part + "-labels-idx1-ubyte.gz";
  for (const auto& f : {images, labels})
    if (!std::filesystem::exists(f))
      throw Error("Fashion-MNIST file " + f +
                  " not found: install the Debian package dataset-fashion-mnist "
                  "(apt-get install dataset-fashion-mnist), or set TINYFORGE_FASHION_MNIST_DIR to a folder "
                  "holding the four *-ubyte.gz files");
  const IdxArray img = read_idx(images);
  const IdxArray lab = read_idx(labels);
  if (img.dims.size() != 3 || img.dims[1] != 28 || img.dims[2] != 28)
    throw Error(images + ": expected images of shape [N, 28, 28], got " + nn::shape_str(img.dims));
  if (lab.dims.size() != 1) throw Error(labels + ": expected labels of shape [N], got " + nn::shape_str(lab.dims));
  const int64_t n = img.dims[0];
  if (lab.dims[0] != n)
    throw Error(images + " has " + std::to_string(n) + " images but " + labels + " has " +
                std::to_string(lab.dims[0]) + " labels");
  x = nn::Tensor({n, 28, 28, 1});
  float* px = x.data();
  for (size_t i = 0; i < img.data.size(); ++i) px[i] = static_cast<float>(img.data[i]) / 255.0f;
  y = nn::Tensor({n});
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t c = lab.data[static_cast<size_t>(i)];
    if (c >= kFashionMnistClasses.size())
      throw Error(labels + ": label " + std::to_string(c) + " at index " + std::to_string(i) +
                  " is not a class index (0..9)");
    y[i] = static_cast<float>(c);
  }
}

FashionMnist load_fashion_mnist(const std::string& dir) {
  const std::string d = dir.empty() ? fashion_mnist_dir() : dir;
  FashionMnist fm;
  load_fashion_mnist_part(d, "train", fm.train_x, fm.train_y);
  load_fashion_mnist_part(d, "t10k", fm.test_x, fm.test_y);
  return fm;
}

}  // namespace tinyforge::data
