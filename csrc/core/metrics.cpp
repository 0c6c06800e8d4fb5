// PSNR, SSIM and MS-SSIM kernels (see metrics.hpp).
//
// Compiled with -ffp-contract=off (CMakeLists.txt): every product and sum is
// rounded as NumPy rounds it, which makes the SSIM map bit-identical to the
// reference's, ssim(x, x) exactly 1 and ssim(x, y) exactly ssim(y, x), and
// the AVX2 and baseline variants give the same bits.
#include "core/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "core/deconvolution.hpp"  // cpu_variant
#include "core/parallel.hpp"

#if defined(__GNUC__)
#define CLEARSIGHT_INLINE inline __attribute__((always_inline))
#else
#define CLEARSIGHT_INLINE inline
#endif

namespace clearsight {

namespace {

constexpr std::ptrdiff_t kRadius = 5;
constexpr std::ptrdiff_t kTaps = 2 * kRadius + 1;
// Output rows per vertical pass, and the ring of filtered rows they span.
constexpr std::ptrdiff_t kRowsPerPass = 4;
constexpr std::ptrdiff_t kRing = kTaps + kRowsPerPass - 1;
// Samples per PSNR block: the unit of work and of summation, fixed so that
// the result does not depend on the thread count. 2^16 uint8 squared
// differences (<= 65025 each) still sum exactly in 32 bits.
constexpr std::ptrdiff_t kPsnrBlock = std::ptrdiff_t(1) << 16;
// SSIM column tiles: the ring of 14 rows x 5 moment maps x 256 float64
// columns (150 KiB) of horizontally filtered rows stays well inside a core's
// L2 cache (measured about 8% faster than 512 columns and than 128, which
// re-filters more overlap columns).
constexpr std::ptrdiff_t kTileCols = 256;

bool use_avx2() {
#if defined(CLEARSIGHT_HAVE_AVX2)
  static const bool avx2 = std::strcmp(cpu_variant(), "avx2") == 0;
  return avx2;
#else
  return false;
#endif
}

void check_threads(std::size_t threads) {
  if (threads == 0) throw std::invalid_argument("threads must be >= 1");
}

void check_data_range(double data_range) {
  if (!(data_range > 0.0) || !std::isfinite(data_range))
    throw std::invalid_argument("data_range must be a positive finite number");
}

// ---------------------------------------------------------------------------
// PSNR
// ---------------------------------------------------------------------------

// The iteration space of a pair of same-shape arrays as lines: `outer` axes
// (sizes and both arrays' strides) around one innermost line axis.
struct LineSpace {
  std::vector<std::ptrdiff_t> sizes, stride_a, stride_b;  // outer axes, outermost first
  std::ptrdiff_t line = 1, step_a = 0, step_b = 0;
  std::ptrdiff_t total = 1;
};

// Axes of length 1 dropped, the rest ordered by decreasing |stride| of `a`
// (the innermost then walks memory most closely) and merged where both
// arrays allow it: a C-ordered image becomes one line, a channel of an
// interleaved image one strided line.
LineSpace line_space(const SampleArray& a, const SampleArray& b) {
  struct Axis {
    std::ptrdiff_t n, sa, sb;
  };
  std::vector<Axis> axes;
  LineSpace s;
  for (std::size_t d = 0; d < a.shape.size(); ++d) {
    s.total *= a.shape[d];
    if (a.shape[d] != 1) axes.push_back({a.shape[d], a.strides[d], b.strides[d]});
  }
  std::stable_sort(axes.begin(), axes.end(),
                   [](const Axis& p, const Axis& q) { return std::abs(p.sa) > std::abs(q.sa); });
  std::vector<Axis> merged;
  for (const Axis& axis : axes) {
    if (!merged.empty()) {
      Axis& inner = merged.back();
      // `inner` is the axis outside `axis` so far; merge when stepping the
      // outer once equals stepping the inner through its whole length.
      if (inner.sa == axis.n * axis.sa && inner.sb == axis.n * axis.sb) {
        inner.n *= axis.n;
        inner.sa = axis.sa;
        inner.sb = axis.sb;
        continue;
      }
    }
    merged.push_back(axis);
  }
  if (merged.empty()) merged.push_back({1, 0, 0});
  s.line = merged.back().n;
  s.step_a = merged.back().sa;
  s.step_b = merged.back().sb;
  for (std::size_t d = 0; d + 1 < merged.size(); ++d) {
    s.sizes.push_back(merged[d].n);
    s.stride_a.push_back(merged[d].sa);
    s.stride_b.push_back(merged[d].sb);
  }
  return s;
}

// Σ (a - b)² over n integer samples, exactly.
template <class T>
CLEARSIGHT_INLINE std::uint64_t squared_error_integer(const char* a, std::ptrdiff_t sa, const char* b,
                                                      std::ptrdiff_t sb, std::ptrdiff_t n) {
  static_assert(sizeof(T) <= 2, "exact only for 8- and 16-bit samples");
  // uint8: d² <= 65025 and n <= 2^16 per block, so 32 bits are exact and
  // vectorise well; uint16: d² < 2^32, summed in 64 bits.
  using Part = std::conditional_t<sizeof(T) == 1, std::uint32_t, std::uint64_t>;
  Part total = 0;
  if (sa == static_cast<std::ptrdiff_t>(sizeof(T)) && sb == static_cast<std::ptrdiff_t>(sizeof(T))) {
    const T* p = reinterpret_cast<const T*>(a);
    const T* q = reinterpret_cast<const T*>(b);
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      // Unsigned wrap-around squares a negative difference correctly: d² < 2^32.
      const std::uint32_t d = static_cast<std::uint32_t>(static_cast<std::int32_t>(p[i]) - static_cast<std::int32_t>(q[i]));
      total += static_cast<Part>(d * d);
    }
  } else {
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      const std::uint32_t d = static_cast<std::uint32_t>(static_cast<std::int32_t>(*reinterpret_cast<const T*>(a + i * sa)) -
                                                         static_cast<std::int32_t>(*reinterpret_cast<const T*>(b + i * sb)));
      total += static_cast<Part>(d * d);
    }
  }
  return total;
}

