// The TV / hyper-Laplacian plan (half-quadratic splitting). One iteration:
//   1. rows: vertical differences of x, shrunk (float64) into wy;
//   2. rows: horizontal differences shrunk, Dᵀw formed, real FFT of the row;
//   3. columns: FFT, x̂ = (conj(H) Ŷ + γ F(Dᵀw)) / (|H|² + γ |D|²), inverse
//      FFT ("unknown": also H x̂ for the completed data);
//   4. rows: inverse real FFT into x ("unknown": the completed data, observed
//      samples put back, forward again, and a column pass for conj(H) Ŷ).
// Rows and columns are transformed in fixed blocks so that results do not
// depend on the thread count.

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <complex>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <queue>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/parallel.hpp"
#include "core/tv_deconvolution.hpp"
#include "core/wiener_detail.hpp"

namespace clearsight {
namespace tv_detail {

#define POCKETFFT_NO_MULTITHREADING
// Cache the 1-D plans (twiddle tables) between calls: every block of rows or
// columns is one pocketfft call, and without the cache each call would
// recompute the twiddles of its length (the header's default is no cache).
#define POCKETFFT_CACHE_SIZE 16
#include "pocketfft.hpp"

namespace {

constexpr std::size_t kRowGrain = 8;
constexpr std::size_t kColGrain = 16;
constexpr int kBisectionSteps = 64;  // as the reference's _BISECTION_STEPS
constexpr double kBetaStart = 1.0, kBetaMax = 64.0;

#include "core/plane_io.hpp"

// candidate where it beats w = 0, else 0; NaN (no root) gives 0.
inline double keep_if_better(double candidate, double a, double beta, double alpha) {
  if (!std::isfinite(candidate)) return 0.0;
  const double c = std::abs(candidate);
  const double power = alpha == 0.5 ? std::sqrt(c) : std::pow(c, alpha);
  const double energy = power + 0.5 * beta * (candidate - a) * (candidate - a);
  return energy < 0.5 * beta * a * a ? candidate : 0.0;
}

inline double clip1(double v) { return v < -1.0 ? -1.0 : (v > 1.0 ? 1.0 : v); }

double shrink_half(double a, double beta) {
  const double q = 1.0 / (2.0 * beta);
  const double argument = -3.0 * std::sqrt(3.0) * q / (2.0 * std::pow(a, 1.5));
  const bool real = (4.0 * a * a * a >= 27.0 * q * q) && a > 0;
  const double theta = std::acos(clip1(argument));
  const double u = 2.0 * std::sqrt(a / 3.0) * std::cos(theta / 3.0);
  return keep_if_better(real ? u * u : std::numeric_limits<double>::quiet_NaN(), a, beta, 0.5);
}

double shrink_two_thirds(double a, double beta) {
  const double r = 2.0 / (3.0 * beta);
  const double discriminant = a * a * a * a / 256.0 - r * r * r / 27.0;
  // Only the branch the reference selects is evaluated (same values, fewer
  // transcendental calls: this is the hot loop of the hyper-Laplacian prior).
  double m;
  if (discriminant >= 0) {
    const double big = std::cbrt(a * a / 16.0 + std::sqrt(discriminant));
    m = big + r / (3.0 * big);
  } else {
    const double argument = 3.0 * std::sqrt(3.0) * a * a / (16.0 * std::pow(r, 1.5));
    m = 2.0 * std::sqrt(r / 3.0) * std::cos(std::acos(clip1(argument)) / 3.0);
  }
  const double s = std::sqrt(2.0 * m);
  const double inner = 2.0 * a / s - 2.0 * m;
  if (!(a > 0 && m > 0 && inner >= 0)) return 0.0;
  const double u = 0.5 * (s + std::sqrt(inner));
  return keep_if_better(u * u * u, a, beta, 2.0 / 3.0);
}

double shrink_bisection(double a, double beta, double alpha) {
  double low = alpha >= 1.0 ? 0.0 : std::min(std::pow(alpha * (1.0 - alpha) / beta, 1.0 / (2.0 - alpha)), a);
  double high = a;
  const auto derivative = [&](double w) {
    const double power = w > 0 ? std::pow(w, alpha - 1.0)
                               : (alpha < 1 ? std::numeric_limits<double>::infinity() : (alpha == 1 ? 1.0 : 0.0));
    return alpha * power + beta * (w - a);
  };
  const bool exists = derivative(low) < 0;
  for (int k = 0; k < kBisectionSteps; ++k) {
    const double middle = 0.5 * (low + high);
    if (derivative(middle) < 0) low = middle; else high = middle;
  }
  return keep_if_better(exists && a > 0 ? 0.5 * (low + high) : std::numeric_limits<double>::quiet_NaN(), a,
                        beta, alpha);
}

}  // namespace
}  // namespace tv_detail

double tv_shrink(double v, double beta, double alpha) {
  using namespace tv_detail;
  const double a = std::abs(v);
  double magnitude;
  if (alpha == 1.0) {
    magnitude = std::max(a - 1.0 / beta, 0.0);
  } else if (alpha == 2.0) {
    magnitude = a * (beta / (beta + 2.0));  // factor first: a · β may overflow
  } else if (alpha == 0.5) {
    // Below this bound there is no stationary point: w = 0 (as the reference's _on_subset).
    const double limit = std::cbrt(27.0 / (16.0 * beta * beta));
    magnitude = a > limit * (1.0 - 1e-9) ? shrink_half(a, beta) : 0.0;
  } else if (std::abs(alpha - 2.0 / 3.0) < 1e-12) {
    const double limit = std::pow(4.0 / 3.0 * std::pow(4.0, 1.0 / 3.0) * 2.0 / (3.0 * beta), 0.75);
    magnitude = a > limit * (1.0 - 1e-9) ? shrink_two_thirds(a, beta) : 0.0;
  } else {
    magnitude = shrink_bisection(a, beta, alpha);
  }
  return std::copysign(magnitude, v);
}

namespace tv_detail {
namespace {

// tv_shrink with the per-β constants hoisted and the common cases inline:
// soft thresholding (α = 1), α = 2, and the w = 0 answer below the bound of
// the closed forms; the same values as tv_shrink.
struct Shrinker {
  double beta, alpha, inverse_beta, limit;
  Shrinker(double b, double a) : beta(b), alpha(a), inverse_beta(1.0 / b), limit(0.0) {
    if (a == 0.5) limit = std::cbrt(27.0 / (16.0 * b * b)) * (1.0 - 1e-9);
    if (std::abs(a - 2.0 / 3.0) < 1e-12)
      limit = std::pow(4.0 / 3.0 * std::pow(4.0, 1.0 / 3.0) * 2.0 / (3.0 * b), 0.75) * (1.0 - 1e-9);
  }
  double operator()(double v) const {
    const double a = std::abs(v);
    if (alpha == 1.0) return std::copysign(std::max(a - inverse_beta, 0.0), v);
    if (alpha == 2.0) return std::copysign(a * (beta / (beta + 2.0)), v);
    if (limit > 0.0 && !(a > limit)) return std::copysign(0.0, v);
    return tv_shrink(v, beta, alpha);
  }
};

template <typename T>
class Plan final : public TVDeconvolutionPlan {
  using C = std::complex<T>;

