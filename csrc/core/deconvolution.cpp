// Argument checks, boundary geometry and instruction-set dispatch for the
// Wiener plan. The plan itself is in wiener_kernel.cpp.
#include "core/deconvolution.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/wiener_detail.hpp"

namespace clearsight {

std::size_t pixel_size(PixelType type) {
  switch (type) {
    case PixelType::uint8: return 1;
    case PixelType::uint16: return 2;
    case PixelType::float32: return 4;
    case PixelType::float64: return 8;
  }
  throw std::invalid_argument("unknown pixel type");
}

std::size_t fast_length(std::size_t n) {
  if (n == 0) throw std::invalid_argument("fast_length: n must be >= 1");
  for (std::size_t m = n;; ++m) {
    std::size_t r = m;
    for (std::size_t p : {2, 3, 5})
      while (r % p == 0) r /= p;
    if (r == 1) return m;
  }
}

std::size_t padded_length(std::size_t n, std::size_t k, Boundary boundary) {
  return boundary == Boundary::reflect ? fast_length(n + 2 * k) : n;
}

namespace detail {

// The padded axis holds [image | reflection of its end | reflection of its
// start]: image at offset 0 so the crop is a prefix, the extension split in
// two halves so the one discontinuity of the periodic signal lies as far from
// the image as possible. Reflection repeats the edge sample (numpy's
// "symmetric") and continues periodically for pads longer than the image.
std::vector<std::size_t> boundary_map(std::size_t n, std::size_t N) {
  std::vector<std::size_t> map(N);
  const std::ptrdiff_t sn = static_cast<std::ptrdiff_t>(n);
  const std::ptrdiff_t extra = static_cast<std::ptrdiff_t>(N - n);
  const std::ptrdiff_t after = extra - extra / 2;
  for (std::size_t j = 0; j < N; ++j) {
    std::ptrdiff_t c = static_cast<std::ptrdiff_t>(j);
    if (c >= sn + after) c -= static_cast<std::ptrdiff_t>(N);
    std::ptrdiff_t m = c % (2 * sn);
    if (m < 0) m += 2 * sn;
    map[j] = static_cast<std::size_t>(m < sn ? m : 2 * sn - 1 - m);
  }
  return map;
}

// 1 - the PSF's normalised autocorrelation at the distance to the nearer
// edge: the outermost sample is all blurred image (continuous across the
// periodic wrap), samples beyond the PSF's reach are untouched.
std::vector<double> taper_window(const std::vector<double>& projection, std::size_t n) {
  const std::size_t k = projection.size();
  std::vector<double> autocorrelation(k, 0.0);
  for (std::size_t d = 0; d < k; ++d)
    for (std::size_t a = 0; a + d < k; ++a) autocorrelation[d] += projection[a] * projection[a + d];
  std::vector<double> window(n, 1.0);
  if (autocorrelation[0] <= 0.0) return window;
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t distance = std::min(r, n - 1 - r);
    if (distance < k) window[r] = 1.0 - autocorrelation[distance] / autocorrelation[0];
  }
  return window;
}

}  // namespace detail

const char* cpu_variant() {
  // CLEARSIGHT_CPU=baseline forces the portable kernel (for testing both).
  const char* forced = std::getenv("CLEARSIGHT_CPU");
  if (forced != nullptr && std::strcmp(forced, "baseline") == 0) return "baseline";
#if defined(CLEARSIGHT_HAVE_AVX2)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "avx2";
#endif
  return "baseline";
}

std::unique_ptr<WienerPlan> make_wiener_plan(const PsfView& psf, std::size_t rows,
                                             std::size_t cols, double balance,
                                             Regularizer regularizer, Boundary boundary,
                                             bool double_precision, std::size_t threads) {
  // 2^30 pixels: beyond this the spectrum alone needs > 8 GB; refuse rather
  // than start a multi-minute allocation storm.
  constexpr std::size_t kMaxPixels = std::size_t(1) << 30;
  if (rows == 0 || cols == 0) throw std::invalid_argument("shape must be at least 1 x 1");
  if (rows > kMaxPixels / cols)
    throw std::invalid_argument("shape is too large (more than 2**30 pixels)");
  if (psf.data == nullptr || psf.rows <= 0 || psf.cols <= 0)
    throw std::invalid_argument("psf must be a non-empty 2-D array");
  if (threads == 0) throw std::invalid_argument("threads must be >= 1");
  detail::PlanRequest request;
  request.psf_rows = static_cast<std::size_t>(psf.rows);
  request.psf_cols = static_cast<std::size_t>(psf.cols);
  if (request.psf_rows > rows || request.psf_cols > cols)
    throw std::invalid_argument("psf (" + std::to_string(psf.rows) + " x " +
                                std::to_string(psf.cols) +
                                ") must not be larger than the image (" + std::to_string(rows) +
                                " x " + std::to_string(cols) + ")");
  if (!(balance > 0.0) || !std::isfinite(balance))
    throw std::invalid_argument("balance must be a finite number > 0");

  request.psf.resize(request.psf_rows * request.psf_cols);
  double sum = 0.0;
  for (std::size_t a = 0; a < request.psf_rows; ++a)
    for (std::size_t b = 0; b < request.psf_cols; ++b) {
      const double v = psf.data[static_cast<std::ptrdiff_t>(a) * psf.row_stride +
                                static_cast<std::ptrdiff_t>(b) * psf.col_stride];
      if (!std::isfinite(v)) throw std::invalid_argument("psf must be finite");
      if (v < 0.0) throw std::invalid_argument("psf must be non-negative");
      request.psf[a * request.psf_cols + b] = v;
      sum += v;
    }
  if (!(sum > 0.0) || !std::isfinite(sum))
    throw std::invalid_argument("psf must have a positive, finite sum");
  for (double& v : request.psf) v /= sum;
  request.rows = rows;
  request.cols = cols;
  request.balance = balance;
  request.regularizer = regularizer;
  request.boundary = boundary;
  request.double_precision = double_precision;
  request.threads = threads;

#if defined(CLEARSIGHT_HAVE_AVX2)
  if (std::strcmp(cpu_variant(), "avx2") == 0) return detail::isa_avx2::make_plan(request);
#endif
  return detail::isa_baseline::make_plan(request);
}

}  // namespace clearsight
