//===- LutOps.td - lut dialect operations ------------------*- tablegen -*-===//
#ifndef LUT_OPS_TD
#define LUT_OPS_TD

include "lut/Dialect/Lut/IR/LutDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/TilingInterface.td"

//===----------------------------------------------------------------------===//
// lut.mlp
//===----------------------------------------------------------------------===//

// The activation kinds `lut-detect-mlp` recognizes (see isKnownActivation).
def Lut_ActivationAttr : ConfinedAttr<StrAttr, [AttrConstraint<
    CPred<"::lut::isKnownActivation("
          "::llvm::cast<::mlir::StringAttr>($_self).getValue())">,
    "whose value is one of gelu, gelu_tanh, geglu, geglu_tanh, relu, reglu, "
    "silu, swiglu, sigmoid, tanh, other">]>;

def Lut_PositiveI64Attr : ConfinedAttr<I64Attr, [IntPositive]>;

def Lut_MlpOp : Lut_Op<"mlp", [IsolatedFromAbove,
    SingleBlockImplicitTerminator<"YieldOp">,
    RecursiveMemoryEffects]> {
  let summary = "One detected feed-forward block, with its dense body";
  let description = [{
    `lut.mlp` wraps one feed-forward (MLP/FFN) block of a transformer, as
    found by `lut-detect-mlp`. Its single-block region is the original dense
    computation, weights included (the region is isolated from above), so
    the op can be evaluated as is, tapped for calibration, or inlined back.
    The region's block arguments take the operands in order; `lut.yield`
    returns the results.

    `name` is the FFN's source name, taken from the ONNX node names (for
    example `blocks.3.mlp`); passes and reports use it to refer to the FFN.

    Optional attributes, set by `lut-detect-mlp` and informative only (the
    body is the definition; a hand-written `lut.mlp` may omit them):
    * `activation`: the FFN's pointwise part: `gelu` (erf form),
      `gelu_tanh`, `relu`, `silu`, `sigmoid`, `tanh`, or for gated FFNs
      `down(act(gate x) * up x)`: `geglu`, `geglu_tanh`, `swiglu`, `reglu`;
      `other` for anything else;
    * `d_model`: input features (the last dimension of the input);
    * `d_ff`: hidden units (per branch for gated FFNs);
    * `d_out`: output features (the last dimension of the result).

    The sizes are element counts and must be positive.

    Shapes and types: any ranked tensors; the block argument types must equal
    the operand types and the yielded types must equal the result types.

    Errors: the verifier reports a mismatch in count or type between
    operands and block arguments, or between results and yielded values, an
    empty `name`, an `activation` outside the list above, and a `d_model`,
    `d_ff` or `d_out` that is not a positive 64-bit integer.

    Lowering: `convert-lut-to-linalg` inlines the body in place of the op.

    Example:

    ```mlir
    %y = lut.mlp "blocks.0.mlp" (%x) : (tensor<4x96xf32>) -> tensor<4x96xf32>
        attributes {activation = "gelu", d_ff = 384 : i64, d_model = 96 : i64,
                    d_out = 96 : i64} {
    ^bb0(%a: tensor<4x96xf32>):
      ...
      lut.yield %r : tensor<4x96xf32>
    }
    ```
  }];
  let arguments = (ins StrAttr:$name,
                       OptionalAttr<Lut_ActivationAttr>:$activation,
                       OptionalAttr<Lut_PositiveI64Attr>:$d_model,
                       OptionalAttr<Lut_PositiveI64Attr>:$d_ff,
                       OptionalAttr<Lut_PositiveI64Attr>:$d_out,
                       Variadic<AnyRankedTensor>:$inputs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "::llvm::StringRef":$name, "::mlir::ValueRange":$inputs,
                   "::mlir::TypeRange":$resultTypes)>
  ];
}

