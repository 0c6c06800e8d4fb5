// Wiener / Tikhonov deconvolution, planned once per PSF and frame shape.
//
// One frame costs three passes over memory, each split across threads:
//   1. rows:    read pixels (any dtype, any strides, boundary extension
//               applied on the fly), real FFT, store half-spectrum rows;
//   2. columns: gather a block of columns (padding rows come from the image
//               rows they mirror, so they are never transformed twice),
//               complex FFT, multiply by the filter, inverse FFT, and keep
//               only the rows that survive the final crop;
//   3. rows:    inverse real FFT of the kept rows, crop, clip, convert and
//               write the output pixels.
// The filter multiply is fused into the column pass, the dtype conversion and
// boundary extension into the row passes, so no full-size temporary exists
// besides the half spectrum. Rows and columns are processed VLEN at a time in
// SIMD lanes, as pocketfft's own multi-dimensional transforms do.
#include "core/deconvolution.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "core/parallel.hpp"

// pocketfft's own thread pool is not used: we parallelise around its 1-D
// plans ourselves, and a global pool would outlive fork() badly.
#define POCKETFFT_NO_MULTITHREADING
#include "pocketfft.hpp"

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

namespace {

using pocketfft::detail::cmplx;
using pocketfft::detail::pocketfft_c;
using pocketfft::detail::pocketfft_r;

#ifndef POCKETFFT_NO_VECTORS
template <typename T>
using Vec = pocketfft::detail::vtype_t<T>;
template <typename T>
constexpr std::size_t kLanes = pocketfft::detail::VLEN<T>::val;
#else
template <typename T>
using Vec = T;
template <typename T>
constexpr std::size_t kLanes = 1;
#endif

template <typename V, typename T>
inline void set_lane(V& v, std::size_t lane, T x) {
  if constexpr (std::is_same_v<V, T>) {
    (void)lane;
    v = x;
  } else {
    v[lane] = x;
  }
}

template <typename V>
inline auto get_lane(const V& v, std::size_t lane) {
  if constexpr (std::is_arithmetic_v<V>) {
    (void)lane;
    return v;
  } else {
    return v[lane];
  }
}

// Pixels are read through memcpy so that any byte stride is legal; compilers
// turn it into a plain load.
template <typename T, typename P>
inline T load_pixel(const char* p) {
  P v;
  std::memcpy(&v, p, sizeof(P));
  if constexpr (std::is_integral_v<P>) {
    return static_cast<T>(v) / static_cast<T>(std::numeric_limits<P>::max());
  } else {
    return static_cast<T>(v);
  }
}

template <typename T, typename P>
inline void store_pixel(char* p, T y, bool clip) {
  P v;
  if constexpr (std::is_integral_v<P>) {
    // Written so that NaN maps to 0 rather than to undefined behaviour.
    y = (y > T(0)) ? y : T(0);
    y = (y < T(1)) ? y : T(1);
    v = static_cast<P>(y * static_cast<T>(std::numeric_limits<P>::max()) + T(0.5));
  } else {
    if (clip) {
      y = (y > T(0)) ? y : T(0);
      y = (y < T(1)) ? y : T(1);
    }
    v = static_cast<P>(y);
  }
  std::memcpy(p, &v, sizeof(P));
}

// Image coordinate of padded sample j along an axis of length n padded to N.
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

// Edge-taper weight along one axis: 1 - the PSF's normalised autocorrelation
// at the distance to the nearer edge, so that the outermost sample is all
// blurred image (continuous across the periodic wrap) and samples further in
// than the PSF's reach are untouched.
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

template <typename T>
class Plan final : public WienerPlan {
 public:
  Plan(const std::vector<double>& psf, std::size_t kh, std::size_t kw, std::size_t rows,
       std::size_t cols, double balance, Regularizer regularizer, Boundary boundary)
      : H_(rows),
        W_(cols),
        NH_(padded_length(rows, kh, boundary)),
        NW_(padded_length(cols, kw, boundary)),
        NWc_(NW_ / 2 + 1),
        groups_((NWc_ + kLanes<T> - 1) / kLanes<T>),
        boundary_(boundary),
        row_src_(boundary_map(H_, NH_)),
        col_src_(boundary_map(W_, NW_)),
        row_fft_(NW_),
        col_fft_(NH_) {
    // Transfer function of the PSF with its centre (kh/2, kw/2) moved to the
    // origin, computed once in float64.
    std::vector<double> padded(NH_ * NW_, 0.0);
    for (std::size_t a = 0; a < kh; ++a)
      for (std::size_t b = 0; b < kw; ++b) {
        const std::size_t i = (a + NH_ - kh / 2 % NH_) % NH_;
        const std::size_t j = (b + NW_ - kw / 2 % NW_) % NW_;
        padded[i * NW_ + j] += psf[a * kw + b];
      }
    std::vector<std::complex<double>> otf(NH_ * NWc_);
    pocketfft::r2c<double>({NH_, NW_}, {std::ptrdiff_t(NW_ * sizeof(double)), sizeof(double)},
                           {std::ptrdiff_t(NWc_ * sizeof(std::complex<double>)),
                            sizeof(std::complex<double>)},
                           {0, 1}, pocketfft::FORWARD, padded.data(), otf.data(), 1.0, 1);

    // The inverse transforms are unnormalised: fold 1 / (NH NW) in here.
    const double scale = 1.0 / (static_cast<double>(NH_) * static_cast<double>(NW_));
    const double two_pi = 6.283185307179586476925286766559;
    filter_.assign(groups_ * NH_, zero_vector());
    if (boundary_ == Boundary::taper) otf_.assign(groups_ * NH_, zero_vector());
    for (std::size_t i = 0; i < NH_; ++i) {
      const double row_term = 2.0 * std::cos(two_pi * static_cast<double>(i) / NH_);
      for (std::size_t j = 0; j < NWc_; ++j) {
        const std::complex<double> h = otf[i * NWc_ + j];
        double r2 = 1.0;
        if (regularizer == Regularizer::laplacian) {
          // |DFT of the 5-point Laplacian|^2, in closed form.
          const double l = 4.0 - row_term - 2.0 * std::cos(two_pi * static_cast<double>(j) / NW_);
          r2 = l * l;
        }
        const double denominator = std::norm(h) + balance * r2;
        const std::complex<double> f =
            denominator > 0.0 ? std::conj(h) / denominator * scale : std::complex<double>(0.0);
        set(filter_, i, j, f);
        if (boundary_ == Boundary::taper) set(otf_, i, j, h * scale);
      }
    }

    if (boundary_ == Boundary::taper) {
      std::vector<double> row_projection(kh, 0.0), col_projection(kw, 0.0);
      for (std::size_t a = 0; a < kh; ++a)
        for (std::size_t b = 0; b < kw; ++b) {
          row_projection[a] += psf[a * kw + b];
          col_projection[b] += psf[a * kw + b];
        }
      const auto wr = taper_window(row_projection, H_);
      const auto wc = taper_window(col_projection, W_);
      taper_rows_.assign(wr.begin(), wr.end());
      taper_cols_.assign(wc.begin(), wc.end());
    }
  }

