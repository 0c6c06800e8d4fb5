// Chambolle's TV denoising, one fused sweep over the rows per pass.
//
// Every pass reads the dual field of the previous pass (p_y, p_x) and writes
// the next one into a second pair of buffers, so a row's update never
// overwrites a value that a neighbouring row (maybe in another thread's
// block) still has to read. Within a block, rows go top to bottom keeping
// u of two rows: the divergence (hence u) of row i + 1 is computed, then the
// gradient of row i, its norm, its energy terms and its new p. The last row
// of a block needs u of the next block's first row, which it recomputes (one
// halo row per block) instead of waiting for it. u itself is never stored:
// when the stopping test passes, it is recomputed once from the dual field
// that produced it (the same arithmetic, so the same values) and written
// to the output. For one plane (every channel on its own, the common case)
// all the per-row steps run in one vectorised loop over the columns; joint
// colour TV goes through rows of gradients, as the shared norm needs all
// planes' gradients before any projection.
//
// Arithmetic follows the reference's order exactly, in the sample type T;
// the energy is summed in float64 per block in a fixed lane order and the
// blocks are added in index order, so the result is independent of the
// thread count and of which thread ran which block.
#include "core/denoise_tv.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>

#if defined(__linux__) || defined(__APPLE__)
#include <pthread.h>
#endif
#include <stdexcept>
#include <string>

#include "core/deconvolution.hpp"  // cpu_variant
#include "core/parallel.hpp"

// The reference rounds every product and sum; an FMA would not. GCC does not
// contract in ISO C++ mode (and the AVX2 variant does not enable FMA); Clang
// would by default.
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

