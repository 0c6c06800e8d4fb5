"""Restoring the brightness of a colour image and leaving its colour alone.

``luminance_only=True`` on a door sends here. The operation runs once, on the
full-range BT.601 luma Y' = 0.299 R + 0.587 G + 0.114 B, and the change it
makes to Y' is added to R, G and B alike. That is exactly "restore Y, keep Cb
and Cr" for full-range YCbCr (JPEG's): there R, G and B each move by the
change of Y. It costs one plane of work instead of three, and it cannot
create colour fringes, because the chroma is never filtered.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from clearsight.reference.color import LUMA_WEIGHTS

__all__ = ["is_colour", "restore_luminance"]


def is_colour(image: np.ndarray) -> bool:
    """True for H×W×3 and H×W×4 (RGB, RGBA); grey images have only a luminance."""
    return image.ndim == 3 and image.shape[2] >= 3


def restore_luminance(
    image: np.ndarray,
    restore: Callable[[np.ndarray], np.ndarray],
    *,
    work_dtype: type,
    clip: bool,
) -> np.ndarray:
    """Apply `restore` to the luma of the RGB(A) `image` and add its change to R, G and B.

    Parameters
    ----------
    image : ndarray
        H×W×3 or H×W×4 (alpha last, copied unchanged), a pixel dtype,
        already validated.
    restore : callable
        Takes the H×W luma plane (`work_dtype`, [0, 1] units, C-contiguous)
        and returns the restored plane, same shape, unclipped.
    work_dtype : numpy float type
        Precision of the luma plane and of the recombination.
    clip : bool
        Clip float output to [0, 1]; integer output is always clipped.

    Returns
    -------
    ndarray
        A new array of `image`'s shape and dtype.
    """
    dtype = image.dtype
    rgb: np.ndarray = image[..., :3].astype(work_dtype)
    if dtype.kind == "u":
        rgb *= work_dtype(1.0 / np.iinfo(dtype).max)
    luma = rgb @ LUMA_WEIGHTS.astype(work_dtype)  # one pass, C-contiguous H×W
    change = restore(luma)
    change -= luma
    rgb += change[..., np.newaxis]
    out = np.empty(image.shape, dtype)
    if dtype.kind == "u":
        top = np.iinfo(dtype).max
        np.clip(rgb, 0.0, 1.0, out=rgb)
        rgb *= work_dtype(top)
        rgb += work_dtype(0.5)  # round half up, as every integer output in clearsight
        np.floor(rgb, out=rgb)
        out[..., :3] = rgb
    else:
        if clip:
            np.clip(rgb, 0.0, 1.0, out=rgb)
        out[..., :3] = rgb
    out[..., 3:] = image[..., 3:]
    return out
