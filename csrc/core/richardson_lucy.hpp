// Richardson–Lucy deconvolution of one image plane (with optional
// Biggs–Andrews acceleration), planned once per PSF and shape.
//
// Pure C++17: no Python, no pybind11. The FFTs are pocketfft's. The NumPy
// reference (clearsight/reference/richardson_lucy.py) is the specification.
#pragma once

#include <cstddef>
#include <memory>

#include "core/deconvolution.hpp"

namespace clearsight {

// "zero" is scikit-image's convention (black outside the plane, linear
// convolution on a grid large enough that nothing wraps); the others are the
// Wiener plan's.
enum class RLBoundary { zero, reflect, periodic, taper };
enum class RLAcceleration { none, biggs };

class RichardsonLucyPlan {
 public:
  virtual ~RichardsonLucyPlan() = default;

  // Restores `in` into `out` (same shape as the plan, same pixel type; may be
  // the same memory). Floats are clipped to [0, 1] when `clip`; integers
  // always are and are rounded half up. Safe to call from several threads at
  // once: each call takes its own work buffers. Throws std::invalid_argument
  // if a float input holds NaN or infinity (out is then untouched).
  virtual void apply(const PlaneView& in, const PlaneView& out, std::size_t iterations,
                     RLAcceleration acceleration, bool clip, std::size_t threads) const = 0;

  virtual std::size_t rows() const = 0;
  virtual std::size_t cols() const = 0;
  virtual std::size_t padded_rows() const = 0;
  virtual std::size_t padded_cols() const = 0;
  virtual bool double_precision() const = 0;
};

// The PSF is normalised to unit sum. Work is float64 when `double_precision`,
// else float32 (the transfer function is computed in float64). Throws
// std::invalid_argument naming the offending argument.
std::unique_ptr<RichardsonLucyPlan> make_richardson_lucy_plan(const PsfView& psf, std::size_t rows,
                                                              std::size_t cols, RLBoundary boundary,
                                                              bool double_precision,
                                                              std::size_t threads);

}  // namespace clearsight
