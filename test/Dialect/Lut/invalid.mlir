// RUN: lut-opt %s -split-input-file -verify-diagnostics

func.func @mlp_empty_name(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{requires a non-empty FFN name}}
  %y = lut.mlp "" (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    lut.yield %a : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @mlp_arg_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{body argument #0 has type 'tensor<8xf32>' but operand #0 has type 'tensor<4xf32>'}}
  %y = lut.mlp "f" (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<8xf32>):
    %c = arith.constant dense<0.0> : tensor<4xf32>
    lut.yield %c : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @mlp_yield_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{yielded value #0 has type 'tensor<2xf32>' but result #0 has type 'tensor<4xf32>'}}
  %y = lut.mlp "f" (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %c = arith.constant dense<0.0> : tensor<2xf32>
    lut.yield %c : tensor<2xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @mlp_isolated(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %y = lut.mlp "f" (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    // expected-error @+1 {{using value defined outside the region}}
    lut.yield %x : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @lsh_d_mismatch(%x: tensor<4x8xf32>, %p: tensor<7x12xf32>) -> tensor<4x3xi32> {
  %init1 = tensor.empty() : tensor<4x3xi32>
  // expected-error @+1 {{x has D = 8 but projection has 7 rows}}
  %c = lut.lsh_encode %x, %p bits = 4 outs(%init1 : tensor<4x3xi32>) : tensor<4x8xf32>, tensor<7x12xf32> -> tensor<4x3xi32>
  return %c : tensor<4x3xi32>
}

// -----

func.func @lsh_not_multiple(%x: tensor<4x8xf32>, %p: tensor<8x10xf32>) -> tensor<4x3xi32> {
  %init2 = tensor.empty() : tensor<4x3xi32>
  // expected-error @+1 {{projection has 10 columns, not a multiple of bits = 4}}
  %c = lut.lsh_encode %x, %p bits = 4 outs(%init2 : tensor<4x3xi32>) : tensor<4x8xf32>, tensor<8x10xf32> -> tensor<4x3xi32>
  return %c : tensor<4x3xi32>
}

// -----

func.func @lsh_bad_codes(%x: tensor<4x8xf32>, %p: tensor<8x12xf32>) -> tensor<4x4xi32> {
  %init3 = tensor.empty() : tensor<4x4xi32>
  // expected-error @+1 {{codes must have shape N x 3 (N x H)}}
  %c = lut.lsh_encode %x, %p bits = 4 outs(%init3 : tensor<4x4xi32>) : tensor<4x8xf32>, tensor<8x12xf32> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @lsh_bits_range(%x: tensor<4x8xf32>, %p: tensor<8x34xf32>) -> tensor<4x2xi32> {
  %init4 = tensor.empty() : tensor<4x2xi32>
  // expected-error @+1 {{attribute 'bits' failed to satisfy constraint}}
  %c = lut.lsh_encode %x, %p bits = 17 outs(%init4 : tensor<4x2xi32>) : tensor<4x8xf32>, tensor<8x34xf32> -> tensor<4x2xi32>
  return %c : tensor<4x2xi32>
}

// -----

func.func @lsh_bias(%x: tensor<4x8xf32>, %p: tensor<8x12xf32>, %b: tensor<10xf32>) -> tensor<4x3xi32> {
  %init5 = tensor.empty() : tensor<4x3xi32>
  // expected-error @+1 {{bias has 10 elements but projection has 12 columns}}
  %c = lut.lsh_encode %x, %p bias %b bits = 4 outs(%init5 : tensor<4x3xi32>) : tensor<4x8xf32>, tensor<8x12xf32> bias tensor<10xf32> -> tensor<4x3xi32>
  return %c : tensor<4x3xi32>
}

// -----

func.func @gs_tables_h(%c: tensor<4x3xi32>, %t: tensor<2x16x5xf32>) -> tensor<4x5xf32> {
  %init6 = tensor.empty() : tensor<4x5xf32>
  // expected-error @+1 {{codes have H = 3 tables but tables has 2}}
  %0 = lut.gather_sum %c, %t outs(%init6 : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<2x16x5xf32> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @gs_rank(%c: tensor<4x3xi32>, %t: tensor<3x16xf32>) -> tensor<4x5xf32> {
  %init7 = tensor.empty() : tensor<4x5xf32>
  // expected-error @+1 {{expects tables of rank 3 (H x R x M)}}
  %0 = lut.gather_sum %c, %t outs(%init7 : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16xf32> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @gs_result(%c: tensor<4x3xi32>, %t: tensor<3x16x5xf32>) -> tensor<4x6xf32> {
  %init8 = tensor.empty() : tensor<4x6xf32>
  // expected-error @+1 {{result must have shape N x 5 (N x M)}}
  %0 = lut.gather_sum %c, %t outs(%init8 : tensor<4x6xf32>) : tensor<4x3xi32>, tensor<3x16x5xf32> -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

func.func @gs_i8_needs_scales(%c: tensor<4x3xi32>, %t: tensor<3x16x5xi8>) -> tensor<4x5xf32> {
  %init9 = tensor.empty() : tensor<4x5xf32>
  // expected-error @+1 {{i8 tables require scales (M or H x M)}}
  %0 = lut.gather_sum %c, %t outs(%init9 : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xi8> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @gs_float_no_scales(%c: tensor<4x3xi32>, %t: tensor<3x16x5xf32>, %s: tensor<3x5xf32>) -> tensor<4x5xf32> {
  %init10 = tensor.empty() : tensor<4x5xf32>
  // expected-error @+1 {{scales are only allowed with i8 tables}}
  %0 = lut.gather_sum %c, %t scales %s outs(%init10 : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xf32> scales tensor<3x5xf32> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @gs_weights(%c: tensor<4x3xi32>, %t: tensor<3x16x5xf32>, %w: tensor<4x2xf32>) -> tensor<4x5xf32> {
  %init11 = tensor.empty() : tensor<4x5xf32>
  // expected-error @+1 {{weights must have shape N x 3 (N x H)}}
  %0 = lut.gather_sum %c, %t weights %w outs(%init11 : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xf32> weights tensor<4x2xf32> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @gs_bias(%c: tensor<4x3xi32>, %t: tensor<3x16x5xf32>, %b: tensor<4xf32>) -> tensor<4x5xf32> {
  %init12 = tensor.empty() : tensor<4x5xf32>
  // expected-error @+1 {{bias must have 5 elements (M)}}
  %0 = lut.gather_sum %c, %t bias %b outs(%init12 : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xf32> bias tensor<4xf32> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @gs_dynamic(%c: tensor<4x?xi32>, %t: tensor<3x16x5xf32>) -> tensor<4x5xf32> {
  %init13 = tensor.empty() : tensor<4x5xf32>
  // expected-error @+1 {{expects codes to have a static shape except N}}
  %0 = lut.gather_sum %c, %t outs(%init13 : tensor<4x5xf32>) : tensor<4x?xi32>, tensor<3x16x5xf32> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @mlp_bad_activation(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'lut.mlp' op attribute 'activation' failed to satisfy constraint: string attribute whose value is one of gelu, gelu_tanh, geglu, geglu_tanh, relu, reglu, silu, swiglu, sigmoid, tanh, other}}
  %y = lut.mlp "f" (%x) : (tensor<4xf32>) -> tensor<4xf32> attributes {activation = "mish"} {
  ^bb0(%a: tensor<4xf32>):
    lut.yield %a : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @mlp_negative_d_model(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'lut.mlp' op attribute 'd_model' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %y = lut.mlp "f" (%x) : (tensor<4xf32>) -> tensor<4xf32> attributes {d_model = -4 : i64} {
  ^bb0(%a: tensor<4xf32>):
    lut.yield %a : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @mlp_d_out_not_integer(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'lut.mlp' op attribute 'd_out' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %y = lut.mlp "f" (%x) : (tensor<4xf32>) -> tensor<4xf32> attributes {d_out = "4"} {
  ^bb0(%a: tensor<4xf32>):
    lut.yield %a : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

// The generic form with properties goes through the same constraint.
func.func @mlp_zero_d_ff(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'lut.mlp' op attribute 'd_ff' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %y = "lut.mlp"(%x) <{name = "f", d_ff = 0 : i64}> ({
  ^bb0(%a: tensor<4xf32>):
    lut.yield %a : tensor<4xf32>
  }) : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op 'lut.dtype' on argument #1 is 'float32', not an ONNX dtype name (one of float, uint8, int8, uint16, int16, int32, int64, bool, float16, double, uint32, uint64, bfloat16)}}
func.func @bad_dtype_name(%x: tensor<4xf32> {lut.dtype = "float"}, %y: tensor<4xf32> {lut.dtype = "float32"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'lut.dtype' on result #0 must be a string attribute, got f32}}
func.func @dtype_not_string(%x: tensor<4xf32>) -> (tensor<4xf32> {lut.dtype = f32}) {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op 'lut.name' on argument #0 must be a string attribute, got 3 : i64}}
func.func @name_not_string(%x: tensor<4xf32> {lut.name = 3 : i64}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'lut.name' on result #1 must be a string attribute, got ["y"]}}
func.func @result_name_not_string(%x: tensor<4xf32>) -> (tensor<4xf32> {lut.name = "x"}, tensor<4xf32> {lut.name = ["y"]}) {
  return %x, %x : tensor<4xf32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op 'lut.signature' on the operation must be a string attribute, got 1 : i64}}
func.func @signature_not_string() attributes {lut.signature = 1 : i64} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'lut.dtpye' on argument #0 is not a lut dialect attribute (known: lut.name, lut.dtype, lut.dim_names, lut.signature, lut.target_cpu, lut.target_features, lut.hls_*)}}
func.func @unknown_lut_attribute(%x: tensor<4xf32> {lut.dtpye = "float"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'lut.dim_names' on argument #0 must be an array of strings, got [1]}}
func.func @dim_names_not_strings(%x: tensor<?xf32> {lut.dim_names = [1]}) {
  return
}

// -----

func.func @gs_result_type(%c: tensor<4x3xi32>, %t: tensor<3x16x5xf32>, %i: tensor<4x5xf32>) -> tensor<?x5xf32> {
  // expected-error @+1 {{on tensors has one result, of the destination's type 'tensor<4x5xf32>'}}
  %0 = lut.gather_sum %c, %t outs(%i : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xf32> -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

func.func @gs_mixed(%c: memref<4x3xi32>, %t: tensor<3x16x5xf32>, %i: memref<4x5xf32>) {
  // expected-error @+1 {{operands must be all tensors or all memrefs}}
  lut.gather_sum %c, %t outs(%i : memref<4x5xf32>) : memref<4x3xi32>, tensor<3x16x5xf32>
  return
}

// -----

func.func @lsh_narrow_codes(%x: tensor<4x8xf32>, %p: tensor<8x18xf32>, %i: tensor<4x2xi8>) -> tensor<4x2xi8> {
  // expected-error @+1 {{codes of type 'i8' cannot hold 9 bits}}
  %c = lut.lsh_encode %x, %p bits = 9 outs(%i : tensor<4x2xi8>) : tensor<4x8xf32>, tensor<8x18xf32> -> tensor<4x2xi8>
  return %c : tensor<4x2xi8>
}

// -----

func.func @gs_scales_shape(%c: tensor<4x3xi32>, %t: tensor<3x16x5xi8>, %s: tensor<4xf32>, %i: tensor<4x5xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{scales must have shape 5 (M) or 3x5 (H x M)}}
  %0 = lut.gather_sum %c, %t scales %s outs(%i : tensor<4x5xf32>) : tensor<4x3xi32>, tensor<3x16x5xi8> scales tensor<4xf32> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// expected-error @+1 {{'func.func' op 'lut.hls_pipeline_ii' on the operation must be an integer >= 1, got 0 : i64}}
func.func @hls_ii_zero() attributes {lut.hls_pipeline_ii = 0 : i64} {
  return
}

// -----

// expected-error @+1 {{'memref.global' op 'lut.hls_storage' on the operation is 'rom_9p:bram', not TYPE:IMPL with TYPE a Vitis HLS storage type (rom_1p, rom_2p, rom_np, ram_1p, ram_2p, ram_s2p, ram_t2p) and IMPL bram, uram, lutram or auto}}
memref.global "private" constant @t : memref<4xi8> = dense<1> {lut.hls_storage = "rom_9p:bram"}

// -----

// expected-error @+1 {{'memref.global' op 'lut.hls_partition' on the operation entry {dim = 1 : i64, pragma = "partition", type = "cyclic"} is not {pragma = partition|reshape, type = complete|cyclic|block, dim = D >= 1[, factor = F >= 1 unless complete]}}}
memref.global "private" constant @t : memref<4xi8> = dense<1> {lut.hls_partition = [{pragma = "partition", type = "cyclic", dim = 1}]}

// -----

// expected-error @+1 {{'func.func' op 'lut.hls_interface' on argument #0 is 'axis'; the HLS emitter offers m_axi for arrays}}
func.func @hls_axis(%a: memref<4xf32> {lut.hls_interface = "axis"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'lut.hls_pipeline' on the operation is not a lut dialect attribute (the HLS ones: lut.hls_kernel, lut.hls_arg_names, lut.hls_results, lut.hls_top, lut.hls_dataflow, lut.hls_interface, lut.hls_bundle, lut.hls_pipeline_ii, lut.hls_unroll, lut.hls_storage, lut.hls_partition)}}
func.func @hls_unknown() attributes {lut.hls_pipeline = 1 : i64} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'lut.hls_top' on the operation must be a unit attribute}}
func.func @hls_top_not_unit() attributes {lut.hls_top = 1 : i64} {
  return
}
