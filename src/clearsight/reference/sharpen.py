"""Gaussian blur and unsharp masking in plain NumPy: the specification.

Everything is computed in float64 on images converted to [0, 1]
(:mod:`clearsight.reference.pixels`), then converted back to the input's
dtype. Filtering is separable and runs along the two image axes only: the
channels of an H×W×C image are never mixed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from clearsight.reference.pixels import from_unit_float, to_unit_float

if TYPE_CHECKING:
    from clearsight._typing import BlurBoundary

__all__ = [
    "BLUR_BOUNDARIES",
    "UNSHARP_TRUNCATE",
    "blur_unit",
    "extend_index",
    "gaussian_blur",
    "gaussian_weights",
    "kernel_radius",
    "unsharp_mask",
]

BLUR_BOUNDARIES: tuple[BlurBoundary, ...] = ("reflect", "nearest", "periodic")
# unsharp_mask blurs with truncate=4 and reflect borders, as scikit-image does.
UNSHARP_TRUNCATE = 4.0


def kernel_radius(sigma: float, truncate: float) -> int:
    """Half-width of the sampled Gaussian: ``truncate * sigma`` rounded half up.

    The same rule as ``scipy.ndimage.gaussian_filter`` (``int(truncate *
    sigma + 0.5)``), so the two use the same taps.
    """
    return int(truncate * sigma + 0.5)


def gaussian_weights(sigma: float, truncate: float) -> np.ndarray:
    """The normalised sampled Gaussian ``exp(-d² / 2σ²)``, d = -r..r, r = :func:`kernel_radius`."""
    radius = kernel_radius(sigma, truncate)
    if radius == 0:
        # One tap of weight 1 (what the formula gives whenever it is defined):
        # for σ below ~1e-154, σ² underflows to 0 and the formula is 0/0.
        return np.ones(1)
    d = np.arange(-radius, radius + 1, dtype=np.float64)
    weights = np.exp(-0.5 / (sigma * sigma) * d * d)
    return weights / weights.sum()


def extend_index(j: np.ndarray, n: int, boundary: str) -> np.ndarray:
    """Index into an axis of n samples of each position j (any integer) of its extension.

    ``"reflect"``: mirror with the edge sample repeated (… 1 0 | 0 1 … n-1 |
    n-1 n-2 …), periodic with period 2n, so it holds for any distance from
    the axis (NumPy's ``"symmetric"`` padding, SciPy's ``mode="reflect"``).
    ``"nearest"``: the edge sample repeated. ``"periodic"``: wrap around.
    """
    j = np.asarray(j)
    if boundary == "reflect":
        m = np.mod(j, 2 * n)
        return np.where(m < n, m, 2 * n - 1 - m)
    if boundary == "nearest":
        return np.clip(j, 0, n - 1)
    if boundary == "periodic":
        return np.mod(j, n)
    raise ValueError(f"boundary must be one of {BLUR_BOUNDARIES}, got {boundary!r}")


def _fold(weights: np.ndarray, n: int, boundary: str) -> tuple[int, np.ndarray]:
    """(first offset, weights) of an equivalent kernel no longer than about twice the axis.

    ``out[i] = sum_d w[d] x_ext[i + d]`` for offsets d = -r..r. When the
    kernel is longer than the extension's period (2n for reflect, n for
    periodic), offsets one period apart read the same sample for every i and
    their weights are added; with ``"nearest"`` every offset beyond ±(n-1)
    reads an edge sample for every i and is added to offset ±(n-1). The result
    is the same filter (up to rounding) with bounded memory for any sigma;
    ordinary kernels (radius < n) are returned unchanged.
    """
    radius = (weights.size - 1) // 2
    offsets = np.arange(-radius, radius + 1)
    if boundary == "reflect" and radius >= n:
        low, folded = -n, np.mod(offsets + n, 2 * n) - n
    elif boundary == "periodic" and (radius > n // 2 or radius > n - n // 2 - 1):
        low, folded = -(n // 2), np.mod(offsets + n // 2, n) - n // 2
    elif boundary == "nearest" and radius > n - 1:
        low, folded = -(n - 1), np.clip(offsets, -(n - 1), n - 1)
    else:
        return -radius, weights
    high = int(folded.max())
    summed = np.bincount(folded - low, weights=weights, minlength=high - low + 1)
    return low, summed


def _correlate_axis0(x: np.ndarray, weights: np.ndarray, boundary: str) -> np.ndarray:
    """``out[i] = sum_d w[d] x_ext[i + d]`` along axis 0 of `x` (any trailing axes)."""
    n = x.shape[0]
    low, taps = _fold(weights, n, boundary)
    high = low + taps.size - 1
    padded = np.take(x, extend_index(np.arange(low, n + high), n, boundary), axis=0)
    out = taps[0] * padded[0:n]
    for k in range(1, taps.size):
        out += taps[k] * padded[k : k + n]
    return out


def blur_unit(unit: np.ndarray, sigma: float, truncate: float = 4.0, boundary: str = "reflect") -> np.ndarray:
    """Separable Gaussian blur of a float64 H×W or H×W×C array along axes 0 and 1 only.

    Each channel is filtered as its own plane: along the columns, then,
    transposed, along the rows.
    """
    if unit.ndim == 3:
        return np.stack([blur_unit(unit[..., c], sigma, truncate, boundary) for c in range(unit.shape[2])], axis=-1)
    weights = gaussian_weights(sigma, truncate)
    columns = _correlate_axis0(unit, weights, boundary)
    return np.ascontiguousarray(_correlate_axis0(np.ascontiguousarray(columns.T), weights, boundary).T)


def gaussian_blur(
    image: np.ndarray, sigma: float, truncate: float = 4.0, boundary: str = "reflect", threads: int = 1
) -> np.ndarray:
    """Gaussian blur of every channel (alpha included), same shape and dtype as `image`."""
    del threads  # the reference is single-threaded
    blurred = blur_unit(to_unit_float(image), sigma, truncate, boundary)
    return from_unit_float(blurred, image.dtype, clip=False)


def unsharp_mask(
    image: np.ndarray,
    radius: float = 1.0,
    amount: float = 1.0,
    threshold: float = 0.0,
    clip: bool = True,
    threads: int = 1,
) -> np.ndarray:
    """``x + amount (x - G_radius * x)`` where ``|x - G_radius * x| > threshold``, else x.

    Colour channels only: a trailing alpha channel (C = 2 or 4) is copied.
    Float output is clipped to [0, 1] when `clip`; integer output always is.
    """
    del threads
    unit = to_unit_float(image)
    planes = unit if unit.ndim == 3 else unit[..., None]
    channels = planes.shape[2]
    colour = channels - 1 if channels in (2, 4) else channels
    x = planes[..., :colour]
    detail = x - blur_unit(x, radius, UNSHARP_TRUNCATE, "reflect")
    sharpened = np.where(np.abs(detail) > threshold, x + amount * detail, x)
    if image.ndim == 2:
        return from_unit_float(sharpened[..., 0], image.dtype, clip)
    result = np.empty_like(image)
    result[..., :colour] = from_unit_float(sharpened, image.dtype, clip)
    result[..., colour:] = image[..., colour:]  # alpha, bit for bit
    return result
