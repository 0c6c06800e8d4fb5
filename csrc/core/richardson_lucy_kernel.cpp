// The Richardson–Lucy plan, compiled once per instruction set (see
// CMakeLists.txt) inside namespace clearsight::rl_detail::CLEARSIGHT_ISA.
// One iteration is five passes over the padded
// grid, each split across threads with parallel_for:
//   1. rows:    (Biggs: form the predicted point) real FFT of each row;
//   2. columns: complex FFT, multiply by the OTF, inverse FFT;
//   3. rows:    inverse real FFT, guarded ratio data / max(blur, floor),
//               real FFT of the ratio, all while the row is in cache;
//   4. columns: as 2 with the conjugate OTF (the adjoint, a correlation);
//   5. rows:    inverse real FFT, multiplicative update (Biggs: the change
//               and its float64 dot products).
// For the "zero" boundary only the rows holding the plane are transformed
// along x; the rows below are zero before the column pass and not needed
// after it.

// Every standard header pocketfft includes comes first, at global scope, so
// that including pocketfft inside our namespace below only adds pocketfft.
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

#include "core/richardson_lucy.hpp"
#include "core/parallel.hpp"
#include "core/rl_detail.hpp"
#include "core/wiener_detail.hpp"

#ifndef CLEARSIGHT_ISA
#error "CLEARSIGHT_ISA must name the instruction-set namespace (isa_baseline, isa_avx2)"
#endif

namespace clearsight::rl_detail::CLEARSIGHT_ISA {

// pocketfft's own thread pool is not used: we parallelise around it.
#define POCKETFFT_NO_MULTITHREADING
// Cache the 1-D plans (twiddle tables) between calls: every block of rows or
// columns is one pocketfft call, and without the cache each call would
// recompute the twiddles of its length (the header's default is no cache).
#define POCKETFFT_CACHE_SIZE 16
#include "pocketfft.hpp"

namespace {

constexpr double kAlphaMax = 1.0 - 1e-6;  // as the reference's ALPHA_MAX
constexpr double kKeep = 0.1;              // as the reference's KEEP: a positive pixel stays positive
// Rows and columns are transformed in fixed blocks (a multiple of the SIMD
// width): pocketfft rounds a row differently in its vector and scalar paths,
// so blocks that depended on the thread count would change the result.
constexpr std::size_t kRowGrain = 8;
constexpr std::size_t kColGrain = 16;

#include "core/plane_io.hpp"

template <typename T>
class Plan final : public RichardsonLucyPlan {
  using C = std::complex<T>;

 public:
  Plan(const std::vector<double>& psf, std::size_t kh, std::size_t kw, std::size_t rows,
       std::size_t cols, RLBoundary boundary, std::size_t threads)
      : H_(rows), W_(cols), boundary_(boundary) {
    if (boundary == RLBoundary::zero) {
      NH_ = fast_length(rows + kh - 1);
      NW_ = fast_length(cols + kw - 1);
    } else {
      const Boundary b = boundary == RLBoundary::reflect ? Boundary::reflect : Boundary::periodic;
      NH_ = padded_length(rows, kh, b);
      NW_ = padded_length(cols, kw, b);
    }
    NWc_ = NW_ / 2 + 1;
    active_ = boundary == RLBoundary::zero ? H_ : NH_;
    if (boundary == RLBoundary::reflect) {
      row_src_ = detail::boundary_map(H_, NH_);
      col_src_ = detail::boundary_map(W_, NW_);
    }
    if (boundary == RLBoundary::zero) find_unreached(psf, kh, kw);
    if (boundary == RLBoundary::taper) {
      std::vector<double> row_projection(kh, 0.0), col_projection(kw, 0.0);
      for (std::size_t a = 0; a < kh; ++a)
        for (std::size_t b = 0; b < kw; ++b) {
          row_projection[a] += psf[a * kw + b];
          col_projection[b] += psf[a * kw + b];
        }
      taper_rows_ = detail::taper_window(row_projection, H_);
      taper_cols_ = detail::taper_window(col_projection, W_);
    }
    build_otf(psf, kh, kw, threads);
  }

