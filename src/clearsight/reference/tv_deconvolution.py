r"""Non-blind deconvolution with a total-variation or hyper-Laplacian prior, in plain NumPy: the specification.

if TYPE_CHECKING:
    from clearsight._typing import Prior, TVBoundary

The problem
-----------
For an observed plane y, a PSF with blur operator A and forward differences
∇ = (Dx, Dy) (periodic on the working grid), find

.. math:: \min_x \; \tfrac12 \|A x - y\|^2 + \mathrm{weight} \sum_i |(D_x x)_i|^\alpha + |(D_y x)_i|^\alpha

(anisotropic: each difference separately), α = 1 for total variation and
0 < α < 1 for the heavy-tailed "hyper-Laplacian" image prior of Krishnan &
Fergus (NIPS 2009); α = 2 is Tikhonov on the gradients.

Half-quadratic splitting
------------------------
Auxiliary variables w = (wx, wy) stand for ∇x; the energy becomes

.. math:: \tfrac12 \|A x - y\|^2 + \mathrm{weight} \Big( \sum |w|^\alpha + \frac{\beta}{2} \|\nabla x - w\|^2 \Big)

and is minimised alternately in w and x while β grows, so that w → ∇x:

* w-step, independently per sample, with v = (Dx x)_i or (Dy x)_i:
  ``w = argmin |w|^α + β/2 (w - v)²`` (:func:`shrink`). α = 1: soft
  threshold at 1/β; α = 2: ``β v / (β + 2)``; α = 1/2 and 2/3: analytic
  roots of a cubic and a quartic (see :func:`shrink`); other α: bisection.
* x-step, closed form per frequency (real-FFT grid), with X, Y, Wx, Wy the
  spectra and H, Dx, Dy the transfer functions::

      X = (conj(H) Y + γ (conj(Dx) Wx + conj(Dy) Wy)) / (|H|² + γ (|Dx|² + |Dy|²)),   γ = weight · β

  (0 where the denominator is exactly 0, which needs weight = 0). It is
  evaluated as ``a · conj(H) Y + b · G`` with G the spectrum of
  ``Dxᵀ wx + Dyᵀ wy``, ``a = 1 / (|H|² + γ P)`` and
  ``b = 1 / (|H|²/γ + P)``, P = |Dx|² + |Dy|² (b = 0 where γ = 0 or
  P = 0). Two reasons: γ never multiplies a spectrum, so no weight overflows
  (γ = ∞ gives b = 1/P); and at DC, where P = 0, G is exactly 0 (a periodic
  divergence sums to zero) but its computed value is the FFT's round-off,
  which ``γ G / |H|²`` would blow up by γ (with α = 2 and weight = 1e8,
  float32 drifted 6 grey levels per unit from float64 that way).

β follows the schedule β_k = min(β₀ · (2√2)^k, β_max), k = 0 … iterations-1
(:data:`BETA_START` = 1, :data:`BETA_GROWTH` = 2√2, :data:`BETA_MAX` = 64;
from the 5th iteration on β stays at 64); each value gets one w-step and one
x-step. Krishnan & Fergus cap β at 256 and stop after about 8 iterations;
with 30 iterations, most of them at the cap, 64 scored 0.13 dB (hyper-
Laplacian) and 0.11 dB (TV) more than 256 on the training images, and 128,
32 and 16 less than 64 (``benchmarks/tune_deconv.py``, ``docs/tuning.md``). The iteration starts from x = y (on the
working grid). Here β is the shrinkage problem's own weight, in [0, 1]
pixel units: it sets the thresholds of the w-step whatever `weight` is.

Boundaries: those of the Wiener filter (:mod:`clearsight.reference.deconvolution`),
``"reflect"`` (mirror by the PSF's size, solve on the extended periodic grid,
crop), ``"periodic"`` and ``"taper"``, and ``"unknown"``: the scene goes on
beyond the frame and its blur reaches into the frame (a photograph), so the
data term only covers the frame, the grid being the ``"reflect"`` one. The
extended data is first the mirrored frame; after every x-step the samples
outside the frame are replaced by the current estimate's blur ``A x``
(frame samples stay y), and the next x-step uses these completed data. This
is the majorise-minimise step for the frame-only data term, at the cost of
two more FFTs per iteration; it removes most of the error that a guessed
extension leaves along the borders.

Automatic weight
----------------
``weight="auto"`` sets ``weight = c · σ²`` per colour channel, with σ that
channel's noise estimate (:func:`clearsight.reference.estimate.estimate_noise`:
median absolute deviation of the finest diagonal wavelet details, /0.6745)
and c = :data:`AUTO_WEIGHT` [prior]. σ² because in the MAP reading of the
energy the data term is ``‖Ax - y‖² / (2σ²)``: multiplying through by σ²
puts σ² in front of the prior.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from clearsight.reference.deconvolution import (
    BOUNDARIES,
    boundary_index,
    padded_length,
    taper_window,
    transfer_function,
)
from clearsight.reference.estimate import estimate_noise
from clearsight.reference.pixels import from_unit_float, to_unit_float

if TYPE_CHECKING:
    from clearsight._typing import Prior, TVBoundary

__all__ = [
    "AUTO_WEIGHT",
    "BETA_GROWTH",
    "BETA_MAX",
    "BETA_START",
    "DEFAULT_ALPHA",
    "DEFAULT_TV_ITERATIONS",
    "PRIORS",
    "TVDeconvolutionPlan",
    "TV_BOUNDARIES",
    "auto_weight",
    "beta_schedule",
    "deconvolve_tv",
    "shrink",
    "shrinkage_energy",
]

PRIORS: tuple[Prior, ...] = ("tv", "hyper-laplacian")
TV_BOUNDARIES: tuple[TVBoundary, ...] = (*BOUNDARIES, "unknown")
DEFAULT_ALPHA = {"tv": 1.0, "hyper-laplacian": 2.0 / 3.0}
BETA_START = 1.0
BETA_GROWTH = 2.0 * math.sqrt(2.0)
BETA_MAX = 64.0
DEFAULT_TV_ITERATIONS = 30
# weight = AUTO_WEIGHT[prior] * sigma**2, tuned on training images (BSD200 crops
# blurred by the Levin kernels at three noise levels: benchmarks/tune_deconv.py),
# never on the evaluation table.
AUTO_WEIGHT = {"tv": 9.0, "hyper-laplacian": 5.0}

_BISECTION_STEPS = 64


def beta_schedule(iterations: int) -> list[float]:
    """The β of each iteration: ``min(BETA_START · BETA_GROWTH^k, BETA_MAX)``, k = 0 … iterations-1."""
    return [min(BETA_START * BETA_GROWTH**k, BETA_MAX) for k in range(iterations)]


def _x_step_factors(otf_power: np.ndarray, gradient_power: np.ndarray, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """The x-step's per-frequency factors a and b (module docstring), for any γ in [0, ∞]."""
    moving = gradient_power > 0  # every frequency but DC
    with np.errstate(over="ignore", invalid="ignore"):  # γ P = ∞ gives a = 0 (γ = ∞ times DC's P = 0 is dropped)
        coupling = np.where(moving, gamma * gradient_power, 0.0) if gamma > 0 else 0.0
    denominator = otf_power + coupling
    a = np.where(denominator > 0, 1.0 / np.where(denominator > 0, denominator, 1.0), 0.0)
    if not gamma > 0:
        return a, np.zeros_like(a)
    b = np.where(moving, 1.0 / (otf_power / gamma + np.where(moving, gradient_power, 1.0)), 0.0)
    return a, b