// The bit pattern of a float, read as an unsigned integer.
template <class T>
using FloatBits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

// Non-negative floats order as their bit patterns, so a sample lies in
// [0, 1] if its bits are at most those of 1.0; NaN, values above 1 and
// negative values (sign bit set) all compare higher. (-0.0 compares higher
// too although it is inside [0, 1]: a segment flagged this way is checked
// again exactly, see psnr_block_impl.)
template <class T>
constexpr FloatBits<T> kUnitBits = sizeof(T) == 4 ? FloatBits<T>(0x3F800000u) : FloatBits<T>(0x3FF0000000000000ull);

// Σ (a - b)² over n float samples in float64, eight partial sums.
template <class T>
CLEARSIGHT_INLINE double squared_error_float(const char* a, std::ptrdiff_t sa, const char* b, std::ptrdiff_t sb,
                                             std::ptrdiff_t n) {
  double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  std::ptrdiff_t i = 0;
  if (sa == static_cast<std::ptrdiff_t>(sizeof(T)) && sb == static_cast<std::ptrdiff_t>(sizeof(T))) {
    const T* p = reinterpret_cast<const T*>(a);
    const T* q = reinterpret_cast<const T*>(b);
    for (; i + 8 <= n; i += 8)
      for (int k = 0; k < 8; ++k) {
        const double d = static_cast<double>(p[i + k]) - static_cast<double>(q[i + k]);
        acc[k] = acc[k] + d * d;
      }
    for (; i < n; ++i) {
      const double d = static_cast<double>(p[i]) - static_cast<double>(q[i]);
      acc[i & 7] = acc[i & 7] + d * d;
    }
  } else {
    for (; i < n; ++i) {
      const double d = static_cast<double>(*reinterpret_cast<const T*>(a + i * sa)) -
                       static_cast<double>(*reinterpret_cast<const T*>(b + i * sb));
      acc[i & 7] = acc[i & 7] + d * d;
    }
  }
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// The largest bit pattern, read as an unsigned integer, of n contiguous
// samples of p and q: an integer max reduction, which vectorises (8 lanes
// for float32) without fast-math.
template <class T>
CLEARSIGHT_INLINE FloatBits<T> max_bits(const T* p, const T* q, std::ptrdiff_t n) {
  FloatBits<T> top = 0;
  for (std::ptrdiff_t i = 0; i < n; ++i)
    top = std::max(top, std::max(__builtin_bit_cast(FloatBits<T>, p[i]), __builtin_bit_cast(FloatBits<T>, q[i])));
  return top;
}

// Whether any of n samples lies outside [0, 1] or is NaN (which fails both
// comparisons). An OR of comparison results: it vectorises without
// fast-math, where a float min/max reduction does not.
template <class T>
CLEARSIGHT_INLINE bool outside_unit(const char* a, std::ptrdiff_t sa, std::ptrdiff_t n) {
  int outside = 0;
  if (sa == static_cast<std::ptrdiff_t>(sizeof(T))) {
    const T* p = reinterpret_cast<const T*>(a);
    for (std::ptrdiff_t i = 0; i < n; ++i) outside |= !(p[i] >= T(0)) | !(p[i] <= T(1));
  } else {
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      const T v = *reinterpret_cast<const T*>(a + i * sa);
      outside |= !(v >= T(0)) | !(v <= T(1));
    }
  }
  return outside != 0;
}

