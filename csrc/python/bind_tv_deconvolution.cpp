// Bindings of the TV / hyper-Laplacian deconvolution plan (core/tv_deconvolution.hpp).
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/tv_deconvolution.hpp"
#include "python/bindings.hpp"
#include "python/common.hpp"

namespace clearsight::bindings {

namespace {

TVBoundary parse_tv_boundary(const std::string& s) {
  if (s == "reflect") return TVBoundary::reflect;
  if (s == "periodic") return TVBoundary::periodic;
  if (s == "taper") return TVBoundary::taper;
  if (s == "unknown") return TVBoundary::unknown;
  throw std::invalid_argument("boundary must be 'reflect', 'periodic', 'taper' or 'unknown', got '" + s + "'");
}

std::unique_ptr<TVDeconvolutionPlan> new_plan(const py::array& psf, std::pair<long long, long long> shape,
                                              const std::string& boundary, bool double_precision,
                                              long long threads) {
  const PsfView view = psf_view(psf);
  const std::size_t rows = positive_size(shape.first, "shape");
  const std::size_t cols = positive_size(shape.second, "shape");
  const TVBoundary bound = parse_tv_boundary(boundary);
  const std::size_t n = positive_size(threads, "threads");
  py::gil_scoped_release release;
  return make_tv_deconvolution_plan(view, rows, cols, bound, double_precision, n);
}

}  // namespace

void bind_tv_deconvolution(py::module_& m) {
  py::class_<TVDeconvolutionPlan>(m, "TVDeconvolutionPlan",
                                  "TV / hyper-Laplacian deconvolution for one PSF and plane shape; "
                                  "see clearsight.deconvolve_tv.")
      .def(py::init(&new_plan), py::arg("psf"), py::arg("shape"), py::arg("boundary"),
           py::arg("double_precision"), py::arg("threads") = 1)
      .def(
          "apply",
          [](const TVDeconvolutionPlan& plan, const py::array& image, const py::array& out, double weight,
             double alpha, long long iterations, bool clip, long long threads) {
            const PlaneView in = plane_view(image, "image", false);
            const PlaneView dst = plane_view(out, "out", true);
            if (!(weight >= 0.0) || !std::isfinite(weight))
              throw std::invalid_argument("weight must be a finite number >= 0");
            if (!(alpha > 0.0 && alpha <= 2.0)) throw std::invalid_argument("alpha must be in (0, 2]");
            if (iterations < 0) throw std::invalid_argument("iterations must be >= 0");
            if (iterations > 100000) throw std::invalid_argument("iterations must be <= 100000");
            const std::size_t n = positive_size(threads, "threads");
            py::gil_scoped_release release;
            plan.apply(in, dst, weight, alpha, static_cast<std::size_t>(iterations), clip, n);
          },
          py::arg("image"), py::arg("out"), py::arg("weight"), py::arg("alpha"), py::arg("iterations"),
          py::arg("clip"), py::arg("threads"), "Restore the 2-D plane `image` into `out` (same shape and dtype).")
      .def_property_readonly("shape", [](const TVDeconvolutionPlan& p) { return py::make_tuple(p.rows(), p.cols()); })
      .def_property_readonly(
          "padded_shape", [](const TVDeconvolutionPlan& p) { return py::make_tuple(p.padded_rows(), p.padded_cols()); })
      .def_property_readonly("double_precision", &TVDeconvolutionPlan::double_precision)
      .def_static(
          "shrink", [](double v, double beta, double alpha) { return tv_shrink(v, beta, alpha); }, py::arg("v"),
          py::arg("beta"), py::arg("alpha"), "The float64 shrinkage the plan uses (for tests).");
}

}  // namespace clearsight::bindings
