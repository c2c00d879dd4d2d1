//===- EmitLutOps.cpp - HLS C++ loop forms of the lut ops ------------------===//
//
// lut.gather_sum: per token, the H codes are read into a register array,
// then a pipelined loop over blocks of U output columns reads the H tables
// (one bank each: ARRAY_PARTITION dim=1) for every column of the block and
// sums them with an adder tree. i8 tables with per-column scales sum in
// integers and are scaled once, with the same fused multiply-add as the
// CPU kernels (lib/Kernels), so C simulation is bit-exact with them.
//
// lut.lsh_encode: per token, the input row is read into registers, then a
// pipelined loop over tables computes the k projections of one table
// (k * D multiplies) and packs their sign bits into its code.
//
//===----------------------------------------------------------------------===//
#include "Emitter.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using lut::hls::Emitter;

static int64_t iiOf(Operation *op) {
  auto a = op->getAttrOfType<IntegerAttr>("lut.hls_pipeline_ii");
  return a ? a.getInt() : 1;
}

void Emitter::openFor(StringRef var, const Twine &ub, StringRef label, const Twine &pragmaText,
                      int64_t step, int64_t lb) {
  os << "for (int " << var << " = " << lb << "; " << var << " < " << ub << "; ";
  if (step == 1)
    os << "++" << var;
  else
    os << var << " += " << step;
  os << ") {" << (label.empty() ? "" : " // ") << label << "\n";
  os.indent();
  if (!pragmaText.isTriviallyEmpty())
    pragma(pragmaText);
}

void Emitter::closeFor(int n) {
  for (int i = 0; i < n; ++i) {
    os.unindent();
    os << "}\n";
  }
}

void Emitter::registerRow(StringRef ctype, StringRef name, int64_t size, StringRef var,
                          StringRef label, const Twine &rhs) {
  os << ctype << " " << name << "[" << std::max<int64_t>(1, size) << "];\n";
  pragma("ARRAY_PARTITION variable=" + name + " type=complete dim=1");
  openFor(var, Twine(size), label, "PIPELINE II=1");
  os << name << "[" << var << "] = " << rhs << ";\n";
  closeFor();
}

LogicalResult Emitter::emitGatherSum(lut::GatherSumOp op) {
  auto codesT = cast<MemRefType>(op.getCodes().getType());
  auto tablesT = cast<MemRefType>(op.getTables().getType());
  for (Value v : op->getOperands())
    if (failed(viewOf(v, op.getLoc())))
      return failure();
  Type et = tablesT.getElementType();
  if (!et.isF32() && !et.isInteger(8))
    return op.emitError("the HLS C++ emitter supports f32 and i8 tables, not ")
           << et << " (compile with --lut-tables=i8 or f32)";
  if (!codesT.hasStaticShape() || !tablesT.hasStaticShape())
    return op.emitError("the HLS C++ emitter needs static shapes");
  int64_t n = codesT.getDimSize(0), h = tablesT.getDimSize(0), m = tablesT.getDimSize(2);
  if (n == 0 || m == 0)
    return success(); // nothing to compute
  if (h == 0)
    return op.emitError("the HLS C++ emitter needs at least one table");
  auto ua = op->getAttrOfType<IntegerAttr>("lut.hls_unroll");
  int64_t u = ua ? ua.getInt() : 1;
  if (m % u)
    return op.emitError("lut.hls_unroll = ") << u << " does not divide the " << m
                                             << " output columns";
  bool perColumn = op.getScales() && cast<MemRefType>(op.getScales().getType()).getRank() == 1;
  bool intSum = et.isInteger(8) && perColumn && !op.getWeights();
  int64_t hp = (int64_t)llvm::PowerOf2Ceil((uint64_t)h);
  std::string k = "gs" + std::to_string(lutOpIndex++);
  std::string codeT = "uint" + std::to_string(codesT.getElementTypeBitWidth()) + "_t";
  std::string accT = k + "_acc_t";
  // |sum| <= H * 128: 8 + ceil(log2 H) bits and a sign.
  int64_t accBits = 9 + llvm::Log2_64_Ceil((uint64_t)h);
  os << "// lut.gather_sum: " << n << " tokens, " << h << " tables of "
     << tablesT.getDimSize(1) << " rows, " << m << " columns ("
     << (intSum ? "i8, integer sums" : "f32 sums") << "), " << u << " columns per cycle\n";
  if (intSum)
    os << "#ifdef LUT_HLS_AP_TYPES\ntypedef ap_int<" << accBits << "> " << accT
       << ";\n#else\ntypedef int32_t " << accT << ";\n#endif\n";
  else
    os << "typedef float " << accT << ";\n";
  std::string tn = fresh("n"), th = fresh("h"), tb = fresh("mb"), tu = fresh("u"),
              tw = fresh("w"), ti = fresh("j"), c = fresh("code"), s = fresh("sum");
  openFor(tn, Twine(n), k + "_token");
  registerRow("int", c, h, th, k + "_codes",
              "(int)(" + codeT + ")" + access(op.getCodes(), {tn, th}));
  openFor(tb, Twine(m), k + "_columns", "PIPELINE II=" + Twine(iiOf(op)), u);
  openFor(tu, Twine(u), k + "_unroll", "UNROLL");
  std::string col = fresh("m");
  os << "const int " << col << " = " << tb << " + " << tu << ";\n";
  os << accT << " " << s << "[" << hp << "];\n";
  pragma("ARRAY_PARTITION variable=" + s + " type=complete dim=1");
  openFor(th, Twine(h), k + "_tables", "UNROLL");
  std::string term = access(op.getTables(), {th, c + "[" + th + "]", col});
  if (!intSum) {
    term = "(float)" + term;
    if (op.getScales())
      term += " * " + access(op.getScales(), {th, col});
    if (op.getWeights())
      term += " * " + access(op.getWeights(), {tn, th});
  }
  os << s << "[" << th << "] = (" << accT << ")(" << term << ");\n";
  closeFor();
  if (hp > h) {
    openFor(th, Twine(hp), "", "UNROLL", 1, h);
    os << s << "[" << th << "] = 0;\n";
    closeFor();
  }
  os << "// adder tree over the tables\n";
  os << "for (int " << tw << " = " << hp / 2 << "; " << tw << " > 0; " << tw
     << " /= 2) { // " << k << "_tree\n";
  os.indent();
  pragma("UNROLL");
  openFor(ti, tw, "", "UNROLL");
  os << s << "[" << ti << "] += " << s << "[" << ti << " + " << tw << "];\n";
  closeFor(2);
  std::string y = access(op.getInit(), {tn, col});
  std::string sum = "(float)" + s + "[0]";
  if (intSum) {
    std::string scale = access(op.getScales(), {col});
    os << y << " = "
       << (op.getBias() ? "std::fma(" + sum + ", " + scale + ", " + access(op.getBias(), {col}) + ")"
                        : sum + " * " + scale)
       << ";\n";
  } else {
    if (perColumn && op.getWeights())
      sum = "(" + sum + " * " + access(op.getScales(), {col}) + ")";
    os << y << " = " << sum << (op.getBias() ? " + " + access(op.getBias(), {col}) : "")
       << ";\n";
  }
  closeFor(3);
  return success();
}

