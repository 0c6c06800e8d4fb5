"""Fuzz clearsight.denoise_tv (separate and joint channels).

Invariants: refusals name an argument; a result has the input's shape and
dtype, is finite, and is within the docstring's tolerance of the NumPy
reference: 1e-12 max(1, max|image|) for float64 work, 4 passes 2**-23
max(1, max|image|) for float32 (plus one level for integer output).
"""

import math

import fuzzlib
import numpy as np
from fuzzlib import Draw, check_array, compare_with_reference

import clearsight

NAMES = ("image", "weight", "eps", "max_iterations", "channels", "luminance_only", "threads", "backend")


def test_one_input(data: bytes) -> None:
    d = Draw(data)
    image = d.image(20, finite=False)
    passes = d.int(1, 20) if d.chance(240) else d.pick([0, -1, 2.5, None])
    kwargs = dict(weight=d.number(0.0, 0.5), eps=d.number(1e-6, 1e-2) if d.chance(240) else d.pick([0.0, -1.0]),
                  max_iterations=passes, channels=d.pick(["separate", "joint", "together"]),
                  luminance_only=d.chance(24), threads=d.threads())

    def tolerance(ref):
        scale = 1.0 if ref.dtype.kind == "u" else max(1.0, float(np.max(np.abs(ref.astype(float)), initial=0)))
        unit = 1e-12 if image.dtype == np.float64 else 4 * passes * 2.0**-23
        bound = unit * scale
        return math.floor(1 + np.iinfo(ref.dtype).max * bound) if ref.dtype.kind == "u" else bound

    if kwargs["luminance_only"]:
        ok, out = fuzzlib.call(clearsight.denoise_tv, NAMES, image, **kwargs)
    else:
        ok, out = compare_with_reference(clearsight.denoise_tv, NAMES, tolerance, image, **kwargs)
    if ok:
        check_array(out, image.shape, image.dtype, finite=True, what="denoise_tv")


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
