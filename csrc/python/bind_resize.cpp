// Bindings of MATLAB-style resizing (core/resize.hpp).
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/resize.hpp"
#include "python/bindings.hpp"
#include "python/common.hpp"

namespace clearsight::bindings {

namespace {

// Outputs beyond this many samples are refused (the Python door has the same bound).
constexpr long long kMaxOutputSamples = 1LL << 31;

ResizeMethod parse_method(const std::string& s) {
  if (s == "bicubic") return ResizeMethod::bicubic;
  if (s == "bilinear") return ResizeMethod::bilinear;
  if (s == "nearest") return ResizeMethod::nearest;
  if (s == "area") return ResizeMethod::area;
  throw std::invalid_argument("method must be 'bicubic', 'bilinear', 'nearest' or 'area', got '" + s + "'");
}

ResizeBoundary parse_resize_boundary(const std::string& s) {
  if (s == "symmetric") return ResizeBoundary::symmetric;
  if (s == "replicate") return ResizeBoundary::replicate;
  throw std::invalid_argument("boundary must be 'symmetric' or 'replicate', got '" + s + "'");
}

ImageView image_view(const py::array& a, const char* name) {
  if (a.ndim() != 2 && a.ndim() != 3)
    throw std::invalid_argument(std::string(name) + " must be H×W or H×W×C, got " + std::to_string(a.ndim()) + "-D");
  ImageView v;
  v.type = pixel_type(a, name);
  const auto size = static_cast<std::ptrdiff_t>(pixel_size(v.type));
  if (reinterpret_cast<std::uintptr_t>(a.data()) % static_cast<std::uintptr_t>(size) != 0)
    throw std::invalid_argument(std::string(name) + " must be aligned to its item size");
  for (py::ssize_t d = 0; d < a.ndim(); ++d)
    if (a.strides(d) % size != 0) throw std::invalid_argument(std::string(name) + " must be aligned to its item size");
  v.data = const_cast<void*>(a.data());
  v.rows = a.shape(0);
  v.cols = a.shape(1);
  v.channels = a.ndim() == 3 ? a.shape(2) : 1;
  v.row_stride = a.strides(0);
  v.col_stride = a.strides(1);
  v.channel_stride = a.ndim() == 3 ? a.strides(2) : size;
  if (v.rows < 1 || v.cols < 1 || v.channels < 1) throw std::invalid_argument(std::string(name) + " is empty");
  return v;
}

// The resized image, how many samples the AVX2 kernel recomputed in float64,
// and which of its uint8 passes were done in integers.
std::tuple<py::array, std::size_t, ResizeTrace> resize_traced(const py::array& image,
                                                              std::pair<long long, long long> size,
                                                              std::pair<double, double> scale,
                                                              const std::string& method, bool antialias,
                                                              const std::string& boundary, long long threads) {
  const ImageView in = image_view(image, "image");
  const std::size_t rows = positive_size(size.first, "size");
  const std::size_t cols = positive_size(size.second, "size");
  if (size.first > kMaxOutputSamples / size.second / in.channels)
    throw std::invalid_argument("size is too large (more than 2**31 samples)");
  for (double s : {scale.first, scale.second})
    if (!(s > 0.0) || !std::isfinite(s)) throw std::invalid_argument("scale must be finite numbers > 0");
  const ResizeMethod m = parse_method(method);
  // The door's bounds (clearsight.resampling, F5 and F14 of docs/reliability.md):
  // shrinking by s with antialiasing widens the filter to width / s taps, which
  // a tiny scale makes unbounded (a denormal one: infinite).
  const double width = m == ResizeMethod::bicubic ? 4.0 : m == ResizeMethod::bilinear ? 2.0 : 1.0;
  for (const auto& [s, n_out] : {std::pair{scale.first, rows}, std::pair{scale.second, cols}}) {
    if (s < 0x1p-40) throw std::invalid_argument("scale is too small (below 2**-40)");
    const double taps = s < 1.0 && antialias && m != ResizeMethod::nearest ? width / s : width;
    if (!(taps * double(n_out) <= double(1 << 24)))
      throw std::invalid_argument("scale is too small: its antialiasing filter needs more than 2**24 taps along an axis");
  }
  const ResizeBoundary b = parse_resize_boundary(boundary);
  const std::size_t n = positive_size(threads, "threads");
  std::vector<py::ssize_t> shape{static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)};
  if (image.ndim() == 3) shape.push_back(in.channels);
  py::array out(image.dtype(), shape);
  ImageView dst = image_view(out, "out");
  std::size_t recomputed = 0;
  ResizeTrace trace;
  {
    py::gil_scoped_release release;
    recomputed = resize(in, dst, scale.first, scale.second, m, antialias, b, n, &trace);
  }
  return {out, recomputed, trace};
}

std::pair<py::array, std::size_t> resize_counted(const py::array& image, std::pair<long long, long long> size,
                                                 std::pair<double, double> scale, const std::string& method,
                                                 bool antialias, const std::string& boundary, long long threads) {
  auto [out, recomputed, trace] = resize_traced(image, size, scale, method, antialias, boundary, threads);
  return {out, recomputed};
}

py::tuple resize_paths(const py::array& image, std::pair<long long, long long> size,
                       std::pair<double, double> scale, const std::string& method, bool antialias,
                       const std::string& boundary, long long threads) {
  auto [out, recomputed, trace] = resize_traced(image, size, scale, method, antialias, boundary, threads);
  return py::make_tuple(out, recomputed, trace.integer_rows, trace.integer_cols);
}

std::pair<py::array, std::string> resize_column_path(const py::array& image, std::pair<long long, long long> size,
                                                     std::pair<double, double> scale, const std::string& method,
                                                     bool antialias, const std::string& boundary, long long threads) {
  auto [out, recomputed, trace] = resize_traced(image, size, scale, method, antialias, boundary, threads);
  return {out, trace.column_path};
}

py::array resize_array(const py::array& image, std::pair<long long, long long> size,
                       std::pair<double, double> scale, const std::string& method, bool antialias,
                       const std::string& boundary, long long threads) {
  return std::get<0>(resize_traced(image, size, scale, method, antialias, boundary, threads));
}

}  // namespace

