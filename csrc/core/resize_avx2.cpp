// The AVX2 kernel of resize for uint8 and float32 images (resize.hpp says when
// it runs). Compiled with -mavx2 -mfma -ffp-contract=off (CMakeLists.txt): the
// float32 sums use FMA on purpose, the float64 recomputations must not. A
// uint8 pass whose weights are all multiples of 2^-15 is done in integers
// instead (below the proof of the float32 path), with the same band structure:
// the row pass with _mm256_madd_epi16 on the bytes of two input rows
// interleaved (on x_k + x_{K-1-k} where the weights are symmetric), the column
// pass on pairs of transposed samples, or, when enlarging, along each row: a
// byte shuffle gathers the taps of 8 outputs from 16 input bytes.
//
// Work is done in bands of 8 rows, one band per task, so that both passes run
// on data in L1/L2 and the result does not depend on the thread count:
//  - row pass (vertical): a row is the weighted sum of input rows, vectorised
//    along the row, 8 consecutive samples per vector;
//  - column pass (horizontal) on 8 rows at once: the rows are transposed into
//    T, one vector per input sample holding that sample of the 8 rows, so an
//    output sample of the 8 rows is sum_k w_k T[index_k]: a broadcast weight
//    and one FMA per tap, no gathers, for any number of interleaved channels;
//    the results are transposed back into rows.
// MATLAB's order is kept: rows first, a band of output rows is made by the
// row pass and then the column pass; columns first, the column pass makes the
// intermediate of every input row (8 at a time), then the row pass makes the
// output rows from it.
//
// Why uint8 stays bit-identical to the float64 reference. MATLAB (and the
// reference) round each pass to uint8, so a pass's output is round_clip(s64),
// s64 the float64 sum of w_k x_k over the K taps of its span, added tap by
// tap (K products and K - 1 additions rounded); the x_k are integers in
// [0, 255], exact in float32. Here s32 is made with the weights rounded to
// float32 (|ŵ_k - w_k| <= u |w_k|, u = 2^-24) by K FMAs (K roundings). With
// S = sum_k |w_k| and the bound on recursive summation |ŝ - s| <= γ_n sum |a_k|,
// γ_n = n u / (1 - n u) (Higham, Accuracy and Stability of Numerical
// Algorithms, 2nd ed., §3.1 and §4.2):
//   |s32 - sum ŵ_k x_k|      <= γ_K (1 + u) 255 S     (float32 FMAs)
//   |sum ŵ_k x_k - sum w_k x_k| <= u 255 S            (float32 weights)
//   |s64 - sum w_k x_k|      <= γ'_2K 255 S           (reference, u' = 2^-53)
// so |s32 - s64| <= E = 255 S (u + γ_K (1 + u) + γ'_2K). round_clip is a
// step function whose steps sit at the half-integers. If s32 is farther than
// E from every half-integer, s64 lies between the same two half-integers, so
// both round to the integer nearest s32 (s32 is no tie), clipped alike. The
// test: d = |s32 - rint(s32)| is exact in float32 (a multiple of ulp(s32) of
// at most 1/2, and |s32| < 2^9), and s32 is within E of a half-integer iff
// d >= 1/2 - E. Those samples are recomputed exactly as the reference does.
// (This model leaves out underflow: at most 2^-150 per product of a weight
// below 2^-126, under 1e-40 in all. Where E <= 1/4, which holds up to about
// 16 000 bicubic taps, that cannot matter. There every d >= 1/4 and the
// threshold are multiples of 2^-26, so a sample that is not recomputed lies
// at least E + 2^-26 from every half-integer.)
// K and S are each axis's largest; bicubic at scales >= 1/4 has K <= 17,
// S < 1.3, so E < 4e-4: a few samples in ten thousand of a noisy picture
// (and every exact tie, where rint rounds to even, MATLAB away from zero).
// One case needs no test: where every weight of an axis is a multiple of
// 2^-15 and S < 2 (bicubic at ×2, ×4, ×1/2, ×1/4: multiples of 2^-7 to
// 2^-12), every product and partial sum of 8-bit samples is a multiple of
// 2^-15 of magnitude below 2^9, exact in float32 and float64 alike, so
// s32 = s64, and floor(s32 + 1/2), exact too, is MATLAB's rounding, ties
// included (its sums often land on a half-integer exactly).
//
// Such a pass of a uint8 image is done in integers instead (OpenCV's way to
// its 8-bit speed, kept exact here). With each weight w_k = m_k 2^-15, m_k an
// integer in [-2^15, 2^15 - 1] (an int16; checked per axis, else the float32
// path above), and x_k in [0, 255] (the image, or the previous pass's uint8
// result), the reference's sum is exactly N 2^-15 with N = sum_k m_k x_k (its
// products and partial sums are multiples of 2^-15 below 255 S < 2^16 in
// magnitude: exact in float64). N is made in int32, in any order, by
// _mm256_madd_epi16, which adds the int32 products of two int16 pairs:
// |m_a x_a + m_b x_b| <= 2 2^15 255 < 2^31, and every partial sum of N is
// at most 255 2^15 S in magnitude, below 2^31 for S < 257 (required; bicubic
// has S < 1.3), so nothing overflows and N is exact. MATLAB's rounding,
// sign(s) floor(|s| + 1/2) clipped to [0, 255], is for N >= 0 floor((N +
// 2^14) / 2^15) = (N + 2^14) >> 15, and for N < 0 a number <= 0 that clips to
// 0, as (N + 2^14) >> 15 (an arithmetic shift: a floor) does too; the clip is
// the saturation of packs_epi32 and packus_epi16. So this path equals the
// reference bit for bit by construction, with nothing to recompute.
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "core/parallel.hpp"
#include "core/resize_detail.hpp"

namespace clearsight::resize_detail {

namespace {

using u8 = std::uint8_t;

// Rows of a band = float32 lanes of an AVX2 vector.
constexpr std::size_t kLanes = 8;

// A 64-byte aligned buffer of one thread, grown on demand and kept between
// calls (allocating per band would cost a page-fault storm).
template <class T>
class Scratch {
 public:
  T* get(std::size_t n) {
    if (n > size_) {
      const std::size_t bytes = (n * sizeof(T) + 63) / 64 * 64;
      data_.reset(static_cast<T*>(std::aligned_alloc(64, bytes)));
      if (!data_) throw std::bad_alloc();
      size_ = n;
    }
    return data_.get();
  }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> data_;
  std::size_t size_ = 0;
};

struct ThreadScratch {
  Scratch<float> transposed, results;
  Scratch<std::int32_t> pairs, integer_results;
  Scratch<char> band, inputs, outputs;
};

ThreadScratch& thread_scratch() {
  thread_local ThreadScratch s;
  return s;
}

// ------------------------------------------------------------ vectors

inline __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
inline __m256 load8(const u8* p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

inline void store8(float* p, __m256 v) { _mm256_storeu_ps(p, v); }
// `v` holds integers in [0, 255] (rounded and clamped).
inline void store8(u8* p, __m256 v) {
  const __m256i i = _mm256_cvtps_epi32(v);
  const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(i), _mm256_extracti128_si256(i, 1));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packus_epi16(w, w));
}

inline void store1(float* p, float v) { *p = v; }
inline void store1(u8* p, float v) { *p = static_cast<u8>(v); }

inline void transpose8(__m256& r0, __m256& r1, __m256& r2, __m256& r3, __m256& r4, __m256& r5, __m256& r6,
                       __m256& r7) {
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  r0 = _mm256_permute2f128_ps(s0, s4, 0x20);
  r1 = _mm256_permute2f128_ps(s1, s5, 0x20);
  r2 = _mm256_permute2f128_ps(s2, s6, 0x20);
  r3 = _mm256_permute2f128_ps(s3, s7, 0x20);
  r4 = _mm256_permute2f128_ps(s0, s4, 0x31);
  r5 = _mm256_permute2f128_ps(s1, s5, 0x31);
  r6 = _mm256_permute2f128_ps(s2, s6, 0x31);
  r7 = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// How one axis's float32 sums are rounded to uint8 (the header's proof).
struct Rounding {
  bool exact = false;      // the sums are exact: floor(s + 1/2), nothing to check
  float threshold = 0.0f;  // else sums with |s - rint(s)| >= threshold are recomputed
};

// Rounds the float32 sums `s` as MATLAB rounds uint8 (clamped to [0, 255]);
// returns in `suspect` the lanes the caller must recompute in float64.
inline __m256 round_clamp(__m256 s, Rounding rounding, int& suspect) {
  __m256 r;
  if (rounding.exact) {
    r = _mm256_floor_ps(_mm256_add_ps(s, _mm256_set1_ps(0.5f)));
    suspect = 0;
  } else {
    r = _mm256_round_ps(s, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256 d = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), _mm256_sub_ps(s, r));
    suspect = _mm256_movemask_ps(_mm256_cmp_ps(d, _mm256_set1_ps(rounding.threshold), _CMP_GE_OQ));
  }
  return _mm256_min_ps(_mm256_max_ps(r, _mm256_setzero_ps()), _mm256_set1_ps(255.0f));
}

inline float round_clamp(float s, Rounding rounding, bool& suspect) {
  float r;
  if (rounding.exact) {
    r = std::floor(s + 0.5f);
    suspect = false;
  } else {
    r = std::nearbyint(s);
    suspect = std::fabs(s - r) >= rounding.threshold;
  }
  return std::min(std::max(r, 0.0f), 255.0f);
}

// ------------------------------------------------------------ taps

struct Plan;
void make_rowwise(Plan& p, std::size_t n_out, std::size_t step, std::size_t n_in);
void make_float_rowwise(Plan& p, std::size_t n_out, std::size_t step, std::size_t n_in);

// The column pass's taps for _mm256_madd_epi16 on a pair table P of the 8
// rows of a band (each P entry holds two samples of every row, as int16s):
// entries of a P index and (m_a, m_b) packed into an int32. Output i has
// pairs + extra[i] entries from i * stride: `pairs`, the most common count
// (the interior's), is what the loops unroll; outputs with fewer are padded
// with zero weights (reading entry 0, always there), those with more (at the
// borders) loop on.
struct PairTable {
  std::size_t pairs = 0, stride = 0, total = 0;  // total: entries before padding
  std::vector<std::int32_t> index, weight;
  std::vector<std::uint32_t> extra;
};

// The table of the entries listed output by output, each output's ended by index -1.
PairTable pack_pairs(const std::vector<std::int32_t>& index, const std::vector<std::int32_t>& weight,
                     std::size_t n_out) {
  std::vector<std::size_t> counts;
  std::size_t count = 0;
  for (std::int32_t q : index) {
    if (q < 0) {
      counts.push_back(count);
      count = 0;
    } else {
      ++count;
    }
  }
  PairTable t;
  const std::size_t longest = std::max<std::size_t>(1, *std::max_element(counts.begin(), counts.end()));
  std::vector<std::size_t> histogram(longest + 1, 0);
  for (std::size_t c : counts) ++histogram[c];
  t.pairs = static_cast<std::size_t>(std::max_element(histogram.begin() + 1, histogram.end()) - histogram.begin());
  t.stride = longest;
  t.index.assign(n_out * longest, 0);
  t.weight.assign(n_out * longest, 0);
  t.extra.assign(n_out, 0);
  std::size_t i = 0, at = 0;
  for (std::size_t e = 0; e < index.size(); ++e) {
    if (index[e] < 0) {
      t.extra[i] = static_cast<std::uint32_t>(at > t.pairs ? at - t.pairs : 0);
      ++i;
      at = 0;
      continue;
    }
    t.index[i * longest + at] = index[e];
    t.weight[i * longest + at] = weight[e];
    ++at;
    ++t.total;
  }
  return t;
}

inline std::int32_t weight_pair(std::int16_t low, std::int16_t high) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint16_t>(low)) |
                                   (static_cast<std::uint32_t>(static_cast<std::uint16_t>(high)) << 16));
}

