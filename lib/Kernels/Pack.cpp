//===- Pack.cpp - packed projection layouts of LutKernels -----------------===//
//
// The ISA-independent packed layouts of lut-c/Kernels.h ("Packed
// projections"), for compile-time packing of lsh_encode projections.
//
//===----------------------------------------------------------------------===//
#include "lut-c/Kernels.h"

#include "Convert.h"
#include "KernelTable.h"

using namespace lutk;

namespace {

int64_t panelCount(int64_t h, int64_t k) {
  int64_t g = panelGroups(k);
  return (h + g - 1) / g;
}

/// Calls put(p, e, c, value) for every element of every panel, value 0 for
/// padding columns and for e >= d.
template <class Put>
void forEachPanelElement(const float *proj, int64_t projStride, int64_t d, int64_t dPadded,
                         int64_t h, int64_t k, Put put) {
  int64_t g = panelGroups(k), panels = panelCount(h, k);
  for (int64_t p = 0; p < panels; ++p) {
    int64_t used = (h - p * g < g ? h - p * g : g) * k, col0 = p * g * k;
    for (int64_t e = 0; e < dPadded; ++e)
      for (int64_t c = 0; c < kPanelCols; ++c)
        put(p, e, c, c < used && e < d ? proj[e * projStride + col0 + c] : 0.0f);
  }
}

} // namespace

extern "C" {

int64_t lutk_projection_panel_groups(int64_t k) { return panelGroups(k); }

int64_t lutk_packed_panel_elems_f32(int64_t d) { return d * kPanelCols; }

int64_t lutk_packed_panel_elems_bf16(int64_t d) { return (d + 1) / 2 * 2 * kPanelCols; }

int64_t lutk_packed_projection_size_f32(int64_t d, int64_t h, int64_t k) {
  return panelCount(h, k) * lutk_packed_panel_elems_f32(d);
}

int64_t lutk_packed_projection_size_bf16(int64_t d, int64_t h, int64_t k) {
  return panelCount(h, k) * lutk_packed_panel_elems_bf16(d);
}

void lutk_pack_projection_f32(const float *projection, int64_t proj_stride, int64_t d,
                              int64_t h, int64_t k, float *packed) {
  forEachPanelElement(projection, proj_stride, d, d, h, k,
                      [&](int64_t p, int64_t e, int64_t c, float v) {
                        packed[(p * d + e) * kPanelCols + c] = v;
                      });
}

void lutk_pack_projection_bf16(const float *projection, int64_t proj_stride, int64_t d,
                               int64_t h, int64_t k, uint16_t *packed) {
  int64_t steps = (d + 1) / 2;
  forEachPanelElement(projection, proj_stride, d, 2 * steps, h, k,
                      [&](int64_t p, int64_t e, int64_t c, float v) {
                        packed[((p * steps + e / 2) * kPanelCols + c) * 2 + e % 2] =
                            f32ToBf16(v);
                      });
}

} // extern "C"
