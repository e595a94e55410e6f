// summary(): Keras' table (one row per layer call) with float32/int8 sizes and MACs, and
// deployment estimates: int8 flash and peak activation RAM over the execution order.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "tinyforge/nn/model.h"

namespace tinyforge::nn {

namespace {

// Rough .tflite overheads (flatbuffer tables, tensor metadata, per-channel scales and zero
// points) so the flash estimate is closer to the real file than the raw weight bytes.
constexpr int64_t kFlashBase = 1024;
constexpr int64_t kFlashPerOp = 256;
constexpr int64_t kFlashPerChannel = 12;  // float scale + int64 zero point

std::string with_commas(int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return (v < 0 ? "-" : "") + out;
}

std::string readable_bytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB"};
  int u = 0;
  while (b >= 1024 && u < 3) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f %s", b, units[u]);
  return buf;
}

std::string batch_shape(const Shape& s) {
  std::string out = "(None";
  for (int64_t d : s) out += ", " + std::to_string(d);
  return out + ")";
}

// Weights as int8, biases as int32 (TFLite's int8 scheme).
int64_t int8_bytes(const Param& p) {
  const bool bias = p.name.find("bias") != std::string::npos;
  return p.value.size() * (bias ? 4 : 1);
}

std::string pad(const std::string& s, size_t width) {
  // Widths count characters; shapes and names here are ASCII.
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string rpad(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

}  // namespace

std::string Model::summary() const {
  const bool chain = [&] {
    if (input_nodes_.size() != 1 || output_nodes_.size() != 1) return false;
    for (size_t i = 1; i < nodes_.size(); ++i)
      if (node_input_index_[i].size() != 1 || node_input_index_[i][0] != i - 1) return false;
    return true;
  }();

  std::vector<std::vector<std::string>> rows;
  std::set<const Layer*> counted;
  int64_t total_macs = 0, weight_int8 = 0, channels = 0, ops = 0;
  std::map<const Node*, std::string> node_label;
  int input_count = 0;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = *nodes_[i];
    std::string name, type = "InputLayer";
    int64_t params = 0, f32 = 0, q8 = 0, macs = 0;
    if (!n.layer) {
      name = n.input_name.empty() ? (input_count ? "input_layer_" + std::to_string(input_count) : "input_layer")
                                  : n.input_name;
      ++input_count;
    } else {
      name = n.layer->name();
      type = n.layer->type();
      std::vector<Shape> in_shapes;
      for (size_t j : node_input_index_[i]) in_shapes.push_back(nodes_[j]->shape);
      macs = n.layer->macs(in_shapes);
      ++ops;
      if (counted.insert(n.layer.get()).second) {  // a shared layer's weights count once
        for (const Param& p : n.layer->params()) {
          params += p.value.size();
          f32 += p.value.size() * 4;
          q8 += int8_bytes(p);
          if (p.name.find("bias") == std::string::npos && p.value.rank() > 0) channels += p.value.dim(-1);
        }
      }
    }
    node_label[&n] = name;
    total_macs += macs;
    weight_int8 += q8;
    std::vector<std::string> row = {name + " (" + type + ")", batch_shape(n.shape), with_commas(params),
                                    with_commas(f32), with_commas(q8), with_commas(macs)};
    if (!chain) {
      std::string conn;
      for (size_t j : node_input_index_[i]) conn += (conn.empty() ? "" : ", ") + node_label[nodes_[j].get()];
      row.push_back(conn.empty() ? "-" : conn);
    }
    rows.push_back(std::move(row));
  }

  std::vector<std::string> header = {"Layer (type)", "Output Shape", "Param #", "f32 bytes", "int8 bytes", "MACs"};
  if (!chain) header.push_back("Connected to");
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  const std::vector<bool> numeric = {false, false, true, true, true, true, false};
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t c = 0; c < cells.size(); ++c) {
      s += ' ';
      s += numeric[c] ? rpad(cells[c], width[c]) : pad(cells[c], width[c]);
      s += ' ';
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  size_t total_width = 0;
  for (size_t w : width) total_width += w + 2;

  // Peak activation RAM: at each step, every tensor already produced and still needed later
  // (or a model output) is live; int8 means one byte per element, batch 1.
  std::vector<size_t> last_use(nodes_.size(), 0);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    last_use[i] = std::max(last_use[i], i);
    for (size_t j : node_input_index_[i]) last_use[j] = std::max(last_use[j], i);
  }
  for (const auto& out : output_nodes_)
    for (size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i] == out) last_use[i] = nodes_.size();
  int64_t peak = 0;
  for (size_t step = std::min(input_nodes_.size(), nodes_.size()) - 1; step < nodes_.size(); ++step) {
    int64_t live = 0;
    for (size_t j = 0; j <= step; ++j)
      if (last_use[j] >= step) live += shape_size(nodes_[j]->shape);
    peak = std::max(peak, live);
  }

  const int64_t total = count_params(false), trainable = count_params(true);
  const int64_t flash = weight_int8 + kFlashBase + kFlashPerOp * ops + kFlashPerChannel * channels;
  std::string s = "Model: \"" + name_ + "\"\n";
  s += std::string(total_width, '_') + "\n";
  s += line(header);
  s += std::string(total_width, '=') + "\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    s += line(rows[r]);
    if (r + 1 < rows.size()) s += std::string(total_width, '_') + "\n";
  }
  s += std::string(total_width, '=') + "\n";
  s += " Total params: " + with_commas(total) + " (" + readable_bytes(4.0 * static_cast<double>(total)) + ")\n";
  s += " Trainable params: " + with_commas(trainable) + " (" + readable_bytes(4.0 * static_cast<double>(trainable)) +
       ")\n";
  s += " Non-trainable params: " + with_commas(total - trainable) + " (" +
       readable_bytes(4.0 * static_cast<double>(total - trainable)) + ")\n";
  s += " MACs per sample: " + with_commas(total_macs) + "\n";
  s += " int8 weights: " + with_commas(weight_int8) + " B; estimated int8 flash: ~" +
       readable_bytes(static_cast<double>(flash)) + "\n";
  s += " Estimated peak activation RAM (int8, batch 1): " + readable_bytes(static_cast<double>(peak)) + " (" +
       with_commas(peak) + " B)\n";
  return s;
}

}  // namespace tinyforge::nn
