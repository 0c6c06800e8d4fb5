#include "core/color.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <stdexcept>

#include "core/parallel.hpp"

namespace clearsight {

namespace {

enum class Direction { forward, inverse, luma };

// Pixel type P known at compile time, so the per-pixel conversions are
// inlined without a switch (load_pixel/store_pixel's arithmetic, unchanged).
template <class P>
double to_unit(const char* p) {
  const P v = *reinterpret_cast<const P*>(p);
  if constexpr (std::is_integral<P>::value)
    return static_cast<double>(v) / static_cast<double>(std::numeric_limits<P>::max());
  else
    return static_cast<double>(v);
}

template <class P>
void from_unit(char* p, double v, bool clip) {
  if constexpr (std::is_integral<P>::value) {
    const double top = static_cast<double>(std::numeric_limits<P>::max());
    const double u = std::min(std::max(v, 0.0), 1.0);
    *reinterpret_cast<P*>(p) = static_cast<P>(std::floor(u * top + 0.5));
  } else {
    if (clip) v = std::min(std::max(v, 0.0), 1.0);
    *reinterpret_cast<P*>(p) = static_cast<P>(v);
  }
}

template <class P>
void convert_rows(const ImageView& in, const ImageView& out, const ColorMatrix& matrix, Direction direction,
                  bool clip, std::ptrdiff_t i0, std::ptrdiff_t i1) {
  const int produced = direction == Direction::luma ? 1 : 3;
  const bool alpha = in.channels == 4 && direction != Direction::luma;
  for (std::ptrdiff_t i = i0; i < i1; ++i) {
    for (std::ptrdiff_t j = 0; j < in.cols; ++j) {
      double p[3];
      for (int c = 0; c < 3; ++c) p[c] = to_unit<P>(in.pixel(i, j, c));
      if (direction == Direction::inverse)
        for (int c = 0; c < 3; ++c) p[c] -= matrix.offset[c];
      for (int k = 0; k < produced; ++k) {
        const double* m = matrix.m[k];
        // The reference's order: m0 p0 + m1 p1 + m2 p2, then + offset.
        double v = m[0] * p[0] + m[1] * p[1] + m[2] * p[2];
        if (direction != Direction::inverse) v += matrix.offset[k];
        from_unit<P>(out.pixel(i, j, k), v, clip);
      }
      if (alpha) std::memcpy(out.pixel(i, j, 3), in.pixel(i, j, 3), sizeof(P));
    }
  }
}

void convert(const ImageView& in, const ImageView& out, const ColorMatrix& matrix, Direction direction,
             bool clip, std::size_t threads) {
  if (in.data == nullptr || in.rows < 1 || in.cols < 1 || (in.channels != 3 && in.channels != 4))
    throw std::invalid_argument("image must be a non-empty H×W×3 or H×W×4 array");
  const std::ptrdiff_t out_channels = direction == Direction::luma ? 1 : in.channels;
  if (out.data == nullptr || out.rows != in.rows || out.cols != in.cols || out.channels != out_channels ||
      out.type != in.type)
    throw std::invalid_argument("out must have the shape and pixel type the conversion produces");
  if (threads == 0) throw std::invalid_argument("threads must be >= 1");
  const std::ptrdiff_t H = in.rows;
  constexpr std::ptrdiff_t kRows = 16;
  const auto blocks = static_cast<std::size_t>((H + kRows - 1) / kRows);
  parallel_for(blocks, 1, effective_threads(threads, blocks), [&](std::size_t b0, std::size_t b1) {
    const std::ptrdiff_t i0 = static_cast<std::ptrdiff_t>(b0) * kRows;
    const std::ptrdiff_t i1 = std::min(H, static_cast<std::ptrdiff_t>(b1) * kRows);
    switch (in.type) {
      case PixelType::uint8: return convert_rows<std::uint8_t>(in, out, matrix, direction, clip, i0, i1);
      case PixelType::uint16: return convert_rows<std::uint16_t>(in, out, matrix, direction, clip, i0, i1);
      case PixelType::float32: return convert_rows<float>(in, out, matrix, direction, clip, i0, i1);
      case PixelType::float64: return convert_rows<double>(in, out, matrix, direction, clip, i0, i1);
    }
  });
}

}  // namespace

ColorMatrix rgb_to_ycbcr_matrix() {
  const double coefficients[3][3] = {
      {65.481, 128.553, 24.966}, {-37.797, -74.203, 112.0}, {112.0, -93.786, -18.214}};
  ColorMatrix forward{};
  for (int k = 0; k < 3; ++k)
    for (int c = 0; c < 3; ++c) forward.m[k][c] = coefficients[k][c] / 255.0;
  forward.offset[0] = 16.0 / 255.0;
  forward.offset[1] = 128.0 / 255.0;
  forward.offset[2] = 128.0 / 255.0;
  return forward;
}

void rgb_to_ycbcr(const ImageView& in, const ImageView& out, const ColorMatrix& forward, std::size_t threads) {
  convert(in, out, forward, Direction::forward, false, threads);
}

void ycbcr_to_rgb(const ImageView& in, const ImageView& out, const ColorMatrix& inverse, bool clip,
                  std::size_t threads) {
  convert(in, out, inverse, Direction::inverse, clip, threads);
}

void rgb_to_y(const ImageView& in, const ImageView& out, const ColorMatrix& forward, std::size_t threads) {
  convert(in, out, forward, Direction::luma, false, threads);
}

}  // namespace clearsight
