// Bindings of the tv_deconvolution kernels (not compiled yet: the NumPy backend serves them).
#include "python/bindings.hpp"

namespace clearsight::bindings {

void bind_tv_deconvolution(pybind11::module_&) {}

}  // namespace clearsight::bindings
