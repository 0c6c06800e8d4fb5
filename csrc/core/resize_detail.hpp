// What resize.cpp shares with its AVX2 kernel (resize_avx2.cpp). Internal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/resize.hpp"

namespace clearsight::resize_detail {

// The taps of one output with non-zero weight, as [first, last): the
// reference also adds the zero-weight taps, but w * x = 0 leaves every bit of
// a sum as it is, so they are skipped.
struct Span {
  std::size_t first, last;
};

std::vector<Span> nonzero_spans(const AxisTaps& t, std::size_t n_out);

// MATLAB's round (half away from zero), clipped to [0, top]. Anything below
// 0.5 rounds to 0 or below and clips to 0; in (0.5, top] the truncation of
// v + 0.5 is its floor (exact: both are below 2**17). std::floor would be a
// library call on the x86-64 baseline, which has no rounding instruction.
inline double round_clip(double v, double top) {
  if (!(v > 0.0)) return 0.0;
  if (v >= top) return top;
  return static_cast<double>(static_cast<long long>(v + 0.5));
}

// The AVX2 kernel's tables of one axis, one per step (elements per sample),
// made on first use and kept with the axis's cached taps (resize.cpp): for
// a small output, making them costs a fifth of the resize.
struct PlanCache {
  std::mutex mutex;
  std::vector<std::pair<std::size_t, std::shared_ptr<const void>>> plans;
};

// One axis as both kernels see it: the reference's taps and their spans.
struct Axis {
  const AxisTaps* taps;
  const std::vector<Span>* spans;
  PlanCache* plans = nullptr;
};

// The AVX2 kernel for uint8 and float32 images (resize_avx2.cpp). uint8
// results are bit-identical to the float64 reference: a pass whose weights
// are all multiples of 2^-15 is done exactly in int32, any other in float32
// with every sample that may round differently recomputed in float64;
// float32 results are within float32 rounding of it. Returns the number of
// samples recomputed in float64. `rows_first` is MATLAB's pass order.
std::size_t resize_avx2(const ImageView& in, const ImageView& out, const Axis& rows, const Axis& cols,
                        bool rows_first, std::size_t threads, ResizeTrace* trace);

}  // namespace clearsight::resize_detail
