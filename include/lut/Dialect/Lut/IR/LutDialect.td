//===- LutDialect.td - the lut dialect ---------------------*- tablegen -*-===//
#ifndef LUT_DIALECT_TD
#define LUT_DIALECT_TD

include "mlir/IR/OpBase.td"

def Lut_Dialect : Dialect {
  let name = "lut";
  let summary = "Lookup-table operations that replace transformer feed-forward blocks.";
  let description = [{
    The `lut` dialect holds the operations lut-mlir uses to replace the
    feed-forward (MLP/FFN) blocks of a transformer with table lookups:

    * `lut.mlp` marks one detected FFN and keeps its dense body, so that it
      can be evaluated (for calibration) or inlined back.
    * `lut.lsh_encode` is the LookupFFN hash (Zeng et al., ICML 2024,
      arXiv:2403.07221): a projection followed by one sign bit per
      projected dimension, packed into `H` codes of `k` bits each.
    * `lut.gather_sum` reads one row of each of `H` tables and sums them:
      `y[n, m] = sum_h w[n, h] * T[h, codes[n, h], m] + b[m]`.

    All ops work on ranked, statically shaped tensors. Every op has a
    verifier that checks shapes and, where the codes are constants, code
    ranges, and a reference lowering to `linalg`/`tensor`/`arith`
    (`lut-opt --lut-lower`).
  }];
  let cppNamespace = "::lut";
}

class Lut_Op<string mnemonic, list<Trait> traits = []> :
    Op<Lut_Dialect, mnemonic, traits>;

#endif // LUT_DIALECT_TD