// One axis in the form the float32 loops read.
struct Plan {
  std::size_t width = 0;            // taps per output: the longest span
  std::vector<std::int32_t> index;  // n_out × width: first element of each tap's input sample
  std::vector<float> weight;        // n_out × width: float32 weights, zero past the span
  // 1 where output i's taps are consecutive samples (index[i, k] = index[i, 0]
  // + k step): all but a few outputs at the borders; their loops need no
  // index table.
  std::vector<std::uint8_t> consecutive;
  std::vector<std::uint8_t> consecutive8;  // the same for outputs 8 i .. 8 i + 7 together
  // 1 where outputs 8 i .. 8 i + 7 are consecutive and have the same weights (the interior of a
  // shrink by 2^-j: one phase).
  std::vector<std::uint8_t> same8;
  Rounding rounding;
  // The integer path of uint8 images (the header): every weight is m 2^-15,
  // m an int16, and S < 257.
  bool integer = false;
  std::vector<std::int16_t> weight16;  // n_out × width: m, zero past the span
  // The column pass on P[q] = (sample q, sample q + step): two taps share an
  // entry where the second is the next sample, so inside the image an
  // output of K taps needs ceil(K / 2) madds.
  PairTable pairs;
  // Single-channel images, when no worse: P[i] = (sample 2 i - offset,
  // 2 i + 1 - offset), half as many entries to make, aligned with the tap
  // pairs of the interior (shrinking by 2^-j, their first taps have one parity).
  bool use_aligned = false;
  std::size_t aligned_offset = 0;
  PairTable aligned;
  // The column pass along each row instead (enlarging): output elements
  // 8 g .. 8 g + 7 of a row (element = sample × step + channel) are a madd
  // per entry of pairs picked by one byte shuffle from 16 input bytes at
  // row_base[2 g] (elements 0-3) and row_base[2 g + 1] (4-7): row_mask and
  // row_weight hold row_entries 32-byte vectors per group. Groups whose taps
  // do not fit 16 bytes (the borders) have row_ok 0 and are summed one by one.
  bool rowwise = false;
  std::size_t row_entries = 0;
  std::vector<std::uint8_t> row_ok;
  std::vector<std::int32_t> row_base;
  std::vector<std::uint8_t> row_mask;
  std::vector<std::int32_t> row_weight;
  // The float32 column pass of one channel along each row (enlarging), where the taps of 8
  // consecutive outputs lie within 8 samples: one load of those samples at frow_base[g], and per
  // tap k a lane permutation (frow_perm) and an FMA with the taps' weights (frow_weight), the
  // transposed path's operations in its order (the same result, bit for bit) without its two
  // transposes and its broadcast per tap and output. Groups share their tables through
  // frow_table (the interior of a scale p/q repeats a few); kNoTable: summed one by one.
  bool frow = false;
  std::vector<std::int32_t> frow_base;
  std::vector<std::uint32_t> frow_table;
  std::vector<std::int32_t> frow_perm;  // tables × width × 8
  std::vector<float> frow_weight;       // tables × width × 8
};

constexpr std::uint32_t kNoTable = std::numeric_limits<std::uint32_t>::max();

// `step`: elements per input sample (the channels for the column axis).
Plan make_plan(const Axis& axis, std::size_t n_out, std::size_t step) {
  const AxisTaps& t = *axis.taps;
  const std::vector<Span>& spans = *axis.spans;
  Plan p;
  double s_max = 0.0;
  bool dyadic = true;
  for (std::size_t i = 0; i < n_out; ++i) {
    p.width = std::max(p.width, spans[i].last - spans[i].first);
    double s = 0.0;
    for (std::size_t k = spans[i].first; k < spans[i].last; ++k) {
      const double w = t.weight[i * t.taps + k];
      s += std::fabs(w);
      dyadic = dyadic && w * 32768.0 == std::trunc(w * 32768.0);  // a multiple of 2^-15
    }
    s_max = std::max(s_max, s);
  }
  p.rounding.exact = dyadic && s_max < 2.0;
  bool fits16 = true;
  for (std::size_t i = 0; i < n_out && fits16; ++i)
    for (std::size_t k = spans[i].first; k < spans[i].last; ++k) {
      const double m = t.weight[i * t.taps + k] * 32768.0;
      fits16 = fits16 && m >= -32768.0 && m <= 32767.0;
    }
  p.integer = dyadic && fits16 && s_max < 257.0;
  p.width = std::max<std::size_t>(p.width, 1);
  p.index.assign(n_out * p.width, 0);
  p.weight.assign(n_out * p.width, 0.0f);
  // One past the last sample the taps may read.
  const auto end = static_cast<std::int32_t>((*std::max_element(t.index.begin(), t.index.end()) + 1) * step);
  for (std::size_t i = 0; i < n_out; ++i) {
    const Span span = spans[i];
    for (std::size_t k = span.first; k < span.last; ++k) {
      p.index[i * p.width + (k - span.first)] = static_cast<std::int32_t>(t.index[i * t.taps + k]) *
                                                static_cast<std::int32_t>(step);
      p.weight[i * p.width + (k - span.first)] = static_cast<float>(t.weight[i * t.taps + k]);
    }
    // Padding taps (weight 0, adding exactly nothing) read the next sample,
    // or at the right edge the last tap's again.
    for (std::size_t k = span.last - span.first; k < p.width && k > 0; ++k) {
      const std::int32_t next = p.index[i * p.width + k - 1] + static_cast<std::int32_t>(step);
      p.index[i * p.width + k] = next < end ? next : p.index[i * p.width + k - 1];
    }
  }
  if (p.integer) {
    p.weight16.assign(n_out * p.width, 0);
    std::vector<std::int32_t> index, weight;
    for (std::size_t i = 0; i < n_out; ++i) {
      const Span span = spans[i];
      const std::size_t taps = span.last - span.first;
      const std::int32_t* ix = &p.index[i * p.width];
      std::int16_t* m = &p.weight16[i * p.width];
      for (std::size_t k = 0; k < taps; ++k)
        m[k] = static_cast<std::int16_t>(t.weight[i * t.taps + span.first + k] * 32768.0);
      for (std::size_t k = 0; k < taps;) {
        const bool pair = k + 1 < taps && ix[k + 1] == ix[k] + static_cast<std::int32_t>(step);
        index.push_back(ix[k]);
        weight.push_back(weight_pair(m[k], pair ? m[k + 1] : 0));
        k += pair ? 2 : 1;
      }
      index.push_back(-1);  // end of output i
      weight.push_back(0);
    }
    p.pairs = pack_pairs(index, weight, n_out);
    {
      // Entry (i, c) = i step + c holds channel c of samples 2 i - offset and 2 i + 1 - offset.
      const auto C = static_cast<std::int32_t>(step);
      for (std::size_t offset = 0; offset < 2; ++offset) {
        index.clear();
        weight.clear();
        for (std::size_t i = 0; i < n_out; ++i) {
          const std::size_t taps = spans[i].last - spans[i].first;
          const std::int32_t* ix = &p.index[i * p.width];
          const std::int16_t* m = &p.weight16[i * p.width];
          for (std::size_t k = 0; k < taps;) {
            const auto q = static_cast<std::size_t>(ix[k] / C) + offset;  // entry q / 2, half q % 2
            const bool pair = q % 2 == 0 && k + 1 < taps && ix[k + 1] == ix[k] + C;
            index.push_back(static_cast<std::int32_t>(q / 2) * C);
            weight.push_back(pair ? weight_pair(m[k], m[k + 1]) : q % 2 == 0 ? weight_pair(m[k], 0)
                                                                            : weight_pair(0, m[k]));
            k += pair ? 2 : 1;
          }
          index.push_back(-1);
          weight.push_back(0);
        }
        PairTable aligned = pack_pairs(index, weight, n_out);
        if (aligned.total <= p.pairs.total && (!p.use_aligned || aligned.total < p.aligned.total)) {
          p.use_aligned = true;
          p.aligned_offset = offset;
          p.aligned = std::move(aligned);
        }
      }
    }
  }
  if (p.integer) make_rowwise(p, n_out, step, static_cast<std::size_t>(end));
  make_float_rowwise(p, n_out, step, static_cast<std::size_t>(end));
  p.consecutive.assign(n_out, 1);
  for (std::size_t i = 0; i < n_out; ++i)
    for (std::size_t k = 1; k < p.width; ++k)
      if (p.index[i * p.width + k] != p.index[i * p.width] + static_cast<std::int32_t>(k * step)) p.consecutive[i] = 0;
  p.consecutive8.assign((n_out + 7) / 8, 1);
  for (std::size_t i = 0; i < n_out; ++i)
    if (!p.consecutive[i]) p.consecutive8[i / 8] = 0;
  p.same8.assign(n_out / 8, 0);
  for (std::size_t g = 0; g < n_out / 8; ++g) {
    bool same = p.consecutive8[g] != 0;
    const float* w0 = &p.weight[8 * g * p.width];
    for (std::size_t i = 1; i < 8 && same; ++i) same = std::equal(w0, w0 + p.width, w0 + i * p.width);
    p.same8[g] = same;
  }
  // E of the header, with the S and K of this axis, and the test's threshold
  // 1/2 - E rounded down to float32 (every sample is recomputed if E >= 1/2).
  const double u = std::ldexp(1.0, -24), u64 = std::ldexp(1.0, -53);
  const auto k = static_cast<double>(p.width);
  const double gamma32 = k * u / (1.0 - k * u), gamma64 = 2.0 * k * u64 / (1.0 - 2.0 * k * u64);
  const double bound = 255.0 * s_max * (u + gamma32 * (1.0 + u) + gamma64);
  const double limit = 0.5 - bound;
  float& threshold = p.rounding.threshold;
  if (!(k * u < 0.5) || !(limit > 0.0)) {
    threshold = 0.0f;
  } else {
    threshold = static_cast<float>(limit);
    if (static_cast<double>(threshold) > limit) threshold = std::nextafter(threshold, 0.0f);
  }
  return p;
}

// The plan of an axis for `step`, from the axis's cache if it has one.
std::shared_ptr<const Plan> cached_plan(const Axis& axis, std::size_t n_out, std::size_t step) {
  if (axis.plans == nullptr) return std::make_shared<const Plan>(make_plan(axis, n_out, step));
  PlanCache& cache = *axis.plans;
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    for (const auto& entry : cache.plans)
      if (entry.first == step) return std::static_pointer_cast<const Plan>(entry.second);
  }
  auto plan = std::make_shared<const Plan>(make_plan(axis, n_out, step));
  std::lock_guard<std::mutex> lock(cache.mutex);
  for (const auto& entry : cache.plans)  // made meanwhile by a concurrent caller
    if (entry.first == step) return std::static_pointer_cast<const Plan>(entry.second);
  cache.plans.emplace_back(step, plan);
  return plan;
}

// The row-wise tables of an integer plan (Plan::rowwise), for inputs of
// n_in elements; left unused unless nearly every group fits.
void make_rowwise(Plan& p, std::size_t n_out, std::size_t step, std::size_t n_in) {
  const std::size_t width = p.width, entries = (width + 1) / 2;
  if (entries > 4) return;  // shrinking: the taps of 4 outputs span more than 16 bytes
  const std::size_t elements = n_out * step, groups = elements / 8;
  if (groups == 0) return;
  p.row_entries = entries;
  p.row_ok.assign(groups, 0);
  p.row_base.assign(2 * groups, 0);
  p.row_mask.assign(groups * entries * 32, 0x80);
  p.row_weight.assign(groups * entries * 8, 0);
  std::size_t fit = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    bool ok = true;
    for (std::size_t half = 0; half < 2 && ok; ++half) {
      // The element's taps with a non-zero weight: bytes index + channel.
      std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = -1;
      for (std::size_t l = 0; l < 4; ++l) {
        const std::size_t e = 8 * g + 4 * half + l, j = e / step, c = e % step;
        for (std::size_t k = 0; k < width; ++k)
          if (p.weight16[j * width + k] != 0) {
            const std::int64_t at = p.index[j * width + k] + static_cast<std::int64_t>(c);
            lo = std::min(lo, at);
            hi = std::max(hi, at);
          }
      }
      if (hi < 0) lo = hi = 0;
      ok = hi - lo < 16 && lo + 16 <= static_cast<std::int64_t>(n_in);
      p.row_base[2 * g + half] = static_cast<std::int32_t>(lo);
      for (std::size_t l = 0; l < 4 && ok; ++l) {
        const std::size_t e = 8 * g + 4 * half + l, j = e / step, c = e % step;
        for (std::size_t k = 0; k < width; ++k) {
          const std::int16_t m = p.weight16[j * width + k];
          if (m == 0) continue;
          const std::size_t entry = k / 2, lane = 4 * half + l;
          std::uint8_t* mask = &p.row_mask[(g * entries + entry) * 32];
          // Byte 4 l + 2 (k % 2) of its 128-bit half: the tap's sample, widened by a zero byte.
          mask[16 * half + 4 * l + 2 * (k % 2)] =
              static_cast<std::uint8_t>(p.index[j * width + k] + static_cast<std::int64_t>(c) - lo);
          std::int32_t& w = p.row_weight[(g * entries + entry) * 8 + lane];
          const auto bits = static_cast<std::uint32_t>(static_cast<std::uint16_t>(m)) << (16 * (k % 2));
          w = static_cast<std::int32_t>(static_cast<std::uint32_t>(w) | bits);
        }
      }
    }
    p.row_ok[g] = ok;
    fit += ok;
  }
  p.rowwise = fit * 10 >= groups * 9;
}