// One block [begin, end) of the linear sample index: its sum of squared
// errors (an integer, exactly, for 8/16-bit samples), and for floats with
// kCount whether a sample of either array lies outside [0, 1] (0 or 1).
template <class T, class Sum, bool kCount>
CLEARSIGHT_INLINE Sum psnr_block_impl(const SampleArray& a, const SampleArray& b, const LineSpace& s,
                                      std::ptrdiff_t begin, std::ptrdiff_t end, std::ptrdiff_t& outside) {
  Sum total = 0;
  std::ptrdiff_t e = begin;
  while (e < end) {
    std::ptrdiff_t line = e / s.line;
    const std::ptrdiff_t pos = e % s.line;
    const std::ptrdiff_t n = std::min(s.line - pos, end - e);
    const char* pa = static_cast<const char*>(a.data) + pos * s.step_a;
    const char* pb = static_cast<const char*>(b.data) + pos * s.step_b;
    for (std::size_t d = s.sizes.size(); d-- > 0;) {
      const std::ptrdiff_t index = line % s.sizes[d];
      line /= s.sizes[d];
      pa += index * s.stride_a[d];
      pb += index * s.stride_b[d];
    }
    if constexpr (std::is_integral_v<Sum>) {
      total += squared_error_integer<T>(pa, s.step_a, pb, s.step_b, n);
    } else {
      total = total + squared_error_float<T>(pa, s.step_a, pb, s.step_b, n);
      if constexpr (kCount) {
        // A second pass over the segment while it is in cache (fused into
        // the sum's loop, any range test stopped that loop vectorising): the
        // bit patterns' maximum first, and the exact comparisons only where
        // it allows a sample outside [0, 1].
        const bool contiguous = s.step_a == std::ptrdiff_t(sizeof(T)) && s.step_b == std::ptrdiff_t(sizeof(T));
        if (!contiguous || max_bits<T>(reinterpret_cast<const T*>(pa), reinterpret_cast<const T*>(pb), n) > kUnitBits<T>)
          outside += outside_unit<T>(pa, s.step_a, n) || outside_unit<T>(pb, s.step_b, n);
      }
    }
    e += n;
  }
  return total;
}

template <class T, class Sum, bool kCount>
Sum psnr_block_baseline(const SampleArray& a, const SampleArray& b, const LineSpace& s, std::ptrdiff_t begin,
                        std::ptrdiff_t end, std::ptrdiff_t& outside) {
  return psnr_block_impl<T, Sum, kCount>(a, b, s, begin, end, outside);
}

#if defined(CLEARSIGHT_HAVE_AVX2)
template <class T, class Sum, bool kCount>
__attribute__((target("avx2"))) Sum psnr_block_avx2(const SampleArray& a, const SampleArray& b, const LineSpace& s,
                                                    std::ptrdiff_t begin, std::ptrdiff_t end, std::ptrdiff_t& outside) {
  return psnr_block_impl<T, Sum, kCount>(a, b, s, begin, end, outside);
}
#endif

// Σ (a - b)² over the whole arrays: blocks in parallel, block sums in order;
// with kCount also the number of blocks with a sample outside [0, 1].
template <class T, class Sum, bool kCount = false>
double squared_error_sum(const SampleArray& a, const SampleArray& b, std::size_t threads,
                         std::ptrdiff_t* outside = nullptr) {
  const LineSpace s = line_space(a, b);
  const std::ptrdiff_t total = s.total;
  const std::size_t blocks = static_cast<std::size_t>((total + kPsnrBlock - 1) / kPsnrBlock);
  std::vector<Sum> sums(blocks, Sum(0));
  std::vector<std::ptrdiff_t> counts(kCount ? blocks : 0, 0);
  const bool avx2 = use_avx2();
  parallel_for(blocks, 1, effective_threads(threads, blocks), [&](std::size_t b0, std::size_t b1) {
    std::ptrdiff_t unused = 0;
    for (std::size_t k = b0; k < b1; ++k) {
      const std::ptrdiff_t begin = static_cast<std::ptrdiff_t>(k) * kPsnrBlock;
      const std::ptrdiff_t end = std::min(total, begin + kPsnrBlock);
      std::ptrdiff_t& e = kCount ? counts[k] : unused;
#if defined(CLEARSIGHT_HAVE_AVX2)
      if (avx2) {
        sums[k] = psnr_block_avx2<T, Sum, kCount>(a, b, s, begin, end, e);
        continue;
      }
#endif
      (void)avx2;
      sums[k] = psnr_block_baseline<T, Sum, kCount>(a, b, s, begin, end, e);
    }
  });
  if constexpr (kCount) {
    for (const std::ptrdiff_t c : counts) *outside += c;
  }
  if constexpr (std::is_integral_v<Sum>) {
    // Below 2^32 samples the 64-bit total cannot overflow (each d² < 2^32);
    // beyond, add the (exact, < 2^48) block sums in float64, as the
    // reference's float64 total would.
    if (static_cast<std::uint64_t>(total) <= (std::uint64_t(1) << 32)) {
      std::uint64_t exact = 0;
      for (const Sum v : sums) exact += v;
      return static_cast<double>(exact);
    }
    double sum = 0.0;
    for (const Sum v : sums) sum += static_cast<double>(v);
    return sum;
  } else {
    double sum = 0.0;
    for (const Sum v : sums) sum = sum + v;
    return sum;
  }
}

// ---------------------------------------------------------------------------
// SSIM
// ---------------------------------------------------------------------------

