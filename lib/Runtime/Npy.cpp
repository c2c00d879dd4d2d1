//===- Npy.cpp - Reading and writing NumPy .npy tensors -------------------===//
//
// Implements the .npy part of include/lut/Runtime/TensorIO.h.
//
// Format reference: numpy/lib/format.py ("NEP 1"). A file is
//   "\x93NUMPY" major minor  header_len (u16 LE for 1.x, u32 LE for 2.x/3.x)
//   header: a Python dict literal {'descr': ..., 'fortran_order': ...,
//           'shape': (...), } padded with spaces and ended by '\n'
//   the raw data.
//
//===----------------------------------------------------------------------===//

#include "FileIO.h"
#include "lut/Runtime/TensorIO.h"
#include "lut/Support/DTypes.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <string_view>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "TensorIO assumes a little-endian host");

using namespace lut::runtime;
using namespace lut::runtime::detail;

namespace {

//===----------------------------------------------------------------------===//
// .npy header
//===----------------------------------------------------------------------===//

constexpr char kNpyMagic[] = "\x93NUMPY";
constexpr size_t kNpyMagicLen = 6;

struct NpyHeader {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// A minimal parser for the Python literal dict of a .npy header.
class HeaderParser {
public:
  explicit HeaderParser(std::string_view text) : text(text) {}

  bool parse(NpyHeader &header, std::string &error) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return fail("expected '{'", error);
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return fail("expected a quoted key", error);
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after '" + key + "'", error);
      skipSpace();
      if (key == "descr") {
        if (peek() == '[')
          return fail("structured dtypes (a list descr) are not supported",
                      error);
        if (!parseString(header.descr))
          return fail("expected a quoted string for 'descr'", error);
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (consumeWord("True"))
          header.fortranOrder = true;
        else if (consumeWord("False"))
          header.fortranOrder = false;
        else
          return fail("expected True or False for 'fortran_order'", error);
        haveOrder = true;
      } else if (key == "shape") {
        if (!parseShape(header.shape, error))
          return false;
        haveShape = true;
      } else {
        return fail("unexpected key '" + key + "'", error);
      }
      skipSpace();
      if (consume(','))
        continue;
      if (consume('}'))
        break;
      return fail("expected ',' or '}'", error);
    }
    skipSpace();
    if (pos != text.size())
      return fail("unexpected text after '}'", error);
    if (!haveDescr)
      return fail("missing key 'descr'", error);
    if (!haveOrder)
      return fail("missing key 'fortran_order'", error);
    if (!haveShape)
      return fail("missing key 'shape'", error);
    return true;
  }

private:
  std::string_view text;
  size_t pos = 0;

  bool fail(const std::string &what, std::string &error) {
    error = "invalid .npy header (" + what + " at offset " +
            std::to_string(pos) + "): " + std::string(text);
    while (!error.empty() && (error.back() == '\n' || error.back() == ' '))
      error.pop_back();
    return false;
  }
  char peek() const { return pos < text.size() ? text[pos] : '\0'; }
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }
  bool consume(char c) {
    if (peek() != c)
      return false;
    ++pos;
    return true;
  }
  bool consumeWord(std::string_view word) {
    if (text.substr(pos, word.size()) != word)
      return false;
    pos += word.size();
    return true;
  }
  bool parseString(std::string &out) {
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return false;
    size_t end = text.find(quote, pos + 1);
    if (end == std::string_view::npos)
      return false;
    out = std::string(text.substr(pos + 1, end - pos - 1));
    pos = end + 1;
    return true;
  }
  bool parseShape(std::vector<int64_t> &shape, std::string &error) {
    shape.clear();
    if (!consume('('))
      return fail("expected a tuple for 'shape'", error);
    while (true) {
      skipSpace();
      if (consume(')'))
        return true;
      if (peek() == '-')
        return fail("negative dimension in 'shape'", error);
      if (!std::isdigit(static_cast<unsigned char>(peek())))
        return fail("expected a non-negative integer in 'shape'", error);
      int64_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (__builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, static_cast<int64_t>(peek() - '0'), &v))
          return fail("dimension too large in 'shape'", error);
        ++pos;
      }
      consume('L'); // Python 2 long literal
      shape.push_back(v);
      skipSpace();
      if (consume(','))
        continue;
      if (consume(')'))
        return true;
      return fail("expected ',' or ')' in 'shape'", error);
    }
  }
};