LogicalResult Emitter::emitLshEncode(lut::LshEncodeOp op) {
  for (Value v : op->getOperands())
    if (failed(viewOf(v, op.getLoc())))
      return failure();
  auto xT = cast<MemRefType>(op.getX().getType());
  auto codesT = cast<MemRefType>(op.getInit().getType());
  if (!xT.hasStaticShape() || !codesT.hasStaticShape())
    return op.emitError("the HLS C++ emitter needs static shapes");
  int64_t n = xT.getDimSize(0), d = xT.getDimSize(1), h = codesT.getDimSize(1);
  int64_t bits = op.getBits();
  if (n == 0 || h == 0)
    return success(); // no codes to compute
  std::string k = "le" + std::to_string(lutOpIndex++);
  std::string codeT = cType(codesT.getElementType(), op.getLoc());
  os << "// lut.lsh_encode: " << n << " tokens of " << d << " inputs, " << h << " tables of "
     << bits << " hash bits\n";
  std::string tn = fresh("n"), td = fresh("d"), th = fresh("h"), tj = fresh("j"),
              xr = fresh("xrow"), code = fresh("code"), z = fresh("z");
  openFor(tn, Twine(n), k + "_token");
  registerRow("float", xr, d, td, k + "_row", access(op.getX(), {tn, td}));
  openFor(th, Twine(h), k + "_tables", "PIPELINE II=" + Twine(iiOf(op)));
  os << "uint32_t " << code << " = 0;\n";
  openFor(tj, Twine(bits), k + "_bits", "UNROLL");
  std::string p = fresh("p");
  os << "const int " << p << " = " << th << " * " << bits << " + " << tj << ";\n";
  os << "float " << z << " = 0.0f;\n";
  openFor(td, Twine(d), k + "_dot", "UNROLL");
  os << z << " += " << xr << "[" << td << "] * " << access(op.getProjection(), {td, p})
     << ";\n";
  closeFor();
  if (op.getBias())
    os << z << " += " << access(op.getBias(), {p}) << ";\n";
  os << code << " |= (uint32_t)(" << z << " > 0.0f) << " << tj << ";\n";
  closeFor();
  os << access(op.getInit(), {tn, th}) << " = (" << codeT << ")" << code << ";\n";
  closeFor(2);
  return success();
}
