// TV / hyper-Laplacian deconvolution of one image plane by half-quadratic
// splitting, planned once per PSF and shape.
//
// Pure C++17: no Python, no pybind11. The FFTs are pocketfft's. The NumPy
// reference (clearsight/reference/tv_deconvolution.py) is the specification.
#pragma once

#include <cstddef>
#include <memory>

#include "core/deconvolution.hpp"

namespace clearsight {

// The Wiener plan's boundaries plus "unknown": the plane is mirrored, and at
// every iteration the mirrored samples are replaced by what the current
// estimate predicts (the data term only sees observed samples).
enum class TVBoundary { reflect, periodic, taper, unknown };

class TVDeconvolutionPlan {
 public:
  virtual ~TVDeconvolutionPlan() = default;

  // Restores `in` into `out` (same shape as the plan, same pixel type; may be
  // the same memory) minimising |Hx - y|² / 2 + weight Σ |∇x|^alpha, with
  // `iterations` steps of the β schedule. Floats are clipped to [0, 1] when
  // `clip`; integers always are. Safe to call from several threads at once.
  // Throws std::invalid_argument for non-finite input or bad parameters.
  virtual void apply(const PlaneView& in, const PlaneView& out, double weight, double alpha,
                     std::size_t iterations, bool clip, std::size_t threads) const = 0;

  virtual std::size_t rows() const = 0;
  virtual std::size_t cols() const = 0;
  virtual std::size_t padded_rows() const = 0;
  virtual std::size_t padded_cols() const = 0;
  virtual bool double_precision() const = 0;
};

// `w` = argmin |w|^alpha + beta/2 (w - v)², the reference's `shrink`, in
// float64 (alpha in (0, 2], beta > 0).
double tv_shrink(double v, double beta, double alpha);

// The PSF is normalised to unit sum. FFT work is float64 when
// `double_precision`, else float32; the shrinkage is float64 in both.
std::unique_ptr<TVDeconvolutionPlan> make_tv_deconvolution_plan(const PsfView& psf, std::size_t rows,
                                                                std::size_t cols, TVBoundary boundary,
                                                                bool double_precision,
                                                                std::size_t threads);

}  // namespace clearsight
