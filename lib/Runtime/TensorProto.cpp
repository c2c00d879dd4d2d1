//===- TensorProto.cpp - The one ONNX TensorProto decoder -----------------===//
//
// Implements include/lut/Runtime/TensorProto.h.
//
//===----------------------------------------------------------------------===//

#include "lut/Runtime/TensorProto.h"
#include "lut/Runtime/TensorIO.h"
#include "lut/Support/DTypes.h"

#include "onnx/onnx_pb.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <type_traits>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the TensorProto decoder assumes a little-endian host");

using namespace lut::runtime;

namespace {

using TP = onnx::TensorProto;

/// A decoding failure: its class and message.
struct Failure {
  TensorProtoError kind;
  std::string message;
};

/// The typed field ONNX uses for `dtype` when raw_data is absent.
const char *typedFieldFor(int32_t dtype) {
  switch (dtype) {
  case TP::FLOAT:
    return "float_data";
  case TP::DOUBLE:
    return "double_data";
  case TP::INT64:
    return "int64_data";
  case TP::UINT32:
  case TP::UINT64:
    return "uint64_data";
  default:
    return "int32_data";
  }
}

/// Copies repeated field `field` into `out` as `T`, checking that every
/// value fits. Returns an empty string or the problem.
template <typename T, typename Field>
std::string copyTyped(const Field &field, const char *fieldName, void *out,
                      int32_t dtype) {
  T *dst = static_cast<T *>(out);
  for (int i = 0; i < field.size(); ++i) {
    auto v = field.Get(i);
    using V = decltype(v);
    if constexpr (std::is_integral_v<V> && std::is_integral_v<T> &&
                  !std::is_same_v<T, V>) {
      bool inRange;
      if constexpr (std::is_signed_v<V> == std::is_signed_v<T>)
        inRange = v >= static_cast<V>(std::numeric_limits<T>::min()) &&
                  v <= static_cast<V>(std::numeric_limits<T>::max());
      else if constexpr (std::is_signed_v<V>) // signed field, unsigned T
        inRange = v >= 0 && static_cast<std::make_unsigned_t<V>>(v) <=
                                std::numeric_limits<T>::max();
      else // unsigned field, signed T
        inRange = v <= static_cast<std::make_unsigned_t<T>>(
                           std::numeric_limits<T>::max());
      if (!inRange)
        return std::string(fieldName) + "[" + std::to_string(i) +
               "] = " + std::to_string(v) + " is out of range for " +
               lut::dtypeName(dtype);
    }
    dst[i] = static_cast<T>(v);
  }
  return "";
}

/// Decodes the typed field of `proto` into `dst`; returns the problem or "".
std::string copyTypedField(const TP &proto, int32_t dtype, void *dst) {
  switch (dtype) {
  case TP::FLOAT:
    return copyTyped<float>(proto.float_data(), "float_data", dst, dtype);
  case TP::DOUBLE:
    return copyTyped<double>(proto.double_data(), "double_data", dst, dtype);
  case TP::INT64:
    return copyTyped<int64_t>(proto.int64_data(), "int64_data", dst, dtype);
  case TP::UINT64:
    return copyTyped<uint64_t>(proto.uint64_data(), "uint64_data", dst, dtype);
  case TP::UINT32:
    return copyTyped<uint32_t>(proto.uint64_data(), "uint64_data", dst, dtype);
  case TP::INT32:
    return copyTyped<int32_t>(proto.int32_data(), "int32_data", dst, dtype);
  case TP::INT16:
    return copyTyped<int16_t>(proto.int32_data(), "int32_data", dst, dtype);
  case TP::INT8:
    return copyTyped<int8_t>(proto.int32_data(), "int32_data", dst, dtype);
  case TP::UINT16:
  case TP::FLOAT16:  // bit patterns
  case TP::BFLOAT16: // bit patterns
    return copyTyped<uint16_t>(proto.int32_data(), "int32_data", dst, dtype);
  case TP::UINT8:
    return copyTyped<uint8_t>(proto.int32_data(), "int32_data", dst, dtype);
  case TP::BOOL: {
    auto *b = static_cast<uint8_t *>(dst);
    for (int i = 0; i < proto.int32_data_size(); ++i) {
      int32_t v = proto.int32_data(i);
      if (v != 0 && v != 1)
        return "int32_data[" + std::to_string(i) + "] = " + std::to_string(v) +
               " is not a bool (0 or 1)";
      b[i] = static_cast<uint8_t>(v);
    }
    return "";
  }
  default:
    return std::string("has no typed field for ") + lut::dtypeName(dtype);
  }
}

/// Parses a non-negative decimal int64 (an external-data offset or length).
bool parseSize(const std::string &text, int64_t &out) {
  if (text.empty() || text.size() > 19)
    return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

class Decoder {
public:
  Decoder(const TP &proto, const TensorProtoOptions &options)
      : proto(proto), options(options),
        subject(proto.name().empty()
                    ? options.noun
                    : options.noun + " '" + proto.name() + "'") {}

  /// Fills `info` from the dtype and dims; checks that they are supported
  /// and that the size does not overflow.
  bool describe(TensorProtoInfo &info) {
    int32_t dt = proto.data_type();
    if (dt == TP::UNDEFINED)
      return invalid(subject + " has no data_type (UNDEFINED)");
    if (dt == TP::STRING)
      return unsupported(subject + " of data_type STRING is not supported");
    if (dt == TP::COMPLEX64 || dt == TP::COMPLEX128)
      return unsupported(subject + " is " + lut::onnxDTypeName(dt) +
                         "; complex TensorProtos are not supported");
    if (lut::dtypeSize(dt) == 0)
      return unsupported(subject + " has an unsupported data_type " +
                         std::to_string(dt));
    if (proto.has_segment())
      return unsupported(subject +
                         " is segmented; segmented TensorProtos are not "
                         "supported");
    info.dtype = dt;
    info.shape.assign(proto.dims().begin(), proto.dims().end());
    for (size_t i = 0; i < info.shape.size(); ++i)
      if (info.shape[i] < 0)
        return invalid(subject + " dimension " + std::to_string(i) +
                       " is negative (" + std::to_string(info.shape[i]) + ")");
    int64_t count = 1, bytes = 0;
    for (int64_t d : info.shape)
      if (__builtin_mul_overflow(count, d, &count))
        return invalid(subject + ": the element count of shape " +
                       shapeToString(info.shape) + " overflows");
    if (__builtin_mul_overflow(count, static_cast<int64_t>(lut::dtypeSize(dt)),
                               &bytes))
      return invalid(subject + ": the byte size of shape " +
                     shapeToString(info.shape) + " overflows");
    if (options.maxBytes && static_cast<uint64_t>(bytes) > options.maxBytes)
      return invalid(subject + " declares " + lut::dtypeName(dt) + " shape " +
                     shapeToString(info.shape) + ", " + formatBytes(bytes) +
                     ", more than the limit of " +
                     formatBytes(options.maxBytes) +
                     (options.maxBytesOption.empty()
                          ? std::string()
                          : " (" + options.maxBytesOption + ")"));
    info.numElements = count;
    info.sizeInBytes = static_cast<size_t>(bytes);
    return true;
  }

  TensorProtoError
  run(const std::function<void *(const TensorProtoInfo &)> &allocate,
      std::string &error) {
    TensorProtoInfo info;
    bool ok = describe(info);
    if (ok) {
      if (proto.data_location() == TP::EXTERNAL)
        ok = readExternal(info, allocate);
      else if (proto.external_data_size() > 0)
        ok = invalid(subject + " has external_data entries but its "
                               "data_location is not EXTERNAL");
      else if (proto.has_raw_data())
        ok = readRaw(info, allocate);
      else
        ok = readTyped(info, allocate);
    }
    if (ok)
      return TensorProtoError::None;
    if (!failure.message.empty())
      error = failure.message;
    return failure.kind;
  }

private:
  const TP &proto;
  const TensorProtoOptions &options;
  std::string subject;
  Failure failure{TensorProtoError::Invalid, ""};

  bool invalid(std::string msg) {
    failure = {TensorProtoError::Invalid, std::move(msg)};
    return false;
  }
  bool unsupported(std::string msg) {
    failure = {TensorProtoError::Unsupported, std::move(msg)};
    return false;
  }
  std::string sizeText(const TensorProtoInfo &info) const {
    return std::string(lut::dtypeName(info.dtype)) + " shape " +
           shapeToString(info.shape);
  }

  /// The typed fields that hold values, by name.
  std::vector<std::pair<const char *, int>> typedFields() const {
    std::vector<std::pair<const char *, int>> used;
    for (auto f : {std::make_pair("float_data", proto.float_data_size()),
                   std::make_pair("int32_data", proto.int32_data_size()),
                   std::make_pair("int64_data", proto.int64_data_size()),
                   std::make_pair("double_data", proto.double_data_size()),
                   std::make_pair("uint64_data", proto.uint64_data_size()),
                   std::make_pair("string_data", proto.string_data_size())})
      if (f.second > 0)
        used.push_back(f);
    return used;
  }

  /// Calls the allocator; a null buffer for a non-empty tensor aborts.
  void *allocate(const TensorProtoInfo &info,
                 const std::function<void *(const TensorProtoInfo &)> &alloc) {
    void *dst = alloc(info);
    if (!dst && info.sizeInBytes > 0)
      failure = {TensorProtoError::Invalid, ""}; // the allocator's message
    return dst;
  }

  bool readRaw(const TensorProtoInfo &info,
               const std::function<void *(const TensorProtoInfo &)> &alloc) {
    auto used = typedFields();
    if (!used.empty())
      return invalid(subject + " has both raw_data and " + used[0].first);
    if (proto.raw_data().size() != info.sizeInBytes)
      return invalid(subject + " raw_data has " +
                     std::to_string(proto.raw_data().size()) + " bytes, but " +
                     sizeText(info) + " needs " +
                     std::to_string(info.sizeInBytes));
    if (!alloc)
      return true; // validation only
    void *dst = allocate(info, alloc);
    if (!dst && info.sizeInBytes)
      return false;
    if (info.sizeInBytes)
      std::memcpy(dst, proto.raw_data().data(), info.sizeInBytes);
    return true;
  }

  bool readTyped(const TensorProtoInfo &info,
                 const std::function<void *(const TensorProtoInfo &)> &alloc) {
    const char *expected = typedFieldFor(info.dtype);
    int have = 0;
    for (auto [name, size] : typedFields()) {
      if (std::strcmp(name, expected) != 0)
        return invalid(subject + " of data_type " + lut::dtypeName(info.dtype) +
                       " holds its data in " + name +
                       " (expected raw_data or " + expected + ")");
      have = size;
    }
    if (have != info.numElements)
      return invalid(subject + " " + expected + " has " + std::to_string(have) +
                     " values, but " + sizeText(info) + " needs " +
                     std::to_string(info.numElements));
    if (!alloc)
      return true; // validation only
    void *dst = allocate(info, alloc);
    if (!dst && info.sizeInBytes)
      return false;
    std::string problem = copyTypedField(proto, info.dtype, dst);
    if (!problem.empty())
      return invalid(subject + " " + problem);
    return true;
  }

  bool
  readExternal(const TensorProtoInfo &info,
               const std::function<void *(const TensorProtoInfo &)> &alloc) {
    if (proto.has_raw_data())
      return invalid(subject + " has both external data and raw_data");
    auto used = typedFields();
    if (!used.empty())
      return invalid(subject + " has both external data and " + used[0].first);
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto &kv : proto.external_data()) {
      if (kv.key() == "location") {
        location = kv.value();
      } else if (kv.key() == "offset" || kv.key() == "length") {
        int64_t v;
        if (!parseSize(kv.value(), v))
          return invalid(subject + " has an invalid external-data " + kv.key() +
                         " '" + kv.value() + "'");
        (kv.key() == "offset" ? offset : length) = v;
      }
    }
    if (location.empty())
      return invalid(subject + " has external data without a 'location'");
    if (options.baseDir.empty())
      return invalid(subject + " uses external data ('" + location +
                     "') but no base directory was given to resolve it");
    if (length >= 0 && static_cast<uint64_t>(length) != info.sizeInBytes)
      return invalid(subject + " has external-data length " +
                     std::to_string(length) + ", but " + sizeText(info) +
                     " needs " + std::to_string(info.sizeInBytes) + " bytes");
    std::string path, problem;
    if (!resolveExternalDataPath(options.baseDir, location,
                                 options.allowOutsideBaseDir, path, problem))
      return invalid(subject + ": " + problem);
    // Open without following a final symbolic link (the resolved path has
    // none when confined), then check what was opened: a regular file, and
    // the same one the path resolved to.
    int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
    if (!options.allowOutsideBaseDir)
      flags |= O_NOFOLLOW;
    int fd = ::open(path.c_str(), flags);
    if (fd < 0)
      return invalid("cannot open external data file '" + location + "' of " +
                     subject + ": " + std::strerror(errno));
    struct FdCloser {
      int fd;
      ~FdCloser() { ::close(fd); }
    } closer{fd};
    struct stat st;
    if (::fstat(fd, &st) != 0)
      return invalid("cannot stat external data file '" + location + "' of " +
                     subject + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
      return invalid("external data file '" + location + "' of " + subject +
                     " is not a regular file");
    if (!options.allowOutsideBaseDir) {
      struct stat again;
      if (::stat(path.c_str(), &again) != 0 || again.st_dev != st.st_dev ||
          again.st_ino != st.st_ino)
        return invalid("external data file '" + location + "' of " + subject +
                       " changed while it was being opened");
    }
    uint64_t fileSize = static_cast<uint64_t>(st.st_size);
    if (static_cast<uint64_t>(offset) > fileSize ||
        fileSize - static_cast<uint64_t>(offset) < info.sizeInBytes)
      return invalid("external data file '" + location +
                     "' is too short for " + subject + " (offset " +
                     std::to_string(offset) + ", " +
                     std::to_string(info.sizeInBytes) +
                     " bytes needed, the file has " + std::to_string(fileSize) +
                     ")");
    if (!alloc)
      return true; // validation only
    void *dst = allocate(info, alloc);
    if (!dst && info.sizeInBytes)
      return false;
    char *out = static_cast<char *>(dst);
    size_t done = 0;
    while (done < info.sizeInBytes) {
      size_t chunk = std::min<size_t>(info.sizeInBytes - done, size_t(1) << 30);
      ssize_t got = ::pread(fd, out + done, chunk,
                            static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return invalid("cannot read " + std::to_string(info.sizeInBytes) +
                       " bytes at offset " + std::to_string(offset) +
                       " of external data file '" + location + "' for " +
                       subject +
                       (got < 0 ? std::string(": ") + std::strerror(errno)
                                : std::string(": the file ended early")));
      done += static_cast<size_t>(got);
    }
    return true;
  }
};

} // namespace

namespace lut::runtime {

std::string formatBytes(uint64_t n) {
  std::string r = std::to_string(n) + " bytes";
  if (n >= (uint64_t(1) << 20)) {
    const char *units[] = {"MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = static_cast<double>(n) / double(uint64_t(1) << 20);
    int u = 0;
    while (v >= 1024 && u < 4) {
      v /= 1024;
      ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, " (%.3g %s)", v, units[u]);
    r += buf;
  }
  return r;
}

bool resolveExternalDataPath(const std::string &baseDir,
                             const std::string &location, bool allowOutside,
                             std::string &path, std::string &error) {
  namespace fs = std::filesystem;
  if (location.empty()) {
    error = "the external-data location is empty";
    return false;
  }
  if (location.find('\0') != std::string::npos) {
    error = "the external-data location contains a NUL byte";
    return false;
  }
  fs::path base = baseDir.empty() ? fs::path(".") : fs::path(baseDir);
  fs::path loc(location);
  if (allowOutside) {
    path = (loc.is_absolute() ? loc : base / loc).string();
    return true;
  }
  const std::string where = "the model's folder '" + base.string() + "'";
  if (loc.is_absolute()) {
    error = "external-data location '" + location +
            "' is an absolute path; it must be a path relative to " + where +
            " (--allow-external-data-outside permits it)";
    return false;
  }
  fs::path norm = loc.lexically_normal();
  if (!norm.empty() && *norm.begin() == "..") {
    error = "external-data location '" + location + "' leaves " + where +
            " through '..' (--allow-external-data-outside permits it)";
    return false;
  }
  if (norm.empty() || norm == ".") {
    error = "external-data location '" + location +
            "' names the model's folder itself, not a file";
    return false;
  }
  std::error_code ec;
  fs::path canonBase = fs::canonical(base, ec);
  if (ec) {
    error = "cannot resolve " + where + ": " + ec.message();
    return false;
  }
  fs::path canon = fs::canonical(base / norm, ec);
  if (ec) {
    error = "cannot open external data file '" + location + "' in " + where +
            ": " + ec.message();
    return false;
  }
  // Inside: canonBase is a proper prefix of canon, component by component.
  auto b = canonBase.begin(), c = canon.begin();
  for (; b != canonBase.end() && c != canon.end() && *b == *c; ++b, ++c)
    ;
  if (b != canonBase.end() || c == canon.end()) {
    error = "external-data location '" + location +
            "' resolves through a symbolic link to '" + canon.string() +
            "', outside " + where +
            " (--allow-external-data-outside permits it)";
    return false;
  }
  if (fs::is_directory(canon, ec)) {
    error = "external-data location '" + location +
            "' is a directory, not a file";
    return false;
  }
  path = canon.string();
  return true;
}

TensorProtoError decodeTensorProto(
    const onnx::TensorProto &proto, const TensorProtoOptions &options,
    const std::function<void *(const TensorProtoInfo &)> &allocate,
    std::string &error) {
  return Decoder(proto, options).run(allocate, error);
}

TensorProtoError validateTensorProto(const onnx::TensorProto &proto,
                                     const TensorProtoOptions &options,
                                     TensorProtoInfo &info,
                                     std::string &error) {
  TensorProtoError st = Decoder(proto, options).run(nullptr, error);
  if (st == TensorProtoError::None)
    Decoder(proto, options).describe(info);
  return st;
}

TensorProtoError decodeTensorProto(const onnx::TensorProto &proto,
                                   const TensorProtoOptions &options,
                                   TensorProtoInfo &info,
                                   std::vector<char> &bytes,
                                   std::string &error) {
  return decodeTensorProto(
      proto, options,
      [&](const TensorProtoInfo &i) -> void * {
        info = i;
        bytes.resize(i.sizeInBytes);
        return bytes.data();
      },
      error);
}

} // namespace lut::runtime
