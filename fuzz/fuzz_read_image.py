"""Fuzz clearsight.io.read_image, the CLI's image loader, with arbitrary file contents.

The first byte picks the file name's suffix, the rest is the file. Seeds
(fuzz/make_corpora.py) are small valid images of every mode Pillow writes,
so mutations explore corrupt headers and pixel data. Invariants: a refusal
is a ValueError naming the file; an image is H x W (x 2, 3 or 4) uint8 or
uint16, C-contiguous, no larger than clearsight.io.MAX_PIXELS.
"""

import os
import tempfile
import warnings

import fuzzlib
import numpy as np
from fuzzlib import Draw

from clearsight import io as cs_io

SUFFIXES = (".png", ".tif", ".gif", ".bmp", ".jpg", ".ppm", ".webp", ".ico", ".tga", ".dat")
FOLDER = tempfile.mkdtemp(prefix="clearsight-fuzz-image-")
warnings.simplefilter("ignore")  # Pillow's warnings about odd files are not findings


def test_one_input(data: bytes) -> None:
    d = Draw(data[:1])
    suffix = d.pick(SUFFIXES) if data else ".png"
    path = os.path.join(FOLDER, "input" + suffix)
    with open(path, "wb") as fh:
        fh.write(data[1:])
    try:
        image = cs_io.read_image(path)
    except ValueError as error:
        assert path in str(error), f"message does not name the file: {error}"
        return
    assert isinstance(image, np.ndarray), type(image)
    assert image.dtype in (np.uint8, np.uint16), image.dtype
    assert image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (2, 3, 4)), image.shape
    assert image.size > 0 and image.shape[0] * image.shape[1] <= cs_io.MAX_PIXELS, image.shape


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
