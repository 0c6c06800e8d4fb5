"""Richardson–Lucy deconvolution in plain NumPy: the specification.

Everything is computed in float64, one step at a time, in the order a
compiled kernel must follow. The blur and its adjoint are products with the
PSF's transfer function on a real-FFT grid, computed once per plan (shared by
every colour channel that uses the same PSF).

The iteration
-------------
With y the observed plane on the working domain (see *Boundaries*), A the
blur and Aᵀ its adjoint (correlation with the PSF), one Richardson–Lucy step
maps an estimate x ≥ 0 to::

    c  = A x                                   # re-blurred estimate
    r  = y⁺ / max(c, floor)                    # y⁺ = max(y, 0)
    x' = max(x · Aᵀ r, 0)

starting from the constant ``x₀ = 0.5`` (the iteration is invariant to
the scale of x, so any positive constant gives the same iterates).

Guard against division by zero, NaN and infinity:
``floor = max(ε · max(y⁺), tiny)`` with ε the machine epsilon and tiny the
smallest normal number of the precision the plane is processed in (float32
for uint8, uint16 and float32 planes: ε ≈ 1.19e-7, tiny ≈ 1.18e-38;
float64 for float64 planes: 2.2e-16 and 2.2e-308); a plane whose
``max(y⁺)`` is 0 restores to all zeros. Taking the data's positive part and
the estimate's positive part keeps every ratio in
``[0, max(y⁺)/floor] ⊆ [0, 1/ε]`` and every iterate in ``[0, Σ y⁺]`` (a
step never increases the total flux:
``Σ x' = Σ_j c_j y⁺_j / max(c_j, floor) ≤ Σ y⁺``), so no intermediate value
can overflow and no 0/0 can occur, in float32 as in float64, whatever the
image size. Where the re-blurred estimate is larger than the floor (every
pixel, in practice) the step is the textbook one.

Biggs–Andrews acceleration
--------------------------
``acceleration="biggs"`` extrapolates along the last change before each step
(Biggs & Andrews 1997, the first-order vector extrapolation)::

    g_k = x_{k+1} - p_k                      # what step k changed
    α   = <g_{k-1}, g_{k-2}> / <g_{k-2}, g_{k-2}>,  clamped to [0, 1)
    p_k = max(x_k + α (x_k - x_{k-1}), κ x_k)    # predicted point, κ = KEEP = 0.1
    x_{k+1} = step(p_k)

with α = 0 for the first two steps (and whenever ``<g_{k-2}, g_{k-2}>`` is
0). Biggs & Andrews (and MATLAB's ``deconvlucy``) clip the prediction at 0
instead of κ x_k. A pixel set to exactly 0 stays 0 in every later step
(the update is multiplicative). When every pixel that reaches a bright datum
is zeroed, the datum's ratio becomes ``y / floor`` ≈ 1/ε. Its exact effect
is nil, because it only multiplies zeros. But the FFT's relative round-off
ε, times 1/ε, leaks O(1) into every other pixel. One ulp of the input then
moved the result by 30–80 uint16 levels, in float64 as in float32, so
the backends could not agree (found by ``clearsight.testing`` on pure-noise
uint16 data with a two-tap PSF). With κ > 0 a positive pixel stays
positive, and a prediction's ratios are at most 1/κ times the plain step's.
On 72 training pairs, κ = 0 (clipping at 0), 0.1, 0.25 and 0.5 gave the same
mean PSNR to 0.01 dB at 5, 10 and 20 iterations: the safeguard almost never
binds on natural images. Each accelerated iteration costs one plain step plus a few vector
operations; the sums are taken over the whole working domain.

Boundaries
----------
``"periodic"``: the plane wraps around; domain = the plane.
``"reflect"``: the plane is mirrored by the PSF's size on every side (up to a
2·3·5-smooth length, :func:`clearsight.reference.deconvolution.padded_length`
and ``boundary_index``, as Wiener does), the periodic iteration runs on the
extended plane and the result is cropped.
``"taper"``: the plane's borders are blended with its blurred copy
(:func:`~clearsight.reference.deconvolution.taper_window`), then periodic.
``"zero"``: the scene is black outside the plane: A is the zero-padded
linear convolution cropped to the plane (``scipy.signal.convolve(x, psf,
mode="same")`` for an odd-sized PSF) and Aᵀ its exact adjoint; the FFT grid
is at least ``n + k - 1`` long per axis so that nothing wraps. No
normalisation by ``Aᵀ 1`` is applied (scikit-image applies none). A pixel of
the plane that no pixel of the plane reaches through the PSF (possible only
here, when the PSF's nonzero taps all lie to one side of its centre, e.g.
``[1, 0, 0]``; :func:`reached`) has ``(A x)_j = 0`` for every x, so its
datum says nothing about x: it is taken as 0. Otherwise its ratio,
``y⁺_j / floor`` ≈ 1/ε, would be shifted out of the plane by Aᵀ exactly but
leak ~1/ε × the FFT's round-off into every other pixel.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from clearsight.reference.deconvolution import (
    boundary_index,
    fast_length,
    padded_length,
    taper_window,
    transfer_function,
)
from clearsight.reference.pixels import from_unit_float, to_unit_float

if TYPE_CHECKING:
    from clearsight._typing import Acceleration, RichardsonLucyBoundary

__all__ = [
    "ACCELERATIONS",
    "RL_BOUNDARIES",
    "RichardsonLucyPlan",
    "division_floor",
    "normalised_psf",
    "reached",
    "zero_boundary_gain",
    "richardson_lucy",
]

ACCELERATIONS: tuple[Acceleration, ...] = ("none", "biggs")
RL_BOUNDARIES: tuple[RichardsonLucyBoundary, ...] = ("reflect", "periodic", "taper", "zero")
START = 0.5  # initial estimate; any positive constant gives the same iterates
KEEP = 0.1  # Biggs: the prediction keeps at least this fraction of each pixel (module docstring)
ALPHA_MAX = 1.0 - 1e-6  # Biggs & Andrews keep the extrapolation factor below 1 for stability


def division_floor(data: np.ndarray, double_precision: bool) -> float:
    """The smallest denominator of a Richardson–Lucy ratio: ``max(ε · max(data), tiny)``.

    ε and tiny (the smallest normal number) are those of the working
    precision: float64 when `double_precision`, else float32.
    """
    info = np.finfo(np.float64 if double_precision else np.float32)
    return float(max(info.eps * np.max(data), info.tiny))


def normalised_psf(psf: np.ndarray) -> np.ndarray:
    """`psf` in float64 divided by its sum, with the taps below float32's smallest normal set to 0.

    The float32 kernels would flush those taps while float64 kept them, and
    a zero-boundary pixel reached only through one of them has a gain of
    1 / tap (:func:`zero_boundary_gain`): the backends parted by 3.9e4
    uint16 levels on a PSF holding 1e308 beside taps below 1 (F16 of
    docs/reliability.md). Dropped in every precision, so that float64 images
    see the same PSF. They are below 2**-126 of the PSF's mass.
    """
    psf = np.asarray(psf, dtype=np.float64)
    psf = psf / psf.sum()
    psf[psf < np.finfo(np.float32).tiny] = 0.0
    return psf


def reached(psf: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Pixels of an H×W plane that the zero-boundary blur of the plane can reach, as booleans.

    Pixel (i, j) is reached iff a nonzero tap (a, b) of `psf` (centre
    ``(kh // 2, kw // 2)``) maps a pixel of the plane onto it:
    ``0 <= i - (a - kh // 2) < H`` and ``0 <= j - (b - kw // 2) < W``.
    For each pixel the taps that qualify form a rectangle of the PSF, so a
    summed-area table of the nonzero taps counts them in O(1) per pixel.
    """
    rows, cols = shape
    kh, kw = psf.shape
    table = np.zeros((kh + 1, kw + 1), dtype=np.int64)
    table[1:, 1:] = np.cumsum(np.cumsum(psf != 0, axis=0), axis=1)
    i, j = np.arange(rows), np.arange(cols)
    a0, a1 = np.clip(i + kh // 2 - rows + 1, 0, kh), np.clip(i + kh // 2 + 1, 0, kh)  # taps a0 <= a < a1
    b0, b1 = np.clip(j + kw // 2 - cols + 1, 0, kw), np.clip(j + kw // 2 + 1, 0, kw)
    count = table[np.ix_(a1, b1)] - table[np.ix_(a0, b1)] - table[np.ix_(a1, b0)] + table[np.ix_(a0, b0)]
    return count > 0


def zero_boundary_gain(psf: np.ndarray, shape: tuple[int, int]) -> float:
    """``1 / min (A 1)`` over the reached pixels of a zero-boundary plane (1 for a PSF that reaches everywhere in full).

    ``(A 1)_j`` is the part of the normalised PSF that lands inside the plane
    at pixel j. Where it is small (a border pixel reached only by weak taps)
    the iteration divides by it, so the round-off of the compiled kernels is
    amplified by up to this factor there; the backend tolerance scales with it.
    """
    psf = normalised_psf(psf)
    rows, cols = shape
    plan = RichardsonLucyPlan(psf, (rows, cols), "zero", True)
    inside = plan.blur(np.ones((rows, cols)))[reached(psf, (rows, cols))]
    return float(max(1.0, 1.0 / inside.min())) if inside.size else 1.0


class RichardsonLucyPlan:
    """Richardson–Lucy for one PSF and plane shape: transfer function and domain computed once.

    Interface shared by the backends: ``RichardsonLucyPlan(psf, shape,
    boundary, double_precision, threads)`` then ``apply(image, out,
    iterations, acceleration, clip, threads)``. The reference works in
    float64 on one thread; `double_precision` only selects the ε of the
    division floor (see the module docstring), `threads` is ignored.
    """

    def __init__(
        self,
        psf: np.ndarray,
        shape: tuple[int, int],
        boundary: str,
        double_precision: bool,
        threads: int = 1,
    ) -> None:
        psf = normalised_psf(psf)
        rows, cols = shape
        kh, kw = psf.shape
        self.shape = (rows, cols)
        self.boundary = boundary
        self.double_precision = bool(double_precision)
        if boundary == "zero":
            self.padded_shape = (fast_length(rows + kh - 1), fast_length(cols + kw - 1))
        else:
            self.padded_shape = (padded_length(rows, kh, boundary), padded_length(cols, kw, boundary))
        self._otf = transfer_function(psf, self.padded_shape)
        self._otf_adjoint = np.conj(self._otf)
        if boundary == "reflect":
            self._row_index = boundary_index(rows, self.padded_shape[0])
            self._col_index = boundary_index(cols, self.padded_shape[1])
        if boundary == "taper":
            self._taper = np.outer(taper_window(psf.sum(axis=1), rows), taper_window(psf.sum(axis=0), cols))
        if boundary == "zero":
            self._reached = reached(psf, self.shape)

    # -- the blur A and its adjoint on the working domain ------------------

    def _filter(self, x: np.ndarray, response: np.ndarray) -> np.ndarray:
        grid = self.padded_shape
        result = np.fft.irfft2(np.fft.rfft2(x, s=grid) * response, s=grid)
        if self.boundary == "zero":  # the domain is the plane inside a zero-padded grid
            return result[: self.shape[0], : self.shape[1]]
        return result

    def blur(self, x: np.ndarray) -> np.ndarray:
        """A x: the estimate blurred by the PSF (x on the working domain)."""
        return self._filter(x, self._otf)

    def blur_adjoint(self, r: np.ndarray) -> np.ndarray:
        """Aᵀ r: correlation with the PSF, the exact adjoint of :meth:`blur`."""
        return self._filter(r, self._otf_adjoint)

    def data(self, plane: np.ndarray) -> np.ndarray:
        """The observed float64 plane placed on the working domain (extended or tapered)."""
        if self.boundary == "reflect":
            return plane[np.ix_(self._row_index, self._col_index)]
        if self.boundary == "taper":
            blurred = np.fft.irfft2(np.fft.rfft2(plane) * self._otf, s=self.shape)
            return self._taper * plane + (1.0 - self._taper) * blurred
        if self.boundary == "zero":
            return np.where(self._reached, plane, 0.0)
        return plane

    # -- the iteration ------------------------------------------------------

    def step(self, x: np.ndarray, data: np.ndarray, floor: float) -> np.ndarray:
        """One guarded Richardson–Lucy step from x ≥ 0 (`data` ≥ 0, on the working domain)."""
        ratio = data / np.maximum(self.blur(x), floor)
        return np.maximum(x * self.blur_adjoint(ratio), 0.0)

    def iterate(self, plane: np.ndarray, iterations: int, acceleration: str) -> Iterator[np.ndarray]:
        """Yield the estimate (cropped to the plane, unclipped) after each of `iterations` steps."""
        data = np.maximum(self.data(plane), 0.0)
        floor = division_floor(data, self.double_precision)
        x = np.full(data.shape, START)
        if not np.max(data) > 0.0:  # all-zero (or all-negative) data: the answer is zero
            x[...] = 0.0
            for _ in range(iterations):
                yield x[: self.shape[0], : self.shape[1]]
            return
        previous = None
        change = older_change = None
        for _ in range(iterations):
            alpha = 0.0
            if acceleration == "biggs" and older_change is not None:
                denominator = float(np.vdot(older_change, older_change))
                if denominator > 0.0:
                    alpha = min(max(float(np.vdot(change, older_change)) / denominator, 0.0), ALPHA_MAX)
            if alpha > 0.0:
                predicted = np.maximum(x + alpha * (x - previous), KEEP * x)
            else:
                predicted = x
            updated = self.step(predicted, data, floor)
            if acceleration == "biggs":
                older_change, change = change, updated - predicted
            previous, x = x, updated
            yield x[: self.shape[0], : self.shape[1]]

    def deconvolve(self, plane: np.ndarray, iterations: int, acceleration: str = "none") -> np.ndarray:
        """Restore the float64 `plane`; returns float64, neither clipped nor converted."""
        x = plane
        for x in self.iterate(plane, iterations, acceleration):  # noqa: B007 - the last iterate is the result
            pass
        return x

    def apply(
        self, image: np.ndarray, out: np.ndarray, iterations: int, acceleration: str, clip: bool, threads: int
    ) -> None:
        """Restore the 2-D plane `image` into `out` (same shape and dtype); `threads` is ignored."""
        out[...] = from_unit_float(self.deconvolve(to_unit_float(image), iterations, acceleration), out.dtype, clip)



def richardson_lucy(
    image: np.ndarray,
    psf: np.ndarray,
    iterations: int = 30,
    acceleration: str = "none",
    boundary: str = "reflect",
    clip: bool = True,
) -> np.ndarray:
    """Reference Richardson–Lucy deconvolution of a whole image (arguments assumed valid).

    `image` is H×W or H×W×C (C = 2 or 4: the last channel is alpha and is
    copied unchanged); `psf` is 2-D (shared) or kh×kw×K (one per colour
    channel). Returns the input's dtype.
    """
    planes = image[..., None] if image.ndim == 2 else image
    channels = planes.shape[2]
    colour = channels - 1 if channels in (2, 4) else channels
    double = image.dtype == np.float64
    out = np.empty_like(planes)
    plans: dict[int, RichardsonLucyPlan] = {}
    for c in range(colour):
        key = 0 if psf.ndim == 2 else c
        if key not in plans:
            kernel = psf if psf.ndim == 2 else psf[..., c]
            plans[key] = RichardsonLucyPlan(kernel, planes.shape[:2], boundary, double)
        plans[key].apply(planes[..., c], out[..., c], iterations, acceleration, clip, 1)
    out[..., colour:] = planes[..., colour:]
    return out[..., 0] if image.ndim == 2 else out
