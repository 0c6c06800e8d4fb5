"""Parity of the compiled metric kernels (``clearsight._core``: psnr, ssim, ms_ssim) with the NumPy reference.

Written with the project's testing kit (:mod:`clearsight.testing`): images of
every dtype, layout (Fortran order, negative strides, steps, a channel of an
interleaved image, transposes) and awkward size, compared at the tolerance
the doors document (``TOLERANCES``), with u = 2**-53:

- ``psnr``: 8/16-bit integers exactly (squared differences summed in 64-bit
  integers, the reference's exact total); floats within
  ``10 log10(e) * 2 n u + 1e-13`` dB (the same float64 squares summed in
  another order: relative (n - 1) u per sum of n non-negative terms).
- ``ssim``: the map bit for bit (the same float64 operations in the same
  order, no contraction into FMA); the mean within ``(H + W + 64) 2u`` (the
  same map values summed in another order).
- ``ms_ssim``: the halved images and maps bit for bit; each scale's mean as
  ssim's; checked here at 1e-12 on images whose terms are not near the clamp.

Results do not depend on the thread count at all, and concurrent calls give
the serial results.
"""

from __future__ import annotations

import concurrent.futures
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import clearsight
from clearsight import metrics, reference
from clearsight.testing import TOLERANCES, assert_matches_reference, images, lay_out

pytestmark = pytest.mark.skipif("cpp" not in clearsight.backends(), reason="clearsight._core is not importable")

if "cpp" in clearsight.backends():
    from clearsight import _core
else:  # pragma: no cover
    _core = None

EXAMPLES = int(os.environ.get("CLEARSIGHT_PARITY_EXAMPLES", "100"))
SETTINGS = settings(
    deadline=None,
    max_examples=EXAMPLES,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DTYPES = (np.uint8, np.uint16, np.float32, np.float64)


def _peak(dtype) -> float:
    dtype = np.dtype(dtype)
    return float(np.iinfo(dtype).max) if dtype.kind == "u" else 1.0


def _noisy(image: np.ndarray, seed: int, amount: float = 0.1) -> np.ndarray:
    """`image` plus uniform noise, clipped to its range, in its dtype and layout."""
    rng = np.random.default_rng(seed)
    peak = _peak(image.dtype)
    noisy = np.clip(image.astype(np.float64) + amount * peak * (rng.random(image.shape) - 0.5), 0, peak)
    if image.dtype.kind == "u":
        noisy = np.round(noisy)
    return noisy.astype(image.dtype)


def _same_layout(values: np.ndarray, like: np.ndarray, seed: int) -> np.ndarray:
    layout = ("c", "fortran", "flip", "step_cols", "channel_slice")[seed % 5]
    return lay_out(values, layout)[0]


# ---------------------------------------------------------------------------
# psnr
# ---------------------------------------------------------------------------


@SETTINGS
@given(image=images(max_side=70), seed=st.integers(0, 2**16), crop=st.integers(0, 3))
def test_psnr_matches_reference(image, seed, crop):
    assume(2 * crop < min(image.shape[:2]))
    test = _same_layout(_noisy(image, seed), image, seed)
    expected = metrics.psnr(image, test, crop_border=crop, backend="numpy")
    if math.isinf(expected):  # identical images: inf on every backend
        assert metrics.psnr(image, test, crop_border=crop, backend="cpp") == expected
        return
    assert_matches_reference(metrics.psnr, image, test, crop_border=crop)


@SETTINGS
@given(image=images(min_side=2, max_side=40, channels=(3, 4)), seed=st.integers(0, 2**16))
def test_psnr_y_channel_matches_reference(image, seed):
    test = _noisy(image, seed)
    if math.isinf(metrics.psnr(image, test, y_channel=True, backend="numpy")):
        return
    assert_matches_reference(metrics.psnr, image, test, y_channel=True)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint32, np.float16])