template <class T>
CLEARSIGHT_INLINE void load_row(const SamplePlane& p, std::ptrdiff_t row, std::ptrdiff_t col, std::ptrdiff_t n,
                                double* __restrict out) {
  const char* base = static_cast<const char*>(p.data) + row * p.row_stride + col * p.col_stride;
  if (p.col_stride == static_cast<std::ptrdiff_t>(sizeof(T))) {
    const T* q = reinterpret_cast<const T*>(base);
    for (std::ptrdiff_t i = 0; i < n; ++i) out[i] = static_cast<double>(q[i]);
  } else {
    for (std::ptrdiff_t i = 0; i < n; ++i)
      out[i] = static_cast<double>(*reinterpret_cast<const T*>(base + i * p.col_stride));
  }
}

// The reference's folded taps (they are symmetric): out[j] = w0 (in[j] +
// in[j + 10]) + w1 (in[j + 1] + in[j + 9]) + ... + w4 (in[j + 4] + in[j + 6])
// + w5 in[j + 5], added in that order. Six multiplies where eleven would
// give the same window.
CLEARSIGHT_INLINE void correlate_along(const double* __restrict in, double* __restrict out, std::ptrdiff_t n,
                                       const double* w) {
  const double w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5];
  for (std::ptrdiff_t j = 0; j < n; ++j) {
    double v = w0 * (in[j] + in[j + 10]);
    v = v + w1 * (in[j + 1] + in[j + 9]);
    v = v + w2 * (in[j + 2] + in[j + 8]);
    v = v + w3 * (in[j + 3] + in[j + 7]);
    v = v + w4 * (in[j + 4] + in[j + 6]);
    v = v + w5 * in[j + 5];
    out[j] = v;
  }
}

// The same fold across 11 rows: out[j] = w0 (r[0][j] + r[10][j]) + ... +
// w5 r[5][j].
CLEARSIGHT_INLINE void correlate_across(const double* const* r, double* __restrict out, std::ptrdiff_t n,
                                        const double* w) {
  const double* __restrict r0 = r[0];
  const double* __restrict r1 = r[1];
  const double* __restrict r2 = r[2];
  const double* __restrict r3 = r[3];
  const double* __restrict r4 = r[4];
  const double* __restrict r5 = r[5];
  const double* __restrict r6 = r[6];
  const double* __restrict r7 = r[7];
  const double* __restrict r8 = r[8];
  const double* __restrict r9 = r[9];
  const double* __restrict r10 = r[10];
  const double w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5];
  for (std::ptrdiff_t j = 0; j < n; ++j) {
    double v = w0 * (r0[j] + r10[j]);
    v = v + w1 * (r1[j] + r9[j]);
    v = v + w2 * (r2[j] + r8[j]);
    v = v + w3 * (r3[j] + r7[j]);
    v = v + w4 * (r4[j] + r6[j]);
    v = v + w5 * r5[j];
    out[j] = v;
  }
}

// One folded output from the 11 samples a0..a10 under the window: the
// reference's order (outermost pair first, centre tap last).
CLEARSIGHT_INLINE double fold11(double a0, double a1, double a2, double a3, double a4, double a5, double a6,
                                double a7, double a8, double a9, double a10, const double* w) {
  double v = w[0] * (a0 + a10);
  v = v + w[1] * (a1 + a9);
  v = v + w[2] * (a2 + a8);
  v = v + w[3] * (a3 + a7);
  v = v + w[4] * (a4 + a6);
  return v + w[5] * a5;
}

// Four consecutive output rows from the 14 ring rows r[0..13] they span:
// each row loaded once for four outputs. The ring is in L2 (it is touched
// whole between two uses of a row), and one output row at a time spent
// more time waiting for its 11 loads than computing.
CLEARSIGHT_INLINE void correlate_across4(const double* const* r, double* __restrict o0, double* __restrict o1,
                                         double* __restrict o2, double* __restrict o3, std::ptrdiff_t n,
                                         const double* wt) {
  const double* __restrict r0 = r[0];
  const double* __restrict r1 = r[1];
  const double* __restrict r2 = r[2];
  const double* __restrict r3 = r[3];
  const double* __restrict r4 = r[4];
  const double* __restrict r5 = r[5];
  const double* __restrict r6 = r[6];
  const double* __restrict r7 = r[7];
  const double* __restrict r8 = r[8];
  const double* __restrict r9 = r[9];
  const double* __restrict r10 = r[10];
  const double* __restrict r11 = r[11];
  const double* __restrict r12 = r[12];
  const double* __restrict r13 = r[13];
  const double w[6] = {wt[0], wt[1], wt[2], wt[3], wt[4], wt[5]};
  for (std::ptrdiff_t j = 0; j < n; ++j) {
    const double a0 = r0[j], a1 = r1[j], a2 = r2[j], a3 = r3[j], a4 = r4[j], a5 = r5[j], a6 = r6[j];
    const double a7 = r7[j], a8 = r8[j], a9 = r9[j], a10 = r10[j], a11 = r11[j], a12 = r12[j], a13 = r13[j];
    o0[j] = fold11(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, w);
    o1[j] = fold11(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, w);
    o2[j] = fold11(a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, w);
    o3[j] = fold11(a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, w);
  }
}

