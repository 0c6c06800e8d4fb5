// Colour conversions: ITU-R BT.601 YCbCr, studio swing (MATLAB's rgb2ycbcr).
// Pure C++17: no Python, no pybind11.
#pragma once

#include <cstddef>

#include "core/filters.hpp"  // ImageView

namespace clearsight {

// out_k = m[k][0] p_0 + m[k][1] p_1 + m[k][2] p_2 (+ or - offset), per pixel,
// for values in [0, 1] units.
struct ColorMatrix {
  double m[3][3];
  double offset[3];
};

// The BT.601 studio-swing forward matrix and offsets, computed exactly as the
// reference does (coefficient / 255.0, 16.0 / 255.0, 128.0 / 255.0).
ColorMatrix rgb_to_ycbcr_matrix();

// The conversions below compute in float64, in the reference's order of
// operations, so their results equal its results bit for bit: Y, Cb, Cr =
// M p + o (rgb_to_ycbcr), R, G, B = M⁻¹ (p - o) (ycbcr_to_rgb, `inverse`
// holding M⁻¹ and o). `in` is H×W×3 or H×W×4 (alpha copied bit for bit);
// `out` has in's shape (rgb_to_y: H×W×1) and pixel type. Integers are
// rounded half up and clipped; floats are clipped to [0, 1] only where
// `clip` is given and set.
void rgb_to_ycbcr(const ImageView& in, const ImageView& out, const ColorMatrix& forward, std::size_t threads);
void ycbcr_to_rgb(const ImageView& in, const ImageView& out, const ColorMatrix& inverse, bool clip,
                  std::size_t threads);
void rgb_to_y(const ImageView& in, const ImageView& out, const ColorMatrix& forward, std::size_t threads);

}  // namespace clearsight
