// The Wiener plan: compiled once per instruction set (see CMakeLists.txt),
// each copy inside namespace clearsight::detail::CLEARSIGHT_ISA.
//
// One frame costs three passes over memory, each split across threads:
//   1. rows:    read pixels (any dtype, any strides, boundary extension
//               applied on the fly) L rows at a time into SIMD lanes, real
//               FFT, store the half spectrum in blocks of L columns;
//   2. columns: per block, in place: copy in the padding rows from the image
//               rows they mirror (so no padding row is ever transformed along
//               x), complex FFT, multiply by the filter, inverse FFT;
//   3. rows:    inverse real FFT of the rows the crop keeps, clip, convert
//               and write the output pixels.
// The filter multiply is fused into the column pass, the dtype conversion and
// boundary extension into the row passes, so no full-size temporary exists
// besides the spectrum, and the column pass needs no gather or scatter.

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
#include <vector>

#include "core/deconvolution.hpp"
#include "core/parallel.hpp"
#include "core/wiener_detail.hpp"

#ifndef CLEARSIGHT_ISA
#error "CLEARSIGHT_ISA must name the instruction-set namespace (isa_baseline, isa_avx2)"
#endif

namespace clearsight::detail::CLEARSIGHT_ISA {

// pocketfft's own thread pool is not used: we parallelise around its 1-D
// plans ourselves, and a global pool would outlive fork() badly.
#define POCKETFFT_NO_MULTITHREADING
#include "pocketfft.hpp"

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
    // A multiply, not a divide: division would dominate the uint8 read.
    constexpr T scale = T(1) / static_cast<T>(std::numeric_limits<P>::max());
    return static_cast<T>(v) * scale;
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

template <typename T>
class Plan final : public WienerPlan {
 public:
  explicit Plan(const PlanRequest& request)
      : H_(request.rows),
        W_(request.cols),
        NH_(padded_length(request.rows, request.psf_rows, request.boundary)),
        NW_(padded_length(request.cols, request.psf_cols, request.boundary)),
        NWc_(NW_ / 2 + 1),
        groups_((NWc_ + kLanes<T> - 1) / kLanes<T>),
        boundary_(request.boundary),
        row_src_(boundary_map(H_, NH_)),
        col_src_(boundary_map(W_, NW_)),
        row_fft_(NW_),
        col_fft_(NH_) {
    build_filters(request);
    if (boundary_ == Boundary::taper) {
      const std::size_t kh = request.psf_rows, kw = request.psf_cols;
      const std::vector<double>& psf = request.psf;
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
    // The half spectrum in column blocks: entry g * NH + i holds columns
    // g*L .. g*L+L-1 of row i as one complex SIMD vector, so each block of L
    // columns is contiguous and the column transforms run on it in place.
    std::vector<cmplx<V>> spectrum;
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
        ws_->spectrum.resize(plan_.groups_ * plan_.NH_);
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

  // Transfer function H of the PSF (centre (kh/2, kw/2) moved to the origin)
  // and from it the filter, in float64. Only the PSF's kh rows are nonzero
  // before the column transforms, so the row pass costs kh transforms, not NH;
  // the column transforms are shared out between threads, and each column of
  // H is turned into filter values while it is in cache.
  void build_filters(const PlanRequest& request) {
    using D = double;
    using VD = Vec<D>;
    constexpr std::size_t LD = kLanes<D>;
    const std::size_t kh = request.psf_rows, kw = request.psf_cols;
    const pocketfft_r<D> row_fft(NW_);
    const pocketfft_c<D> col_fft(NH_);
    std::vector<cmplx<D>> rows(kh * NWc_);
    std::vector<D> line(NW_);
    for (std::size_t a = 0; a < kh; ++a) {
      std::fill(line.begin(), line.end(), D(0));
      for (std::size_t b = 0; b < kw; ++b)
        line[(b + NW_ - (kw / 2) % NW_) % NW_] += request.psf[a * kw + b];
      row_fft.exec(line.data(), D(1), true);
      unpack(line.data(), 1, rows.data() + a * NWc_);
    }
    std::vector<std::size_t> psf_row_at(kh);
    for (std::size_t a = 0; a < kh; ++a) psf_row_at[a] = (a + NH_ - (kh / 2) % NH_) % NH_;

    const double two_pi = 6.283185307179586476925286766559;
    std::vector<double> row_cos(NH_), col_cos(NWc_);
    for (std::size_t i = 0; i < NH_; ++i) row_cos[i] = 2.0 * std::cos(two_pi * double(i) / double(NH_));
    for (std::size_t j = 0; j < NWc_; ++j) col_cos[j] = 2.0 * std::cos(two_pi * double(j) / double(NW_));
    // The inverse transforms are unnormalised: fold 1 / (NH NW) in here.
    const double scale = 1.0 / (double(NH_) * double(NW_));
    const bool laplacian = request.regularizer == Regularizer::laplacian;
    const bool taper = boundary_ == Boundary::taper;
    filter_.assign(groups_ * NH_, zero_vector());
    if (taper) otf_.assign(groups_ * NH_, zero_vector());

    const std::size_t double_groups = (NWc_ + LD - 1) / LD;
    parallel_for(double_groups, 1, request.threads, [&](std::size_t g0, std::size_t g1) {
      std::vector<cmplx<VD>> column(NH_);
      for (std::size_t g = g0; g < g1; ++g) {
        const std::size_t c0 = g * LD;
        const std::size_t lanes = std::min(LD, NWc_ - c0);
        for (auto& z : column)
          for (std::size_t l = 0; l < LD; ++l) {
            set_lane(z.r, l, D(0));
            set_lane(z.i, l, D(0));
          }
        for (std::size_t a = 0; a < kh; ++a)
          for (std::size_t l = 0; l < lanes; ++l) {
            cmplx<VD>& z = column[psf_row_at[a]];
            const cmplx<D> v = rows[a * NWc_ + c0 + l];
            set_lane(z.r, l, get_lane(z.r, l) + v.r);
            set_lane(z.i, l, get_lane(z.i, l) + v.i);
          }
        col_fft.exec(column.data(), D(1), true);
        for (std::size_t i = 0; i < NH_; ++i)
          for (std::size_t l = 0; l < lanes; ++l) {
            const std::size_t j = c0 + l;
            const std::complex<double> h(get_lane(column[i].r, l), get_lane(column[i].i, l));
            double r2 = 1.0;
            if (laplacian) {
              // |DFT of the 5-point Laplacian|^2, in closed form.
              const double response = 4.0 - row_cos[i] - col_cos[j];
              r2 = response * response;
            }
            const double denominator = std::norm(h) + request.balance * r2;
            const std::complex<double> f =
                denominator > 0.0 ? std::conj(h) / denominator * scale : std::complex<double>(0.0);
            set(filter_, i, j, f);
            if (taper) set(otf_, i, j, h * scale);
          }
      }
    });
  }

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

  // Row readers fill dst[j * step], j < NW (the row extended by col_src_);
  // row writers take src[c * step], c < W. They copy what they need into
  // locals: the pixel stores go through char*, which may alias anything, so
  // values reached through references would be reloaded on every pixel.
  template <typename P>
  struct PixelRows {
    char* base;
    std::ptrdiff_t row_stride, col_stride;
    const std::size_t* col_src;
    std::size_t W, NW;
    bool clip;

    const char* at(std::size_t r) const { return base + static_cast<std::ptrdiff_t>(r) * row_stride; }

    // Whether float output is clipped to [0, 1]; if so the caller clips whole
    // SIMD vectors first, which store_pixel then finds already in range.
    // (Integer output is clipped inside write_lanes, on vectors too.)
    bool clamps() const { return clip && !std::is_integral_v<P>; }

    void read(std::size_t r, T* dst, std::size_t step) const {
      const char* row = at(r);
      const std::ptrdiff_t cs = col_stride;
      const std::size_t w = W, nw = NW;
      if constexpr (std::is_floating_point_v<P>) {
        // v * 0 is 0 for finite v and NaN for NaN or infinity: checking the
        // frame costs one multiply-add per pixel here, instead of a separate
        // pass over memory in Python.
        T poison = T(0);
        for (std::size_t j = 0; j < w; ++j) {
          const T v = load_pixel<T, P>(row + static_cast<std::ptrdiff_t>(j) * cs);
          dst[j * step] = v;
          poison += v * T(0);
        }
        if (poison != poison) throw std::invalid_argument("image contains NaN or infinity");
      } else {
        for (std::size_t j = 0; j < w; ++j)
          dst[j * step] = load_pixel<T, P>(row + static_cast<std::ptrdiff_t>(j) * cs);
      }
      for (std::size_t j = w; j < nw; ++j)
        dst[j * step] = load_pixel<T, P>(row + static_cast<std::ptrdiff_t>(col_src[j]) * cs);
    }

    // Reads rows r0 .. r0 + L - 1 into dst[j] (lane l = row r0 + l), one
    // vector per column, so the lane buffer is written sequentially.
    void read_lanes(std::size_t r0, V* dst) const {
      const char* rows[L];
      for (std::size_t l = 0; l < L; ++l) rows[l] = at(r0 + l);
      const std::ptrdiff_t cs = col_stride;
      const std::size_t w = W, nw = NW;
      V poison = V{} + T(0);
      for (std::size_t j = 0; j < w; ++j) {
        const std::ptrdiff_t offset = static_cast<std::ptrdiff_t>(j) * cs;
        V v;
        for (std::size_t l = 0; l < L; ++l) set_lane(v, l, load_pixel<T, P>(rows[l] + offset));
        dst[j] = v;
        if constexpr (std::is_floating_point_v<P>) poison += v * T(0);  // see read()
      }
      if constexpr (std::is_floating_point_v<P>) {
        for (std::size_t l = 0; l < L; ++l)
          if (get_lane(poison, l) != get_lane(poison, l))
            throw std::invalid_argument("image contains NaN or infinity");
      }
      for (std::size_t j = w; j < nw; ++j) {
        const std::ptrdiff_t offset = static_cast<std::ptrdiff_t>(col_src[j]) * cs;
        V v;
        for (std::size_t l = 0; l < L; ++l) set_lane(v, l, load_pixel<T, P>(rows[l] + offset));
        dst[j] = v;
      }
    }

    // Writes rows r0 .. r0 + L - 1 from src[j] (lane l = row r0 + l): the
    // lane buffer is read sequentially, one vector per column, and the L
    // rows are written side by side.
    void write_lanes(std::size_t r0, const V* src) const {
      char* rows[L];
      for (std::size_t l = 0; l < L; ++l)
        rows[l] = base + static_cast<std::ptrdiff_t>(r0 + l) * row_stride;
      const std::ptrdiff_t cs = col_stride;
      const std::size_t w = W;
      const bool c = clip;
      for (std::size_t j = 0; j < w; ++j) {
        const std::ptrdiff_t offset = static_cast<std::ptrdiff_t>(j) * cs;
        if constexpr (std::is_integral_v<P>) {
          // Clip, scale and round on the whole vector (as store_pixel does
          // per value), then convert each lane.
          const V zero = V{} + T(0), one = V{} + T(1);
          V v = src[j];
          v = (v > zero) ? v : zero;
          v = (v < one) ? v : one;
          v = v * static_cast<T>(std::numeric_limits<P>::max()) + T(0.5);
          for (std::size_t l = 0; l < L; ++l) {
            const P q = static_cast<P>(get_lane(v, l));
            std::memcpy(rows[l] + offset, &q, sizeof(P));
          }
        } else {
          const V v = src[j];
          for (std::size_t l = 0; l < L; ++l) store_pixel<T, P>(rows[l] + offset, get_lane(v, l), c);
        }
      }
    }

    void write(std::size_t r, const T* src, std::size_t step) const {
      char* row = base + static_cast<std::ptrdiff_t>(r) * row_stride;
      const std::ptrdiff_t cs = col_stride;
      const std::size_t w = W;
      const bool c = clip;
      for (std::size_t j = 0; j < w; ++j)
        store_pixel<T, P>(row + static_cast<std::ptrdiff_t>(j) * cs, src[j * step], c);
    }
  };

  // The edge-tapered frame of Boundary::taper, H x W, periodic.
  template <typename P>
  struct TaperRows {
    T* blend;
    const PixelRows<P>* image;
    const T* weight_rows;
    const T* weight_cols;
    std::size_t W;

    void read(std::size_t r, T* dst, std::size_t step) const {
      const T* row = blend + r * W;
      const std::size_t w = W;
      for (std::size_t j = 0; j < w; ++j) dst[j * step] = row[j];
    }

    static constexpr bool clamps() { return false; }

    void read_lanes(std::size_t r0, V* dst) const {
      T* lanes = reinterpret_cast<T*>(dst);
      for (std::size_t l = 0; l < L; ++l) read(r0 + l, lanes + l, L);
    }

    void write_lanes(std::size_t r0, const V* src) const {
      const T* lanes = reinterpret_cast<const T*>(src);
      for (std::size_t l = 0; l < L; ++l) write(r0 + l, lanes + l, L);
    }

    // src is the circularly blurred frame: blend = w x + (1 - w) blurred.
    void write(std::size_t r, const T* src, std::size_t step) const {
      T* row = blend + r * W;
      image->read(r, row, 1);
      const T wr = weight_rows[r];
      const std::size_t w = W;
      for (std::size_t j = 0; j < w; ++j) {
        const T weight = wr * weight_cols[j];
        row[j] = weight * row[j] + (T(1) - weight) * src[j * step];
      }
    }
  };

  template <typename P>
  void run(const PlaneView& in, const PlaneView& out, bool clip, std::size_t threads,
           Workspace& ws) const {
    const PixelRows<P> source{static_cast<char*>(in.data), in.row_stride, in.col_stride,
                              col_src_.data(), W_, NW_, clip};
    const PixelRows<P> target{static_cast<char*>(out.data), out.row_stride, out.col_stride,
                              col_src_.data(), W_, NW_, clip};
    cmplx<V>* spectrum = ws.spectrum.data();
    if (boundary_ == Boundary::taper) {
      // Blend the frame with its own circular blur near the edges, then
      // deconvolve the blend periodically.
      const TaperRows<P> tapered{ws.blend.data(), &source, taper_rows_.data(), taper_cols_.data(),
                                 W_};
      forward_rows(source, spectrum, threads);
      filter_columns(spectrum, otf_, threads);
      inverse_rows(spectrum, tapered, threads);
      forward_rows(tapered, spectrum, threads);
    } else {
      forward_rows(source, spectrum, threads);
    }
    filter_columns(spectrum, filter_, threads);
    inverse_rows(spectrum, target, threads);
  }

  // Pass 1: real FFT of each frame row (extended along the row by col_src_),
  // stored into the column blocks.
  template <typename Rows>
  void forward_rows(const Rows& rows, cmplx<V>* spectrum, std::size_t threads) const {
    const std::size_t groups = (H_ + L - 1) / L;
    parallel_for(groups, 4, threads, [&](std::size_t g0, std::size_t g1) {
      std::vector<V> vbuf(NW_);
      std::vector<T> sbuf(NW_);
      for (std::size_t g = g0; g < g1; ++g) {
        const std::size_t r0 = g * L;
        if (L > 1 && r0 + L <= H_) {
          rows.read_lanes(r0, vbuf.data());
          row_fft_.exec(vbuf.data(), T(1), true);
          store_rows(vbuf.data(), spectrum, r0);
        } else {
          for (std::size_t r = r0; r < std::min(H_, r0 + L); ++r) {
            rows.read(r, sbuf.data(), 1);
            row_fft_.exec(sbuf.data(), T(1), true);
            store_row(sbuf.data(), spectrum, r);
          }
        }
      }
    });
  }

  // Pass 3: inverse real FFT of the kept rows; the first W samples are written.
  template <typename Rows>
  void inverse_rows(const cmplx<V>* spectrum, const Rows& rows, std::size_t threads) const {
    const std::size_t groups = (H_ + L - 1) / L;
    parallel_for(groups, 4, threads, [&](std::size_t g0, std::size_t g1) {
      std::vector<V> vbuf(NW_);
      std::vector<T> sbuf(NW_);
      for (std::size_t g = g0; g < g1; ++g) {
        const std::size_t r0 = g * L;
        if (L > 1 && r0 + L <= H_) {
          load_rows(spectrum, r0, vbuf.data());
          row_fft_.exec(vbuf.data(), T(1), false);
          if (rows.clamps()) clamp_unit(vbuf.data(), W_);
          rows.write_lanes(r0, vbuf.data());
        } else {
          for (std::size_t r = r0; r < std::min(H_, r0 + L); ++r) {
            load_row(spectrum, r, sbuf.data());
            row_fft_.exec(sbuf.data(), T(1), false);
            rows.write(r, sbuf.data(), 1);
          }
        }
      }
    });
  }

  // Pass 2, per block of L columns, in place: fill the padding rows from
  // the image rows they mirror, FFT, multiply by `table`, inverse FFT.
  void filter_columns(cmplx<V>* spectrum, const std::vector<cmplx<V>>& table,
                      std::size_t threads) const {
    parallel_for(groups_, 1, threads, [&](std::size_t g0, std::size_t g1) {
      for (std::size_t g = g0; g < g1; ++g) {
        cmplx<V>* column = spectrum + g * NH_;
        const cmplx<V>* f = table.data() + g * NH_;
        for (std::size_t i = H_; i < NH_; ++i) column[i] = column[row_src_[i]];
        col_fft_.exec(column, T(1), true);
        for (std::size_t i = 0; i < NH_; ++i) column[i] = column[i] * f[i];
        col_fft_.exec(column, T(1), false);
      }
    });
  }

  // Between FFTPACK's half-complex row order (r0, r1, i1, r2, i2, ...,
  // and r_{N/2} last when N is even) and the column blocks. Element (row i,
  // column k) is lane k % L of block entry (k / L) * NH + i.
  T* real_part(cmplx<V>* spectrum, std::size_t i, std::size_t k) const {
    return reinterpret_cast<T*>(&spectrum[(k / L) * NH_ + i].r) + k % L;
  }
  const T* real_part(const cmplx<V>* spectrum, std::size_t i, std::size_t k) const {
    return reinterpret_cast<const T*>(&spectrum[(k / L) * NH_ + i].r) + k % L;
  }
  // In a cmplx<V> the L imaginary lanes follow the L real ones.
  static constexpr std::size_t kImag = L;
  // Consecutive rows of one column are this many T apart.
  static constexpr std::size_t kRowStep = 2 * L;

  // L rows r0 .. r0+L-1 at once (lane l = row r0 + l).
  void store_rows(const V* hc, cmplx<V>* spectrum, std::size_t r0) const {
    const std::size_t n = NW_;
    auto put = [&](std::size_t k, const V& re, const V* im) {
      T* dst = real_part(spectrum, r0, k);
      for (std::size_t l = 0; l < L; ++l) {
        dst[l * kRowStep] = get_lane(re, l);
        dst[l * kRowStep + kImag] = im ? get_lane(*im, l) : T(0);
      }
    };
    put(0, hc[0], nullptr);
    std::size_t i = 1, k = 1;
    for (; i + 1 < n; i += 2, ++k) put(k, hc[i], &hc[i + 1]);
    if (i < n) put(k, hc[i], nullptr);
  }

  void load_rows(const cmplx<V>* spectrum, std::size_t r0, V* hc) const {
    const std::size_t n = NW_;
    auto get = [&](std::size_t k, V& re, V* im) {
      const T* src = real_part(spectrum, r0, k);
      for (std::size_t l = 0; l < L; ++l) {
        set_lane(re, l, src[l * kRowStep]);
        if (im) set_lane(*im, l, src[l * kRowStep + kImag]);
      }
    };
    get(0, hc[0], nullptr);
    std::size_t i = 1, k = 1;
    for (; i + 1 < n; i += 2, ++k) get(k, hc[i], &hc[i + 1]);
    if (i < n) get(k, hc[i], nullptr);
  }

  // One row r.
  void store_row(const T* hc, cmplx<V>* spectrum, std::size_t r) const {
    const std::size_t n = NW_;
    auto put = [&](std::size_t k, T re, T im) {
      T* dst = real_part(spectrum, r, k);
      dst[0] = re;
      dst[kImag] = im;
    };
    put(0, hc[0], T(0));
    std::size_t i = 1, k = 1;
    for (; i + 1 < n; i += 2, ++k) put(k, hc[i], hc[i + 1]);
    if (i < n) put(k, hc[i], T(0));
  }

  void load_row(const cmplx<V>* spectrum, std::size_t r, T* hc) const {
    const std::size_t n = NW_;
    hc[0] = *real_part(spectrum, r, 0);
    std::size_t i = 1, k = 1;
    for (; i + 1 < n; i += 2, ++k) {
      const T* src = real_part(spectrum, r, k);
      hc[i] = src[0];
      hc[i + 1] = src[kImag];
    }
    if (i < n) hc[i] = *real_part(spectrum, r, k);
  }

  // Clips n values to [0, 1], NaN to 0, exactly as store_pixel does.
  static void clamp_unit(V* values, std::size_t n) {
    const V zero = V{} + T(0), one = V{} + T(1);
    for (std::size_t j = 0; j < n; ++j) {
      V v = values[j];
      v = (v > zero) ? v : zero;  // on vectors: GCC/Clang's lane-wise select
      v = (v < one) ? v : one;
      values[j] = v;
    }
  }

  // Half-complex row (FFTPACK order) to complex values, for the filter.
  template <typename S>
  void unpack(const S* hc, std::size_t step, cmplx<S>* out) const {
    const std::size_t n = NW_;
    out[0] = cmplx<S>(hc[0], S(0));
    std::size_t i = 1, k = 1;
    for (; i + 1 < n; i += 2, ++k) out[k] = cmplx<S>(hc[i * step], hc[(i + 1) * step]);
    if (i < n) out[k] = cmplx<S>(hc[i * step], S(0));
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

std::unique_ptr<WienerPlan> make_plan(const PlanRequest& request) {
  if (request.double_precision) return std::make_unique<Plan<double>>(request);
  return std::make_unique<Plan<float>>(request);
}

}  // namespace clearsight::detail::CLEARSIGHT_ISA
