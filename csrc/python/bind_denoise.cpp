// Bindings of the TV denoising kernel (core/denoise_tv.hpp).
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/denoise_tv.hpp"
#include "python/bindings.hpp"
#include "python/common.hpp"

namespace clearsight::bindings {

namespace {

// `work` as an H×W×K view (an H×W array is one channel): float32 or float64,
// non-empty, aligned to its item size.
StackView stack_view(const py::array& work) {
  const PixelType type = pixel_type(work, "work");
  if (type != PixelType::float32 && type != PixelType::float64)
    throw py::type_error("work must have dtype float32 or float64, got " + std::string(py::str(work.dtype())));
  if (work.ndim() != 2 && work.ndim() != 3)
    throw std::invalid_argument("work must be 2-D or 3-D (H×W or H×W×K), got " + std::to_string(work.ndim()) + "-D");
  StackView v;
  v.double_precision = type == PixelType::float64;
  v.data = const_cast<void*>(work.data());
  v.rows = work.shape(0);
  v.cols = work.shape(1);
  v.channels = work.ndim() == 3 ? work.shape(2) : 1;
  if (v.rows < 1 || v.cols < 1 || v.channels < 1) throw std::invalid_argument("work must not be empty");
  v.row_stride = work.strides(0);
  v.col_stride = work.strides(1);
  v.channel_stride = work.ndim() == 3 ? work.strides(2) : 0;
  const auto size = static_cast<std::ptrdiff_t>(work.itemsize());
  if (reinterpret_cast<std::uintptr_t>(work.data()) % static_cast<std::uintptr_t>(size) != 0 ||
      v.row_stride % size != 0 || v.col_stride % size != 0 || v.channel_stride % size != 0)
    throw std::invalid_argument("work must be aligned to its item size");
  return v;
}

py::array denoise_tv_binding(const py::array& work, double weight, double eps, long long max_iterations,
                             bool joint, long long threads) {
  const StackView in = stack_view(work);
  if (!std::isfinite(weight) || weight < 0)
    throw std::invalid_argument("weight must be a finite number >= 0");
  if (!std::isfinite(eps) || eps <= 0) throw std::invalid_argument("eps must be a finite number > 0");
  const std::size_t passes = positive_size(max_iterations, "max_iterations");
  // Bounded as the other iterative kernels, so that a direct call cannot hold
  // a thread for days (fuzz finding: max_iterations=2**40).
  if (max_iterations > 1000000) throw std::invalid_argument("max_iterations must be <= 1000000");
  const std::size_t n = positive_size(threads, "threads");
  py::array out = in.double_precision ? py::array(py::array_t<double>({in.rows, in.cols, in.channels}))
                                      : py::array(py::array_t<float>({in.rows, in.cols, in.channels}));
  StackView dst = in;
  dst.data = out.mutable_data();
  dst.row_stride = out.strides(0);
  dst.col_stride = out.strides(1);
  dst.channel_stride = out.strides(2);
  {
    // `work` and `out` are referenced by this frame for the whole call, so
    // their buffers outlive the work done without the GIL.
    py::gil_scoped_release release;
    denoise_tv(in, dst, weight, eps, passes, joint, n);
  }
  if (work.ndim() == 2) return out.reshape({in.rows, in.cols});
  return out;
}

}  // namespace

void bind_denoise(py::module_& m) {
  m.def("denoise_tv", &denoise_tv_binding, py::arg("work"), py::arg("weight"), py::arg("eps"),
        py::arg("max_iterations"), py::arg("joint"), py::arg("threads"),
        "Chambolle TV denoising of an H×W×K float32/float64 array (every channel on its own, or "
        "all jointly); a new C-contiguous array of its shape and dtype. See "
        "clearsight.reference.denoise.denoise_tv.");
}

}  // namespace clearsight::bindings