/// Maps a NumPy descr to a runtime dtype: the descr column of the dtype
/// table, in any byte order for one-byte types (and bfloat16's void type).
bool descrToDType(const std::string &descr, LutDType &dtype,
                  std::string &error) {
  std::string body = descr;
  char order = '=';
  if (!body.empty() && std::strchr("<>|=", body[0])) {
    order = body[0];
    body = body.substr(1);
  }
  for (const lut::DTypeInfo &info : lut::kDTypes) {
    if (body != info.npyDescr + 1)
      continue;
    if (order == '>' && info.bytes > 1) {
      error = "big-endian dtype '" + descr +
              "' is not supported; convert it with arr.astype(arr.dtype."
              "newbyteorder('<'))";
      return false;
    }
    dtype = static_cast<LutDType>(info.value);
    return true;
  }
  std::string kind;
  if (!body.empty()) {
    switch (body[0]) {
    case 'c':
      kind = " (complex)";
      break;
    case 'O':
      kind = " (Python objects)";
      break;
    case 'U':
    case 'S':
    case 'a':
      kind = " (strings)";
      break;
    case 'M':
    case 'm':
      kind = " (datetime)";
      break;
    case 'f':
      kind = " (this float width)";
      break;
    default:
      break;
    }
  }
  std::string supported;
  for (const lut::DTypeInfo &info : lut::kDTypes)
    supported += std::string(supported.empty() ? "" : ", ") + info.npyDescr +
                 " " + info.name;
  error = "unsupported dtype '" + descr + "'" + kind + "; supported: " +
          supported;
  return false;
}

/// The .npy descr written for `dtype`, or nullptr.
const char *dtypeToDescr(LutDType dtype) {
  const lut::DTypeInfo *info = lut::findDType(static_cast<int32_t>(dtype));
  return info ? info->npyDescr : nullptr;
}

/// Decodes the fixed prefix (magic, version, header length). `avail` bytes
/// are available at `p`. Sets the prefix length and the header length.
bool decodeNpyPrefix(const unsigned char *p, size_t avail, size_t &prefixLen,
                     size_t &headerLen, std::string &error) {
  if (avail < kNpyMagicLen || std::memcmp(p, kNpyMagic, kNpyMagicLen) != 0) {
    error = "not a .npy file (bad magic; expected \\x93NUMPY)";
    return false;
  }
  if (avail < 8) {
    error = "truncated .npy file (no format version)";
    return false;
  }
  unsigned major = p[6], minor = p[7];
  if (major == 1) {
    prefixLen = 10;
  } else if (major == 2 || major == 3) {
    prefixLen = 12;
  } else {
    error = "unsupported .npy format version " + std::to_string(major) + "." +
            std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)";
    return false;
  }
  if (avail < prefixLen) {
    error = "truncated .npy file (incomplete header length)";
    return false;
  }
  if (major == 1)
    headerLen = size_t(p[8]) | size_t(p[9]) << 8;
  else
    headerLen = size_t(p[8]) | size_t(p[9]) << 8 | size_t(p[10]) << 16 |
                size_t(p[11]) << 24;
  return true;
}

/// Parses the header text and validates it; computes the tensor's dtype and
/// data size.
bool decodeNpyHeader(std::string_view text, NpyHeader &header, LutDType &dtype,
                     size_t &dataBytes, std::string &error) {
  if (!HeaderParser(text).parse(header, error))
    return false;
  if (!descrToDType(header.descr, dtype, error))
    return false;
  if (header.fortranOrder) {
    // A Fortran-order array of rank <= 1 has the same layout as C order, but
    // NumPy never writes those with fortran_order True, so reject uniformly.
    error = "Fortran-order arrays are not supported; save the array with "
            "np.save(path, np.ascontiguousarray(a))";
    return false;
  }
  int64_t count = 1;
  for (int64_t d : header.shape)
    if (__builtin_mul_overflow(count, d, &count)) {
      error = "the element count of shape " + shapeToString(header.shape) +
              " overflows";
      return false;
    }
  int64_t bytes;
  if (__builtin_mul_overflow(count, static_cast<int64_t>(lutDTypeSize(dtype)),
                             &bytes)) {
    error =
        "the byte size of shape " + shapeToString(header.shape) + " overflows";
    return false;
  }
  if (header.shape.size() > LUT_MAX_RANK) {
    error = "rank " + std::to_string(header.shape.size()) +
            " exceeds the maximum of " + std::to_string(LUT_MAX_RANK);
    return false;
  }
  dataBytes = static_cast<size_t>(bytes);
  return true;
}

std::string dataSizeMismatch(size_t expected, uint64_t found,
                             const NpyHeader &header) {
  if (found < expected)
    return "truncated .npy data: shape " + shapeToString(header.shape) +
           " of '" + header.descr + "' needs " + std::to_string(expected) +
           " bytes, the file has " + std::to_string(found);
  return "the .npy file has " + std::to_string(found - expected) +
         " unexpected bytes after the data of shape " +
         shapeToString(header.shape) + " ('" + header.descr + "')";
}

} // namespace