  std::size_t rows() const override { return H_; }
  std::size_t cols() const override { return W_; }
  std::size_t padded_rows() const override { return NH_; }
  std::size_t padded_cols() const override { return NW_; }
  bool double_precision() const override { return std::is_same_v<T, double>; }

  void apply(const PlaneView& in, const PlaneView& out, bool clip,
             std::size_t threads) const override {
    check_view(in, "image");
    check_view(out, "out");
    if (in.type != out.type)
      throw std::invalid_argument("out must have the same dtype as image");
    if (threads == 0) throw std::invalid_argument("threads must be >= 1");
    Lease lease(*this);
    switch (in.type) {
      case PixelType::uint8: run<std::uint8_t>(in, out, clip, threads, lease.workspace()); break;
      case PixelType::uint16: run<std::uint16_t>(in, out, clip, threads, lease.workspace()); break;
      case PixelType::float32: run<float>(in, out, clip, threads, lease.workspace()); break;
      case PixelType::float64: run<double>(in, out, clip, threads, lease.workspace()); break;
    }
  }

 private:
  using V = Vec<T>;
  static constexpr std::size_t L = kLanes<T>;

  struct Workspace {
    std::vector<cmplx<T>> spectrum;  // H x NWc: only the rows the crop keeps
    std::vector<T> blend;            // H x W, edge-tapered input (taper only)
  };