// The float32 row-wise tables (Plan::frow) of one channel, for inputs of n_in samples; left
// unused unless nearly every group fits and the groups share a few tables.
void make_float_rowwise(Plan& p, std::size_t n_out, std::size_t step, std::size_t n_in) {
  const std::size_t K = p.width, groups = n_out / 8;
  if (step != 1 || K > 8 || groups == 0 || n_in < 8) return;
  p.frow_base.assign(groups, 0);
  p.frow_table.assign(groups, kNoTable);
  std::map<std::vector<std::uint32_t>, std::uint32_t> tables;
  std::size_t fit = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    std::int32_t lo = std::numeric_limits<std::int32_t>::max(), hi = -1;
    for (std::size_t i = 8 * g; i < 8 * g + 8; ++i)
      for (std::size_t k = 0; k < K; ++k) {
        lo = std::min(lo, p.index[i * K + k]);
        hi = std::max(hi, p.index[i * K + k]);
      }
    const std::int32_t base = std::min(lo, static_cast<std::int32_t>(n_in) - 8);
    if (base < 0 || hi - base >= 8) continue;
    std::vector<std::uint32_t> key(2 * K * 8);
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t l = 0; l < 8; ++l) {
        const std::size_t i = 8 * g + l;
        key[k * 8 + l] = static_cast<std::uint32_t>(p.index[i * K + k] - base);
        std::memcpy(&key[(K + k) * 8 + l], &p.weight[i * K + k], sizeof(float));
      }
    const auto found = tables.emplace(std::move(key), static_cast<std::uint32_t>(tables.size()));
    if (tables.size() > 64) return;  // no short period: the transposed path
    p.frow_base[g] = base;
    p.frow_table[g] = found.first->second;
    ++fit;
  }
  if (fit * 10 < groups * 9) return;
  p.frow_perm.assign(tables.size() * K * 8, 0);
  p.frow_weight.assign(tables.size() * K * 8, 0.0f);
  for (const auto& [key, id] : tables)
    for (std::size_t q = 0; q < K * 8; ++q) {
      p.frow_perm[id * K * 8 + q] = static_cast<std::int32_t>(key[q]);
      std::memcpy(&p.frow_weight[id * K * 8 + q], &key[K * 8 + q], sizeof(float));
    }
  p.frow = true;
}

// ------------------------------------------------------------ row pass

// The reference's float64 sum of one sample of the row pass, rounded.
template <class S>
float exact_vertical(const S* const* src, const double* w64, std::size_t taps, std::size_t e) {
  double acc = 0.0;
  for (std::size_t k = 0; k < taps; ++k) acc = acc + w64[k] * static_cast<double>(src[k][e]);
  return static_cast<float>(round_clip(acc, 255.0));
}

// The reference's rounding of 4 float64 sums: round_clip(v, 255) lane by
// lane (floor(v + 1/2), with v + 1/2 rounded as the scalar code rounds it).
inline __m256d round_clip4(__m256d v) {
  const __m256d r = _mm256_floor_pd(_mm256_add_pd(v, _mm256_set1_pd(0.5)));
  return _mm256_min_pd(_mm256_max_pd(r, _mm256_setzero_pd()), _mm256_set1_pd(255.0));
}

// 8 float64 lanes as 8 floats (integers in [0, 255]: exact).
inline __m256 narrow(__m256d lo, __m256d hi) {
  return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo)), _mm256_cvtpd_ps(hi), 1);
}

// The reference's float64 sums of 8 consecutive samples of the row pass,
// rounded: the same multiplications and additions, in the same order, lane
// by lane (this file is compiled without contraction into FMA).
template <class S>
__m256 exact_vertical8(const S* const* src, const double* w64, std::size_t taps, std::size_t e) {
  __m256d lo = _mm256_setzero_pd(), hi = lo;
  for (std::size_t k = 0; k < taps; ++k) {
    const __m256 x = load8(src[k] + e);
    const __m256d w = _mm256_set1_pd(w64[k]);
    lo = _mm256_add_pd(lo, _mm256_mul_pd(w, _mm256_cvtps_pd(_mm256_castps256_ps128(x))));
    hi = _mm256_add_pd(hi, _mm256_mul_pd(w, _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1))));
  }
  return narrow(round_clip4(lo), round_clip4(hi));
}

template <bool kRound, class S, class D>
inline std::size_t finish_vertical(__m256 acc, D* out, std::size_t e, Rounding rounding, const S* const* src,
                                   const double* w64, std::size_t taps) {
  if constexpr (!kRound) {
    store8(out + e, acc);
    return 0;
  } else {
    int suspect;
    const __m256 v = round_clamp(acc, rounding, suspect);
    if (suspect == 0) {
      store8(out + e, v);
      return 0;
    }
    // Every lane recomputed (those not suspect get the same value again).
    store8(out + e, exact_vertical8(src, w64, taps, e));
    return static_cast<std::size_t>(__builtin_popcount(suspect));
  }
}

// out[e] = sum_k w[k] src[k][e] for e in [begin, n): one output row (or a
// piece of it) of the row pass from its `taps` input rows (float64 weights
// `w64` for recomputing).
template <bool kRound, class S, class D>
std::size_t vertical(const S* const* src, const float* w, const double* w64, std::size_t taps, std::size_t begin,
                     std::size_t n, Rounding rounding, D* out) {
  std::size_t recomputed = 0, e = begin;
  // 8 independent sums: a chain of FMAs (latency 4-5 cycles each) per vector
  // would otherwise bound the loop rather than the FMA throughput.
  for (; e + 64 <= n; e += 64) {
    __m256 a[8];
    for (int v = 0; v < 8; ++v) a[v] = _mm256_setzero_ps();
    for (std::size_t k = 0; k < taps; ++k) {
      const __m256 wk = _mm256_set1_ps(w[k]);
      const S* p = src[k] + e;
      for (int v = 0; v < 8; ++v) a[v] = _mm256_fmadd_ps(wk, load8(p + 8 * v), a[v]);
    }
    for (int v = 0; v < 8; ++v) recomputed += finish_vertical<kRound>(a[v], out, e + 8 * v, rounding, src, w64, taps);
  }
  for (; e + 32 <= n; e += 32) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (std::size_t k = 0; k < taps; ++k) {
      const __m256 wk = _mm256_set1_ps(w[k]);
      const S* p = src[k] + e;
      a0 = _mm256_fmadd_ps(wk, load8(p), a0);
      a1 = _mm256_fmadd_ps(wk, load8(p + 8), a1);
      a2 = _mm256_fmadd_ps(wk, load8(p + 16), a2);
      a3 = _mm256_fmadd_ps(wk, load8(p + 24), a3);
    }
    recomputed += finish_vertical<kRound>(a0, out, e, rounding, src, w64, taps);
    recomputed += finish_vertical<kRound>(a1, out, e + 8, rounding, src, w64, taps);
    recomputed += finish_vertical<kRound>(a2, out, e + 16, rounding, src, w64, taps);
    recomputed += finish_vertical<kRound>(a3, out, e + 24, rounding, src, w64, taps);
  }
  for (; e + 8 <= n; e += 8) {
    __m256 a = _mm256_setzero_ps();
    for (std::size_t k = 0; k < taps; ++k) a = _mm256_fmadd_ps(_mm256_set1_ps(w[k]), load8(src[k] + e), a);
    recomputed += finish_vertical<kRound>(a, out, e, rounding, src, w64, taps);
  }
  for (; e < n; ++e) {
    float a = 0.0f;
    for (std::size_t k = 0; k < taps; ++k) a = std::fma(w[k], static_cast<float>(src[k][e]), a);
    if constexpr (kRound) {
      bool suspect;
      const float v = round_clamp(a, rounding, suspect);
      store1(out + e, suspect ? exact_vertical(src, w64, taps, e) : v);
      recomputed += suspect;
    } else {
      store1(out + e, a);
    }
  }
  return recomputed;
}

// Two output rows of the float32 row pass at once where b's taps are a's moved down by d rows
// (0 < d < taps, both consecutive: the interior of a shrink): every input row the two share is
// loaded once for both sums, a quarter fewer loads, which bound this loop. Each sum still gets
// its taps' FMAs from zero in the single row's order: the same results, bit for bit. Samples
// [begin, returned) are done.
std::size_t vertical_pair(const float* const* src_a, const float* const* src_b, const float* wa, const float* wb,
                          std::size_t taps, std::size_t d, std::size_t begin, std::size_t n, float* out_a,
                          float* out_b) {
  std::size_t e = begin;
  for (; e + 32 <= n; e += 32) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (std::size_t k = 0; k < d; ++k) {
      const __m256 w = _mm256_set1_ps(wa[k]);
      const float* p = src_a[k] + e;
      a0 = _mm256_fmadd_ps(w, _mm256_loadu_ps(p), a0);
      a1 = _mm256_fmadd_ps(w, _mm256_loadu_ps(p + 8), a1);
      a2 = _mm256_fmadd_ps(w, _mm256_loadu_ps(p + 16), a2);
      a3 = _mm256_fmadd_ps(w, _mm256_loadu_ps(p + 24), a3);
    }
    for (std::size_t k = d; k < taps; ++k) {
      const __m256 u = _mm256_set1_ps(wa[k]), v = _mm256_set1_ps(wb[k - d]);
      const float* p = src_a[k] + e;
      const __m256 x0 = _mm256_loadu_ps(p), x1 = _mm256_loadu_ps(p + 8);
      a0 = _mm256_fmadd_ps(u, x0, a0);
      b0 = _mm256_fmadd_ps(v, x0, b0);
      a1 = _mm256_fmadd_ps(u, x1, a1);
      b1 = _mm256_fmadd_ps(v, x1, b1);
      const __m256 x2 = _mm256_loadu_ps(p + 16), x3 = _mm256_loadu_ps(p + 24);
      a2 = _mm256_fmadd_ps(u, x2, a2);
      b2 = _mm256_fmadd_ps(v, x2, b2);
      a3 = _mm256_fmadd_ps(u, x3, a3);
      b3 = _mm256_fmadd_ps(v, x3, b3);
    }
    for (std::size_t k = taps - d; k < taps; ++k) {
      const __m256 w = _mm256_set1_ps(wb[k]);
      const float* p = src_b[k] + e;
      b0 = _mm256_fmadd_ps(w, _mm256_loadu_ps(p), b0);
      b1 = _mm256_fmadd_ps(w, _mm256_loadu_ps(p + 8), b1);
      b2 = _mm256_fmadd_ps(w, _mm256_loadu_ps(p + 16), b2);
      b3 = _mm256_fmadd_ps(w, _mm256_loadu_ps(p + 24), b3);
    }
    _mm256_storeu_ps(out_a + e, a0);
    _mm256_storeu_ps(out_a + e + 8, a1);
    _mm256_storeu_ps(out_a + e + 16, a2);
    _mm256_storeu_ps(out_a + e + 24, a3);
    _mm256_storeu_ps(out_b + e, b0);
    _mm256_storeu_ps(out_b + e + 8, b1);
    _mm256_storeu_ps(out_b + e + 16, b2);
    _mm256_storeu_ps(out_b + e + 24, b3);
  }
  return e;
}