// Σ v[0..n) with four partial sums (a fixed order, vectorisable).
CLEARSIGHT_INLINE double row_sum(const double* __restrict v, std::ptrdiff_t n) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  std::ptrdiff_t j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 = s0 + v[j];
    s1 = s1 + v[j + 1];
    s2 = s2 + v[j + 2];
    s3 = s3 + v[j + 3];
  }
  for (; j < n; ++j) s0 = s0 + v[j];
  return (s0 + s1) + (s2 + s3);
}

// The reference's formula, operation for operation, on one row of the
// five moment maps (mu_x, mu_y, E[x²], E[y²], E[xy], `pitch` apart). A
// function of its own: restrict on parameters is what lets the compiler
// vectorise it (on the caller's locals it did not, and the divisions ran
// one lane at a time).
CLEARSIGHT_INLINE void ssim_formula(const double* __restrict moments, std::ptrdiff_t pitch, double c1, double c2,
                                    double* __restrict s_out, double* __restrict cs_out, std::ptrdiff_t n) {
  const double* __restrict mu_x = moments;
  const double* __restrict mu_y = moments + pitch;
  const double* __restrict e_xx = moments + 2 * pitch;
  const double* __restrict e_yy = moments + 3 * pitch;
  const double* __restrict e_xy = moments + 4 * pitch;
  for (std::ptrdiff_t j = 0; j < n; ++j) {
    const double mx = mu_x[j], my = mu_y[j];
    const double var_x = e_xx[j] - mx * mx;
    const double var_y = e_yy[j] - my * my;
    const double cov = e_xy[j] - mx * my;
    const double luminance = (2.0 * mx * my + c1) / (mx * mx + my * my + c1);
    const double cs = (2.0 * cov + c2) / (var_x + var_y + c2);
    s_out[j] = luminance * cs;
    cs_out[j] = cs;
  }
}

// One unit of SSIM work: output rows [r0, r1) and columns [c0, c0 + cols)
// of one plane's valid map.
struct SsimTile {
  const SamplePlane* x = nullptr;
  const SamplePlane* y = nullptr;
  const SsimMapView* map = nullptr;  // null: no map wanted
  std::ptrdiff_t r0 = 0, r1 = 0, c0 = 0, cols = 0;
  const double* taps = nullptr;
  double c1 = 0.0, c2 = 0.0;
  double* scratch = nullptr;  // tile_scratch(cols) doubles
  double ssim = 0.0, contrast_structure = 0.0;
};

std::ptrdiff_t tile_pitch(std::ptrdiff_t cols) { return (cols + 2 * kRadius + 7) / 8 * 8; }
// A ring of 14 rows x 5 horizontally filtered maps, 5 input rows (x, y, x², y², xy),
// 4 rows of the 5 moment maps, the SSIM and CS rows.
std::size_t tile_scratch(std::ptrdiff_t cols) {
  return static_cast<std::size_t>((kRing * 5 + 5 + kRowsPerPass * 5 + 2) * tile_pitch(cols));
}

// x², y² and xy of one row (restrict parameters, so that it vectorises).
CLEARSIGHT_INLINE void products(const double* __restrict x, const double* __restrict y, double* __restrict xx,
                                double* __restrict yy, double* __restrict xy, std::ptrdiff_t n) {
  for (std::ptrdiff_t j = 0; j < n; ++j) {
    xx[j] = x[j] * x[j];
    yy[j] = y[j] * y[j];
    xy[j] = x[j] * y[j];
  }
}

// Input row i of the tile, and its products, filtered along the row into
// ring slot i % 14. (A function, not a lambda: a lambda would not be
// compiled for the caller's instruction set.)
template <class T>
CLEARSIGHT_INLINE void filter_input_row(const SsimTile& t, std::ptrdiff_t i, double* ring, double* input,
                                        std::ptrdiff_t pitch) {
  const std::ptrdiff_t in_cols = t.cols + 2 * kRadius;
  load_row<T>(*t.x, i, t.c0, in_cols, input);
  load_row<T>(*t.y, i, t.c0, in_cols, input + pitch);
  products(input, input + pitch, input + 2 * pitch, input + 3 * pitch, input + 4 * pitch, in_cols);
  double* slot = ring + (i % kRing) * 5 * pitch;
  for (int m = 0; m < 5; ++m) correlate_along(input + m * pitch, slot + m * pitch, t.cols, t.taps);
}