def shrinkage_energy(w: np.ndarray, v: np.ndarray, beta: float, alpha: float) -> np.ndarray:
    """``|w|^α + β/2 (w - v)²`` elementwise."""
    return np.abs(w) ** alpha + 0.5 * beta * (w - v) ** 2


def _keep_if_better(candidate: np.ndarray, a: np.ndarray, beta: float, alpha: float) -> np.ndarray:
    """candidate (≥ 0, for |v| = a) where it beats w = 0, else 0; NaN candidates (no root) give 0."""
    valid = np.isfinite(candidate)
    safe = np.where(valid, candidate, 0.0)
    better = valid & (shrinkage_energy(safe, a, beta, alpha) < 0.5 * beta * a**2)
    return np.where(better, safe, 0.0)


def _shrink_half(a: np.ndarray, beta: float) -> np.ndarray:
    """α = 1/2, for a = |v| ≥ 0.

    With w = u² (u > 0) the stationarity condition ``1/(2√w) + β (w - a) = 0``
    is the depressed cubic ``u³ - a u + 1/(2β) = 0``. It has positive roots
    iff ``4 a³ ≥ 27 q²`` (q = 1/(2β)); the larger one is the local minimum:
    ``u = 2 √(a/3) cos(θ/3)``, ``θ = arccos(-3√3 q / (2 a^{3/2}))``.
    """
    q = 1.0 / (2.0 * beta)
    with np.errstate(divide="ignore", invalid="ignore"):
        argument = -3.0 * math.sqrt(3.0) * q / (2.0 * a**1.5)
        real = (4.0 * a**3 >= 27.0 * q * q) & (a > 0)
        theta = np.arccos(np.clip(argument, -1.0, 1.0))
        u = 2.0 * np.sqrt(a / 3.0) * np.cos(theta / 3.0)
    return _keep_if_better(np.where(real, u * u, np.nan), a, beta, 0.5)


