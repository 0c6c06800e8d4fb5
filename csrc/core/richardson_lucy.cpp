// Argument checks and instruction-set dispatch for the Richardson–Lucy plan.
// The plan itself is in richardson_lucy_kernel.cpp.
#include "core/richardson_lucy.hpp"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/rl_detail.hpp"

namespace clearsight {

std::unique_ptr<RichardsonLucyPlan> make_richardson_lucy_plan(const PsfView& psf, std::size_t rows,
                                                              std::size_t cols, RLBoundary boundary,
                                                              bool double_precision,
                                                              std::size_t threads) {
  // As the Wiener plan: beyond 2^30 pixels the buffers alone need many GB.
  constexpr std::size_t kMaxPixels = std::size_t(1) << 30;
  if (rows == 0 || cols == 0) throw std::invalid_argument("shape must be at least 1 x 1");
  if (rows > kMaxPixels / cols) throw std::invalid_argument("shape is too large (more than 2**30 pixels)");
  if (psf.data == nullptr || psf.rows <= 0 || psf.cols <= 0)
    throw std::invalid_argument("psf must be a non-empty 2-D array");
  if (threads == 0) throw std::invalid_argument("threads must be >= 1");
  const std::size_t kh = static_cast<std::size_t>(psf.rows), kw = static_cast<std::size_t>(psf.cols);
  if (kh > rows || kw > cols)
    throw std::invalid_argument("psf (" + std::to_string(kh) + " x " + std::to_string(kw) +
                                ") must not be larger than the image (" + std::to_string(rows) +
                                " x " + std::to_string(cols) + ")");
  std::vector<double> kernel(kh * kw);
  double sum = 0.0;
  for (std::size_t a = 0; a < kh; ++a)
    for (std::size_t b = 0; b < kw; ++b) {
      const double v = psf.data[static_cast<std::ptrdiff_t>(a) * psf.row_stride +
                                static_cast<std::ptrdiff_t>(b) * psf.col_stride];
      if (!std::isfinite(v)) throw std::invalid_argument("psf must be finite");
      if (v < 0.0) throw std::invalid_argument("psf must be non-negative");
      kernel[a * kw + b] = v;
      sum += v;
    }
  if (!(sum > 0.0) || !std::isfinite(sum)) throw std::invalid_argument("psf must have a positive, finite sum");
  // Taps below float32's smallest normal are dropped in every precision: the
  // float32 kernel would flush them while the float64 one kept them, and a
  // zero-boundary pixel reached only through such a tap has a gain of 1/tap
  // (F16 of docs/reliability.md: the backends parted by 3.9e4 uint16 levels).
  for (double& v : kernel) v = v / sum < 0x1p-126 ? 0.0 : v / sum;
#if defined(CLEARSIGHT_HAVE_AVX2)
  if (std::strcmp(cpu_variant(), "avx2") == 0)
    return rl_detail::isa_avx2::make_plan(kernel, kh, kw, rows, cols, boundary, double_precision, threads);
#endif
  return rl_detail::isa_baseline::make_plan(kernel, kh, kw, rows, cols, boundary, double_precision, threads);
}

}  // namespace clearsight
