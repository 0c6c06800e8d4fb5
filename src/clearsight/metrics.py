"""Full-reference image quality metrics.

Every metric compares a `reference` image with a `test` image of the same
shape and dtype and computes in float64, whatever the input dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["psnr"]

# Peak value assumed when the caller gives no data_range.
_DEFAULT_RANGE = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}


def _check_pair(reference: Any, test: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a reference/test pair and return them as arrays."""
    ref = np.asarray(reference)
    tst = np.asarray(test)
    if ref.shape != tst.shape:
        raise ValueError(
            f"reference and test must have the same shape, got {ref.shape} and {tst.shape}"
        )
    if ref.dtype != tst.dtype:
        raise ValueError(
            f"reference and test must have the same dtype, got {ref.dtype} and {tst.dtype}"
        )
    if ref.size == 0:
        raise ValueError("reference and test are empty")
    if not (np.issubdtype(ref.dtype, np.integer) or np.issubdtype(ref.dtype, np.floating)):
        raise TypeError(f"reference and test must be integer or real float arrays, got {ref.dtype}")
    for label, arr in (("reference", ref), ("test", tst)):
        if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
            raise ValueError(f"{label} contains NaN or inf")
    return ref, tst


def _resolve_range(data_range: float | None, dtype: np.dtype) -> float:
    """Return the peak value: `data_range` if given, else the dtype's default."""
    if data_range is None:
        if np.issubdtype(dtype, np.floating):
            return 1.0
        try:
            return _DEFAULT_RANGE[np.dtype(dtype)]
        except KeyError:
            raise ValueError(
                f"no default data_range for dtype {dtype}; pass data_range explicitly"
            ) from None
    if isinstance(data_range, (bool, np.bool_)):
        raise TypeError("data_range must be a positive number, got a bool")
    value = float(data_range)
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"data_range must be a positive finite number, got {data_range!r}")
    return value


def psnr(reference: Any, test: Any, *, data_range: float | None = None) -> float:
    """Peak signal-to-noise ratio between two images, in decibels.

    ``PSNR = 10 · log10(data_range² / MSE)`` with the mean squared error taken
    over every pixel and channel.

    Parameters
    ----------
    reference : array_like
        The ground-truth image.
    test : array_like
        The image to score; same shape and dtype as `reference`.
    data_range : float, optional
        The span of possible pixel values (the "peak"). Defaults to 255 for
        ``uint8``, 65535 for ``uint16`` and 1.0 for floating-point images;
        other dtypes need it given explicitly.

    Returns
    -------
    float
        The PSNR in dB; ``inf`` when the images are identical.

    Raises
    ------
    ValueError
        If the shapes or dtypes differ, the images are empty, either contains
        NaN or inf, `data_range` is not positive and finite, or the dtype has
        no default range and none was given.
    TypeError
        If the arrays are neither integer nor real floating point.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.full((4, 4), 100, dtype=np.uint8)
    >>> round(psnr(a, a + 1), 2)
    48.13
    >>> psnr(a, a)
    inf
    """
    ref, tst = _check_pair(reference, test)
    peak = _resolve_range(data_range, ref.dtype)
    diff = ref.astype(np.float64) - tst.astype(np.float64)
    mse = float(np.mean(diff * diff))
    if mse == 0.0:
        return math.inf
    # Written as a difference of logs so a tiny MSE cannot overflow the ratio.
    return 20.0 * math.log10(peak) - 10.0 * math.log10(mse)