  // Work buffers are reused across calls; concurrent calls each get their own.
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
      if (!ws_) {
        ws_ = std::make_unique<Workspace>();
        ws_->spectrum.resize(plan_.H_ * plan_.NWc_);
        if (plan_.boundary_ == Boundary::taper) ws_->blend.resize(plan_.H_ * plan_.W_);
      }
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

  static cmplx<V> zero_vector() {
    cmplx<V> z;
    for (std::size_t l = 0; l < L; ++l) {
      set_lane(z.r, l, T(0));
      set_lane(z.i, l, T(0));
    }
    return z;
  }

  // Filters are stored in column blocks of L lanes, so the column pass
  // multiplies whole SIMD vectors: element (i, j) is lane j % L of entry
  // (j / L) * NH + i.
  void set(std::vector<cmplx<V>>& table, std::size_t i, std::size_t j, std::complex<double> v) {
    cmplx<V>& e = table[(j / L) * NH_ + i];
    set_lane(e.r, j % L, static_cast<T>(v.real()));
    set_lane(e.i, j % L, static_cast<T>(v.imag()));
  }

  void check_view(const PlaneView& v, const char* name) const {
    if (v.data == nullptr) throw std::invalid_argument(std::string(name) + " has no data");
    if (v.rows != static_cast<std::ptrdiff_t>(H_) || v.cols != static_cast<std::ptrdiff_t>(W_))
      throw std::invalid_argument(std::string(name) + " has shape (" + std::to_string(v.rows) +
                                  ", " + std::to_string(v.cols) + "), the plan expects (" +
                                  std::to_string(H_) + ", " + std::to_string(W_) + ")");
  }

  template <typename P>
  void run(const PlaneView& in, const PlaneView& out, bool clip, std::size_t threads,
           Workspace& ws) const {
    const char* in_base = static_cast<const char*>(in.data);
    char* out_base = static_cast<char*>(out.data);
    auto read_in = [&](std::size_t r, std::size_t c) {
      return load_pixel<T, P>(in_base + static_cast<std::ptrdiff_t>(r) * in.row_stride +
                              static_cast<std::ptrdiff_t>(c) * in.col_stride);
    };
    auto write_out = [&](std::size_t r, std::size_t c, T y) {
      store_pixel<T, P>(out_base + static_cast<std::ptrdiff_t>(r) * out.row_stride +
                            static_cast<std::ptrdiff_t>(c) * out.col_stride,
                        y, clip);
    };
    cmplx<T>* spectrum = ws.spectrum.data();
    if (boundary_ == Boundary::taper) {
      // Blend the image with its own circular blur near the edges, then
      // deconvolve the blend periodically.
      T* blend = ws.blend.data();
      forward_rows(read_in, spectrum, threads);
      filter_columns(spectrum, otf_, threads);
      inverse_rows(
          spectrum,
          [&](std::size_t r, std::size_t c, T blurred) {
            const T w = taper_rows_[r] * taper_cols_[c];
            blend[r * W_ + c] = w * read_in(r, c) + (T(1) - w) * blurred;
          },
          threads);
      forward_rows([&](std::size_t r, std::size_t c) { return blend[r * W_ + c]; }, spectrum,
                   threads);
    } else {
      forward_rows(read_in, spectrum, threads);
    }
    filter_columns(spectrum, filter_, threads);
    inverse_rows(spectrum, write_out, threads);
  }

