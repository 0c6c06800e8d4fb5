#include "core/resize.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "core/parallel.hpp"

namespace clearsight {

namespace {

// Keys' cubic, a = -0.5, written as the reference evaluates it.
double cubic(double x) {
  const double ax = std::fabs(x);
  const double ax2 = ax * ax, ax3 = ax * ax * ax;
  if (ax <= 1.0) return 1.5 * ax3 - 2.5 * ax2 + 1.0;
  if (ax <= 2.0) return -0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0;
  return 0.0;
}

double triangle(double x) { return std::max(1.0 - std::fabs(x), 0.0); }

double box(double x) { return (x >= -0.5 && x < 0.5) ? 1.0 : 0.0; }

double kernel(ResizeMethod method, double x) {
  switch (method) {
    case ResizeMethod::bicubic: return cubic(x);
    case ResizeMethod::bilinear: return triangle(x);
    default: return box(x);
  }
}

double kernel_width(ResizeMethod method) {
  switch (method) {
    case ResizeMethod::bicubic: return 4.0;
    case ResizeMethod::bilinear: return 2.0;
    default: return 1.0;
  }
}

template <class T>
double load(const char* p) {
  return static_cast<double>(*reinterpret_cast<const T*>(p));
}

double read_sample(PixelType type, const char* p) {
  switch (type) {
    case PixelType::uint8: return load<std::uint8_t>(p);
    case PixelType::uint16: return load<std::uint16_t>(p);
    case PixelType::float32: return load<float>(p);
    default: return load<double>(p);
  }
}

// MATLAB's round (half away from zero), clipped to [0, top].
double round_clip(double v, double top) {
  const double r = v < 0.0 ? -std::floor(-v + 0.5) : std::floor(v + 0.5);
  return std::min(std::max(r, 0.0), top);
}

void write_sample(PixelType type, char* p, double v) {
  switch (type) {
    case PixelType::uint8: *reinterpret_cast<std::uint8_t*>(p) = static_cast<std::uint8_t>(round_clip(v, 255.0)); break;
    case PixelType::uint16: *reinterpret_cast<std::uint16_t*>(p) = static_cast<std::uint16_t>(round_clip(v, 65535.0)); break;
    case PixelType::float32: *reinterpret_cast<float*>(p) = static_cast<float>(v); break;
    default: *reinterpret_cast<double*>(p) = v; break;
  }
}

bool integer(PixelType type) { return type == PixelType::uint8 || type == PixelType::uint16; }

double top_value(PixelType type) { return type == PixelType::uint8 ? 255.0 : 65535.0; }

// out (n_out lines of `line` doubles) = taps applied across lines of `src`
// (n_in lines of `line` doubles): each output line is a weighted sum of input
// lines, added tap by tap over the whole line (vectorises over the line).
void resample_lines(const double* src, double* dst, std::size_t line, const AxisTaps& taps,
                    std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i) {
    double* out = dst + i * line;
    std::fill(out, out + line, 0.0);
    for (std::size_t k = 0; k < taps.taps; ++k) {
      const double w = taps.weight[i * taps.taps + k];
      if (w == 0.0) continue;  // adding w * x = 0 leaves every bit as it is
      const double* in = src + static_cast<std::size_t>(taps.index[i * taps.taps + k]) * line;
      for (std::size_t j = 0; j < line; ++j) out[j] = out[j] + w * in[j];
    }
  }
}

// Within each of `rows` rows of n_in × C doubles, resample the columns to n_out.
void resample_columns(const double* src, double* dst, std::size_t n_in, std::size_t n_out,
                      std::size_t channels, const AxisTaps& taps, std::size_t begin, std::size_t end) {
  for (std::size_t r = begin; r < end; ++r) {
    const double* row = src + r * n_in * channels;
    double* out = dst + r * n_out * channels;
    for (std::size_t j = 0; j < n_out; ++j) {
      double* o = out + j * channels;
      std::fill(o, o + channels, 0.0);
      for (std::size_t k = 0; k < taps.taps; ++k) {
        const double w = taps.weight[j * taps.taps + k];
        if (w == 0.0) continue;
        const double* in = row + static_cast<std::size_t>(taps.index[j * taps.taps + k]) * channels;
        for (std::size_t c = 0; c < channels; ++c) o[c] = o[c] + w * in[c];
      }
    }
  }
}

void round_in_place(std::vector<double>& values, double top, std::size_t threads) {
  parallel_for(values.size(), 1 << 16, threads, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) values[i] = round_clip(values[i], top);
  });
}

}  // namespace

