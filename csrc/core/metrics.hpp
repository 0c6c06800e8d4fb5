// Full-reference image quality metrics: PSNR, SSIM and MS-SSIM.
//
// Pure C++17: no Python, no pybind11. The arithmetic repeats the NumPy
// reference's float64 operations in its order (clearsight.reference.metrics),
// so the SSIM map is bit-identical to it; only the order in which the map,
// or PSNR's squared errors, are summed differs.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

namespace clearsight {

// Sample types the metric kernels read directly. Integers are read as their
// values (not scaled to [0, 1]): the metrics take a data_range instead.
enum class SampleType { uint8, uint16, float32, float64 };

// An N-D strided array (strides in bytes, any sign, any order).
struct SampleArray {
  const void* data = nullptr;
  SampleType type = SampleType::float64;
  std::vector<std::ptrdiff_t> shape, strides;
};

// A 2-D strided plane (strides in bytes): one channel of an image.
struct SamplePlane {
  const void* data = nullptr;
  SampleType type = SampleType::float64;
  std::ptrdiff_t rows = 0, cols = 0;
  std::ptrdiff_t row_stride = 0, col_stride = 0;
};

// Where an SSIM map goes: (rows - 10) x (cols - 10) float64, strides in elements.
struct SsimMapView {
  double* data = nullptr;
  std::ptrdiff_t row_stride = 0, col_stride = 0;
};

// The 11 taps of the Gaussian window (the reference's ssim_window(): the
// bindings pass its exact float64 values rather than recompute them, since
// exp() may differ by an ulp between libm and NumPy).
using SsimTaps = std::array<double, 11>;

// Sums over one plane's valid SSIM map: of the SSIM values and of the
// contrast-structure values, and how many positions were summed.
struct SsimSums {
  double ssim = 0.0, contrast_structure = 0.0;
  std::size_t count = 0;
};

// PSNR in dB of two arrays of the same shape and type:
// 20 log10(data_range) - 10 log10(MSE); +inf when the MSE is 0, -inf when it
// is +inf, NaN when it is NaN. uint8/uint16: squared differences summed
// exactly in 64-bit integers (the reference's value, bit for bit); floats:
// in float64, fixed blocks of samples (a different summation order from
// NumPy's: the MSE agrees to a relative n 2^-52). The blocks do not depend
// on `threads`, so neither does the result. Throws std::invalid_argument
// naming the argument for mismatched or empty arrays, data_range <= 0 or
// not finite, threads == 0.
// With `outside_unit_range` (float32/float64 only), also how many blocks
// hold a sample of either array outside [0, 1] or NaN (0 when all lie in
// [0, 1]), found block by block while the block is in cache, so that a
// caller that assumed data_range 1 can check it without reading the images
// again.
double psnr(const SampleArray& reference, const SampleArray& test, double data_range,
            std::size_t threads, std::ptrdiff_t* outside_unit_range = nullptr);

// SSIM sums of each pair of planes (reference[k], test[k]), each at least
// 11 x 11, all planes of the same shape and type. Each position of the
// valid map is computed as the reference does (bit-identical); when `maps`
// is non-empty it has one view per plane and receives the map. Planes are
// cut into fixed strips of rows and tiles of columns, shared out between
// `threads` threads; the sums are added in a fixed order, so the result does
// not depend on `threads`.
std::vector<SsimSums> ssim_sums(const std::vector<SamplePlane>& reference,
                                const std::vector<SamplePlane>& test, double data_range,
                                const SsimTaps& taps, const std::vector<SsimMapView>& maps,
                                std::size_t threads);

// MS-SSIM (5 scales, Wang, Simoncelli, Bovik 2003) of each pair of planes,
// each side >= 176: the mean over planes of prod_j max(cs_j, 0)^w_j, the
// coarsest term being the mean SSIM. The 2x2 halving repeats the
// reference's float64 operations (bit-identical planes).
double ms_ssim(const std::vector<SamplePlane>& reference, const std::vector<SamplePlane>& test,
               double data_range, const SsimTaps& taps, const std::array<double, 5>& weights,
               std::size_t threads);

}  // namespace clearsight
