"""Fuzz clearsight.estimate_noise (and sharpness, its sibling measurement).

Invariants: refusals name an argument; estimate_noise equals the NumPy
reference bit for bit and is finite and >= 0 (a float, or one value per
colour channel with average=False); sharpness is within
clearsight.testing.TOLERANCES["sharpness"] of the reference.
"""

import fuzzlib
import numpy as np
from fuzzlib import Draw, compare_with_reference, cs_testing

import clearsight

NAMES = ("image", "average", "threads", "backend")


def test_one_input(data: bytes) -> None:
    d = Draw(data)
    image = d.image(32, finite=False)
    threads = d.threads()
    if d.chance(64):
        arguments = dict(image=image)
        ok, value = compare_with_reference(
            clearsight.sharpness, NAMES, lambda ref: cs_testing.TOLERANCES["sharpness"](np.dtype(float), arguments),
            image, threads=threads)
        if ok:
            assert np.isfinite(value) and value >= 0, f"sharpness {value}"
        return
    average = d.pick([True, False, True, 0])
    ok, value = compare_with_reference(clearsight.estimate_noise, NAMES, lambda ref: 0.0, image,
                                       average=average, threads=threads)
    if ok:
        values = np.atleast_1d(np.asarray(value, dtype=np.float64))
        assert np.all(np.isfinite(values)) and np.all(values >= 0), f"estimate_noise {value}"


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
