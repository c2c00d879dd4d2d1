"""lutmlir.torch: trainable LUT layers in PyTorch (CPU), to fine-tune a
model's FFNs as lookup tables and compile it with lut-mlir.

- ``LookupFFN``: LookupFFN (Zeng et al., ICML 2024, arXiv:2403.07221):
  LayerNorm, a projection (dense or BH4), sign-bit codes, and a scored sum
  of table rows. Its backward runs on the CPU: a scatter-add into the
  tables, and the projection's gradient through the score.
- ``WeightlessFFN``: a weightless network after DWN (Bacellar et al., ICML
  2024) and QuWeiT (arXiv:2411.01818): thermometer encoding, layers of
  n-input LUTs trained with Extended Finite Difference (EFD) gradients,
  with a random or learnable mapping, and a group sum scaled back to the
  model width.
- ``convert(model, method=..., names=None, fit=None, **opts)`` replaces a
  model's FFN modules (Linear-activation-Linear, or gated) with either
  layer; ``find_ffns`` lists them. ``fit=`` (from ``fit_tables``, or
  ``lutmlir.fit_tables`` on an ONNX file) starts LookupFFN layers from
  lutc's post-training LSH fit.
- ``distill(student, teacher, batches, ...)`` fine-tunes them: per-FFN
  output matching, then end to end on a task loss or the teacher's outputs.
- ``export(model, args, path)``: ONNX with the LUT layers as ops of the
  ``lutmlir`` domain (lutmlir.torch.onnx_ops documents them).
- Building blocks: ``Thermometer``, ``LUTLayer``, ``GroupSum``,
  ``gather_weighted_sum``, ``lsh_lookup``, ``efd_lut``, ``learnable_select``.

The layers, their gradients and the training are pure PyTorch (Debian's
python3-torch) on the CPU; the compiler is needed only to compile the
export (importing the ``lutmlir`` package finds its extension).
"""
from .onnx_ops import export  # noqa: F401
from .distill import distill, lut_layers  # noqa: F401
from .convert import convert, find_ffns, fit_tables, make_layer  # noqa: F401
from .lookup_ffn import (BH4Projection, LookupFFN, gather_weighted_sum,  # noqa: F401
                         lsh_codes, lsh_lookup)
from .weightless import (EFD_BETA, GroupSum, LUTLayer, Thermometer,  # noqa: F401
                         WeightlessFFN, efd_lut, learnable_select)

__all__ = ["export", "distill", "lut_layers", "convert", "find_ffns", "fit_tables", "make_layer",
           "LookupFFN", "BH4Projection", "gather_weighted_sum", "lsh_codes", "lsh_lookup",
           "WeightlessFFN",
           "Thermometer", "LUTLayer", "GroupSum", "efd_lut", "learnable_select", "EFD_BETA"]
