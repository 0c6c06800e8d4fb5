// Wiener / Tikhonov deconvolution of one image plane, planned once and
// applied to many frames.
//
// Pure C++17: no Python, no pybind11. The FFTs are pocketfft's.
#pragma once

#include <cstddef>
#include <memory>

namespace clearsight {

enum class PixelType { uint8, uint16, float32, float64 };
enum class Boundary { periodic, reflect, taper };
enum class Regularizer { identity, laplacian };

std::size_t pixel_size(PixelType type);

// A 2-D strided view of one image plane. Strides are in bytes and may be
// negative or zero-free in any order (C, Fortran, a channel of an interleaved
// image, a flipped view). Integers are read as value / max (uint8: 255,
// uint16: 65535) and written back rounded half up, clipped to their range.
struct PlaneView {
  void* data = nullptr;
  PixelType type = PixelType::float32;
  std::ptrdiff_t rows = 0, cols = 0;
  std::ptrdiff_t row_stride = 0, col_stride = 0;
};

// A PSF: float64, strides in elements. Its centre is at (rows / 2, cols / 2).
struct PsfView {
  const double* data = nullptr;
  std::ptrdiff_t rows = 0, cols = 0;
  std::ptrdiff_t row_stride = 0, col_stride = 0;
};

// The smallest n' >= n whose only prime factors are 2, 3 and 5 (the sizes
// pocketfft transforms fastest). Throws std::invalid_argument for n == 0.
std::size_t fast_length(std::size_t n);

// Number of samples the `boundary` mode adds to an axis of length n blurred by
// a PSF of length k: reflect pads by k on both sides, then up to fast_length.
std::size_t padded_length(std::size_t n, std::size_t k, Boundary boundary);

class WienerPlan {
 public:
  virtual ~WienerPlan() = default;

  // Deconvolves `in` into `out` (same shape as the plan, same pixel type; may
  // be the same memory: every input pixel is read before any output pixel is
  // written). Floats are clipped to [0, 1] when `clip` is set; integers always
  // are. `threads` is an upper bound. Safe to call from several threads at
  // once: each call takes its own work buffers from a pool. Throws
  // std::invalid_argument if a float input holds NaN or infinity (checked
  // while reading, so `out` is untouched).
  virtual void apply(const PlaneView& in, const PlaneView& out, bool clip,
                     std::size_t threads) const = 0;

  virtual std::size_t rows() const = 0;
  virtual std::size_t cols() const = 0;
  virtual std::size_t padded_rows() const = 0;
  virtual std::size_t padded_cols() const = 0;
  virtual bool double_precision() const = 0;
};

// Builds the filter conj(H) / (|H|^2 + balance |R|^2) for frames of
// rows x cols, R = 1 (identity) or the 5-point Laplacian. The PSF is
// normalised to unit sum. Work is float64 when `double_precision`, else
// float32 (the filter itself is always computed in float64), on up to
// `threads` threads. Throws std::invalid_argument naming the offending argument.
std::unique_ptr<WienerPlan> make_wiener_plan(const PsfView& psf, std::size_t rows,
                                             std::size_t cols, double balance,
                                             Regularizer regularizer, Boundary boundary,
                                             bool double_precision, std::size_t threads);

// The kernel variant this CPU runs: "avx2" (AVX2 + FMA, chosen at run time
// where the CPU has them) or "baseline" (x86-64 SSE2, or the target's
// default). CLEARSIGHT_CPU=baseline in the environment forces the baseline.
const char* cpu_variant();

}  // namespace clearsight
