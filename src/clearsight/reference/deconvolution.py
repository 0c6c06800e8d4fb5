"""Wiener deconvolution in plain NumPy: the specification.

Every step is written out for clarity, in float64, the way the documentation
describes it. The compiled backend (``clearsight._core``) implements the same
steps fused and in float32 for non-float64 images; the parity tests hold it to
this module within the tolerance stated in :func:`clearsight.wiener`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from clearsight.reference.pixels import from_unit_float, to_unit_float

if TYPE_CHECKING:
    from clearsight._typing import Boundary, Regularizer

__all__ = [
    "BOUNDARIES",
    "REGULARIZERS",
    "WienerPlan",
    "boundary_index",
    "fast_length",
    "from_unit_float",
    "padded_length",
    "taper_window",
    "to_unit_float",
    "wiener",
    "wiener_filter",
]

BOUNDARIES: tuple[Boundary, ...] = ("reflect", "periodic", "taper")
REGULARIZERS: tuple[Regularizer, ...] = ("identity", "laplacian")


def fast_length(n: int) -> int:
    """Smallest length >= n whose only prime factors are 2, 3 and 5."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    m = n
    while True:
        r = m
        for p in (2, 3, 5):
            while r % p == 0:
                r //= p
        if r == 1:
            return m
        m += 1


def padded_length(n: int, k: int, boundary: str) -> int:
    """Length of an axis of n samples, blurred by a PSF of k samples, after `boundary` padding.

    ``"reflect"`` pads by the PSF's full support k on both sides, then up to
    the next 2·3·5-smooth length; the other modes do not pad.
    """
    return fast_length(n + 2 * k) if boundary == "reflect" else n


def boundary_index(n: int, padded: int) -> np.ndarray:
    """Image index of every sample of an axis of length n extended to `padded`.

    The extended axis is laid out as ``[image | mirror of its end | mirror of
    its start]``: the image sits at offset 0, so restoring it is a crop of the
    first n samples, and the jump where the periodic extension wraps lies in
    the middle of the padding, as far from the image as possible. Mirroring
    repeats the edge sample (NumPy's ``"symmetric"`` padding) and continues
    periodically for pads longer than the image.
    """
    j = np.arange(padded)
    after = (padded - n) - (padded - n) // 2
    c = np.where(j < n + after, j, j - padded)
    m = np.mod(c, 2 * n)
    return np.where(m < n, m, 2 * n - 1 - m)


