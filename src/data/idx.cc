// IDX parsing and gzip reading (zlib's gzread: it also passes plain files through unchanged).
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tinyforge/data/fashion_mnist.h"
#include "tinyforge/error.h"

namespace tinyforge::data {

namespace {

uint32_t big_endian_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

std::string hex(uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*X", digits, v);
  return buf;
}

}  // namespace

std::vector<uint8_t> read_gzip_file(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(1 << 20);
  for (;;) {
    const int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int code = 0;
      const std::string msg = gzerror(f, &code);
      gzclose(f);
      throw Error(path + ": corrupt gzip data (" + msg + ")");
    }
    if (n == 0) break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  // gzread stops quietly at a cut-off stream; the error shows up here.
  int code = Z_OK;
  const std::string msg = gzerror(f, &code);
  const int close_code = gzclose(f);
  if (code != Z_OK || close_code == Z_BUF_ERROR)
    throw Error(path + ": truncated or corrupt gzip file (" + (code != Z_OK ? msg : "unexpected end of file") + ")");
  return out;
}

IdxArray parse_idx(const std::vector<uint8_t>& bytes, const std::string& what) {
  if (bytes.size() < 4) throw Error(what + ": too short for an IDX header (" + std::to_string(bytes.size()) + " bytes)");
  const uint32_t magic = big_endian_u32(bytes.data());
  const uint32_t type = (magic >> 8) & 0xFF, ndim = magic & 0xFF;
  if ((magic >> 16) != 0 || ndim == 0)
    throw Error(what + ": not an IDX file (magic 0x" + hex(magic, 8) + ", expected 0x000008NN)");
  if (type != 0x08)
    throw Error(what + ": IDX element type 0x" + hex(type, 2) + " is not supported (only uint8, 0x08)");
  const size_t header = 4 + 4 * size_t{ndim};
  if (bytes.size() < header)
    throw Error(what + ": truncated IDX header (" + std::to_string(ndim) + " dims need " + std::to_string(header) +
                " bytes, file has " + std::to_string(bytes.size()) + ")");
  IdxArray a;
  uint64_t count = 1;
  for (uint32_t i = 0; i < ndim; ++i) {
    const uint32_t d = big_endian_u32(bytes.data() + 4 + 4 * i);
    a.dims.push_back(d);
    count *= d;
    if (count > (uint64_t{1} << 40)) throw Error(what + ": IDX dims are implausibly large");
  }
  const uint64_t have = bytes.size() - header;
  if (have != count)
    throw Error(what + ": IDX header promises " + std::to_string(count) + " elements but " + std::to_string(have) +
                " bytes follow (" + (have < count ? "truncated file" : "trailing data") + ")");
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return a;
}

IdxArray read_idx(const std::string& path) { return parse_idx(read_gzip_file(path), path); }

}  // namespace tinyforge::data
