#include "tinyforge/npy.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "tinyforge/error.h"
#include "tinyforge/file_util.h"

namespace tinyforge {

namespace {

size_t dtype_size(const std::string& d) {
  if (d.size() < 2) return 0;
  const char kind = d[0];
  if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b') return 0;
  const int n = std::atoi(d.c_str() + 1);
  if (kind == 'b') return n == 1 ? 1 : 0;
  if (kind == 'f') return (n == 2 || n == 4 || n == 8) ? n : 0;
  return (n == 1 || n == 2 || n == 4 || n == 8) ? n : 0;
}

// Value of `key` in the header dict, as the raw text after the colon.
std::string dict_value(const std::string& header, const std::string& key, const std::string& what) {
  const std::string quoted = "'" + key + "'";
  size_t p = header.find(quoted);
  if (p == std::string::npos) throw Error(what + ": header has no '" + key + "' entry");
  p = header.find(':', p + quoted.size());
  if (p == std::string::npos) throw Error(what + ": malformed header near '" + key + "'");
  ++p;
  while (p < header.size() && header[p] == ' ') ++p;
  return header.substr(p);
}

}  // namespace

size_t NpyArray::element_size() const { return dtype_size(dtype); }

size_t NpyArray::element_count() const {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

NpyArray parse_npy(const std::vector<uint8_t>& bytes, const std::string& what) {
  static const uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0) throw Error(what + ": not a .npy file");
  const int major = bytes[6];
  size_t header_len = 0;
  size_t header_start = 0;
  if (major == 1) {
    header_len = bytes[8] | (bytes[9] << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw Error(what + ": truncated header");
    header_len = bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (static_cast<size_t>(bytes[11]) << 24);
    header_start = 12;
  } else {
    throw Error(what + ": unsupported .npy format version " + std::to_string(major));
  }
  if (header_start + header_len > bytes.size()) throw Error(what + ": truncated header");
  const std::string header(reinterpret_cast<const char*>(bytes.data() + header_start), header_len);

  NpyArray a;
  std::string descr = dict_value(header, "descr", what);
  if (descr.size() < 4 || descr[0] != '\'') throw Error(what + ": malformed 'descr'");
  descr = descr.substr(1, descr.find('\'', 1) - 1);
  if (descr.empty()) throw Error(what + ": empty 'descr'");
  const char order = descr[0];
  if (order == '>') throw Error(what + ": big-endian data (" + descr + ") is not supported; save little-endian");
  if (order == '<' || order == '|' || order == '=') descr = descr.substr(1);
  if (dtype_size(descr) == 0) throw Error(what + ": unsupported dtype '" + descr + "'");
  if (descr.size() >= 2 && descr[0] != 'b' && descr[0] != 'i' && descr[0] != 'u' && descr[0] != 'f') {
    throw Error(what + ": unsupported dtype '" + descr + "'");
  }
  a.dtype = descr;

  const std::string fortran = dict_value(header, "fortran_order", what);
  if (fortran.rfind("True", 0) == 0) throw Error(what + ": Fortran-ordered arrays are not supported; save in C order");

  std::string shape = dict_value(header, "shape", what);
  if (shape.empty() || shape[0] != '(') throw Error(what + ": malformed 'shape'");
  const size_t close = shape.find(')');
  if (close == std::string::npos) throw Error(what + ": malformed 'shape'");
  shape = shape.substr(1, close - 1);
  size_t p = 0;
  while (p < shape.size()) {
    while (p < shape.size() && (shape[p] == ' ' || shape[p] == ',')) ++p;
    if (p >= shape.size()) break;
    size_t end = p;
    while (end < shape.size() && std::isdigit(static_cast<unsigned char>(shape[end]))) ++end;
    if (end == p) throw Error(what + ": malformed 'shape'");
    a.shape.push_back(std::stoll(shape.substr(p, end - p)));
    p = end;
  }
  const size_t data_start = header_start + header_len;
  // Guard the multiplication: a hostile header could claim a huge shape.
  size_t count = 1;
  for (int64_t d : a.shape) {
    if (d < 0 || (d > 0 && count > (size_t{1} << 40) / static_cast<size_t>(d))) throw Error(what + ": shape too large");
    count *= static_cast<size_t>(d);
  }
  const size_t need = count * a.element_size();
  if (bytes.size() - data_start < need) {
    throw Error(what + ": truncated data (" + std::to_string(bytes.size() - data_start) + " bytes, shape needs " +
                std::to_string(need) + ")");
  }
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start),
                bytes.begin() + static_cast<std::ptrdiff_t>(data_start + need));
  return a;
}

NpyArray read_npy(const std::string& path) { return parse_npy(read_file_bytes(path), path); }

std::vector<uint8_t> serialize_npy(const NpyArray& a) {
  if (a.element_size() == 0) throw Error("cannot write dtype '" + a.dtype + "' to .npy");
  if (a.data.size() != a.element_count() * a.element_size()) throw Error("npy array data does not match its shape");
  const char order = a.element_size() == 1 ? '|' : '<';
  std::string shape = "(";
  for (size_t i = 0; i < a.shape.size(); ++i) shape += std::to_string(a.shape[i]) + (a.shape.size() == 1 ? "," : (i + 1 < a.shape.size() ? ", " : ""));
  shape += ")";
  std::string header = "{'descr': '" + std::string(1, order) + a.dtype + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so the data starts at a multiple of 64 bytes, as NumPy does.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(static_cast<uint8_t>(header.size() & 0xff));
  out.push_back(static_cast<uint8_t>(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), a.data.begin(), a.data.end());
  return out;
}

void write_npy(const std::string& path, const NpyArray& a) { write_file_atomic(path, serialize_npy(a)); }

}  // namespace tinyforge
