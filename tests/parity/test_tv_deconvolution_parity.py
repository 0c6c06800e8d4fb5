"""Parity of the compiled TV / hyper-Laplacian plan with the NumPy reference.

``clearsight._core.TVDeconvolutionPlan`` against
``clearsight.reference.tv_deconvolution.TVDeconvolutionPlan`` (float64).

How it is tested, and why this way:

* The shrinkage is float64 in both backends, so ``TVDeconvolutionPlan.shrink``
  must equal the reference's ``shrink`` to a few ulps for every α branch
  (soft threshold, α = 2, the closed forms for 1/2 and 2/3, bisection).
* float64 planes: max |cpp - reference| <= 1e-9. The FFT round-off is
  ~1e-14 here; a gradient within 1e-14 of a threshold of α < 1 (where the
  shrinkage jumps) is too unlikely on random data to be met by the draws.
* float32 planes: the FFT work is float32, so gradients carry ~1e-7 relative
  round-off and for α < 1 a gradient near a threshold can land on the other
  side of the jump: a pointwise bound would be wrong. We bound the *mean*
  difference by the door's stated tolerance ``4 (n + 1) log2(NH NW) ε32
  max|x|`` and require the cpp result to be within 50 dB PSNR of the
  reference (RMS difference <= 0.32 % of the signal's range) — a flipped
  pixel changes a few neighbours by at most its jump, which these allow,
  while a wrong formula or schedule does not pass either.
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

reference = importlib.import_module("clearsight.reference.tv_deconvolution")
core = pytest.importorskip("clearsight._core") if "cpp" in clearsight.backends() else None
pytestmark = pytest.mark.skipif(
    core is None or not hasattr(core, "TVDeconvolutionPlan"), reason="compiled TVDeconvolutionPlan not available"
)

DTYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.float32), np.dtype(np.float64))
ALPHAS = (1.0, 2.0, 0.5, 2.0 / 3.0, 0.8, 1.3)
EXAMPLES = int(os.environ.get("CLEARSIGHT_PARITY_EXAMPLES", "200")) // 2
SETTINGS = settings(deadline=None, max_examples=EXAMPLES, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def to_unit(plane: np.ndarray) -> np.ndarray:
    if plane.dtype.kind == "u":
        return plane.astype(np.float64) / np.iinfo(plane.dtype).max
    return plane.astype(np.float64)


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("beta", [1.0, 2.83, 8.0, 64.0, 256.0])
def test_shrink_matches_reference(alpha, beta):
    v = np.concatenate([np.linspace(-3, 3, 2001), np.geomspace(1e-6, 2, 500)])
    expected = reference.shrink(v, beta, alpha)
    got = np.array([core.TVDeconvolutionPlan.shrink(float(x), beta, alpha) for x in v])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


@st.composite
def cases(draw):
    rows = draw(st.integers(1, 60))
    cols = draw(st.integers(1, 60))
    return dict(
        rows=rows, cols=cols,
        psf=draw(psfs(max_side=min(rows, cols, 7))),
        dtype=draw(st.sampled_from(DTYPES)),
        boundary=draw(st.sampled_from(reference.TV_BOUNDARIES)),
        alpha=draw(st.sampled_from(ALPHAS)),
        weight=draw(st.floats(1e-4, 0.1)),
        iterations=draw(st.integers(0, 10)),
        clip=draw(st.booleans()),
        layout=draw(st.sampled_from(LAYOUTS)),
        out_layout=draw(st.sampled_from(LAYOUTS)),
        threads=draw(st.integers(1, 4)),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


@SETTINGS
@given(cases())
def test_cpp_matches_reference(case):
    rng = np.random.default_rng(case["seed"])
    psf = case["psf"]
    values = rng.random((case["rows"], case["cols"]))
    dtype = case["dtype"]
    plane = np.round(values * np.iinfo(dtype).max).astype(dtype) if dtype.kind == "u" else values.astype(dtype)
    double = dtype == np.float64
    shape = plane.shape
    args = (case["weight"], case["alpha"], case["iterations"])
    expected = reference.TVDeconvolutionPlan(psf, shape, case["boundary"], double).deconvolve(to_unit(plane), *args)
    ours = core.TVDeconvolutionPlan(psf, shape, case["boundary"], double, case["threads"])
    out = lay_out(np.zeros_like(plane), case["out_layout"])[0]
    ours.apply(lay_out(plane, case["layout"])[0], out, *args, case["clip"], case["threads"])
    if dtype.kind == "u" or case["clip"]:
        expected = np.clip(expected, 0, 1)
    got = to_unit(out) if dtype.kind == "u" else out.astype(np.float64)
    scale = max(float(np.max(np.abs(expected))), 1e-30)
    if double:
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9 * scale)
        return
    rows, cols = ours.padded_shape
    bound = 4 * (case["iterations"] + 1) * max(np.log2(rows * cols), 1.0) * np.finfo(np.float32).eps * scale
    if dtype.kind == "u":
        bound += 0.5 / np.iinfo(dtype).max  # the output's own rounding
    difference = np.abs(got - expected)
    assert difference.mean() <= bound
    assert np.sqrt(np.mean(difference**2)) <= 10 ** (-50 / 20) * max(scale, 1.0)
