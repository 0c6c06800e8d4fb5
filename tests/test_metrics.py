"""Tests for clearsight.metrics.psnr."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from clearsight import metrics
from clearsight.metrics import psnr


def test_public_names():
    assert metrics.__all__ == ["ms_ssim", "psnr", "ssim"]


def test_uint8_offset_of_one_level():
    a = np.full((8, 9), 100, dtype=np.uint8)
    assert psnr(a, a + 1) == pytest.approx(20 * math.log10(255), abs=1e-12)
    assert psnr(a + 1, a) == pytest.approx(20 * math.log10(255), abs=1e-12)


def test_uint16_offset_of_one_level():
    a = np.full((4, 4, 3), 30000, dtype=np.uint16)
    assert psnr(a, a + 1) == pytest.approx(20 * math.log10(65535), abs=1e-12)


def test_float_default_range_is_one():
    a = np.zeros((5, 5), dtype=np.float32)
    b = a + np.float32(0.1)
    # MSE = 0.01 (in float32 precision) -> 20 dB.
    assert psnr(a, b) == pytest.approx(20.0, abs=1e-5)


def test_known_mse():
    ref = np.array([[0, 0], [0, 0]], dtype=np.uint8)
    tst = np.array([[2, 0], [0, 0]], dtype=np.uint8)  # MSE = 4 / 4 = 1
    assert psnr(ref, tst) == pytest.approx(20 * math.log10(255))
    assert psnr(ref, tst, data_range=10) == pytest.approx(20.0)


def test_no_uint8_wraparound():
    ref = np.array([0], dtype=np.uint8)
    tst = np.array([255], dtype=np.uint8)
    assert psnr(ref, tst) == pytest.approx(0.0, abs=1e-12)


def test_matches_definition_on_random_images():
    rng = np.random.default_rng(0)
    ref = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    tst = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    mse = np.mean((ref.astype(float) - tst.astype(float)) ** 2)
    assert psnr(ref, tst) == pytest.approx(10 * math.log10(255**2 / mse), rel=1e-12)
    assert psnr(ref / 255.0, tst / 255.0) == pytest.approx(psnr(ref, tst), rel=1e-12)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_identical_is_inf_without_warnings(dtype):
    a = np.ones((3, 4), dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = psnr(a, a.copy())
    assert value == math.inf and isinstance(value, float)


def test_returns_python_float():
    a = np.zeros((2, 2), np.uint8)
    assert type(psnr(a, a + 3)) is float


def test_accepts_lists_with_explicit_range():
    assert psnr([[0.0, 0.0]], [[0.0, 0.5]], data_range=1.0) == pytest.approx(
        10 * math.log10(1 / 0.125)
    )


def test_shape_mismatch():
    with pytest.raises(ValueError, match="shape"):
        psnr(np.zeros((3, 3), np.uint8), np.zeros((3, 4), np.uint8))


def test_dtype_mismatch():
    with pytest.raises(ValueError, match="dtype"):
        psnr(np.zeros((3, 3), np.uint8), np.zeros((3, 3), np.float64))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("which", ["reference", "test"])
def test_non_finite_names_argument(bad, which):
    good = np.zeros((3, 3))
    broken = good.copy()
    broken[1, 2] = bad
    args = (broken, good) if which == "reference" else (good, broken)
    with pytest.raises(ValueError, match=which):
        psnr(*args)


@pytest.mark.parametrize("data_range", [0, -1.0, 0.0, math.nan, math.inf])
def test_bad_data_range(data_range):
    a = np.zeros((2, 2))
    with pytest.raises(ValueError, match="data_range"):
        psnr(a, a + 0.1, data_range=data_range)


def test_other_integer_dtype_needs_range():
    a = np.zeros((2, 2), np.int16)
    with pytest.raises(ValueError, match="data_range"):
        psnr(a, a + 1)
    assert psnr(a, a + 1, data_range=100) == pytest.approx(40.0)


def test_empty_rejected():
    with pytest.raises(ValueError):
        psnr(np.zeros((0, 3)), np.zeros((0, 3)))


def test_data_range_is_keyword_only():
    a = np.zeros((2, 2))
    with pytest.raises(TypeError):
        psnr(a, a, 1.0)  # type: ignore[misc]
