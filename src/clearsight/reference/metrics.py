"""Full-reference image quality metrics in plain NumPy: the specification.

The kernels here take arrays the public door (:mod:`clearsight.metrics`) has
already validated, cropped and, for ``y_channel=True``, reduced to their Y
plane: H×W or H×W×C (channel last), any integer or float dtype, same shape
and dtype, finite. Everything is computed in float64.

SSIM (Wang, Bovik, Sheikh, Simoncelli 2004) as super-resolution papers and
scikit-image compute it: an 11×11 Gaussian window with σ = 1.5 (the sampled
Gaussian truncated at radius 5 and normalised to sum 1), K1 = 0.01,
K2 = 0.03, population (not sample) covariances. The five moment maps
(μx, μy, E[x²], E[y²], E[xy]) are "valid" separable convolutions: the map
has one value per position where the whole window fits in the image, so it
is (H - 10)×(W - 10) and no pixel outside the image is ever invented.
scikit-image filters with mirrored borders and then crops those same 5
pixels from every side before averaging, so the mean is the same number.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "MS_SSIM_WEIGHTS",
    "SSIM_K1",
    "SSIM_K2",
    "SSIM_RADIUS",
    "SSIM_SIGMA",
    "ms_ssim",
    "ms_ssim_min_size",
    "psnr",
    "ssim",
    "ssim_window",
]

SSIM_SIGMA = 1.5
SSIM_RADIUS = 5  # int(3.5 σ + 0.5): scikit-image's truncate=3.5, an 11×11 window
SSIM_K1 = 0.01
SSIM_K2 = 0.03
# Wang, Simoncelli, Bovik (2003), Table/eq. for M = 5, finest scale first.
MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)

# Elements per block in psnr: small enough that the two float64 buffers
# (512 KiB each) stay in the L2 cache, large enough that the per-block Python
# overhead is noise (measured: 2.7 ms for a 720p RGB uint8 pair, flat from
# 2^15 to 2^17).
_PSNR_BLOCK = 1 << 16


def ssim_window() -> np.ndarray:
    """The 1-D Gaussian taps (11, float64, sum 1) whose outer product is the SSIM window."""
    d = np.arange(-SSIM_RADIUS, SSIM_RADIUS + 1, dtype=np.float64)
    taps = np.exp(-(d * d) / (2.0 * SSIM_SIGMA * SSIM_SIGMA))
    return taps / taps.sum()


def _sum_of_squares(values: np.ndarray) -> float:
    """Σ v² of a 1-D float64 array, single-threaded.

    Not ``np.dot``: BLAS splits a dot product of this length over its own
    threads, which makes the sum depend on the BLAS thread count and, on a
    busy machine, costs milliseconds of thread hand-off per block (measured
    4-16 ms against 40 µs for 64 Ki elements).
    """
    return float(np.einsum("i,i->", values, values))


def _squared_error_float64(ref: np.ndarray, test: np.ndarray) -> float:
    """Σ (ref - test)² of two 1-D arrays in float64, block by block."""
    total = 0.0
    x = np.empty(min(_PSNR_BLOCK, ref.size), dtype=np.float64)
    y = np.empty_like(x)
    for start in range(0, ref.size, _PSNR_BLOCK):
        n = min(_PSNR_BLOCK, ref.size - start)
        # Casting into float64 buffers first (rather than a mixed-type
        # subtract) keeps integers from wrapping and is the fastest cast.
        xb, yb = x[:n], y[:n]
        xb[...] = ref[start : start + n]
        yb[...] = test[start : start + n]
        np.subtract(xb, yb, out=xb)
        total += _sum_of_squares(xb)
    return total


# Rows of this many squared 8-bit differences (each <= 255² = 65025) sum to at
# most 16,646,400 < 2**24: every partial sum is an integer float32 holds
# exactly, whatever the order of the additions.
_EXACT_FLOAT32_ROW = 256


def _squared_error_8bit(ref: np.ndarray, test: np.ndarray) -> float:
    """Σ (ref - test)² of two 1-D uint8/int8 arrays, exactly.

    The same number as :func:`_squared_error_float64` (both are exact
    integers below 2**53 for any image under 10¹¹ pixels), about twice as
    fast: differences in int16, squares summed in float32 rows that cannot
    round, row sums added in float64.
    """
    total = 0.0
    diff = np.empty(min(_PSNR_BLOCK, ref.size), dtype=np.int16)
    wide = np.empty(diff.size, dtype=np.float32)
    for start in range(0, ref.size, _PSNR_BLOCK):
        n = min(_PSNR_BLOCK, ref.size - start)
        d, w = diff[:n], wide[:n]
        np.subtract(ref[start : start + n], test[start : start + n], out=d, dtype=np.int16)
        w[...] = d
        whole = n - n % _EXACT_FLOAT32_ROW
        rows = w[:whole].reshape(-1, _EXACT_FLOAT32_ROW)
        total += float(np.einsum("ij,ij->i", rows, rows).sum(dtype=np.float64))
        total += _sum_of_squares(w[whole:].astype(np.float64))
    return total


def psnr(reference: np.ndarray, test: np.ndarray, data_range: float, threads: int = 1) -> float:
    """PSNR in dB of two same-shape arrays: ``10 log10(data_range² / MSE)``; inf when equal.

    The squared differences are summed block by block (float64 buffers;
    8-bit images exactly through int16 differences and float32 rows that
    cannot round), so no image-sized temporary is made; single-threaded, so
    the result is the same everywhere.
    Returns NaN or ±inf unchanged when the data make the MSE non-finite.
    """
    del threads  # the reference is single-threaded
    total = 0.0
    if reference.flags.c_contiguous and test.flags.c_contiguous:
        flat_ref, flat_test = reference.reshape(-1), test.reshape(-1)
        blocks = _squared_error_8bit if reference.dtype.itemsize == 1 else _squared_error_float64
        total = blocks(flat_ref, flat_test)
    else:
        # Strided views: blocks of whole rows of the first axis.
        per_row = max(1, reference.size // reference.shape[0])
        rows = max(1, _PSNR_BLOCK // per_row)
        for start in range(0, reference.shape[0], rows):
            ref_block, test_block = reference[start : start + rows], test[start : start + rows]
            diff = np.subtract(ref_block, test_block, dtype=np.float64).reshape(-1)
            total += _sum_of_squares(diff)
    mse = total / reference.size
    if mse == 0.0:
        return math.inf
    if not math.isfinite(mse):
        return -mse if mse == math.inf else mse  # an infinite MSE is -inf dB
    # A difference of logs: a tiny MSE cannot overflow the ratio.
    return 20.0 * math.log10(data_range) - 10.0 * math.log10(mse)


def _filter_valid(plane: np.ndarray, taps: np.ndarray) -> np.ndarray:
    """Separable "valid" correlation of an H×W float64 plane with taps ⊗ taps: (H - 10)×(W - 10).

    The taps are symmetric (``taps[k] == taps[n - 1 - k]`` exactly: the
    Gaussian of -d and +d is one computation), so each pass folds them: the
    two samples sharing a weight are added first, ``w_k (a_k + a_{n-1-k})``,
    outermost pair first and the centre tap last. Six multiplies per output
    instead of eleven; the order is the specification the compiled kernel
    repeats bit for bit.
    """
    n = taps.size
    r = n // 2
    rows = plane.shape[0] - n + 1
    cols = plane.shape[1] - n + 1
    # Along the columns (axis 1) first, then along the rows.
    across = taps[0] * (plane[:, 0:cols] + plane[:, n - 1 : n - 1 + cols])
    for k in range(1, r):
        across += taps[k] * (plane[:, k : k + cols] + plane[:, n - 1 - k : n - 1 - k + cols])
    across += taps[r] * plane[:, r : r + cols]
    out = taps[0] * (across[0:rows] + across[n - 1 : n - 1 + rows])
    for k in range(1, r):
        out += taps[k] * (across[k : k + rows] + across[n - 1 - k : n - 1 - k + rows])
    out += taps[r] * across[r : r + rows]
    return out


def _ssim_maps(x: np.ndarray, y: np.ndarray, data_range: float) -> tuple[np.ndarray, np.ndarray]:
    """The SSIM map and the contrast-structure map of two H×W float64 planes (valid part)."""
    taps = ssim_window()
    mu_x = _filter_valid(x, taps)
    mu_y = _filter_valid(y, taps)
    var_x = _filter_valid(x * x, taps) - mu_x * mu_x
    var_y = _filter_valid(y * y, taps) - mu_y * mu_y
    cov_xy = _filter_valid(x * y, taps) - mu_x * mu_y
    c1 = (SSIM_K1 * data_range) ** 2
    c2 = (SSIM_K2 * data_range) ** 2
    luminance = (2.0 * mu_x * mu_y + c1) / (mu_x * mu_x + mu_y * mu_y + c1)
    contrast_structure = (2.0 * cov_xy + c2) / (var_x + var_y + c2)
    return luminance * contrast_structure, contrast_structure


def _planes(image: np.ndarray) -> list[np.ndarray]:
    """The channels of an H×W or H×W×C image as float64 H×W planes."""
    if image.ndim == 2:
        return [image.astype(np.float64)]
    return [image[..., c].astype(np.float64) for c in range(image.shape[2])]


def ssim(
    reference: np.ndarray,
    test: np.ndarray,
    data_range: float,
    full: bool = False,
    threads: int = 1,
) -> tuple[float, np.ndarray | None]:
    """Mean SSIM of two H×W or H×W×C images (each ≥ 11×11), and the SSIM map when `full`.

    Colour images: the mean over channels of each channel's mean SSIM
    (scikit-image's ``channel_axis=-1``). The map is (H - 10)×(W - 10)
    (×C), float64, its mean the returned value.
    """
    del threads
    maps = [_ssim_maps(x, y, data_range)[0] for x, y in zip(_planes(reference), _planes(test), strict=True)]
    value = float(np.mean([m.mean() for m in maps]))
    if not full:
        return value, None
    return value, maps[0] if reference.ndim == 2 else np.stack(maps, axis=-1)


def ms_ssim_min_size(scales: int = len(MS_SSIM_WEIGHTS)) -> int:
    """Smallest side (pixels) for which every one of `scales` scales still holds an 11×11 window."""
    return (2 * SSIM_RADIUS + 1) << (scales - 1)


def _halve(plane: np.ndarray) -> np.ndarray:
    """2×2 block average; an odd last row or column is dropped."""
    h, w = plane.shape[0] // 2 * 2, plane.shape[1] // 2 * 2
    p = plane[:h, :w]
    return 0.25 * (p[0::2, 0::2] + p[1::2, 0::2] + p[0::2, 1::2] + p[1::2, 1::2])


def ms_ssim(
    reference: np.ndarray,
    test: np.ndarray,
    data_range: float,
    threads: int = 1,
) -> float:
    """Multi-scale SSIM (5 scales) of two H×W or H×W×C images, each side ≥ 176.

    Per channel: at scales 1-4 the mean contrast-structure term cs_j, at
    scale 5 the mean SSIM (luminance × contrast-structure), halving by 2×2
    averages in between; MS-SSIM = Π cs_j^w_j · ssim_5^w_5 with a negative
    mean clamped to 0 first. Colour: the mean over channels.
    """
    del threads
    weights = MS_SSIM_WEIGHTS
    values = []
    for x, y in zip(_planes(reference), _planes(test), strict=True):
        product = 1.0
        for scale, weight in enumerate(weights):
            ssim_map, cs_map = _ssim_maps(x, y, data_range)
            last = scale == len(weights) - 1
            term = float((ssim_map if last else cs_map).mean())
            product *= max(term, 0.0) ** weight
            if not last:
                x, y = _halve(x), _halve(y)
        values.append(product)
    return float(np.mean(values))
