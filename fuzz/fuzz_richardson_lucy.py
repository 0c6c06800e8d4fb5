"""Fuzz clearsight.richardson_lucy (plain and Biggs-accelerated, every boundary).

Invariants: refusals name an argument; a result has the input's shape and
dtype, is finite, and is within the docstring's bound of the NumPy reference:
4 (n + 1) log2(NH NW) eps max|x| (n iterations, NH x NW the FFT grid, bounded
here by 2 (H + 2 kh) x 2 (W + 2 kw); eps of the working precision), plus one
level for integer output.
"""

import math

import fuzzlib
import numpy as np
from fuzzlib import Draw, check_array, compare_with_reference

import clearsight
from clearsight.reference.richardson_lucy import zero_boundary_gain

NAMES = ("image", "psf", "iterations", "acceleration", "boundary", "clip", "luminance_only", "threads", "backend")


def fft_tolerance(image, psf, iterations, ref, boundary=None) -> float:
    h, w = image.shape[:2]
    kh, kw = np.shape(psf)[:2]
    grid = 4.0 * (h + 2 * kh) * (w + 2 * kw)
    eps = 2.0**-53 if image.dtype == np.float64 else 2.0**-24
    scale = max(1.0, float(np.max(np.abs(ref.astype(np.float64)), initial=0.0)))
    if ref.dtype.kind == "u":
        scale = 1.0
    bound = 4 * (iterations + 1) * math.log2(grid) * eps * scale
    if boundary == "zero":
        # The documented zero-boundary factor 1/min(A·1) of each channel's PSF:
        # border pixels that only weak taps reach (the coverage run's mutations
        # found a PSF whose far taps are 5e-9: gain 4.7e5, difference 0.038).
        planes = np.asarray(psf, dtype=np.float64).reshape(kh, kw, -1).transpose(2, 0, 1)
        bound *= max((zero_boundary_gain(p / p.sum(), (h, w)) for p in planes if p.sum() > 0), default=1.0)
    return math.floor(1 + np.iinfo(ref.dtype).max * bound) if ref.dtype.kind == "u" else bound


def test_one_input(data: bytes) -> None:
    d = Draw(data)
    image = d.image(20, finite=False)
    psf = d.psf(7)
    iterations = d.int(1, 8) if d.chance(240) else d.pick([0, -1, None, 2.0, 10**7])
    kwargs = dict(acceleration=d.pick(["none", "biggs", "fast"]),
                  boundary=d.pick(["reflect", "periodic", "taper", "zero", "wrap"]),
                  clip=d.pick([True, False]), luminance_only=d.chance(24), threads=d.threads())
    n = iterations if isinstance(iterations, int) and iterations > 0 else 30
    if kwargs["luminance_only"]:
        ok, out = fuzzlib.call(clearsight.richardson_lucy, NAMES, image, psf, iterations, **kwargs)
    else:
        ok, out = compare_with_reference(clearsight.richardson_lucy, NAMES,
                                         lambda ref: fft_tolerance(image, psf, n, ref, kwargs["boundary"]),
                                         image, psf, iterations, **kwargs)
    if ok:
        check_array(out, image.shape, image.dtype, finite=True, what="richardson_lucy")


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