template <class T>
CLEARSIGHT_INLINE void ssim_tile_impl(SsimTile& t) {
  const std::ptrdiff_t pitch = tile_pitch(t.cols);
  double* ring = t.scratch;
  double* input = ring + kRing * 5 * pitch;  // x, y, xx, yy, xy
  double* moments = input + 5 * pitch;       // per output row q: mu_x, mu_y, e_xx, e_yy, e_xy
  double* ssim_row = moments + kRowsPerPass * 5 * pitch;
  double* cs_row = ssim_row + pitch;
  auto ring_row = [&](std::ptrdiff_t i, int m) { return ring + (i % kRing) * 5 * pitch + m * pitch; };
  auto moment_row = [&](std::ptrdiff_t q, int m) { return moments + (q * 5 + m) * pitch; };

  for (std::ptrdiff_t i = t.r0; i < t.r0 + 2 * kRadius; ++i) filter_input_row<T>(t, i, ring, input, pitch);
  double ssim_total = 0.0, cs_total = 0.0;
  const double c1 = t.c1, c2 = t.c2;
  for (std::ptrdiff_t r = t.r0; r < t.r1; r += kRowsPerPass) {
    const std::ptrdiff_t q_end = std::min(kRowsPerPass, t.r1 - r);
    for (std::ptrdiff_t q = 0; q < q_end; ++q) filter_input_row<T>(t, r + q + 2 * kRadius, ring, input, pitch);
    for (int m = 0; m < 5; ++m) {
      const double* rows[kRing];
      for (std::ptrdiff_t k = 0; k < kRing; ++k) rows[k] = ring_row(r + k, m);
      if (q_end == kRowsPerPass) {
        correlate_across4(rows, moment_row(0, m), moment_row(1, m), moment_row(2, m), moment_row(3, m), t.cols,
                          t.taps);
      } else {
        for (std::ptrdiff_t q = 0; q < q_end; ++q) correlate_across(rows + q, moment_row(q, m), t.cols, t.taps);
      }
    }
    for (std::ptrdiff_t q = 0; q < q_end; ++q) {
      ssim_formula(moment_row(q, 0), pitch, c1, c2, ssim_row, cs_row, t.cols);
      if (t.map != nullptr) {
        double* dst = t.map->data + (r + q) * t.map->row_stride + t.c0 * t.map->col_stride;
        const std::ptrdiff_t step = t.map->col_stride;
        for (std::ptrdiff_t j = 0; j < t.cols; ++j) dst[j * step] = ssim_row[j];
      }
      ssim_total = ssim_total + row_sum(ssim_row, t.cols);
      cs_total = cs_total + row_sum(cs_row, t.cols);
    }
  }
  t.ssim = ssim_total;
  t.contrast_structure = cs_total;
}

template <class T>
void ssim_tile_baseline(SsimTile& t) {
  ssim_tile_impl<T>(t);
}

#if defined(CLEARSIGHT_HAVE_AVX2)
template <class T>
__attribute__((target("avx2"))) void ssim_tile_avx2(SsimTile& t) {
  ssim_tile_impl<T>(t);
}
#endif

template <class T>
void ssim_tile(SsimTile& t) {
#if defined(CLEARSIGHT_HAVE_AVX2)
  if (use_avx2()) return ssim_tile_avx2<T>(t);
#endif
  ssim_tile_baseline<T>(t);
}

void run_ssim_tile(SampleType type, SsimTile& t) {
  switch (type) {
    case SampleType::uint8: return ssim_tile<std::uint8_t>(t);
    case SampleType::uint16: return ssim_tile<std::uint16_t>(t);
    case SampleType::float32: return ssim_tile<float>(t);
    case SampleType::float64: return ssim_tile<double>(t);
  }
}

// Scratch of the calling thread (the pool's workers are long-lived, so a
// kernel call allocates nothing after the first).
double* thread_scratch(std::size_t doubles) {
  thread_local std::vector<double> scratch;
  if (scratch.size() < doubles) scratch.resize(doubles);
  return scratch.data();
}

void check_planes(const std::vector<SamplePlane>& x, const std::vector<SamplePlane>& y, std::ptrdiff_t minimum,
                  const char* what) {
  if (x.empty() || x.size() != y.size())
    throw std::invalid_argument("reference and test must have the same number of planes, at least one");
  for (std::size_t k = 0; k < x.size(); ++k) {
    if (x[k].data == nullptr || y[k].data == nullptr)
      throw std::invalid_argument("reference and test must not be empty");
    if (x[k].rows != x[0].rows || x[k].cols != x[0].cols || y[k].rows != x[0].rows || y[k].cols != x[0].cols)
      throw std::invalid_argument("reference and test planes must all have the same shape");
    if (x[k].type != x[0].type || y[k].type != x[0].type)
      throw std::invalid_argument("reference and test must have the same dtype");
  }
  if (x[0].rows < minimum || x[0].cols < minimum)
    throw std::invalid_argument("reference and test are " + std::to_string(x[0].rows) + "x" +
                                std::to_string(x[0].cols) + ", smaller than " + what + ": both sides must be >= " +
                                std::to_string(minimum));
}

// A plane of float64 samples, C-ordered.
SamplePlane float64_plane(const std::vector<double>& data, std::ptrdiff_t rows, std::ptrdiff_t cols) {
  SamplePlane p;
  p.data = data.data();
  p.type = SampleType::float64;
  p.rows = rows;
  p.cols = cols;
  p.col_stride = sizeof(double);
  p.row_stride = cols * static_cast<std::ptrdiff_t>(sizeof(double));
  return p;
}

