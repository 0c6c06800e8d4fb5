// Image statistics: noise level (robust wavelet estimator) and sharpness
// (variance of the Laplacian). Pure C++17: no Python, no pybind11.
#pragma once

#include <cstddef>
#include <vector>

#include "core/filters.hpp"  // ImageView

namespace clearsight {

// Noise standard deviation of each colour channel of `image` (alpha, the
// last of C = 2 or 4 channels, excluded), in [0, 1] units: the median of the
// non-zero |HH| coefficients of the single-level db2 DWT (PyWavelets'
// conventions and rounding), divided by Φ⁻¹(3/4); 0 when all are zero.
// Computed in float64. Throws std::invalid_argument if a float image holds
// NaN or infinity (found while computing).
std::vector<double> estimate_noise(const ImageView& image, std::size_t threads);

// Variance over all pixels of the 5-point Laplacian (edge-repeating mirror
// borders) of the full-range BT.601 luma (H×W: the image; C = 1, 2: channel
// 0; C = 3, 4: 0.299 R + 0.587 G + 0.114 B), float64 throughout. The result
// does not depend on `threads`. Throws std::invalid_argument for NaN or
// infinity.
double sharpness(const ImageView& image, std::size_t threads);

}  // namespace clearsight
