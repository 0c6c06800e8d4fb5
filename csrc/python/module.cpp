// pybind11 module of clearsight's C++ core: convert, check, release the GIL,
// call. The Python layer validates arguments first; the bindings check again
// because they are callable directly and must never crash on what a caller
// hands them. Each kernel family binds itself in its own bind_*.cpp.
#include <pybind11/pybind11.h>

#include <exception>
#include <stdexcept>

#include "core/deconvolution.hpp"
#include "core/parallel.hpp"
#include "python/bindings.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
  m.doc() = "clearsight's compiled kernels (C++17, pocketfft). Use the public API in clearsight.";

  py::register_exception_translator([](std::exception_ptr p) {
    // std::invalid_argument is a std::logic_error; map it to ValueError
    // explicitly so the contract does not depend on pybind11's defaults.
    try {
      if (p) std::rethrow_exception(p);
    } catch (const std::invalid_argument& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });

  // The Python doors skip their own NaN/infinity scan for backends that
  // check while computing.
  m.attr("CHECKS_FINITE") = true;
  m.def("available_cpus", &clearsight::available_cpus, "CPUs this process may run on.");
  m.def("cpu_variant", &clearsight::cpu_variant,
        "Kernel variant in use: 'avx2' or 'baseline' (CLEARSIGHT_CPU=baseline forces it).");

  clearsight::bindings::bind_wiener(m);
  clearsight::bindings::bind_richardson_lucy(m);
  clearsight::bindings::bind_tv_deconvolution(m);
  clearsight::bindings::bind_denoise(m);
  clearsight::bindings::bind_filters(m);
  clearsight::bindings::bind_resize(m);
  clearsight::bindings::bind_metrics(m);
}
