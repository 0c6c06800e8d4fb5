#include "core/resize.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <utility>
#include <stdexcept>

#include "core/parallel.hpp"
#include "core/resize_detail.hpp"

namespace clearsight {

namespace resize_detail {

std::vector<Span> nonzero_spans(const AxisTaps& t, std::size_t n_out) {
  std::vector<Span> spans(n_out);
  for (std::size_t i = 0; i < n_out; ++i) {
    const double* w = &t.weight[i * t.taps];
    std::size_t first = 0, last = t.taps;
    while (first < last && w[first] == 0.0) ++first;
    while (last > first && w[last - 1] == 0.0) --last;
    spans[i] = {first, last};
  }
  return spans;
}

}  // namespace resize_detail

namespace {

using resize_detail::nonzero_spans;
using resize_detail::Span;

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

using resize_detail::round_clip;

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

// Row r of the image as `cols * channels` doubles.
void read_row(const ImageView& in, std::size_t r, double* dst) {
  const auto c = static_cast<std::size_t>(in.channels);
  const char* row = static_cast<const char*>(in.data) + static_cast<std::ptrdiff_t>(r) * in.row_stride;
  const auto size = static_cast<std::ptrdiff_t>(pixel_size(in.type));
  const bool packed = in.channel_stride == size && in.col_stride == size * in.channels;
  const auto n = static_cast<std::size_t>(in.cols) * c;
  if (packed && in.type == PixelType::uint8) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(row);
    for (std::size_t i = 0; i < n; ++i) dst[i] = p[i];
  } else if (packed && in.type == PixelType::float32) {
    const auto* p = reinterpret_cast<const float*>(row);
    for (std::size_t i = 0; i < n; ++i) dst[i] = p[i];
  } else {
    for (std::size_t j = 0; j < static_cast<std::size_t>(in.cols); ++j)
      for (std::size_t k = 0; k < c; ++k)
        dst[j * c + k] = read_sample(in.type, row + static_cast<std::ptrdiff_t>(j) * in.col_stride +
                                                  static_cast<std::ptrdiff_t>(k) * in.channel_stride);
  }
}

void write_row(const ImageView& out, std::size_t r, const double* src) {
  const auto c = static_cast<std::size_t>(out.channels);
  char* row = static_cast<char*>(out.data) + static_cast<std::ptrdiff_t>(r) * out.row_stride;
  const auto size = static_cast<std::ptrdiff_t>(pixel_size(out.type));
  const bool packed = out.channel_stride == size && out.col_stride == size * out.channels;
  const auto n = static_cast<std::size_t>(out.cols) * c;
  if (packed && out.type == PixelType::uint8) {
    auto* p = reinterpret_cast<std::uint8_t*>(row);
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(round_clip(src[i], 255.0));
  } else if (packed && out.type == PixelType::float32) {
    auto* p = reinterpret_cast<float*>(row);
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<float>(src[i]);
  } else {
    for (std::size_t j = 0; j < static_cast<std::size_t>(out.cols); ++j)
      for (std::size_t k = 0; k < c; ++k)
        write_sample(out.type, row + static_cast<std::ptrdiff_t>(j) * out.col_stride +
                                   static_cast<std::ptrdiff_t>(k) * out.channel_stride,
                     src[j * c + k]);
  }
}

// One output line of the row pass: the weighted sum of input lines, added
// tap by tap over the whole line (vectorises over the line).
void combine_lines(const double* const* lines, const double* w, Span span, std::size_t n, double* out) {
  std::fill(out, out + n, 0.0);
  for (std::size_t k = span.first; k < span.last; ++k) {
    const double wk = w[k];
    const double* in = lines[k];
    for (std::size_t j = 0; j < n; ++j) out[j] = out[j] + wk * in[j];
  }
}

// The column pass on one line of n_in pixels × C channels.
template <std::size_t C>
void resample_line(const double* in, double* out, std::size_t n_out, const AxisTaps& t,
                   const std::vector<Span>& spans) {
  for (std::size_t j = 0; j < n_out; ++j) {
    const double* w = &t.weight[j * t.taps];
    const std::ptrdiff_t* idx = &t.index[j * t.taps];
    double acc[C] = {};
    for (std::size_t k = spans[j].first; k < spans[j].last; ++k) {
      const double* p = in + static_cast<std::size_t>(idx[k]) * C;
      for (std::size_t c = 0; c < C; ++c) acc[c] = acc[c] + w[k] * p[c];
    }
    for (std::size_t c = 0; c < C; ++c) out[j * C + c] = acc[c];
  }
}

void resample_line(const double* in, double* out, std::size_t n_out, std::size_t channels,
                   const AxisTaps& t, const std::vector<Span>& spans) {
  switch (channels) {
    case 1: resample_line<1>(in, out, n_out, t, spans); return;
    case 2: resample_line<2>(in, out, n_out, t, spans); return;
    case 3: resample_line<3>(in, out, n_out, t, spans); return;
    case 4: resample_line<4>(in, out, n_out, t, spans); return;
    default: break;
  }
  for (std::size_t j = 0; j < n_out; ++j) {
    const double* w = &t.weight[j * t.taps];
    const std::ptrdiff_t* idx = &t.index[j * t.taps];
    for (std::size_t c = 0; c < channels; ++c) {
      double acc = 0.0;
      for (std::size_t k = spans[j].first; k < spans[j].last; ++k)
        acc = acc + w[k] * in[static_cast<std::size_t>(idx[k]) * channels + c];
      out[j * channels + c] = acc;
    }
  }
}

void round_line(double* values, std::size_t n, double top) {
  for (std::size_t i = 0; i < n; ++i) values[i] = round_clip(values[i], top);
}

// The taps of one axis with their spans, and what they were made from.
struct AxisKey {
  std::size_t n_in, n_out;
  double scale;
  ResizeMethod method;
  bool antialias;
  ResizeBoundary boundary;
  bool operator==(const AxisKey& o) const {
    return n_in == o.n_in && n_out == o.n_out && scale == o.scale && method == o.method &&
           antialias == o.antialias && boundary == o.boundary;
  }
};

struct AxisTable {
  AxisTaps taps;
  std::vector<Span> spans;
  mutable resize_detail::PlanCache plans;
};

// The tables of the last few axes resized: frames of a stream share theirs,
// and for a small output making them costs as much as resizing.
std::shared_ptr<const AxisTable> axis_table(const AxisKey& key) {
  static std::mutex mutex;
  static std::deque<std::pair<AxisKey, std::shared_ptr<const AxisTable>>> recent;
  constexpr std::size_t kKept = 8;
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& entry : recent)
      if (entry.first == key) return entry.second;
  }
  auto table = std::make_shared<AxisTable>();
  table->taps = resize_taps(key.n_in, key.n_out, key.scale, key.method, key.antialias, key.boundary);
  table->spans = nonzero_spans(table->taps, key.n_out);
  std::lock_guard<std::mutex> lock(mutex);
  recent.emplace_front(key, table);
  if (recent.size() > kKept) recent.pop_back();
  return table;
}