 public:
  Plan(const std::vector<double>& psf, std::size_t kh, std::size_t kw, std::size_t rows, std::size_t cols,
       TVBoundary boundary)
      : H_(rows), W_(cols), boundary_(boundary) {
    const Boundary extension = boundary == TVBoundary::reflect || boundary == TVBoundary::unknown
                                   ? Boundary::reflect
                                   : Boundary::periodic;
    NH_ = padded_length(rows, kh, extension);
    NW_ = padded_length(cols, kw, extension);
    NWc_ = NW_ / 2 + 1;
    row_src_ = detail::boundary_map(H_, NH_);
    col_src_ = detail::boundary_map(W_, NW_);
    if (boundary == TVBoundary::taper) {
      std::vector<double> row_projection(kh, 0.0), col_projection(kw, 0.0);
      for (std::size_t a = 0; a < kh; ++a)
        for (std::size_t b = 0; b < kw; ++b) {
          row_projection[a] += psf[a * kw + b];
          col_projection[b] += psf[a * kw + b];
        }
      taper_rows_ = detail::taper_window(row_projection, H_);
      taper_cols_ = detail::taper_window(col_projection, W_);
    }
    // Transfer function (float64), |H|² and |D|² of the periodic differences.
    std::vector<double> grid(NH_ * NW_, 0.0);
    for (std::size_t a = 0; a < kh; ++a)
      for (std::size_t b = 0; b < kw; ++b)
        grid[((a + NH_ - (kh / 2) % NH_) % NH_) * NW_ + (b + NW_ - (kw / 2) % NW_) % NW_] += psf[a * kw + b];
    std::vector<std::complex<double>> h(NH_ * NWc_);
    pocketfft::r2c<double>({NH_, NW_}, {std::ptrdiff_t(NW_ * sizeof(double)), sizeof(double)},
                           {std::ptrdiff_t(NWc_ * sizeof(std::complex<double>)), sizeof(std::complex<double>)},
                           {0, 1}, true, grid.data(), h.data(), 1.0, 1);
    otf_.resize(h.size());
    otf_power_.resize(h.size());
    grad_power_.resize(h.size());
    const double two_pi = 6.283185307179586476925286766559;
    for (std::size_t i = 0; i < NH_; ++i)
      for (std::size_t j = 0; j < NWc_; ++j) {
        const std::size_t k = i * NWc_ + j;
        otf_[k] = C(static_cast<T>(h[k].real()), static_cast<T>(h[k].imag()));
        otf_power_[k] = std::norm(h[k]);
        const std::complex<double> dy = std::exp(std::complex<double>(0.0, two_pi * double(i) / double(NH_))) - 1.0;
        const std::complex<double> dx = std::exp(std::complex<double>(0.0, two_pi * double(j) / double(NW_))) - 1.0;
        grad_power_[k] = std::norm(dx) + std::norm(dy);
      }
  }

