// MATLAB imresize: separable resampling with precomputed taps.
//
// Two kernels. The portable one does the NumPy reference's
// (clearsight/reference/resize.py) arithmetic operation for operation, in
// float64, taps added in order, so its results are bit-identical to it and
// integer images round exactly as it (and MATLAB) does; it serves float64 and
// uint16 images, and every image on CPUs without AVX2. The AVX2 kernel
// (resize_avx2.cpp) serves uint8 and float32 images in SIMD: uint8 stays
// bit-identical (a pass whose weights are multiples of 2^-15 is computed
// exactly in int32; any other in float32, recomputing in float64 the samples
// that float32 could round differently), float32 is within float32 rounding
// of the reference.
#pragma once

#include <cstddef>
#include <vector>

#include "core/deconvolution.hpp"

namespace clearsight {

enum class ResizeMethod { bicubic, bilinear, nearest, area };
enum class ResizeBoundary { symmetric, replicate };

// An H×W×C image (C >= 1); strides in bytes, any sign.
struct ImageView {
  void* data = nullptr;
  PixelType type = PixelType::float32;
  std::ptrdiff_t rows = 0, cols = 0, channels = 1;
  std::ptrdiff_t row_stride = 0, col_stride = 0, channel_stride = 0;
};

// The taps of one axis: output i reads input index[i * taps + k] with weight
// weight[i * taps + k], k = 0..taps-1 (indices already inside [0, n_in)).
struct AxisTaps {
  std::size_t taps = 0;
  std::vector<std::ptrdiff_t> index;
  std::vector<double> weight;
};

AxisTaps resize_taps(std::size_t n_in, std::size_t n_out, double scale, ResizeMethod method,
                     bool antialias, ResizeBoundary boundary);

// Which paths the AVX2 kernel took (for tests): uint8 passes done in int32
// arithmetic (weights all multiples of 2^-15, resize_avx2.cpp's header).
struct ResizeTrace {
  bool integer_rows = false, integer_cols = false;
  // How the column pass ran: "integer rows", "integer aligned pairs", "integer pairs",
  // "float rows", "float transposed" ("" on the portable kernel).
  const char* column_path = "";
};

// Resizes `in` into `out` (same pixel type and channels; out's rows and cols
// are the output size; `scale_rows`, `scale_cols` map the coordinates).
// Returns how many samples the AVX2 kernel recomputed in float64 (0 on the
// portable kernel); fills `trace` if given. Throws std::invalid_argument on
// inconsistent views or parameters.
std::size_t resize(const ImageView& in, const ImageView& out, double scale_rows, double scale_cols,
                   ResizeMethod method, bool antialias, ResizeBoundary boundary, std::size_t threads,
                   ResizeTrace* trace = nullptr);

}  // namespace clearsight
