//===- Npz.cpp - NumPy .npz archives (ZIP of .npy members) ----------------===//
//
// Reads the archives np.savez (stored) and np.savez_compressed (deflate)
// write: the ZIP central directory is walked and each `<name>.npy` member is
// parsed with parseNpy. ZIP64 archives (over 4 GiB) are not supported.
//
//===----------------------------------------------------------------------===//
#include "lut/Runtime/TensorIO.h"

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <iterator>

using namespace lut::runtime;

namespace {
uint32_t rd32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
uint16_t rd16(const unsigned char *p) { return p[0] | p[1] << 8; }
} // namespace

bool lut::runtime::readNpz(const std::string &path,
                           std::vector<std::pair<std::string, TensorPtr>> &out,
                           std::string &error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    error = path + ": cannot open file";
    return false;
  }
  std::vector<unsigned char> buf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto bad = [&](const std::string &why) {
    error = path + ": not a readable .npz archive: " + why;
    return false;
  };
  if (buf.size() < 22)
    return bad("too short");
  // End of central directory: the last 0x06054b50 within the final 64 KiB.
  int64_t eocd = -1;
  for (int64_t i = (int64_t)buf.size() - 22; i >= 0 && i >= (int64_t)buf.size() - 65557; --i)
    if (rd32(&buf[i]) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0)
    return bad("no ZIP end-of-central-directory record");
  uint16_t entries = rd16(&buf[eocd + 10]);
  uint32_t cdOffset = rd32(&buf[eocd + 16]);
  if (cdOffset == 0xFFFFFFFFu || entries == 0xFFFF)
    return bad("ZIP64 archives are not supported");
  size_t p = cdOffset;
  for (uint16_t e = 0; e < entries; ++e) {
    if (p + 46 > buf.size() || rd32(&buf[p]) != 0x02014b50)
      return bad("corrupt central directory");
    uint16_t method = rd16(&buf[p + 10]);
    uint32_t csize = rd32(&buf[p + 20]), usize = rd32(&buf[p + 24]);
    uint16_t nlen = rd16(&buf[p + 28]), xlen = rd16(&buf[p + 30]), clen = rd16(&buf[p + 32]);
    uint32_t local = rd32(&buf[p + 42]);
    if (p + 46 + nlen > buf.size())
      return bad("corrupt central directory");
    std::string name(reinterpret_cast<const char *>(&buf[p + 46]), nlen);
    p += 46 + nlen + xlen + clen;
    if (local + 30 > buf.size() || rd32(&buf[local]) != 0x04034b50)
      return bad("corrupt local header of '" + name + "'");
    size_t data = local + 30 + rd16(&buf[local + 26]) + rd16(&buf[local + 28]);
    if (data + csize > buf.size())
      return bad("member '" + name + "' is truncated");
    std::vector<unsigned char> npy;
    if (method == 0) {
      npy.assign(buf.begin() + data, buf.begin() + data + csize);
    } else if (method == 8) {
      npy.resize(usize);
      z_stream zs;
      std::memset(&zs, 0, sizeof(zs));
      if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
        return bad("zlib initialization failed");
      zs.next_in = &buf[data];
      zs.avail_in = csize;
      zs.next_out = npy.data();
      zs.avail_out = usize;
      int rc = inflate(&zs, Z_FINISH);
      inflateEnd(&zs);
      if (rc != Z_STREAM_END || zs.total_out != usize)
        return bad("member '" + name + "' does not inflate");
    } else {
      return bad("member '" + name + "' uses compression method " + std::to_string(method));
    }
    std::string err;
    TensorPtr t = parseNpy(npy.data(), npy.size(), err);
    if (!t) {
      error = path + ": member '" + name + "': " + err;
      return false;
    }
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0)
      name.resize(name.size() - 4);
    out.emplace_back(name, std::move(t));
  }
  return true;
}
