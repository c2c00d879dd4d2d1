//===- lut_mlir.cpp - Python bindings for the lut-mlir runtime ------------===//
//
// The `lut_mlir` Python module: load a compiled model and run it on NumPy
// arrays. A thin layer over the C API in include/lut-c/Runtime.h; every
// check (count, dtype, shape) is the runtime's, and its messages are raised
// unchanged as ValueError. See python-bindings/README.md.
//
//===----------------------------------------------------------------------===//

#include "lut-c/Runtime.h"
#include "lut/Support/DTypes.h"

#include <pybind11/numpy.h>

#include <cstring>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

/// Raises the Python exception matching the runtime's last failure:
/// OSError for loading, MemoryError for allocation, RuntimeError for a model
/// that returned an error code, and ValueError for everything else (bad
/// signature, count/dtype/shape mismatch, invalid argument).
[[noreturn]] void raiseLastError() {
  PyObject *type = PyExc_ValueError;
  switch (lutGetLastStatus()) {
  case LUT_ERROR_LOAD:
    type = PyExc_OSError;
    break;
  case LUT_ERROR_OUT_OF_MEMORY:
    type = PyExc_MemoryError;
    break;
  case LUT_ERROR_MODEL_FAILED:
  case LUT_ERROR_UNSUPPORTED_CPU:
    type = PyExc_RuntimeError;
    break;
  default:
    break;
  }
  PyErr_SetString(type, lutGetLastError());
  throw py::error_already_set();
}

/// The NumPy dtype used for bfloat16: ml_dtypes.bfloat16 when the ml_dtypes
/// package is installed, else uint16 holding the raw bit patterns.
py::dtype bfloat16DType() {
  try {
    return py::dtype::from_args(
        py::module_::import("ml_dtypes").attr("bfloat16"));
  } catch (py::error_already_set &) {
    return py::dtype("uint16");
  }
}

/// The NumPy dtype for a runtime dtype (the dtype table's NumPy column).
py::dtype toNumpy(LutDType dtype) {
  if (dtype == LUT_DTYPE_BFLOAT16)
    return bfloat16DType();
  const lut::DTypeInfo *info = lut::findDType(dtype);
  if (!info || !*info->numpy)
    throw std::logic_error("unsupported dtype in a parsed signature");
  return py::dtype(info->numpy);
}

/// The runtime dtype of a native-byte-order NumPy dtype, or
/// LUT_DTYPE_UNDEFINED. `expected` resolves the one ambiguity: when ml_dtypes
/// is missing, a uint16 array passed for a bfloat16 input is bfloat16 bits.
LutDType fromNumpy(const py::dtype &dt, LutDType expected) {
  if (expected == LUT_DTYPE_BFLOAT16 && dt.equal(bfloat16DType()))
    return LUT_DTYPE_BFLOAT16;
  for (const lut::DTypeInfo &info : lut::kDTypes)
    if (*info.numpy && dt.equal(py::dtype(info.numpy)))
      return static_cast<LutDType>(info.value);
  return LUT_DTYPE_UNDEFINED;
}

/// Name, dtype and shape of one model input or output.
struct TensorInfo {
  std::string name;
  py::dtype dtype;
  py::tuple shape;
  /// Per dim: the ONNX dim_param of a dynamic dim, "" otherwise.
  py::tuple dimNames;
  LutDType lutDType;

  std::string repr() const {
    std::string r = "TensorInfo(name=" + py::repr(py::str(name)).cast<std::string>() +
                    ", dtype=" + py::str(dtype).cast<std::string>() +
                    ", shape=" + py::repr(shape).cast<std::string>();
    for (py::handle d : shape)
      if (d.cast<int64_t>() < 0)
        return r + ", dim_names=" + py::repr(dimNames).cast<std::string>() + ")";
    return r + ")";
  }
};

/// Owns a LutTensor.
struct TensorHandle {
  LutTensor *t = nullptr;
  explicit TensorHandle(LutTensor *t) : t(t) {}
  TensorHandle(TensorHandle &&o) noexcept : t(o.t) { o.t = nullptr; }
  TensorHandle(const TensorHandle &) = delete;
  ~TensorHandle() { lutTensorDestroy(t); }
};

