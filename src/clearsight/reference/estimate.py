"""Image statistics in plain NumPy: noise level and sharpness. The specification.

Noise: Donoho & Johnstone's robust estimator on the finest diagonal wavelet
details. The single-level 2-D Daubechies-2 transform is written out here,
with the conventions of PyWavelets' ``pywt.dwtn(x, "db2")`` (its default
``"symmetric"`` extension, its output length and its sample alignment), so
that :func:`estimate_noise` agrees with ``skimage.restoration.estimate_sigma``
without PyWavelets installed.
"""

from __future__ import annotations

import decimal
import statistics

import numpy as np

from clearsight.reference.color import luma
from clearsight.reference.pixels import to_unit_float

__all__ = [
    "DB2_DEC_HI",
    "DB2_SCALING",
    "MAD_TO_SIGMA",
    "diagonal_detail",
    "dwt_highpass_axis0",
    "estimate_noise",
    "laplacian",
    "noise_sigma",
    "sharpness",
]


def _db2_scaling() -> np.ndarray:
    """Daubechies' 4-tap orthonormal scaling filter, from its closed form.

    h = [1 + √3, 3 + √3, 3 - √3, 1 - √3] / (4 √2). Evaluated with 40 decimal
    digits, then rounded once to float64: the correctly rounded values, which
    are the ones PyWavelets tabulates.
    """
    with decimal.localcontext() as context:
        context.prec = 40
        root3, root2 = decimal.Decimal(3).sqrt(), decimal.Decimal(2).sqrt()
        numerators = (1 + root3, 3 + root3, 3 - root3, 1 - root3)
        return np.array([float(v / (4 * root2)) for v in numerators])


DB2_SCALING = _db2_scaling()
# Analysis high-pass filter, in PyWavelets' order and signs:
# dec_hi[k] = (-1)^(L-1-k) h[k] with L = 4, i.e. [-h0, h1, -h2, h3].
DB2_DEC_HI = np.array([-DB2_SCALING[0], DB2_SCALING[1], -DB2_SCALING[2], DB2_SCALING[3]])
# 1 / Φ⁻¹(3/4): the median of |N(0, σ²)| is 0.6744897501960817 σ.
MAD_TO_SIGMA = 1.0 / statistics.NormalDist().inv_cdf(0.75)


def _symmetric(j: np.ndarray, n: int) -> np.ndarray:
    """Half-sample symmetric extension (edge repeated), periodic with period 2n."""
    m = np.mod(j, 2 * n)
    return np.where(m < n, m, 2 * n - 1 - m)


def dwt_highpass_axis0(x: np.ndarray, dec_hi: np.ndarray = DB2_DEC_HI) -> np.ndarray:
    """Detail coefficients of a single-level DWT along axis 0 of `x`.

    For an axis of n samples and a filter of L taps there are
    ``(n + L - 1) // 2`` outputs::

        d[o] = sum_j dec_hi[j] * x_ext[2 o + 1 - j],   j = 0 .. L-1

    (the odd samples of the full convolution), with x_ext the half-sample
    symmetric extension of x. The terms are added in PyWavelets' order so
    that the rounding is the same: terms reading past the end (descending j),
    then terms inside the signal (ascending j), then terms reading before its
    start (ascending j). Rounding matters here because the noise estimator
    leaves out coefficients that are exactly zero.
    """
    n, taps = x.shape[0], dec_hi.size
    outputs = (n + taps - 1) // 2
    order = np.empty((outputs, taps), dtype=np.int64)
    for o in range(outputs):
        i = 2 * o + 1
        j = np.arange(taps)
        past_end, inside, before = j[i - j >= n][::-1], j[(i - j >= 0) & (i - j < n)], j[i - j < 0]
        order[o] = np.concatenate([past_end, inside, before])
    centre = 2 * np.arange(outputs) + 1
    out = np.zeros((outputs,) + x.shape[1:], dtype=np.float64)
    trailing = (slice(None),) + (None,) * (x.ndim - 1)
    for step in range(taps):
        tap = order[:, step]
        out += dec_hi[tap][trailing] * x[_symmetric(centre - tap, n)]
    return out


def diagonal_detail(plane: np.ndarray) -> np.ndarray:
    """The HH ("dd") sub-band of the single-level 2-D db2 DWT of a 2-D float64 plane.

    High-pass along axis 0, then along axis 1, as ``pywt.dwtn(plane, "db2")["dd"]``.
    Shape ``((H + 3) // 2, (W + 3) // 2)``.
    """
    columns = dwt_highpass_axis0(np.asarray(plane, dtype=np.float64))
    return dwt_highpass_axis0(columns.T).T


def noise_sigma(plane: np.ndarray) -> float:
    """``median(|HH|) / Φ⁻¹(3/4)`` over the non-zero diagonal details of one plane (0 if none)."""
    details = diagonal_detail(plane)
    details = details[details != 0]  # exact zeros: padding or black borders, not noise
    if details.size == 0:
        return 0.0
    return float(np.median(np.abs(details)) * MAD_TO_SIGMA)


def estimate_noise(image: np.ndarray, threads: int = 1) -> np.ndarray:
    """Noise standard deviation of each colour channel (alpha excluded), in [0, 1] units, float64."""
    del threads  # the reference is single-threaded
    unit = to_unit_float(image)
    if unit.ndim == 2:
        return np.array([noise_sigma(unit)])
    channels = unit.shape[2]
    colour = channels - 1 if channels in (2, 4) else channels
    return np.array([noise_sigma(unit[..., c]) for c in range(colour)])


def laplacian(plane: np.ndarray) -> np.ndarray:
    """5-point Laplacian ``x[i-1,j] + x[i+1,j] + x[i,j-1] + x[i,j+1] - 4 x[i,j]``, edge-repeating mirror borders."""
    p = np.pad(np.asarray(plane, dtype=np.float64), 1, mode="symmetric")
    return p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4.0 * p[1:-1, 1:-1]


def sharpness(image: np.ndarray, threads: int = 1) -> float:
    """Variance (over all pixels) of the Laplacian of the full-range BT.601 luma, [0, 1] units squared."""
    del threads
    return float(np.var(laplacian(luma(to_unit_float(image)))))
