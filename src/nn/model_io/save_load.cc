// Model::save / Model::load: one versioned file holding the architecture, the weights and the
// optimizer state, so training can resume exactly.
//
// Layout (all integers little-endian):
//   "TFMODEL\0"          8 bytes magic
//   u32 version          kVersion
//   u32 header_bytes     length of the JSON header
//   header               UTF-8 JSON: architecture, tensor directory (shape + byte offset), compile info
//   payload              float32 little-endian tensors, `payload_bytes` long (stated in the header)
//   u32 crc32            over every byte before it
#include <array>
#include <bit>
#include <cstring>

#include "nn/model_internal.h"
#include "tinyforge/error.h"
#include "tinyforge/file_util.h"
#include "tinyforge/nn/losses.h"
#include "tinyforge/nn/metrics.h"
#include "tinyforge/nn/optimizers.h"

namespace tinyforge::nn {

namespace {

constexpr char kMagic[8] = {'T', 'F', 'M', 'O', 'D', 'E', 'L', '\0'};
constexpr uint32_t kVersion = 1;
constexpr size_t kFixedBytes = 8 + 4 + 4 + 4;  // magic, version, header length, checksum

uint32_t crc32(const uint8_t* data, size_t n) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) c = table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint32_t get_u32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// Appends a tensor to the payload and returns its directory entry.
nlohmann::json put_tensor(std::vector<uint8_t>& payload, const Tensor& t) {
  nlohmann::json e = {{"shape", t.shape()}, {"offset", payload.size()}};
  for (float f : t.values()) put_u32(payload, std::bit_cast<uint32_t>(f));
  return e;
}

class Reader {
 public:
  Reader(std::string path, const uint8_t* payload, size_t size) : path_(std::move(path)), p_(payload), n_(size) {}
  Tensor tensor(const nlohmann::json& e, const std::string& what) const {
    Shape shape = e.at("shape").get<Shape>();
    const auto offset = e.at("offset").get<uint64_t>();
    for (int64_t d : shape)
      if (d < 0) fail(what + " has a negative dimension");
    const auto count = static_cast<uint64_t>(shape_size(shape));
    if (offset > n_ || count > (n_ - offset) / 4)
      fail(what + " " + shape_str(shape) + " lies outside the weights data (file corrupted)");
    Tensor t(shape);
    const uint8_t* q = p_ + offset;
    for (uint64_t i = 0; i < count; ++i) t[static_cast<int64_t>(i)] = std::bit_cast<float>(get_u32(q + 4 * i));
    return t;
  }
  [[noreturn]] void fail(const std::string& msg) const { throw Error("cannot load model '" + path_ + "': " + msg); }

 private:
  std::string path_;
  const uint8_t* p_;
  size_t n_;
};

}  // namespace

void Model::save(const std::string& path) const {
  std::vector<uint8_t> payload;
  nlohmann::json weights = nlohmann::json::array();
  for (const auto& l : layers_) {
    for (const Param& p : l->params()) {
      auto e = put_tensor(payload, p.value);
      e["layer"] = l->name();
      e["param"] = p.name;
      weights.push_back(e);
    }
  }
  nlohmann::json header = {{"format", "tinyforge.model"},
                           {"architecture", architecture_json(*this)},
                           {"weights", weights},
                           {"optimizer", nullptr},
                           {"loss", nullptr},
                           {"metrics", nlohmann::json::array()}};
  if (optimizer_) {
    nlohmann::json slots = nlohmann::json::object();
    for (const auto& [slot, tensors] : optimizer_->state()) {
      nlohmann::json list = nlohmann::json::array();
      for (const Tensor& t : tensors) list.push_back(put_tensor(payload, t));
      slots[slot] = list;
    }
    header["optimizer"] = {{"config", optimizer_to_json(*optimizer_)}, {"state", slots}};
  }
  if (loss_) header["loss"] = loss_to_json(*loss_);
  for (const auto& m : metrics_) header["metrics"].push_back(m->name());
  header["payload_bytes"] = payload.size();

  const std::string text = header.dump();
  std::vector<uint8_t> out(kMagic, kMagic + 8);
  put_u32(out, kVersion);
  put_u32(out, static_cast<uint32_t>(text.size()));
  out.insert(out.end(), text.begin(), text.end());
  out.insert(out.end(), payload.begin(), payload.end());
  put_u32(out, crc32(out.data(), out.size()));
  write_file_atomic(path, out);
}