class Model {
public:
  explicit Model(const std::string &path) : path(path) {
    model = lutModelLoad(path.c_str());
    if (!model)
      raiseLastError();
    for (int kind = 0; kind < 2; ++kind) {
      bool out = kind == 1;
      size_t n =
          out ? lutModelGetNumOutputs(model) : lutModelGetNumInputs(model);
      for (size_t i = 0; i < n; ++i) {
        TensorInfo info;
        info.name = out ? lutModelGetOutputName(model, i)
                        : lutModelGetInputName(model, i);
        info.lutDType = out ? lutModelGetOutputDType(model, i)
                            : lutModelGetInputDType(model, i);
        info.dtype = toNumpy(info.lutDType);
        int64_t rank = out ? lutModelGetOutputRank(model, i)
                           : lutModelGetInputRank(model, i);
        const int64_t *shape = out ? lutModelGetOutputShape(model, i)
                                   : lutModelGetInputShape(model, i);
        py::tuple t(rank), names(rank);
        for (int64_t d = 0; d < rank; ++d) {
          t[d] = py::int_(shape[d]);
          const char *nm = out ? lutModelGetOutputDimName(model, i, d)
                               : lutModelGetInputDimName(model, i, d);
          names[d] = py::str(nm ? nm : "");
        }
        info.shape = t;
        info.dimNames = names;
        (out ? outputs : inputs).push_back(std::move(info));
      }
    }
  }
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;
  ~Model() { lutModelFree(model); }

  /// Runs the model; see the docstring in the module definition.
  py::list run(const py::object &argsObj) {
    // A lone array is a sequence too (of its rows); refuse it explicitly.
    if (py::isinstance<py::array>(argsObj) ||
        !py::isinstance<py::sequence>(argsObj) ||
        py::isinstance<py::str>(argsObj))
      throw py::type_error("Model.run() takes a list or tuple of inputs, one "
                           "per graph input, e.g. model.run([x])");
    py::sequence args = argsObj.cast<py::sequence>();
    py::module_ np = py::module_::import("numpy");
    std::vector<py::array> arrays; // keeps the input data alive
    std::vector<TensorHandle> inputTensors;
    std::vector<LutTensor *> inputPtrs;
    const size_t n = py::len(args);
    for (size_t i = 0; i < n; ++i) {
      py::object item = args[i];
      py::array arr;
      if (py::isinstance<py::array>(item)) {
        arr = item.cast<py::array>();
        // Native byte order, C order; never change the element type.
        if (arr.dtype().attr("byteorder").cast<std::string>() == ">")
          arr = arr.attr("astype")(arr.dtype().attr("newbyteorder")("="))
                    .cast<py::array>();
        // (np.ascontiguousarray would turn a 0-d array into a 1-d one.)
        arr = np.attr("asarray")(arr, py::arg("order") = "C").cast<py::array>();
      } else if (i < inputs.size()) {
        // Lists, tuples and Python scalars take the input's dtype.
        arr = np.attr("asarray")(item, inputs[i].dtype, py::arg("order") = "C")
                  .cast<py::array>();
      } else {
        arr =
            np.attr("asarray")(item, py::arg("order") = "C").cast<py::array>();
      }
      LutDType expected =
          i < inputs.size() ? inputs[i].lutDType : LUT_DTYPE_UNDEFINED;
      LutDType dtype = fromNumpy(arr.dtype(), expected);
      if (dtype == LUT_DTYPE_UNDEFINED) {
        std::string which = "input " + std::to_string(i);
        if (i < inputs.size())
          which += " ('" + inputs[i].name + "')";
        throw py::value_error(which + ": unsupported NumPy dtype " +
                              py::str(arr.dtype()).cast<std::string>());
      }
      std::vector<int64_t> shape(arr.shape(), arr.shape() + arr.ndim());
      LutTensor *t = lutTensorCreate(arr.mutable_data(), shape.data(),
                                     static_cast<int64_t>(shape.size()), dtype,
                                     /*owning=*/0);
      if (!t)
        raiseLastError();
      inputTensors.emplace_back(t);
      inputPtrs.push_back(t);
      arrays.push_back(std::move(arr));
    }

    if (lutModelIsDynamic(model))
      return runDynamic(inputPtrs);

    // Allocate the results as NumPy arrays and let the model write into them.
    std::vector<py::array> results;
    std::vector<TensorHandle> outputTensors;
    std::vector<LutTensor *> outputPtrs;
    for (size_t i = 0; i < outputs.size(); ++i) {
      const TensorInfo &info = outputs[i];
      std::vector<py::ssize_t> shape;
      for (py::handle d : info.shape)
        shape.push_back(d.cast<py::ssize_t>());
      py::array arr(info.dtype, shape);
      std::vector<int64_t> shape64(shape.begin(), shape.end());
      LutTensor *t = lutTensorCreate(arr.mutable_data(), shape64.data(),
                                     static_cast<int64_t>(shape64.size()),
                                     info.lutDType, /*owning=*/0);
      if (!t)
        raiseLastError();
      outputTensors.emplace_back(t);
      outputPtrs.push_back(t);
      results.push_back(std::move(arr));
    }

    LutStatus status;
    {
      // Compiled models are reentrant (docs/Performance.md): runs from
      // several Python threads proceed in parallel, without the GIL.
      py::gil_scoped_release release;
      status = lutModelRunWithOutputs(model, inputPtrs.data(), inputPtrs.size(),
                                      outputPtrs.data(), outputPtrs.size());
    }
    if (status != LUT_OK)
      raiseLastError();
    py::list out;
    for (py::array &a : results)
      out.append(a);
    return out;
  }

