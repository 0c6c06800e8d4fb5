#include "python/common.hpp"

#include <cstdint>
#include <stdexcept>

namespace clearsight::bindings {

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

PsfView psf_view(const py::array& psf, const char* name) {
  if (psf.ndim() != 2) throw std::invalid_argument(std::string(name) + " must be 2-D");
  if (psf.dtype().num() != py::dtype::of<double>().num() || !native_byte_order(psf.dtype()))
    throw py::type_error(std::string(name) + " must be native float64");
  if (reinterpret_cast<std::uintptr_t>(psf.data()) % alignof(double) != 0 ||
      psf.strides(0) % static_cast<py::ssize_t>(sizeof(double)) != 0 ||
      psf.strides(1) % static_cast<py::ssize_t>(sizeof(double)) != 0)
    throw std::invalid_argument(std::string(name) + " must be aligned to its item size");
  PsfView view;
  view.data = static_cast<const double*>(psf.data());
  view.rows = psf.shape(0);
  view.cols = psf.shape(1);
  view.row_stride = psf.strides(0) / static_cast<py::ssize_t>(sizeof(double));
  view.col_stride = psf.strides(1) / static_cast<py::ssize_t>(sizeof(double));
  return view;
}

std::size_t positive_size(long long value, const char* name) {
  if (value < 1) throw std::invalid_argument(std::string(name) + " must be >= 1");
  return static_cast<std::size_t>(value);
}

Boundary parse_boundary(const std::string& s) {
  if (s == "periodic") return Boundary::periodic;
  if (s == "reflect") return Boundary::reflect;
  if (s == "taper") return Boundary::taper;
  throw std::invalid_argument("boundary must be 'reflect', 'periodic' or 'taper', got '" + s + "'");
}

}  // namespace clearsight::bindings
