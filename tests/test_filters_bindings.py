"""The compiled filters kernels called directly (``clearsight._core.gaussian_blur``,
``unsharp_mask``, ``estimate_noise``, ``sharpness``, ``rgb_to_ycbcr``,
``ycbcr_to_rgb``, ``rgb_to_y``), bypassing the doors' checks: every bad
argument is a ValueError or TypeError naming it, never a crash, a hang or a
write out of bounds.
"""

from __future__ import annotations

import numpy as np
import pytest

import clearsight

pytestmark = pytest.mark.skipif("cpp" not in clearsight.backends(), reason="clearsight._core is not importable")

if "cpp" in clearsight.backends():
    from clearsight import _core


def image(shape=(12, 10, 3), dtype=np.float32, seed=0) -> np.ndarray:
    unit = np.random.default_rng(seed).random(shape)
    if np.dtype(dtype).kind == "u":
        return (unit * np.iinfo(dtype).max).astype(dtype)
    return unit.astype(dtype)


def misaligned(shape, dtype) -> np.ndarray:
    dtype = np.dtype(dtype)
    count = int(np.prod(shape))
    raw = bytearray(dtype.itemsize * count + 1)
    array = np.frombuffer(raw, dtype=dtype, offset=1, count=count).reshape(shape)
    assert dtype.itemsize == 1 or not array.flags.aligned
    return array


def misaligned_strides(dtype) -> np.ndarray:
    """Aligned start, but a row stride that is not a multiple of the item size."""
    dtype = np.dtype(dtype)
    raw = np.zeros(6 * (5 * dtype.itemsize + 1) + 16, np.uint8)
    return np.ndarray((6, 5), dtype, buffer=raw, offset=0, strides=(5 * dtype.itemsize + 1, dtype.itemsize))


def calls(x):
    """Every kernel on `x` with good parameters; the colour ones need C = 3 or 4."""
    out = {
        "gaussian_blur": lambda: _core.gaussian_blur(x, 1.0, 4.0, "reflect", 1),
        "unsharp_mask": lambda: _core.unsharp_mask(x, 1.0, 1.0, 0.0, True, 1),
        "estimate_noise": lambda: _core.estimate_noise(x, 1),
        "sharpness": lambda: _core.sharpness(x, 1),
    }
    if x.ndim == 3 and x.shape[2] in (3, 4):
        out.update(
            rgb_to_ycbcr=lambda: _core.rgb_to_ycbcr(x, 1),
            ycbcr_to_rgb=lambda: _core.ycbcr_to_rgb(x, True, 1),
            rgb_to_y=lambda: _core.rgb_to_y(x, 1),
        )
    return out


@pytest.mark.parametrize(
    "bad,error,words",
    [
        (np.zeros((4, 4, 3), np.int32), TypeError, "dtype"),
        (np.zeros((4, 4, 3), np.float16), TypeError, "dtype"),
        (np.zeros((4, 4, 3), np.complex64), TypeError, "dtype"),
        (np.zeros((4, 4, 3), ">f4"), TypeError, "byte order"),
        (np.zeros((0, 4, 3), np.float32), ValueError, "empty"),
        (np.zeros((4, 0, 3), np.float32), ValueError, "empty"),
        (np.zeros((4, 4, 0), np.float32), ValueError, "empty"),
        (np.zeros((4, 4, 5), np.float32), ValueError, "channels"),
        (np.zeros(7, np.float32), ValueError, "H×W"),
        (np.zeros((2, 2, 2, 3), np.float32), ValueError, "H×W"),
        (misaligned((5, 6, 3), np.float32), ValueError, "aligned"),
        (misaligned((5, 6, 3), np.uint16), ValueError, "aligned"),
    ],
)
def test_bad_images_are_refused(bad, error, words):
    names = ["gaussian_blur", "unsharp_mask", "estimate_noise", "sharpness", "rgb_to_ycbcr", "ycbcr_to_rgb", "rgb_to_y"]
    for name in names:
        call = {
            "gaussian_blur": lambda: _core.gaussian_blur(bad, 1.0, 4.0, "reflect", 1),
            "unsharp_mask": lambda: _core.unsharp_mask(bad, 1.0, 1.0, 0.0, True, 1),
            "estimate_noise": lambda: _core.estimate_noise(bad, 1),
            "sharpness": lambda: _core.sharpness(bad, 1),
            "rgb_to_ycbcr": lambda: _core.rgb_to_ycbcr(bad, 1),
            "ycbcr_to_rgb": lambda: _core.ycbcr_to_rgb(bad, True, 1),
            "rgb_to_y": lambda: _core.rgb_to_y(bad, 1),
        }[name]
        with pytest.raises(error, match="image") as caught:
            call()
        assert words in str(caught.value), (name, str(caught.value))


