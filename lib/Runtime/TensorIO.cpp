//===- TensorIO.cpp - Tensor files: ONNX TensorProto, by extension --------===//
//
// Implements include/lut/Runtime/TensorIO.h except .npy (Npy.cpp) and .npz
// (Npz.cpp): TensorProto files through the shared decoder
// (TensorProto.cpp), the choice of format by extension, element helpers, and
// the file helpers of FileIO.h.
//
//===----------------------------------------------------------------------===//

#include "FileIO.h"
#include "lut/Runtime/TensorIO.h"
#include "lut/Runtime/TensorProto.h"

#include "onnx/onnx_pb.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "TensorIO assumes a little-endian host");

using namespace lut::runtime;
using namespace lut::runtime::detail;

//===----------------------------------------------------------------------===//
// File helpers (FileIO.h)
//===----------------------------------------------------------------------===//

namespace lut::runtime::detail {

TensorPtr makeTensor(const std::vector<int64_t> &shape, LutDType dtype,
                     std::string &error) {
  TensorPtr t(lutTensorCreateEmpty(shape.data(),
                                   static_cast<int64_t>(shape.size()), dtype));
  if (!t)
    error = lutGetLastError();
  return t;
}

std::string dtypeString(LutDType dtype) {
  if (const char *name = lutDTypeName(dtype))
    return name;
  return "<dtype " + std::to_string(static_cast<int>(dtype)) + ">";
}

bool openForRead(const std::string &path, File &file, uint64_t &size,
                 std::string &error) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    error = path + ": is a directory, not a tensor file";
    return false;
  }
  file.f = std::fopen(path.c_str(), "rb");
  if (!file.f) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  size = static_cast<uint64_t>(st.st_size);
  return true;
}

bool readExactly(File &file, void *dst, size_t n, const std::string &path,
                 const char *what, std::string &error) {
  if (n == 0)
    return true;
  size_t got = std::fread(dst, 1, n, file.f);
  if (got != n) {
    if (std::ferror(file.f))
      error = path + ": read error in " + what + ": " + std::strerror(errno);
    else
      error = path + ": truncated " + what + " (expected " + std::to_string(n) +
              " bytes, found " + std::to_string(got) + ")";
    return false;
  }
  return true;
}

bool writeFile(const std::string &path, std::string_view bytes,
               std::string &error) {
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f) {
    error = path + ": cannot open for writing: " + std::strerror(errno);
    return false;
  }
  size_t written =
      bytes.empty() ? 0 : std::fwrite(bytes.data(), 1, bytes.size(), f);
  int writeErrno = errno;
  bool ok = written == bytes.size();
  if (std::fclose(f) != 0 && ok) {
    writeErrno = errno;
    ok = false;
  }
  if (!ok) {
    error = path + ": write failed: " + std::strerror(writeErrno);
    return false;
  }
  return true;
}

} // namespace lut::runtime::detail

namespace {

//===----------------------------------------------------------------------===//
// TensorProto
//===----------------------------------------------------------------------===//

/// Appended to errors that a file of another ONNX proto type (a sequence,
/// map or optional value, or a model) typically causes when parsed as a
/// TensorProto, which protobuf's wire format does not prevent.
constexpr const char *kNotATensorHint =
    " (is the file really a TensorProto? ONNX sequence, map and optional "
    "values are not supported)";

} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

namespace lut::runtime {

std::optional<TensorFileFormat>
tensorFileFormatFromPath(const std::string &path) {
  size_t slash = path.find_last_of('/');
  size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
    return std::nullopt;
  std::string ext = path.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".npy")
    return TensorFileFormat::Npy;
  if (ext == ".pb")
    return TensorFileFormat::TensorProto;
  return std::nullopt;
}

std::string shapeToString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ',';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::vector<int64_t> tensorShape(const LutTensor *tensor) {
  if (!tensor)
    return {};
  const int64_t *shape = lutTensorGetShape(tensor);
  return std::vector<int64_t>(shape, shape + lutTensorGetRank(tensor));
}


TensorPtr tensorFromProto(const onnx::TensorProto &proto, std::string *name,
                          std::string &error, const std::string &baseDir) {
  TensorProtoOptions options;
  options.baseDir = baseDir;
  TensorPtr t;
  TensorProtoError status = decodeTensorProto(
      proto, options,
      [&](const TensorProtoInfo &info) -> void * {
        t = makeTensor(info.shape, static_cast<LutDType>(info.dtype), error);
        return t ? lutTensorGetData(t.get()) : nullptr;
      },
      error);
  if (status != TensorProtoError::None) {
    if (proto.data_type() == onnx::TensorProto::UNDEFINED ||
        proto.has_segment())
      error += kNotATensorHint;
    return nullptr;
  }
  if (name)
    *name = proto.name();
  return t;
}