// vertical_pair where both rows have the same kK weights and b's taps are a's moved down by kD
// rows (the interior of a shrink by 2: one phase): the weights held in registers instead of
// broadcast for every 32 samples, each input row loaded once for both sums. The same FMAs in
// the same order.
template <int kK, int kD>
std::size_t vertical_pair_same(const float* const* src_a, const float* const* src_b, const float* w,
                               std::size_t begin, std::size_t n, float* out_a, float* out_b) {
  __m256 W[kK];
  for (int k = 0; k < kK; ++k) W[k] = _mm256_set1_ps(w[k]);
  std::size_t e = begin;
  for (; e + 16 <= n; e += 16) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, b0 = a0, b1 = a0;
    for (int u = 0; u < kK + kD; ++u) {  // input row u: tap u of a, tap u - kD of b
      const float* p = (u < kK ? src_a[u] : src_b[u - kD]) + e;
      const __m256 x0 = _mm256_loadu_ps(p), x1 = _mm256_loadu_ps(p + 8);
      if (u < kK) {
        a0 = _mm256_fmadd_ps(W[u], x0, a0);
        a1 = _mm256_fmadd_ps(W[u], x1, a1);
      }
      if (u >= kD) {
        b0 = _mm256_fmadd_ps(W[u - kD], x0, b0);
        b1 = _mm256_fmadd_ps(W[u - kD], x1, b1);
      }
    }
    _mm256_storeu_ps(out_a + e, a0);
    _mm256_storeu_ps(out_a + e + 8, a1);
    _mm256_storeu_ps(out_b + e, b0);
    _mm256_storeu_ps(out_b + e + 8, b1);
  }
  return e;
}

// ------------------------------------------------------------ column pass

// T[8 q + r] = element q of row r, for the 8 rows `rows` of n elements.
template <class S>
void transpose_in(const S* const* rows, std::size_t n, float* T) {
  std::size_t e = 0;
  for (; e + 8 <= n; e += 8) {
    __m256 v0 = load8(rows[0] + e), v1 = load8(rows[1] + e), v2 = load8(rows[2] + e), v3 = load8(rows[3] + e);
    __m256 v4 = load8(rows[4] + e), v5 = load8(rows[5] + e), v6 = load8(rows[6] + e), v7 = load8(rows[7] + e);
    transpose8(v0, v1, v2, v3, v4, v5, v6, v7);
    float* t = T + e * kLanes;
    _mm256_store_ps(t, v0);
    _mm256_store_ps(t + 8, v1);
    _mm256_store_ps(t + 16, v2);
    _mm256_store_ps(t + 24, v3);
    _mm256_store_ps(t + 32, v4);
    _mm256_store_ps(t + 40, v5);
    _mm256_store_ps(t + 48, v6);
    _mm256_store_ps(t + 56, v7);
  }
  for (; e < n; ++e)
    for (std::size_t r = 0; r < kLanes; ++r) T[e * kLanes + r] = static_cast<float>(rows[r][e]);
}

// The reference's float64 sums of output element (j, c) of the 8 rows, rounded
// (its operations in its order, lane by lane).
__m256 exact_horizontal8(const float* T, const Axis& axis, std::size_t channels, std::size_t j, std::size_t c) {
  const AxisTaps& t = *axis.taps;
  const Span span = (*axis.spans)[j];
  __m256d lo = _mm256_setzero_pd(), hi = lo;
  for (std::size_t k = span.first; k < span.last; ++k) {
    const auto q = static_cast<std::size_t>(t.index[j * t.taps + k]) * channels + c;
    const __m256 x = _mm256_load_ps(T + q * kLanes);
    const __m256d w = _mm256_set1_pd(t.weight[j * t.taps + k]);
    lo = _mm256_add_pd(lo, _mm256_mul_pd(w, _mm256_cvtps_pd(_mm256_castps256_ps128(x))));
    hi = _mm256_add_pd(hi, _mm256_mul_pd(w, _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1))));
  }
  return narrow(round_clip4(lo), round_clip4(hi));
}

// The column pass of the 8 rows held in T (n_out outputs × `channels`),
// written to the first `rows` of `dst`. kC: the channels, or 0 for any.
// kK: the taps per output when known at compile time (unrolled loops), else 0.
template <bool kRound, int kC, int kK, class D>
std::size_t horizontal_taps(const float* T, std::size_t channels, const Plan& p, const Axis& axis,
                            std::size_t n_out, D* const* dst, std::size_t rows, float* U) {
  const std::size_t C = kC > 0 ? static_cast<std::size_t>(kC) : channels;
  const std::size_t K = kK > 0 ? static_cast<std::size_t>(kK) : p.width;
  const Rounding rounding = p.rounding;  // a copy: the stores to U could alias the plan's
  std::size_t recomputed = 0;
  for (std::size_t j0 = 0; j0 < n_out; j0 += 8) {
    const std::size_t g = std::min<std::size_t>(8, n_out - j0);
    const bool group_consecutive = p.consecutive8[j0 / 8] != 0;
    std::size_t jj = 0;
    if constexpr (kC >= 1 && kC <= 3 && kK > 0 && kK <= 8) {
      if (g == 8 && p.same8[j0 / 8]) {
        // One phase: the K broadcast weights held in registers for all 8 outputs (half the
        // loads), and 8 (6 for 3 channels) sums at once, enough independent FMA chains to hide
        // their latency. The same operations in the same order as below.
        __m256 W[kK];
        for (int k = 0; k < kK; ++k) W[k] = _mm256_set1_ps(p.weight[j0 * K + k]);
        constexpr int kOut = kC == 3 ? 2 : 8 / kC;  // outputs per step
        for (; jj < 8; jj += kOut) {
          const float* t[kOut];
          for (int o = 0; o < kOut; ++o) t[o] = T + static_cast<std::size_t>(p.index[(j0 + jj + o) * K]) * kLanes;
          __m256 a[kOut * kC];
          for (int q = 0; q < kOut * kC; ++q) a[q] = _mm256_setzero_ps();
          for (int k = 0; k < kK; ++k)
            for (int o = 0; o < kOut; ++o)
              for (int c = 0; c < kC; ++c)
                a[o * kC + c] = _mm256_fmadd_ps(W[k], _mm256_load_ps(t[o] + (k * kC + c) * kLanes), a[o * kC + c]);
          for (int q = 0; q < kOut * kC; ++q) _mm256_store_ps(U + (jj * kC + q) * kLanes, a[q]);
        }
      }
    }
    if constexpr (kC == 1 || kC == 2) {
      // Few channels: 4 / kC outputs at once, for 4 independent FMA chains
      // (written out: GCC keeps arrays of accumulators in memory here).
      for (; jj + 4 / kC <= g; jj += 4 / kC) {
        const std::size_t o0 = (j0 + jj) * K, o1 = o0 + K;
        const std::size_t o2 = kC == 1 ? o1 + K : o0, o3 = kC == 1 ? o2 + K : o1;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        bool consecutive = group_consecutive;
        if (!consecutive) {
          consecutive = true;
          for (std::size_t o = 0; o < 4 / kC; ++o) consecutive = consecutive && p.consecutive[j0 + jj + o];
        }
        if (consecutive) {
          // Taps k of the outputs are at base + k kC vectors: no index loads.
          const float* t0 = T + static_cast<std::size_t>(p.index[o0]) * kLanes;
          const float* t1 = T + static_cast<std::size_t>(p.index[o1]) * kLanes;
          const float* t2 = T + static_cast<std::size_t>(p.index[o2]) * kLanes;
          const float* t3 = T + static_cast<std::size_t>(p.index[o3]) * kLanes;
          const float *w0 = &p.weight[o0], *w1 = &p.weight[o1], *w2 = &p.weight[o2], *w3 = &p.weight[o3];
          for (std::size_t k = 0; k < K; ++k) {
            const std::size_t at = k * kC * kLanes;
            if constexpr (kC == 1) {
              a0 = _mm256_fmadd_ps(_mm256_set1_ps(w0[k]), _mm256_load_ps(t0 + at), a0);
              a1 = _mm256_fmadd_ps(_mm256_set1_ps(w1[k]), _mm256_load_ps(t1 + at), a1);
              a2 = _mm256_fmadd_ps(_mm256_set1_ps(w2[k]), _mm256_load_ps(t2 + at), a2);
              a3 = _mm256_fmadd_ps(_mm256_set1_ps(w3[k]), _mm256_load_ps(t3 + at), a3);
            } else {
              const __m256 v0 = _mm256_set1_ps(w0[k]), v1 = _mm256_set1_ps(w1[k]);
              a0 = _mm256_fmadd_ps(v0, _mm256_load_ps(t0 + at), a0);
              a1 = _mm256_fmadd_ps(v0, _mm256_load_ps(t0 + at + kLanes), a1);
              a2 = _mm256_fmadd_ps(v1, _mm256_load_ps(t1 + at), a2);
              a3 = _mm256_fmadd_ps(v1, _mm256_load_ps(t1 + at + kLanes), a3);
            }
          }
        } else
        for (std::size_t k = 0; k < K; ++k) {
          const float* t0 = T + static_cast<std::size_t>(p.index[o0 + k]) * kLanes;
          const float* t1 = T + static_cast<std::size_t>(p.index[o1 + k]) * kLanes;
          if constexpr (kC == 1) {
            const float* t2 = T + static_cast<std::size_t>(p.index[o2 + k]) * kLanes;
            const float* t3 = T + static_cast<std::size_t>(p.index[o3 + k]) * kLanes;
            a0 = _mm256_fmadd_ps(_mm256_set1_ps(p.weight[o0 + k]), _mm256_load_ps(t0), a0);
            a1 = _mm256_fmadd_ps(_mm256_set1_ps(p.weight[o1 + k]), _mm256_load_ps(t1), a1);
            a2 = _mm256_fmadd_ps(_mm256_set1_ps(p.weight[o2 + k]), _mm256_load_ps(t2), a2);
            a3 = _mm256_fmadd_ps(_mm256_set1_ps(p.weight[o3 + k]), _mm256_load_ps(t3), a3);
          } else {
            const __m256 w0 = _mm256_set1_ps(p.weight[o0 + k]), w1 = _mm256_set1_ps(p.weight[o1 + k]);
            a0 = _mm256_fmadd_ps(w0, _mm256_load_ps(t0), a0);
            a1 = _mm256_fmadd_ps(w0, _mm256_load_ps(t0 + kLanes), a1);
            a2 = _mm256_fmadd_ps(w1, _mm256_load_ps(t1), a2);
            a3 = _mm256_fmadd_ps(w1, _mm256_load_ps(t1 + kLanes), a3);
          }
        }
        float* u = U + jj * kC * kLanes;
        _mm256_store_ps(u, a0);
        _mm256_store_ps(u + kLanes, a1);
        _mm256_store_ps(u + 2 * kLanes, a2);
        _mm256_store_ps(u + 3 * kLanes, a3);
      }
    }
    for (; jj < g; ++jj) {
      const std::int32_t* ix = &p.index[(j0 + jj) * K];
      const float* w = &p.weight[(j0 + jj) * K];
      if constexpr (kC > 0) {
        __m256 acc[kC];
        for (int c = 0; c < kC; ++c) acc[c] = _mm256_setzero_ps();
        if (p.consecutive[j0 + jj]) {
          const float* t = T + static_cast<std::size_t>(ix[0]) * kLanes;
          for (std::size_t k = 0; k < K; ++k, t += kC * kLanes) {
            const __m256 wk = _mm256_set1_ps(w[k]);
            for (int c = 0; c < kC; ++c) acc[c] = _mm256_fmadd_ps(wk, _mm256_load_ps(t + c * kLanes), acc[c]);
          }
        } else {
          for (std::size_t k = 0; k < K; ++k) {
            const __m256 wk = _mm256_set1_ps(w[k]);
            const float* t = T + static_cast<std::size_t>(ix[k]) * kLanes;
            for (int c = 0; c < kC; ++c) acc[c] = _mm256_fmadd_ps(wk, _mm256_load_ps(t + c * kLanes), acc[c]);
          }
        }
        for (int c = 0; c < kC; ++c) _mm256_store_ps(U + (jj * kC + c) * kLanes, acc[c]);
      } else {
        for (std::size_t c = 0; c < C; ++c) {
          __m256 acc = _mm256_setzero_ps();
          for (std::size_t k = 0; k < K; ++k)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(w[k]),
                                  _mm256_load_ps(T + (static_cast<std::size_t>(ix[k]) + c) * kLanes), acc);
          _mm256_store_ps(U + (jj * C + c) * kLanes, acc);
        }
      }
    }
    const std::size_t n_el = g * C, blocks = (n_el + 7) / 8;
    for (std::size_t q = n_el; q < blocks * 8; ++q) _mm256_store_ps(U + q * kLanes, _mm256_setzero_ps());
    if constexpr (kRound) {
      for (std::size_t q = 0; q < n_el; ++q) {
        int suspect;
        _mm256_store_ps(U + q * kLanes, round_clamp(_mm256_load_ps(U + q * kLanes), rounding, suspect));
        if (suspect == 0) continue;
        _mm256_store_ps(U + q * kLanes, exact_horizontal8(T, axis, C, j0 + q / C, q % C));
        recomputed += static_cast<std::size_t>(__builtin_popcount(suspect));
      }
    }
    for (std::size_t b = 0; b < blocks; ++b) {
      const float* u = U + b * 8 * kLanes;
      __m256 v[8] = {_mm256_load_ps(u),      _mm256_load_ps(u + 8),  _mm256_load_ps(u + 16),
                     _mm256_load_ps(u + 24), _mm256_load_ps(u + 32), _mm256_load_ps(u + 40),
                     _mm256_load_ps(u + 48), _mm256_load_ps(u + 56)};
      transpose8(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
      const std::size_t at = j0 * C + b * 8, count = std::min<std::size_t>(8, n_el - b * 8);
      if (count == 8) {
        for (std::size_t r = 0; r < rows; ++r) store8(dst[r] + at, v[r]);
      } else {
        alignas(32) float tail[8];
        for (std::size_t r = 0; r < rows; ++r) {
          _mm256_store_ps(tail, v[r]);
          for (std::size_t i = 0; i < count; ++i) store1(dst[r] + at + i, tail[i]);
        }
      }
    }
  }
  return recomputed;
}

