"""Parity of the Wiener backends with the NumPy reference (the specification).

- ``cpp`` (``clearsight._core``) against ``clearsight.reference.wiener`` within
  the tolerance the :class:`clearsight.Deconvolver` docstring states:
  float64 frames 1e-9; float32 frames ``2e-5 * (1 + 1 / sqrt(balance))``, max
  abs on images in [0, 1]; integer frames ``floor(1 + max * tol32)`` grey levels
  (1 for uint8).
- ``numpy`` (the public door over ``clearsight.reference.WienerPlan``) equal to
  ``clearsight.reference.wiener`` exactly.

The memory layouts and the documented tolerance come from
:mod:`clearsight.testing`, the kit users test their own code with; the last
test here runs the kit's own strategies and check end to end.

Hypothesis draws shapes (1×1 to 300×300), dtypes, channel counts, memory
layouts of the input and of ``out`` (negative steps, Fortran order, strided
channel slices of a bigger array, transposes), PSF sizes up to the image size
(shared or one per colour channel), balances (log-uniform 1e-4..10), both
regularizers, all three boundaries, clip on and off, and thread counts.
``hypothesis.target`` steers the search towards the largest error/tolerance.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings, target
from hypothesis import strategies as st

import clearsight
from clearsight import reference
from clearsight.testing import (
    AWKWARD_SIDES,
    LAYOUTS,
    PIXEL_DTYPES,
    TOLERANCES,
    assert_matches_reference,
    images,
    lay_out,
    psfs,
)

DTYPES = PIXEL_DTYPES
SIDES = AWKWARD_SIDES + (293, 299, 300)

# Examples per run: tests/parity takes ~10 s on 2 cores, ~27 s with the slow
# long hunt (5x). Raise with CLEARSIGHT_PARITY_EXAMPLES for a longer hunt.
EXAMPLES = int(os.environ.get("CLEARSIGHT_PARITY_EXAMPLES", "200"))
SETTINGS = settings(
    deadline=None,
    max_examples=EXAMPLES,
    database=None,  # nothing written into the source tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

needs_cpp = pytest.mark.skipif("cpp" not in clearsight.backends(), reason="clearsight._core is not importable")


@dataclasses.dataclass(frozen=True)
class Case:
    height: int
    width: int
    channels: int | None  # None: a 2-D image
    dtype: np.dtype
    psf_height: int
    psf_width: int
    per_channel_psf: bool
    psf_kind: str
    image_kind: str
    balance: float
    regularizer: str
    boundary: str
    clip: bool
    layout: str
    out_layout: str | None  # None: let the library allocate `out`
    threads: int | None
    seed: int

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.height, self.width) if self.channels is None else (self.height, self.width, self.channels)

    @property
    def colour(self) -> int:
        channels = self.channels or 1
        return channels - 1 if channels in (2, 4) else channels


@st.composite
def psf_side(draw: st.DrawFn, n: int) -> int:
    return draw(st.one_of(st.integers(1, min(n, 25)), st.integers(1, n), st.just(n)))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    side = st.one_of(st.integers(1, 300), st.sampled_from(SIDES))
    height, width = draw(side), draw(side)
    channels = draw(st.sampled_from([None, 1, 2, 3, 4]))
    return Case(
        height=height,
        width=width,
        channels=channels,
        dtype=draw(st.sampled_from(DTYPES)),
        psf_height=draw(psf_side(height)),
        psf_width=draw(psf_side(width)),
        per_channel_psf=draw(st.booleans()),
        psf_kind=draw(st.sampled_from(["uniform", "sparse", "peaked", "delta"])),
        image_kind=draw(st.sampled_from(["uniform", "uniform", "binary", "constant"])),
        balance=10.0 ** draw(st.floats(-4.0, 1.0)),
        regularizer=draw(st.sampled_from(["identity", "laplacian"])),
        boundary=draw(st.sampled_from(["reflect", "periodic", "taper"])),
        clip=draw(st.booleans()),
        layout=draw(st.sampled_from(LAYOUTS)),
        out_layout=draw(st.sampled_from((None,) + LAYOUTS)),
        threads=draw(st.sampled_from([None, 1, 2, 3])),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


def make_image(case: Case, rng: np.random.Generator) -> np.ndarray:
    if case.image_kind == "uniform":
        unit = rng.random(case.shape)
    elif case.image_kind == "binary":
        unit = (rng.random(case.shape) < 0.5).astype(np.float64)
    else:
        unit = np.full(case.shape, rng.random())
    if case.dtype.kind == "u":
        top = np.iinfo(case.dtype).max
        return np.floor(unit * top + 0.5).astype(case.dtype)
    return unit.astype(case.dtype)


def make_psf(case: Case, rng: np.random.Generator) -> np.ndarray:
    planes = case.colour if case.per_channel_psf else 1
    size = (case.psf_height, case.psf_width, planes)
    if case.psf_kind == "uniform":
        psf = rng.random(size)
    elif case.psf_kind == "sparse":
        psf = rng.random(size) * (rng.random(size) < 0.2)
    elif case.psf_kind == "peaked":
        psf = rng.random(size) ** 8
    else:  # a delta, anywhere in the PSF's box: a pure shift
        psf = np.zeros(size)
        for p in range(planes):
            psf[rng.integers(case.psf_height), rng.integers(case.psf_width), p] = 1.0
    for p in range(planes):  # every plane must have a positive sum
        if psf[..., p].sum() <= 0:
            psf[case.psf_height // 2, case.psf_width // 2, p] = 1.0
    return psf if case.per_channel_psf else psf[..., 0]


def tolerance(case: Case, image: np.ndarray, psf: np.ndarray) -> float:
    """The documented tolerance of the cpp backend (grey levels for integers)."""
    arguments = {"image": image, "psf": psf, "balance": case.balance, "regularizer": case.regularizer,
                 "boundary": case.boundary}
    return TOLERANCES["wiener"](case.dtype, arguments)


def run_public(case: Case, image: np.ndarray, psf: np.ndarray, backend: str) -> np.ndarray:
    """Run the public door on `image` (laid out as case.layout), writing into an `out` laid out as
    case.out_layout when there is one; check that nothing outside `out`'s view and nothing of
    the input was touched."""
    view, _, _ = lay_out(image, case.layout, 0)
    options = dict(
        regularizer=case.regularizer, boundary=case.boundary, clip=case.clip, threads=case.threads, backend=backend
    )
    if case.out_layout is None:
        result = clearsight.wiener(view, psf, case.balance, **options)
    else:
        fill = 123 if case.dtype.kind == "u" else 1234.5
        out, base, select = lay_out(np.zeros(case.shape, case.dtype), case.out_layout, fill)
        deconvolve = clearsight.Deconvolver(psf, case.shape, balance=case.balance, dtype=case.dtype, **options)
        result = deconvolve(view, out=out)
        assert result is out
        untouched = base.copy()
        select(untouched)[...] = fill
        assert np.all(untouched == fill), "the call wrote outside `out`"
    assert np.array_equal(view, image), "the call modified its input"
    assert result.shape == image.shape and result.dtype == image.dtype
    return result


def describe(case: Case, error: float, limit: float) -> str:
    return f"max abs error {error:.3g} > tolerance {limit:.3g} (ratio {error / limit:.3g}) for {case}"


# The worst float32 case found while writing this test (it broke the first
# statement of the tolerance, 1e-5 / balance for laplacian, which the docstring
# no longer makes): a constant image (0.637), a random PSF as large as the
# image, periodic boundary, balance 10: max abs error 1.1e-5, against today's
# 2e-5 * (1 + 1/sqrt(10)) = 2.6e-5. With balance 1 the same case gives 2.0e-5. The float32 FFT's rounding noise is amplified by the
# filter's gain near DC, where |H| is small and the Laplacian's |R|^2 is tiny,
# so the error does not shrink as 1 / balance: on every violation seen it was
# 0.5-0.95 x 2**-24 x max|filter| (here max|filter| = 338, not ~1/balance).
# Hypothesis finds others of the same family on its own, e.g. 51x239 uniform
# image, PSF 51x239, balance 1: 1.05e-5 > 1e-5; 137x1, PSF 137x1, balance 10:
# 1.43e-6 > 1e-6 (both laplacian, periodic, float32).
VIOLATION = Case(
    height=299, width=293, channels=None, dtype=np.dtype(np.float32), psf_height=299, psf_width=293,
    per_channel_psf=False, psf_kind="uniform", image_kind="constant", balance=10.0, regularizer="laplacian",
    boundary="periodic", clip=False, layout="c", out_layout=None, threads=1, seed=0,
)  # fmt: skip


@needs_cpp
@SETTINGS
@given(case=cases())
@example(
    case=Case(1, 1, None, np.dtype(np.float64), 1, 1, False, "uniform", "uniform", 1e-4, "identity",
              "reflect", False, "c", None, 1, 0)
)  # fmt: skip
@example(
    case=Case(300, 300, 4, np.dtype(np.uint8), 300, 300, True, "uniform", "uniform", 0.01, "laplacian",
              "taper", True, "channel_slice", "flip", 2, 1)
)  # fmt: skip
@example(
    case=Case(257, 211, 3, np.dtype(np.float32), 17, 16, True, "sparse", "binary", 1e-4, "identity",
              "reflect", False, "step_cols", "fortran", 3, 2)
)  # fmt: skip
@example(case=VIOLATION)
# Found by the long hunt in a clean-clone CI run: the Laplacian filter's peak
# (828) amplifies float32 round-off beyond 2e-5 (1 + 1/sqrt(balance)): 4 uint16
# levels against the 3 that bound allowed; the tolerance now has 2**-22 max|W|.
@example(case=Case(277, 293, None, np.dtype(np.uint16), 277, 293, False, "uniform", "constant", 1.0, "laplacian",
                   "periodic", False, "c", None, None, 7521))
def test_cpp_matches_reference(case: Case) -> None:
    check_cpp(case)


def check_cpp(case: Case) -> None:
    rng = np.random.default_rng(case.seed)
    image, psf = make_image(case, rng), make_psf(case, rng)
    got = run_public(case, image, psf, "cpp")
    expected = reference.wiener(image, psf, case.balance, case.regularizer, case.boundary, case.clip)
    if case.dtype.kind == "u":
        error = float(np.abs(got.astype(np.int64) - expected.astype(np.int64)).max())
    else:
        error = float(np.abs(got.astype(np.float64) - expected.astype(np.float64)).max())
    limit = tolerance(case, image, psf)
    target(error / limit, label="error / documented tolerance")
    assert error <= limit, describe(case, error, limit)
    if case.channels in (2, 4):  # alpha passes through bitwise
        assert np.array_equal(got[..., -1], image[..., -1])
    if case.clip or case.dtype.kind == "u":
        assert got.min() >= 0 and got.max() <= (np.iinfo(case.dtype).max if case.dtype.kind == "u" else 1)


@SETTINGS
@given(case=cases())
def test_numpy_backend_equals_reference_exactly(case: Case) -> None:
    rng = np.random.default_rng(case.seed)
    image, psf = make_image(case, rng), make_psf(case, rng)
    got = run_public(case, image, psf, "numpy")
    expected = reference.wiener(image, psf, case.balance, case.regularizer, case.boundary, case.clip)
    assert np.array_equal(got, expected), f"numpy backend differs from the reference for {case}"


@needs_cpp
@pytest.mark.slow
@settings(SETTINGS, max_examples=5 * EXAMPLES)
@given(case=cases())
def test_cpp_matches_reference_long_hunt(case: Case) -> None:
    check_cpp(case)


@SETTINGS
@given(image=images(min_side=9, max_side=80), psf=psfs(max_side=9), balance=st.sampled_from([1e-3, 0.01, 0.3, "auto"]),
       boundary=st.sampled_from(["reflect", "periodic", "taper"]))
def test_with_the_testing_kit(image, psf, balance, boundary) -> None:
    differences = assert_matches_reference(clearsight.wiener, image, psf, balance, boundary=boundary)
    assert differences["numpy"] == 0.0 and set(differences) == set(clearsight.backends())