AxisTaps resize_taps(std::size_t n_in, std::size_t n_out, double scale, ResizeMethod method,
                     bool antialias, ResizeBoundary boundary) {
  if (n_in == 0 || n_out == 0) throw std::invalid_argument("resize: sizes must be positive");
  if (!(scale > 0.0) || !std::isfinite(scale)) throw std::invalid_argument("scale must be a finite number > 0");
  double width = kernel_width(method);
  const bool stretch = scale < 1.0 && antialias && method != ResizeMethod::nearest;
  if (stretch) width = width / scale;
  AxisTaps t;
  t.taps = static_cast<std::size_t>(std::ceil(width)) + 2;
  t.index.resize(n_out * t.taps);
  t.weight.resize(n_out * t.taps);
  const auto n = static_cast<std::ptrdiff_t>(n_in);
  for (std::size_t i = 0; i < n_out; ++i) {
    const double x = static_cast<double>(i + 1);
    const double u = x / scale + 0.5 * (1.0 - 1.0 / scale);
    const double left = std::floor(u - width / 2.0);
    double* w = &t.weight[i * t.taps];
    for (std::size_t k = 0; k < t.taps; ++k) {
      const double index = left + static_cast<double>(k);  // 1-based, may be outside [1, n]
      const double d = u - index;
      w[k] = stretch ? scale * kernel(method, scale * d) : kernel(method, d);
      auto j = static_cast<std::ptrdiff_t>(index) - 1;     // 0-based
      if (boundary == ResizeBoundary::symmetric) {
        const std::ptrdiff_t period = 2 * n;
        j = ((j % period) + period) % period;
        if (j >= n) j = period - 1 - j;
      } else {
        j = std::min(std::max(j, std::ptrdiff_t{0}), n - 1);
      }
      t.index[i * t.taps + k] = j;
    }
    double total = w[0];
    for (std::size_t k = 1; k < t.taps; ++k) total += w[k];
    for (std::size_t k = 0; k < t.taps; ++k) w[k] /= total;
  }
  return t;
}

void resize(const ImageView& in, const ImageView& out, double scale_rows, double scale_cols,
            ResizeMethod method, bool antialias, ResizeBoundary boundary, std::size_t threads) {
  if (in.type != out.type) throw std::invalid_argument("out must have the image's dtype");
  if (in.channels != out.channels || in.channels < 1)
    throw std::invalid_argument("out must have the image's channels");
  if (in.rows < 1 || in.cols < 1 || out.rows < 1 || out.cols < 1)
    throw std::invalid_argument("image and out must not be empty");
  const auto h = static_cast<std::size_t>(in.rows), w = static_cast<std::size_t>(in.cols);
  const auto oh = static_cast<std::size_t>(out.rows), ow = static_cast<std::size_t>(out.cols);
  const auto c = static_cast<std::size_t>(in.channels);
  const AxisTaps row_taps = resize_taps(h, oh, scale_rows, method, antialias, boundary);
  const AxisTaps col_taps = resize_taps(w, ow, scale_cols, method, antialias, boundary);
  const bool round = integer(in.type);
  const double top = round ? top_value(in.type) : 0.0;

  // The image as contiguous float64 h × w × c.
  std::vector<double> source(h * w * c);
  parallel_for(h, 16, threads, [&](std::size_t b, std::size_t e) {
    for (std::size_t r = b; r < e; ++r)
      for (std::size_t j = 0; j < w; ++j)
        for (std::size_t k = 0; k < c; ++k) {
          const char* p = static_cast<const char*>(in.data) + static_cast<std::ptrdiff_t>(r) * in.row_stride +
                          static_cast<std::ptrdiff_t>(j) * in.col_stride +
                          static_cast<std::ptrdiff_t>(k) * in.channel_stride;
          source[(r * w + j) * c + k] = read_sample(in.type, p);
        }
  });

  // MATLAB's order: the axis with the smaller scale first, rows on a tie.
  std::vector<double> result;
  if (scale_rows <= scale_cols) {
    std::vector<double> middle(oh * w * c);
    parallel_for(oh, 4, threads, [&](std::size_t b, std::size_t e) {
      resample_lines(source.data(), middle.data(), w * c, row_taps, b, e);
    });
    if (round) round_in_place(middle, top, threads);
    result.resize(oh * ow * c);
    parallel_for(oh, 4, threads, [&](std::size_t b, std::size_t e) {
      resample_columns(middle.data(), result.data(), w, ow, c, col_taps, b, e);
    });
  } else {
    std::vector<double> middle(h * ow * c);
    parallel_for(h, 4, threads, [&](std::size_t b, std::size_t e) {
      resample_columns(source.data(), middle.data(), w, ow, c, col_taps, b, e);
    });
    if (round) round_in_place(middle, top, threads);
    result.resize(oh * ow * c);
    parallel_for(oh, 4, threads, [&](std::size_t b, std::size_t e) {
      resample_lines(middle.data(), result.data(), ow * c, row_taps, b, e);
    });
  }

  parallel_for(oh, 16, threads, [&](std::size_t b, std::size_t e) {
    for (std::size_t r = b; r < e; ++r)
      for (std::size_t j = 0; j < ow; ++j)
        for (std::size_t k = 0; k < c; ++k) {
          char* p = static_cast<char*>(out.data) + static_cast<std::ptrdiff_t>(r) * out.row_stride +
                    static_cast<std::ptrdiff_t>(j) * out.col_stride +
                    static_cast<std::ptrdiff_t>(k) * out.channel_stride;
          write_sample(out.type, p, result[(r * ow + j) * c + k]);
        }
  });
}

}  // namespace clearsight