namespace clearsight {

namespace {

constexpr double kTau = 0.25;  // 1 / (2 ndim) for 2-D planes, as scikit-image

// About this many samples per plane in a block: enough rows that the one
// recomputed halo row is a small overhead, few enough that two threads get
// many blocks to balance.
constexpr std::size_t kBlockSamples = 32768;
constexpr std::size_t kMinBlocks = 16;

// Sum of a float row in float64 with four independent lanes (combined in a
// fixed order): lanes let the compiler keep several additions in flight,
// and the fixed order keeps the sum reproducible.
#define CLEARSIGHT_INLINE inline __attribute__((always_inline))

template <class T>
CLEARSIGHT_INLINE double row_sum(const T* __restrict v, std::size_t n) {
  constexpr std::size_t kLanes = 8;  // two AVX registers of doubles
  double lane[kLanes] = {};
  std::size_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (std::size_t l = 0; l < kLanes; ++l) lane[l] += static_cast<double>(v[j + l]);
  for (std::size_t l = 0; j < n; ++j, ++l) lane[l] += static_cast<double>(v[j]);
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// u = f + d of one row, d = -div p = -(p_y + p_x) + p_y(row above) + p_x(column left),
// added in that order. `up` is null on the first row (p is zero outside the
// image); `dd`, when given, receives d * d.
template <class T>
CLEARSIGHT_INLINE void row_u(const T* __restrict f, const T* __restrict py, const T* __restrict up,
           const T* __restrict px, T* __restrict u, T* __restrict dd, std::size_t w) {
  {
    T d = -(py[0] + px[0]);
    if (up) d = d + up[0];
    u[0] = f[0] + d;
    if (dd) dd[0] = d * d;
  }
  if (up) {
    if (dd) {
      for (std::size_t j = 1; j < w; ++j) {
        const T d = (-(py[j] + px[j]) + up[j]) + px[j - 1];
        u[j] = f[j] + d;
        dd[j] = d * d;
      }
    } else {
      for (std::size_t j = 1; j < w; ++j) u[j] = f[j] + ((-(py[j] + px[j]) + up[j]) + px[j - 1]);
    }
  } else {
    if (dd) {
      for (std::size_t j = 1; j < w; ++j) {
        const T d = -(py[j] + px[j]) + px[j - 1];
        u[j] = f[j] + d;
        dd[j] = d * d;
      }
    } else {
      for (std::size_t j = 1; j < w; ++j) u[j] = f[j] + (-(py[j] + px[j]) + px[j - 1]);
    }
  }
}

// One row i of a single plane (K = 1, not the last row) in one loop: u of
// row i + 1 (into `next`, d * d into `dd`), then at every column the gradient
// of row i, its norm and the new dual field. Intermediate rows of gradients
// and divisors never go through memory. The same operations in the same
// order as row_u and the general path. `First`: the pass where p = 0.
template <class T, bool First>
CLEARSIGHT_INLINE T next_u(const T* __restrict f1, const T* __restrict py0, const T* __restrict py1,
                           const T* __restrict px1, T* __restrict dd, std::size_t j) {
  if constexpr (First) {
    return f1[j];
  } else {
    T d = -(py1[j] + px1[j]) + py0[j];
    if (j > 0) d = d + px1[j - 1];
    dd[j] = d * d;
    return f1[j] + d;
  }
}

template <class T, bool First>
CLEARSIGHT_INLINE void project_at(const T* __restrict py0, const T* __restrict px0,
                                  T* __restrict norm, T* __restrict pyn, T* __restrict pxn, T tau,
                                  T step, std::size_t j, T gy, T gx) {
  const T n = std::sqrt(gy * gy + gx * gx);
  norm[j] = n;
  const T divisor = n * step + T(1);
  if constexpr (First) {
    pyn[j] = (T(0) - tau * gy) / divisor;
    pxn[j] = (T(0) - tau * gx) / divisor;
  } else {
    pyn[j] = (py0[j] - tau * gy) / divisor;
    pxn[j] = (px0[j] - tau * gx) / divisor;
  }
}

template <class T, bool First>
CLEARSIGHT_INLINE void fused_row(const T* __restrict f1, const T* __restrict py0,
                                 const T* __restrict px0, const T* __restrict py1,
                                 const T* __restrict px1, const T* __restrict cur,
                                 T* __restrict next, T* __restrict dd, T* __restrict norm,
                                 T* __restrict pyn, T* __restrict pxn, T tau, T step,
                                 std::size_t w) {
  // Columns 0 and w - 1 are peeled (no left neighbour in the divergence, no
  // right one in the gradient) so that the loop over the others is straight
  // code the compiler vectorises.
  {
    const T u = next_u<T, First>(f1, py0, py1, px1, dd, 0);
    next[0] = u;
    if (w == 1) {
      project_at<T, First>(py0, px0, norm, pyn, pxn, tau, step, 0, u - cur[0], T(0));
      return;
    }
    project_at<T, First>(py0, px0, norm, pyn, pxn, tau, step, 0, u - cur[0], cur[1] - cur[0]);
  }
  for (std::size_t j = 1; j + 1 < w; ++j) {
    T u;
    if constexpr (First) {
      u = f1[j];
    } else {
      const T d = (-(py1[j] + px1[j]) + py0[j]) + px1[j - 1];
      dd[j] = d * d;
      u = f1[j] + d;
    }
    next[j] = u;
    const T gy = u - cur[j];
    const T gx = cur[j + 1] - cur[j];
    const T n = std::sqrt(gy * gy + gx * gx);
    norm[j] = n;
    const T divisor = n * step + T(1);
    if constexpr (First) {
      pyn[j] = (T(0) - tau * gy) / divisor;
      pxn[j] = (T(0) - tau * gx) / divisor;
    } else {
      pyn[j] = (py0[j] - tau * gy) / divisor;
      pxn[j] = (px0[j] - tau * gx) / divisor;
    }
  }
  {
    const std::size_t j = w - 1;
    const T u = next_u<T, First>(f1, py0, py1, px1, dd, j);
    next[j] = u;
    project_at<T, First>(py0, px0, norm, pyn, pxn, tau, step, j, u - cur[j], T(0));
  }
}

// The same for p = 0 (the first pass), without reading the zeros: 0 - tau g
// is written out so that a zero gradient gives +0 as it does there.
template <class T>
CLEARSIGHT_INLINE void project_from_zero(const T* __restrict g, const T* __restrict divisor, T tau,
                                         T* __restrict out, std::size_t w) {
  for (std::size_t j = 0; j < w; ++j) out[j] = (T(0) - tau * g[j]) / divisor[j];
}

// Work memory kept between calls. A 720p frame needs ~20 MB of fresh pages
// per call, and faulting them in cost as much as a dozen passes; a process
// denoising frame after frame reuses them instead. Thread-safe: concurrent
// calls take different buffers.
class BufferPool {
 public:
  struct Buffer {
    std::unique_ptr<unsigned char[]> bytes;
    std::size_t size = 0;
  };

  static BufferPool& instance();

  Buffer take(std::size_t size) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      std::size_t best = free_.size();
      for (std::size_t b = 0; b < free_.size(); ++b)
        if (free_[b].size >= size && (best == free_.size() || free_[b].size < free_[best].size)) best = b;
      if (best < free_.size()) {
        Buffer found = std::move(free_[best]);
        free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(best));
        kept_ -= found.size;
        return found;
      }
    }
    return Buffer{std::unique_ptr<unsigned char[]>(new unsigned char[size]), size};
  }