bool tensorToProto(const LutTensor *tensor, const std::string &name,
                   onnx::TensorProto &proto, std::string &error) {
  if (!tensor) {
    error = "cannot convert a null tensor";
    return false;
  }
  LutDType dtype = lutTensorGetDType(tensor);
  if (lutDTypeSize(dtype) == 0) {
    error = "cannot convert dtype " + dtypeString(dtype) + " to a TensorProto";
    return false;
  }
  proto.Clear();
  proto.set_name(name);
  proto.set_data_type(static_cast<int32_t>(dtype));
  for (int64_t d : tensorShape(tensor))
    proto.add_dims(d);
  proto.set_raw_data(static_cast<const char *>(lutTensorGetData(tensor)),
                     lutTensorGetSizeInBytes(tensor));
  return true;
}

TensorPtr readTensorProto(const std::string &path, std::string *name,
                          std::string &error) {
  File file(nullptr);
  uint64_t fileSize;
  if (!openForRead(path, file, fileSize, error))
    return nullptr;
  if (fileSize > static_cast<uint64_t>(std::numeric_limits<int>::max())) {
    error = path + ": file is larger than protobuf's 2 GiB limit";
    return nullptr;
  }
  std::string bytes(static_cast<size_t>(fileSize), '\0');
  if (!readExactly(file, bytes.data(), bytes.size(), path, "TensorProto",
                   error))
    return nullptr;
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) {
    error = path + ": not a valid serialized ONNX TensorProto";
    return nullptr;
  }
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  TensorPtr t = tensorFromProto(proto, name, error, dir);
  if (!t)
    error = path + ": " + error;
  return t;
}

bool writeTensorProto(const std::string &path, const LutTensor *tensor,
                      const std::string &name, std::string &error) {
  onnx::TensorProto proto;
  if (!tensorToProto(tensor, name, proto, error)) {
    error = path + ": " + error;
    return false;
  }
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) {
    error = path + ": cannot serialize the TensorProto (larger than 2 GiB?)";
    return false;
  }
  return writeFile(path, bytes, error);
}

TensorPtr readTensorFile(const std::string &path, std::string *name,
                         std::string &error) {
  std::optional<TensorFileFormat> format = tensorFileFormatFromPath(path);
  if (!format) {
    error = path + ": unknown tensor file extension (expected .npy or .pb)";
    return nullptr;
  }
  if (*format == TensorFileFormat::TensorProto)
    return readTensorProto(path, name, error);
  if (name)
    name->clear();
  return readNpy(path, error);
}

//===----------------------------------------------------------------------===//
// Element helpers
//===----------------------------------------------------------------------===//

float halfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  if (exp == 0) {
    float v = std::ldexp(static_cast<float>(mant), -24); // zero or subnormal
    return sign ? -v : v;
  }
  uint32_t bits;
  if (exp == 31)
    bits = sign | 0x7f800000u | (mant << 13); // inf / NaN
  else
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

float bfloat16ToFloat(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

double elementAsDouble(const LutTensor *tensor, int64_t index) {
  const void *data = lutTensorGetData(tensor);
  auto load = [&](auto tag) {
    using T = decltype(tag);
    T v;
    std::memcpy(&v, static_cast<const char *>(data) + index * sizeof(T),
                sizeof(T));
    return v;
  };
  switch (lutTensorGetDType(tensor)) {
  case LUT_DTYPE_FLOAT:
    return load(float());
  case LUT_DTYPE_DOUBLE:
    return load(double());
  case LUT_DTYPE_FLOAT16:
    return halfToFloat(load(uint16_t()));
  case LUT_DTYPE_BFLOAT16:
    return bfloat16ToFloat(load(uint16_t()));
  case LUT_DTYPE_INT8:
    return load(int8_t());
  case LUT_DTYPE_INT16:
    return load(int16_t());
  case LUT_DTYPE_INT32:
    return load(int32_t());
  case LUT_DTYPE_INT64:
    return static_cast<double>(load(int64_t()));
  case LUT_DTYPE_UINT8:
    return load(uint8_t());
  case LUT_DTYPE_UINT16:
    return load(uint16_t());
  case LUT_DTYPE_UINT32:
    return load(uint32_t());
  case LUT_DTYPE_UINT64:
    return static_cast<double>(load(uint64_t()));
  case LUT_DTYPE_BOOL:
    return load(uint8_t()) != 0 ? 1.0 : 0.0;
  default:
    return std::nan("");
  }
}

} // namespace lut::runtime