"""MATLAB ``imresize`` in plain NumPy: the specification of :func:`clearsight.resize`.

Every super-resolution benchmark's low-resolution images were made with
MATLAB's ``imresize``, and the published bicubic PSNRs were measured with it,
so this reproduces it rather than OpenCV's or PIL's resamplers. For one axis
of n samples resized by the factor ``scale`` (output/input):

* output length ``ceil(n * scale)`` (or the requested size);
* output sample x (1-based) sits at input coordinate
  ``u = x / scale + 0.5 * (1 - 1 / scale)`` (pixel centres aligned);
* the kernel is Keys' cubic with a = -0.5 (``"bicubic"``), the triangle
  (``"bilinear"``), or the unit box (``"nearest"``, ``"area"``). When
  shrinking with antialiasing (all but ``"nearest"``) it is stretched by
  ``1 / scale``: ``h(x) = scale * k(scale * x)``, which for ``"area"`` at an
  integer factor is exact block averaging;
* the taps are the ``ceil(width) + 2`` input samples from
  ``floor(u - width / 2)``, weighted by ``h(u - index)`` and normalised to
  sum 1;
* taps outside the image are mirrored (``"symmetric"``, MATLAB's
  ``imresize`` since R2006-ish: ``[1..n, n..1]`` repeated) or clamped to the
  edge sample (``"replicate"``, how the Set5/Set14 LR images were made:
  ``sr/README.md`` of the data folder);
* the axes are resized one at a time, the one with the smaller scale first
  (rows first on a tie); integer images are rounded half away from zero and
  clipped to their type after each pass, as MATLAB does for uint8.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from clearsight._typing import ResizeBoundary, ResizeMethod

__all__ = ["METHODS", "RESIZE_BOUNDARIES", "axis_weights", "output_length", "resize"]

METHODS: tuple[ResizeMethod, ...] = ("bicubic", "bilinear", "nearest", "area")
RESIZE_BOUNDARIES: tuple[ResizeBoundary, ...] = ("symmetric", "replicate")


def _cubic(x: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution kernel, a = -0.5."""
    ax = np.abs(x)
    ax2, ax3 = ax * ax, ax * ax * ax
    inner = 1.5 * ax3 - 2.5 * ax2 + 1.0
    outer = -0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0
    return np.where(ax <= 1.0, inner, np.where(ax <= 2.0, outer, 0.0))


def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(1.0 - np.abs(x), 0.0)


def _box(x: np.ndarray) -> np.ndarray:
    # Half-open, as MATLAB's: a sample exactly between two pixels goes to the right one.
    return ((x >= -0.5) & (x < 0.5)).astype(np.float64)


_KERNELS = {"bicubic": (_cubic, 4.0), "bilinear": (_triangle, 2.0), "nearest": (_box, 1.0), "area": (_box, 1.0)}


def output_length(n: int, scale: float) -> int:
    """MATLAB's output length for n samples scaled by `scale`: ceil(n * scale)."""
    return math.ceil(n * scale)


def axis_weights(
    n_in: int, n_out: int, scale: float, method: str, antialias: bool, boundary: str
) -> tuple[np.ndarray, np.ndarray]:
    """Tap indices (0-based, inside [0, n_in)) and weights, each n_out × taps, for one axis."""
    kernel, width = _KERNELS[method]
    if scale < 1.0 and antialias and method != "nearest":
        def h(x: np.ndarray) -> np.ndarray:
            return scale * kernel(scale * x)
        width = width / scale
    else:
        h = kernel
    x = np.arange(1, n_out + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)
    left = np.floor(u - width / 2.0)
    taps = math.ceil(width) + 2
    indices = left[:, None] + np.arange(taps)[None, :]  # 1-based, may fall outside [1, n_in]
    weights = h(u[:, None] - indices)
    # Summed tap by tap, left to right (not NumPy's pairwise sum): the order
    # is part of the specification, so that a compiled backend can match every
    # bit and hence every rounding of an integer image.
    total = weights[:, 0].copy()
    for k in range(1, taps):
        total += weights[:, k]
    weights /= total[:, None]
    if boundary == "symmetric":
        period = np.concatenate([np.arange(n_in), np.arange(n_in - 1, -1, -1)])
        indices = period[np.mod(indices - 1, 2 * n_in).astype(np.int64)]
    else:
        indices = np.clip(indices - 1, 0, n_in - 1).astype(np.int64)
    return indices, weights


def _resize_axis(values: np.ndarray, axis: int, indices: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Resample float64 `values` along `axis` with the given taps and weights (taps added in order)."""
    moved = np.moveaxis(values, axis, 0)
    out = np.zeros((indices.shape[0],) + moved.shape[1:])
    for k in range(indices.shape[1]):
        w = weights[:, k].reshape((-1,) + (1,) * (moved.ndim - 1))
        out += w * moved[indices[:, k]]
    return np.moveaxis(out, 0, axis)


def _round_to(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Round half away from zero (MATLAB's round) and clip to the integer type."""
    info = np.iinfo(dtype)
    rounded = np.sign(values) * np.floor(np.abs(values) + 0.5)
    return np.clip(rounded, info.min, info.max).astype(dtype)


def resize(
    image: np.ndarray,
    size: tuple[int, int],
    scale: tuple[float, float],
    method: str = "bicubic",
    antialias: bool = True,
    boundary: str = "symmetric",
    threads: int = 1,
) -> np.ndarray:
    """Resize H×W or H×W×C `image` to `size` = (rows, cols), the axes scaled by `scale` (arguments valid).

    Integer images keep their dtype, rounded after each axis; float images
    are resampled in float64 and returned in their dtype. `threads` is ignored.
    """
    del threads
    dtype = image.dtype
    integer = dtype.kind in "ui"
    values = image.astype(np.float64)
    # The axis with the smaller scale first (a stable sort: rows first on a tie).
    for axis in sorted((0, 1), key=lambda a: scale[a]):
        indices, weights = axis_weights(image.shape[axis], size[axis], scale[axis], method, antialias, boundary)
        values = _resize_axis(values, axis, indices, weights)
        if integer:
            values = _round_to(values, dtype).astype(np.float64)
    return values.astype(dtype)
