#include "core/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>
#include <stdexcept>
#include <vector>

#include "core/parallel.hpp"

namespace clearsight {

namespace {

// PyWavelets' db2 analysis high-pass [-h0, h1, -h2, h3] and 1 / Φ⁻¹(3/4),
// as the reference computes them (printed with repr: these decimal strings
// round to exactly the same doubles).
constexpr double kDecHi[4] = {-0.48296291314453416, 0.8365163037378079, -0.2241438680420134,
                              -0.12940952255126037};
constexpr double kMadToSigma = 1.482602218505602;
constexpr int kBucketShift = 48;

// Full-range BT.601 luma weights, the reference's LUMA_WEIGHTS.
constexpr double kLuma[3] = {0.299, 0.587, 0.114};

std::ptrdiff_t mirror(std::ptrdiff_t j, std::ptrdiff_t n) {
  return detail::extend_index(j, n, BlurBoundary::reflect);
}

// Channel c of row i of `v` as float64 in [0, 1] units; the dtype switch is
// outside the loop so the common cases vectorise.
void load_channel(const ImageView& v, std::ptrdiff_t i, std::ptrdiff_t c, double* dst) {
  const char* p = v.pixel(i, 0, c);
  const std::ptrdiff_t s = v.col_stride;
  switch (v.type) {
    case PixelType::uint8:
      for (std::ptrdiff_t j = 0; j < v.cols; ++j)
        dst[j] = static_cast<double>(*reinterpret_cast<const std::uint8_t*>(p + j * s)) / 255.0;
      return;
    case PixelType::uint16:
      for (std::ptrdiff_t j = 0; j < v.cols; ++j)
        dst[j] = static_cast<double>(*reinterpret_cast<const std::uint16_t*>(p + j * s)) / 65535.0;
      return;
    case PixelType::float32:
      if (s == sizeof(float)) {
        const float* f = reinterpret_cast<const float*>(p);
        for (std::ptrdiff_t j = 0; j < v.cols; ++j) dst[j] = f[j];
      } else {
        for (std::ptrdiff_t j = 0; j < v.cols; ++j) dst[j] = *reinterpret_cast<const float*>(p + j * s);
      }
      return;
    case PixelType::float64:
      for (std::ptrdiff_t j = 0; j < v.cols; ++j) dst[j] = *reinterpret_cast<const double*>(p + j * s);
      return;
  }
}

// The four terms of each detail coefficient along an axis of n samples:
// d[o] = sum over s of kDecHi[tap[s]] * x[source[s]], added in PyWavelets'
// order (terms past the end by descending tap, then those inside by
// ascending tap, then those before the start by ascending tap) so the
// rounding, and hence which coefficients are exactly zero, is the same.
struct Terms {
  int tap[4];
  std::ptrdiff_t source[4];
};

std::vector<Terms> dwt_terms(std::ptrdiff_t n) {
  std::vector<Terms> terms(static_cast<std::size_t>((n + 3) / 2));
  for (std::size_t o = 0; o < terms.size(); ++o) {
    const std::ptrdiff_t i = 2 * static_cast<std::ptrdiff_t>(o) + 1;
    int s = 0;
    for (int j = 3; j >= 0; --j)
      if (i - j >= n) terms[o].tap[s++] = j;
    for (int j = 0; j < 4; ++j)
      if (i - j >= 0 && i - j < n) terms[o].tap[s++] = j;
    for (int j = 0; j < 4; ++j)
      if (i - j < 0) terms[o].tap[s++] = j;
    for (int k = 0; k < 4; ++k) terms[o].source[k] = mirror(i - terms[o].tap[k], n);
  }
  return terms;
}

// col[j] = sum over the four terms of kDecHi[tap[k]] x[k][j], from 0, in
// the given order (the reference's rounding).
CLEARSIGHT_CLONES void column_terms(const double* const* x, const int* tap, double* __restrict col,
                                    std::ptrdiff_t n) {
  const double w0 = kDecHi[tap[0]], w1 = kDecHi[tap[1]], w2 = kDecHi[tap[2]], w3 = kDecHi[tap[3]];
  const double *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
  for (std::ptrdiff_t j = 0; j < n; ++j) col[j] = (((0.0 + w0 * x0[j]) + w1 * x1[j]) + w2 * x2[j]) + w3 * x3[j];
}

// The detail coefficients of one row. Away from the ends every output adds
// its terms inside the signal by ascending tap: a fixed formula that
// vectorises; the few outputs at the ends follow their own Terms.
CLEARSIGHT_CLONES void row_terms(const double* col, std::ptrdiff_t n, const std::vector<Terms>& across,
                                 double* __restrict out) {
  const auto outputs = static_cast<std::ptrdiff_t>(across.size());
  // Interior: 2p + 1 - 3 >= 0 and 2p + 1 < n.
  const std::ptrdiff_t first = 1, last = n >= 2 ? (n - 2) / 2 : 0;
  for (std::ptrdiff_t p = 0; p < outputs; ++p) {
    if (p == first && last >= first) {
      const double h0 = kDecHi[0], h1 = kDecHi[1], h2 = kDecHi[2], h3 = kDecHi[3];
      for (std::ptrdiff_t q = first; q <= last; ++q)
        out[q] = (((0.0 + h0 * col[2 * q + 1]) + h1 * col[2 * q]) + h2 * col[2 * q - 1]) + h3 * col[2 * q - 2];
      p = last;
      continue;
    }
    const Terms& u = across[p];
    double d = 0.0;
    for (int k = 0; k < 4; ++k) d += kDecHi[u.tap[k]] * col[u.source[k]];
    out[p] = d;
  }
}

// |values| in place; returns how many are zero and clears `finite` when a
// value is NaN or infinite.
CLEARSIGHT_CLONES std::size_t count_zeros(double* values, std::ptrdiff_t n, bool& finite) {
  std::size_t zeros = 0;
  for (std::ptrdiff_t p = 0; p < n; ++p) {
    const double a = __builtin_fabs(values[p]);
    values[p] = a;
    zeros += a == 0.0;
  }
  if (!detail::all_finite(values, n)) finite = false;
  return zeros;
}

// sum of x[k] (not `squares`) or of (x[k] - centre)² over k < n, in eight
// interleaved partial sums: one running sum would be a chain of dependent
// additions (the latency, not the throughput, would set the speed). The
// order is fixed, so the result does not depend on anything but x.
CLEARSIGHT_CLONES double lane_sum(const double* x, std::ptrdiff_t n, bool squares, double centre) {
  constexpr int kLanes = 8;
  double part[kLanes] = {};
  std::ptrdiff_t k = 0;
  if (!squares) {
    for (; k + kLanes <= n; k += kLanes)
      for (int l = 0; l < kLanes; ++l) part[l] += x[k + l];
    for (int l = 0; k < n; ++k, ++l) part[l] += x[k];
  } else {
    for (; k + kLanes <= n; k += kLanes)
      for (int l = 0; l < kLanes; ++l) part[l] += (x[k + l] - centre) * (x[k + l] - centre);
    for (int l = 0; k < n; ++k, ++l) part[l] += (x[k] - centre) * (x[k] - centre);
  }
  return ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
}

constexpr std::ptrdiff_t kNoiseBlock = 16;  // output rows per work item

// |HH| of channel c into `details` ((H+3)/2 × (W+3)/2); returns how many are
// exactly zero. Throws for non-finite coefficients (from NaN/inf pixels).
std::size_t abs_diagonal_detail(const ImageView& v, std::ptrdiff_t c, const std::vector<Terms>& down,
                                const std::vector<Terms>& across, std::vector<double>& details,
                                std::size_t threads) {
  const std::ptrdiff_t W = v.cols;
  const auto Ho = static_cast<std::ptrdiff_t>(down.size());
  const auto Wo = static_cast<std::ptrdiff_t>(across.size());
  details.resize(static_cast<std::size_t>(Ho * Wo));
  const auto blocks = static_cast<std::size_t>((Ho + kNoiseBlock - 1) / kNoiseBlock);
  std::vector<std::size_t> zeros(blocks, 0);
  std::vector<char> bad(blocks, 0);
  parallel_for(blocks, 1, effective_threads(threads, blocks), [&](std::size_t b0, std::size_t b1) {
    thread_local std::vector<double> rows, column;
    column.resize(static_cast<std::size_t>(W));
    for (std::size_t b = b0; b < b1; ++b) {
      const std::ptrdiff_t o0 = static_cast<std::ptrdiff_t>(b) * kNoiseBlock;
      const std::ptrdiff_t o1 = std::min(Ho, o0 + kNoiseBlock);
      // Source rows of this block: a short range, each converted once.
      std::ptrdiff_t lo = v.rows, hi = -1;
      for (std::ptrdiff_t o = o0; o < o1; ++o)
        for (std::ptrdiff_t k = 0; k < 4; ++k) {
          lo = std::min(lo, down[o].source[k]);
          hi = std::max(hi, down[o].source[k]);
        }
      rows.resize(static_cast<std::size_t>((hi - lo + 1) * W));
      for (std::ptrdiff_t r = lo; r <= hi; ++r) load_channel(v, r, c, rows.data() + (r - lo) * W);
      std::size_t zero = 0;
      bool finite = true;
      for (std::ptrdiff_t o = o0; o < o1; ++o) {
        const Terms& t = down[o];
        const double* x[4];
        for (int k = 0; k < 4; ++k) x[k] = rows.data() + (t.source[k] - lo) * W;
        column_terms(x, t.tap, column.data(), W);
        double* out = details.data() + o * Wo;
        row_terms(column.data(), W, across, out);
        zero += count_zeros(out, Wo, finite);
      }
      zeros[b] = zero;
      bad[b] = !finite;
    }
  });
  std::size_t zero = 0;
  for (std::size_t b = 0; b < blocks; ++b) {
    if (bad[b]) throw std::invalid_argument("image contains NaN or infinity");
    zero += zeros[b];
  }
  return zero;
}

std::uint32_t bucket_of(double a) {
  std::uint64_t bits;
  std::memcpy(&bits, &a, sizeof bits);
  return static_cast<std::uint32_t>(bits >> kBucketShift);
}

// The k-th smallest of `a` (0-based), and the (k-1)-th when `pair`: the order
// of non-negative doubles is the order of their bit patterns, so a histogram
// of the top bits (sign, exponent, 4 mantissa bits: buckets 1/16 of an octave
// wide), counted in parallel, says which bucket holds rank k; only the few
// values in it are then selected with nth_element. Exact, like sorting.
std::pair<double, double> select_rank(const std::vector<double>& a, std::size_t k, bool pair, std::size_t threads) {
  constexpr std::size_t kBuckets = std::size_t(1) << (64 - kBucketShift);
  const std::size_t n = a.size();
  const std::size_t chunks = std::min<std::size_t>(effective_threads(threads, n / 65536 + 1), 8);
  std::vector<std::vector<std::uint32_t>> counts(chunks);
  parallel_for(chunks, 1, chunks, [&](std::size_t c0, std::size_t c1) {
    for (std::size_t c = c0; c < c1; ++c) {
      std::vector<std::uint32_t>& h = counts[c];
      h.assign(kBuckets, 0);
      const std::size_t begin = n * c / chunks, end = n * (c + 1) / chunks;
      for (std::size_t i = begin; i < end; ++i) ++h[bucket_of(a[i])];
    }
  });
  const std::size_t first_rank = pair ? k - 1 : k;
  std::size_t below = 0, low = 0, high = 0, offset = 0;
  bool found_low = false;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    std::size_t in = 0;
    for (std::size_t c = 0; c < chunks; ++c) in += counts[c][b];
    if (!found_low && first_rank < below + in) {
      low = b;
      offset = below;
      found_low = true;
    }
    if (k < below + in) {
      high = b;
      break;
    }
    below += in;
  }
  std::vector<double> candidates;
  for (const double v : a) {
    const std::uint32_t b = bucket_of(v);
    if (b >= low && b <= high) candidates.push_back(v);
  }
  const auto mid = candidates.begin() + static_cast<std::ptrdiff_t>(k - offset);
  std::nth_element(candidates.begin(), mid, candidates.end());
  const double below_value = pair ? *std::max_element(candidates.begin(), mid) : *mid;
  return {below_value, *mid};
}

// median of the non-zero values of `a` (all >= 0, `zeros` of them 0) times
// 1 / Φ⁻¹(3/4). Zeros are the smallest values, so the k-th smallest non-zero
// value is the (zeros + k)-th smallest of all: no need to remove them.
double mad_sigma(const std::vector<double>& a, std::size_t zeros, std::size_t threads) {
  const std::size_t count = a.size() - zeros;
  if (count == 0) return 0.0;
  const bool even = count % 2 == 0;
  const auto [below, at] = select_rank(a, zeros + count / 2, even, threads);
  const double median = even ? (below + at) / 2.0 : at;  // NumPy's mean of the two middle values
  return median * kMadToSigma;
}

void check_image(const ImageView& v) {
  if (v.data == nullptr || v.rows < 1 || v.cols < 1 || v.channels < 1 || v.channels > 4)
    throw std::invalid_argument("image must be a non-empty H×W×C array with 1 to 4 channels");
}

}  // namespace

