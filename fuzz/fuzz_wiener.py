"""Fuzz clearsight.wiener: shapes, dtypes, layouts, PSFs, balance, boundary, threads.

Invariants: refusals are ValueError/TypeError naming an argument; a result has
the input's shape and dtype, is finite, and (luminance_only=False) is within
clearsight.testing.TOLERANCES["wiener"] of the NumPy reference, which must
refuse exactly what the compiled backend refuses.
"""

import fuzzlib
from fuzzlib import Draw, check_array, compare_with_reference, cs_testing

import clearsight

NAMES = ("image", "psf", "balance", "regularizer", "boundary", "clip", "luminance_only", "threads", "backend")


def test_one_input(data: bytes) -> None:
    d = Draw(data)
    image = d.image(24, finite=False)
    psf = d.psf(9)
    balance = d.pick(["auto", d.number(1e-6, 1.0)]) if d.chance(32) else d.number(1e-4, 0.5)
    kwargs = dict(
        regularizer=d.pick(["identity", "laplacian", "Identity", ""]),
        boundary=d.pick(["reflect", "periodic", "taper", "zero"]),
        clip=d.pick([True, False, True, 1]),
        luminance_only=d.chance(24),
        threads=d.threads(),
    )

    def tolerance(ref):
        return cs_testing.TOLERANCES["wiener"](ref.dtype, {"balance": balance})

    if kwargs["luminance_only"]:
        ok, out = fuzzlib.call(clearsight.wiener, NAMES, image, psf, balance, **kwargs)
    else:
        ok, out = compare_with_reference(clearsight.wiener, NAMES, tolerance, image, psf, balance, **kwargs)
    if ok:
        check_array(out, image.shape, image.dtype, finite=True, what="wiener")


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