  // Pass 1: real FFT of each image row (extended along the row by col_src_).
  template <typename Read>
  void forward_rows(const Read& read, cmplx<T>* spectrum, std::size_t threads) const {
    const std::size_t groups = (H_ + L - 1) / L;
    parallel_for(groups, 4, threads, [&](std::size_t g0, std::size_t g1) {
      std::vector<V> vbuf(NW_);
      std::vector<T> sbuf(NW_);
      for (std::size_t g = g0; g < g1; ++g) {
        const std::size_t r0 = g * L;
        if (L > 1 && r0 + L <= H_) {
          for (std::size_t l = 0; l < L; ++l) {
            for (std::size_t j = 0; j < W_; ++j) set_lane(vbuf[j], l, read(r0 + l, j));
            for (std::size_t j = W_; j < NW_; ++j) set_lane(vbuf[j], l, read(r0 + l, col_src_[j]));
          }
          row_fft_.exec(vbuf.data(), T(1), true);
          for (std::size_t l = 0; l < L; ++l) unpack(vbuf.data(), l, spectrum + (r0 + l) * NWc_);
        } else {
          for (std::size_t r = r0; r < std::min(H_, r0 + L); ++r) {
            for (std::size_t j = 0; j < NW_; ++j) sbuf[j] = read(r, col_src_[j]);
            row_fft_.exec(sbuf.data(), T(1), true);
            unpack(sbuf.data(), 0, spectrum + r * NWc_);
          }
        }
      }
    });
  }

  // Pass 2: column FFT, multiply by `table`, inverse column FFT, keep H rows.
  void filter_columns(cmplx<T>* spectrum, const std::vector<cmplx<V>>& table,
                      std::size_t threads) const {
    parallel_for(groups_, 1, threads, [&](std::size_t g0, std::size_t g1) {
      std::vector<cmplx<V>> vbuf(NH_);
      std::vector<cmplx<T>> sbuf(NH_);
      for (std::size_t g = g0; g < g1; ++g) {
        const std::size_t c0 = g * L;
        const cmplx<V>* f = table.data() + g * NH_;
        if (L > 1 && c0 + L <= NWc_) {
          for (std::size_t i = 0; i < NH_; ++i) {
            const cmplx<T>* src = spectrum + row_src_[i] * NWc_ + c0;
            for (std::size_t l = 0; l < L; ++l) {
              set_lane(vbuf[i].r, l, src[l].r);
              set_lane(vbuf[i].i, l, src[l].i);
            }
          }
          col_fft_.exec(vbuf.data(), T(1), true);
          for (std::size_t i = 0; i < NH_; ++i) vbuf[i] = vbuf[i] * f[i];
          col_fft_.exec(vbuf.data(), T(1), false);
          for (std::size_t i = 0; i < H_; ++i) {
            cmplx<T>* dst = spectrum + i * NWc_ + c0;
            for (std::size_t l = 0; l < L; ++l) {
              dst[l].r = get_lane(vbuf[i].r, l);
              dst[l].i = get_lane(vbuf[i].i, l);
            }
          }
        } else {
          for (std::size_t c = c0; c < std::min(NWc_, c0 + L); ++c) {
            const std::size_t l = c - c0;
            for (std::size_t i = 0; i < NH_; ++i) sbuf[i] = spectrum[row_src_[i] * NWc_ + c];
            col_fft_.exec(sbuf.data(), T(1), true);
            for (std::size_t i = 0; i < NH_; ++i) {
              const cmplx<T> fi(get_lane(f[i].r, l), get_lane(f[i].i, l));
              sbuf[i] = sbuf[i] * fi;
            }
            col_fft_.exec(sbuf.data(), T(1), false);
            for (std::size_t i = 0; i < H_; ++i) spectrum[i * NWc_ + c] = sbuf[i];
          }
        }
      }
    });
  }

