// Internals shared by the Wiener plan's ISA variants; not part of the API.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "core/deconvolution.hpp"

namespace clearsight::detail {

// A validated request for a plan: the PSF is row-major and sums to 1.
struct PlanRequest {
  std::vector<double> psf;
  std::size_t psf_rows = 0, psf_cols = 0;
  std::size_t rows = 0, cols = 0;
  double balance = 0.0;
  Regularizer regularizer = Regularizer::identity;
  Boundary boundary = Boundary::reflect;
  bool double_precision = false;
  std::size_t threads = 1;
};

// Image index of each of the N samples of an axis of n samples extended by
// the boundary mode; see boundary_index in the NumPy reference.
std::vector<std::size_t> boundary_map(std::size_t n, std::size_t N);

// Edge-taper weights along an axis of n samples; see taper_window in the
// NumPy reference.
std::vector<double> taper_window(const std::vector<double>& projection, std::size_t n);

// The kernel is compiled once per instruction set; each copy lives in its
// own namespace so the copies (and the pocketfft templates inside them)
// cannot be merged by the linker.
namespace isa_baseline {
std::unique_ptr<WienerPlan> make_plan(const PlanRequest& request);
}
namespace isa_avx2 {
std::unique_ptr<WienerPlan> make_plan(const PlanRequest& request);
}

}  // namespace clearsight::detail