// The common tap counts (bicubic ×s for s >= 1, ×1/2, ×1/4) get unrolled loops.
template <bool kRound, int kC, class D>
std::size_t horizontal(const float* T, std::size_t channels, const Plan& p, const Axis& axis, std::size_t n_out,
                       D* const* dst, std::size_t rows, float* U) {
  switch (p.width) {
    case 4: return horizontal_taps<kRound, kC, 4>(T, channels, p, axis, n_out, dst, rows, U);
    case 8: return horizontal_taps<kRound, kC, 8>(T, channels, p, axis, n_out, dst, rows, U);
    case 16: return horizontal_taps<kRound, kC, 16>(T, channels, p, axis, n_out, dst, rows, U);
    default: return horizontal_taps<kRound, kC, 0>(T, channels, p, axis, n_out, dst, rows, U);
  }
}

// ------------------------------------------------------------ integer passes (uint8)

// MATLAB's rounding of N 2^-15 before the clip (the header): floor(N 2^-15 + 1/2).
inline __m256i round15(__m256i n) { return _mm256_srai_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(1 << 14)), 15); }

inline u8 round_clip15(std::int32_t n) {
  if (n < 0) return 0;  // (and >> of a negative number is a floor only since C++20)
  return static_cast<u8>(std::min((n + (1 << 14)) >> 15, 255));
}

// The row pass of an output whose weights are symmetric (m_k = m_{K-1-k},
// K even: every output of a shrink by 2^-j): N = sum_{k < K/2} m_k (x_k +
// x_{K-1-k}), the same integer (x_k + x_{K-1-k} <= 510 is an int16, and
// |N| < 2^31 as before), with half the madds. Sums are paired for the madd.
void vertical_symmetric(const u8* const* src, const std::int16_t* m, std::size_t taps, std::size_t begin,
                        std::size_t n, u8* out) {
  const std::size_t half = taps / 2, pairs = (half + 1) / 2;
  constexpr std::size_t kStack = 32;
  std::int32_t w_stack[kStack];
  std::vector<std::int32_t> w_heap;
  std::int32_t* weights = w_stack;
  if (pairs > kStack) {
    w_heap.resize(pairs);
    weights = w_heap.data();
  }
  for (std::size_t j = 0; j < pairs; ++j) {
    const std::size_t k = 2 * j;
    const auto low = static_cast<std::uint16_t>(m[k]);
    const auto high = static_cast<std::uint16_t>(k + 1 < half ? m[k + 1] : 0);
    weights[j] = static_cast<std::int32_t>(static_cast<std::uint32_t>(low) | (static_cast<std::uint32_t>(high) << 16));
  }
  for (std::size_t e = begin; e + 32 <= n; e += 32) {
    const __m256i zero = _mm256_setzero_si256();
    // acc0..acc3: samples 0-3 | 8-11, 4-7 | 12-15, 16-19 | 24-27, 20-23 | 28-31.
    __m256i acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero;
    auto sums = [&](std::size_t k, __m256i& lo, __m256i& hi) {
      const u8* a = src[k] + e;
      const u8* b = src[taps - 1 - k] + e;
      auto widen = [](const u8* p) { return _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); };
      lo = _mm256_add_epi16(widen(a), widen(b));
      hi = _mm256_add_epi16(widen(a + 16), widen(b + 16));
    };
    for (std::size_t j = 0; j < pairs; ++j) {
      const std::size_t k = 2 * j;
      __m256i a_lo, a_hi, b_lo = zero, b_hi = zero;
      sums(k, a_lo, a_hi);
      if (k + 1 < half) sums(k + 1, b_lo, b_hi);
      const __m256i w = _mm256_set1_epi32(weights[j]);
      acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(_mm256_unpacklo_epi16(a_lo, b_lo), w));
      acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(_mm256_unpackhi_epi16(a_lo, b_lo), w));
      acc2 = _mm256_add_epi32(acc2, _mm256_madd_epi16(_mm256_unpacklo_epi16(a_hi, b_hi), w));
      acc3 = _mm256_add_epi32(acc3, _mm256_madd_epi16(_mm256_unpackhi_epi16(a_hi, b_hi), w));
    }
    // Samples 0-15 and 16-31 as int16, then bytes in the order 0-7, 16-23,
    // 8-15, 24-31, which the permutation puts right.
    const __m256i low = _mm256_packs_epi32(round15(acc0), round15(acc1));
    const __m256i high = _mm256_packs_epi32(round15(acc2), round15(acc3));
    const __m256i bytes = _mm256_permute4x64_epi64(_mm256_packus_epi16(low, high), _MM_SHUFFLE(3, 1, 2, 0));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + e), bytes);
  }
}

// The row pass in int32: out[e] for e in [begin, n) from the `taps` rows
// `src` with weights m 2^-15. Taps are taken two at a time (any two rows):
// their bytes interleaved and widened to int16 pairs, one madd per 8 samples.
void vertical_integer(const u8* const* src, const std::int16_t* m, std::size_t taps, std::size_t begin,
                      std::size_t n, u8* out) {
  bool symmetric = taps % 2 == 0 && taps >= 4;
  for (std::size_t k = 0; k < taps / 2 && symmetric; ++k) symmetric = m[k] == m[taps - 1 - k];
  if (symmetric && n - begin >= 32) {
    vertical_symmetric(src, m, taps, begin, n, out);
    begin += (n - begin) / 32 * 32;
  }
  constexpr std::size_t kStack = 32;
  const std::size_t pairs = (taps + 1) / 2;
  const u8* a_stack[kStack];
  const u8* b_stack[kStack];
  std::int32_t w_stack[kStack];
  std::vector<const u8*> a_heap, b_heap;
  std::vector<std::int32_t> w_heap;
  const u8** a = a_stack;
  const u8** b = b_stack;
  std::int32_t* w = w_stack;
  if (pairs > kStack) {
    a_heap.resize(pairs);
    b_heap.resize(pairs);
    w_heap.resize(pairs);
    a = a_heap.data();
    b = b_heap.data();
    w = w_heap.data();
  }
  for (std::size_t j = 0; j < pairs; ++j) {
    const std::size_t k = 2 * j;
    const bool second = k + 1 < taps;
    a[j] = src[k];
    b[j] = second ? src[k + 1] : src[k];  // weight 0: any readable row
    const auto low = static_cast<std::uint16_t>(m[k]);
    const auto high = static_cast<std::uint16_t>(second ? m[k + 1] : 0);
    w[j] = static_cast<std::int32_t>(static_cast<std::uint32_t>(low) | (static_cast<std::uint32_t>(high) << 16));
  }
  const __m256i zero = _mm256_setzero_si256();
  std::size_t e = begin;
  for (; e + 32 <= n; e += 32) {
    // acc0..acc3: samples 0-3, 4-7, 8-11, 12-15 of each 16-sample half
    // (unpack works within 128-bit lanes); the packs below undo the order.
    __m256i acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero;
    for (std::size_t j = 0; j < pairs; ++j) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[j] + e));
      const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[j] + e));
      const __m256i lo = _mm256_unpacklo_epi8(x, y), hi = _mm256_unpackhi_epi8(x, y);
      const __m256i wj = _mm256_set1_epi32(w[j]);
      acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(_mm256_unpacklo_epi8(lo, zero), wj));
      acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(_mm256_unpackhi_epi8(lo, zero), wj));
      acc2 = _mm256_add_epi32(acc2, _mm256_madd_epi16(_mm256_unpacklo_epi8(hi, zero), wj));
      acc3 = _mm256_add_epi32(acc3, _mm256_madd_epi16(_mm256_unpackhi_epi8(hi, zero), wj));
    }
    const __m256i low = _mm256_packs_epi32(round15(acc0), round15(acc1));
    const __m256i high = _mm256_packs_epi32(round15(acc2), round15(acc3));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + e), _mm256_packus_epi16(low, high));
  }
  for (; e < n; ++e) {
    std::int32_t acc = 0;
    for (std::size_t k = 0; k < taps; ++k) acc += static_cast<std::int32_t>(m[k]) * src[k][e];
    out[e] = round_clip15(acc);
  }
}

// The 8 × 8 rounded int32 sums u[i] (output i, lane r: row r) as uint8,
// clipped by the saturating packs, row by row: block[8 r + i].
inline void transpose_to_bytes(const __m256i* u, u8* block) {
  auto get = [u](int i) { return _mm256_load_si256(u + i); };
  // Lane 0 of each: rows 0-3, lane 1: rows 4-7; bytes 4 i + r (i: output).
  const __m256i a = _mm256_packus_epi16(_mm256_packs_epi32(get(0), get(1)), _mm256_packs_epi32(get(2), get(3)));
  const __m256i b = _mm256_packus_epi16(_mm256_packs_epi32(get(4), get(5)), _mm256_packs_epi32(get(6), get(7)));
  // Bytes 4 r + i: rows of 4 outputs.
  const __m256i order = _mm256_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15,
                                         0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  const __m256i x = _mm256_shuffle_epi8(a, order), y = _mm256_shuffle_epi8(b, order);
  // Rows 0, 1 | 4, 5 and 2, 3 | 6, 7, 8 outputs each.
  const __m256i lo = _mm256_unpacklo_epi32(x, y), hi = _mm256_unpackhi_epi32(x, y);
  auto* out = reinterpret_cast<__m128i*>(block);
  _mm_store_si128(out, _mm256_castsi256_si128(lo));
  _mm_store_si128(out + 1, _mm256_castsi256_si128(hi));
  _mm_store_si128(out + 2, _mm256_extracti128_si256(lo, 1));
  _mm_store_si128(out + 3, _mm256_extracti128_si256(hi, 1));
}

// P[8 q + r] = sample q of row r in the low 16 bits, sample q + step (0 past
// the end) in the high 16: a madd of P[q] with (m_a, m_b) adds both taps of
// all 8 rows.
void pair_rows(const u8* const* rows, std::size_t n, std::size_t step, std::int32_t* P) {
  std::size_t e = 0;
  for (; e + step + 8 <= n; e += 8) {
    __m256 v[8];
    for (std::size_t r = 0; r < kLanes; ++r) {
      const __m256i x = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(rows[r] + e)));
      const __m256i y = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(rows[r] + e + step)));
      v[r] = _mm256_castsi256_ps(_mm256_or_si256(x, _mm256_slli_epi32(y, 16)));
    }
    transpose8(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    for (std::size_t r = 0; r < kLanes; ++r)
      _mm256_store_si256(reinterpret_cast<__m256i*>(P + (e + r) * kLanes), _mm256_castps_si256(v[r]));
  }
  for (; e < n; ++e)
    for (std::size_t r = 0; r < kLanes; ++r) {
      const std::uint32_t next = e + step < n ? rows[r][e + step] : 0;
      P[e * kLanes + r] = static_cast<std::int32_t>(rows[r][e] | (next << 16));
    }
}