  std::size_t rows() const override { return H_; }
  std::size_t cols() const override { return W_; }
  std::size_t padded_rows() const override { return NH_; }
  std::size_t padded_cols() const override { return NW_; }
  bool double_precision() const override { return std::is_same_v<T, double>; }

  void apply(const PlaneView& in, const PlaneView& out, std::size_t iterations,
             RLAcceleration acceleration, bool clip, std::size_t threads) const override {
    check_view(in, "image");
    check_view(out, "out");
    if (in.type != out.type) throw std::invalid_argument("out must have the same dtype as image");
    if (threads == 0) throw std::invalid_argument("threads must be >= 1");
    threads = effective_threads(threads, NH_);
    switch (in.type) {
      case PixelType::uint8: run<std::uint8_t>(in, out, iterations, acceleration, clip, threads); break;
      case PixelType::uint16: run<std::uint16_t>(in, out, iterations, acceleration, clip, threads); break;
      case PixelType::float32: run<float>(in, out, iterations, acceleration, clip, threads); break;
      case PixelType::float64: run<double>(in, out, iterations, acceleration, clip, threads); break;
    }
  }

 private:
  // The transfer function on the padded grid, PSF centre (kh/2, kw/2) at the
  // origin, computed in float64 and stored with the 1 / (NH NW) of the
  // unnormalised inverse transform folded in.
  void build_otf(const std::vector<double>& psf, std::size_t kh, std::size_t kw, std::size_t threads) {
    (void)threads;
    std::vector<double> grid(NH_ * NW_, 0.0);
    for (std::size_t a = 0; a < kh; ++a)
      for (std::size_t b = 0; b < kw; ++b) {
        const std::size_t i = (a + NH_ - (kh / 2) % NH_) % NH_;
        const std::size_t j = (b + NW_ - (kw / 2) % NW_) % NW_;
        grid[i * NW_ + j] += psf[a * kw + b];
      }
    std::vector<std::complex<double>> spectrum(NH_ * NWc_);
    pocketfft::r2c<double>({NH_, NW_}, {std::ptrdiff_t(NW_ * sizeof(double)), sizeof(double)},
                           {std::ptrdiff_t(NWc_ * sizeof(std::complex<double>)),
                            sizeof(std::complex<double>)},
                           {0, 1}, true, grid.data(), spectrum.data(), 1.0, 1);
    const double scale = 1.0 / (double(NH_) * double(NW_));
    otf_.resize(spectrum.size());
    for (std::size_t k = 0; k < spectrum.size(); ++k)
      otf_[k] = C(static_cast<T>(spectrum[k].real() * scale), static_cast<T>(spectrum[k].imag() * scale));
  }

  void check_view(const PlaneView& v, const char* name) const {
    if (v.data == nullptr) throw std::invalid_argument(std::string(name) + " has no data");
    if (v.rows != static_cast<std::ptrdiff_t>(H_) || v.cols != static_cast<std::ptrdiff_t>(W_))
      throw std::invalid_argument(std::string(name) + " has shape (" + std::to_string(v.rows) +
                                  ", " + std::to_string(v.cols) + "), the plan expects (" +
                                  std::to_string(H_) + ", " + std::to_string(W_) + ")");
  }

  // Work buffers, reused across calls (fresh pages would cost more than a
  // small image's iterations); concurrent calls each get their own.
  struct Workspace {
    std::vector<T> y, x, work, previous, predicted, change, older, row_max;
    std::vector<C> spec;
    std::vector<double> dot_cross, dot_older;
  };

  class Lease {
   public:
    explicit Lease(const Plan& plan) : plan_(plan) {
      {
        std::lock_guard<std::mutex> lock(plan_.pool_mutex_);
        if (!plan_.pool_.empty()) {
          ws_ = std::move(plan_.pool_.back());
          plan_.pool_.pop_back();
        }
      }
      if (!ws_) ws_ = std::make_unique<Workspace>();
    }
    ~Lease() {
      std::lock_guard<std::mutex> lock(plan_.pool_mutex_);
      plan_.pool_.push_back(std::move(ws_));
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Workspace& workspace() { return *ws_; }

   private:
    const Plan& plan_;
    std::unique_ptr<Workspace> ws_;
  };