def Lut_YieldOp : Lut_Op<"yield", [Pure, Terminator, ReturnLike,
    HasParent<"MlpOp">]> {
  let summary = "Returns the results of a `lut.mlp` body";
  let description = [{
    Terminates the body of `lut.mlp`. Its operands become the results of the
    enclosing op; their types must equal the op's result types (checked by
    the `lut.mlp` verifier).
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let builders = [OpBuilder<(ins), [{ /* nothing to yield */ }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

//===----------------------------------------------------------------------===//
// Destination-style LUT ops
//===----------------------------------------------------------------------===//

// Both ops are in destination-passing style: `outs` gives the destination,
// which the result overwrites (its values are not read). On tensors the op
// has one result; after bufferization it works on memrefs and has none.
class Lut_DpsOp<string mnemonic, list<Trait> traits = []> :
    Lut_Op<mnemonic, !listconcat(traits, [
      DestinationStyleOpInterface,
      DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
      DeclareOpInterfaceMethods<TilingInterface,
          ["getLoopIteratorTypes", "getIterationDomain",
           "getTiledImplementation", "getResultTilePosition"]>])> {
  let results = (outs Variadic<AnyRankedTensor>:$result);
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getInitMutable();
    }
  }];
}

//===----------------------------------------------------------------------===//
// lut.lsh_encode
//===----------------------------------------------------------------------===//

def Lut_LshEncodeOp : Lut_DpsOp<"lsh_encode"> {
  let summary = "LookupFFN hash: projection, sign bits, packed codes";
  let description = [{
    The locality-sensitive hash of LookupFFN (Zeng et al., ICML 2024,
    arXiv:2403.07221, Sec. 3). For each row `n` of `x` it computes the
    projection `z = x[n] · P + b` (`b` defaults to zero; a centring
    `(x - μ)·P` is expressed as `b = -μ·P`), takes one sign bit per projected
    dimension, and packs the bits of each group of `bits` consecutive
    dimensions into one code:

    ```
    codes[n, h] = sum_{j < k} (z[n, h*k + j] > 0 ? 1 : 0) << j
    ```

    Operands and shapes (tensors, or memrefs after bufferization):
    * `x`: `N x D x f32`, the (normalized) FFN input; `N` (tokens) may be
      dynamic;
    * `projection`: `D x (H*k) x f32`, the hyperplanes as columns;
    * `bias` (optional): `(H*k) x f32`;
    * `outs(init)`: `N x H x iW`, the destination of the codes, with
      `W` in {8, 16, 32} and `W >= k` (codes are unsigned: `i8` holds codes
      of up to 8 bits). The result overwrites it.

    Attribute `bits` is `k`, the hash bits per table, in `[1, 16]`. Each
    code is in `[0, 2^k)`: an index into the `2^k` rows of each table of a
    `lut.gather_sum`.

    Tiling (`TilingInterface`): the loops are `(n, h)`, both parallel; a tile
    reads rows `n` of `x` and the columns `h*k .. (h+1)*k` of `projection`
    and `bias`.

    Errors: the verifier reports ranks other than the above, a `D` or `H*k`
    mismatch, a second dimension of `projection` that is not a multiple of
    `bits`, `bits` out of range, a code type narrower than `bits` or other
    than i8/i16/i32, a destination shape other than `N x H`, mixed tensor
    and memref operands, and a result that does not match the destination.

    Lowering: `convert-lut-to-linalg` (tensors) gives a `linalg.matmul`
    into a zero-filled `N x (H*k)` f32 tensor for `x · P`, then one
    `linalg.generic` over `(n, h, j)` (`j` the bit, a reduction) that adds
    the bias, compares with 0 and ORs `1 << j` into the code.
  }];
  let arguments = (ins
    TensorOrMemRef<[F32]>:$x,
    TensorOrMemRef<[F32]>:$projection,
    Optional<TensorOrMemRef<[F32]>>:$bias,
    TensorOrMemRef<[I8, I16, I32]>:$init,
    ConfinedAttr<I64Attr, [IntMinValue<1>, IntMaxValue<16>]>:$bits);
  let assemblyFormat = [{
    $x `,` $projection (`bias` $bias^)? `bits` `=` $bits
    `outs` `(` $init `:` type($init) `)` attr-dict
    `:` type($x) `,` type($projection) (`bias` type($bias)^)?
    (`->` type($result)^)?
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$x, "::mlir::Value":$projection,
                   "::mlir::Value":$bias, "::mlir::Value":$init,
                   "int64_t":$bits)>
  ];
}

//===----------------------------------------------------------------------===//
// lut.gather_sum
//===----------------------------------------------------------------------===//

def Lut_GatherSumOp : Lut_DpsOp<"gather_sum", [AttrSizedOperandSegments]> {
  let summary = "Sum of one row gathered from each of H tables";
  let description = [{
    The table read of LookupFFN (Zeng et al., ICML 2024), which is also the
    aggregation step of product-quantized matmul (MADDNESS, Blalock and
    Guttag, ICML 2021):

    ```
    y[n, m] = sum_h w[n, h] * s[h, m] * T[h, codes[n, h], m] + b[m]
    ```

    Operands and shapes (tensors, or memrefs after bufferization):
    * `codes`: `N x H x iW` (any signless integer width, read as an
      unsigned integer), each value an index in `[0, R)`; `N` may be
      dynamic;
    * `tables`: `H x R x M x T`, where `T` is `f32`, `f16`, `bf16` or `i8`;
      `R` is the number of rows of each table (`2^k` for `k` hash bits, or
      the number of prototypes of a codebook);
    * `weights` (optional): `N x H x f32`, per-table scores `w` (1 when
      absent);
    * `bias` (optional): `M x f32` (0 when absent);
    * `scales` (optional): the dequantization scales `s` of `i8` tables,
      either `M x f32` (one per output column, shared by all tables: the
      sum over tables can then accumulate in integers and be scaled once)
      or `H x M x f32` (one per table and column); required for `i8`
      tables, and not allowed for floating-point tables (where `s` = 1);
    * `outs(init)`: `N x M x f32`, the destination; the result overwrites
      it.

    The sum is accumulated in f32 (for `i8` tables with per-column scales,
    in integers, then scaled).

    Tiling (`TilingInterface`): the loops are `(n, m)`, both parallel (the
    sum over tables stays inside a tile); a tile reads rows `n` of `codes`
    and `weights` and columns `m` of `tables`, `bias` and `scales`.

    Errors: the verifier reports wrong ranks, a dynamic dimension other
    than `N`, mismatched `N`, `H` or `M`, zero table rows, an `i8` table
    without `scales` or a float table with them, mixed tensor and memref
    operands, and a result that does not match the destination. The
    verifier does not look at the codes' values; codes out of range at run
    time are undefined behaviour, as for any gather. When `codes` is a
    compile-time constant, `convert-lut-to-linalg` reports the first code
    outside `[0, R)` and fails.

    Lowering: `convert-lut-to-linalg` (tensors) gives a `linalg.generic`
    over `(n, h, m)` with the reduction over `h` in the middle, whose body
    reads `T[h, codes[n, h], m]` with `tensor.extract`, converts `i8`
    (`sitofp`), `f16` and `bf16` (`extf`) entries to f32, and accumulates
    into the broadcast bias (or zeros).
  }];
  let arguments = (ins
    TensorOrMemRef<[AnySignlessInteger]>:$codes,
    TensorOrMemRef<[F32, F16, BF16, I8]>:$tables,
    Optional<TensorOrMemRef<[F32]>>:$weights,
    Optional<TensorOrMemRef<[F32]>>:$bias,
    Optional<TensorOrMemRef<[F32]>>:$scales,
    TensorOrMemRef<[F32]>:$init);
  let assemblyFormat = [{
    $codes `,` $tables (`weights` $weights^)? (`bias` $bias^)?
    (`scales` $scales^)? `outs` `(` $init `:` type($init) `)` attr-dict
    `:` type($codes) `,` type($tables) (`weights` type($weights)^)?
    (`bias` type($bias)^)? (`scales` type($scales)^)?
    (`->` type($result)^)?
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$codes, "::mlir::Value":$tables,
                   "::mlir::Value":$weights, "::mlir::Value":$bias,
                   "::mlir::Value":$scales, "::mlir::Value":$init)>
  ];
}

//===----------------------------------------------------------------------===//
// lut.thermometer
//===----------------------------------------------------------------------===//

def Lut_ThermometerOp : Lut_DpsOp<"thermometer"> {
  let summary = "Thermometer encoding of features into bits";
  let description = [{
    The input encoding of weightless neural networks (DWN, Bacellar et al.,
    ICML 2024; QuWeiT, arXiv:2411.01818): feature `d` of row `n` becomes
    `B` bits, one per threshold, set when the feature exceeds it:
    ```
    bits[n, d*B + b] = x[n, d] > thresholds[d, b] ? 1 : 0
    ```
    With ascending thresholds the `B` bits of a feature are a unary
    ("thermometer") code of its value. NaN compares false (all bits 0).
    Operands and shapes (tensors, or memrefs after bufferization):
    * `x`: `N x D x f32`; `N` (tokens) may be dynamic;
    * `thresholds`: `D x B x f32`, in the units of `x`;
    * `outs(init)`: `N x (D*B) x T` with `T` `i1` or `i8` (0 or 1), the
      destination; the result overwrites it.
    Tiling (`TilingInterface`): the loops are `(n, c)` over the destination,
    both parallel; a tile reads rows `n` and the tile's features of `x` and
    those features' thresholds, so its columns must start and end on
    feature boundaries (constant multiples of `B`; other tiles fail).
    Errors: the verifier reports ranks other than the above, dynamic dims
    other than `N`, a `D` mismatch, a destination that is not `N x (D*B)`,
    mixed tensor and memref operands, and a result that does not match the
    destination.
    Lowering: `convert-lut-to-linalg` gives one `linalg.generic` over
    `(n, d, b)` into the destination viewed as `N x D x B`
    (`tensor.expand_shape`), comparing with `arith.cmpf ogt`.
  }];
  let arguments = (ins
    TensorOrMemRef<[F32]>:$x,
    TensorOrMemRef<[F32]>:$thresholds,
    TensorOrMemRef<[I1, I8]>:$init);
  let assemblyFormat = [{
    $x `,` $thresholds `outs` `(` $init `:` type($init) `)` attr-dict
    `:` type($x) `,` type($thresholds) (`->` type($result)^)?
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$x, "::mlir::Value":$thresholds, "::mlir::Value":$init)>
  ];
}

//===----------------------------------------------------------------------===//
// lut.lut
//===----------------------------------------------------------------------===//

def Lut_LutOp : Lut_DpsOp<"lut"> {
  let summary = "A layer of n-input lookup tables over bits (weightless)";
  let description = [{
    One layer of a weightless neural network (DWN, Bacellar et al., ICML
    2024; QuWeiT, arXiv:2411.01818): LUT `l` reads the `n` input bits that
    `mapping[l, :]` names, packs them into an address (bit `j` of the
    address is input `mapping[l, j]`), and outputs its table entry there:
    ```
    addr[n, l] = sum_{j < n} (bits[n, mapping[l, j]] != 0) << j
    out[n, l]  = tables[l, addr[n, l]]
    ```
    A group sum over the outputs (the network's output layer) is ordinary
    linalg (a reduction), not part of this op.
    Operands and shapes (tensors, or memrefs after bufferization):
    * `bits`: `N x I x T`, `T` `i1` or `i8` (any nonzero value reads as 1);
      `N` (tokens) may be dynamic;
    * `mapping`: `L x n x i32` or `i64`, each value an input index in
      `[0, I)`; `n` (the fan-in) in `[1, 16]`;
    * `tables`: `L x 2^n x f32`, the entries (real-valued, as trained; 0/1
      for binary LUTs);
    * `outs(init)`: `N x L x f32`, the destination; the result overwrites it.
    Tiling (`TilingInterface`): the loops are `(n, l)`, both parallel; a
    tile reads rows `n` of `bits` (all inputs) and rows `l` of `mapping` and
    `tables`.
    Errors: the verifier reports wrong ranks, dynamic dims other than `N`,
    a fan-in outside `[1, 16]`, a table width other than `2^n`, mismatched
    `L` or `N`, mixed tensor and memref operands, and a result that does not
    match the destination. The verifier does not look at the mapping's
    values; when `mapping` is a compile-time constant,
    `convert-lut-to-linalg` reports the first index outside `[0, I)` and
    fails. Other out-of-range indices are undefined behaviour, as for any
    gather.
    Lowering: `convert-lut-to-linalg` gives a `linalg.generic` over
    `(n, l, j)` (`j` a reduction) that ORs the addressed bits into an `i32`
    address (reading `bits` with `tensor.extract` at the mapped index), then
    one over `(n, l)` that reads the table entry.
  }];
  let arguments = (ins
    TensorOrMemRef<[I1, I8]>:$bits,
    TensorOrMemRef<[I32, I64]>:$mapping,
    TensorOrMemRef<[F32]>:$tables,
    TensorOrMemRef<[F32]>:$init);
  let assemblyFormat = [{
    $bits `,` $mapping `,` $tables `outs` `(` $init `:` type($init) `)` attr-dict
    `:` type($bits) `,` type($mapping) `,` type($tables) (`->` type($result)^)?
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$bits, "::mlir::Value":$mapping, "::mlir::Value":$tables,
                   "::mlir::Value":$init)>
  ];
}

#endif // LUT_OPS_TD
