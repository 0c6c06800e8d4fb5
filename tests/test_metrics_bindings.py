"""The metric bindings (clearsight._core.psnr / ssim / ms_ssim) defend themselves.

Called directly, past the Python doors: wrong dtypes, ndim, shapes, sizes
below the window, bad data_range and thread counts raise ValueError or
TypeError naming the argument; odd but valid inputs (byte-swapped,
misaligned, read-only, other integer and float dtypes) give the reference's
answer; nothing crashes or hangs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import clearsight
from clearsight import reference

pytestmark = pytest.mark.skipif("cpp" not in clearsight.backends(), reason="clearsight._core is not importable")

if "cpp" in clearsight.backends():
    from clearsight import _core
else:  # pragma: no cover
    _core = None


def _pair(shape=(40, 50), dtype=np.uint8, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 200, shape).astype(dtype)
    b = (a + rng.integers(0, 50, shape)).astype(dtype)
    return a, b


def _calls(a, b, peak=255.0, threads=1):
    return {
        "psnr": lambda: _core.psnr(a, b, peak, threads),
        "ssim": lambda: _core.ssim(a, b, peak, False, threads),
        "ms_ssim": lambda: _core.ms_ssim(a, b, peak, threads),
    }


@pytest.mark.parametrize("metric", ["psnr", "ssim", "ms_ssim"])
@pytest.mark.parametrize("dtype", [np.bool_, np.complex128, object, "U3"])
def test_unsupported_dtype_is_a_type_error(metric, dtype):
    a = np.zeros((180, 180), dtype=dtype)
    with pytest.raises(TypeError, match="reference"):
        _calls(a, a.copy())[metric]()


@pytest.mark.parametrize("metric", ["psnr", "ssim", "ms_ssim"])
def test_shape_and_dtype_mismatch(metric):
    a, b = _pair((180, 180))
    with pytest.raises(ValueError, match="shape"):
        _calls(a, b[:, :179])[metric]()
    with pytest.raises(ValueError, match="dtype"):
        _calls(a, b.astype(np.uint16))[metric]()
    with pytest.raises(ValueError, match="empty"):
        _calls(a[:0], b[:0])[metric]()


@pytest.mark.parametrize("metric", ["psnr", "ssim", "ms_ssim"])
@pytest.mark.parametrize("peak", [0.0, -1.0, math.nan, math.inf, -math.inf])
def test_bad_data_range(metric, peak):
    a, b = _pair((180, 180))
    with pytest.raises(ValueError, match="data_range"):
        _calls(a, b, peak)[metric]()


@pytest.mark.parametrize("metric", ["psnr", "ssim", "ms_ssim"])
def test_bad_threads(metric):
    a, b = _pair((180, 180))
    for threads in (0, -1, -(2**40)):
        with pytest.raises(ValueError, match="threads"):
            _calls(a, b, threads=threads)[metric]()
    with pytest.raises(TypeError):
        _calls(a, b, threads=2**80)[metric]()
    with pytest.raises(TypeError):
        _calls(a, b, threads="2")[metric]()
    # Absurd but valid: capped, same answer.
    assert _calls(a, b, threads=10**6)[metric]() == _calls(a, b, threads=1)[metric]()


@pytest.mark.parametrize("metric", ["ssim", "ms_ssim"])
def test_ndim_and_window(metric):
    a, b = _pair((180, 180))
    with pytest.raises(ValueError, match="reference"):
        _calls(a[0], b[0])[metric]()
    with pytest.raises(ValueError, match="reference"):
        _calls(a[None, ..., None], b[None, ..., None])[metric]()
    small = 10 if metric == "ssim" else 175
    with pytest.raises(ValueError, match="smaller than"):
        _calls(a[:small], b[:small])[metric]()
    with pytest.raises(ValueError, match="smaller than"):
        _calls(a[:, :small], b[:, :small])[metric]()


def test_wrong_argument_types():
    a, b = _pair()
    with pytest.raises(TypeError):
        _core.psnr(a, b, "255")
    with pytest.raises(TypeError):
        _core.ssim(a, b, None)
    with pytest.raises(TypeError):
        _core.psnr([[1, 2]], b, 255.0)  # not an array: refused, not converted


def test_odd_but_valid_buffers_give_the_reference_answer():
    a, b = _pair((60, 70), np.uint16, seed=1)
    expected = reference.ssim(a, b, 65535.0, True)
    expected_psnr = reference.psnr(a, b, 65535.0)
    # Byte-swapped.
    sa, sb = a.astype(">u2"), b.astype(">u2")
    assert _core.psnr(sa, sb, 65535.0) == expected_psnr
    np.testing.assert_array_equal(_core.ssim(sa, sb, 65535.0, True)[1], expected[1])
    # Misaligned: uint16 samples starting at an odd address.
    def misaligned(x):
        raw = np.zeros(x.nbytes + 1, np.uint8)
        raw[1:] = x.view(np.uint8).reshape(-1)
        return np.frombuffer(raw.data, dtype=x.dtype, count=x.size, offset=1).reshape(x.shape)

    ma, mb = misaligned(a), misaligned(b)
    assert not ma.flags.aligned
    assert _core.psnr(ma, mb, 65535.0) == expected_psnr
    np.testing.assert_array_equal(_core.ssim(ma, mb, 65535.0, True)[1], expected[1])
    # Read-only inputs are fine (nothing is written to them).
    ra, rb = a.copy(), b.copy()
    ra.flags.writeable = rb.flags.writeable = False
    assert _core.ssim(ra, rb, 65535.0, False)[0] == _core.ssim(a, b, 65535.0, False)[0]


def test_ssim_returns_value_and_map():
    a, b = _pair((30, 40, 3))
    value, ssim_map = _core.ssim(a, b, 255.0, True, 2)
    assert isinstance(value, float)
    assert ssim_map.shape == (20, 30, 3) and ssim_map.dtype == np.float64 and ssim_map.flags.c_contiguous
    assert _core.ssim(a, b, 255.0, False, 2) == (value, None)
    assert np.mean([ssim_map[..., c].mean() for c in range(3)]) == pytest.approx(value, abs=1e-15)


def test_gil_is_released():
    # A second Python thread makes progress while a long call runs.
    import threading
    import time

    a, b = _pair((1500, 1500), np.float64)
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        time.sleep(0.01)
        before = len(ticks)
        for _ in range(3):
            _core.ssim(a, b, 255.0, True, 1)
        during = len(ticks) - before
    finally:
        stop.set()
        thread.join()
    assert during > 3
