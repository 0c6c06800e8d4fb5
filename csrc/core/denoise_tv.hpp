// Total-variation (ROF) denoising by Chambolle's projection algorithm, the
// compiled twin of clearsight/reference/denoise.py (which specifies the
// iteration, its order of operations and its stopping test).
//
// Pure C++17: no Python, no pybind11.
#pragma once

#include <cstddef>
#include <vector>

namespace clearsight {

// An H×W×K stack of float samples; strides are in bytes, any sign and order
// (an interleaved image, one of its channels, a flipped view).
struct StackView {
  void* data = nullptr;
  bool double_precision = false;  // float64 samples, else float32
  std::ptrdiff_t rows = 0, cols = 0, channels = 0;
  std::ptrdiff_t row_stride = 0, col_stride = 0, channel_stride = 0;
};

// Denoises `in` into `out` (same shape and sample type; must not overlap
// `in`). Work is done in the sample type, energies are summed in float64.
// `joint`: the K channels share one gradient norm and one stopping test
// (vectorial TV); otherwise every channel is denoised on its own with its
// own test. `weight` >= 0 (0 copies), `eps` > 0, `max_iterations` >= 1,
// `threads` an upper bound. The result does not depend on `threads`: the
// energy is summed per block of rows whose size depends on the shape only,
// and the blocks are combined in order. Returns the passes run per stopping
// test (one entry when `joint`, K otherwise; 0 for weight 0). Throws
// std::invalid_argument for invalid arguments.
std::vector<std::size_t> denoise_tv(const StackView& in, const StackView& out, double weight,
                                    double eps, std::size_t max_iterations, bool joint,
                                    std::size_t threads);

}  // namespace clearsight
