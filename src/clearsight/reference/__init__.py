"""NumPy reference implementations: the specification of every operation.

Readable and single-threaded; float64 unless an operation's docstring says
otherwise. It is also the ``"numpy"`` backend, used when the compiled core is
unavailable or ``CLEARSIGHT_BACKEND=numpy``: the public doors find their
kernels here by name (see :mod:`clearsight._dispatch`).
"""

from clearsight.reference.color import rgb_to_y, rgb_to_ycbcr, ycbcr_to_rgb
from clearsight.reference.deconvolution import WienerPlan, wiener
from clearsight.reference.denoise import denoise_tv
from clearsight.reference.estimate import estimate_noise, sharpness
from clearsight.reference.metrics import ms_ssim, psnr, ssim
from clearsight.reference.resize import resize
from clearsight.reference.richardson_lucy import RichardsonLucyPlan, richardson_lucy
from clearsight.reference.sharpen import gaussian_blur, unsharp_mask
from clearsight.reference.tv_deconvolution import TVDeconvolutionPlan, deconvolve_tv

# Plans (``WienerPlan``, ...) are what the doors look up; the whole-image
# functions are the specification the tests compare with.
__all__ = [
    "RichardsonLucyPlan",
    "TVDeconvolutionPlan",
    "WienerPlan",
    "deconvolve_tv",
    "denoise_tv",
    "estimate_noise",
    "gaussian_blur",
    "ms_ssim",
    "psnr",
    "rgb_to_y",
    "rgb_to_ycbcr",
    "resize",
    "richardson_lucy",
    "sharpness",
    "ssim",
    "unsharp_mask",
    "wiener",
    "ycbcr_to_rgb",
]