def test_psnr_other_dtypes_match_reference(dtype):
    rng = np.random.default_rng(1)
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    low, high = (int(info.min) // 2, int(info.max) // 2) if info else (0, 1)
    a = rng.uniform(low, high, (37, 41, 3)).astype(dtype)
    b = rng.uniform(low, high, (37, 41, 3)).astype(dtype)
    peak = float(high - low)
    got = metrics.psnr(a, b, data_range=peak, backend="cpp")
    expected = metrics.psnr(a, b, data_range=peak, backend="numpy")
    assert got == pytest.approx(expected, rel=0, abs=TOLERANCES["psnr"](np.dtype(np.float64), {"reference": a}))


@pytest.mark.parametrize("shape", [(1,), (7,), (1, 1), (3, 1, 1, 5), (2, 3, 4, 5, 2)])
def test_psnr_any_number_of_axes(shape):
    rng = np.random.default_rng(2)
    a = rng.integers(0, 256, shape, dtype=np.uint8)
    b = rng.integers(0, 256, shape, dtype=np.uint8)
    assume_differs = not np.array_equal(a, b)
    if assume_differs:
        assert metrics.psnr(a, b, backend="cpp") == metrics.psnr(a, b, backend="numpy")
    a0, b0 = np.array(3.0), np.array(2.5)  # 0-d
    assert _core.psnr(a0, b0, 4.0) == reference.psnr(a0, b0, 4.0)


def test_psnr_integers_exact_at_extremes_and_large():
    rng = np.random.default_rng(3)
    for dtype, top in ((np.uint8, 255), (np.uint16, 65535)):
        a = rng.choice(np.array([0, top], dtype), (513, 515, 3))
        b = (top - a).astype(dtype)
        b.reshape(-1)[::5] = a.reshape(-1)[::5]
        assert _core.psnr(a, b, float(top), 2) == reference.psnr(a, b, float(top))
        assert _core.psnr(a[::-1, ::2, 1], b[::-1, ::2, 1], float(top), 3) == reference.psnr(
            a[::-1, ::2, 1], b[::-1, ::2, 1], float(top))


def test_psnr_non_finite_propagates_like_the_reference():
    a = np.zeros((20, 30))
    for bad in (np.nan, np.inf):
        b = a.copy()
        b[3, 4] = bad
        got, expected = _core.psnr(a, b, 1.0, 2), reference.psnr(a, b, 1.0)
        assert (math.isnan(got) and math.isnan(expected)) or got == expected
    assert _core.psnr(a, a, 1.0) == math.inf
    huge = np.full((4, 4), 1e200)
    assert _core.psnr(huge, -huge, 1.0) == reference.psnr(huge, -huge, 1.0) == -math.inf


# ---------------------------------------------------------------------------
# ssim
# ---------------------------------------------------------------------------


@SETTINGS
@given(image=images(min_side=11, max_side=70), seed=st.integers(0, 2**16), crop=st.integers(0, 2))
def test_ssim_matches_reference(image, seed, crop):
    assume(min(image.shape[:2]) - 2 * crop >= 11)
    test = _same_layout(_noisy(image, seed, 0.3), image, seed)
    assert_matches_reference(metrics.ssim, image, test, crop_border=crop)


@SETTINGS
@given(image=images(min_side=11, max_side=60), seed=st.integers(0, 2**16), threads=st.integers(1, 5))
def test_ssim_map_is_the_reference_map_bit_for_bit(image, seed, threads):
    test = _same_layout(_noisy(image, seed, 0.3), image, seed)
    peak = _peak(image.dtype)
    value, ssim_map = _core.ssim(image, test, peak, True, threads)
    expected_value, expected_map = reference.ssim(image, test, peak, True)
    assert ssim_map.dtype == expected_map.dtype and ssim_map.shape == expected_map.shape
    np.testing.assert_array_equal(ssim_map, expected_map)
    limit = TOLERANCES["ssim"](np.dtype(np.float64), {"reference": image})
    assert abs(value - expected_value) <= limit
    assert _core.ssim(image, test, peak, False, threads)[0] == value


@pytest.mark.parametrize("shape", [(11, 11), (11, 600), (600, 11), (140, 1100), (257, 531, 3), (24, 300, 2)])
def test_ssim_strips_and_tiles_seams(shape):
    # Several column tiles (> 256 columns) and row strips, ragged last ones,
    # strips whose row count is not a multiple of the four rows per pass.
    rng = np.random.default_rng(4)
    a = rng.random(shape)
    b = np.clip(a + rng.normal(0, 0.1, shape), 0, 1)
    value, ssim_map = _core.ssim(a, b, 1.0, True, 3)
    expected_value, expected_map = reference.ssim(a, b, 1.0, True)
    np.testing.assert_array_equal(ssim_map, expected_map)
    assert abs(value - expected_value) <= TOLERANCES["ssim"](np.dtype(np.float64), {"reference": a})


def test_ssim_identity_and_symmetry_are_exact():
    rng = np.random.default_rng(5)
    a = rng.random((83, 97, 3))
    b = np.clip(a + rng.normal(0, 0.2, a.shape), 0, 1)
    assert _core.ssim(a, a.copy(), 1.0, False, 2)[0] == 1.0
    assert _core.ssim(a, b, 1.0, False, 2)[0] == _core.ssim(b, a, 1.0, False, 3)[0]


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.float16])
def test_ssim_other_dtypes_match_reference(dtype):
    rng = np.random.default_rng(6)
    a = rng.integers(0, 100, (30, 40)).astype(dtype)
    b = rng.integers(0, 100, (30, 40)).astype(dtype)
    value, ssim_map = _core.ssim(a, b, 100.0, True, 2)
    expected_value, expected_map = reference.ssim(a, b, 100.0, True)
    np.testing.assert_array_equal(ssim_map, expected_map)
    assert abs(value - expected_value) <= TOLERANCES["ssim"](np.dtype(np.float64), {"reference": a})