def _shrink_two_thirds(a: np.ndarray, beta: float) -> np.ndarray:
    """α = 2/3, for a = |v| ≥ 0.

    With w = u³ (u > 0) the stationarity condition ``(2/3) w^{-1/3} + β (w - a) = 0``
    is the depressed quartic ``u⁴ - a u + r = 0``, r = 2/(3β). Ferrari:
    ``(u² + m)² = 2m (u - a/(4m))²`` holds for every root when m > 0 solves
    the resolvent cubic ``m³ - r m - a²/8 = 0``: when its discriminant
    ``D = a⁴/256 - r³/27`` is ≥ 0, Cardano's ``m = A + r/(3A)`` with
    ``A = ∛(a²/16 + √D)`` (the second cube root written as r/(3A) to avoid
    cancellation), else the trigonometric form of its largest root. With s = √(2m) the positive roots are
    ``u = (s ± √(2a/s - 2m)) / 2``; the larger is the local minimum.
    """
    r = 2.0 / (3.0 * beta)
    with np.errstate(divide="ignore", invalid="ignore"):
        discriminant = a**4 / 256.0 - r**3 / 27.0
        big = np.cbrt(a * a / 16.0 + np.sqrt(np.maximum(discriminant, 0.0)))
        cardano = big + r / (3.0 * big)  # the two cube roots multiply to r/3: no cancellation
        argument = 3.0 * math.sqrt(3.0) * a * a / (16.0 * r**1.5)
        trigonometric = 2.0 * math.sqrt(r / 3.0) * np.cos(np.arccos(np.clip(argument, -1.0, 1.0)) / 3.0)
        m = np.where(discriminant >= 0, cardano, trigonometric)
        s = np.sqrt(2.0 * m)
        inner = 2.0 * a / s - 2.0 * m
        u = 0.5 * (s + np.sqrt(inner))
        real = (a > 0) & (m > 0) & (inner >= 0)
    return _keep_if_better(np.where(real, u**3, np.nan), a, beta, 2.0 / 3.0)