def test_misaligned_strides_are_refused():
    bad = misaligned_strides(np.float32)
    for call in calls(bad).values():
        with pytest.raises(ValueError, match="aligned"):
            call()


def test_uint8_needs_no_alignment_and_read_only_input_is_fine():
    x = misaligned((7, 9, 3), np.uint8)
    x[...] = image((7, 9, 3), np.uint8)
    x.flags.writeable = False
    for call in calls(x).values():
        call()
    y = image((7, 9, 4), np.float64)
    y.flags.writeable = False
    for call in calls(y).values():
        call()


@pytest.mark.parametrize("shape", [(5, 6), (5, 6, 1), (5, 6, 2)])
def test_colour_kernels_need_three_or_four_channels(shape):
    x = image(shape)
    for call in (lambda: _core.rgb_to_ycbcr(x, 1), lambda: _core.ycbcr_to_rgb(x, True, 1), lambda: _core.rgb_to_y(x, 1)):
        with pytest.raises(ValueError, match="image must be H×W×3 or H×W×4"):
            call()


@pytest.mark.parametrize("threads,error", [(0, ValueError), (-1, ValueError), (-(2**40), ValueError), (2**70, TypeError), (1.5, TypeError), ("2", TypeError)])
def test_bad_thread_counts(threads, error):
    x = image((6, 7, 3))
    for name, call in {
        "gaussian_blur": lambda: _core.gaussian_blur(x, 1.0, 4.0, "reflect", threads),
        "unsharp_mask": lambda: _core.unsharp_mask(x, 1.0, 1.0, 0.0, True, threads),
        "estimate_noise": lambda: _core.estimate_noise(x, threads),
        "sharpness": lambda: _core.sharpness(x, threads),
        "rgb_to_ycbcr": lambda: _core.rgb_to_ycbcr(x, threads),
        "ycbcr_to_rgb": lambda: _core.ycbcr_to_rgb(x, True, threads),
        "rgb_to_y": lambda: _core.rgb_to_y(x, threads),
    }.items():
        with pytest.raises(error) as caught:
            call()
        if error is ValueError:
            assert "threads" in str(caught.value), name


