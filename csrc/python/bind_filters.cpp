// Bindings of the filters kernels (not compiled yet: the NumPy backend serves them).
#include "python/bindings.hpp"

namespace clearsight::bindings {

void bind_filters(pybind11::module_&) {}

}  // namespace clearsight::bindings
