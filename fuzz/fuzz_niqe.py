"""Fuzz clearsight.naturalness.niqe (images of at least 96 x 96, every dtype and channel count).

Invariants: refusals name an argument; the score is a finite float, and the
same for the same pixels in any memory layout.
"""

import fuzzlib
import numpy as np
from fuzzlib import Draw

from clearsight.naturalness import niqe

NAMES = ("image",)


def test_one_input(data: bytes) -> None:
    d = Draw(data)
    image = d.image(112, min_side=d.pick([1, 90, 96, 96]), finite=False)
    if image.dtype.kind == "f" and d.chance(16):
        image = image * 2.0 - 0.5  # out of [0, 1]: must be refused
    ok, value = fuzzlib.call(niqe, NAMES, image)
    if not ok:
        return
    assert isinstance(value, float) and np.isfinite(value), f"niqe {value!r}"
    again = niqe(np.ascontiguousarray(image))
    assert again == value, f"niqe depends on the memory layout: {again} vs {value}"


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