  // --- FFT passes ---------------------------------------------------------

  void zero_inactive(C* spec) const {
    if (active_ < NH_) std::fill(spec + active_ * NWc_, spec + NH_ * NWc_, C(0));
  }

  void rows_r2c(const T* real, C* spec, std::size_t r0, std::size_t r1) const {
    pocketfft::r2c<T>({r1 - r0, NW_}, {std::ptrdiff_t(NW_ * sizeof(T)), sizeof(T)},
                      {std::ptrdiff_t(NWc_ * sizeof(C)), sizeof(C)}, 1, true, real + r0 * NW_,
                      spec + r0 * NWc_, T(1), 1);
  }

  void rows_c2r(const C* spec, T* real, std::size_t r0, std::size_t r1) const {
    pocketfft::c2r<T>({r1 - r0, NW_}, {std::ptrdiff_t(NWc_ * sizeof(C)), sizeof(C)},
                      {std::ptrdiff_t(NW_ * sizeof(T)), sizeof(T)}, 1, false, spec + r0 * NWc_,
                      real + r0 * NW_, T(1), 1);
  }

  // prepare(i, row) fills row i of `real` just before it is transformed.
  template <class Prepare>
  void forward_rows(T* real, C* spec, std::size_t threads, Prepare&& prepare) const {
    parallel_for(active_, kRowGrain, threads, [&](std::size_t begin, std::size_t end) {
      for_blocks(begin, end, kRowGrain, [&](std::size_t r0, std::size_t r1) {
        for (std::size_t i = r0; i < r1; ++i) prepare(i, real + i * NW_);
        rows_r2c(real, spec, r0, r1);
      });
    });
    zero_inactive(spec);
  }

  // Inverse row transforms into `real`, then finish(i, row) on each row;
  // with `again`, the rows are transformed forward again into `spec`.
  template <class Finish>
  void inverse_rows(C* spec, T* real, std::size_t threads, bool again, Finish&& finish) const {
    parallel_for(active_, kRowGrain, threads, [&](std::size_t begin, std::size_t end) {
      for_blocks(begin, end, kRowGrain, [&](std::size_t r0, std::size_t r1) {
        rows_c2r(spec, real, r0, r1);
        for (std::size_t i = r0; i < r1; ++i) finish(i, real + i * NW_);
        if (again) rows_r2c(real, spec, r0, r1);
      });
    });
    if (again) zero_inactive(spec);
  }

  // Column transforms, the product with the OTF (or its conjugate) and the
  // inverse column transforms, on blocks of columns that stay in cache.
  void filter_columns(C* spec, bool adjoint, std::size_t threads) const {
    const std::size_t blocks = (NWc_ + kColGrain - 1) / kColGrain;
    parallel_for(blocks, 1, threads, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b)
        filter_block(spec, adjoint, b * kColGrain, std::min(NWc_, (b + 1) * kColGrain));
    });
  }

  void filter_block(C* spec, bool adjoint, std::size_t c0, std::size_t c1) const {
    {
      const pocketfft::shape_t shape{NH_, c1 - c0};
      const pocketfft::stride_t stride{std::ptrdiff_t(NWc_ * sizeof(C)), sizeof(C)};
      pocketfft::c2c<T>(shape, stride, stride, {0}, true, spec + c0, spec + c0, T(1), 1);
      // Written out: std::complex's operator* handles inf/NaN via a slow call.
      const T sign = adjoint ? T(-1) : T(1);
      for (std::size_t i = 0; i < NH_; ++i) {
        C* s = spec + i * NWc_;
        const C* h = otf_.data() + i * NWc_;
        for (std::size_t j = c0; j < c1; ++j) {
          const T ar = s[j].real(), ai = s[j].imag();
          const T br = h[j].real(), bi = sign * h[j].imag();
          s[j] = C(ar * br - ai * bi, ar * bi + ai * br);
        }
      }
      pocketfft::c2c<T>(shape, stride, stride, {0}, false, spec + c0, spec + c0, T(1), 1);
    }
  }

