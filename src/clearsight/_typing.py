"""Types of the public API's arguments and results, for annotations.

Every operation returns an image of its input's dtype, so the doors are
generic in the array's scalar type: ``wiener(x, psf)`` with ``x`` an
``NDArray[np.uint8]`` is an ``NDArray[np.uint8]`` to a type checker. The
bound is ``np.generic``, not the four pixel types, so that arrays whose
dtype a checker cannot know (``np.asarray(pillow_image)``, ``x / 255``)
are accepted; the dtype itself is checked at run time (TypeError).

String options are ``Literal`` types, so a misspelt option is a type error
before it is a ValueError; each equals the tuple its door checks against at
run time (``tests/test_static.py`` holds them equal).
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias, TypeVar

import numpy as np

__all__ = [
    "Acceleration",
    "Backend",
    "BlurBoundary",
    "Boundary",
    "ChannelMode",
    "Image",
    "PixelT",
    "Prior",
    "Regularizer",
    "ResizeBoundary",
    "ResizeMethod",
    "RichardsonLucyBoundary",
    "TVBoundary",
]

PixelT = TypeVar("PixelT", bound=np.generic)
# An H×W or H×W×C image whose scalar type is PixelT (uint8, uint16, float32
# or float64 at run time).
Image: TypeAlias = np.ndarray[Any, np.dtype[PixelT]]

Backend: TypeAlias = Literal["auto", "cpp", "numpy"]
Regularizer: TypeAlias = Literal["identity", "laplacian"]
Boundary: TypeAlias = Literal["reflect", "periodic", "taper"]
RichardsonLucyBoundary: TypeAlias = Literal["reflect", "periodic", "taper", "zero"]
TVBoundary: TypeAlias = Literal["reflect", "periodic", "taper", "unknown"]
Acceleration: TypeAlias = Literal["none", "biggs"]
Prior: TypeAlias = Literal["tv", "hyper-laplacian"]
ChannelMode: TypeAlias = Literal["separate", "joint"]
BlurBoundary: TypeAlias = Literal["reflect", "nearest", "periodic"]
ResizeMethod: TypeAlias = Literal["bicubic", "bilinear", "nearest", "area"]
ResizeBoundary: TypeAlias = Literal["symmetric", "replicate"]
