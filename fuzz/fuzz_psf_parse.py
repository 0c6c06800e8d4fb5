"""Fuzz clearsight.psf.parse, the CLI's PSF spec parser ("gaussian:2", "motion:9,45", ...).

The spec is the fuzzer's bytes as text, often behind a valid kind so the
numbers are explored. Invariants: refusals are ValueError naming the psf
(FileNotFoundError for a spec that is a path to nothing, TypeError never for
a str); a PSF is a 2-D float64 array, non-negative, finite, summing to 1,
of the requested size when one was given (may be even), else odd-sized.
"""

import math
import os
import tempfile

import fuzzlib
import numpy as np
from fuzzlib import Draw

from clearsight import psf as cs_psf

# Paths in specs resolve in an empty folder, never in the source tree.
os.chdir(tempfile.mkdtemp(prefix="clearsight-fuzz-psf-"))


def test_one_input(data: bytes) -> None:
    d = Draw(data)
    kind = d.pick(["gaussian:", "motion:", "disk:", "GAUSSIAN : ", "", "c:/", "x:"])
    body = d.fdp.ConsumeUnicodeNoSurrogates(d.int(0, 40)) if d.chance(96) else ",".join(
        d.pick(["1", "2.5", "0", "-1", "1e9", "nan", "inf", "9", "45", "7", "1e-9", "3.0", " 5 ", "", "0x10", "1_0"])
        for _ in range(d.int(0, 4)))
    spec = kind + body
    try:
        kernel = cs_psf.parse(spec)
    except FileNotFoundError:
        return
    except ValueError as error:
        assert "psf" in str(error) or spec in str(error), f"message does not name the psf: {error}"
        return
    assert isinstance(kernel, np.ndarray) and kernel.ndim == 2 and kernel.dtype == np.float64, \
        f"{spec!r}: {type(kernel).__name__} {getattr(kernel, 'shape', '')} {getattr(kernel, 'dtype', '')}"
    assert np.all(np.isfinite(kernel)) and kernel.min() >= 0, f"{spec!r}: bad values"
    assert math.isclose(kernel.sum(), 1.0, rel_tol=1e-9), f"{spec!r}: sums to {kernel.sum()}"
    parts = spec.partition(":")[2].split(",")
    wants_size = {"gaussian": 2, "disk": 2, "motion": 3}.get(spec.partition(":")[0].strip().lower())
    if wants_size and len(parts) == wants_size:  # an explicit size, which may be even
        assert kernel.shape == (int(parts[-1]),) * 2, f"{spec!r}: shape {kernel.shape}"
    else:  # the default sizes are odd
        assert kernel.shape[0] % 2 == 1 and kernel.shape[1] % 2 == 1, f"{spec!r}: even shape {kernel.shape}"


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
