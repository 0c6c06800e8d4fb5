"""Parity of the compiled filters kernels (``clearsight._core``) with the NumPy reference.

Tolerances, max abs in [0, 1] units unless said otherwise, derived from the
arithmetic each kernel does (u = 2**-53 in float64, 2**-24 in float32):

- ``gaussian_blur``: float32 images are filtered in float32, the others in
  float64. Each pass sums K taps (K after the reference's folding) of
  weights that add up to 1, so its rounding error is below K u max|x|; two
  passes and the rounding of the result give ``(K_rows + K_cols + 2) u``,
  plus one float32 rounding of the reference's own result for float32, plus
  ``4 n 2**-53`` for the float64 weights (n = 2r + 1 samples, normalised and,
  for kernels wider than the image, folded: sums in another order than NumPy's).
  Integers: within 1 level (the reference's value can sit on a half level),
  and equal almost everywhere.
- ``unsharp_mask``: ``x + a (x - G)`` multiplies the blur's error by a and
  adds 3 roundings: ``a * blur_tol + (3 + 2a) u``, except at pixels where
  ``|x - G|`` is within that of the threshold (either side of it is right);
  those are left out.
- ``estimate_noise``: equal (float64, the reference's order of additions).
- ``sharpness``: relative ``(16 W + H / 16 + 8) u``: the variance is summed
  in blocks of 16 rows, then the blocks are merged.
- ``rgb_to_ycbcr``, ``ycbcr_to_rgb``, ``rgb_to_y``: equal (float64, the
  reference's order of operations and its matrices).

Hypothesis draws shapes (1×1 upwards, 1×N, N×1), channel counts, dtypes,
layouts (Fortran order, negative strides, steps, a channel of an interleaved
image, reversed channels) and parameters. Results must not depend on the
thread count at all, and concurrent calls give the serial results.
"""

from __future__ import annotations

import concurrent.futures
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clearsight
from clearsight import reference
from clearsight.reference import sharpen as ref_sharpen
from clearsight.testing import LAYOUTS, lay_out

pytestmark = pytest.mark.skipif("cpp" not in clearsight.backends(), reason="clearsight._core is not importable")

if "cpp" in clearsight.backends():
    from clearsight import _core
else:  # pragma: no cover
    _core = None

DTYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.float32), np.dtype(np.float64))
EXAMPLES = int(os.environ.get("CLEARSIGHT_PARITY_EXAMPLES", "200"))
SETTINGS = settings(
    deadline=None,
    max_examples=EXAMPLES,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
U64, U32 = 2.0**-53, 2.0**-24


def quantise(unit: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype.kind == "u":
        top = np.iinfo(dtype).max
        return np.floor(unit * top + 0.5).astype(dtype)
    return unit.astype(dtype)


def as_unit(image: np.ndarray) -> np.ndarray:
    if image.dtype.kind == "u":
        return image.astype(np.float64) / np.iinfo(image.dtype).max
    return image.astype(np.float64)


@st.composite
def images(draw, channels=(None, 1, 2, 3, 4), max_side=40):
    shape_kind = draw(st.sampled_from(["any", "row", "column", "tiny"]))
    if shape_kind == "row":
        h, w = 1, draw(st.integers(1, 3 * max_side))
    elif shape_kind == "column":
        h, w = draw(st.integers(1, 3 * max_side)), 1
    elif shape_kind == "tiny":
        h, w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    else:
        h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    c = draw(st.sampled_from(channels))
    dtype = draw(st.sampled_from(DTYPES))
    seed = draw(st.integers(0, 2**32 - 1))
    content = draw(st.sampled_from(["random", "smooth", "flat", "steps"]))
    rng = np.random.default_rng(seed)
    shape = (h, w) if c is None else (h, w, c)
    if content == "random":
        unit = rng.random(shape)
    elif content == "smooth":
        yy, xx = np.meshgrid(np.linspace(0, 1, h), np.linspace(0, 1, w), indexing="ij")
        base = 0.5 + 0.4 * np.sin(3 * xx + 2 * yy)
        unit = np.broadcast_to(base[..., None] if c else base, shape) + 0.01 * rng.standard_normal(shape)
    elif content == "flat":
        unit = np.full(shape, rng.random())
    else:
        unit = (rng.random(shape) > 0.5) * 0.8 + 0.1
    image = quantise(np.clip(unit, 0.0, 1.0), dtype)
    layout = draw(st.sampled_from(LAYOUTS))
    return image, lay_out(image, layout, np.nan if image.dtype.kind == "f" else 0)[0]


def folded_taps(sigma: float, truncate: float, n: int, boundary: str) -> int:
    weights = ref_sharpen.gaussian_weights(sigma, truncate)
    return ref_sharpen._fold(weights, n, boundary)[1].size


def blur_tolerance(image: np.ndarray, sigma: float, truncate: float, boundary: str) -> float:
    unit = U32 if image.dtype == np.float32 else U64
    taps = folded_taps(sigma, truncate, image.shape[0], boundary) + folded_taps(sigma, truncate, image.shape[1], boundary)
    tol = (taps + 2) * unit
    if image.dtype == np.float32:
        tol += U32  # the reference rounds its float64 result to float32 too
    # The weights: each comes out of a normalising sum of the n = 2r + 1 samples
    # (summed in another order than NumPy's) and, for kernels wider than the
    # image, a folding sum of up to n of them; float64 in both backends.
    n = 2 * ref_sharpen.kernel_radius(sigma, truncate) + 1
    return tol + 2 * 2 * n * U64


def assert_close_pixels(got: np.ndarray, expected: np.ndarray, tol: float, mask: np.ndarray | None = None) -> None:
    assert got.shape == expected.shape and got.dtype == expected.dtype
    if mask is None:
        mask = np.ones(got.shape, bool)
    if got.dtype.kind == "u":
        diff = np.abs(got.astype(np.int64) - expected.astype(np.int64))
        assert diff[mask].max(initial=0) <= 1
        assert np.count_nonzero(diff[mask]) <= max(1, diff.size // 50)  # only values on half levels
    else:
        diff = np.abs(got.astype(np.float64) - expected.astype(np.float64))
        assert diff[mask].max(initial=0) <= tol, (diff[mask].max(), tol)


# ------------------------------------------------------------------ blur


@SETTINGS
@given(
    case=images(),
    sigma=st.one_of(st.floats(0.05, 4.0), st.floats(4.0, 60.0)),
    truncate=st.sampled_from([4.0, 2.0, 1.0, 0.5, 3.3]),
    boundary=st.sampled_from(["reflect", "nearest", "periodic"]),
    threads=st.integers(1, 4),
)
def test_gaussian_blur_matches_reference(case, sigma, truncate, boundary, threads):
    image, strided = case
    got = _core.gaussian_blur(strided, sigma, truncate, boundary, threads)
    expected = reference.gaussian_blur(image, sigma, truncate, boundary)
    assert_close_pixels(got, expected, blur_tolerance(image, sigma, truncate, boundary))
    np.testing.assert_array_equal(got, _core.gaussian_blur(image, sigma, truncate, boundary, 1))  # layout, threads


# ------------------------------------------------------------------ unsharp mask


@SETTINGS
@given(
    case=images(),
    radius=st.floats(0.1, 8.0),
    amount=st.floats(0.0, 4.0),
    threshold=st.one_of(st.just(0.0), st.floats(0.0, 0.3)),
    clip=st.booleans(),
    threads=st.integers(1, 4),
)
def test_unsharp_mask_matches_reference(case, radius, amount, threshold, clip, threads):
    image, strided = case
    got = _core.unsharp_mask(strided, radius, amount, threshold, clip, threads)
    expected = reference.unsharp_mask(image, radius, amount, threshold, clip)
    blur_tol = blur_tolerance(image, radius, 4.0, "reflect")
    unit = U32 if image.dtype == np.float32 else U64
    tol = amount * blur_tol + (3 + 2 * amount) * unit
    # Pixels whose detail is within tol of the threshold may go either way.
    unit_image = as_unit(image)
    detail = unit_image - reference.sharpen.blur_unit(unit_image, radius, 4.0, "reflect")
    mask = np.abs(np.abs(detail) - threshold) > blur_tol + 2 * unit
    if image.ndim == 3 and image.shape[2] in (2, 4):
        mask[..., -1] = True
        np.testing.assert_array_equal(got[..., -1], image[..., -1])  # alpha bit for bit
    assert_close_pixels(got, expected, tol, mask)
    np.testing.assert_array_equal(got, _core.unsharp_mask(image, radius, amount, threshold, clip, 1))


def test_unsharp_float32_keeps_alpha_outside_unit_range():
    image = np.random.default_rng(1).random((9, 11, 4)).astype(np.float32)
    image[..., 3] = np.linspace(-2, 3, 99, dtype=np.float32).reshape(9, 11)
    got = _core.unsharp_mask(image, 1.0, 1.0, 0.0, True, 2)
    np.testing.assert_array_equal(got[..., 3], image[..., 3])


# ------------------------------------------------------------------ estimate


@SETTINGS
@given(case=images(max_side=60), threads=st.integers(1, 4))
def test_estimate_noise_equals_reference(case, threads):
    image, strided = case
    got = _core.estimate_noise(strided, threads)
    np.testing.assert_array_equal(got, reference.estimate_noise(image))
    assert got.dtype == np.float64


@SETTINGS
@given(case=images(max_side=60), threads=st.integers(1, 4))
def test_sharpness_matches_reference(case, threads):
    image, strided = case
    got = _core.sharpness(strided, threads)
    expected = reference.sharpness(image)
    h, w = image.shape[:2]
    rel = (16 * w + h / 16 + 8) * U64
    assert got == pytest.approx(expected, rel=rel, abs=1e-300)
    assert got == _core.sharpness(image, 1)


def test_estimate_noise_of_noise_matches_skimage_conventions():
    rng = np.random.default_rng(5)
    image = np.clip(0.5 + 0.05 * rng.standard_normal((301, 257, 3)), 0, 1)
    np.testing.assert_array_equal(_core.estimate_noise(image, 2), reference.estimate_noise(image))
    for dtype in (np.uint8, np.uint16, np.float32):
        x = quantise(image, np.dtype(dtype))
        np.testing.assert_array_equal(_core.estimate_noise(x, 3), reference.estimate_noise(x))


# ------------------------------------------------------------------ colour


@SETTINGS
@given(case=images(channels=(3, 4)), clip=st.booleans(), threads=st.integers(1, 4), spread=st.booleans())
def test_colour_conversions_equal_reference(case, clip, threads, spread):
    image, strided = case
    if spread and image.dtype.kind == "f":  # values outside [0, 1]: clipping and no clipping differ
        image = (image * 1.6 - 0.3).astype(image.dtype)
        strided = image[::-1][::-1]
    np.testing.assert_array_equal(_core.rgb_to_ycbcr(strided, threads), reference.rgb_to_ycbcr(image))
    np.testing.assert_array_equal(_core.ycbcr_to_rgb(strided, clip, threads), reference.ycbcr_to_rgb(image, clip))
    np.testing.assert_array_equal(_core.rgb_to_y(strided, threads), reference.rgb_to_y(image))


def test_all_uint8_colours_equal_reference():
    levels = np.arange(256, dtype=np.uint8)
    r, g, b = np.meshgrid(levels, levels[::5], levels[::3], indexing="ij")
    image = np.stack([r, g, b], axis=-1).reshape(256, -1, 3)
    np.testing.assert_array_equal(_core.rgb_to_ycbcr(image, 2), reference.rgb_to_ycbcr(image))
    np.testing.assert_array_equal(_core.ycbcr_to_rgb(image, True, 2), reference.ycbcr_to_rgb(image))
    np.testing.assert_array_equal(_core.rgb_to_y(image, 2), reference.rgb_to_y(image))


# ------------------------------------------------------------------ threads


def _calls(image):
    return {
        "gaussian_blur": lambda t: _core.gaussian_blur(image, 2.3, 4.0, "reflect", t),
        "unsharp_mask": lambda t: _core.unsharp_mask(image, 1.7, 1.3, 0.01, True, t),
        "estimate_noise": lambda t: _core.estimate_noise(image, t),
        "sharpness": lambda t: np.float64(_core.sharpness(image, t)),
        "rgb_to_ycbcr": lambda t: _core.rgb_to_ycbcr(image, t),
        "ycbcr_to_rgb": lambda t: _core.ycbcr_to_rgb(image, True, t),
        "rgb_to_y": lambda t: _core.rgb_to_y(image, t),
    }


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_results_do_not_depend_on_the_thread_count(dtype):
    image = quantise(np.random.default_rng(2).random((203, 157, 3)), dtype)
    for name, call in _calls(image).items():
        serial = call(1)
        for threads in (2, 3, 8, 1000):
            np.testing.assert_array_equal(call(threads), serial, err_msg=f"{name}, {threads} threads")


def test_concurrent_calls_give_the_serial_results():
    rng = np.random.default_rng(3)
    inputs = [quantise(rng.random((180, 140, 3)), DTYPES[i % 4]) for i in range(8)]
    expected = [{name: call(1) for name, call in _calls(x).items()} for x in inputs]

    def work(index: int) -> None:
        calls = _calls(inputs[index % len(inputs)])
        for _ in range(3):
            for name, call in calls.items():
                np.testing.assert_array_equal(call(1 + index % 3), expected[index % len(inputs)][name], err_msg=name)

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        for future in [pool.submit(work, i) for i in range(16)]:
            future.result()