  // "zero" boundary: data pixels that no pixel of the plane reaches through
  // the PSF (near the edges of a PSF whose support misses its centre) are
  // dropped, as in the reference (reference/richardson_lucy.py, reached()):
  // their ratio, up to 1/eps, would otherwise leak through the FFTs'
  // round-off into the whole estimate. Pixel (r, c) is reached when a
  // positive tap (a, b) has a - kh/2 in [r - H + 1, r] and b - kw/2 in
  // [c - W + 1, c]; counted with a prefix sum of the PSF's support.
  void find_unreached(const std::vector<double>& psf, std::size_t kh, std::size_t kw) {
    kh_ = kh;
    kw_ = kw;
    support_.assign((kh + 1) * (kw + 1), 0);
    for (std::size_t a = 0; a < kh; ++a)
      for (std::size_t b = 0; b < kw; ++b)
        support_[(a + 1) * (kw + 1) + b + 1] = (psf[a * kw + b] > 0.0 ? 1 : 0) + support_[a * (kw + 1) + b + 1] +
                                               support_[(a + 1) * (kw + 1) + b] - support_[a * (kw + 1) + b];
    // Every pixel is reached when the centre tap is positive (the usual case).
    all_reached_ = psf[(kh / 2) * kw + kw / 2] > 0.0;
  }

  // [lo, hi) of the taps along an axis of length n (PSF length k) that reach index i from inside.
  static std::pair<std::size_t, std::size_t> tap_range(std::size_t i, std::size_t n, std::size_t k) {
    const std::ptrdiff_t lo = std::ptrdiff_t(i) - std::ptrdiff_t(n) + 1 + std::ptrdiff_t(k / 2);
    const std::ptrdiff_t hi = std::ptrdiff_t(i) + std::ptrdiff_t(k / 2) + 1;
    const auto clamp = [k](std::ptrdiff_t v) { return std::size_t(std::clamp<std::ptrdiff_t>(v, 0, std::ptrdiff_t(k))); };
    return {clamp(lo), clamp(hi)};
  }

  bool reached(std::size_t i, std::size_t j) const {
    const auto [a0, a1] = tap_range(i, H_, kh_);
    const auto [b0, b1] = tap_range(j, W_, kw_);
    const std::size_t w = kw_ + 1;
    return support_[a1 * w + b1] - support_[a0 * w + b1] - support_[a1 * w + b0] + support_[a0 * w + b0] > 0;
  }

  // --- the iteration ------------------------------------------------------

