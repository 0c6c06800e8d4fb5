// pybind11 bindings of clearsight's C++ core: convert, check, release the
// GIL, call. The Python layer validates arguments first; these checks are
// repeated here because the bindings are callable directly and must never
// crash on what a caller hands them.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/deconvolution.hpp"
#include "core/parallel.hpp"

namespace py = pybind11;
using namespace clearsight;

namespace {

bool native_byte_order(const py::dtype& dt) {
  const std::uint16_t probe = 1;
  const bool little = *reinterpret_cast<const unsigned char*>(&probe) == 1;
  const char order = dt.byteorder();
  return order == '=' || order == '|' || (order == '<') == little;
}

PixelType pixel_type(const py::array& a, const char* name) {
  // Compare type numbers, not dtype objects: equal dtypes need not be the
  // same object (np.dtype(">f8").newbyteorder("=") is float64, say). The
  // type number also excludes non-native byte order.
  const py::dtype dt = a.dtype();
  if (!native_byte_order(dt))
    throw py::type_error(std::string(name) + " must be in native byte order");
  const int num = dt.num();
  if (num == py::dtype::of<std::uint8_t>().num()) return PixelType::uint8;
  if (num == py::dtype::of<std::uint16_t>().num()) return PixelType::uint16;
  if (num == py::dtype::of<float>().num()) return PixelType::float32;
  if (num == py::dtype::of<double>().num()) return PixelType::float64;
  throw py::type_error(std::string(name) + " must have dtype uint8, uint16, float32 or float64, got " +
                       std::string(py::str(dt)));
}

PlaneView plane_view(const py::array& a, const char* name, bool writable) {
  if (a.ndim() != 2)
    throw std::invalid_argument(std::string(name) + " must be 2-D, got " +
                                std::to_string(a.ndim()) + "-D");
  PlaneView v;
  v.type = pixel_type(a, name);
  const auto size = static_cast<std::ptrdiff_t>(pixel_size(v.type));
  const auto address = reinterpret_cast<std::uintptr_t>(a.data());
  if (address % static_cast<std::uintptr_t>(size) != 0 || a.strides(0) % size != 0 ||
      a.strides(1) % size != 0)
    throw std::invalid_argument(std::string(name) + " must be aligned to its item size");
  if (writable && !a.writeable()) throw std::invalid_argument(std::string(name) + " is read-only");
  v.data = const_cast<void*>(a.data());
  v.rows = a.shape(0);
  v.cols = a.shape(1);
  v.row_stride = a.strides(0);
  v.col_stride = a.strides(1);
  return v;
}

Boundary parse_boundary(const std::string& s) {
  if (s == "periodic") return Boundary::periodic;
  if (s == "reflect") return Boundary::reflect;
  if (s == "taper") return Boundary::taper;
  throw std::invalid_argument("boundary must be 'reflect', 'periodic' or 'taper', got '" + s + "'");
}

Regularizer parse_regularizer(const std::string& s) {
  if (s == "identity") return Regularizer::identity;
  if (s == "laplacian") return Regularizer::laplacian;
  throw std::invalid_argument("regularizer must be 'identity' or 'laplacian', got '" + s + "'");
}

std::size_t positive_size(long long value, const char* name) {
  if (value < 1) throw std::invalid_argument(std::string(name) + " must be >= 1");
  return static_cast<std::size_t>(value);
}

std::unique_ptr<WienerPlan> new_plan(const py::array& psf, std::pair<long long, long long> shape,
                                     double balance, const std::string& regularizer,
                                     const std::string& boundary, bool double_precision,
                                     long long threads) {
  if (psf.ndim() != 2) throw std::invalid_argument("psf must be 2-D");
  if (psf.dtype().num() != py::dtype::of<double>().num() || !native_byte_order(psf.dtype()))
    throw py::type_error("psf must be native float64");
  if (reinterpret_cast<std::uintptr_t>(psf.data()) % alignof(double) != 0 ||
      psf.strides(0) % static_cast<py::ssize_t>(sizeof(double)) != 0 ||
      psf.strides(1) % static_cast<py::ssize_t>(sizeof(double)) != 0)
    throw std::invalid_argument("psf must be aligned to its item size");
  PsfView view;
  view.data = static_cast<const double*>(psf.data());
  view.rows = psf.shape(0);
  view.cols = psf.shape(1);
  view.row_stride = psf.strides(0) / static_cast<py::ssize_t>(sizeof(double));
  view.col_stride = psf.strides(1) / static_cast<py::ssize_t>(sizeof(double));
  const std::size_t rows = positive_size(shape.first, "shape");
  const std::size_t cols = positive_size(shape.second, "shape");
  const Regularizer reg = parse_regularizer(regularizer);
  const Boundary bound = parse_boundary(boundary);
  const std::size_t n = positive_size(threads, "threads");
  // `psf` holds a reference to the array for the whole call, so its buffer
  // outlives the planning done without the GIL.
  py::gil_scoped_release release;
  return make_wiener_plan(view, rows, cols, balance, reg, bound, double_precision, n);
}

}  // namespace

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

  // The Python door skips its own NaN/infinity scan for backends that check
  // while computing.
  m.attr("CHECKS_FINITE") = true;
  m.def("available_cpus", &available_cpus, "CPUs this process may run on.");
  m.def("cpu_variant", &cpu_variant,
        "Kernel variant in use: 'avx2' or 'baseline' (CLEARSIGHT_CPU=baseline forces it).");
  m.def(
      "fast_length",
      [](long long n) {
        // Searching upwards is fast for any length an image can have; bound
        // it so a direct call cannot spin for hours holding the GIL.
        if (n > (1LL << 40)) throw std::invalid_argument("n must be <= 2**40");
        return fast_length(positive_size(n, "n"));
      },
      py::arg("n"),
      "Smallest length >= n whose prime factors are 2, 3 and 5.");

  py::class_<WienerPlan>(m, "WienerPlan",
                         "Wiener filter for one PSF and frame shape; see clearsight.Deconvolver.")
      .def(py::init(&new_plan), py::arg("psf"), py::arg("shape"), py::arg("balance"),
           py::arg("regularizer"), py::arg("boundary"), py::arg("double_precision"),
           py::arg("threads") = 1)
      .def(
          "apply",
          [](const WienerPlan& plan, const py::array& image, const py::array& out, bool clip,
             long long threads) {
            const PlaneView in = plane_view(image, "image", false);
            const PlaneView dst = plane_view(out, "out", true);
            const std::size_t n = positive_size(threads, "threads");
            py::gil_scoped_release release;
            plan.apply(in, dst, clip, n);
          },
          py::arg("image"), py::arg("out"), py::arg("clip"), py::arg("threads"),
          "Deconvolve the 2-D plane `image` into `out` (same shape and dtype).")
      .def_property_readonly("shape",
                             [](const WienerPlan& p) { return py::make_tuple(p.rows(), p.cols()); })
      .def_property_readonly(
          "padded_shape",
          [](const WienerPlan& p) { return py::make_tuple(p.padded_rows(), p.padded_cols()); })
      .def_property_readonly("double_precision", &WienerPlan::double_precision);
}
