"""ITU-R BT.601 colour conversions in plain NumPy: the specification.

The YCbCr here is BT.601 "studio swing", the one MATLAB's ``rgb2ycbcr``
computes and the super-resolution literature reports PSNR/SSIM on. For
R, G, B in [0, 1]::

    Y  =  16/255 + ( 65.481 R + 128.553 G +  24.966 B) / 255
    Cb = 128/255 + (-37.797 R -  74.203 G + 112.0   B) / 255
    Cr = 128/255 + (112.0   R -  93.786 G -  18.214 B) / 255

so Y spans [16/255, 235/255] and Cb, Cr span [16/255, 240/255]. The inverse
applies the exact inverse of that affine map (computed once, in float64).

Integer images are converted to [0, 1] floats first and rounded back to
their type at the end (:mod:`clearsight.reference.pixels`), so uint8 output
is the formula scaled by 255 and rounded, as in MATLAB. A fourth (alpha)
channel passes through unchanged.
"""

from __future__ import annotations

import numpy as np

from clearsight.reference.pixels import from_unit_float, to_unit_float

__all__ = [
    "LUMA_WEIGHTS",
    "RGB_TO_YCBCR",
    "YCBCR_OFFSET",
    "YCBCR_TO_RGB",
    "luma",
    "rgb_to_y",
    "rgb_to_ycbcr",
    "ycbcr_to_rgb",
]

# Rows: Y, Cb, Cr; columns: R, G, B; for values in [0, 1].
RGB_TO_YCBCR = np.array(
    [
        [65.481, 128.553, 24.966],
        [-37.797, -74.203, 112.0],
        [112.0, -93.786, -18.214],
    ]
) / 255.0
YCBCR_OFFSET = np.array([16.0, 128.0, 128.0]) / 255.0
YCBCR_TO_RGB = np.linalg.inv(RGB_TO_YCBCR)

# Full-range BT.601 luma, Y' = 0.299 R + 0.587 G + 0.114 B: the studio-swing
# Y row above without its offset and its 219/255 scale. A grey image and its
# R = G = B copy have the same luma.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])


def _apply(matrix: np.ndarray, planes: np.ndarray) -> np.ndarray:
    """``matrix @ pixel`` for every pixel of an H×W×3 float64 array, written out per output channel."""
    return np.stack(
        [matrix[k, 0] * planes[..., 0] + matrix[k, 1] * planes[..., 1] + matrix[k, 2] * planes[..., 2]
         for k in range(matrix.shape[0])],
        axis=-1,
    )


def _with_alpha(result: np.ndarray, image: np.ndarray) -> np.ndarray:
    if image.shape[2] == 4:
        return np.concatenate([result, image[..., 3:]], axis=-1)
    return result


def rgb_to_ycbcr(image: np.ndarray, threads: int = 1) -> np.ndarray:
    """BT.601 studio-swing YCbCr of an H×W×3 (or ×4, alpha kept) RGB image, same dtype."""
    del threads  # the reference is single-threaded
    unit = to_unit_float(image[..., :3])
    ycbcr = _apply(RGB_TO_YCBCR, unit) + YCBCR_OFFSET
    return _with_alpha(from_unit_float(ycbcr, image.dtype, clip=False), image)


def ycbcr_to_rgb(image: np.ndarray, clip: bool = True, threads: int = 1) -> np.ndarray:
    """RGB of an H×W×3 (or ×4, alpha kept) BT.601 studio-swing YCbCr image, same dtype.

    Float output is clipped to [0, 1] when `clip`; integer output always is.
    """
    del threads
    unit = to_unit_float(image[..., :3])
    rgb = _apply(YCBCR_TO_RGB, unit - YCBCR_OFFSET)
    return _with_alpha(from_unit_float(rgb, image.dtype, clip), image)


def rgb_to_y(image: np.ndarray, threads: int = 1) -> np.ndarray:
    """The Y plane (H×W) of :func:`rgb_to_ycbcr`, same dtype; alpha is ignored."""
    del threads
    unit = to_unit_float(image[..., :3])
    y = _apply(RGB_TO_YCBCR[:1], unit)[..., 0] + YCBCR_OFFSET[0]  # the same arithmetic as channel 0 above
    return from_unit_float(y, image.dtype, clip=False)


def luma(unit: np.ndarray) -> np.ndarray:
    """Full-range BT.601 luma (H×W, float64) of an image already in [0, 1] floats.

    H×W: the image itself. H×W×C: C = 1 or 2 (grey + alpha) → the grey
    channel; C = 3 or 4 (RGB + alpha) → 0.299 R + 0.587 G + 0.114 B.
    """
    unit = np.asarray(unit, dtype=np.float64)
    if unit.ndim == 2:
        return unit
    if unit.shape[2] <= 2:
        return unit[..., 0]
    w = LUMA_WEIGHTS
    return w[0] * unit[..., 0] + w[1] * unit[..., 1] + w[2] * unit[..., 2]