  std::size_t rows() const override { return H_; }
  std::size_t cols() const override { return W_; }
  std::size_t padded_rows() const override { return NH_; }
  std::size_t padded_cols() const override { return NW_; }
  bool double_precision() const override { return std::is_same_v<T, double>; }

  void apply(const PlaneView& in, const PlaneView& out, double weight, double alpha, std::size_t iterations,
             bool clip, std::size_t threads) const override {
    check_view(in, "image");
    check_view(out, "out");
    if (in.type != out.type) throw std::invalid_argument("out must have the same dtype as image");
    if (!(weight >= 0.0) || !std::isfinite(weight)) throw std::invalid_argument("weight must be a finite number >= 0");
    if (!(alpha > 0.0 && alpha <= 2.0)) throw std::invalid_argument("alpha must be in (0, 2]");
    if (threads == 0) throw std::invalid_argument("threads must be >= 1");
    threads = effective_threads(threads, NH_);
    switch (in.type) {
      case PixelType::uint8: run<std::uint8_t>(in, out, weight, alpha, iterations, clip, threads); break;
      case PixelType::uint16: run<std::uint16_t>(in, out, weight, alpha, iterations, clip, threads); break;
      case PixelType::float32: run<float>(in, out, weight, alpha, iterations, clip, threads); break;
      case PixelType::float64: run<double>(in, out, weight, alpha, iterations, clip, threads); break;
    }
  }

 private:
  void check_view(const PlaneView& v, const char* name) const {
    if (v.data == nullptr) throw std::invalid_argument(std::string(name) + " has no data");
    if (v.rows != static_cast<std::ptrdiff_t>(H_) || v.cols != static_cast<std::ptrdiff_t>(W_))
      throw std::invalid_argument(std::string(name) + " has shape (" + std::to_string(v.rows) + ", " +
                                  std::to_string(v.cols) + "), the plan expects (" + std::to_string(H_) + ", " +
                                  std::to_string(W_) + ")");
  }

