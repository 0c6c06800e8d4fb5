// Separable Gaussian blur and unsharp masking of H×W×C images, and the
// strided image view (with its pixel conversions) that the statistics and
// colour kernels share.
//
// Pure C++17: no Python, no pybind11.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "core/deconvolution.hpp"  // PixelType, pixel_size

// Hot loops are compiled for AVX2 as well as the baseline and chosen when the
// library loads (GCC's function multiversioning): twice the vector width on
// most x86-64 CPUs, without giving up the portable build.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(CLEARSIGHT_NO_CLONES)
#define CLEARSIGHT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CLEARSIGHT_CLONES
#endif

#if defined(__GNUC__)
#define CLEARSIGHT_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define CLEARSIGHT_ALWAYS_INLINE inline
#endif

namespace clearsight {

// An H×W×C image (C = 1 for a plane) with byte strides of any sign and in
// any order: C-ordered, Fortran-ordered, flipped, a channel subset of a
// larger interleaved image. Integers stand for value / max (uint8: 255,
// uint16: 65535), as in PlaneView.
struct ImageView {
  void* data = nullptr;
  PixelType type = PixelType::float32;
  std::ptrdiff_t rows = 0, cols = 0, channels = 1;
  std::ptrdiff_t row_stride = 0, col_stride = 0, channel_stride = 0;

  char* pixel(std::ptrdiff_t i, std::ptrdiff_t j, std::ptrdiff_t c) const {
    return static_cast<char*>(data) + i * row_stride + j * col_stride + c * channel_stride;
  }
};

enum class BlurBoundary { reflect, nearest, periodic };

// Taps on each side of the sampled Gaussian: truncate * sigma rounded half up
// (scipy.ndimage's rule). Throws std::invalid_argument when sigma or truncate
// is not a positive finite number or the radius exceeds `max_radius`.
std::size_t gaussian_radius(double sigma, double truncate, std::size_t max_radius = 1000000);

// Blurs every channel of `in` into `out` (same rows, cols, channels and pixel
// type; must not overlap `in`). float32 images are filtered in float32,
// the others in float64. Integers are rounded half up and clipped. Throws
// std::invalid_argument if a float image holds NaN or infinity (found while
// computing; `out` is then partly written).
void gaussian_blur(const ImageView& in, const ImageView& out, double sigma, double truncate,
                   BlurBoundary boundary, std::size_t threads);

// out = x + amount (x - G x) where |x - G x| > threshold, else x, for the
// colour channels (G: Gaussian of standard deviation `radius`, truncate 4,
// reflect borders); a trailing alpha channel (C = 2 or 4) is copied bit for
// bit. Floats are clipped to [0, 1] when `clip`; integers always are.
// Throws std::invalid_argument for NaN or infinity, as gaussian_blur.
void unsharp_mask(const ImageView& in, const ImageView& out, double radius, double amount,
                  double threshold, bool clip, std::size_t threads);

namespace detail {

// Pixel conversions, shared with the estimate and colour kernels. Integers
// are divided (not multiplied by a reciprocal) by their maximum, exactly as
// the reference's astype(float64) / max, so results can match it bit for bit.
template <class T>
inline T load_pixel(const char* p, PixelType type) {
  switch (type) {
    case PixelType::uint8:
      return static_cast<T>(static_cast<double>(*reinterpret_cast<const std::uint8_t*>(p)) / 255.0);
    case PixelType::uint16:
      return static_cast<T>(static_cast<double>(*reinterpret_cast<const std::uint16_t*>(p)) / 65535.0);
    case PixelType::float32:
      return static_cast<T>(*reinterpret_cast<const float*>(p));
    case PixelType::float64:
      return static_cast<T>(*reinterpret_cast<const double*>(p));
  }
  return T(0);
}

// Floats: clipped to [0, 1] when `clip`, then cast. Integers: clipped,
// scaled and rounded half up (floor(v * max + 0.5)), as from_unit_float.
template <class T>
inline void store_pixel(char* p, PixelType type, T v, bool clip) {
  switch (type) {
    case PixelType::uint8: {
      const double u = std::min(std::max(static_cast<double>(v), 0.0), 1.0);
      *reinterpret_cast<std::uint8_t*>(p) = static_cast<std::uint8_t>(std::floor(u * 255.0 + 0.5));
      return;
    }
    case PixelType::uint16: {
      const double u = std::min(std::max(static_cast<double>(v), 0.0), 1.0);
      *reinterpret_cast<std::uint16_t*>(p) = static_cast<std::uint16_t>(std::floor(u * 65535.0 + 0.5));
      return;
    }
    case PixelType::float32:
      if (clip) v = std::min(std::max(v, T(0)), T(1));
      *reinterpret_cast<float*>(p) = static_cast<float>(v);
      return;
    case PixelType::float64:
      if (clip) v = std::min(std::max(v, T(0)), T(1));
      *reinterpret_cast<double*>(p) = static_cast<double>(v);
      return;
  }
}

// True when every value is finite (its exponent bits are not all ones).
// Integer bit tests OR-ed together vectorise; a floating-point running sum
// (v - v is NaN for NaN and infinity) would be one chain of dependent adds.
template <class T>
inline bool all_finite(const T* v, std::ptrdiff_t n) {
  using Bits = typename std::conditional<sizeof(T) == 4, std::uint32_t, std::uint64_t>::type;
  constexpr Bits exponent = sizeof(T) == 4 ? Bits(0x7f800000u) : Bits(0x7ff0000000000000ull);
  Bits bad = 0;
  for (std::ptrdiff_t f = 0; f < n; ++f) {
    Bits b;
    std::memcpy(&b, v + f, sizeof b);
    bad |= static_cast<Bits>((b & exponent) == exponent);
  }
  return bad == 0;
}

// Index into an axis of n samples of position j of its extension (the
// reference's extend_index).
inline std::ptrdiff_t extend_index(std::ptrdiff_t j, std::ptrdiff_t n, BlurBoundary boundary) {
  switch (boundary) {
    case BlurBoundary::reflect: {
      std::ptrdiff_t m = j % (2 * n);
      if (m < 0) m += 2 * n;
      return m < n ? m : 2 * n - 1 - m;
    }
    case BlurBoundary::nearest:
      return std::min(std::max(j, std::ptrdiff_t(0)), n - 1);
    case BlurBoundary::periodic: {
      std::ptrdiff_t m = j % n;
      return m < 0 ? m + n : m;
    }
  }
  return 0;
}

}  // namespace detail

}  // namespace clearsight
