"""Fuzz clearsight.unsharp_mask (and gaussian_blur, the blur it is built on).

Invariants: refusals name an argument; results have the input's shape and
dtype and are finite; with threshold 0 and luminance_only False both agree
with the NumPy reference within clearsight.testing.TOLERANCES.
"""

import fuzzlib
from fuzzlib import Draw, check_array, compare_with_reference, cs_testing

import clearsight

NAMES = ("image", "radius", "amount", "threshold", "clip", "luminance_only", "sigma", "truncate", "boundary",
         "threads", "backend")


def test_one_input(data: bytes) -> None:
    d = Draw(data)
    image = d.image(24, finite=False)
    threads = d.threads()
    if d.chance(64):
        sigma, truncate = d.number(0.1, 5.0), d.number(0.5, 6.0) if d.chance(64) else 4.0
        boundary = d.pick(["reflect", "nearest", "periodic", "wrap"])
        arguments = dict(image=image, sigma=sigma, truncate=truncate, boundary=boundary)
        ok, out = compare_with_reference(
            clearsight.gaussian_blur, NAMES,
            lambda ref: cs_testing.TOLERANCES["gaussian_blur"](ref.dtype, arguments),
            image, sigma, truncate=truncate, boundary=boundary, threads=threads)
        what = "gaussian_blur"
    else:
        radius, amount = d.number(0.1, 5.0), d.number(0.0, 3.0)
        threshold = 0.0 if d.chance(192) else d.number(0.0, 0.5)
        luminance_only = d.chance(24)
        kwargs = dict(radius=radius, amount=amount, threshold=threshold, clip=d.pick([True, False]),
                      luminance_only=luminance_only, threads=threads)
        arguments = dict(kwargs, image=image)
        if threshold == 0.0 and not luminance_only:
            ok, out = compare_with_reference(
                clearsight.unsharp_mask, NAMES,
                lambda ref: cs_testing.TOLERANCES["unsharp_mask"](ref.dtype, arguments), image, **kwargs)
        else:
            ok, out = fuzzlib.call(clearsight.unsharp_mask, NAMES, image, **kwargs)
        what = "unsharp_mask"
    if ok:
        check_array(out, image.shape, image.dtype, finite=True, what=what)


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
