"""Fuzz clearsight.metrics.ssim (and ms_ssim): pairs of images, data_range, crop_border, y_channel, full.

Invariants: refusals name an argument; the mean SSIM is a finite float in
[-1, 1] (1 when the images are equal); with full=True the map has shape
(H - 10) x (W - 10) (x C) and its mean is the value; compiled backends (when
present) agree with the NumPy reference to 1e-9.
"""

import fuzzlib
import numpy as np
from fuzz_psnr import pair
from fuzzlib import Draw, compare_with_reference

from clearsight import metrics

NAMES = ("reference", "test", "data_range", "crop_border", "y_channel", "full", "threads", "backend", "dtype",
         "shape", "image")


def test_one_input(data: bytes) -> None:
    d = Draw(data)
    reference, test = pair(d, 28, min_side=d.pick([1, 11]))
    full = d.chance(48)
    kwargs = dict(data_range=None if d.chance(160) else d.number(0.1, 70000.0),
                  crop_border=d.int(0, 3) if d.chance(240) else d.pick([-1, 1.5, 100]),
                  y_channel=d.chance(48), full=full, threads=d.threads())
    if d.chance(8) and reference.ndim >= 2 and test.ndim >= 2:
        # ms_ssim needs 176 pixels a side: the small pair tiled up (the only
        # way this harness reaches its compiled kernel), one input in 32.
        side = (176 + d.int(0, 24), 176 + d.int(0, 24))

        def tiled(x: np.ndarray) -> np.ndarray:
            reps = [-(-side[0] // max(x.shape[0], 1)), -(-side[1] // max(x.shape[1], 1))] + [1] * (x.ndim - 2)
            return np.tile(x, reps)[: side[0], : side[1]]

        del kwargs["full"]
        ok, value = compare_with_reference(metrics.ms_ssim, NAMES, lambda ref: 1e-9, tiled(reference), tiled(test),
                                           **kwargs)
        if ok:
            assert isinstance(value, float) and np.isfinite(value) and value <= 1.0 + 1e-12, f"ms_ssim {value!r}"
        return
    if full:
        ok, result = fuzzlib.call(metrics.ssim, NAMES, reference, test, **kwargs)
        if not ok:
            return
        value, ssim_map = result
        assert ssim_map.dtype == np.float64 and ssim_map.shape[:2] == (
            reference.shape[0] - 2 * kwargs["crop_border"] - 10, reference.shape[1] - 2 * kwargs["crop_border"] - 10
        ), f"ssim map {ssim_map.shape} for {reference.shape}"
        assert abs(float(ssim_map.mean()) - value) <= 1e-12, "ssim is not the mean of its map"
    else:
        ok, value = compare_with_reference(metrics.ssim, NAMES, lambda ref: 1e-9, reference, test, **kwargs)
        if not ok:
            return
    assert isinstance(value, float) and np.isfinite(value), f"ssim {value!r}"
    assert -1.0 - 1e-12 <= value <= 1.0 + 1e-12, f"ssim {value} outside [-1, 1]"
    if reference.shape == test.shape and np.array_equal(reference, test):
        assert abs(value - 1.0) <= 1e-12, f"ssim of equal images is {value}"


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