void bind_resize(py::module_& m) {
  m.def("resize", &resize_array, py::arg("image"), py::arg("size"), py::arg("scale"), py::arg("method"),
        py::arg("antialias"), py::arg("boundary"), py::arg("threads") = 1,
        "MATLAB imresize of an H×W or H×W×C image to `size` (rows, cols) with coordinate scales "
        "`scale`; see clearsight.resize for its tolerance against clearsight.reference.resize.");
  // For tests of the exactness check: also returns the number of samples
  // recomputed in float64 (0 on the portable float64 kernel).
  m.def("_resize_counted", &resize_counted, py::arg("image"), py::arg("size"), py::arg("scale"),
        py::arg("method"), py::arg("antialias"), py::arg("boundary"), py::arg("threads") = 1,
        "resize, returning (image, samples recomputed in float64).");
  // For tests of the integer path: also whether the row and the column pass
  // of a uint8 image were done in int32 (weights multiples of 2^-15).
  m.def("_resize_paths", &resize_paths, py::arg("image"), py::arg("size"), py::arg("scale"), py::arg("method"),
        py::arg("antialias"), py::arg("boundary"), py::arg("threads") = 1,
        "resize, returning (image, samples recomputed in float64, rows pass in integers, "
        "columns pass in integers).");
  // For tests of the column pass's paths: also which one ran.
  m.def("_resize_column_path", &resize_column_path, py::arg("image"), py::arg("size"), py::arg("scale"),
        py::arg("method"), py::arg("antialias"), py::arg("boundary"), py::arg("threads") = 1,
        "resize, returning (image, how the column pass ran: 'integer rows', 'integer aligned pairs', "
        "'integer pairs', 'float rows', 'float transposed', or '' on the portable kernel).");
}

}  // namespace clearsight::bindings
