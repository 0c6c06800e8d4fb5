"""Re-exports of the issue-5 reference kernels (estimate, sharpen, color).

``clearsight.reference`` star-imports this module, so that the ``"numpy"``
backend finds these kernels by name (see :mod:`clearsight._dispatch`).
"""

from clearsight.reference.color import rgb_to_y, rgb_to_ycbcr, ycbcr_to_rgb
from clearsight.reference.estimate import estimate_noise, sharpness
from clearsight.reference.sharpen import gaussian_blur, unsharp_mask

__all__ = [
    "estimate_noise",
    "gaussian_blur",
    "rgb_to_y",
    "rgb_to_ycbcr",
    "sharpness",
    "unsharp_mask",
    "ycbcr_to_rgb",
]