// The reference's _halve: 0.25 (((p[2i, 2j] + p[2i+1, 2j]) + p[2i, 2j+1]) + p[2i+1, 2j+1]).
template <class T>
void halve_rows(const SamplePlane& p, std::ptrdiff_t i0, std::ptrdiff_t i1, double* out) {
  const std::ptrdiff_t cols = p.cols / 2;
  const char* base = static_cast<const char*>(p.data);
  auto at = [&](std::ptrdiff_t r, std::ptrdiff_t c) {
    return static_cast<double>(*reinterpret_cast<const T*>(base + r * p.row_stride + c * p.col_stride));
  };
  for (std::ptrdiff_t i = i0; i < i1; ++i)
    for (std::ptrdiff_t j = 0; j < cols; ++j) {
      const double s = ((at(2 * i, 2 * j) + at(2 * i + 1, 2 * j)) + at(2 * i, 2 * j + 1)) + at(2 * i + 1, 2 * j + 1);
      out[i * cols + j] = 0.25 * s;
    }
}

void halve(const SamplePlane& p, std::vector<double>& out, std::size_t threads) {
  const std::ptrdiff_t rows = p.rows / 2, cols = p.cols / 2;
  out.resize(static_cast<std::size_t>(rows * cols));
  const std::size_t grain = static_cast<std::size_t>(std::max<std::ptrdiff_t>(1, 16384 / std::max<std::ptrdiff_t>(1, cols)));
  parallel_for(static_cast<std::size_t>(rows), grain, effective_threads(threads, static_cast<std::size_t>(rows)),
               [&](std::size_t i0, std::size_t i1) {
                 const auto a = static_cast<std::ptrdiff_t>(i0), b = static_cast<std::ptrdiff_t>(i1);
                 switch (p.type) {
                   case SampleType::uint8: return halve_rows<std::uint8_t>(p, a, b, out.data());
                   case SampleType::uint16: return halve_rows<std::uint16_t>(p, a, b, out.data());
                   case SampleType::float32: return halve_rows<float>(p, a, b, out.data());
                   case SampleType::float64: return halve_rows<double>(p, a, b, out.data());
                 }
               });
}

}  // namespace

double psnr(const SampleArray& reference, const SampleArray& test, double data_range, std::size_t threads,
            std::ptrdiff_t* outside_unit_range) {
  check_threads(threads);
  check_data_range(data_range);
  if (reference.data == nullptr || test.data == nullptr)
    throw std::invalid_argument("reference and test must not be null");
  if (reference.shape != test.shape || reference.strides.size() != reference.shape.size() ||
      test.strides.size() != test.shape.size())
    throw std::invalid_argument("reference and test must have the same shape");
  if (reference.type != test.type) throw std::invalid_argument("reference and test must have the same dtype");
  std::ptrdiff_t size = 1;
  for (const std::ptrdiff_t n : reference.shape) {
    if (n < 1) throw std::invalid_argument("reference and test must not be empty");
    size *= n;
  }
  if (outside_unit_range != nullptr && reference.type != SampleType::float32 &&
      reference.type != SampleType::float64)
    throw std::invalid_argument("the [0, 1] range is checked only for float32 and float64 samples");
  double total = 0.0;
  if (outside_unit_range != nullptr) {
    *outside_unit_range = 0;
    total = reference.type == SampleType::float32
                ? squared_error_sum<float, double, true>(reference, test, threads, outside_unit_range)
                : squared_error_sum<double, double, true>(reference, test, threads, outside_unit_range);
  } else switch (reference.type) {
    case SampleType::uint8: total = squared_error_sum<std::uint8_t, std::uint64_t>(reference, test, threads); break;
    case SampleType::uint16: total = squared_error_sum<std::uint16_t, std::uint64_t>(reference, test, threads); break;
    case SampleType::float32: total = squared_error_sum<float, double>(reference, test, threads); break;
    case SampleType::float64: total = squared_error_sum<double, double>(reference, test, threads); break;
  }
  const double mse = total / static_cast<double>(size);
  if (mse == 0.0) return std::numeric_limits<double>::infinity();
  if (!std::isfinite(mse)) return mse == std::numeric_limits<double>::infinity() ? -mse : mse;
  // A difference of logs, as the reference: a tiny MSE cannot overflow the ratio.
  return 20.0 * std::log10(data_range) - 10.0 * std::log10(mse);
}

