// Bindings of the Richardson–Lucy plan (core/richardson_lucy.hpp).
#include <memory>
#include <stdexcept>
#include <string>

#include "core/richardson_lucy.hpp"
#include "python/bindings.hpp"
#include "python/common.hpp"

namespace clearsight::bindings {

namespace {

RLBoundary parse_rl_boundary(const std::string& s) {
  if (s == "zero") return RLBoundary::zero;
  if (s == "reflect") return RLBoundary::reflect;
  if (s == "periodic") return RLBoundary::periodic;
  if (s == "taper") return RLBoundary::taper;
  throw std::invalid_argument("boundary must be 'zero', 'reflect', 'periodic' or 'taper', got '" + s + "'");
}

RLAcceleration parse_acceleration(const std::string& s) {
  if (s == "none") return RLAcceleration::none;
  if (s == "biggs") return RLAcceleration::biggs;
  throw std::invalid_argument("acceleration must be 'none' or 'biggs', got '" + s + "'");
}

std::unique_ptr<RichardsonLucyPlan> new_plan(const py::array& psf,
                                             std::pair<long long, long long> shape,
                                             const std::string& boundary, bool double_precision,
                                             long long threads) {
  const PsfView view = psf_view(psf);
  const std::size_t rows = positive_size(shape.first, "shape");
  const std::size_t cols = positive_size(shape.second, "shape");
  const RLBoundary bound = parse_rl_boundary(boundary);
  const std::size_t n = positive_size(threads, "threads");
  // `psf` is referenced for the whole call, so its buffer outlives the
  // planning done without the GIL.
  py::gil_scoped_release release;
  return make_richardson_lucy_plan(view, rows, cols, bound, double_precision, n);
}

}  // namespace

void bind_richardson_lucy(py::module_& m) {
  py::class_<RichardsonLucyPlan>(
      m, "RichardsonLucyPlan",
      "Richardson–Lucy for one PSF and plane shape; see clearsight.richardson_lucy.")
      .def(py::init(&new_plan), py::arg("psf"), py::arg("shape"), py::arg("boundary"),
           py::arg("double_precision"), py::arg("threads") = 1)
      .def(
          "apply",
          [](const RichardsonLucyPlan& plan, const py::array& image, const py::array& out,
             long long iterations, const std::string& acceleration, bool clip, long long threads) {
            const PlaneView in = plane_view(image, "image", false);
            const PlaneView dst = plane_view(out, "out", true);
            if (iterations < 0) throw std::invalid_argument("iterations must be >= 0");
            // Bounded so that a direct call cannot hold a thread for days.
            if (iterations > 1000000) throw std::invalid_argument("iterations must be <= 1000000");
            const RLAcceleration acc = parse_acceleration(acceleration);
            const std::size_t n = positive_size(threads, "threads");
            py::gil_scoped_release release;
            plan.apply(in, dst, static_cast<std::size_t>(iterations), acc, clip, n);
          },
          py::arg("image"), py::arg("out"), py::arg("iterations"), py::arg("acceleration"),
          py::arg("clip"), py::arg("threads"),
          "Restore the 2-D plane `image` into `out` (same shape and dtype).")
      .def_property_readonly(
          "shape", [](const RichardsonLucyPlan& p) { return py::make_tuple(p.rows(), p.cols()); })
      .def_property_readonly("padded_shape",
                             [](const RichardsonLucyPlan& p) {
                               return py::make_tuple(p.padded_rows(), p.padded_cols());
                             })
      .def_property_readonly("double_precision", &RichardsonLucyPlan::double_precision);
}

}  // namespace clearsight::bindings
