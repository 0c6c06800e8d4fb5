// Bindings of the filters kernels: Gaussian blur and unsharp mask
// (core/filters.hpp), noise estimate and sharpness (core/estimate.hpp),
// BT.601 colour conversions (core/color.hpp). Same names, arguments and
// results as the functions of clearsight.reference.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/color.hpp"
#include "core/estimate.hpp"
#include "core/filters.hpp"
#include "python/bindings.hpp"
#include "python/common.hpp"

namespace clearsight::bindings {

namespace {

// An H×W or H×W×C (C = 1 to 4) view of `a`; TypeError/ValueError naming
// `name` for anything else.
ImageView image_view(const py::array& a, const char* name, bool writable = false) {
  if (a.ndim() != 2 && a.ndim() != 3)
    throw std::invalid_argument(std::string(name) + " must be H×W or H×W×C, got " + std::to_string(a.ndim()) +
                                "-D");
  ImageView v;
  v.type = pixel_type(a, name);
  v.rows = a.shape(0);
  v.cols = a.shape(1);
  v.channels = a.ndim() == 3 ? a.shape(2) : 1;
  if (v.rows < 1 || v.cols < 1 || v.channels < 1)
    throw std::invalid_argument(std::string(name) + " is empty");
  if (v.channels > 4)
    throw std::invalid_argument(std::string(name) + " must have 1 to 4 channels, got " +
                                std::to_string(v.channels));
  const auto size = static_cast<std::ptrdiff_t>(pixel_size(v.type));
  v.row_stride = a.strides(0);
  v.col_stride = a.strides(1);
  v.channel_stride = a.ndim() == 3 ? a.strides(2) : size;
  const auto address = reinterpret_cast<std::uintptr_t>(a.data());
  if (address % static_cast<std::uintptr_t>(size) != 0 || v.row_stride % size != 0 ||
      v.col_stride % size != 0 || v.channel_stride % size != 0)
    throw std::invalid_argument(std::string(name) + " must be aligned to its item size");
  if (writable && !a.writeable()) throw std::invalid_argument(std::string(name) + " is read-only");
  v.data = const_cast<void*>(a.data());
  return v;
}

ImageView colour_view(const py::array& a, const char* name) {
  const ImageView v = image_view(a, name);
  if (a.ndim() != 3 || (v.channels != 3 && v.channels != 4))
    throw std::invalid_argument(std::string(name) + " must be H×W×3 or H×W×4, channel last");
  return v;
}

// A new C-ordered array of `shape` and a's dtype, and its view.
std::pair<py::array, ImageView> new_like(const py::array& a, std::vector<py::ssize_t> shape) {
  py::array out(a.dtype(), shape);
  return {out, image_view(out, "out", true)};
}

std::vector<py::ssize_t> shape_of(const py::array& a) {
  return std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim());
}

BlurBoundary parse_blur_boundary(const std::string& s) {
  if (s == "reflect") return BlurBoundary::reflect;
  if (s == "nearest") return BlurBoundary::nearest;
  if (s == "periodic") return BlurBoundary::periodic;
  throw std::invalid_argument("boundary must be 'reflect', 'nearest' or 'periodic', got '" + s + "'");
}

// The reference's inverse matrix (NumPy's inverse, whose last bits depend
// on its LAPACK), so that ycbcr_to_rgb agrees with it bit for bit.
ColorMatrix reference_inverse() {
  const py::module_ colour = py::module_::import("clearsight.reference.color");
  const auto inverse = colour.attr("YCBCR_TO_RGB").cast<py::array_t<double, py::array::c_style | py::array::forcecast>>();
  const auto offset = colour.attr("YCBCR_OFFSET").cast<py::array_t<double, py::array::c_style | py::array::forcecast>>();
  if (inverse.size() != 9 || offset.size() != 3)
    throw std::runtime_error("clearsight.reference.color has unexpected matrix shapes");
  ColorMatrix m{};
  for (int k = 0; k < 3; ++k) {
    for (int c = 0; c < 3; ++c) m.m[k][c] = inverse.data()[k * 3 + c];
    m.offset[k] = offset.data()[k];
  }
  return m;
}

}  // namespace