# ---------------------------------------------------------------------------
# ms_ssim
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(176, 176), (181, 203), (200, 177, 3)])
def test_ms_ssim_matches_reference(dtype, shape):
    rng = np.random.default_rng(7)
    peak = _peak(dtype)
    clean = rng.random(shape)
    noisy = np.clip(clean + rng.normal(0, 0.1, shape), 0, 1)
    to = (lambda v: np.round(v * peak).astype(dtype)) if np.dtype(dtype).kind == "u" else (lambda v: v.astype(dtype))
    a, b = to(clean), to(noisy)
    for x, y in ((a, b), (a[::-1, ::-1], b[::-1, ::-1]), (np.asfortranarray(a), np.asfortranarray(b))):
        got = metrics.ms_ssim(x, y, data_range=peak, backend="cpp")
        assert got == pytest.approx(metrics.ms_ssim(x, y, data_range=peak, backend="numpy"), rel=0, abs=1e-12)


# ---------------------------------------------------------------------------
# threads
# ---------------------------------------------------------------------------


def test_results_do_not_depend_on_thread_count():
    rng = np.random.default_rng(8)
    a = rng.random((230, 700, 3)).astype(np.float32)
    b = np.clip(a + rng.normal(0, 0.1, a.shape), 0, 1).astype(np.float32)
    for metric in (lambda t: _core.psnr(a, b, 1.0, t), lambda t: _core.ssim(a, b, 1.0, False, t)[0],
                   lambda t: _core.ms_ssim(a, b, 1.0, t)):
        assert len({metric(t) for t in (1, 2, 3, 8, 1000)}) == 1
    maps = [_core.ssim(a, b, 1.0, True, t)[1] for t in (1, 4)]
    np.testing.assert_array_equal(maps[0], maps[1])


def test_concurrent_calls_give_serial_results():
    rng = np.random.default_rng(9)
    pairs = []
    for k in range(8):
        a = rng.integers(0, 256, (120 + k, 190, 3), dtype=np.uint8)
        pairs.append((a, _noisy(a, k, 0.3)))

    def run(pair):
        a, b = pair
        return (_core.psnr(a, b, 255.0, 2), _core.ssim(a, b, 255.0, False, 2)[0])

    serial = [run(p) for p in pairs]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            assert list(pool.map(run, pairs)) == serial
