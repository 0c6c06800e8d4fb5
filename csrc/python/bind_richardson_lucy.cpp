// Bindings of the richardson_lucy kernels (not compiled yet: the NumPy backend serves them).
#include "python/bindings.hpp"

namespace clearsight::bindings {

void bind_richardson_lucy(pybind11::module_&) {}

}  // namespace clearsight::bindings