  void rows_r2c(const T* real, C* spec, std::size_t r0, std::size_t r1) const {
    pocketfft::r2c<T>({r1 - r0, NW_}, {std::ptrdiff_t(NW_ * sizeof(T)), sizeof(T)},
                      {std::ptrdiff_t(NWc_ * sizeof(C)), sizeof(C)}, 1, true, real + r0 * NW_, spec + r0 * NWc_,
                      T(1), 1);
  }
  void rows_c2r(const C* spec, T* real, std::size_t r0, std::size_t r1) const {
    pocketfft::c2r<T>({r1 - r0, NW_}, {std::ptrdiff_t(NWc_ * sizeof(C)), sizeof(C)},
                      {std::ptrdiff_t(NW_ * sizeof(T)), sizeof(T)}, 1, false, spec + r0 * NWc_, real + r0 * NW_,
                      T(1), 1);
  }
  void columns(C* spec, std::size_t c0, std::size_t c1, bool forward) const {
    const pocketfft::shape_t shape{NH_, c1 - c0};
    const pocketfft::stride_t stride{std::ptrdiff_t(NWc_ * sizeof(C)), sizeof(C)};
    pocketfft::c2c<T>(shape, stride, stride, {0}, forward, spec + c0, spec + c0, T(1), 1);
  }

  // body(r0, r1) on fixed row blocks, in parallel.
  template <class Body>
  void over_rows(std::size_t threads, Body&& body) const {
    parallel_for(NH_, kRowGrain, threads,
                 [&](std::size_t begin, std::size_t end) { for_blocks(begin, end, kRowGrain, body); });
  }
  template <class Body>
  void over_columns(std::size_t threads, Body&& body) const {
    const std::size_t blocks = (NWc_ + kColGrain - 1) / kColGrain;
    parallel_for(blocks, 1, threads, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b) body(b * kColGrain, std::min(NWc_, (b + 1) * kColGrain));
    });
  }

  // conj(H) F(real) into `dst` (spec is scratch).
  void blurred_data(const T* real, C* spec, C* dst, std::size_t threads) const {
    over_rows(threads, [&](std::size_t r0, std::size_t r1) { rows_r2c(real, spec, r0, r1); });
    over_columns(threads, [&](std::size_t c0, std::size_t c1) {
      columns(spec, c0, c1, true);
      for (std::size_t i = 0; i < NH_; ++i)
        for (std::size_t j = c0; j < c1; ++j) {
          const std::size_t k = i * NWc_ + j;
          dst[k] = std::conj(otf_[k]) * spec[k];
        }
    });
  }