  void give(Buffer buffer) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (buffer.size > kMaxKept) return;
    // Newest last; drop the oldest until the new one fits under the cap.
    while (!free_.empty() && kept_ + buffer.size > kMaxKept) {
      kept_ -= free_.front().size;
      free_.erase(free_.begin());
    }
    kept_ += buffer.size;
    free_.push_back(std::move(buffer));
  }

 private:
  static constexpr std::size_t kMaxKept = std::size_t(256) << 20;
  std::mutex mutex_;
  std::vector<Buffer> free_;
  std::size_t kept_ = 0;
};

std::atomic<BufferPool*> buffer_pool{nullptr};

BufferPool& BufferPool::instance() {
  static const bool ready = [] {
    buffer_pool.store(new BufferPool);  // never destroyed: usable during exit
#if defined(__linux__) || defined(__APPLE__)
    // A forked child gets a new, empty pool: the old one's mutex may have
    // been held by a thread that does not exist in the child.
    pthread_atfork(nullptr, nullptr, [] { buffer_pool.store(new BufferPool); });
#endif
    return true;
  }();
  (void)ready;
  return *buffer_pool.load();
}

// One component of the new dual field: (p - tau g) / divisor.
template <class T>
CLEARSIGHT_INLINE void project(const T* __restrict p, const T* __restrict g, const T* __restrict divisor, T tau,
             T* __restrict out, std::size_t w) {
  for (std::size_t j = 0; j < w; ++j) out[j] = (p[j] - tau * g[j]) / divisor[j];
}

// One block of rows of one pass: reads the dual field (py, px), writes the
// next one (py_new, px_new) for rows [r0, r1) and the block's energy terms.
template <class T>
struct SweepArgs {
  std::size_t planes, rows, cols, plane, r0, r1;
  const T* f;
  const T* py;
  const T* px;
  T* py_new;
  T* px_new;
  T* scratch;  // 5 K + 2 rows of cols samples
  T step;
  double fidelity = 0.0, norm_sum = 0.0;
};

