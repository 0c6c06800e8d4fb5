"""Small demo images shipped inside the package.

Each function returns a fresh array, so callers may modify the result. See
``README.md`` in this folder for where each image comes from and how it was
made.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

__all__ = ["astronaut"]


def astronaut() -> np.ndarray:
    """Colour photograph of NASA astronaut Eileen Collins, 384×384.

    A downscaled copy of scikit-image's ``skimage.data.astronaut()``
    (public domain, from NASA). Reading it needs Pillow
    (``pip install clearsight[image]``).

    Returns
    -------
    numpy.ndarray
        ``uint8`` array of shape ``(384, 384, 3)``, RGB.

    Examples
    --------
    >>> from clearsight.samples import astronaut
    >>> astronaut().shape  # doctest: +SKIP
    (384, 384, 3)
    """
    from clearsight.io import read_image

    resource = resources.files(__name__).joinpath("astronaut.png")
    # as_file gives a real path even when the package is imported from a zip.
    with resources.as_file(resource) as path:
        return read_image(path)