std::vector<double> estimate_noise(const ImageView& image, std::size_t threads) {
  check_image(image);
  if (threads == 0) throw std::invalid_argument("threads must be >= 1");
  const std::ptrdiff_t C = image.channels;
  const std::ptrdiff_t colour = (C == 2 || C == 4) ? C - 1 : C;
  const std::vector<Terms> down = dwt_terms(image.rows), across = dwt_terms(image.cols);
  std::vector<std::vector<double>> details(static_cast<std::size_t>(colour));
  std::vector<std::size_t> zeros(static_cast<std::size_t>(colour));
  for (std::ptrdiff_t c = 0; c < colour; ++c)
    zeros[c] = abs_diagonal_detail(image, c, down, across, details[c], threads);
  std::vector<double> sigmas(static_cast<std::size_t>(colour));
  for (std::ptrdiff_t c = 0; c < colour; ++c) sigmas[c] = mad_sigma(details[c], zeros[c], threads);
  return sigmas;
}

double sharpness(const ImageView& image, std::size_t threads) {
  check_image(image);
  if (threads == 0) throw std::invalid_argument("threads must be >= 1");
  const std::ptrdiff_t H = image.rows, W = image.cols;
  const bool rgb = image.channels >= 3;
  // Fixed blocks, merged in order: the result does not depend on `threads`.
  constexpr std::ptrdiff_t kBlock = 16;
  const auto blocks = static_cast<std::size_t>((H + kBlock - 1) / kBlock);
  std::vector<double> means(blocks), m2s(blocks);
  std::vector<char> bad(blocks, 0);
  parallel_for(blocks, 1, effective_threads(threads, blocks), [&](std::size_t b0, std::size_t b1) {
    thread_local std::vector<double> luma, lap, r, g, bl;
    for (std::size_t b = b0; b < b1; ++b) {
      const std::ptrdiff_t i0 = static_cast<std::ptrdiff_t>(b) * kBlock;
      const std::ptrdiff_t i1 = std::min(H, i0 + kBlock);
      const std::ptrdiff_t span = i1 - i0 + 2;
      luma.resize(static_cast<std::size_t>(span * W));
      r.resize(static_cast<std::size_t>(W));
      g.resize(static_cast<std::size_t>(W));
      bl.resize(static_cast<std::size_t>(W));
      for (std::ptrdiff_t k = 0; k < span; ++k) {
        const std::ptrdiff_t src = mirror(i0 - 1 + k, H);
        double* y = luma.data() + k * W;
        if (!rgb) {
          load_channel(image, src, 0, y);
          continue;
        }
        load_channel(image, src, 0, r.data());
        load_channel(image, src, 1, g.data());
        load_channel(image, src, 2, bl.data());
        for (std::ptrdiff_t j = 0; j < W; ++j) y[j] = kLuma[0] * r[j] + kLuma[1] * g[j] + kLuma[2] * bl[j];
      }
      const std::ptrdiff_t n = (i1 - i0) * W;
      lap.resize(static_cast<std::size_t>(n));
      for (std::ptrdiff_t i = i0; i < i1; ++i) {
        const double* up = luma.data() + (i - i0) * W;
        const double* mid = up + W;
        const double* down = mid + W;
        double* out = lap.data() + (i - i0) * W;
        // The reference's order of additions: up + down + left + right - 4 centre.
        for (std::ptrdiff_t j = 0; j < W; j += std::max<std::ptrdiff_t>(W - 1, 1)) {
          const double left = mid[mirror(j - 1, W)], right = mid[mirror(j + 1, W)];
          out[j] = up[j] + down[j] + left + right - 4.0 * mid[j];
        }
        for (std::ptrdiff_t j = 1; j < W - 1; ++j)
          out[j] = up[j] + down[j] + mid[j - 1] + mid[j + 1] - 4.0 * mid[j];
      }
      const double mean = lane_sum(lap.data(), n, false, 0.0) / static_cast<double>(n);
      const double m2 = lane_sum(lap.data(), n, true, mean);
      means[b] = mean;
      m2s[b] = m2;
      bad[b] = !std::isfinite(m2);
    }
  });
  // Chan et al.'s pairwise update, block after block.
  double count = 0.0, mean = 0.0, m2 = 0.0;
  for (std::size_t b = 0; b < blocks; ++b) {
    if (bad[b]) throw std::invalid_argument("image contains NaN or infinity");
    const std::ptrdiff_t rows = std::min(H, static_cast<std::ptrdiff_t>(b + 1) * kBlock) -
                                static_cast<std::ptrdiff_t>(b) * kBlock;
    const double nb = static_cast<double>(rows * W);
    const double total = count + nb;
    const double delta = means[b] - mean;
    mean += delta * nb / total;
    m2 += m2s[b] + delta * delta * count * nb / total;
    count = total;
  }
  return m2 / count;
}

}  // namespace clearsight