template <class T>
CLEARSIGHT_INLINE void sweep_rows(SweepArgs<T>& a) {
  const std::size_t kk = a.planes, h = a.rows, w = a.cols, plane = a.plane;
  T* cur = a.scratch;        // u of row i, K rows of w
  T* next = cur + kk * w;    // u of row i + 1
  T* gy = next + kk * w;     // gradients of row i
  T* gx = gy + kk * w;
  T* dd = gx + kk * w;       // d * d of a row
  T* norm = dd + kk * w;
  T* divisor = norm + w;
  const T* f = a.f;
  const T* py = a.py;
  const T* px = a.px;
  const T tau = static_cast<T>(kTau), one = T(1), step = a.step;
  double fidelity = 0.0, norm_sum = 0.0;

  auto compute_u = [&](std::size_t i, T* u, bool count) {
    for (std::size_t k = 0; k < kk; ++k) {
      const std::size_t at = k * plane + i * w;
      if (!py) {  // first pass: p = 0, so d = 0 and u = f, as the reference sets them
        std::copy(f + at, f + at + w, u + k * w);
        continue;
      }
      row_u(f + at, py + at, i ? py + at - w : nullptr, px + at, u + k * w, count ? dd : nullptr, w);
      if (count) fidelity += row_sum(dd, w);
    }
  };

  compute_u(a.r0, cur, true);
  for (std::size_t i = a.r0; i < a.r1; ++i) {
    const bool last = i + 1 == h;
    if (kk == 1 && !last) {
      const std::size_t at = i * w;
      if (py) {
        fused_row<T, false>(f + at + w, py + at, px + at, py + at + w, px + at + w, cur, next, dd, norm,
                            a.py_new + at, a.px_new + at, tau, step, w);
        if (i + 1 < a.r1) fidelity += row_sum(dd, w);
      } else {
        fused_row<T, true>(f + at + w, nullptr, nullptr, nullptr, nullptr, cur, next, dd, norm,
                           a.py_new + at, a.px_new + at, tau, step, w);
      }
      norm_sum += row_sum(norm, w);
      std::swap(cur, next);
      continue;
    }
    // The halo row r1 is u of the next block: computed here, counted there.
    if (!last) compute_u(i + 1, next, i + 1 < a.r1);
    for (std::size_t k = 0; k < kk; ++k) {
      const T* __restrict u = cur + k * w;
      const T* __restrict un = next + k * w;
      T* __restrict gyk = gy + k * w;
      T* __restrict gxk = gx + k * w;
      T* __restrict s = norm;
      if (last) {
        for (std::size_t j = 0; j < w; ++j) gyk[j] = T(0);
      } else {
        for (std::size_t j = 0; j < w; ++j) gyk[j] = un[j] - u[j];
      }
      for (std::size_t j = 0; j + 1 < w; ++j) gxk[j] = u[j + 1] - u[j];
      gxk[w - 1] = T(0);
      if (k == 0) {
        for (std::size_t j = 0; j < w; ++j) s[j] = gyk[j] * gyk[j] + gxk[j] * gxk[j];
      } else {
        for (std::size_t j = 0; j < w; ++j) s[j] = s[j] + (gyk[j] * gyk[j] + gxk[j] * gxk[j]);
      }
    }
    {
      T* __restrict s = norm;
      T* __restrict dv = divisor;
      for (std::size_t j = 0; j < w; ++j) {
        s[j] = std::sqrt(s[j]);
        dv[j] = s[j] * step + one;
      }
    }
    norm_sum += row_sum(norm, w);
    for (std::size_t k = 0; k < kk; ++k) {
      const std::size_t at = k * plane + i * w;
      if (py) {
        project(py + at, gy + k * w, divisor, tau, a.py_new + at, w);
        project(px + at, gx + k * w, divisor, tau, a.px_new + at, w);
      } else {
        project_from_zero(gy + k * w, divisor, tau, a.py_new + at, w);
        project_from_zero(gx + k * w, divisor, tau, a.px_new + at, w);
      }
    }
    std::swap(cur, next);
  }
  a.fidelity = fidelity;
  a.norm_sum = norm_sum;
}

// The same code compiled for two instruction sets, chosen at run time
// (cpu_variant()). Both do the same IEEE operations on every sample, without
// contraction into FMA, so they give identical results.
template <class T>
void sweep_baseline(SweepArgs<T>& a) {
  sweep_rows(a);
}

#if defined(CLEARSIGHT_HAVE_AVX2)
template <class T>
__attribute__((target("avx2"))) void sweep_avx2(SweepArgs<T>& a) {
  sweep_rows(a);
}
#endif

// The iteration on K planes of H×W contiguous samples sharing one gradient
// norm (K = 1 for one channel on its own).
template <class T>
class Chambolle {
 public:
  // `channels` planes of f; every run() solves `planes` of them together.
  Chambolle(std::size_t channels, std::size_t planes, std::size_t rows, std::size_t cols,
            std::size_t threads)
      : c_(channels), k_(planes), h_(rows), w_(cols), plane_(rows * cols) {
    // At least kMinBlocks blocks where there are rows enough, so that small
    // images spread over threads too (and exercise the block seams).
    const std::size_t cap = std::max<std::size_t>(1, (h_ + kMinBlocks - 1) / kMinBlocks);
    block_rows_ = std::min(cap, std::max<std::size_t>(1, (kBlockSamples + w_ - 1) / w_));
    blocks_ = (h_ + block_rows_ - 1) / block_rows_;
    threads_ = effective_threads(threads, blocks_);
    avx2_ = std::strcmp(cpu_variant(), "avx2") == 0;
    const std::size_t field = k_ * plane_;
    const std::size_t all = c_ * plane_;
    buffer_ = BufferPool::instance().take((all + 4 * field + blocks_ * scratch_size()) * sizeof(T));
    T* memory = reinterpret_cast<T*>(buffer_.bytes.get());
    f_ = solve_f_ = memory;
    for (std::size_t s = 0; s < 4; ++s) p_[s] = memory + all + s * field;
    scratch_ = memory + all + 4 * field;
    fidelity_.resize(blocks_);
    norm_sum_.resize(blocks_);
  }

