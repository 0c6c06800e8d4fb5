// Internals shared by the Richardson–Lucy plan's ISA variants; not part of the API.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "core/richardson_lucy.hpp"

namespace clearsight::rl_detail {

// Each copy of the kernel lives in its own namespace so the copies (and the
// pocketfft templates inside them) cannot be merged by the linker. `psf` is
// row-major, kh x kw, validated and normalised to unit sum.
#define CLEARSIGHT_RL_DECLARE(isa)                                                          \
  namespace isa {                                                                          \
  std::unique_ptr<RichardsonLucyPlan> make_plan(const std::vector<double>& psf,            \
                                                std::size_t kh, std::size_t kw,            \
                                                std::size_t rows, std::size_t cols,        \
                                                RLBoundary boundary, bool double_precision, \
                                                std::size_t threads);                      \
  }
CLEARSIGHT_RL_DECLARE(isa_baseline)
CLEARSIGHT_RL_DECLARE(isa_avx2)
#undef CLEARSIGHT_RL_DECLARE

}  // namespace clearsight::rl_detail