  // Reads the plane (any dtype and strides) onto the padded grid as the
  // data y (boundary extension applied, not yet tapered).
  template <typename P>
  void load(const PlaneView& in, T* y, std::size_t threads) const {
    const char* base = static_cast<const char*>(in.data);
    const std::ptrdiff_t rs = in.row_stride, cs = in.col_stride;
    parallel_for(NH_, kRowGrain, threads, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        T* row = y + i * NW_;
        if (boundary_ == RLBoundary::zero && i >= H_) {
          std::fill(row, row + NW_, T(0));
          continue;
        }
        const std::size_t si = boundary_ == RLBoundary::reflect ? row_src_[i] : i;
        const char* src = base + std::ptrdiff_t(si) * rs;
        bool finite = true;
        for (std::size_t j = 0; j < NW_; ++j) {
          if (boundary_ == RLBoundary::zero && j >= W_) {
            row[j] = T(0);
            continue;
          }
          const std::size_t sj = boundary_ == RLBoundary::reflect ? col_src_[j] : j;
          const T v = load_pixel<T, P>(src + std::ptrdiff_t(sj) * cs);
          if constexpr (std::is_floating_point_v<P>) finite = finite && std::isfinite(v);
          row[j] = v;
        }
        if constexpr (std::is_floating_point_v<P>) {
          // A float64 value beyond float32's range becomes inf here too.
          if (!finite) throw std::invalid_argument("image must be finite (no NaN or infinity)");
        }
      }
    });
  }

  template <typename P>
  void run(const PlaneView& in, const PlaneView& out, std::size_t iterations,
           RLAcceleration acceleration, bool clip, std::size_t threads) const {
    const std::size_t N = NH_ * NW_;
    Lease lease(*this);
    Workspace& ws = lease.workspace();
    std::vector<T>& y = ws.y;
    std::vector<T>& x = ws.x;
    std::vector<T>& work = ws.work;
    std::vector<C>& spec = ws.spec;
    y.resize(N);
    x.resize(N);
    work.resize(N);
    spec.resize(NH_ * NWc_);
    load<P>(in, y.data(), threads);

    if (iterations == 0) {  // the reference then returns the plane itself
      write<P>(out, y.data(), clip, threads);
      return;
    }

    if (boundary_ == RLBoundary::taper) {
      // Blend the borders with the periodically blurred plane.
      forward_rows(y.data(), spec.data(), threads, [](std::size_t, T*) {});
      filter_columns(spec.data(), false, threads);
      inverse_rows(spec.data(), work.data(), threads, false, [&](std::size_t i, T* blurred) {
        T* row = y.data() + i * NW_;
        const double wr = taper_rows_[i];
        for (std::size_t j = 0; j < NW_; ++j) {
          const T w = static_cast<T>(wr * taper_cols_[j]);
          row[j] = w * row[j] + (T(1) - w) * blurred[j];
        }
      });
    }

    // y+ and its maximum (exact in any order, so thread-count independent).
    std::vector<T>& row_max = ws.row_max;
    row_max.assign(NH_, T(0));
    parallel_for(NH_, kRowGrain, threads, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        T* row = y.data() + i * NW_;
        T m = T(0);
        const bool mask = boundary_ == RLBoundary::zero && !all_reached_ && i < H_;
        for (std::size_t j = 0; j < NW_; ++j) {
          const T v = row[j] > T(0) && !(mask && j < W_ && !reached(i, j)) ? row[j] : T(0);
          row[j] = v;
          m = v > m ? v : m;
        }
        row_max[i] = m;
      }
    });
    const T top = *std::max_element(row_max.begin(), row_max.end());
    if (!(top > T(0))) {
      std::fill(x.begin(), x.end(), T(0));
      write<P>(out, x.data(), clip, threads);
      return;
    }
    const T floor = static_cast<T>(std::max(double(std::numeric_limits<T>::epsilon()) * double(top),
                                            double(std::numeric_limits<T>::min())));

    // x0 = 0.5 on the working domain (the plane's rows and columns for
    // "zero"), 0 elsewhere so the zero padding of the FFT grid holds.
    parallel_for(NH_, kRowGrain, threads, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        T* row = x.data() + i * NW_;
        const bool inside = i < active_;
        for (std::size_t j = 0; j < NW_; ++j)
          row[j] = (inside && (boundary_ != RLBoundary::zero || j < W_)) ? T(0.5) : T(0);
      }
    });

    const bool biggs = acceleration == RLAcceleration::biggs;
    std::vector<T>& previous = ws.previous;
    std::vector<T>& predicted = ws.predicted;
    std::vector<T>& change = ws.change;
    std::vector<T>& older = ws.older;
    std::vector<double>& dot_cross = ws.dot_cross;
    std::vector<double>& dot_older = ws.dot_older;
    if (biggs) {
      previous = x;
      predicted.assign(N, T(0));
      change.assign(N, T(0));
      older.assign(N, T(0));
      dot_cross.assign(NH_, 0.0);
      dot_older.assign(NH_, 0.0);
    }
    std::size_t changes = 0;  // how many of change/older hold a step's change
    double alpha = 0.0;

    for (std::size_t k = 0; k < iterations; ++k) {
      T* p = x.data();
      if (biggs) {
        // Predicted point p = max(x + alpha (x - previous), keep x), or x itself.
        p = predicted.data();
        const T a = static_cast<T>(alpha);
        const T keep = static_cast<T>(kKeep);
        const bool extrapolate = alpha > 0.0;
        forward_rows(p, spec.data(), threads, [&](std::size_t i, T* prow) {
          const T* xr = x.data() + i * NW_;
          const T* vr = previous.data() + i * NW_;
          if (extrapolate) {
            for (std::size_t j = 0; j < NW_; ++j) {
              const T v = xr[j] + a * (xr[j] - vr[j]);
              const T lo = keep * xr[j];
              prow[j] = v > lo ? v : lo;
            }
          } else {
            std::copy(xr, xr + NW_, prow);
          }
        });
        previous.swap(x);  // previous = x_k; x is overwritten with x_{k+1}
      } else {
        forward_rows(p, spec.data(), threads, [](std::size_t, T*) {});
      }
      filter_columns(spec.data(), false, threads);
      inverse_rows(spec.data(), work.data(), threads, true, [&](std::size_t i, T* c) {
        const T* yr = y.data() + i * NW_;
        for (std::size_t j = 0; j < NW_; ++j) {
          const T d = c[j] > floor ? c[j] : floor;
          c[j] = yr[j] / d;
        }
      });
      filter_columns(spec.data(), true, threads);
      const bool with_older = changes >= 1;
      inverse_rows(spec.data(), work.data(), threads, false, [&](std::size_t i, T* a) {
        const T* pr = p + i * NW_;
        T* xr = x.data() + i * NW_;
        for (std::size_t j = 0; j < NW_; ++j) {
          const T v = pr[j] * a[j];
          xr[j] = v > T(0) ? v : T(0);
        }
        if (biggs) {
          // The new change overwrites the oldest one (no longer needed)
          // after its dot products with the previous change.
          T* g = older.data() + i * NW_;
          const T* gp = change.data() + i * NW_;
          double cross = 0.0, norm = 0.0;
          for (std::size_t j = 0; j < NW_; ++j) {
            const T d = xr[j] - pr[j];
            g[j] = d;
            cross += double(d) * double(gp[j]);
            norm += double(gp[j]) * double(gp[j]);
          }
          dot_cross[i] = cross;
          dot_older[i] = norm;
        }
      });
      if (biggs) {
        change.swap(older);  // change = g_k, older = g_{k-1}
        ++changes;
        alpha = 0.0;
        if (with_older) {
          // Row partial sums added in row order: independent of the threads.
          double cross = 0.0, norm = 0.0;
          for (std::size_t i = 0; i < active_; ++i) {
            cross += dot_cross[i];
            norm += dot_older[i];
          }
          if (norm > 0.0) alpha = std::min(std::max(cross / norm, 0.0), kAlphaMax);
        }
      }
    }
    write<P>(out, x.data(), clip, threads);
  }

  // The top-left H x W of `grid` into `out`.
  template <typename P>
  void write(const PlaneView& out, const T* grid, bool clip, std::size_t threads) const {
    char* base = static_cast<char*>(out.data);
    const std::ptrdiff_t rs = out.row_stride, cs = out.col_stride;
    parallel_for(H_, kRowGrain, threads, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        char* dst = base + std::ptrdiff_t(i) * rs;
        const T* row = grid + i * NW_;
        for (std::size_t j = 0; j < W_; ++j)
          store_pixel<P>(dst + std::ptrdiff_t(j) * cs, static_cast<double>(row[j]), clip);
      }
    });
  }

  std::size_t H_, W_, NH_ = 0, NW_ = 0, NWc_ = 0, active_ = 0;
  RLBoundary boundary_;
  std::vector<std::size_t> row_src_, col_src_;
  std::vector<double> taper_rows_, taper_cols_;
  std::size_t kh_ = 0, kw_ = 0;
  std::vector<std::size_t> support_;  // "zero": prefix sums of the PSF's support, (kh+1) x (kw+1)
  bool all_reached_ = true;
  std::vector<C> otf_;
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<Workspace>> pool_;
};

}  // namespace

std::unique_ptr<RichardsonLucyPlan> make_plan(const std::vector<double>& psf, std::size_t kh,
                                              std::size_t kw, std::size_t rows, std::size_t cols,
                                              RLBoundary boundary, bool double_precision,
                                              std::size_t threads) {
  if (double_precision) return std::make_unique<Plan<double>>(psf, kh, kw, rows, cols, boundary, threads);
  return std::make_unique<Plan<float>>(psf, kh, kw, rows, cols, boundary, threads);
}

}  // namespace clearsight::rl_detail::CLEARSIGHT_ISA
