// The byte map of a .tflite file: one part per byte, filled by walking every table, vector
// and string reachable from the root (first part to claim a byte keeps it: vtables and
// strings may be shared).
#include "tinyforge/size_breakdown.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "tinyforge/error.h"
#include "tinyforge/runtime.h"

namespace tinyforge {

const std::vector<std::string> kSizePartNames = {"header",    "weights", "quantization", "operators",
                                                 "tensors",   "buffers", "strings",      "metadata",
                                                 "structure", "vtables", "padding",      "unaccounted"};

namespace {

enum Part : uint8_t {
  kUnmarked = 0xff,
  kHeader = 0,
  kWeights,
  kQuantization,
  kOperators,
  kTensors,
  kBuffers,
  kStrings,
  kMetadata,
  kStructure,
  kVtables,
  kPadding,
  kUnaccounted,
};

// TFLite builtin options whose tables hold a vector (union member indices, schema.fbs).
constexpr uint8_t kReshapeOptions = 17;
constexpr uint8_t kSqueezeOptions = 30;

class Walker {
 public:
  Walker(const uint8_t* data, size_t size) : d_(data), n_(size), part_(size, kUnmarked) {}

  struct Table {
    size_t pos = 0, vtable = 0;
    uint16_t vtable_size = 0;
  };

  uint32_t u32(size_t pos) const {
    check(pos, 4);
    return static_cast<uint32_t>(d_[pos]) | (static_cast<uint32_t>(d_[pos + 1]) << 8) |
           (static_cast<uint32_t>(d_[pos + 2]) << 16) | (static_cast<uint32_t>(d_[pos + 3]) << 24);
  }
  uint16_t u16(size_t pos) const {
    check(pos, 2);
    return static_cast<uint16_t>(d_[pos] | (d_[pos + 1] << 8));
  }

  void mark(size_t pos, size_t len, Part p) {
    check(pos, len);
    for (size_t k = pos; k < pos + len; ++k) {
      if (part_[k] == kUnmarked) part_[k] = p;
    }
  }

  Table table(size_t pos, Part p) {
    Table t;
    t.pos = pos;
    const int64_t vt = static_cast<int64_t>(pos) - static_cast<int32_t>(u32(pos));
    if (vt < 0) fail(pos);
    t.vtable = static_cast<size_t>(vt);
    t.vtable_size = u16(t.vtable);
    mark(t.vtable, t.vtable_size, kVtables);
    mark(pos, u16(t.vtable + 2), p);
    return t;
  }
  // Absolute position of a present field, or 0.
  size_t field(const Table& t, int id) const {
    const size_t entry = 4 + 2 * static_cast<size_t>(id);
    if (entry + 2 > t.vtable_size) return 0;
    const uint16_t off = u16(t.vtable + entry);
    return off ? t.pos + off : 0;
  }
  uint8_t u8_field(const Table& t, int id) const {
    const size_t f = field(t, id);
    if (!f) return 0;
    check(f, 1);
    return d_[f];
  }
  size_t target(const Table& t, int id) const {
    const size_t f = field(t, id);
    return f ? f + u32(f) : 0;
  }
  // Marks a vector's length word and elements; returns its position (0 when absent).
  size_t vector(const Table& t, int id, size_t elem, Part p, Part elements_part) {
    const size_t v = target(t, id);
    if (!v) return 0;
    mark(v, 4, p);
    mark(v + 4, static_cast<size_t>(u32(v)) * elem, elements_part);
    return v;
  }
  size_t vector(const Table& t, int id, size_t elem, Part p) { return vector(t, id, elem, p, p); }
  void string(const Table& t, int id) {
    const size_t s = target(t, id);
    if (s) mark(s, 4 + static_cast<size_t>(u32(s)) + 1, kStrings);
  }
  // The tables of a vector of tables (the vector itself marked as `list`).
  std::vector<Table> tables(const Table& t, int id, Part list, Part each) {
    std::vector<Table> out;
    const size_t v = vector(t, id, 4, list);
    if (!v) return out;
    const uint32_t count = u32(v);
    for (uint32_t k = 0; k < count; ++k) {
      const size_t slot = v + 4 + 4 * static_cast<size_t>(k);
      out.push_back(table(slot + u32(slot), each));
    }
    return out;
  }

