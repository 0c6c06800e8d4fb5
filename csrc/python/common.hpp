// Argument conversion shared by the binding files: every check a direct
// caller of clearsight._core could need, so no kernel sees a bad view.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <string>

#include "core/deconvolution.hpp"

namespace clearsight::bindings {

namespace py = pybind11;

// True when `dt` is in the machine's byte order (or has none).
bool native_byte_order(const py::dtype& dt);

// The pixel type of `a`; TypeError naming `name` for any other dtype or a
// non-native byte order.
PixelType pixel_type(const py::array& a, const char* name);

// A 2-D strided view of `a` (ValueError unless 2-D and aligned to its item
// size; read-only arrays are refused when `writable`).
PlaneView plane_view(const py::array& a, const char* name, bool writable);

// A float64 2-D PSF view (TypeError for any other dtype).
PsfView psf_view(const py::array& psf, const char* name = "psf");

// `value` as a size; ValueError naming `name` when it is below 1.
std::size_t positive_size(long long value, const char* name);

Boundary parse_boundary(const std::string& s);

}  // namespace clearsight::bindings
