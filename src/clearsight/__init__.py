"""clearsight: fast image restoration, from a NumPy array to a video stream.

Public API, one function per operation::

    clearsight.wiener(image, psf, balance)      # one-shot deconvolution
    clearsight.Deconvolver(psf, shape)(frame)   # planned, for streams
    clearsight.richardson_lucy(image, psf)      # Richardson-Lucy, optionally Biggs-accelerated
    clearsight.deconvolve_tv(image, psf)        # TV / hyper-Laplacian deconvolution
    clearsight.denoise_tv(image, weight)        # total-variation denoising
    clearsight.gaussian_blur / unsharp_mask     # blurring and sharpening
    clearsight.estimate_noise / sharpness       # measurements
    clearsight.resize(image, scale)             # MATLAB imresize, exactly
    clearsight.rgb_to_ycbcr / ycbcr_to_rgb / rgb_to_y
    clearsight.psf.gaussian / motion / disk / load / parse
    clearsight.backends()
"""

from importlib.metadata import PackageNotFoundError, version

from clearsight import color, psf
from clearsight._dispatch import backends
from clearsight.color import rgb_to_y, rgb_to_ycbcr, ycbcr_to_rgb
from clearsight.deconv import Deconvolver, deconvolve_tv, richardson_lucy, wiener
from clearsight.denoise import denoise_tv
from clearsight.estimate import estimate_noise, sharpness
from clearsight.resampling import resize
from clearsight.sharpen import gaussian_blur, unsharp_mask

try:
    __version__ = version("clearsight")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

__all__ = [
    "Deconvolver",
    "__version__",
    "backends",
    "color",
    "deconvolve_tv",
    "denoise_tv",
    "estimate_noise",
    "gaussian_blur",
    "psf",
    "resize",
    "rgb_to_y",
    "rgb_to_ycbcr",
    "richardson_lucy",
    "sharpness",
    "unsharp_mask",
    "wiener",
    "ycbcr_to_rgb",
]