@pytest.mark.parametrize("threads", [10**6, 2**62])
def test_absurd_thread_counts_are_clamped(threads):
    x = image((40, 30, 3))
    np.testing.assert_array_equal(_core.gaussian_blur(x, 1.5, 4.0, "nearest", threads), _core.gaussian_blur(x, 1.5, 4.0, "nearest", 1))
    np.testing.assert_array_equal(_core.estimate_noise(x, threads), _core.estimate_noise(x, 1))
    np.testing.assert_array_equal(_core.rgb_to_ycbcr(x, threads), _core.rgb_to_ycbcr(x, 1))


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"sigma": 0.0}, "sigma"),
        ({"sigma": -1.0}, "sigma"),
        ({"sigma": float("nan")}, "sigma"),
        ({"sigma": float("inf")}, "sigma"),
        ({"sigma": 1e300}, "radius"),
        ({"sigma": 2e6, "truncate": 1.0}, "radius"),
        ({"truncate": 0.0}, "truncate"),
        ({"truncate": float("nan")}, "truncate"),
        ({"truncate": -4.0}, "truncate"),
        ({"boundary": "wrap"}, "boundary"),
        ({"boundary": ""}, "boundary"),
    ],
)
def test_bad_blur_parameters(kwargs, fragment):
    args = {"sigma": 1.0, "truncate": 4.0, "boundary": "reflect"} | kwargs
    with pytest.raises(ValueError, match=fragment):
        _core.gaussian_blur(image(), args["sigma"], args["truncate"], args["boundary"], 1)


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"radius": 0.0}, "radius"),
        ({"radius": float("nan")}, "radius"),
        ({"radius": -2.0}, "radius"),
        ({"radius": 1e300}, "radius"),
        ({"amount": float("nan")}, "amount"),
        ({"amount": -1.0}, "amount"),
        ({"amount": float("inf")}, "amount"),
        ({"threshold": float("nan")}, "threshold"),
        ({"threshold": -0.1}, "threshold"),
    ],
)
def test_bad_unsharp_parameters(kwargs, fragment):
    args = {"radius": 1.0, "amount": 1.0, "threshold": 0.0} | kwargs
    with pytest.raises(ValueError, match=fragment):
        _core.unsharp_mask(image(), args["radius"], args["amount"], args["threshold"], True, 1)


def test_wrong_types_of_parameters():
    x = image()
    with pytest.raises(TypeError):
        _core.gaussian_blur(x, "1.0", 4.0, "reflect", 1)
    with pytest.raises(TypeError):
        _core.gaussian_blur(x, 1.0, 4.0, None, 1)
    with pytest.raises(TypeError):
        _core.unsharp_mask(x, 1.0, 1.0, 0.0, "yes", 1)
    with pytest.raises(TypeError):
        _core.estimate_noise(None, 1)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_statistics_refuse_non_finite_pixels(value, dtype):
    x = image((33, 20, 3), dtype)
    x[17, 5, 1] = value
    with pytest.raises(ValueError, match="NaN or infinity"):
        _core.estimate_noise(x, 2)
    with pytest.raises(ValueError, match="NaN or infinity"):
        _core.sharpness(x, 2)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sigma", [0.3, 1.0, 60.0])
def test_blur_and_unsharp_refuse_non_finite_pixels(value, dtype, sigma):
    # Found while computing (the doors leave the check to this kernel).
    for shape, where in (((20, 20, 3), (10, 10, 0)), ((1, 9), (0, 8)), ((7, 5, 4), (6, 0, 3))):
        x = image(shape, dtype)
        x[where] = value
        with pytest.raises(ValueError, match="NaN or infinity"):
            _core.gaussian_blur(x, sigma, 4.0, "nearest", 2)
        with pytest.raises(ValueError, match="NaN or infinity"):
            _core.unsharp_mask(x, sigma, 0.0, 0.5, True, 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_colour_of_non_finite_pixels_does_not_crash(dtype):
    # The doors refuse them; called directly, NaN goes through like in the reference.
    x = image((20, 20, 3), dtype)
    x[10, 10, 0] = np.nan
    x[3, 3, 2] = np.inf
    assert np.isnan(_core.rgb_to_ycbcr(x, 2)[10, 10, 0])
    _core.ycbcr_to_rgb(x, True, 2)
    _core.rgb_to_y(x, 2)


def test_results_are_new_arrays_and_inputs_untouched():
    x = image((16, 12, 4), np.uint16)
    before = x.copy()
    for name, call in calls(x).items():
        result = call()
        if isinstance(result, np.ndarray) and result.ndim >= 2:
            assert not np.shares_memory(result, x) and result.flags.c_contiguous and result.dtype == x.dtype, name
    np.testing.assert_array_equal(x, before)


def test_huge_kernels_on_small_images_stay_bounded():
    # A radius of 10**6 pixels folds onto twice the image along each axis.
    x = image((3, 2, 3))
    for boundary in ("reflect", "nearest", "periodic"):
        got = _core.gaussian_blur(x, 249_999.0, 4.0, boundary, 2)
        assert got.shape == x.shape and np.all(np.isfinite(got))