// P[8 (i C + c) + r] = channel c of samples 2 i - offset and 2 i + 1 - offset of row r (0
// outside the row) in the low and high 16 bits, for the ((n / C + offset + 1) / 2) C entries of
// rows of n elements, C channels: half the entries of pair_rows, each made once. For C > 1
// each half of 8 entries is one byte shuffle of 16 bytes of the row (its pattern repeats with
// the first entry's channel), transposed.
void pair_aligned_channels(const u8* const* rows, std::size_t n, std::size_t C, std::size_t offset, std::int32_t* P) {
  const std::size_t samples = n / C, entries = (samples + offset + 1) / 2 * C;
  // Element of the low half of entry e (the high half is C further), may be out of the row.
  auto low = [&](std::size_t e) {  // (2 i - offset) C + c for e = i C + c
    return 2 * static_cast<std::ptrdiff_t>(e) - static_cast<std::ptrdiff_t>(e % C + offset * C);
  };
  auto element = [&](std::size_t r, std::ptrdiff_t q) -> std::uint32_t {
    return q >= 0 && q < static_cast<std::ptrdiff_t>(n) ? rows[r][q] : 0;
  };
  auto scalar = [&](std::size_t e) {
    const std::ptrdiff_t q = low(e);
    for (std::size_t r = 0; r < kLanes; ++r)
      P[e * kLanes + r] = static_cast<std::int32_t>(element(r, q) | (element(r, q + static_cast<std::ptrdiff_t>(C)) << 16));
  };
  // The shuffles for a first entry e0 with e0 % C = t: bytes 4 l and 4 l + 2 of half h pick
  // elements low(e) and low(e) + C of entry e = e0 + 4 h + l, from 16 bytes at low(e0 + 4 h).
  alignas(32) u8 masks[4][32];
  for (std::size_t t = 0; t < C; ++t)
    for (std::size_t h = 0; h < 2; ++h)
      for (std::size_t l = 0; l < 4; ++l) {
        const std::size_t e = C * 8 + t + 4 * h + l, first = C * 8 + t + 4 * h;  // any e0 with e0 % C = t
        const auto rel = static_cast<u8>(low(e) - low(first));
        u8* mask = &masks[t][16 * h + 4 * l];
        mask[0] = rel;
        mask[1] = 0x80;
        mask[2] = static_cast<u8>(rel + C);
        mask[3] = 0x80;
      }
  std::size_t e = 0;
  for (; e < entries && low(e) < 0; ++e) scalar(e);
  for (; e + 8 <= entries && low(e + 4) + 16 <= static_cast<std::ptrdiff_t>(n) && low(e) >= 0; e += 8) {
    const __m256i mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(masks[e % C]));
    const std::ptrdiff_t base0 = low(e), base1 = low(e + 4);
    __m256 v[8];
    for (std::size_t r = 0; r < kLanes; ++r)
      v[r] = _mm256_castsi256_ps(_mm256_shuffle_epi8(
          _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(rows[r] + base1),
                              reinterpret_cast<const __m128i*>(rows[r] + base0)),
          mask));
    transpose8(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    for (std::size_t r = 0; r < kLanes; ++r)
      _mm256_store_si256(reinterpret_cast<__m256i*>(P + (e + r) * kLanes), _mm256_castps_si256(v[r]));
  }
  for (; e < entries; ++e) scalar(e);
}

// P[8 i + r] = samples 2 i - offset and 2 i + 1 - offset of row r (0 outside
// the row) in the low and high 16 bits, for the (n + offset + 1) / 2 entries
// of a single-channel row: the widened bytes, transposed.
void pair_aligned(const u8* const* rows, std::size_t n, std::size_t offset, std::int32_t* P) {
  const std::size_t entries = (n + offset + 1) / 2;
  auto sample = [&](std::size_t r, std::size_t i) -> std::uint32_t {
    return i >= offset && i - offset < n ? rows[r][i - offset] : 0;
  };
  auto scalar = [&](std::size_t i) {
    for (std::size_t r = 0; r < kLanes; ++r)
      P[i * kLanes + r] = static_cast<std::int32_t>(sample(r, 2 * i) | (sample(r, 2 * i + 1) << 16));
  };
  std::size_t i = 0;
  for (; i < entries && 2 * i < offset; ++i) scalar(i);
  for (; i + 8 <= entries && 2 * i - offset + 16 <= n; i += 8) {
    __m256 v[8];
    for (std::size_t r = 0; r < kLanes; ++r)
      v[r] = _mm256_castsi256_ps(
          _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[r] + 2 * i - offset))));
    transpose8(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    for (std::size_t r = 0; r < kLanes; ++r)
      _mm256_store_si256(reinterpret_cast<__m256i*>(P + (i + r) * kLanes), _mm256_castps_si256(v[r]));
  }
  for (; i < entries; ++i) scalar(i);
}

// The column pass in int32 of the 8 rows paired in P, written to the first
// `rows` of `dst`. kC: the channels, or 0 for any; kP: entries per output
// when known at compile time, else 0.
template <int kC, int kP>
void horizontal_integer_taps(const std::int32_t* P, std::size_t channels, const PairTable& p, std::size_t n_out,
                             u8* const* dst, std::size_t rows, std::int32_t* U) {
  const std::size_t C = kC > 0 ? static_cast<std::size_t>(kC) : channels;
  const std::size_t E = kP > 0 ? static_cast<std::size_t>(kP) : p.pairs, stride = p.stride;
  const std::int32_t* index = p.index.data();
  const std::int32_t* weight = p.weight.data();
  const std::uint32_t* extra = p.extra.data();
  for (std::size_t j0 = 0; j0 < n_out; j0 += 8) {
    const std::size_t g = std::min<std::size_t>(8, n_out - j0);
    for (std::size_t jj = 0; jj < g; ++jj) {
      const std::int32_t* ix = index + (j0 + jj) * stride;
      const std::int32_t* w = weight + (j0 + jj) * stride;
      const std::size_t count = E + extra[j0 + jj];
      if constexpr (kC >= 2) {
        // The channels of a sample share its weights: one broadcast per entry for all kC sums.
        __m256i acc[kC];
        for (int c = 0; c < kC; ++c) acc[c] = _mm256_setzero_si256();
        for (std::size_t k = 0; k < count; ++k) {
          const __m256i wk = _mm256_set1_epi32(w[k]);
          const auto* t = reinterpret_cast<const __m256i*>(P + static_cast<std::size_t>(ix[k]) * kLanes);
          for (int c = 0; c < kC; ++c) acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_load_si256(t + c), wk));
        }
        for (int c = 0; c < kC; ++c)
          _mm256_store_si256(reinterpret_cast<__m256i*>(U + (jj * kC + c) * kLanes), round15(acc[c]));
        continue;
      }
      // One chain per channel: madd results are independent, the adds have
      // a latency of 1.
      for (std::size_t c = 0; c < C; ++c) {
        __m256i acc = _mm256_setzero_si256();
        for (std::size_t k = 0; k < E; ++k) {
          const auto* t = reinterpret_cast<const __m256i*>(P + (static_cast<std::size_t>(ix[k]) + c) * kLanes);
          acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_load_si256(t), _mm256_set1_epi32(w[k])));
        }
        for (std::size_t k = E; k < count; ++k) {
          const auto* t = reinterpret_cast<const __m256i*>(P + (static_cast<std::size_t>(ix[k]) + c) * kLanes);
          acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_load_si256(t), _mm256_set1_epi32(w[k])));
        }
        _mm256_store_si256(reinterpret_cast<__m256i*>(U + (jj * C + c) * kLanes), round15(acc));
      }
    }
    const std::size_t n_el = g * C, blocks = (n_el + 7) / 8;
    for (std::size_t q = n_el; q < blocks * 8; ++q)
      _mm256_store_si256(reinterpret_cast<__m256i*>(U + q * kLanes), _mm256_setzero_si256());
    for (std::size_t b = 0; b < blocks; ++b) {
      const std::size_t at = j0 * C + b * 8, count = std::min<std::size_t>(8, n_el - b * 8);
      alignas(16) u8 block[64];
      transpose_to_bytes(reinterpret_cast<const __m256i*>(U + b * 8 * kLanes), block);
      if (count == 8) {
        for (std::size_t r = 0; r < rows; ++r) std::memcpy(dst[r] + at, block + 8 * r, 8);
      } else {
        for (std::size_t r = 0; r < rows; ++r) std::memcpy(dst[r] + at, block + 8 * r, count);
      }
    }
  }
}

template <int kC>
void horizontal_integer(const std::int32_t* P, std::size_t channels, const PairTable& p, std::size_t n_out,
                        u8* const* dst, std::size_t rows, std::int32_t* U) {
  switch (p.pairs) {
    case 2: return horizontal_integer_taps<kC, 2>(P, channels, p, n_out, dst, rows, U);
    case 3: return horizontal_integer_taps<kC, 3>(P, channels, p, n_out, dst, rows, U);
    case 4: return horizontal_integer_taps<kC, 4>(P, channels, p, n_out, dst, rows, U);
    case 8: return horizontal_integer_taps<kC, 8>(P, channels, p, n_out, dst, rows, U);
    default: return horizontal_integer_taps<kC, 0>(P, channels, p, n_out, dst, rows, U);
  }
}

// ------------------------------------------------------------ rows of the views

template <class T>
bool packed(const ImageView& v) {
  return v.channel_stride == static_cast<std::ptrdiff_t>(sizeof(T)) &&
         v.col_stride == static_cast<std::ptrdiff_t>(sizeof(T)) * v.channels;
}

template <class T>
T* row_pointer(const ImageView& v, std::size_t i) {
  return reinterpret_cast<T*>(static_cast<char*>(v.data) + static_cast<std::ptrdiff_t>(i) * v.row_stride);
}

// Row i of a strided view as cols × channels packed samples.
template <class T>
void pack_row(const ImageView& v, std::size_t i, T* dst) {
  const char* row = static_cast<const char*>(v.data) + static_cast<std::ptrdiff_t>(i) * v.row_stride;
  const auto c = static_cast<std::size_t>(v.channels);
  for (std::ptrdiff_t j = 0; j < v.cols; ++j)
    for (std::size_t k = 0; k < c; ++k)
      dst[static_cast<std::size_t>(j) * c + k] =
          *reinterpret_cast<const T*>(row + j * v.col_stride + static_cast<std::ptrdiff_t>(k) * v.channel_stride);
}

template <class T>
void unpack_row(const T* src, const ImageView& v, std::size_t i) {
  char* row = static_cast<char*>(v.data) + static_cast<std::ptrdiff_t>(i) * v.row_stride;
  const auto c = static_cast<std::size_t>(v.channels);
  for (std::ptrdiff_t j = 0; j < v.cols; ++j)
    for (std::size_t k = 0; k < c; ++k)
      *reinterpret_cast<T*>(row + j * v.col_stride + static_cast<std::ptrdiff_t>(k) * v.channel_stride) =
          src[static_cast<std::size_t>(j) * c + k];
}

// True when the n samples at p are finite. x * 0 is 0 for finite x and NaN
// for NaN or infinity, and a NaN stays in a sum: one FMA per vector, in 8
// independent sums (a single chain would wait on each FMA's latency).
inline bool all_finite(const float* p, std::size_t n) {
  const __m256 zero = _mm256_setzero_ps();
  __m256 a[8] = {zero, zero, zero, zero, zero, zero, zero, zero};
  std::size_t e = 0;
  for (; e + 64 <= n; e += 64)
    for (int v = 0; v < 8; ++v) a[v] = _mm256_fmadd_ps(_mm256_loadu_ps(p + e + 8 * v), zero, a[v]);
  for (; e + 8 <= n; e += 8) a[0] = _mm256_fmadd_ps(_mm256_loadu_ps(p + e), zero, a[0]);
  const __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a[0], a[1]), _mm256_add_ps(a[2], a[3])),
                                   _mm256_add_ps(_mm256_add_ps(a[4], a[5]), _mm256_add_ps(a[6], a[7])));
  bool finite = _mm256_movemask_ps(_mm256_cmp_ps(sum, zero, _CMP_UNORD_Q)) == 0;
  for (; e < n; ++e) finite = finite && std::isfinite(p[e]);
  return finite;
}

inline bool all_finite(const u8*, std::size_t) { return true; }

// ------------------------------------------------------------ the two orders

struct Job {
  const ImageView& in;
  const ImageView& out;
  Axis rows, cols;
  const Plan& row_plan;
  const Plan& col_plan;
  std::size_t channels, threads;
  // Set when a float image holds NaN or infinity: every input row is checked
  // by the task that has just read it (the door leaves the check to us).
  std::atomic<bool>& nonfinite;
};

