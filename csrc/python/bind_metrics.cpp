// Bindings of the metric kernels (core/metrics.hpp): psnr, ssim and ms_ssim
// with the names, arguments and results of clearsight.reference.metrics.
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/metrics.hpp"
#include "python/bindings.hpp"
#include "python/common.hpp"

namespace clearsight::bindings {

namespace {

struct ReferenceConstants {
  SsimTaps taps{};
  std::array<double, 5> weights{};
};

// The reference's window taps and MS-SSIM weights, its exact float64 values
// (its exp() and sum may differ by an ulp from libm's). Read once; always
// called with the GIL held, which serialises the first reads (an import may
// release the GIL, so two threads may both read: they store equal values).
ReferenceConstants reference_constants() {
  static ReferenceConstants constants;
  static bool loaded = false;
  if (!loaded) {
    const py::module_ spec = py::module_::import("clearsight.reference.metrics");
    const auto taps = spec.attr("ssim_window")().cast<py::array_t<double, py::array::c_style | py::array::forcecast>>();
    const py::tuple weights = spec.attr("MS_SSIM_WEIGHTS");
    if (taps.size() != 11 || weights.size() != 5)
      throw std::runtime_error("clearsight.reference.metrics has an unexpected window or weights");
    ReferenceConstants read;
    for (std::size_t k = 0; k < 11; ++k) read.taps[k] = taps.data()[k];
    for (std::size_t k = 0; k < 5; ++k) read.weights[k] = weights[k].cast<double>();
    constants = read;
    loaded = true;
  }
  return constants;
}

bool same_dtype(const py::array& a, const py::array& b) {
  return a.dtype().attr("__eq__")(b.dtype()).cast<bool>();
}

// `a` as the kernels read it: uint8, uint16, float32 or float64 in native
// byte order, aligned, as it is; the same type copied when byte-swapped or
// misaligned; any other real integer or float dtype (int8, int64, float16,
// ...) as float64, which is what the reference computes with
// (astype(float64), the same conversion). TypeError naming `name` for
// anything else (bool, complex, object, ...).
py::array readable(const py::array& a, const char* name) {
  const py::dtype dt = a.dtype();
  const char kind = dt.kind();
  if (kind != 'u' && kind != 'i' && kind != 'f')
    throw py::type_error(std::string(name) + " must be an integer or real float array, got dtype " +
                         std::string(py::str(dt)));
  const auto item = dt.itemsize();
  const bool direct = (kind == 'u' && (item == 1 || item == 2)) || (kind == 'f' && (item == 4 || item == 8));
  if (!direct) return a.attr("astype")("float64");
  bool aligned = reinterpret_cast<std::uintptr_t>(a.data()) % static_cast<std::uintptr_t>(item) == 0;
  for (py::ssize_t d = 0; d < a.ndim(); ++d) aligned = aligned && a.strides(d) % item == 0;
  if (aligned && native_byte_order(dt)) return a;
  return a.attr("astype")(dt.attr("newbyteorder")("="));
}

SampleType sample_type(const py::array& a) {
  const auto item = a.dtype().itemsize();
  if (a.dtype().kind() == 'u') return item == 1 ? SampleType::uint8 : SampleType::uint16;
  return item == 4 ? SampleType::float32 : SampleType::float64;
}

// reference and test checked as a pair (same shape, same dtype, not empty)
// and made readable.
std::pair<py::array, py::array> readable_pair(const py::array& reference, const py::array& test) {
  std::vector<py::ssize_t> a(reference.shape(), reference.shape() + reference.ndim());
  std::vector<py::ssize_t> b(test.shape(), test.shape() + test.ndim());
  if (a != b) throw std::invalid_argument("reference and test must have the same shape");
  if (!same_dtype(reference, test)) throw std::invalid_argument("reference and test must have the same dtype");
  if (reference.size() == 0) throw std::invalid_argument("reference and test are empty");
  return {readable(reference, "reference"), readable(test, "test")};
}

SampleArray sample_array(const py::array& a) {
  SampleArray s;
  s.data = a.data();
  s.type = sample_type(a);
  for (py::ssize_t d = 0; d < a.ndim(); ++d) {
    s.shape.push_back(a.shape(d));
    s.strides.push_back(a.strides(d));
  }
  return s;
}

// The channels of an H×W or H×W×C array as planes.
std::vector<SamplePlane> planes(const py::array& a, const char* name) {
  if (a.ndim() != 2 && a.ndim() != 3)
    throw std::invalid_argument(std::string(name) + " must be H×W or H×W×C, got " + std::to_string(a.ndim()) + "-D");
  const py::ssize_t channels = a.ndim() == 3 ? a.shape(2) : 1;
  std::vector<SamplePlane> out;
  for (py::ssize_t c = 0; c < channels; ++c) {
    SamplePlane p;
    p.type = sample_type(a);
    p.data = static_cast<const char*>(a.data()) + (a.ndim() == 3 ? c * a.strides(2) : 0);
    p.rows = a.shape(0);
    p.cols = a.shape(1);
    p.row_stride = a.strides(0);
    p.col_stride = a.strides(1);
    out.push_back(p);
  }
  return out;
}

double positive_finite(double value, const char* name) {
  if (!(value > 0.0) || !std::isfinite(value))
    throw std::invalid_argument(std::string(name) + " must be a positive finite number");
  return value;
}

void check_window(const py::array& a, py::ssize_t minimum, const char* what) {
  if (a.ndim() >= 2 && (a.shape(0) < minimum || a.shape(1) < minimum))
    throw std::invalid_argument("reference and test are " + std::to_string(a.shape(0)) + "×" +
                                std::to_string(a.shape(1)) + ", smaller than " + what +
                                ": both sides must be >= " + std::to_string(minimum));
}

}  // namespace

void bind_metrics(py::module_& m) {
  m.def(
      "psnr",
      [](const py::array& reference, const py::array& test, double data_range, long long threads) {
        const auto [x, y] = readable_pair(reference, test);
        const double peak = positive_finite(data_range, "data_range");
        const std::size_t n = positive_size(threads, "threads");
        const SampleArray a = sample_array(x), b = sample_array(y);
        py::gil_scoped_release release;
        return psnr(a, b, peak, n);
      },
      py::arg("reference"), py::arg("test"), py::arg("data_range"), py::arg("threads") = 1,
      "PSNR in dB of two arrays of any shape; see clearsight.psnr.");

  m.def(
      "psnr_unit_range",
      [](const py::array& reference, const py::array& test, long long threads) {
        const auto [x, y] = readable_pair(reference, test);
        if (x.dtype().kind() != 'f') throw py::type_error("reference and test must be float arrays");
        const std::size_t n = positive_size(threads, "threads");
        const SampleArray a = sample_array(x), b = sample_array(y);
        std::ptrdiff_t outside = 0;
        double value = 0.0;
        {
          py::gil_scoped_release release;
          value = psnr(a, b, 1.0, n, &outside);
        }
        return py::make_tuple(value, outside != 0);
      },
      py::arg("reference"), py::arg("test"), py::arg("threads") = 1,
      "(psnr(reference, test, 1.0, threads), whether a sample of either lies outside [0, 1] or is NaN) of "
      "float images, found while summing: the door checks the [0, 1] range of float images given without a "
      "data_range from the count instead of reading them four more times.");

  m.def(
      "ssim",
      [](const py::array& reference, const py::array& test, double data_range, bool full, long long threads) {
        const auto [x, y] = readable_pair(reference, test);
        const std::vector<SamplePlane> px = planes(x, "reference"), py_ = planes(y, "test");
        check_window(x, 11, "the 11×11 SSIM window");
        const double peak = positive_finite(data_range, "data_range");
        const std::size_t n = positive_size(threads, "threads");
        const SsimTaps taps = reference_constants().taps;
        py::object map = py::none();
        std::vector<SsimMapView> views;
        if (full) {
          const py::ssize_t rows = x.shape(0) - 10, cols = x.shape(1) - 10;
          const auto channels = static_cast<py::ssize_t>(px.size());
          py::array_t<double> out =
              x.ndim() == 2 ? py::array_t<double>({rows, cols}) : py::array_t<double>({rows, cols, channels});
          for (py::ssize_t c = 0; c < channels; ++c)
            views.push_back({out.mutable_data() + c, cols * channels, channels});
          map = out;
        }
        std::vector<SsimSums> sums;
        {
          py::gil_scoped_release release;
          sums = ssim_sums(px, py_, peak, taps, views, n);
        }
        // The reference's np.mean([m.mean() for m in maps]).
        double total = 0.0;
        for (const SsimSums& s : sums) total += s.ssim / static_cast<double>(s.count);
        return py::make_tuple(total / static_cast<double>(sums.size()), map);
      },
      py::arg("reference"), py::arg("test"), py::arg("data_range"), py::arg("full") = false,
      py::arg("threads") = 1,
      "(mean SSIM, map or None) of two H×W or H×W×C images, each at least 11×11; see clearsight.ssim.");

  m.def(
      "ms_ssim",
      [](const py::array& reference, const py::array& test, double data_range, long long threads) {
        const auto [x, y] = readable_pair(reference, test);
        const std::vector<SamplePlane> px = planes(x, "reference"), py_ = planes(y, "test");
        check_window(x, 176, "what 5-scale MS-SSIM needs");
        const double peak = positive_finite(data_range, "data_range");
        const std::size_t n = positive_size(threads, "threads");
        const ReferenceConstants constants = reference_constants();
        py::gil_scoped_release release;
        return ms_ssim(px, py_, peak, constants.taps, constants.weights, n);
      },
      py::arg("reference"), py::arg("test"), py::arg("data_range"), py::arg("threads") = 1,
      "MS-SSIM (5 scales) of two H×W or H×W×C images, each side at least 176; see clearsight.ms_ssim.");
}

}  // namespace clearsight::bindings
