"""Fuzz the colour conversions: clearsight.rgb_to_ycbcr, ycbcr_to_rgb and rgb_to_y.

Their compiled entry points were the only ones of csrc/ that the replayed
corpora never reached (docs/reliability.md, coverage), so they get a door
harness of their own. Invariants: refusals name an argument; every backend
equals the NumPy reference bit for bit (TOLERANCES: exact); the output has
the documented shape and the input's dtype, finite for finite input; alpha
passes through unchanged.
"""

import fuzzlib
import numpy as np
from fuzzlib import Draw, compare_with_reference

import clearsight

NAMES = ("image", "clip", "threads", "backend")


def test_one_input(data: bytes) -> None:
    d = Draw(data)
    image = d.image(24, channels=(3, 4, 3, 4, 1, None), finite=not d.chance(32))
    which = d.pick([clearsight.rgb_to_ycbcr, clearsight.ycbcr_to_rgb, clearsight.rgb_to_y])
    kwargs = {"threads": d.threads()}
    if which is clearsight.ycbcr_to_rgb and d.chance(128):
        kwargs["clip"] = d.pick([True, False, 0])
    ok, out = compare_with_reference(which, NAMES, lambda ref: 0.0, image, **kwargs)
    if not ok:
        return
    shape = image.shape[:2] if which is clearsight.rgb_to_y else image.shape
    fuzzlib.check_array(out, shape, image.dtype, finite=fuzzlib.is_finite(image), what=which.__name__)
    if which is not clearsight.rgb_to_y and image.shape[2] == 4:
        assert np.array_equal(out[..., 3], image[..., 3], equal_nan=True), f"{which.__name__} changed alpha"


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
