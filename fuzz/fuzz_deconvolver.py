"""Fuzz clearsight.Deconvolver: planning, then frames (with and without `out`, in place).

Invariants: refusals name an argument; a frame's result has the plan's shape
and dtype, is finite, equals a second call on the same frame bit for bit
(no state leaks between calls), equals the in-place result, and is within the
Wiener tolerance of the NumPy backend's Deconvolver.
"""

import fuzzlib
import numpy as np
from fuzzlib import Draw, check_array, cs_testing

import clearsight

NAMES = ("psf", "shape", "balance", "regularizer", "boundary", "dtype", "clip", "threads", "backend", "image", "out")


def test_one_input(data: bytes) -> None:
    d = Draw(data)
    frame = d.image(20, finite=False)
    shape = frame.shape if d.chance(224) else d.pick([(0, 3), (4,), (3, 3, 7), (2.5, 3), "3x3", (-1, 4)])
    psf = d.psf(7)
    balance = d.number(1e-4, 0.5)
    kwargs = dict(balance=balance, regularizer=d.pick(["identity", "laplacian", "x"]),
                  boundary=d.pick(["reflect", "periodic", "taper"]),
                  dtype=frame.dtype if d.chance(224) else d.dtype(), clip=d.pick([True, False]), threads=d.threads())
    plans = {}
    for backend in clearsight.backends():
        ok, plan = fuzzlib.call(clearsight.Deconvolver, NAMES, psf, shape, backend=backend, **kwargs)
        plans[backend] = plan if ok else None
    assert len({p is None for p in plans.values()}) == 1, f"backends disagree on planning: {plans}"
    if plans["numpy"] is None:
        return
    results, errors = {}, {}
    for backend, plan in plans.items():
        ok, out = fuzzlib.call(plan, NAMES, frame)
        if not ok:
            results[backend], errors[backend] = None, out
            continue
        check_array(out, plan.shape, plan.dtype, finite=True, what=f"Deconvolver[{backend}]")
        again = plan(frame)
        assert np.array_equal(out, again), f"Deconvolver[{backend}]: two calls on one frame differ"
        if frame.flags.writeable and d.chance(64):
            # `out` must be the plan's own (native) dtype; a byte-swapped frame is converted on input only.
            copy = np.array(frame, dtype=frame.dtype.newbyteorder("="))
            plan(copy, out=copy)
            assert np.array_equal(copy, out), f"Deconvolver[{backend}]: in-place result differs"
        results[backend] = out
    assert len({r is None for r in results.values()}) == 1, f"backends disagree on refusing the frame: {errors}"
    in_domain = frame.dtype.kind != "f" or not frame.size or (frame.min() >= 0.0 and frame.max() <= 1.0)
    if "cpp" in results and results["cpp"] is not None and in_domain:  # the tolerance is for [0, 1] images
        ref = results["numpy"]
        limit = cs_testing.TOLERANCES["wiener"](ref.dtype, {"balance": balance})
        error = float(np.max(np.abs(results["cpp"].astype(float) - ref.astype(float))))
        assert error <= limit, f"Deconvolver cpp vs numpy: {error:.3g} > {limit:.3g}"


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