  // Zero runs shorter than 16 bytes are alignment padding; anything else left is unaccounted.
  std::vector<size_t> totals() {
    for (size_t k = 0; k < n_;) {
      if (part_[k] != kUnmarked) {
        ++k;
        continue;
      }
      size_t end = k;
      bool zero = true;
      for (; end < n_ && part_[end] == kUnmarked; ++end) {
        if (d_[end] != 0) zero = false;
      }
      const Part p = zero && end - k < 16 ? kPadding : kUnaccounted;
      std::fill(part_.begin() + static_cast<std::ptrdiff_t>(k), part_.begin() + static_cast<std::ptrdiff_t>(end), p);
      k = end;
    }
    std::vector<size_t> sums(kSizePartNames.size(), 0);
    for (uint8_t p : part_) ++sums[p];
    return sums;
  }

 private:
  void check(size_t pos, size_t len) const {
    if (pos > n_ || len > n_ - pos) fail(pos);
  }
  [[noreturn]] static void fail(size_t pos) {
    throw Error("size breakdown: an object at byte " + std::to_string(pos) + " reaches outside the file");
  }

  const uint8_t* d_;
  size_t n_;
  std::vector<uint8_t> part_;
};

void walk_quantization(Walker& w, const Walker::Table& q) {
  w.vector(q, 0, 4, kQuantization);                            // min
  w.vector(q, 1, 4, kQuantization);                            // max
  w.vector(q, 2, 4, kQuantization);                            // scale
  w.vector(q, 3, 8, kQuantization);                            // zero_point
  if (w.target(q, 5)) w.table(w.target(q, 5), kQuantization);  // details
}

// Records in buffer_part which buffers the tensors keep their data in.
void walk_subgraph(Walker& w, const Walker::Table& sg, std::map<uint32_t, Part>& buffer_part) {
  for (const Walker::Table& t : w.tables(sg, 0, kTensors, kTensors)) {
    w.vector(t, 0, 4, kTensors);  // shape
    if (w.field(t, 2)) buffer_part[w.u32(w.field(t, 2))] = kWeights;
    w.string(t, 3);
    if (w.target(t, 4)) walk_quantization(w, w.table(w.target(t, 4), kQuantization));
    if (w.target(t, 6)) w.table(w.target(t, 6), kTensors);  // sparsity
    w.vector(t, 7, 4, kTensors);                            // shape_signature
    w.tables(t, 9, kTensors, kTensors);                     // variant_tensors
  }
  w.vector(sg, 1, 4, kStructure);  // inputs
  w.vector(sg, 2, 4, kStructure);  // outputs
  for (const Walker::Table& op : w.tables(sg, 3, kOperators, kOperators)) {
    w.vector(op, 1, 4, kOperators);  // inputs
    w.vector(op, 2, 4, kOperators);  // outputs
    if (w.target(op, 4)) {
      const Walker::Table options = w.table(w.target(op, 4), kOperators);
      const uint8_t type = w.u8_field(op, 3);
      if (type == kReshapeOptions || type == kSqueezeOptions) w.vector(options, 0, 4, kOperators);
    }
    w.vector(op, 5, 1, kOperators);                               // custom_options
    w.vector(op, 7, 1, kOperators);                               // mutating_variable_inputs
    w.vector(op, 8, 4, kOperators);                               // intermediates
    if (w.target(op, 12)) w.table(w.target(op, 12), kOperators);  // builtin_options_2
  }
  w.string(sg, 4);
}

}  // namespace

SizeBreakdown size_breakdown(const micro::Model& model) {
  if (!model.verified()) throw Error("size breakdown: the model has not been verified");
  Walker w(model.data(), model.size());
  w.mark(0, 8, kHeader);
  const Walker::Table root = w.table(w.u32(0), kStructure);

  // Which buffers hold weights (tensors come first) and which hold metadata.
  std::map<uint32_t, Part> buffer_part;
  for (const Walker::Table& sg : w.tables(root, 2, kStructure, kStructure)) walk_subgraph(w, sg, buffer_part);
  for (const Walker::Table& m : w.tables(root, 6, kMetadata, kMetadata)) {
    w.string(m, 0);
    const size_t f = w.field(m, 1);
    if (f) buffer_part.emplace(w.u32(f), kMetadata);
  }
  const std::vector<Walker::Table> buffers = w.tables(root, 4, kBuffers, kBuffers);
  for (uint32_t b = 0; b < buffers.size(); ++b) {
    const auto it = buffer_part.find(b);
    w.vector(buffers[b], 0, 1, kBuffers, it == buffer_part.end() ? kBuffers : it->second);
  }
  for (const Walker::Table& code : w.tables(root, 1, kOperators, kOperators)) w.string(code, 1);
  w.string(root, 3);                // description
  w.vector(root, 5, 4, kMetadata);  // metadata_buffer
  for (const Walker::Table& sig : w.tables(root, 7, kStructure, kStructure)) {
    for (int io = 0; io < 2; ++io) {
      for (const Walker::Table& map : w.tables(sig, io, kStructure, kStructure)) w.string(map, 0);
    }
    w.string(sig, 2);  // signature_key
    w.string(sig, 3);  // deprecated tag
  }

  SizeBreakdown out;
  out.file_bytes = model.size();
  const std::vector<size_t> sums = w.totals();
  for (size_t p = 0; p < kSizePartNames.size(); ++p) out.parts.push_back({kSizePartNames[p], sums[p]});

  // Weights: each constant tensor goes to the first operator that reads it.
  std::vector<std::string> consumer(model.num_tensors());
  for (uint32_t op = 0; op < model.num_operators(); ++op) {
    const micro::fb::Vector ins = model.op_inputs(op);
    for (uint32_t k = 0; k < ins.size(); ++k) {
      const int32_t t = ins.i32(k);
      if (t >= 0 && consumer[static_cast<size_t>(t)].empty()) consumer[static_cast<size_t>(t)] = op_display(model, op);
    }
  }
  std::map<std::string, size_t> by_op;
  for (uint32_t i = 0; i < model.num_tensors(); ++i) {
    const micro::TensorInfo t = model.tensor(i);
    if (!t.const_data) continue;
    const std::string who = consumer[i].empty() ? "(unused)" : consumer[i];
    out.weights.push_back({static_cast<int32_t>(i), t.name, micro::type_name(t.type), who, t.bytes});
    by_op[who] += t.bytes;
  }
  std::stable_sort(out.weights.begin(), out.weights.end(),
                   [](const WeightTensor& a, const WeightTensor& b) { return a.bytes > b.bytes; });
  for (const auto& [op, bytes] : by_op) out.weights_by_op.push_back({op, bytes});
  std::stable_sort(out.weights_by_op.begin(), out.weights_by_op.end(),
                   [](const SizePart& a, const SizePart& b) { return a.bytes > b.bytes; });
  return out;
}

std::string size_breakdown_text(const SizeBreakdown& b, size_t max_tensors) {
  std::string s = fmt::format("bytes of the file ({} in all):\n", b.file_bytes);
  for (const SizePart& p : b.parts) {
    if (p.bytes == 0 && p.name == "unaccounted") continue;
    s += fmt::format("  {:<13} {:>9}  {:5.1f}%\n", p.name, p.bytes,
                     b.file_bytes ? 100.0 * static_cast<double>(p.bytes) / static_cast<double>(b.file_bytes) : 0.0);
  }
  if (!b.weights_by_op.empty()) {
    s += "weights by operator type:\n";
    for (const SizePart& p : b.weights_by_op) s += fmt::format("  {:<30} {:>9}\n", p.name, p.bytes);
    s += fmt::format("largest weight tensors{}:\n", b.weights.size() > max_tensors
                                                        ? fmt::format(" (top {} of {})", max_tensors, b.weights.size())
                                                        : "");
    for (size_t k = 0; k < b.weights.size() && k < max_tensors; ++k) {
      const WeightTensor& t = b.weights[k];
      s += fmt::format("  {:>9}  {:3} {:<8} {:<22} '{}'\n", t.bytes, t.tensor, t.type, t.consumer, t.name);
    }
  }
  return s;
}

nlohmann::json size_breakdown_json(const SizeBreakdown& b) {
  nlohmann::json j;
  j["file_bytes"] = b.file_bytes;
  j["parts"] = nlohmann::json::object();
  for (const SizePart& p : b.parts) j["parts"][p.name] = p.bytes;
  j["weights_by_op"] = nlohmann::json::array();
  for (const SizePart& p : b.weights_by_op) j["weights_by_op"].push_back({{"opcode", p.name}, {"bytes", p.bytes}});
  j["weight_tensors"] = nlohmann::json::array();
  for (const WeightTensor& t : b.weights) {
    j["weight_tensors"].push_back(
        {{"index", t.tensor}, {"name", t.name}, {"type", t.type}, {"consumer", t.consumer}, {"bytes", t.bytes}});
  }
  return j;
}

}  // namespace tinyforge
