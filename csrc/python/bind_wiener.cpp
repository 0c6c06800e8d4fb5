// Bindings of the Wiener plan (core/deconvolution.hpp).
#include <memory>
#include <stdexcept>
#include <string>

#include "python/bindings.hpp"
#include "python/common.hpp"

namespace clearsight::bindings {

namespace {

Regularizer parse_regularizer(const std::string& s) {
  if (s == "identity") return Regularizer::identity;
  if (s == "laplacian") return Regularizer::laplacian;
  throw std::invalid_argument("regularizer must be 'identity' or 'laplacian', got '" + s + "'");
}

std::unique_ptr<WienerPlan> new_plan(const py::array& psf, std::pair<long long, long long> shape,
                                     double balance, const std::string& regularizer,
                                     const std::string& boundary, bool double_precision,
                                     long long threads) {
  const PsfView view = psf_view(psf);
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

void bind_wiener(py::module_& m) {
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

}  // namespace clearsight::bindings