  template <typename P>
  void run(const PlaneView& in, const PlaneView& out, double weight, double alpha, std::size_t iterations,
           bool clip, std::size_t threads) const {
    const std::size_t N = NH_ * NW_;
    // The plane as read, then the data on the grid.
    std::vector<T> plane(H_ * W_);
    {
      const char* base = static_cast<const char*>(in.data);
      parallel_for(H_, kRowGrain, threads, [&](std::size_t r0, std::size_t r1) {
        for (std::size_t i = r0; i < r1; ++i) {
          bool finite = true;
          for (std::size_t j = 0; j < W_; ++j) {
            const T v = load_pixel<T, P>(base + std::ptrdiff_t(i) * in.row_stride + std::ptrdiff_t(j) * in.col_stride);
            if constexpr (std::is_floating_point_v<P>) finite = finite && std::isfinite(v);
            plane[i * W_ + j] = v;
          }
          if (!finite) throw std::invalid_argument("image must be finite (no NaN or infinity)");
        }
      });
    }
    if (iterations == 0) {  // the reference then returns the plane itself
      write<P>(out, plane.data(), W_, clip, threads);
      return;
    }
    std::vector<C> spec(NH_ * NWc_), by(NH_ * NWc_);
    if (boundary_ == TVBoundary::taper) {  // NH x NW == H x W here
      std::vector<T> blurred(N);
      over_rows(threads, [&](std::size_t r0, std::size_t r1) { rows_r2c(plane.data(), spec.data(), r0, r1); });
      const T scale = static_cast<T>(1.0 / double(N));
      over_columns(threads, [&](std::size_t c0, std::size_t c1) {
        columns(spec.data(), c0, c1, true);
        for (std::size_t i = 0; i < NH_; ++i)
          for (std::size_t j = c0; j < c1; ++j) spec[i * NWc_ + j] *= otf_[i * NWc_ + j] * scale;
        columns(spec.data(), c0, c1, false);
      });
      over_rows(threads, [&](std::size_t r0, std::size_t r1) {
        rows_c2r(spec.data(), blurred.data(), r0, r1);
        for (std::size_t i = r0; i < r1; ++i)
          for (std::size_t j = 0; j < W_; ++j) {
            const T w = static_cast<T>(taper_rows_[i] * taper_cols_[j]);
            plane[i * W_ + j] = w * plane[i * W_ + j] + (T(1) - w) * blurred[i * W_ + j];
          }
      });
    }
    std::vector<T> y(N), x(N), g(N), wy(N);
    over_rows(threads, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i)
        for (std::size_t j = 0; j < NW_; ++j) y[i * NW_ + j] = plane[row_src_[i] * W_ + col_src_[j]];
    });
    blurred_data(y.data(), spec.data(), by.data(), threads);
    x = y;
    const bool unknown = boundary_ == TVBoundary::unknown;
    std::vector<C> completed_spec;
    std::vector<T> completed;
    if (unknown) {
      completed_spec.resize(NH_ * NWc_);
      completed.resize(N);
    }
    const double scale = 1.0 / double(N);
    for (std::size_t k = 0; k < iterations; ++k) {
      const double beta = std::min(kBetaStart * std::pow(2.0 * std::sqrt(2.0), double(k)), kBetaMax);
      const double gamma = weight * beta;
      const Shrinker shrink(beta, alpha);
      over_rows(threads, [&](std::size_t r0, std::size_t r1) {
        for (std::size_t i = r0; i < r1; ++i) {
          const T* xr = x.data() + i * NW_;
          const T* xn = x.data() + ((i + 1) % NH_) * NW_;
          T* w = wy.data() + i * NW_;
          for (std::size_t j = 0; j < NW_; ++j) w[j] = static_cast<T>(shrink(double(xn[j] - xr[j])));
        }
      });
      over_rows(threads, [&](std::size_t r0, std::size_t r1) {
        std::vector<T> wx(NW_);
        for (std::size_t i = r0; i < r1; ++i) {
          const T* xr = x.data() + i * NW_;
          // The periodic wrap is peeled off the loops (no modulo per pixel).
          for (std::size_t j = 0; j + 1 < NW_; ++j)
            wx[j] = static_cast<T>(shrink(double(xr[j + 1] - xr[j])));
          wx[NW_ - 1] = static_cast<T>(shrink(double(xr[0] - xr[NW_ - 1])));
          const T* wu = wy.data() + ((i + NH_ - 1) % NH_) * NW_;
          const T* wc = wy.data() + i * NW_;
          T* gr = g.data() + i * NW_;
          gr[0] = (wx[NW_ - 1] - wx[0]) + (wu[0] - wc[0]);
          for (std::size_t j = 1; j < NW_; ++j) gr[j] = (wx[j - 1] - wx[j]) + (wu[j] - wc[j]);
        }
        rows_r2c(g.data(), spec.data(), r0, r1);
      });
      over_columns(threads, [&](std::size_t c0, std::size_t c1) {
        columns(spec.data(), c0, c1, true);
        for (std::size_t i = 0; i < NH_; ++i)
          for (std::size_t j = c0; j < c1; ++j) {
            const std::size_t q = i * NWc_ + j;
            // a conj(H) Y + b G, as the reference evaluates it: γ never scales a
            // spectrum (no overflow in T) and G's DC round-off gets b = 0.
            const bool moving = grad_power_[q] > 0;
            const double denominator = otf_power_[q] + (moving && gamma > 0 ? gamma * grad_power_[q] : 0.0);
            const T a = static_cast<T>(denominator > 0 ? scale / denominator : 0.0);
            const T b = static_cast<T>(moving && gamma > 0 ? scale / (otf_power_[q] / gamma + grad_power_[q]) : 0.0);
            const C value(by[q].real() * a + spec[q].real() * b, by[q].imag() * a + spec[q].imag() * b);
            spec[q] = value;
            if (unknown) completed_spec[q] = value * otf_[q];
          }
        columns(spec.data(), c0, c1, false);
        if (unknown) columns(completed_spec.data(), c0, c1, false);
      });
      over_rows(threads, [&](std::size_t r0, std::size_t r1) {
        rows_c2r(spec.data(), x.data(), r0, r1);
        if (unknown) {
          rows_c2r(completed_spec.data(), completed.data(), r0, r1);
          for (std::size_t i = r0; i < std::min(r1, H_); ++i)
            std::copy(y.data() + i * NW_, y.data() + i * NW_ + W_, completed.data() + i * NW_);
        }
      });
      if (unknown) blurred_data(completed.data(), completed_spec.data(), by.data(), threads);
    }
    write<P>(out, x.data(), NW_, clip, threads);
  }

  template <typename P>
  void write(const PlaneView& out, const T* grid, std::size_t stride, bool clip, std::size_t threads) const {
    char* base = static_cast<char*>(out.data);
    parallel_for(H_, kRowGrain, threads, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i)
        for (std::size_t j = 0; j < W_; ++j)
          store_pixel<P>(base + std::ptrdiff_t(i) * out.row_stride + std::ptrdiff_t(j) * out.col_stride,
                         static_cast<double>(grid[i * stride + j]), clip);
    });
  }

  std::size_t H_, W_, NH_ = 0, NW_ = 0, NWc_ = 0;
  TVBoundary boundary_;
  std::vector<std::size_t> row_src_, col_src_;
  std::vector<double> taper_rows_, taper_cols_;
  std::vector<C> otf_;
  std::vector<double> otf_power_, grad_power_;
};

}  // namespace
}  // namespace tv_detail

