#include "core/color.hpp"

#include <cstring>
#include <stdexcept>

#include "core/parallel.hpp"

namespace clearsight {

namespace {

enum class Direction { forward, inverse, luma };

void convert(const ImageView& in, const ImageView& out, const ColorMatrix& matrix, Direction direction,
             bool clip, std::size_t threads) {
  if (in.data == nullptr || in.rows < 1 || in.cols < 1 || (in.channels != 3 && in.channels != 4))
    throw std::invalid_argument("image must be a non-empty H×W×3 or H×W×4 array");
  const std::ptrdiff_t out_channels = direction == Direction::luma ? 1 : in.channels;
  if (out.data == nullptr || out.rows != in.rows || out.cols != in.cols || out.channels != out_channels ||
      out.type != in.type)
    throw std::invalid_argument("out must have the shape and pixel type the conversion produces");
  if (threads == 0) throw std::invalid_argument("threads must be >= 1");
  const std::ptrdiff_t H = in.rows, W = in.cols;
  const std::size_t size = pixel_size(in.type);
  const int produced = direction == Direction::luma ? 1 : 3;
  constexpr std::ptrdiff_t kRows = 16;
  const auto blocks = static_cast<std::size_t>((H + kRows - 1) / kRows);
  parallel_for(blocks, 1, effective_threads(threads, blocks), [&](std::size_t b0, std::size_t b1) {
    const std::ptrdiff_t i1 = std::min(H, static_cast<std::ptrdiff_t>(b1) * kRows);
    for (std::ptrdiff_t i = static_cast<std::ptrdiff_t>(b0) * kRows; i < i1; ++i) {
      for (std::ptrdiff_t j = 0; j < W; ++j) {
        double p[3];
        for (int c = 0; c < 3; ++c) p[c] = detail::load_pixel<double>(in.pixel(i, j, c), in.type);
        if (direction == Direction::inverse)
          for (int c = 0; c < 3; ++c) p[c] -= matrix.offset[c];
        for (int k = 0; k < produced; ++k) {
          const double* m = matrix.m[k];
          double v = m[0] * p[0] + m[1] * p[1] + m[2] * p[2];
          if (direction != Direction::inverse) v += matrix.offset[k];
          detail::store_pixel<double>(out.pixel(i, j, k), out.type, v, clip);
        }
        if (in.channels == 4 && direction != Direction::luma)
          std::memcpy(out.pixel(i, j, 3), in.pixel(i, j, 3), size);
      }
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