namespace lut::runtime {

TensorPtr parseNpy(const void *data, size_t size, std::string &error) {
  if (!data && size) {
    error = "null .npy buffer";
    return nullptr;
  }
  auto *p = static_cast<const unsigned char *>(data);
  size_t prefixLen, headerLen;
  if (!decodeNpyPrefix(p, size, prefixLen, headerLen, error))
    return nullptr;
  if (size - prefixLen < headerLen) {
    error = "truncated .npy header (expected " + std::to_string(headerLen) +
            " bytes, found " + std::to_string(size - prefixLen) + ")";
    return nullptr;
  }
  NpyHeader header;
  LutDType dtype;
  size_t dataBytes;
  if (!decodeNpyHeader(
          std::string_view(reinterpret_cast<const char *>(p) + prefixLen,
                           headerLen),
          header, dtype, dataBytes, error))
    return nullptr;
  size_t offset = prefixLen + headerLen;
  if (size - offset != dataBytes) {
    error = dataSizeMismatch(dataBytes, size - offset, header);
    return nullptr;
  }
  TensorPtr t = makeTensor(header.shape, dtype, error);
  if (!t)
    return nullptr;
  if (dataBytes)
    std::memcpy(lutTensorGetData(t.get()), p + offset, dataBytes);
  return t;
}

TensorPtr readNpy(const std::string &path, std::string &error) {
  File file(nullptr);
  uint64_t fileSize;
  if (!openForRead(path, file, fileSize, error))
    return nullptr;
  unsigned char prefix[12];
  size_t got = std::fread(prefix, 1, sizeof(prefix), file.f);
  if (std::ferror(file.f)) {
    error = path + ": read error: " + std::strerror(errno);
    return nullptr;
  }
  size_t prefixLen, headerLen;
  if (!decodeNpyPrefix(prefix, got, prefixLen, headerLen, error)) {
    error = path + ": " + error;
    return nullptr;
  }
  if (std::fseek(file.f, static_cast<long>(prefixLen), SEEK_SET) != 0) {
    error = path + ": seek failed: " + std::strerror(errno);
    return nullptr;
  }
  if (fileSize - prefixLen < headerLen) {
    error = path + ": truncated .npy header (expected " +
            std::to_string(headerLen) + " bytes, found " +
            std::to_string(fileSize - prefixLen) + ")";
    return nullptr;
  }
  std::string headerText(headerLen, '\0');
  if (!readExactly(file, headerText.data(), headerLen, path, ".npy header",
                   error))
    return nullptr;
  NpyHeader header;
  LutDType dtype;
  size_t dataBytes;
  if (!decodeNpyHeader(headerText, header, dtype, dataBytes, error)) {
    error = path + ": " + error;
    return nullptr;
  }
  uint64_t remaining = fileSize - prefixLen - headerLen;
  if (remaining != dataBytes) {
    error = path + ": " + dataSizeMismatch(dataBytes, remaining, header);
    return nullptr;
  }
  TensorPtr t = makeTensor(header.shape, dtype, error);
  if (!t) {
    error = path + ": " + error;
    return nullptr;
  }
  if (!readExactly(file, lutTensorGetData(t.get()), dataBytes, path,
                   ".npy data", error))
    return nullptr;
  return t;
}

bool serializeNpy(const LutTensor *tensor, std::string &out,
                  std::string &error) {
  if (!tensor) {
    error = "cannot write a null tensor";
    return false;
  }
  LutDType dtype = lutTensorGetDType(tensor);
  const char *descr = dtypeToDescr(dtype);
  if (!descr) {
    error = "cannot write dtype " + dtypeString(dtype) + " to .npy";
    return false;
  }
  std::vector<int64_t> shape = tensorShape(tensor);
  std::string shapeText = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      shapeText += ", ";
    shapeText += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    shapeText += ",";
  shapeText += ")";
  std::string dict = std::string("{'descr': '") + descr +
                     "', 'fortran_order': False, 'shape': " + shapeText + ", }";

  // Pad so that the data starts at a multiple of 64 bytes, as NumPy does.
  auto paddedHeader = [&](size_t prefixLen) {
    size_t total = prefixLen + dict.size() + 1; // + '\n'
    size_t pad = (64 - total % 64) % 64;
    return dict + std::string(pad, ' ') + "\n";
  };
  std::string header = paddedHeader(10);
  unsigned char major = 1;
  if (header.size() > 0xffff) {
    header = paddedHeader(12);
    major = 2;
  }
  size_t dataBytes = lutTensorGetSizeInBytes(tensor);
  out.clear();
  out.reserve(12 + header.size() + dataBytes);
  out.append(kNpyMagic, kNpyMagicLen);
  out.push_back(static_cast<char>(major));
  out.push_back(0);
  size_t hl = header.size();
  out.push_back(static_cast<char>(hl & 0xff));
  out.push_back(static_cast<char>((hl >> 8) & 0xff));
  if (major == 2) {
    out.push_back(static_cast<char>((hl >> 16) & 0xff));
    out.push_back(static_cast<char>((hl >> 24) & 0xff));
  }
  out += header;
  if (dataBytes)
    out.append(static_cast<const char *>(lutTensorGetData(tensor)), dataBytes);
  return true;
}

bool writeNpy(const std::string &path, const LutTensor *tensor,
              std::string &error) {
  std::string bytes;
  if (!serializeNpy(tensor, bytes, error)) {
    error = path + ": " + error;
    return false;
  }
  return writeFile(path, bytes, error);
}

} // namespace lut::runtime