// Checks input rows [i0, i1) of a float image (nothing to check for uint8).
template <class S>
void check_rows(const Job& job, std::size_t i0, std::size_t i1, S* spare) {
  if constexpr (std::is_same_v<S, float>) {
    const std::size_t n = static_cast<std::size_t>(job.in.cols) * job.channels;
    const bool direct = packed<S>(job.in);
    for (std::size_t i = i0; i < i1; ++i) {
      const S* row = direct ? row_pointer<const S>(job.in, i) : spare;
      if (!direct) pack_row(job.in, i, spare);
      if (!all_finite(row, n)) job.nonfinite = true;
    }
  }
}

// One element of the integer column pass, summed on its own.
inline u8 integer_element(const u8* row, const Plan& p, std::size_t j, std::size_t c) {
  std::int32_t acc = 0;
  for (std::size_t k = 0; k < p.width; ++k)
    acc += static_cast<std::int32_t>(p.weight16[j * p.width + k]) * row[p.index[j * p.width + k] + c];
  return round_clip15(acc);
}

// Elements [e0, e1) of the integer column pass, one by one (sample and channel counted
// along: a division per element cost a fifth of the pass at ×2).
inline void integer_elements(const u8* row, const Plan& p, std::size_t step, std::size_t e0, std::size_t e1,
                             u8* out) {
  std::size_t j = e0 / step, c = e0 % step;
  for (std::size_t e = e0; e < e1; ++e) {
    out[e] = integer_element(row, p, j, c);
    if (++c == step) {
      c = 0;
      ++j;
    }
  }
}

// The sums of group g of the row-wise integer column pass (Plan::rowwise), rounded.
template <int kE>
inline __m256i rowwise_group(const u8* row, const Plan& p, std::size_t E, std::size_t g) {
  const __m256i x = _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(row + p.row_base[2 * g + 1]),
                                        reinterpret_cast<const __m128i*>(row + p.row_base[2 * g]));
  const auto* mask = reinterpret_cast<const __m256i*>(&p.row_mask[g * E * 32]);
  const auto* weight = reinterpret_cast<const __m256i*>(&p.row_weight[g * E * 8]);
  __m256i acc = _mm256_madd_epi16(_mm256_shuffle_epi8(x, _mm256_loadu_si256(mask)), _mm256_loadu_si256(weight));
  for (std::size_t k = 1; k < E; ++k)
    acc = _mm256_add_epi32(
        acc, _mm256_madd_epi16(_mm256_shuffle_epi8(x, _mm256_loadu_si256(mask + k)), _mm256_loadu_si256(weight + k)));
  return round15(acc);
}

// The integer column pass of one row along it (Plan::rowwise): n_out
// elements of `out` from `row`. Four groups at a time where they all fit, packed
// to bytes together (one 32-byte store instead of four narrowing chains of 8).
template <int kE>
void horizontal_rowwise(const u8* row, const Plan& p, std::size_t step, std::size_t n_out, u8* out) {
  const std::size_t E = kE > 0 ? static_cast<std::size_t>(kE) : p.row_entries, groups = n_out / 8;
  std::size_t g = 0;
  for (; g + 4 <= groups; g += 4) {
    if (p.row_ok[g] & p.row_ok[g + 1] & p.row_ok[g + 2] & p.row_ok[g + 3]) {
      const __m256i r0 = rowwise_group<kE>(row, p, E, g), r1 = rowwise_group<kE>(row, p, E, g + 1);
      const __m256i r2 = rowwise_group<kE>(row, p, E, g + 2), r3 = rowwise_group<kE>(row, p, E, g + 3);
      // packs interleave the 128-bit lanes: bytes of groups g, g+1, g+2, g+3 as 0-3 | 8-11, 4-7 | 12-15
      // in 32-bit pieces; the permutation puts them in order.
      const __m256i bytes = _mm256_packus_epi16(_mm256_packs_epi32(r0, r1), _mm256_packs_epi32(r2, r3));
      const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8 * g), _mm256_permutevar8x32_epi32(bytes, order));
      continue;
    }
    for (std::size_t q = g; q < g + 4; ++q) {
      if (!p.row_ok[q]) {
        integer_elements(row, p, step, 8 * q, 8 * q + 8, out);
        continue;
      }
      const __m256i r = rowwise_group<kE>(row, p, E, q);
      const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 8 * q), _mm_packus_epi16(w, w));
    }
  }
  for (; g < groups; ++g) {
    if (!p.row_ok[g]) {
      integer_elements(row, p, step, 8 * g, 8 * g + 8, out);
      continue;
    }
    const __m256i r = rowwise_group<kE>(row, p, E, g);
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 8 * g), _mm_packus_epi16(w, w));
  }
  integer_elements(row, p, step, 8 * groups, n_out, out);
}

// One output of the float32 column pass of one row, summed on its own (the transposed path's
// operations: zero, then one FMA per tap in order).
inline float float_element(const float* row, const Plan& p, std::size_t j) {
  float acc = 0.0f;
  for (std::size_t k = 0; k < p.width; ++k) acc = std::fma(p.weight[j * p.width + k], row[p.index[j * p.width + k]], acc);
  return acc;
}

// The float32 column pass of one row of one channel along it (Plan::frow): n_out outputs of
// `out` from `row`. kK: the taps per output when known at compile time, else 0.
template <int kK>
void horizontal_rowwise_float(const float* row, const Plan& p, std::size_t n_out, float* out) {
  const std::size_t K = kK > 0 ? static_cast<std::size_t>(kK) : p.width, groups = n_out / 8;
  for (std::size_t g = 0; g < groups;) {
    const std::uint32_t id = p.frow_table[g];
    if (id == kNoTable) {
      for (std::size_t j = 8 * g; j < 8 * g + 8; ++j) out[j] = float_element(row, p, j);
      ++g;
      continue;
    }
    std::size_t end = g + 1;
    while (end < groups && p.frow_table[end] == id) ++end;
    const std::int32_t* perm = &p.frow_perm[id * K * 8];
    const float* weight = &p.frow_weight[id * K * 8];
    if constexpr (kK > 0) {
      // The run's tables held in registers.
      __m256i I[kK];
      __m256 W[kK];
      for (int k = 0; k < kK; ++k) {
        I[k] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(perm + 8 * k));
        W[k] = _mm256_loadu_ps(weight + 8 * k);
      }
      for (; g < end; ++g) {
        const __m256 x = _mm256_loadu_ps(row + p.frow_base[g]);
        __m256 acc = _mm256_setzero_ps();
        for (int k = 0; k < kK; ++k) acc = _mm256_fmadd_ps(W[k], _mm256_permutevar8x32_ps(x, I[k]), acc);
        _mm256_storeu_ps(out + 8 * g, acc);
      }
    } else {
      for (; g < end; ++g) {
        const __m256 x = _mm256_loadu_ps(row + p.frow_base[g]);
        __m256 acc = _mm256_setzero_ps();
        for (std::size_t k = 0; k < K; ++k)
          acc = _mm256_fmadd_ps(_mm256_loadu_ps(weight + 8 * k),
                                _mm256_permutevar8x32_ps(x, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(perm + 8 * k))),
                                acc);
        _mm256_storeu_ps(out + 8 * g, acc);
      }
    }
  }
  for (std::size_t j = 8 * groups; j < n_out; ++j) out[j] = float_element(row, p, j);
}

// The column pass of the 8 rows `lines` (m of them real) into dst[0..m).
template <bool kRound, int kC, class S>
std::size_t column_pass(const Job& job, const S* const* lines, S* const* dst, std::size_t m) {
  ThreadScratch& scratch = thread_scratch();
  const std::size_t n = static_cast<std::size_t>(job.in.cols) * job.channels;
  const auto n_out = static_cast<std::size_t>(job.out.cols);
  if constexpr (std::is_same_v<S, u8>) {
    if (job.col_plan.rowwise) {
      const std::size_t elements = n_out * job.channels;
      for (std::size_t r = 0; r < m; ++r) {
        switch (job.col_plan.row_entries) {
          case 2: horizontal_rowwise<2>(lines[r], job.col_plan, job.channels, elements, dst[r]); break;
          case 4: horizontal_rowwise<4>(lines[r], job.col_plan, job.channels, elements, dst[r]); break;
          default: horizontal_rowwise<0>(lines[r], job.col_plan, job.channels, elements, dst[r]); break;
        }
      }
      return 0;
    }
    if (job.col_plan.integer) {
      std::int32_t* P = scratch.pairs.get(kLanes * (n + 1));
      std::int32_t* U = scratch.integer_results.get(8 * job.channels * kLanes);
      if (job.col_plan.use_aligned) {
        if (job.channels == 1) pair_aligned(lines, n, job.col_plan.aligned_offset, P);
        else pair_aligned_channels(lines, n, job.channels, job.col_plan.aligned_offset, P);
        horizontal_integer<kC>(P, job.channels, job.col_plan.aligned, n_out, dst, m, U);
      } else {
        pair_rows(lines, n, job.channels, P);
        horizontal_integer<kC>(P, job.channels, job.col_plan.pairs, n_out, dst, m, U);
      }
      return 0;
    }
  }
  if constexpr (std::is_same_v<S, float>) {
    if (job.col_plan.frow && job.channels == 1) {
      for (std::size_t r = 0; r < m; ++r) {
        switch (job.col_plan.width) {
          case 4: horizontal_rowwise_float<4>(lines[r], job.col_plan, n_out, dst[r]); break;
          default: horizontal_rowwise_float<0>(lines[r], job.col_plan, n_out, dst[r]); break;
        }
      }
      return 0;
    }
  }
  float* T = scratch.transposed.get(kLanes * n);
  transpose_in(lines, n, T);
  float* U = scratch.results.get(8 * job.channels * kLanes);
  return horizontal<kRound, kC>(T, job.channels, job.col_plan, job.cols, n_out, dst, m, U);
}