void bind_filters(py::module_& m) {
  m.def(
      "gaussian_blur",
      [](const py::array& image, double sigma, double truncate, const std::string& boundary, long long threads) {
        const ImageView in = image_view(image, "image");
        const BlurBoundary bound = parse_blur_boundary(boundary);
        const std::size_t n = positive_size(threads, "threads");
        gaussian_radius(sigma, truncate);  // ValueError before allocating
        auto [out, dst] = new_like(image, shape_of(image));
        {
          py::gil_scoped_release release;
          gaussian_blur(in, dst, sigma, truncate, bound, n);
        }
        return out;
      },
      py::arg("image"), py::arg("sigma"), py::arg("truncate") = 4.0, py::arg("boundary") = "reflect",
      py::arg("threads") = 1, "Separable Gaussian blur of every channel; see clearsight.gaussian_blur.");

  m.def(
      "unsharp_mask",
      [](const py::array& image, double radius, double amount, double threshold, bool clip, long long threads) {
        const ImageView in = image_view(image, "image");
        const std::size_t n = positive_size(threads, "threads");
        if (!(radius > 0.0) || !std::isfinite(radius))
          throw std::invalid_argument("radius must be a positive finite number");
        gaussian_radius(radius, 4.0);
        auto [out, dst] = new_like(image, shape_of(image));
        {
          py::gil_scoped_release release;
          unsharp_mask(in, dst, radius, amount, threshold, clip, n);
        }
        return out;
      },
      py::arg("image"), py::arg("radius") = 1.0, py::arg("amount") = 1.0, py::arg("threshold") = 0.0,
      py::arg("clip") = true, py::arg("threads") = 1, "Unsharp masking; see clearsight.unsharp_mask.");

  m.def(
      "estimate_noise",
      [](const py::array& image, long long threads) {
        const ImageView in = image_view(image, "image");
        const std::size_t n = positive_size(threads, "threads");
        std::vector<double> sigmas;
        {
          py::gil_scoped_release release;
          sigmas = estimate_noise(in, n);
        }
        py::array_t<double> out(static_cast<py::ssize_t>(sigmas.size()));
        std::copy(sigmas.begin(), sigmas.end(), out.mutable_data());
        return out;
      },
      py::arg("image"), py::arg("threads") = 1,
      "Noise standard deviation of each colour channel; see clearsight.estimate_noise.");

  m.def(
      "sharpness",
      [](const py::array& image, long long threads) {
        const ImageView in = image_view(image, "image");
        const std::size_t n = positive_size(threads, "threads");
        py::gil_scoped_release release;
        return sharpness(in, n);
      },
      py::arg("image"), py::arg("threads") = 1, "Variance of the Laplacian of the luma; see clearsight.sharpness.");

  m.def(
      "rgb_to_ycbcr",
      [](const py::array& image, long long threads) {
        const ImageView in = colour_view(image, "image");
        const std::size_t n = positive_size(threads, "threads");
        auto [out, dst] = new_like(image, shape_of(image));
        const ColorMatrix forward = rgb_to_ycbcr_matrix();
        {
          py::gil_scoped_release release;
          rgb_to_ycbcr(in, dst, forward, n);
        }
        return out;
      },
      py::arg("image"), py::arg("threads") = 1, "BT.601 studio-swing YCbCr; see clearsight.rgb_to_ycbcr.");

  m.def(
      "ycbcr_to_rgb",
      [](const py::array& image, bool clip, long long threads) {
        const ImageView in = colour_view(image, "image");
        const std::size_t n = positive_size(threads, "threads");
        const ColorMatrix inverse = reference_inverse();
        auto [out, dst] = new_like(image, shape_of(image));
        {
          py::gil_scoped_release release;
          ycbcr_to_rgb(in, dst, inverse, clip, n);
        }
        return out;
      },
      py::arg("image"), py::arg("clip") = true, py::arg("threads") = 1,
      "RGB of a BT.601 studio-swing YCbCr image; see clearsight.ycbcr_to_rgb.");

  m.def(
      "rgb_to_y",
      [](const py::array& image, long long threads) {
        const ImageView in = colour_view(image, "image");
        const std::size_t n = positive_size(threads, "threads");
        py::array out(image.dtype(), std::vector<py::ssize_t>{image.shape(0), image.shape(1)});
        ImageView dst = image_view(out, "out", true);
        const ColorMatrix forward = rgb_to_ycbcr_matrix();
        {
          py::gil_scoped_release release;
          rgb_to_y(in, dst, forward, n);
        }
        return out;
      },
      py::arg("image"), py::arg("threads") = 1, "The Y plane of rgb_to_ycbcr; see clearsight.rgb_to_y.");
}

}  // namespace clearsight::bindings