std::shared_ptr<Model> Model::load(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  Reader fail_only(path, nullptr, 0);
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    fail_only.fail("not a TinyForge model file (it does not start with \"TFMODEL\")");
  if (bytes.size() < kFixedBytes)
    fail_only.fail("file is truncated (" + std::to_string(bytes.size()) + " bytes)");
  const uint32_t version = get_u32(bytes.data() + 8);
  if (version != kVersion)
    fail_only.fail("format version " + std::to_string(version) + " is not supported (this build reads version " +
                   std::to_string(kVersion) + ")");
  const uint64_t header_bytes = get_u32(bytes.data() + 12);
  if (header_bytes > bytes.size() - kFixedBytes)
    fail_only.fail("file is truncated: the header needs " + std::to_string(header_bytes) + " bytes, " +
                   std::to_string(bytes.size() - kFixedBytes) + " remain");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 16, bytes.begin() + 16 + static_cast<std::ptrdiff_t>(header_bytes));
  } catch (const nlohmann::json::exception& e) {
    fail_only.fail(std::string("header is not valid JSON (file corrupted): ") + e.what());
  }
  const uint64_t payload_bytes = header.value("payload_bytes", uint64_t(0));
  const uint64_t expected = kFixedBytes + header_bytes + payload_bytes;
  if (bytes.size() < expected)
    fail_only.fail("file is truncated: expected " + std::to_string(expected) + " bytes, found " +
                   std::to_string(bytes.size()));
  if (bytes.size() > expected)
    fail_only.fail("file has " + std::to_string(bytes.size() - expected) + " unexpected trailing bytes");
  const uint32_t stored_crc = get_u32(bytes.data() + bytes.size() - 4);
  if (crc32(bytes.data(), bytes.size() - 4) != stored_crc) fail_only.fail("checksum mismatch: the file is corrupted");

  Reader reader(path, bytes.data() + 16 + header_bytes, payload_bytes);
  try {
    std::shared_ptr<Model> model = model_from_architecture(header.at("architecture"));
    const auto& entries = header.at("weights");
    std::vector<Tensor> weights;
    size_t i = 0;
    for (const auto& l : model->layers()) {
      for (const Param& p : l->params()) {
        if (i >= entries.size()) reader.fail("the file holds fewer weights than its layers need");
        const auto& e = entries[i++];
        const std::string what = "weight '" + e.at("layer").get<std::string>() + "/" + e.at("param").get<std::string>() + "'";
        if (e.at("layer").get<std::string>() != l->name() || e.at("param").get<std::string>() != p.name)
          reader.fail(what + " does not match layer '" + l->name() + "' param '" + p.name + "'");
        Tensor t = reader.tensor(e, what);
        if (t.shape() != p.value.shape())
          reader.fail(what + " has shape " + shape_str(t.shape()) + " but the layer needs " + shape_str(p.value.shape()));
        weights.push_back(std::move(t));
      }
    }
    if (i != entries.size()) reader.fail("the file holds more weights than its layers need");
    model->set_weights(weights);

    // Compile as it was saved, with the optimizer's slots, so fit() continues where it stopped.
    if (!header.at("optimizer").is_null() && !header.at("loss").is_null()) {
      auto opt = optimizer_from_json(header["optimizer"].at("config"));
      std::map<std::string, std::vector<Tensor>> state;
      for (const auto& [slot, list] : header["optimizer"].at("state").items()) {
        for (const auto& e : list) state[slot].push_back(reader.tensor(e, "optimizer slot '" + slot + "'"));
      }
      opt->set_state(state);
      std::vector<std::shared_ptr<Metric>> metrics;
      for (const auto& name : header.at("metrics")) metrics.push_back(make_metric(name.get<std::string>()));
      model->compile(opt, loss_from_json(header["loss"]), metrics);
    }
    return model;
  } catch (const nlohmann::json::exception& e) {
    reader.fail(std::string("header is missing or has a malformed field: ") + e.what());
  }
}

}  // namespace tinyforge::nn