  ~Chambolle() { BufferPool::instance().give(std::move(buffer_)); }
  Chambolle(const Chambolle&) = delete;
  Chambolle& operator=(const Chambolle&) = delete;

  // The C planes of the image, H×W each.
  T* f() { return f_; }

  // Runs the passes on planes [c0, c0 + planes) of f(); returns how many ran.
  std::size_t run(std::size_t c0, double weight, double eps, std::size_t max_iterations) {
    solve_f_ = f_ + c0 * plane_;
    step_ = static_cast<T>(kTau / weight);
    const double samples = static_cast<double>(k_ * plane_);
    double first = 0.0, previous = 0.0;
    std::size_t source = 0;  // p_[source] holds p_y of the current pass, p_[source + 2] p_x
    for (std::size_t n = 0; n < max_iterations; ++n) {
      parallel_for(blocks_, 1, threads_, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t b = b0; b < b1; ++b) sweep(b, source, n == 0);
      });
      double fidelity = 0.0, norm_sum = 0.0;
      for (std::size_t b = 0; b < blocks_; ++b) {
        fidelity += fidelity_[b];
        norm_sum += norm_sum_[b];
      }
      const double energy = (fidelity + weight * norm_sum) / samples;
      final_ = source;
      final_first_ = n == 0;
      if (n == 0) {
        first = previous = energy;
      } else if (std::abs(previous - energy) < eps * first) {
        return n + 1;
      } else {
        previous = energy;
      }
      source ^= 1;
    }
    return max_iterations;
  }

  // u of plane k, row i, of the last pass run, into `u`.
  void u_row(std::size_t k, std::size_t i, T* u) const {
    const std::size_t at = k * plane_ + i * w_;
    if (final_first_) {  // a single pass returns u = f
      std::copy(solve_f_ + at, solve_f_ + at + w_, u);
      return;
    }
    const T* py = y(final_) + at;
    row_u(solve_f_ + at, py, i ? py - w_ : nullptr, x(final_) + at, u, static_cast<T*>(nullptr), w_);
  }

  std::size_t threads() const { return threads_; }

  // Writes u of the last run() into `out` (its channels c0, c0 + 1, ...), row by row.
  void write_u(const StackView& out, std::size_t c0) const {
    const std::size_t grain = std::max<std::size_t>(1, 16384 / w_);
    const std::ptrdiff_t stride = out.col_stride / static_cast<std::ptrdiff_t>(sizeof(T));
    parallel_for(h_, grain, effective_threads(threads_, h_), [&](std::size_t i0, std::size_t i1) {
      std::vector<T> u(w_);
      for (std::size_t k = 0; k < k_; ++k)
        for (std::size_t i = i0; i < i1; ++i) {
          u_row(k, i, u.data());
          T* dst = reinterpret_cast<T*>(static_cast<char*>(out.data) +
                                        static_cast<std::ptrdiff_t>(i) * out.row_stride +
                                        static_cast<std::ptrdiff_t>(c0 + k) * out.channel_stride);
          for (std::size_t j = 0; j < w_; ++j) dst[static_cast<std::ptrdiff_t>(j) * stride] = u[j];
        }
    });
  }

 private:
  std::size_t scratch_size() const { return 5 * k_ * w_ + 2 * w_; }
  const T* y(std::size_t s) const { return p_[s]; }
  const T* x(std::size_t s) const { return p_[2 + s]; }

  void sweep(std::size_t block, std::size_t source, bool first) {
    SweepArgs<T> a;
    a.planes = k_;
    a.rows = h_;
    a.cols = w_;
    a.plane = plane_;
    a.r0 = block * block_rows_;
    a.r1 = std::min(h_, a.r0 + block_rows_);
    a.f = solve_f_;
    a.py = first ? nullptr : y(source);
    a.px = first ? nullptr : x(source);
    a.py_new = p_[source ^ 1];
    a.px_new = p_[2 + (source ^ 1)];
    a.scratch = scratch_ + block * scratch_size();
    a.step = step_;
#if defined(CLEARSIGHT_HAVE_AVX2)
    if (avx2_) {
      sweep_avx2(a);
    } else
#endif
      sweep_baseline(a);
    fidelity_[block] = a.fidelity;
    norm_sum_[block] = a.norm_sum;
  }

  std::size_t c_, k_, h_, w_, plane_;
  std::size_t block_rows_ = 1, blocks_ = 1, threads_ = 1;
  std::size_t final_ = 0;
  bool final_first_ = true;
  bool avx2_ = false;
  T step_ = T(0);
  BufferPool::Buffer buffer_;
  T* f_ = nullptr;
  T* solve_f_ = nullptr;  // the first plane of the current run
  T* p_[4] = {};  // p_y (two generations), then p_x (two generations)
  T* scratch_ = nullptr;
  std::vector<double> fidelity_, norm_sum_;
};

