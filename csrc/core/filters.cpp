#include "core/filters.hpp"

#include <atomic>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/parallel.hpp"

namespace clearsight {

namespace {

// The correlation along one axis, out[i] = sum_k taps[k] x_ext[i + low + k],
// after the reference's _fold: kernels longer than the extension's period
// are folded onto it, so memory stays bounded for any sigma.
struct AxisKernel {
  std::ptrdiff_t low = 0;
  std::vector<double> taps;
  bool symmetric = true;  // unfolded: taps[k] == taps[K-1-k], low == -(K-1)/2
};

std::vector<double> gaussian_weights(double sigma, std::size_t radius) {
  // One tap of weight 1, as the reference: for sigma below ~1e-154, sigma²
  // underflows to 0 and exp(-inf * 0) would make every output NaN.
  if (radius == 0) return {1.0};
  std::vector<double> w(2 * radius + 1);
  // The reference's expression, evaluated in the same order: exp((-0.5 / s²) d d).
  const double a = -0.5 / (sigma * sigma);
  double sum = 0.0;
  for (std::size_t k = 0; k < w.size(); ++k) {
    const double d = static_cast<double>(k) - static_cast<double>(radius);
    w[k] = std::exp(a * d * d);
    sum += w[k];
  }
  for (double& v : w) v /= sum;
  return w;
}

std::ptrdiff_t floor_mod(std::ptrdiff_t a, std::ptrdiff_t m) {
  a %= m;
  return a < 0 ? a + m : a;
}

AxisKernel fold(const std::vector<double>& weights, std::ptrdiff_t n, BlurBoundary boundary) {
  const auto radius = static_cast<std::ptrdiff_t>(weights.size() - 1) / 2;
  AxisKernel k;
  std::ptrdiff_t (*folded)(std::ptrdiff_t, std::ptrdiff_t) = nullptr;
  if (boundary == BlurBoundary::reflect && radius >= n) {
    k.low = -n;
    folded = [](std::ptrdiff_t d, std::ptrdiff_t len) { return floor_mod(d + len, 2 * len) - len; };
  } else if (boundary == BlurBoundary::periodic && (radius > n / 2 || radius > n - n / 2 - 1)) {
    k.low = -(n / 2);
    folded = [](std::ptrdiff_t d, std::ptrdiff_t len) { return floor_mod(d + len / 2, len) - len / 2; };
  } else if (boundary == BlurBoundary::nearest && radius > n - 1) {
    k.low = -(n - 1);
    folded = [](std::ptrdiff_t d, std::ptrdiff_t len) {
      return std::min(std::max(d, -(len - 1)), len - 1);
    };
  } else {
    k.low = -radius;
    k.taps = weights;
    return k;
  }
  k.symmetric = false;
  std::ptrdiff_t high = k.low;
  for (std::ptrdiff_t d = -radius; d <= radius; ++d) high = std::max(high, folded(d, n));
  k.taps.assign(static_cast<std::size_t>(high - k.low + 1), 0.0);
  for (std::ptrdiff_t d = -radius; d <= radius; ++d)
    k.taps[static_cast<std::size_t>(folded(d, n) - k.low)] += weights[static_cast<std::size_t>(d + radius)];
  return k;
}

// dst[j] = sum_k taps[k] src[k][j], j < n. Symmetric kernels add each pair
// of mirrored rows before multiplying (half the multiplies) and sum from the
// outermost (smallest) taps inwards, which keeps rounding low. The work is
// done kVectors vectors of 32 bytes at a time (GCC vector types: one AVX
// register, or two SSE2 ones in the baseline build), their partial sums held
// in registers through all the taps; independent sums hide the add latency.
// The tail, element by element, does the same operations in the same order.
template <class T>
CLEARSIGHT_ALWAYS_INLINE void combine_row(const T* const* src, const T* taps, std::size_t count,
                                                       bool symmetric, T* __restrict dst, std::ptrdiff_t n) {
#if defined(__GNUC__)
  typedef T V __attribute__((vector_size(32)));
  constexpr std::ptrdiff_t kLanes = 32 / sizeof(T);
  constexpr int kVectors = 4;
  constexpr std::ptrdiff_t kTile = kLanes * kVectors;
#endif
  const std::size_t last = count - 1;
  const std::size_t r = last / 2;
  const bool paired = symmetric && count > 1;
  std::ptrdiff_t j0 = 0;
#if defined(__GNUC__)  // GCC and Clang vector types; elsewhere the loop below does all
  for (; j0 + kTile <= n; j0 += kTile) {
    V acc[kVectors];
    if (paired) {
      const T* a = src[0] + j0;
      const T* b = src[last] + j0;
      for (int v = 0; v < kVectors; ++v) {
        V x, y;  // unaligned loads
        std::memcpy(&x, a + v * kLanes, sizeof x);
        std::memcpy(&y, b + v * kLanes, sizeof y);
        acc[v] = taps[0] * (x + y);
      }
      for (std::size_t k = 1; k < r; ++k) {
        const T w = taps[k];
        a = src[k] + j0;
        b = src[last - k] + j0;
        for (int v = 0; v < kVectors; ++v) {
          V x, y;
          std::memcpy(&x, a + v * kLanes, sizeof x);
          std::memcpy(&y, b + v * kLanes, sizeof y);
          acc[v] += w * (x + y);
        }
      }
      const T* c = src[r] + j0;
      for (int v = 0; v < kVectors; ++v) {
        V x;
        std::memcpy(&x, c + v * kLanes, sizeof x);
        acc[v] += taps[r] * x;
      }
    } else {
      const T* a = src[0] + j0;
      for (int v = 0; v < kVectors; ++v) {
        V x;
        std::memcpy(&x, a + v * kLanes, sizeof x);
        acc[v] = taps[0] * x;
      }
      for (std::size_t k = 1; k < count; ++k) {
        const T w = taps[k];
        a = src[k] + j0;
        for (int v = 0; v < kVectors; ++v) {
          V x;
          std::memcpy(&x, a + v * kLanes, sizeof x);
          acc[v] += w * x;
        }
      }
    }
    std::memcpy(dst + j0, acc, sizeof acc);
  }
#endif
  for (; j0 < n; ++j0) {
    T acc;
    if (paired) {
      acc = taps[0] * (src[0][j0] + src[last][j0]);
      for (std::size_t k = 1; k < r; ++k) acc += taps[k] * (src[k][j0] + src[last - k][j0]);
      acc += taps[r] * src[r][j0];
    } else {
      acc = taps[0] * src[0][j0];
      for (std::size_t k = 1; k < count; ++k) acc += taps[k] * src[k][j0];
    }
    dst[j0] = acc;
  }
}

CLEARSIGHT_CLONES void combine(const float* const* src, const float* taps, std::size_t count, bool symmetric,
                               float* __restrict dst, std::ptrdiff_t n) {
  combine_row<float>(src, taps, count, symmetric, dst, n);
}

CLEARSIGHT_CLONES void combine(const double* const* src, const double* taps, std::size_t count, bool symmetric,
                               double* __restrict dst, std::ptrdiff_t n) {
  combine_row<double>(src, taps, count, symmetric, dst, n);
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
// The select below is a comparison that could raise an FP exception nobody
// observes; without this GCC keeps it a branch and does not vectorise it.
#pragma GCC optimize("no-trapping-math")
#endif
// dst = x + amount (x - blur) where |x - blur| > threshold, else x, then
// clipped to [0, 1] when `clip`: one pass, written straight to the output
// row where it can be. dst may be blur itself (element by element).
template <class T>
CLEARSIGHT_ALWAYS_INLINE void sharpen_values(const T* x, const T* blur, T* dst, std::ptrdiff_t n, T amount,
                                             T threshold, bool clip) {
  if (clip) {
    for (std::ptrdiff_t f = 0; f < n; ++f) {
      const T d = x[f] - blur[f];
      const T a = sizeof(T) == 4 ? __builtin_fabsf(static_cast<float>(d)) : __builtin_fabs(d);
      const T y = a > threshold ? x[f] + amount * d : x[f];
      const T v = y < T(0) ? T(0) : y;
      dst[f] = v > T(1) ? T(1) : v;
    }
  } else {
    for (std::ptrdiff_t f = 0; f < n; ++f) {
      const T d = x[f] - blur[f];
      const T a = sizeof(T) == 4 ? __builtin_fabsf(static_cast<float>(d)) : __builtin_fabs(d);
      dst[f] = a > threshold ? x[f] + amount * d : x[f];
    }
  }
}

CLEARSIGHT_CLONES void sharpen_row(const float* x, const float* blur, float* dst, std::ptrdiff_t n, float amount,
                                   float threshold, bool clip) {
  sharpen_values<float>(x, blur, dst, n, amount, threshold, clip);
}

CLEARSIGHT_CLONES void sharpen_row(const double* x, const double* blur, double* dst, std::ptrdiff_t n,
                                   double amount, double threshold, bool clip) {
  sharpen_values<double>(x, blur, dst, n, amount, threshold, clip);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

CLEARSIGHT_CLONES bool row_is_finite(const float* v, std::ptrdiff_t n) { return detail::all_finite<float>(v, n); }
CLEARSIGHT_CLONES bool row_is_finite(const double* v, std::ptrdiff_t n) { return detail::all_finite<double>(v, n); }

template <class T>
constexpr PixelType pixel_type_of() {
  return std::is_same<T, float>::value ? PixelType::float32 : PixelType::float64;
}

// True when row i of `v` is W×C contiguous values of type T, which the
// kernel can then read or write in place.
template <class T>
bool rows_are_direct(const ImageView& v) {
  const auto size = static_cast<std::ptrdiff_t>(sizeof(T));
  return v.type == pixel_type_of<T>() && (v.channels == 1 || v.channel_stride == size) &&
         (v.cols == 1 || v.col_stride == v.channels * size);
}

template <class T>
void load_row(const ImageView& v, std::ptrdiff_t i, T* dst) {
  const std::ptrdiff_t C = v.channels;
  for (std::ptrdiff_t j = 0; j < v.cols; ++j)
    for (std::ptrdiff_t c = 0; c < C; ++c) dst[j * C + c] = detail::load_pixel<T>(v.pixel(i, j, c), v.type);
}

template <class T>
void store_row(const ImageView& v, std::ptrdiff_t i, T* vals, bool clip, bool direct) {
  const std::ptrdiff_t n = v.cols * v.channels;
  if (direct) {
    if (clip)
      for (std::ptrdiff_t f = 0; f < n; ++f) vals[f] = std::min(std::max(vals[f], T(0)), T(1));
    std::memcpy(v.pixel(i, 0, 0), vals, static_cast<std::size_t>(n) * sizeof(T));
    return;
  }
  const std::ptrdiff_t C = v.channels;
  for (std::ptrdiff_t j = 0; j < v.cols; ++j)
    for (std::ptrdiff_t c = 0; c < C; ++c) detail::store_pixel<T>(v.pixel(i, j, c), v.type, vals[j * C + c], clip);
}

struct Sharpen {
  bool enabled = false;
  double amount = 0.0, threshold = 0.0;
  bool clip = false;
  std::ptrdiff_t colour = 0;  // channels sharpened; the rest (alpha) is copied
};

template <class T>
void filter(const ImageView& in, const ImageView& out, const AxisKernel& vertical,
            const AxisKernel& horizontal, BlurBoundary boundary, const Sharpen& sharpen,
            std::size_t threads) {
  const std::ptrdiff_t H = in.rows, W = in.cols, C = in.channels, WC = W * C;
  const std::vector<T> tv(vertical.taps.begin(), vertical.taps.end());
  const std::vector<T> th(horizontal.taps.begin(), horizontal.taps.end());
  const auto Kv = static_cast<std::ptrdiff_t>(tv.size());
  const auto Kh = static_cast<std::ptrdiff_t>(th.size());
  const std::ptrdiff_t lead = -horizontal.low;  // padded pixels before column 0
  const bool direct_in = rows_are_direct<T>(in);
  const bool direct_out = rows_are_direct<T>(out);
  const T amount = static_cast<T>(sharpen.amount), threshold = static_cast<T>(sharpen.threshold);

  // Row blocks: a block re-reads Kv - 1 rows beyond its own, so blocks are
  // not too short; enough of them that threads share the work evenly.
  const auto workers = static_cast<std::ptrdiff_t>(effective_threads(threads, static_cast<std::size_t>(H)));
  const std::ptrdiff_t per_block = std::max<std::ptrdiff_t>(16, (H + 8 * workers - 1) / (8 * workers));
  const auto blocks = static_cast<std::size_t>((H + per_block - 1) / per_block);

  // A non-finite pixel makes every blurred value it reaches non-finite (the
  // centre tap is never 0), so checking the blur, row by row in cache, finds
  // them without another pass over the image.
  const bool check_finite = in.type == PixelType::float32 || in.type == PixelType::float64;
  std::atomic<bool> all_finite_rows{true};
  parallel_for(blocks, 1, effective_threads(threads, blocks), [&](std::size_t b0, std::size_t b1) {
    bool finite = true;
    // Buffers persist per thread (the pool's threads live on), so repeated
    // calls do not fault in fresh pages.
    thread_local std::vector<T> converted, padded, result;
    thread_local std::vector<const T*> rows, columns;
    for (std::size_t b = b0; b < b1; ++b) {
      const std::ptrdiff_t i0 = static_cast<std::ptrdiff_t>(b) * per_block;
      const std::ptrdiff_t i1 = std::min(H, i0 + per_block);
      const std::ptrdiff_t span = (i1 - i0) + Kv - 1;
      rows.resize(static_cast<std::size_t>(span));
      if (!direct_in) converted.resize(static_cast<std::size_t>(span * WC));
      for (std::ptrdiff_t k = 0; k < span; ++k) {
        const std::ptrdiff_t src = detail::extend_index(i0 + vertical.low + k, H, boundary);
        if (direct_in) {
          rows[k] = reinterpret_cast<const T*>(in.pixel(src, 0, 0));
        } else {
          load_row<T>(in, src, converted.data() + k * WC);
          rows[k] = converted.data() + k * WC;
        }
      }
      padded.resize(static_cast<std::size_t>((W + Kh - 1) * C));
      result.resize(static_cast<std::size_t>(WC));
      columns.resize(static_cast<std::size_t>(Kh));
      for (std::ptrdiff_t k = 0; k < Kh; ++k) columns[k] = padded.data() + k * C;
      T* centre = padded.data() + lead * C;
      for (std::ptrdiff_t i = i0; i < i1; ++i) {
        const T* const* window = rows.data() + (i - i0);
        combine(window, tv.data(), tv.size(), vertical.symmetric, centre, WC);
        for (std::ptrdiff_t m = 0; m < W + Kh - 1; ++m) {
          if (m == lead) m = lead + W;
          if (m >= W + Kh - 1) break;
          const std::ptrdiff_t src = detail::extend_index(m - lead, W, boundary);
          std::memcpy(padded.data() + m * C, centre + src * C, static_cast<std::size_t>(C) * sizeof(T));
        }
        // Rows of the output that are rows of T take the result directly.
        T* out_row = direct_out ? reinterpret_cast<T*>(out.pixel(i, 0, 0)) : nullptr;
        if (sharpen.enabled) {
          T* blur = result.data();
          combine(columns.data(), th.data(), th.size(), horizontal.symmetric, blur, WC);
          if (check_finite && !row_is_finite(blur, WC)) finite = false;
          if (direct_out) {
            sharpen_row(window[-vertical.low], blur, out_row, WC, amount, threshold, sharpen.clip);
          } else {
            sharpen_row(window[-vertical.low], blur, blur, WC, amount, threshold, false);
            store_row<T>(out, i, blur, sharpen.clip, false);
          }
          if (sharpen.colour < C) {
            const std::size_t size = pixel_size(in.type);
            for (std::ptrdiff_t j = 0; j < W; ++j)
              for (std::ptrdiff_t c = sharpen.colour; c < C; ++c)
                std::memcpy(out.pixel(i, j, c), in.pixel(i, j, c), size);
          }
        } else if (direct_out) {
          combine(columns.data(), th.data(), th.size(), horizontal.symmetric, out_row, WC);
          if (check_finite && !row_is_finite(out_row, WC)) finite = false;
        } else {
          combine(columns.data(), th.data(), th.size(), horizontal.symmetric, result.data(), WC);
          if (check_finite && !row_is_finite(result.data(), WC)) finite = false;
          store_row<T>(out, i, result.data(), false, false);
        }
      }
    }
    if (!finite) all_finite_rows.store(false, std::memory_order_relaxed);
    // Keep ordinary buffers for the next call, but do not let one call on a
    // huge image (or a huge folded kernel) pin its memory to a pool thread.
    constexpr std::size_t kKeep = std::size_t(16) << 20;
    if (converted.capacity() * sizeof(T) > kKeep) std::vector<T>().swap(converted);
    if (padded.capacity() * sizeof(T) > kKeep) std::vector<T>().swap(padded);
    if (result.capacity() * sizeof(T) > kKeep) std::vector<T>().swap(result);
    if (rows.capacity() * sizeof(T*) > kKeep) std::vector<const T*>().swap(rows);
    if (columns.capacity() * sizeof(T*) > kKeep) std::vector<const T*>().swap(columns);
  });
  if (!all_finite_rows.load()) throw std::invalid_argument("image contains NaN or infinity");
}

void check_views(const ImageView& in, const ImageView& out) {
  if (in.data == nullptr || in.rows < 1 || in.cols < 1 || in.channels < 1 || in.channels > 4)
    throw std::invalid_argument("image must be a non-empty H×W×C array with 1 to 4 channels");
  if (out.data == nullptr || out.rows != in.rows || out.cols != in.cols || out.channels != in.channels ||
      out.type != in.type)
    throw std::invalid_argument("out must have the shape and pixel type of image");
}

void run(const ImageView& in, const ImageView& out, double sigma, double truncate, BlurBoundary boundary,
         const Sharpen& sharpen, std::size_t threads) {
  check_views(in, out);
  if (threads == 0) throw std::invalid_argument("threads must be >= 1");
  const std::vector<double> weights = gaussian_weights(sigma, gaussian_radius(sigma, truncate));
  const AxisKernel vertical = fold(weights, in.rows, boundary);
  const AxisKernel horizontal = fold(weights, in.cols, boundary);
  if (in.type == PixelType::float32)
    filter<float>(in, out, vertical, horizontal, boundary, sharpen, threads);
  else
    filter<double>(in, out, vertical, horizontal, boundary, sharpen, threads);
}

}  // namespace

std::size_t gaussian_radius(double sigma, double truncate, std::size_t max_radius) {
  if (!(sigma > 0.0) || !std::isfinite(sigma))
    throw std::invalid_argument("sigma must be a positive finite number");
  if (!(truncate > 0.0) || !std::isfinite(truncate))
    throw std::invalid_argument("truncate must be a positive finite number");
  const double r = std::floor(truncate * sigma + 0.5);
  if (!(r <= static_cast<double>(max_radius)))
    throw std::invalid_argument("sigma * truncate gives a kernel radius above " + std::to_string(max_radius) +
                                " pixels");
  return static_cast<std::size_t>(r);
}

void gaussian_blur(const ImageView& in, const ImageView& out, double sigma, double truncate,
                   BlurBoundary boundary, std::size_t threads) {
  run(in, out, sigma, truncate, boundary, Sharpen{}, threads);
}

void unsharp_mask(const ImageView& in, const ImageView& out, double radius, double amount,
                  double threshold, bool clip, std::size_t threads) {
  if (!(amount >= 0.0) || !std::isfinite(amount))
    throw std::invalid_argument("amount must be a finite number >= 0");
  if (!(threshold >= 0.0) || !std::isfinite(threshold))
    throw std::invalid_argument("threshold must be a finite number >= 0");
  Sharpen sharpen;
  sharpen.enabled = true;
  sharpen.amount = amount;
  sharpen.threshold = threshold;
  // Integers are always clipped: store_pixel does it for them.
  sharpen.clip = clip;
  sharpen.colour = (in.channels == 2 || in.channels == 4) ? in.channels - 1 : in.channels;
  if (!std::isfinite(radius) || !(radius > 0.0))
    throw std::invalid_argument("radius must be a positive finite number");
  run(in, out, radius, 4.0, BlurBoundary::reflect, sharpen, threads);
}

}  // namespace clearsight