def _shrink_bisection(a: np.ndarray, beta: float, alpha: float) -> np.ndarray:
    """Any α in (0, 2], for a = |v| ≥ 0: the minimiser in [0, a] by bisection on the derivative.

    On (0, a] the derivative ``h(w) = α w^{α-1} + β (w - a)`` is increasing
    to the right of ``w_c = (α(1-α)/β)^{1/(2-α)}`` (α < 1; w_c = 0 for α ≥ 1)
    and positive at a; a local minimum exists iff h(max(w_c, 0⁺)) < 0, and it
    is the root of h in [w_c, a]. It is then compared with w = 0.
    """
    if alpha >= 1.0:
        low = np.zeros_like(a)
    else:
        low = np.minimum(np.full_like(a, (alpha * (1.0 - alpha) / beta) ** (1.0 / (2.0 - alpha))), a)
    high = a.copy()

    def derivative(w: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            power = np.where(w > 0, w ** (alpha - 1.0), np.inf if alpha < 1 else (1.0 if alpha == 1 else 0.0))
        return alpha * power + beta * (w - a)

    exists = derivative(low) < 0
    for _ in range(_BISECTION_STEPS):
        middle = 0.5 * (low + high)
        negative = derivative(middle) < 0
        low = np.where(negative, middle, low)
        high = np.where(negative, high, middle)
    return _keep_if_better(np.where(exists & (a > 0), 0.5 * (low + high), np.nan), a, beta, alpha)


def _on_subset(a: np.ndarray, limit: float, solve: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """solve(a) where a > limit (a slightly lower bound than the exact one), 0 elsewhere.

    Only saves work: below `limit` the shrinkage has no stationary point, so
    the answer is 0 there anyway.
    """
    magnitude = np.zeros_like(a)
    candidates = a > limit * (1.0 - 1e-9)
    magnitude[candidates] = solve(a[candidates])
    return magnitude


def shrink(v: np.ndarray, beta: float, alpha: float) -> np.ndarray:
    """``argmin_w |w|^α + β/2 (w - v)²``, elementwise (ties go to w = 0).

    α = 1: soft thresholding ``sign(v) max(|v| - 1/β, 0)``; α = 2:
    ``β v / (β + 2)``; α = 1/2 and 2/3: closed-form roots (the functions
    ``_shrink_half`` and ``_shrink_two_thirds`` of this module); any other
    α in (0, 2]: bisection to float64 precision. For α < 1 the minimiser is
    either 0 or the larger stationary point in (0, |v|), whichever has the
    lower energy. The result has the sign of v and ``|w| ≤ |v|``.
    """
    v = np.asarray(v, dtype=np.float64)
    a = np.abs(v)
    if alpha == 1.0:
        magnitude = np.maximum(a - 1.0 / beta, 0.0)
    elif alpha == 2.0:
        magnitude = a * (beta / (beta + 2.0))  # the factor first: a · β may overflow
    elif alpha == 0.5:
        # Real roots need 4 a³ ≥ 27 q², q = 1/(2β); below that w = 0.
        magnitude = _on_subset(a, (27.0 / (16.0 * beta * beta)) ** (1.0 / 3.0), lambda x: _shrink_half(x, beta))
    elif abs(alpha - 2.0 / 3.0) < 1e-12:
        # u⁴ - a u + r dips below 0 only if a^{4/3} > (4/3) 4^{1/3} r, r = 2/(3β).
        limit = (4.0 / 3.0 * 4.0 ** (1.0 / 3.0) * 2.0 / (3.0 * beta)) ** 0.75
        magnitude = _on_subset(a, limit, lambda x: _shrink_two_thirds(x, beta))
    else:
        magnitude = _shrink_bisection(a, beta, alpha)
    return np.copysign(magnitude, v)


def _difference_responses(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Real-FFT responses of the periodic forward differences along rows (Dy) and columns (Dx)."""
    u = np.arange(shape[0])[:, None]
    v = np.arange(shape[1] // 2 + 1)[None, :]
    dy = np.exp(2j * np.pi * u / shape[0]) - 1.0
    dx = np.exp(2j * np.pi * v / shape[1]) - 1.0
    return np.broadcast_to(dx, (shape[0], shape[1] // 2 + 1)), np.broadcast_to(dy, (shape[0], shape[1] // 2 + 1))


def _gradient(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Periodic forward differences (along columns, along rows)."""
    return np.roll(x, -1, axis=1) - x, np.roll(x, -1, axis=0) - x


def _gradient_adjoint(wx: np.ndarray, wy: np.ndarray) -> np.ndarray:
    """Dxᵀ wx + Dyᵀ wy (periodic backward differences, negated divergence)."""
    return (np.roll(wx, 1, axis=1) - wx) + (np.roll(wy, 1, axis=0) - wy)


class TVDeconvolutionPlan:
    """TV / hyper-Laplacian deconvolution for one PSF and plane shape (NumPy backend).

    Interface shared by the backends: ``TVDeconvolutionPlan(psf, shape,
    boundary, double_precision, threads)`` then ``apply(image, out, weight,
    alpha, iterations, clip, threads)``. The reference works in float64 on
    one thread; `double_precision` and `threads` are accepted and ignored.
    """

    def __init__(
        self,
        psf: np.ndarray,
        shape: tuple[int, int],
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
        self.double_precision = bool(double_precision)
        extension = "reflect" if boundary == "unknown" else boundary
        self.padded_shape = (padded_length(rows, kh, extension), padded_length(cols, kw, extension))
        self._otf = transfer_function(psf, self.padded_shape)
        self._otf_power = np.abs(self._otf) ** 2
        dx, dy = _difference_responses(self.padded_shape)
        self._gradient_power = np.abs(dx) ** 2 + np.abs(dy) ** 2
        self._row_index = boundary_index(rows, self.padded_shape[0])
        self._col_index = boundary_index(cols, self.padded_shape[1])
        if boundary == "taper":
            self._taper = np.outer(taper_window(psf.sum(axis=1), rows), taper_window(psf.sum(axis=0), cols))

    def data(self, plane: np.ndarray) -> np.ndarray:
        """The observed float64 plane on the working grid (mirrored, tapered or as is)."""
        if self.boundary == "taper":
            blurred = np.fft.irfft2(np.fft.rfft2(plane) * self._otf, s=self.shape)
            plane = self._taper * plane + (1.0 - self._taper) * blurred
        return plane[np.ix_(self._row_index, self._col_index)]

    def deconvolve(self, plane: np.ndarray, weight: float, alpha: float, iterations: int) -> np.ndarray:
        """Restore the float64 `plane`; returns float64, neither clipped nor converted."""
        x = plane
        for x in self.iterate(plane, weight, alpha, iterations):  # noqa: B007 - the last iterate is the result
            pass
        return x

    def iterate(self, plane: np.ndarray, weight: float, alpha: float, iterations: int) -> Iterator[np.ndarray]:
        """Yield the restored float64 plane (cropped, unclipped) after each of `iterations` steps."""
        y = self.data(plane)
        grid = self.padded_shape
        rows, cols = self.shape
        blurred_data = np.conj(self._otf) * np.fft.rfft2(y)  # conj(H) Y
        x = y
        for beta in beta_schedule(iterations):
            vx, vy = _gradient(x)
            wx, wy = shrink(vx, beta, alpha), shrink(vy, beta, alpha)
            a, b = _x_step_factors(self._otf_power, self._gradient_power, weight * beta)
            spectrum = a * blurred_data + b * np.fft.rfft2(_gradient_adjoint(wx, wy))
            x = np.fft.irfft2(spectrum, s=grid)
            if self.boundary == "unknown":
                # Unobserved samples of the extended data: what the current estimate predicts.
                completed = np.fft.irfft2(spectrum * self._otf, s=grid)
                completed[:rows, :cols] = y[:rows, :cols]
                blurred_data = np.conj(self._otf) * np.fft.rfft2(completed)
            yield x[:rows, :cols]

    def apply(
        self,
        image: np.ndarray,
        out: np.ndarray,
        weight: float,
        alpha: float,
        iterations: int,
        clip: bool,
        threads: int,
    ) -> None:
        """Restore the 2-D plane `image` into `out` (same shape and dtype); `threads` is ignored."""
        restored = self.deconvolve(to_unit_float(image), weight, alpha, iterations)
        out[...] = from_unit_float(restored, out.dtype, clip)


def auto_weight(image: np.ndarray, prior: str) -> list[float]:
    """``AUTO_WEIGHT[prior] · σ_c²`` for every colour channel c of `image` (σ from ``estimate_noise``)."""
    return [AUTO_WEIGHT[prior] * float(sigma) ** 2 for sigma in estimate_noise(image)]


def deconvolve_tv(
    image: np.ndarray,
    psf: np.ndarray,
    weight: float | Sequence[float] | str = "auto",
    prior: str = "tv",
    alpha: float | None = None,
    iterations: int = DEFAULT_TV_ITERATIONS,
    boundary: str = "unknown",
    clip: bool = True,
) -> np.ndarray:
    """Reference TV / hyper-Laplacian deconvolution of a whole image (arguments assumed valid).

    `image` is H×W or H×W×C (C = 2 or 4: the last channel is alpha and is
    copied unchanged); `psf` is 2-D (shared) or kh×kw×K (one per colour
    channel). `weight` is a number, one number per colour channel, or
    ``"auto"``; `alpha` None means the prior's default (1 for ``"tv"``, 2/3
    for ``"hyper-laplacian"``). Returns the input's dtype.
    """
    alpha = DEFAULT_ALPHA[prior] if alpha is None else float(alpha)
    planes = image[..., None] if image.ndim == 2 else image
    channels = planes.shape[2]
    colour = channels - 1 if channels in (2, 4) else channels
    if isinstance(weight, str):
        weights = auto_weight(image, prior)
    elif np.ndim(weight) == 0:
        weights = [float(weight)] * colour  # type: ignore[arg-type]
    else:
        weights = [float(w) for w in weight]  # type: ignore[union-attr]
    out = np.empty_like(planes)
    plans: dict[int, TVDeconvolutionPlan] = {}
    for c in range(colour):
        key = 0 if psf.ndim == 2 else c
        if key not in plans:
            kernel = psf if psf.ndim == 2 else psf[..., c]
            plans[key] = TVDeconvolutionPlan(kernel, planes.shape[:2], boundary, image.dtype == np.float64)
        plans[key].apply(planes[..., c], out[..., c], weights[c], alpha, iterations, clip, 1)
    out[..., colour:] = planes[..., colour:]
    return out[..., 0] if image.ndim == 2 else out