def transfer_function(psf: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Real-FFT transfer function of `psf` on a grid of `shape`, PSF centre at the origin.

    The PSF's centre is its sample ``(kh // 2, kw // 2)``.
    """
    kh, kw = psf.shape
    padded = np.zeros(shape)
    rows = (np.arange(kh) - kh // 2) % shape[0]
    cols = (np.arange(kw) - kw // 2) % shape[1]
    np.add.at(padded, (rows[:, None], cols[None, :]), psf)
    return np.fft.rfft2(padded)


def laplacian_response(shape: tuple[int, int]) -> np.ndarray:
    """Real-FFT response of the 5-point Laplacian [[0,-1,0],[-1,4,-1],[0,-1,0]] on `shape`."""
    u = np.arange(shape[0])[:, None]
    v = np.arange(shape[1] // 2 + 1)[None, :]
    return 4.0 - 2.0 * np.cos(2 * np.pi * u / shape[0]) - 2.0 * np.cos(2 * np.pi * v / shape[1])


def wiener_filter(psf: np.ndarray, shape: tuple[int, int], balance: float, regularizer: str) -> np.ndarray:
    """The Wiener filter ``conj(H) / (|H|^2 + balance |R|^2)`` on the real-FFT grid of `shape`.

    R = 1 for ``"identity"`` (balance is a noise-to-signal power ratio) and the
    Laplacian for ``"laplacian"`` (Tikhonov regularisation of the gradient
    energy, scikit-image's convention). Where the denominator is exactly 0 the
    filter is 0.
    """
    h = transfer_function(psf, shape)
    r2 = 1.0 if regularizer == "identity" else laplacian_response(shape) ** 2
    denominator = np.abs(h) ** 2 + balance * r2
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, np.conj(h) / safe, 0.0)


def taper_window(projection: np.ndarray, n: int) -> np.ndarray:
    """Edge-taper weights along an axis of n samples for a PSF whose projection on it is `projection`.

    The weight at distance d from the nearer edge is 1 minus the projection's
    autocorrelation at lag d, normalised to 1 at lag 0: the outermost sample is
    all blurred image, samples beyond the PSF's reach keep their value.
    """
    k = len(projection)
    autocorrelation = np.array([np.dot(projection[: k - d], projection[d:]) for d in range(k)])
    window = np.ones(n)
    if autocorrelation[0] <= 0:
        return window
    distance = np.minimum(np.arange(n), n - 1 - np.arange(n))
    near = distance < k
    window[near] = 1.0 - autocorrelation[distance[near]] / autocorrelation[0]
    return window


def deconvolve_plane(
    plane: np.ndarray, psf: np.ndarray, balance: float, regularizer: str, boundary: str
) -> np.ndarray:
    """Wiener-deconvolve one float64 plane (no clipping, no dtype conversion)."""
    return WienerPlan(psf, plane.shape, balance, regularizer, boundary, True).deconvolve(plane)


class WienerPlan:
    """The Wiener filter for one PSF and plane shape, computed once (NumPy backend).

    Same interface as ``clearsight._core.WienerPlan``; `double_precision` and
    `threads` are accepted for that reason and ignored (the reference always
    works in float64, on one thread).
    """

    def __init__(
        self,
        psf: np.ndarray,
        shape: tuple[int, int],
        balance: float,
        regularizer: str,
        boundary: str,
        double_precision: bool,
        threads: int = 1,
    ) -> None:
        psf = np.asarray(psf, dtype=np.float64)
        psf = psf / psf.sum()
        rows, cols = shape
        kh, kw = psf.shape
        self.shape = (rows, cols)
        self.boundary = boundary
        self.padded_shape = (padded_length(rows, kh, boundary), padded_length(cols, kw, boundary))
        self.double_precision = bool(double_precision)
        self._row_index = boundary_index(rows, self.padded_shape[0])
        self._col_index = boundary_index(cols, self.padded_shape[1])
        self._filter = wiener_filter(psf, self.padded_shape, balance, regularizer)
        if boundary == "taper":
            self._otf = transfer_function(psf, self.padded_shape)
            self._taper = np.outer(taper_window(psf.sum(axis=1), rows), taper_window(psf.sum(axis=0), cols))

    def deconvolve(self, x: np.ndarray) -> np.ndarray:
        """Deconvolve the float64 plane `x`; returns float64, neither clipped nor converted."""
        if self.boundary == "taper":
            blurred = np.fft.irfft2(np.fft.rfft2(x) * self._otf, s=self.padded_shape)
            x = self._taper * x + (1.0 - self._taper) * blurred
        extended = x[np.ix_(self._row_index, self._col_index)]
        restored = np.fft.irfft2(np.fft.rfft2(extended) * self._filter, s=self.padded_shape)
        return restored[: self.shape[0], : self.shape[1]]

    def apply(self, image: np.ndarray, out: np.ndarray, clip: bool, threads: int) -> None:
        """Deconvolve the 2-D plane `image` into `out` (same shape and dtype); `threads` is ignored."""
        out[...] = from_unit_float(self.deconvolve(to_unit_float(image)), out.dtype, clip)


def wiener(
    image: np.ndarray,
    psf: np.ndarray,
    balance: float = 0.01,
    regularizer: str = "identity",
    boundary: str = "reflect",
    clip: bool = True,
) -> np.ndarray:
    """Reference Wiener deconvolution of a whole image (arguments assumed valid).

    `image` is H×W or H×W×C; with C = 2 or 4 the last channel is alpha and is
    copied unchanged. `psf` is 2-D (shared by all colour channels) or H'×W'×K
    with one PSF per colour channel. Returns the input's dtype.
    """
    planes = image[..., None] if image.ndim == 2 else image
    channels = planes.shape[2]
    colour = channels - 1 if channels in (2, 4) else channels
    out = np.empty_like(planes)
    for c in range(colour):
        kernel = psf if psf.ndim == 2 else psf[..., c]
        restored = deconvolve_plane(to_unit_float(planes[..., c]), kernel / kernel.sum(), balance, regularizer, boundary)
        out[..., c] = from_unit_float(restored, image.dtype, clip)
    out[..., colour:] = planes[..., colour:]
    return out[..., 0] if image.ndim == 2 else out
