"""Fuzz clearsight.resize (every method, antialias, boundary, scale or size).

Invariants: refusals name an argument; a result has the requested size (or
the size the scale gives), the input's channels and dtype, is finite, and
equals the NumPy reference within clearsight.testing.TOLERANCES["resize"]
(every bit, except float32 images on the AVX2 kernel: a float32 rounding
bound).
"""

import fuzzlib
from fuzzlib import Draw, check_array, compare_with_reference, cs_testing

import clearsight

NAMES = ("image", "scale", "size", "method", "antialias", "boundary", "threads", "backend")


def test_one_input(data: bytes) -> None:
    d = Draw(data)
    image = d.image(20, finite=False)
    if d.bool():
        scale = d.number(0.05, 4.0) if d.bool() else (d.number(0.05, 4.0), d.number(0.05, 4.0))
        size = None
    else:
        scale, size = None, (d.int(1, 40), d.int(1, 40)) if d.chance(240) else d.pick([(0, 3), (-2, 2), (3,), 7])
    if d.chance(4):
        scale, size = d.pick([(None, None), (2.0, (3, 3))])
    kwargs = dict(scale=scale, size=size, method=d.pick(["bicubic", "bilinear", "nearest", "area", "lanczos3"]),
                  antialias=d.pick([True, False]), boundary=d.pick(["symmetric", "replicate", "reflect"]),
                  threads=d.threads())
    ok, out = compare_with_reference(
        clearsight.resize, NAMES, lambda ref: cs_testing.TOLERANCES["resize"](ref.dtype, {"image": image, **kwargs}),
        image, **kwargs)
    if ok:
        rows, cols = out.shape[:2]
        if size is not None:
            assert (rows, cols) == tuple(size), f"resize: {out.shape} for size {size}"
        check_array(out, (rows, cols) + image.shape[2:], image.dtype, finite=True, what="resize")


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
