//===- LutToLinalg.h - lut ops to linalg/tensor/arith -----------*- C++ -*-===//
//
// Conversion patterns from the `lut` dialect to upstream dialects on tensors
// (linalg, tensor, arith). They are the semantic reference of the lut ops;
// the pass `convert-lut-to-linalg` (lut/Conversion/Passes.h) applies them.
//
// One OpConversionPattern per op, no type conversion (every type stays):
//
// * `lut.mlp`: the body is inlined in place of the op, its block arguments
//   replaced by the operands and its results by the `lut.yield` operands.
//
// * `lut.lsh_encode` (LookupFFN hash; Zeng et al., ICML 2024,
//   arXiv:2403.07221). Operands x: tensor<N x D x f32>, P: tensor<D x HK x
//   f32> (HK = H*k, k = `bits`), optional b: tensor<HK x f32>; result
//   codes: tensor<N x H x i32>. Becomes
//     z = linalg.matmul(x, P) into linalg.fill(0.0) : N x HK f32
//     linalg.generic, loops (n, h, j) = (parallel, parallel, reduction),
//       ins z as N x H x k (tensor.expand_shape), b as H x k if present,
//       outs linalg.fill(0) : N x H i32,
//       codes[n, h] |= (z[n, h, j] + b[h, j] > 0 ? 1 << j : 0).
//   Each code is in [0, 2^k).
//
// * `lut.gather_sum` (LookupFFN table read; MADDNESS aggregation, Blalock &
//   Guttag, ICML 2021). Operands codes: tensor<N x H x iK> (read as signed),
//   T: tensor<H x R x M x E> with E in {f32, f16, bf16, i8}, optional
//   w: tensor<N x H x f32>, b: tensor<M x f32>, s: tensor<H x M x f32>
//   (present exactly for i8 tables); result y: tensor<N x M x f32>. Becomes
//     init = b broadcast over rows (linalg.generic) or linalg.fill(0.0)
//     linalg.generic, loops (n, h, m) = (parallel, reduction, parallel),
//       ins codes (and w) at (n, h), outs init at (n, m), body
//       t = tensor.extract T[h, index_cast(codes[n, h]), m]
//       t = sitofp (i8) | extf (f16, bf16) | t (f32)
//       y[n, m] += t * s[h, m] (i8 only) * w[n, h] (if present)
//   accumulated in f32, in increasing h. The reduction over h sits outside
//   the m loop so the inner loop reads one table row contiguously.
//   When `codes` is a compile-time constant (dense integer elements) with a
//   code outside [0, R), the pattern emits "code C at [n, h] is outside
//   [0, R)" on the op and fails, so the op stays illegal and the conversion
//   fails. Codes known only at run time are not checked.
//
// * `lut.thermometer` (DWN's input encoding). Operands x: tensor<N x D x
//   f32>, thresholds: tensor<D x B x f32>; result bits: tensor<N x DB x T>,
//   T in {i1, i8}. Becomes one linalg.generic, loops (n, d, b) all
//   parallel, into the destination as N x D x B (tensor.expand_shape, then
//   collapsed back): bits[n, d, b] = x[n, d] > t[d, b] (cmpf ogt; extui to
//   i8).
//
// * `lut.lut` (a weightless LUT layer, DWN). Operands bits: tensor<N x I x
//   T>, mapping: tensor<L x n x i32|i64>, tables: tensor<L x 2^n x f32>;
//   result: tensor<N x L x f32>. Becomes
//     addr = linalg.generic, loops (n, l, j) = (parallel, parallel,
//       reduction), ins mapping at (l, j), outs linalg.fill(0) : N x L i32,
//       addr[n, l] |= (tensor.extract bits[n, mapping[l, j]] != 0) << j
//     out = linalg.generic, loops (n, l), ins addr,
//       out[n, l] = tensor.extract tables[l, addr[n, l]].
//   A constant mapping with an index outside [0, I) makes the pattern emit
//   "mapping index V at [l, j] is outside [0, I)" and fail.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_CONVERSION_LUTTOLINALG_LUTTOLINALG_H
#define LUT_CONVERSION_LUTTOLINALG_LUTTOLINALG_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace lut {

/// Adds the patterns that lower `lut.mlp`, `lut.lsh_encode` and
/// `lut.gather_sum` to linalg/tensor/arith (see the file comment). Meant
/// for a dialect conversion whose target marks the `lut` dialect illegal
/// and linalg, tensor and arith legal.
void populateLutToLinalgConversionPatterns(mlir::RewritePatternSet &patterns);

/// Adds the patterns of the weightless ops alone, `lut.thermometer` and
/// `lut.lut` (part of populateLutToLinalgConversionPatterns; used on their
/// own where lsh_encode and gather_sum are kept for kernel calls or HLS).
void populateWeightlessToLinalgConversionPatterns(mlir::RewritePatternSet &patterns);

} // namespace lut

#endif
