//===- TensorIO.h - Reading and writing tensors in .npy and .pb files -----===//
//
// A C++ API over the C runtime's LutTensor for the two tensor file formats
// that lut-run and the tests use:
//
//  - NumPy `.npy` (format versions 1.0, 2.0 and 3.0; little-endian; C order),
//  - ONNX `TensorProto` protobuf files (`.pb`), as in ONNX's node-test data
//    (`test_data_set_0/input_0.pb`).
//
// Supported dtypes are those of the runtime (lutDTypeSize() != 0): float,
// double, float16, bfloat16, int8/16/32/64, uint8/16/32/64 and bool.
//
// Errors: functions return a null TensorPtr or false and store a message in
// `error` that starts with the file path (for file functions), e.g.
// "x.npy: Fortran-order arrays are not supported; save the array with
// np.ascontiguousarray". They never throw, except std::bad_alloc.
//
// Lives in the LutTensorIO library (which links protobuf and onnx_proto), so
// that the C runtime library LutRuntime itself depends only on libdl.
//
//===----------------------------------------------------------------------===//

#ifndef LUT_RUNTIME_TENSORIO_H
#define LUT_RUNTIME_TENSORIO_H

#include "lut-c/Runtime.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace lut::runtime {

/// Destroys a LutTensor with lutTensorDestroy.
struct TensorDeleter {
  void operator()(LutTensor *tensor) const { lutTensorDestroy(tensor); }
};

/// An owned LutTensor.
using TensorPtr = std::unique_ptr<LutTensor, TensorDeleter>;

/// The tensor file formats, chosen by file extension.
enum class TensorFileFormat { Npy, TensorProto };

/// The format implied by `path`'s extension: ".npy" is Npy and ".pb" is
/// TensorProto (case-insensitive). std::nullopt for any other extension.
std::optional<TensorFileFormat>
tensorFileFormatFromPath(const std::string &path);

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

/// Reads a .npy file into a new owning tensor.
///
/// Accepts format versions 1.0, 2.0 and 3.0 with a dtype descr of
/// '<f4' float, '<f8' double, '<f2' float16, '|i1' '<i2' '<i4' '<i8',
/// '|u1' '<u2' '<u4' '<u8', '|b1' bool, and '|V2' / '<V2' read as bfloat16
/// (what NumPy writes for ml_dtypes.bfloat16). A shape of `()` gives a
/// scalar (rank 0); zero-sized dims are allowed.
///
/// Errors (null result, message in `error`): the file cannot be opened or
/// read; bad magic; unsupported version; a header that is not a valid NumPy
/// header dict; `fortran_order: True`; big-endian or unsupported dtypes
/// (complex, object, strings, structured); negative dims or an overflowing
/// size; a data section shorter (truncated) or longer than the shape needs.
TensorPtr readNpy(const std::string &path, std::string &error);

/// Like readNpy, but parses `size` bytes of a .npy image held in memory.
/// Messages are not prefixed with a path.
TensorPtr parseNpy(const void *data, size_t size, std::string &error);

/// Serializes `tensor` as a .npy image (version 1.0, or 2.0 if the header
/// needs more than 65535 bytes) with C order and the descr listed at readNpy
/// (bfloat16 is written as '|V2'). Returns false with a message if `tensor` is
/// null or of an unsupported dtype.
bool serializeNpy(const LutTensor *tensor, std::string &out,
                  std::string &error);

/// Writes `tensor` to `path` as .npy (see serializeNpy), replacing any
/// existing file. Returns false with a message that names the path if the
/// file cannot be written completely.
bool writeNpy(const std::string &path, const LutTensor *tensor,
              std::string &error);

//===----------------------------------------------------------------------===//
// ONNX TensorProto (.pb)
//===----------------------------------------------------------------------===//

/// Converts a TensorProto into a new owning tensor, and stores its `name`
/// in `*name` if `name` is not null. Decoding is lut/Runtime/TensorProto.h's
/// decodeTensorProto (the importer's too): raw_data, the typed field ONNX
/// defines for the dtype, or external data (data_location EXTERNAL) read
/// from `location` relative to `baseDir`.
///
/// Errors: UNDEFINED, STRING or complex data_type; negative dims or an
/// overflowing size; segments; raw_data of the wrong size; raw_data together
/// with a typed field; a typed field of the wrong length, or the wrong field
/// for the dtype; an int32_data value out of range of a narrower dtype;
/// external data when `baseDir` is empty, with a bad offset or length, or a
/// missing or too short file. Messages name the tensor.
TensorPtr tensorFromProto(const onnx::TensorProto &proto, std::string *name,
                          std::string &error, const std::string &baseDir = "");

/// Fills `proto` (cleared first) from `tensor`: data_type, dims, `name`, and
/// the data as raw_data, as onnx.numpy_helper.from_array does. Returns false
/// with a message if `tensor` is null or of an unsupported dtype.
bool tensorToProto(const LutTensor *tensor, const std::string &name,
                   onnx::TensorProto &proto, std::string &error);

/// Reads a serialized TensorProto file (see tensorFromProto); external data
/// is relative to the file's directory. Errors also include a file that
/// cannot be read or does not parse as a TensorProto.
TensorPtr readTensorProto(const std::string &path, std::string *name,
                          std::string &error);

/// Writes `tensor` as a serialized TensorProto named `name` (see
/// tensorToProto) to `path`, replacing any existing file.
bool writeTensorProto(const std::string &path, const LutTensor *tensor,
                      const std::string &name, std::string &error);

/// Reads a NumPy `.npz` archive (np.savez or np.savez_compressed) into
/// `out`, one (name, tensor) pair per member in archive order; names drop
/// the ".npy" suffix (np.savez names positional arrays arr_0, arr_1, ...).
/// Errors: an unreadable file, a corrupt or ZIP64 archive, a compression
/// other than stored/deflate, or a member parseNpy rejects (named).
bool readNpz(const std::string &path,
             std::vector<std::pair<std::string, TensorPtr>> &out,
             std::string &error);

//===----------------------------------------------------------------------===//
// By extension
//===----------------------------------------------------------------------===//

/// Reads a tensor from a `.npy` or `.pb` file, chosen by extension. For .pb
/// the stored tensor name goes to `*name` (if not null); for .npy `*name` is
/// set to "". Errors: an unknown extension, or those of readNpy /
/// readTensorProto.
TensorPtr readTensorFile(const std::string &path, std::string *name,
                         std::string &error);

//===----------------------------------------------------------------------===//
// Element helpers
//===----------------------------------------------------------------------===//

/// Converts IEEE 754 binary16 bits to float (exact; handles subnormals,
/// infinities and NaN).
float halfToFloat(uint16_t bits);

/// Converts bfloat16 bits to float (exact).
float bfloat16ToFloat(uint16_t bits);

/// Element `index` (row-major, 0 <= index < element count) of `tensor`
/// converted to double, for printing and statistics: float16 and bfloat16 are
/// decoded, bool is 0 or 1, and 64-bit integers may round. Precondition:
/// `tensor` is non-null with a supported dtype and `index` is in range.
double elementAsDouble(const LutTensor *tensor, int64_t index);

/// The shape as "[2,3]", or "[]" for rank 0.
std::string shapeToString(const std::vector<int64_t> &shape);

/// The shape of `tensor` as a vector (empty for a scalar or a null tensor).
std::vector<int64_t> tensorShape(const LutTensor *tensor);

} // namespace lut::runtime

#endif // LUT_RUNTIME_TENSORIO_H
