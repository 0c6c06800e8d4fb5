"""Parity of the compiled Richardson–Lucy plan with the NumPy reference.

``clearsight._core.RichardsonLucyPlan`` against
``clearsight.reference.richardson_lucy.RichardsonLucyPlan`` (float64, the
specification) on single planes, with the tolerance the
:func:`clearsight.richardson_lucy` docstring states:

    |cpp - reference| <= 4 (n + 1) log2(NH NW) ε max|reference|

n iterations, NH×NW the FFT grid, ε the working precision's machine epsilon
(float32 for uint8, uint16 and float32 planes, float64 for float64 planes).
Why: each iteration does four FFTs over NH×NW samples, whose rounding error
is O(ε log2(NH NW)) relative to the signal's magnitude (pocketfft's bound),
plus O(ε) elementwise products; RL multiplies the estimate by a correction
close to 1, so these relative errors add up over the iterations rather than
compound. Biggs extrapolation is clamped below 1, and the steps seen here stay
within the same bound. With ``boundary="zero"`` the bound is multiplied by
``zero_boundary_gain(psf, shape)`` = ``1 / min (A 1)``: a border pixel
reached only by weak taps (the kit's peaked PSFs, e.g. taps 0.027 and
2.8e-5) divides by their small sum, which amplifies the round-off there
(found by hypothesis: 4 grey levels of uint16 where the plain bound allowed
one). Integer outputs are compared after the same rounding:
one grey level of difference is allowed where the float values straddle a
rounding boundary.

Hypothesis draws shapes (1×1 to 80×80, 1×N and N×1 included), dtypes, memory
layouts (negative steps, transposes, a channel of an interleaved image),
PSF sizes, all four boundaries, both accelerations, clip and thread counts.
"""

from __future__ import annotations

import importlib
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clearsight
from clearsight.testing import LAYOUTS, lay_out, psfs

reference = importlib.import_module("clearsight.reference.richardson_lucy")
core = pytest.importorskip("clearsight._core") if "cpp" in clearsight.backends() else None
pytestmark = pytest.mark.skipif(
    core is None or not hasattr(core, "RichardsonLucyPlan"), reason="compiled RichardsonLucyPlan not available"
)

DTYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.float32), np.dtype(np.float64))
EXAMPLES = int(os.environ.get("CLEARSIGHT_PARITY_EXAMPLES", "200")) // 2
SETTINGS = settings(deadline=None, max_examples=EXAMPLES, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def tolerance(plan, iterations: int, double: bool, scale: float) -> float:
    eps = np.finfo(np.float64 if double else np.float32).eps
    rows, cols = plan.padded_shape
    return 4.0 * (iterations + 1) * max(np.log2(rows * cols), 1.0) * eps * max(scale, 1e-30)


def to_unit(plane: np.ndarray) -> np.ndarray:
    if plane.dtype.kind == "u":
        return plane.astype(np.float64) / np.iinfo(plane.dtype).max
    return plane.astype(np.float64)


@st.composite
def cases(draw):
    psf = draw(psfs(max_side=9))  # the kit's PSFs: one-sided deltas, sparse taps, motion, ...
    rows = draw(st.integers(psf.shape[0], 80))
    cols = draw(st.integers(psf.shape[1], 80))
    return dict(
        rows=rows, cols=cols, psf=psf,
        dtype=draw(st.sampled_from(DTYPES)),
        boundary=draw(st.sampled_from(reference.RL_BOUNDARIES)),
        acceleration=draw(st.sampled_from(reference.ACCELERATIONS)),
        iterations=draw(st.integers(0, 12)),
        clip=draw(st.booleans()),
        layout=draw(st.sampled_from(LAYOUTS)),
        out_layout=draw(st.sampled_from(LAYOUTS)),
        threads=draw(st.integers(1, 4)),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


def make_inputs(case):
    rng = np.random.default_rng(case["seed"])
    psf = case["psf"]
    values = 0.05 + 0.9 * rng.random((case["rows"], case["cols"]))
    dtype = case["dtype"]
    if dtype.kind == "u":
        plane = np.round(values * np.iinfo(dtype).max).astype(dtype)
    else:
        plane = values.astype(dtype)
    return psf, plane


@SETTINGS
@given(cases())
def test_cpp_matches_reference(case):
    psf, plane = make_inputs(case)
    double = case["dtype"] == np.float64
    shape = plane.shape
    expected = reference.RichardsonLucyPlan(psf, shape, case["boundary"], double).deconvolve(
        to_unit(plane), case["iterations"], case["acceleration"])
    ours = core.RichardsonLucyPlan(psf, shape, case["boundary"], double, case["threads"])
    image = lay_out(plane, case["layout"])[0]
    out = lay_out(np.zeros_like(plane), case["out_layout"])[0]
    ours.apply(image, out, case["iterations"], case["acceleration"], case["clip"], case["threads"])
    tol = tolerance(ours, case["iterations"], double, float(np.max(np.abs(expected))))
    if case["boundary"] == "zero":  # border pixels reached only by weak taps amplify the round-off
        tol *= reference.zero_boundary_gain(psf, shape)
    if case["dtype"].kind == "u":
        top = np.iinfo(case["dtype"]).max
        bounds = (np.clip(expected - tol, 0, 1), np.clip(expected + tol, 0, 1))
        low, high = (np.floor(b * top + 0.5) for b in bounds)
        assert np.all((out >= low) & (out <= high))
    else:
        if case["clip"]:
            expected = np.clip(expected, 0, 1)
        np.testing.assert_allclose(out.astype(np.float64), expected, rtol=0, atol=tol)


@pytest.mark.parametrize("boundary", reference.RL_BOUNDARIES)
@pytest.mark.parametrize("acceleration", reference.ACCELERATIONS)
def test_float64_is_tight_on_a_real_picture(boundary, acceleration):
    rng = np.random.default_rng(1)
    x = np.linspace(0, 1, 61)
    plane = 0.2 + 0.6 * np.outer(np.sin(7 * x) ** 2, np.cos(5 * x) ** 2) + 0.01 * rng.random((61, 61))
    psf = rng.random((7, 5))
    expected = np.empty_like(plane)
    reference.RichardsonLucyPlan(psf, plane.shape, boundary, True).apply(plane, expected, 25, acceleration, False, 1)
    out = np.empty_like(plane)
    core.RichardsonLucyPlan(psf, plane.shape, boundary, True, 2).apply(plane, out, 25, acceleration, False, 2)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
def test_all_zero_data_restores_to_zero(dtype):
    plane = np.zeros((9, 13), dtype)
    out = np.ones_like(plane)
    core.RichardsonLucyPlan(np.ones((3, 3)), plane.shape, "zero", dtype == np.float64).apply(plane, out, 5, "biggs",
                                                                                            False, 1)
    assert np.all(out == 0)


def test_negative_data_is_treated_as_zero():
    rng = np.random.default_rng(2)
    plane = rng.random((20, 30)) - 0.3
    expected = np.empty_like(plane)
    reference.RichardsonLucyPlan(np.ones((3, 3)), plane.shape, "reflect", True).apply(plane, expected, 6, "none",
                                                                                      False, 1)
    out = np.empty_like(plane)
    core.RichardsonLucyPlan(np.ones((3, 3)), plane.shape, "reflect", True).apply(plane, out, 6, "none", False, 1)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)
