// Reading and writing plane pixels as [0, 1] values, and fixed-block loops,
// shared by the FFT-based iterative kernels (Richardson–Lucy, TV deconvolution).
//
// No namespace of its own, on purpose: include it inside the kernel's own
// (anonymous or instruction-set) namespace, as pocketfft is, so that copies
// compiled for different instruction sets can never be merged by the linker.
// Needs <algorithm>, <cmath>, <cstring>, <limits> and <type_traits> first.

// body(b0, b1) on each fixed block [b0, b1) of `grain` items inside [begin, end).
template <class Body>
inline void for_blocks(std::size_t begin, std::size_t end, std::size_t grain, Body&& body) {
  for (std::size_t b = begin; b < end; b += grain) body(b, std::min(end, b + grain));
}

// A pixel of type P at p as a working value of type T; integers scaled by their maximum.
template <typename T, typename P>
inline T load_pixel(const char* p) {
  P v;
  std::memcpy(&v, p, sizeof(P));
  if constexpr (std::is_integral_v<P>) {
    return static_cast<T>(static_cast<double>(v) / static_cast<double>(std::numeric_limits<P>::max()));
  } else {
    return static_cast<T>(v);
  }
}

// As the reference's from_unit_float, in float64 so that integer rounding
// sees the same value the reference rounds.
template <typename P>
inline void store_pixel(char* p, double y, bool clip) {
  P v;
  if constexpr (std::is_integral_v<P>) {
    y = (y > 0.0) ? y : 0.0;
    y = (y < 1.0) ? y : 1.0;
    v = static_cast<P>(std::floor(y * static_cast<double>(std::numeric_limits<P>::max()) + 0.5));
  } else {
    if (clip) {
      y = (y > 0.0) ? y : 0.0;
      y = (y < 1.0) ? y : 1.0;
    }
    v = static_cast<P>(y);
  }
  std::memcpy(p, &v, sizeof(P));
}