// The door leaves the finiteness of float images to the kernel.
void check_finite(const ImageView& in, std::size_t threads) {
  std::atomic<bool> bad{false};
  parallel_for(static_cast<std::size_t>(in.rows), 16, threads, [&](std::size_t b, std::size_t e) {
    std::vector<double> row(static_cast<std::size_t>(in.cols * in.channels));
    for (std::size_t i = b; i < e && !bad; ++i) {
      read_row(in, i, row.data());
      for (double v : row)
        if (!std::isfinite(v)) bad = true;
    }
  });
  if (bad) throw std::invalid_argument("image contains NaN or infinity");
}

// Output rows are made in bands, each from the input rows its taps reach,
// so every intermediate stays in cache.
constexpr std::size_t kBand = 16;

}  // namespace

AxisTaps resize_taps(std::size_t n_in, std::size_t n_out, double scale, ResizeMethod method,
                     bool antialias, ResizeBoundary boundary) {
  if (n_in == 0 || n_out == 0) throw std::invalid_argument("resize: sizes must be positive");
  if (!(scale > 0.0) || !std::isfinite(scale)) throw std::invalid_argument("scale must be a finite number > 0");
  double width = kernel_width(method);
  const bool stretch = scale < 1.0 && antialias && method != ResizeMethod::nearest;
  if (stretch) width = width / scale;
  // The last output's coordinate is the largest; beyond 2**52 the tap indices
  // are no longer exact integers (and beyond 2**63 not even representable),
  // so the backends would part (F15 of docs/reliability.md).
  if (!(static_cast<double>(n_out) / scale + width < 0x1p52))
    throw std::invalid_argument("resize: scale is too small for the output size (coordinates beyond 2**52)");
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
      if (j >= 0 && j < n) {
        // inside: both rules keep it (and the modulo below is slow)
      } else if (boundary == ResizeBoundary::symmetric) {
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

std::size_t resize(const ImageView& in, const ImageView& out, double scale_rows, double scale_cols,
                   ResizeMethod method, bool antialias, ResizeBoundary boundary, std::size_t threads,
                   ResizeTrace* trace) {
  if (trace) *trace = ResizeTrace{};
  if (in.type != out.type) throw std::invalid_argument("out must have the image's dtype");
  if (in.channels != out.channels || in.channels < 1)
    throw std::invalid_argument("out must have the image's channels");
  if (in.rows < 1 || in.cols < 1 || out.rows < 1 || out.cols < 1)
    throw std::invalid_argument("image and out must not be empty");
  const auto h = static_cast<std::size_t>(in.rows), w = static_cast<std::size_t>(in.cols);
  const auto oh = static_cast<std::size_t>(out.rows), ow = static_cast<std::size_t>(out.cols);
  const auto c = static_cast<std::size_t>(in.channels);
  const std::shared_ptr<const AxisTable> rows = axis_table({h, oh, scale_rows, method, antialias, boundary});
  const std::shared_ptr<const AxisTable> cols = axis_table({w, ow, scale_cols, method, antialias, boundary});
  const AxisTaps& row_taps = rows->taps;
  const AxisTaps& col_taps = cols->taps;
  const std::vector<Span>& row_spans = rows->spans;
  const std::vector<Span>& col_spans = cols->spans;
#if defined(CLEARSIGHT_HAVE_AVX2)
  // (Its tap tables index a row's samples with int32.)
  if ((in.type == PixelType::uint8 || in.type == PixelType::float32) && w * c < (std::size_t(1) << 27) &&
      ow * c < (std::size_t(1) << 27) && std::strcmp(cpu_variant(), "avx2") == 0)
    return resize_detail::resize_avx2(in, out, {&row_taps, &row_spans, &rows->plans},
                                      {&col_taps, &col_spans, &cols->plans},
                                      scale_rows <= scale_cols, threads, trace);
#endif
  if (!integer(in.type)) check_finite(in, threads);
  const bool round = integer(in.type);
  const double top = round ? top_value(in.type) : 0.0;
  const std::size_t bands = (oh + kBand - 1) / kBand;

  // The input rows (of `line` doubles) that output rows [r0, r1) reach, made
  // by `make(row, dst)` into a band-local cache; then each output row is
  // combined from them and finished by `finish(row, line, scratch)`, with
  // `scratch` a buffer of the calling thread.
  auto row_pass = [&](std::size_t line, auto make, auto finish) {
    parallel_for(bands, 1, threads, [&](std::size_t b0, std::size_t b1) {
      std::vector<double> cache, combined(line), scratch;
      std::vector<const double*> lines(row_taps.taps);
      for (std::size_t band = b0; band < b1; ++band) {
        const std::size_t r0 = band * kBand, r1 = std::min(oh, r0 + kBand);
        std::ptrdiff_t lo = static_cast<std::ptrdiff_t>(h), hi = -1;
        for (std::size_t r = r0; r < r1; ++r)
          for (std::size_t k = row_spans[r].first; k < row_spans[r].last; ++k) {
            lo = std::min(lo, row_taps.index[r * row_taps.taps + k]);
            hi = std::max(hi, row_taps.index[r * row_taps.taps + k]);
          }
        if (hi >= lo) {
          cache.resize(static_cast<std::size_t>(hi - lo + 1) * line);
          for (std::ptrdiff_t i = lo; i <= hi; ++i)
            make(static_cast<std::size_t>(i), &cache[static_cast<std::size_t>(i - lo) * line]);
        }
        for (std::size_t r = r0; r < r1; ++r) {
          for (std::size_t k = row_spans[r].first; k < row_spans[r].last; ++k)
            lines[k] = &cache[static_cast<std::size_t>(row_taps.index[r * row_taps.taps + k] - lo) * line];
          combine_lines(lines.data(), &row_taps.weight[r * row_taps.taps], row_spans[r], line, combined.data());
          finish(r, combined.data(), scratch);
        }
      }
    });
  };

  // MATLAB's order: the axis with the smaller scale first, rows on a tie;
  // integer images are rounded between the passes.
  if (scale_rows <= scale_cols) {
    row_pass(w * c, [&](std::size_t i, double* dst) { read_row(in, i, dst); },
             [&](std::size_t r, double* line, std::vector<double>& scratch) {
               if (round) round_line(line, w * c, top);
               scratch.resize(ow * c);
               resample_line(line, scratch.data(), ow, c, col_taps, col_spans);
               write_row(out, r, scratch.data());
             });
  } else {
    // Columns first: every input row once, kept for the row pass.
    std::vector<double> middle(h * ow * c);
    parallel_for(h, 8, threads, [&](std::size_t b, std::size_t e) {
      std::vector<double> row(w * c);
      for (std::size_t i = b; i < e; ++i) {
        read_row(in, i, row.data());
        resample_line(row.data(), &middle[i * ow * c], ow, c, col_taps, col_spans);
        if (round) round_line(&middle[i * ow * c], ow * c, top);
      }
    });
    row_pass(ow * c,
             [&](std::size_t i, double* dst) { std::copy_n(&middle[i * ow * c], ow * c, dst); },
             [&](std::size_t r, double* line, std::vector<double>&) { write_row(out, r, line); });
  }
  return 0;
}

}  // namespace clearsight