std::unique_ptr<TVDeconvolutionPlan> make_tv_deconvolution_plan(const PsfView& psf, std::size_t rows,
                                                                std::size_t cols, TVBoundary boundary,
                                                                bool double_precision, std::size_t threads) {
  constexpr std::size_t kMaxPixels = std::size_t(1) << 30;
  if (rows == 0 || cols == 0) throw std::invalid_argument("shape must be at least 1 x 1");
  if (rows > kMaxPixels / cols) throw std::invalid_argument("shape is too large (more than 2**30 pixels)");
  if (psf.data == nullptr || psf.rows <= 0 || psf.cols <= 0)
    throw std::invalid_argument("psf must be a non-empty 2-D array");
  if (threads == 0) throw std::invalid_argument("threads must be >= 1");
  const std::size_t kh = static_cast<std::size_t>(psf.rows), kw = static_cast<std::size_t>(psf.cols);
  if (kh > rows || kw > cols)
    throw std::invalid_argument("psf (" + std::to_string(kh) + " x " + std::to_string(kw) +
                                ") must not be larger than the image (" + std::to_string(rows) + " x " +
                                std::to_string(cols) + ")");
  std::vector<double> kernel(kh * kw);
  double sum = 0.0;
  for (std::size_t a = 0; a < kh; ++a)
    for (std::size_t b = 0; b < kw; ++b) {
      const double v = psf.data[std::ptrdiff_t(a) * psf.row_stride + std::ptrdiff_t(b) * psf.col_stride];
      if (!std::isfinite(v)) throw std::invalid_argument("psf must be finite");
      if (v < 0.0) throw std::invalid_argument("psf must be non-negative");
      kernel[a * kw + b] = v;
      sum += v;
    }
  if (!(sum > 0.0) || !std::isfinite(sum)) throw std::invalid_argument("psf must have a positive, finite sum");
  for (double& v : kernel) v /= sum;
  if (double_precision) return std::make_unique<tv_detail::Plan<double>>(kernel, kh, kw, rows, cols, boundary);
  return std::make_unique<tv_detail::Plan<float>>(kernel, kh, kw, rows, cols, boundary);
}

}  // namespace clearsight