std::vector<SsimSums> ssim_sums(const std::vector<SamplePlane>& reference, const std::vector<SamplePlane>& test,
                                double data_range, const SsimTaps& taps, const std::vector<SsimMapView>& maps,
                                std::size_t threads) {
  check_threads(threads);
  check_data_range(data_range);
  check_planes(reference, test, kTaps, "the 11x11 SSIM window");
  for (std::ptrdiff_t k = 0; k < kRadius; ++k)
    if (!(taps[k] == taps[kTaps - 1 - k])) throw std::invalid_argument("the SSIM taps must be symmetric");
  if (!maps.empty() && maps.size() != reference.size())
    throw std::invalid_argument("maps must be empty or one per plane");
  const std::ptrdiff_t out_rows = reference[0].rows - 2 * kRadius;
  const std::ptrdiff_t out_cols = reference[0].cols - 2 * kRadius;
  const std::ptrdiff_t tiles = (out_cols + kTileCols - 1) / kTileCols;
  const std::ptrdiff_t tile_cols = (out_cols + tiles - 1) / tiles;
  // Strips of rows: each re-filters the 10 rows it shares with its
  // neighbour, so as long as about 16 units per plane (strips x tiles) still
  // let two to a few threads balance, and at least 16 rows. Depends on the
  // shape only (the summation order with it).
  const std::ptrdiff_t strip_count = std::max<std::ptrdiff_t>(2, (16 + tiles - 1) / tiles);
  const std::ptrdiff_t strip_rows = std::max<std::ptrdiff_t>(16, (out_rows + strip_count - 1) / strip_count);
  const std::ptrdiff_t strips = (out_rows + strip_rows - 1) / strip_rows;
  const std::size_t per_plane = static_cast<std::size_t>(strips * tiles);
  const std::size_t units = reference.size() * per_plane;
  std::vector<SsimTile> work(units);
  // c1 = (K1 L)², c2 = (K2 L)², as the reference's (0.01 * L) ** 2.
  const double k1 = 0.01 * data_range, k2 = 0.03 * data_range;
  // Units ordered strip, tile, plane: the planes of one strip follow each
  // other on one thread, so the channels of an interleaved image after the
  // first find its rows in cache (plane by plane, each channel streamed the
  // whole image from memory again). Each plane's units stay in strip, tile
  // order, and so does its sum.
  const std::size_t planes = reference.size();
  for (std::size_t u = 0; u < units; ++u) {
    const std::size_t plane = u % planes;
    const std::ptrdiff_t strip = static_cast<std::ptrdiff_t>(u / planes) / tiles;
    const std::ptrdiff_t tile = static_cast<std::ptrdiff_t>(u / planes) % tiles;
    SsimTile& t = work[u];
    t.x = &reference[plane];
    t.y = &test[plane];
    t.map = maps.empty() ? nullptr : &maps[plane];
    t.r0 = strip * strip_rows;
    t.r1 = std::min(out_rows, t.r0 + strip_rows);
    t.c0 = tile * tile_cols;
    t.cols = std::min(out_cols, t.c0 + tile_cols) - t.c0;
    t.taps = taps.data();
    t.c1 = k1 * k1;
    t.c2 = k2 * k2;
  }
  const SampleType type = reference[0].type;
  const std::size_t scratch = tile_scratch(tile_cols);
  parallel_for(units, 1, effective_threads(threads, units), [&](std::size_t u0, std::size_t u1) {
    double* buffer = thread_scratch(scratch);
    for (std::size_t u = u0; u < u1; ++u) {
      work[u].scratch = buffer;
      run_ssim_tile(type, work[u]);
    }
  });
  std::vector<SsimSums> sums(reference.size());
  for (std::size_t u = 0; u < units; ++u) {
    SsimSums& s = sums[u % planes];
    s.ssim = s.ssim + work[u].ssim;
    s.contrast_structure = s.contrast_structure + work[u].contrast_structure;
  }
  for (SsimSums& s : sums) s.count = static_cast<std::size_t>(out_rows * out_cols);
  return sums;
}

double ms_ssim(const std::vector<SamplePlane>& reference, const std::vector<SamplePlane>& test, double data_range,
               const SsimTaps& taps, const std::array<double, 5>& weights, std::size_t threads) {
  check_threads(threads);
  check_data_range(data_range);
  const std::ptrdiff_t minimum = kTaps << (weights.size() - 1);
  check_planes(reference, test, minimum, "what 5-scale MS-SSIM needs");
  const std::size_t planes = reference.size();
  std::vector<SamplePlane> x = reference, y = test;
  std::vector<std::vector<double>> x_data(planes), y_data(planes);
  std::vector<double> product(planes, 1.0);
  for (std::size_t scale = 0; scale < weights.size(); ++scale) {
    const std::vector<SsimSums> sums = ssim_sums(x, y, data_range, taps, {}, threads);
    const bool last = scale + 1 == weights.size();
    for (std::size_t k = 0; k < planes; ++k) {
      const double n = static_cast<double>(sums[k].count);
      const double term = (last ? sums[k].ssim : sums[k].contrast_structure) / n;
      product[k] *= std::pow(std::max(term, 0.0), weights[scale]);
    }
    if (last) break;
    for (std::size_t k = 0; k < planes; ++k) {
      // Halving from x[k] into a new buffer before the old one is released.
      std::vector<double> hx, hy;
      halve(x[k], hx, threads);
      halve(y[k], hy, threads);
      const std::ptrdiff_t rows = x[k].rows / 2, cols = x[k].cols / 2;
      x_data[k].swap(hx);
      y_data[k].swap(hy);
      x[k] = float64_plane(x_data[k], rows, cols);
      y[k] = float64_plane(y_data[k], rows, cols);
    }
  }
  double sum = 0.0;
  for (const double v : product) sum += v;
  return sum / static_cast<double>(planes);
}

}  // namespace clearsight
