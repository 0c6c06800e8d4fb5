// Bindings of the denoise kernels (not compiled yet: the NumPy backend serves them).
#include "python/bindings.hpp"

namespace clearsight::bindings {

void bind_denoise(pybind11::module_&) {}

}  // namespace clearsight::bindings