  /// A model with dynamic dims: the runtime computes the output shapes and
  /// allocates the outputs; they are copied into new NumPy arrays.
  py::list runDynamic(std::vector<LutTensor *> &inputPtrs) {
    std::vector<LutTensor *> raw(outputs.size(), nullptr);
    LutStatus status;
    {
      py::gil_scoped_release release;
      status = lutModelRun(model, inputPtrs.data(), inputPtrs.size(), raw.data(), raw.size());
    }
    if (status != LUT_OK)
      raiseLastError();
    std::vector<TensorHandle> owned;
    for (LutTensor *t : raw)
      owned.emplace_back(t);
    py::list out;
    for (size_t i = 0; i < raw.size(); ++i) {
      const int64_t *shape = lutTensorGetShape(raw[i]);
      std::vector<py::ssize_t> dims(shape, shape + lutTensorGetRank(raw[i]));
      py::array arr(outputs[i].dtype, dims);
      std::memcpy(arr.mutable_data(), lutTensorGetData(raw[i]), lutTensorGetSizeInBytes(raw[i]));
      out.append(arr);
    }
    return out;
  }

  std::string path;
  LutModel *model = nullptr;
  std::vector<TensorInfo> inputs, outputs;
};

} // namespace

void bindCompiler(py::module_ &m); // compiler.cpp

PYBIND11_MODULE(lut_mlir, m) {
  m.doc() = "Compile models with lut-mlir, then load and run them.\n\n"
            "    lut_mlir.compile('model.onnx', 'model.so', lut='lsh')\n"
            "    model = lut_mlir.Model('model.so')\n"
            "    [logits] = model.run([pixels])";
  bindCompiler(m);

  py::class_<TensorInfo>(m, "TensorInfo",
                         "Name, NumPy dtype and shape of a model input or "
                         "output.")
      .def_readonly("name", &TensorInfo::name,
                    "The ONNX value name (may be empty).")
      .def_readonly("dtype", &TensorInfo::dtype,
                    "The numpy.dtype. bfloat16 is ml_dtypes.bfloat16 if "
                    "ml_dtypes is installed, else uint16 bit patterns.")
      .def_readonly("shape", &TensorInfo::shape,
                    "The shape as a tuple of ints; () for a scalar. A dynamic "
                    "dim is -1: its size comes from each run's inputs.")
      .def_readonly("dim_names", &TensorInfo::dimNames,
                    "Per dim, the ONNX name (dim_param) of a dynamic dim, "
                    "e.g. 'batch'; '' for static or unnamed dims.")
      .def("__repr__", &TensorInfo::repr);

  py::class_<Model>(m, "Model",
                    "A compiled model loaded from a shared library.")
      .def(py::init<const std::string &>(), py::arg("path"),
           "Loads the model library at `path` (a file path; a bare name "
           "means the current directory).\n\n"
           "Raises OSError if the library cannot be loaded or lacks the model "
           "ABI symbols, ValueError if its signature is malformed.")
      .def_readonly("path", &Model::path)
      .def_readonly("inputs", &Model::inputs,
                    "List of TensorInfo, in graph-input order.")
      .def_readonly("outputs", &Model::outputs,
                    "List of TensorInfo, in graph-output order.")
      .def_property_readonly(
          "signature",
          [](const Model &self) { return lutModelGetSignature(self.model); },
          "The model's signature text (see docs/Runtime.md).")
      .def("run", &Model::run, py::arg("inputs"),
           "Runs the model on a sequence of inputs in graph-input order and "
           "returns a list of new NumPy arrays, one per output (0-d arrays "
           "for scalars).\n\n"
           "NumPy arrays must have exactly the input's dtype and shape "
           "(any size >= 1 for a dynamic dim): nothing is cast or broadcast. Non-contiguous and non-native "
           "byte-order arrays are copied. Other objects (lists, scalars) are "
           "converted with numpy.asarray(x, dtype=input.dtype).\n\n"
           "Raises ValueError with the runtime's message on a count, dtype "
           "or shape mismatch (e.g. \"input 1 ('b'): expected shape [2,3], "
           "got [3,2]\"), RuntimeError if the compiled code reports an error.")
      .def(
          "set_num_threads",
          [](Model &self, int threads) {
            if (lutModelSetNumThreads(self.model, threads) != LUT_OK)
              raiseLastError();
          },
          py::arg("threads"),
          "Sets the threads of this model library's parallel loops, LUT kernels\n"
          "and dense GEMMs: 1 to 1024, or 0 for the default (LUT_NUM_THREADS,\n"
          "else the CPUs). Models loaded from the same file share the setting;\n"
          "other models keep theirs. Raises ValueError outside [0, 1024].")
      .def("__repr__", [](const Model &self) {
        return "<lut_mlir.Model '" + self.path + "' with " +
               std::to_string(self.inputs.size()) + " inputs, " +
               std::to_string(self.outputs.size()) + " outputs>";
      });
}
