"""clearsight: fast image restoration, from a NumPy array to a video stream.

Public API, one function per operation::

    clearsight.wiener(image, psf, balance)      # one-shot deconvolution
    clearsight.Deconvolver(psf, shape)(frame)   # planned, for streams
    clearsight.psf.gaussian / motion / disk / load / parse
    clearsight.backends()
"""

from importlib.metadata import PackageNotFoundError, version

from clearsight import psf
from clearsight._dispatch import backends
from clearsight.deconv import Deconvolver, wiener

try:
    __version__ = version("clearsight")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

__all__ = ["Deconvolver", "__version__", "backends", "psf", "wiener"]