  // Pass 3: inverse real FFT of the kept rows; write the first W samples.
  template <typename Write>
  void inverse_rows(const cmplx<T>* spectrum, const Write& write, std::size_t threads) const {
    const std::size_t groups = (H_ + L - 1) / L;
    parallel_for(groups, 4, threads, [&](std::size_t g0, std::size_t g1) {
      std::vector<V> vbuf(NW_);
      std::vector<T> sbuf(NW_);
      for (std::size_t g = g0; g < g1; ++g) {
        const std::size_t r0 = g * L;
        if (L > 1 && r0 + L <= H_) {
          for (std::size_t l = 0; l < L; ++l) pack(spectrum + (r0 + l) * NWc_, vbuf.data(), l);
          row_fft_.exec(vbuf.data(), T(1), false);
          for (std::size_t l = 0; l < L; ++l)
            for (std::size_t c = 0; c < W_; ++c) write(r0 + l, c, get_lane(vbuf[c], l));
        } else {
          for (std::size_t r = r0; r < std::min(H_, r0 + L); ++r) {
            pack(spectrum + r * NWc_, sbuf.data(), 0);
            row_fft_.exec(sbuf.data(), T(1), false);
            for (std::size_t c = 0; c < W_; ++c) write(r, c, sbuf[c]);
          }
        }
      }
    });
  }

  // pocketfft's real transforms use FFTPACK's half-complex order:
  // r0, r1, i1, r2, i2, ... (and r_{N/2} last when N is even).
  template <typename B>
  void unpack(const B* hc, std::size_t l, cmplx<T>* out) const {
    out[0] = cmplx<T>(get_lane(hc[0], l), T(0));
    std::size_t i = 1, k = 1;
    for (; i + 1 < NW_; i += 2, ++k) out[k] = cmplx<T>(get_lane(hc[i], l), get_lane(hc[i + 1], l));
    if (i < NW_) out[k] = cmplx<T>(get_lane(hc[i], l), T(0));
  }

  template <typename B>
  void pack(const cmplx<T>* in, B* hc, std::size_t l) const {
    set_lane(hc[0], l, in[0].r);
    std::size_t i = 1, k = 1;
    for (; i + 1 < NW_; i += 2, ++k) {
      set_lane(hc[i], l, in[k].r);
      set_lane(hc[i + 1], l, in[k].i);
    }
    if (i < NW_) set_lane(hc[i], l, in[k].r);
  }

  const std::size_t H_, W_, NH_, NW_, NWc_, groups_;
  const Boundary boundary_;
  const std::vector<std::size_t> row_src_, col_src_;
  const pocketfft_r<T> row_fft_;
  const pocketfft_c<T> col_fft_;
  std::vector<cmplx<V>> filter_, otf_;
  std::vector<T> taper_rows_, taper_cols_;
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<Workspace>> pool_;
};

}  // namespace

std::unique_ptr<WienerPlan> make_wiener_plan(const PsfView& psf, std::size_t rows,
                                             std::size_t cols, double balance,
                                             Regularizer regularizer, Boundary boundary,
                                             bool double_precision) {
  // 2^30 pixels: beyond this the spectrum alone needs > 8 GB; refuse rather
  // than start a multi-minute allocation storm.
  constexpr std::size_t kMaxPixels = std::size_t(1) << 30;
  if (rows == 0 || cols == 0) throw std::invalid_argument("shape must be at least 1 x 1");
  if (rows > kMaxPixels / cols)
    throw std::invalid_argument("shape is too large (more than 2**30 pixels)");
  if (psf.data == nullptr || psf.rows <= 0 || psf.cols <= 0)
    throw std::invalid_argument("psf must be a non-empty 2-D array");
  const std::size_t kh = static_cast<std::size_t>(psf.rows);
  const std::size_t kw = static_cast<std::size_t>(psf.cols);
  if (kh > rows || kw > cols)
    throw std::invalid_argument("psf (" + std::to_string(kh) + " x " + std::to_string(kw) +
                                ") must not be larger than the image (" + std::to_string(rows) +
                                " x " + std::to_string(cols) + ")");
  if (!(balance > 0.0) || !std::isfinite(balance))
    throw std::invalid_argument("balance must be a finite number > 0");

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
  if (!(sum > 0.0) || !std::isfinite(sum))
    throw std::invalid_argument("psf must have a positive, finite sum");
  for (double& v : kernel) v /= sum;

  if (double_precision)
    return std::make_unique<Plan<double>>(kernel, kh, kw, rows, cols, balance, regularizer,
                                          boundary);
  return std::make_unique<Plan<float>>(kernel, kh, kw, rows, cols, balance, regularizer,
                                       boundary);
}

}  // namespace clearsight