template <class T>
T* sample(const StackView& v, std::ptrdiff_t i, std::ptrdiff_t j, std::ptrdiff_t k) {
  return reinterpret_cast<T*>(static_cast<char*>(v.data) + i * v.row_stride + j * v.col_stride +
                              k * v.channel_stride);
}

template <class T>
std::vector<std::size_t> denoise(const StackView& in, const StackView& out, double weight,
                                 double eps, std::size_t max_iterations, bool joint,
                                 std::size_t threads) {
  const auto rows = static_cast<std::size_t>(in.rows), cols = static_cast<std::size_t>(in.cols);
  const auto channels = static_cast<std::size_t>(in.channels);
  std::vector<std::size_t> passes;
  // A weight so small that the step tau / weight overflows T returns f, as
  // weight 0 does: the dual field stays within weight of 0, so the change it
  // would make is below T's smallest normal number (see the reference).
  if (weight == 0 || !(kTau / weight <= double(std::numeric_limits<T>::max()))) {
    for (std::ptrdiff_t i = 0; i < in.rows; ++i)
      for (std::ptrdiff_t j = 0; j < in.cols; ++j)
        for (std::ptrdiff_t k = 0; k < in.channels; ++k) *sample<T>(out, i, j, k) = *sample<T>(in, i, j, k);
    passes.assign(joint ? 1 : channels, 0);
    return passes;
  }
  Chambolle<T> solver(channels, joint ? channels : 1, rows, cols, threads);
  const std::size_t row_threads = effective_threads(threads, rows);
  const std::size_t grain = std::max<std::size_t>(1, 16384 / cols);
  const std::size_t plane = rows * cols;
  T* f = solver.f();
  // All channels in one go: an interleaved image is read once, not once per channel.
  parallel_for(rows, grain, row_threads, [&](std::size_t i0, std::size_t i1) {
    for (std::size_t i = i0; i < i1; ++i)
      for (std::size_t k = 0; k < channels; ++k) {
        const T* src = sample<T>(in, static_cast<std::ptrdiff_t>(i), 0, static_cast<std::ptrdiff_t>(k));
        const std::ptrdiff_t stride = in.col_stride / static_cast<std::ptrdiff_t>(sizeof(T));
        T* dst = f + k * plane + i * cols;
        for (std::size_t j = 0; j < cols; ++j) dst[j] = src[static_cast<std::ptrdiff_t>(j) * stride];
      }
  });
  if (joint) {
    passes.push_back(solver.run(0, weight, eps, max_iterations));
    solver.write_u(out, 0);
  } else {
    for (std::size_t c = 0; c < channels; ++c) {
      passes.push_back(solver.run(c, weight, eps, max_iterations));
      solver.write_u(out, c);
    }
  }
  return passes;
}

}  // namespace

std::vector<std::size_t> denoise_tv(const StackView& in, const StackView& out, double weight,
                                    double eps, std::size_t max_iterations, bool joint,
                                    std::size_t threads) {
  if (in.rows < 1 || in.cols < 1 || in.channels < 1)
    throw std::invalid_argument("image must have at least one row, column and channel");
  if (out.rows != in.rows || out.cols != in.cols || out.channels != in.channels ||
      out.double_precision != in.double_precision)
    throw std::invalid_argument("out must have the shape and sample type of the image");
  if (!(weight >= 0) || !std::isfinite(weight))
    throw std::invalid_argument("weight must be a finite number >= 0");
  if (!(eps > 0) || !std::isfinite(eps)) throw std::invalid_argument("eps must be a finite number > 0");
  if (max_iterations < 1) throw std::invalid_argument("max_iterations must be >= 1");
  return in.double_precision
             ? denoise<double>(in, out, weight, eps, max_iterations, joint, threads)
             : denoise<float>(in, out, weight, eps, max_iterations, joint, threads);
}

}  // namespace clearsight