// Output rows [r0, r0 + m), m <= 8: row pass from the input, then column pass.
template <bool kRound, int kC, class S>
std::size_t rows_first_band(const Job& job, std::size_t r0, std::size_t m) {
  ThreadScratch& scratch = thread_scratch();
  const AxisTaps& rt = *job.rows.taps;
  const std::vector<Span>& spans = *job.rows.spans;
  const std::size_t n = static_cast<std::size_t>(job.in.cols) * job.channels;
  const std::size_t n_out = static_cast<std::size_t>(job.out.cols) * job.channels;
  std::ptrdiff_t lo = job.in.rows, hi = -1;
  for (std::size_t r = r0; r < r0 + m; ++r)
    for (std::size_t k = spans[r].first; k < spans[r].last; ++k) {
      lo = std::min(lo, rt.index[r * rt.taps + k]);
      hi = std::max(hi, rt.index[r * rt.taps + k]);
    }
  // Input rows lo..hi, in place when packed, else copied.
  const bool direct = packed<S>(job.in);
  S* copies = nullptr;
  if (!direct) {
    copies = reinterpret_cast<S*>(scratch.inputs.get(static_cast<std::size_t>(hi - lo + 1) * n * sizeof(S)));
    for (std::ptrdiff_t i = lo; i <= hi; ++i)
      pack_row(job.in, static_cast<std::size_t>(i), copies + static_cast<std::size_t>(i - lo) * n);
  }
  auto input_row = [&](std::ptrdiff_t i) -> const S* {
    return direct ? row_pointer<const S>(job.in, static_cast<std::size_t>(i))
                  : copies + static_cast<std::size_t>(i - lo) * n;
  };
  // The row pass's results: uint8 images are rounded to uint8 between the passes.
  S* band = reinterpret_cast<S*>(scratch.band.get(kLanes * n * sizeof(S)));
  std::size_t recomputed = 0;
  const std::size_t width = job.row_plan.width;
  std::vector<const S*> src(kLanes * width);
  const S* lines[kLanes];
  for (std::size_t r = 0; r < kLanes; ++r) {
    lines[r] = band + (r < m ? r : 0) * n;  // padding lanes repeat row 0; never stored
    if (r >= m) continue;
    const std::size_t o = r0 + r;
    for (std::size_t k = spans[o].first; k < spans[o].last; ++k)
      src[r * width + k - spans[o].first] = input_row(rt.index[o * rt.taps + k]);
  }
  // Every input row is checked by one band, its owner (floats). A band that reads more input rows
  // than it makes (shrinking) checks its own results instead: each row in a tap span enters some
  // result through an FMA (w x with x NaN or infinite is NaN or infinite, even for w = 0, and a
  // sum never turns that finite), so a band whose results are all finite read only finite rows.
  // A non-finite result (or a finite image's overflow) has the band's rows checked one by one.
  // Rows that the band owns but does not read are checked on their own.
  const auto h = static_cast<std::size_t>(job.in.rows), oh = static_cast<std::size_t>(job.out.rows);
  const std::size_t b = r0 / kLanes, bands = (oh + kLanes - 1) / kLanes;
  // Band b owns rows [f(b), max(f(b), f(b + 1))), f(b) the lowest tap row of its first output
  // (f(0) = 0, f(bands) = h): those it reads, where the taps move down with the outputs, and
  // all rows between them in any case (the largest b with f(b) <= i owns row i).
  auto first_row = [&](std::size_t band) -> std::ptrdiff_t {
    if (band == 0) return 0;
    if (band >= bands) return static_cast<std::ptrdiff_t>(h);
    const std::size_t o = band * kLanes;
    std::ptrdiff_t low = static_cast<std::ptrdiff_t>(h);
    for (std::size_t k = spans[o].first; k < spans[o].last; ++k) low = std::min(low, rt.index[o * rt.taps + k]);
    return low;
  };
  const std::ptrdiff_t own0 = first_row(b), own1 = std::max(own0, first_row(b + 1));
  const std::ptrdiff_t read0 = std::max(own0, lo), read1 = std::min(own1, hi + 1);
  const bool check_results = std::is_same_v<S, float> && static_cast<std::ptrdiff_t>(m) < hi - lo + 1;
  bool results_finite = true;
  // The row pass in pieces of kPiece samples, all band rows per piece: the
  // piece of the band's input rows then stays in cache for its 4/scale
  // reuses (512: measured best of 128..1536 on 720p, grey and RGB).
  constexpr std::size_t kPiece = 512;
  for (std::size_t e0 = 0; e0 < n; e0 += kPiece) {
    const std::size_t e1 = std::min(n, e0 + kPiece);
    for (std::size_t r = 0; r < m; ++r) {
      const std::size_t o = r0 + r;
      const Span span = spans[o];
      if constexpr (std::is_same_v<S, float> && !kRound) {
        const Plan& rp = job.row_plan;
        const std::size_t taps = span.last - span.first;
        if (r + 1 < m && rp.consecutive[o] && rp.consecutive[o + 1] && spans[o + 1].last - spans[o + 1].first == taps) {
          const std::ptrdiff_t d = rt.index[(o + 1) * rt.taps + spans[o + 1].first] - rt.index[o * rt.taps + span.first];
          if (d > 0 && static_cast<std::size_t>(d) < taps) {
            const float* wa = &rp.weight[o * width];
            const float* wb = &rp.weight[(o + 1) * width];
            const std::size_t done =
                taps == 8 && d == 2 && std::equal(wa, wa + taps, wb)
                    ? vertical_pair_same<8, 2>(&src[r * width], &src[(r + 1) * width], wa, e0, e1, band + r * n,
                                               band + (r + 1) * n)
                    : vertical_pair(&src[r * width], &src[(r + 1) * width], wa, wb, taps, static_cast<std::size_t>(d),
                                    e0, e1, band + r * n, band + (r + 1) * n);
            for (std::size_t q = r; q < r + 2; ++q)
              vertical<false>(&src[q * width], &rp.weight[(r0 + q) * width], &rt.weight[(r0 + q) * rt.taps + spans[r0 + q].first],
                              taps, done, e1, rp.rounding, band + q * n);
            ++r;
            continue;
          }
        }
      }
      if constexpr (std::is_same_v<S, u8>) {
        if (job.row_plan.integer) {
          vertical_integer(&src[r * width], &job.row_plan.weight16[o * width], span.last - span.first, e0, e1,
                           band + r * n);
          continue;
        }
      }
      recomputed += vertical<kRound>(&src[r * width], &job.row_plan.weight[o * width],
                                     &rt.weight[o * rt.taps + span.first], span.last - span.first, e0, e1,
                                     job.row_plan.rounding, band + r * n);
    }
    if constexpr (std::is_same_v<S, float>) {
      if (check_results) {
        for (std::size_t r = 0; r < m; ++r) results_finite = results_finite && all_finite(band + r * n + e0, e1 - e0);
      } else {
        for (std::ptrdiff_t i = read0; i < read1; ++i)
          if (!all_finite(input_row(i) + e0, e1 - e0)) job.nonfinite = true;
      }
    }
  }
  if (check_results) {
    // The rows of [lo, hi] in a tap span of the band.
    std::vector<std::uint8_t> read(static_cast<std::size_t>(hi - lo + 1), 0);
    for (std::size_t r = r0; r < r0 + m; ++r)
      for (std::size_t k = spans[r].first; k < spans[r].last; ++k) read[static_cast<std::size_t>(rt.index[r * rt.taps + k] - lo)] = 1;
    if (!results_finite)
      for (std::ptrdiff_t i = lo; i <= hi; ++i)
        if (read[static_cast<std::size_t>(i - lo)] && !all_finite(input_row(i), n)) job.nonfinite = true;
    // (check_rows may reuse `copies`, read above for the last time.)
    for (std::ptrdiff_t i = own0; i < own1; ++i)
      if (i < lo || i > hi || !read[static_cast<std::size_t>(i - lo)])
        check_rows<S>(job, static_cast<std::size_t>(i), static_cast<std::size_t>(i) + 1, copies);
  } else if (read0 >= read1) {
    check_rows<S>(job, static_cast<std::size_t>(own0), static_cast<std::size_t>(own1), copies);
  } else {
    check_rows<S>(job, static_cast<std::size_t>(own0), static_cast<std::size_t>(read0), copies);
    check_rows<S>(job, static_cast<std::size_t>(read1), static_cast<std::size_t>(own1), copies);
  }
  using D = S;
  D* dst[kLanes];
  const bool direct_out = packed<D>(job.out);
  D* temp = direct_out ? nullptr : reinterpret_cast<D*>(scratch.outputs.get(m * n_out * sizeof(D)));
  for (std::size_t r = 0; r < m; ++r) dst[r] = direct_out ? row_pointer<D>(job.out, r0 + r) : temp + r * n_out;
  recomputed += column_pass<kRound, kC>(job, lines, dst, m);
  if (!direct_out)
    for (std::size_t r = 0; r < m; ++r) unpack_row(dst[r], job.out, r0 + r);
  return recomputed;
}

// Columns first: the column pass of input rows [i0, i0 + m) into `middle`.
template <bool kRound, int kC, class S>
std::size_t columns_first_group(const Job& job, std::size_t i0, std::size_t m, S* middle) {
  ThreadScratch& scratch = thread_scratch();
  const std::size_t n = static_cast<std::size_t>(job.in.cols) * job.channels;
  const std::size_t n_mid = static_cast<std::size_t>(job.out.cols) * job.channels;
  const bool direct = packed<S>(job.in);
  S* copies = direct ? nullptr : reinterpret_cast<S*>(scratch.inputs.get(m * n * sizeof(S)));
  const S* lines[kLanes];
  for (std::size_t r = 0; r < kLanes; ++r) {
    if (r >= m) {
      lines[r] = lines[0];
    } else if (direct) {
      lines[r] = row_pointer<const S>(job.in, i0 + r);
    } else {
      pack_row(job.in, i0 + r, copies + r * n);
      lines[r] = copies + r * n;
    }
  }
  for (std::size_t r = 0; r < m; ++r)
    if (!all_finite(lines[r], n)) job.nonfinite = true;
  S* dst[kLanes];
  for (std::size_t r = 0; r < m; ++r) dst[r] = middle + (i0 + r) * n_mid;
  return column_pass<kRound, kC>(job, lines, dst, m);
}

// Columns first: output row o by the row pass from `middle`.
template <bool kRound, class D>
std::size_t columns_first_row(const Job& job, std::size_t o, const D* middle) {
  const AxisTaps& rt = *job.rows.taps;
  const Span span = (*job.rows.spans)[o];
  const std::size_t n = static_cast<std::size_t>(job.out.cols) * job.channels;
  const D* src[64];
  std::vector<const D*> many;
  const D** s = src;
  if (span.last - span.first > 64) {
    many.resize(span.last - span.first);
    s = many.data();
  }
  for (std::size_t k = span.first; k < span.last; ++k)
    s[k - span.first] = middle + static_cast<std::size_t>(rt.index[o * rt.taps + k]) * n;
  const bool direct_out = packed<D>(job.out);
  D* dst = direct_out ? row_pointer<D>(job.out, o)
                      : reinterpret_cast<D*>(thread_scratch().outputs.get(n * sizeof(D)));
  std::size_t recomputed = 0;
  bool done = false;
  if constexpr (std::is_same_v<D, u8>) {
    if (job.row_plan.integer) {
      vertical_integer(s, &job.row_plan.weight16[o * job.row_plan.width], span.last - span.first, 0, n, dst);
      done = true;
    }
  }
  if (!done)
    recomputed = vertical<kRound>(s, &job.row_plan.weight[o * job.row_plan.width],
                                  &rt.weight[o * rt.taps + span.first], span.last - span.first, 0, n,
                                  job.row_plan.rounding, dst);
  if (!direct_out) unpack_row(dst, job.out, o);
  return recomputed;
}

template <bool kRound, int kC, class S>
std::size_t run(const Job& job, bool rows_first) {
  std::atomic<std::size_t> recomputed{0};
  const auto oh = static_cast<std::size_t>(job.out.rows);
  if (rows_first) {
    const std::size_t bands = (oh + kLanes - 1) / kLanes;
    parallel_for(bands, 1, job.threads, [&](std::size_t b0, std::size_t b1) {
      std::size_t count = 0;
      for (std::size_t b = b0; b < b1; ++b)
        count += rows_first_band<kRound, kC, S>(job, b * kLanes, std::min(kLanes, oh - b * kLanes));
      recomputed += count;
    });
  } else {
    const auto h = static_cast<std::size_t>(job.in.rows);
    const std::size_t n_mid = static_cast<std::size_t>(job.out.cols) * job.channels;
    std::unique_ptr<S[]> middle(new S[h * n_mid]);
    const std::size_t groups = (h + kLanes - 1) / kLanes;
    parallel_for(groups, 1, job.threads, [&](std::size_t g0, std::size_t g1) {
      std::size_t count = 0;
      for (std::size_t g = g0; g < g1; ++g)
        count += columns_first_group<kRound, kC, S>(job, g * kLanes, std::min(kLanes, h - g * kLanes), middle.get());
      recomputed += count;
    });
    parallel_for(oh, kLanes, job.threads, [&](std::size_t o0, std::size_t o1) {
      std::size_t count = 0;
      for (std::size_t o = o0; o < o1; ++o) count += columns_first_row<kRound, S>(job, o, middle.get());
      recomputed += count;
    });
  }
  return recomputed.load();
}

template <bool kRound, class S>
std::size_t run_channels(const Job& job, bool rows_first) {
  switch (job.channels) {
    case 1: return run<kRound, 1, S>(job, rows_first);
    case 2: return run<kRound, 2, S>(job, rows_first);
    case 3: return run<kRound, 3, S>(job, rows_first);
    case 4: return run<kRound, 4, S>(job, rows_first);
    default: return run<kRound, 0, S>(job, rows_first);
  }
}

}  // namespace

std::size_t resize_avx2(const ImageView& in, const ImageView& out, const Axis& rows, const Axis& cols,
                        bool rows_first, std::size_t threads, ResizeTrace* trace) {
  const auto channels = static_cast<std::size_t>(in.channels);
  std::atomic<bool> nonfinite{false};
  const std::shared_ptr<const Plan> row_plan = cached_plan(rows, static_cast<std::size_t>(out.rows), 1);
  const std::shared_ptr<const Plan> col_plan = cached_plan(cols, static_cast<std::size_t>(out.cols), channels);
  Job job{in, out, rows, cols, *row_plan, *col_plan, channels, threads, nonfinite};
  if (in.type == PixelType::uint8) {
    if (trace) {
      trace->integer_rows = job.row_plan.integer;
      trace->integer_cols = job.col_plan.integer;
      trace->column_path = job.col_plan.rowwise          ? "integer rows"
                           : !job.col_plan.integer       ? "float transposed"
                           : job.col_plan.use_aligned    ? "integer aligned pairs"
                                                         : "integer pairs";
    }
    return run_channels<true, u8>(job, rows_first);
  }
  if (trace) trace->column_path = job.col_plan.frow && channels == 1 ? "float rows" : "float transposed";
  const std::size_t recomputed = run_channels<false, float>(job, rows_first);
  if (nonfinite) throw std::invalid_argument("image contains NaN or infinity");
  return recomputed;
}

}  // namespace clearsight::resize_detail
