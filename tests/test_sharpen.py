"""The blur and sharpening doors, ``gaussian_blur`` and ``unsharp_mask``: known
answers, peers (SciPy, scikit-image), colour handling, layouts and bad input.

Tests taking ``backend`` run once per available backend; a backend without
the kernel yet (the compiled core, until it gains one) is skipped.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings
from hypothesis import strategies as st

import clearsight.sharpen
from clearsight import _dispatch
from clearsight.reference.pixels import from_unit_float
from clearsight.reference.sharpen import gaussian_weights, kernel_radius
from clearsight.sharpen import gaussian_blur, unsharp_mask

# Backends run: those with every one of these kernels (see conftest.py).
BACKEND_KERNELS = ("gaussian_blur", "unsharp_mask")

DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
SHAPES = ((23, 31), (23, 31, 1), (23, 31, 2), (23, 31, 3), (23, 31, 4))
SCIPY_MODES = {"reflect": "reflect", "nearest": "nearest", "periodic": "wrap"}


def float32_tolerance(backend: str, sigma: float) -> float:
    """Blur of a float32 image: 1e-7 for the reference (float64, then cast); the
    compiled backend filters in float32, within (K_rows + K_cols + 3) 2**-24
    (K taps per pass, see gaussian_blur's docstring)."""
    if backend == "numpy":
        return 1e-7
    taps = 2 * kernel_radius(sigma, 4.0) + 1
    return (2 * taps + 3) * 2.0**-24


def has_kernel(backend: str, kernel: str) -> bool:
    try:
        _dispatch.resolve(backend, kernel)
    except ValueError:
        return False
    return True




def scene(shape, dtype=np.float64, seed=0) -> np.ndarray:
    """Shading, a bright block and noise, in [0, 1], as `dtype`."""
    rng = np.random.default_rng(seed)
    h, w = shape[:2]
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w, 2)
    planes = []
    for c in range(shape[2] if len(shape) == 3 else 1):
        base = 0.5 + 0.3 * np.sin(9 * xx + c) * np.cos(6 * yy)
        base[h // 4 : h // 2, w // 3 : 2 * w // 3] = 0.9
        planes.append(np.clip(base + 0.05 * rng.standard_normal((h, w)), 0, 1))
    unit = np.stack(planes, axis=-1) if len(shape) == 3 else planes[0]
    if np.dtype(dtype).kind == "u":
        return np.floor(unit * np.iinfo(dtype).max + 0.5).astype(dtype)
    return unit.astype(dtype)


def relayout(image: np.ndarray, layout: str) -> np.ndarray:
    """The same pixel values with other strides: C order, Fortran order, negative strides, every other element."""
    if layout == "C":
        return np.ascontiguousarray(image)
    if layout == "F":
        return np.asfortranarray(image)
    if layout == "reversed":
        flip = (slice(None, None, -1),) * image.ndim
        return np.ascontiguousarray(image[flip])[flip]
    if layout == "step2":
        big = np.zeros(tuple(2 * n for n in image.shape), image.dtype)
        view = big[(slice(None, None, 2),) * image.ndim]
        view[...] = image
        return view
    raise AssertionError(layout)


def as_unit(image: np.ndarray) -> np.ndarray:
    if image.dtype.kind == "u":
        return image.astype(np.float64) / np.iinfo(image.dtype).max
    return image.astype(np.float64)


# ------------------------------------------------------------ gaussian_blur


def test_kernel_radius_follows_scipy_rounding():
    # truncate * sigma rounded half up: scipy's rule, so the taps are the same.
    assert kernel_radius(1.0, 4.0) == 4
    assert kernel_radius(1.1, 4.0) == 4  # 4.4
    assert kernel_radius(1.125, 4.0) == 5  # 4.5
    assert kernel_radius(0.1, 4.0) == 0  # a single tap: identity
    weights = gaussian_weights(1.5, 3.0)
    assert weights.size == 2 * 5 + 1 and abs(weights.sum() - 1) < 1e-15
    np.testing.assert_array_equal(weights, weights[::-1])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("boundary", ["reflect", "nearest", "periodic"])
def test_blur_keeps_a_constant_image(backend, dtype, shape, boundary):
    value = {np.uint8: 77, np.uint16: 40000}.get(dtype, 0.3)
    image = np.full(shape, value, dtype)
    got = gaussian_blur(image, 2.5, boundary=boundary, backend=backend)
    assert got.shape == image.shape and got.dtype == image.dtype and got is not image
    if image.dtype.kind == "u":
        np.testing.assert_array_equal(got, image)
    else:
        np.testing.assert_allclose(got, image, rtol=0, atol=1e-7 if dtype == np.float32 else 1e-15)


@pytest.mark.parametrize("boundary", ["reflect", "nearest", "periodic"])
@pytest.mark.parametrize("sigma,truncate", [(0.3, 4.0), (1.0, 4.0), (1.1, 4.0), (2.5, 2.0), (3.7, 4.0), (40.0, 4.0)])
@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (3, 2), (30, 41), (30, 41, 3), (12, 9, 4)])
def test_blur_matches_scipy_per_channel(backend, boundary, sigma, truncate, shape):
    # Includes kernels much wider than the image (sigma 40 on 1×1 to 30×41).
    image = scene(shape, np.float64, seed=3)
    got = gaussian_blur(image, sigma, truncate=truncate, boundary=boundary, backend=backend)
    mode = SCIPY_MODES[boundary]
    planes = image[..., None] if image.ndim == 2 else image
    expected = np.stack(
        [ndi.gaussian_filter(planes[..., c], sigma, mode=mode, truncate=truncate) for c in range(planes.shape[2])],
        axis=-1,
    ).reshape(image.shape)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
def test_blur_of_integers_is_the_rounded_float_blur(backend, dtype):
    image = scene((20, 26, 3), dtype, seed=1)
    got = gaussian_blur(image, 1.3, backend=backend)
    expected = from_unit_float(
        np.stack([ndi.gaussian_filter(as_unit(image)[..., c], 1.3, mode="reflect") for c in range(3)], axis=-1),
        np.dtype(dtype),
        clip=False,
    )
    if np.dtype(dtype).kind == "u":
        assert np.abs(got.astype(np.int64) - expected.astype(np.int64)).max() <= 1  # a value on a half level
    else:
        atol = float32_tolerance(backend, 1.3) if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got, expected, rtol=0, atol=atol)


def test_blur_blurs_alpha_and_never_mixes_channels(backend):
    image = scene((25, 19, 4), np.float64, seed=2)
    image[..., 1] = 0.0  # a channel of zeros stays zero only if no other channel leaks in
    got = gaussian_blur(image, 2.0, backend=backend)
    np.testing.assert_array_equal(got[..., 1], 0.0)
    for c in range(4):
        np.testing.assert_array_equal(got[..., c], gaussian_blur(np.ascontiguousarray(image[..., c]), 2.0, backend=backend))
    assert not np.array_equal(got[..., 3], image[..., 3])  # alpha is blurred too


def test_blur_conserves_mass_and_spreads_a_point(backend):
    image = np.zeros((31, 31))
    image[15, 15] = 1.0
    got = gaussian_blur(image, 2.0, backend=backend)
    assert abs(got.sum() - 1.0) < 1e-12
    # The centred impulse response is the outer product of the 1-D weights.
    weights = gaussian_weights(2.0, 4.0)
    np.testing.assert_allclose(got[15 - 8 : 15 + 9, 15 - 8 : 15 + 9], np.outer(weights, weights), rtol=0, atol=1e-15)


# ------------------------------------------------------------- unsharp_mask


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_unsharp_keeps_a_constant_image(backend, dtype, shape):
    value = {np.uint8: 200, np.uint16: 1234}.get(dtype, 0.6)
    image = np.full(shape, value, dtype)
    got = unsharp_mask(image, 2.0, 1.5, backend=backend)
    assert got.shape == image.shape and got.dtype == image.dtype
    if image.dtype.kind == "u":
        np.testing.assert_array_equal(got, image)
    else:
        atol = 1.5 * float32_tolerance(backend, 2.0) + 6 * 2.0**-24 if dtype == np.float32 else 1e-15
        np.testing.assert_allclose(got, image, rtol=0, atol=atol)


def test_unsharp_formula_and_threshold(backend):
    image = scene((30, 40), np.float64, seed=4)
    blurred = ndi.gaussian_filter(image, 1.5, mode="reflect")
    detail = image - blurred
    threshold = float(np.quantile(np.abs(detail), 0.6))
    expected = np.clip(np.where(np.abs(detail) > threshold, image + 0.7 * detail, image), 0, 1)
    got = unsharp_mask(image, 1.5, 0.7, threshold, backend=backend)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-14)
    quiet = np.abs(detail) <= threshold
    assert quiet.mean() > 0.5
    np.testing.assert_array_equal(got[quiet], image[quiet])  # small details untouched
    # threshold 1 leaves everything; amount 0 too.
    np.testing.assert_array_equal(unsharp_mask(image, 1.5, 3.0, 1.0, backend=backend), image)
    np.testing.assert_array_equal(unsharp_mask(image, 1.5, 0.0, backend=backend), image)


def test_unsharp_raises_contrast_at_an_edge(backend):
    step = np.tile(np.repeat([0.25, 0.75], 10), (5, 1))
    got = unsharp_mask(step, 1.0, 1.0, backend=backend)
    assert got[0, 9] < 0.25 and got[0, 10] > 0.75  # undershoot and overshoot beside the edge
    np.testing.assert_allclose(got[:, :3], 0.25, atol=1e-6)  # far from the edge: unchanged
    assert abs(got[0, 9] - 0.25) == pytest.approx(abs(got[0, 10] - 0.75))  # symmetric about the edge


@pytest.mark.parametrize("channels", [None, 3])
@pytest.mark.parametrize("dtype,atol", [(np.float64, 1e-12), (np.float32, 1e-6)])
@pytest.mark.parametrize("radius,amount", [(1.0, 1.0), (2.5, 0.6), (0.7, 3.0)])
def test_unsharp_matches_skimage(backend, channels, dtype, atol, radius, amount):
    skimage_filters = pytest.importorskip("skimage.filters")
    data = pytest.importorskip("skimage.data")
    photo = data.astronaut()[100:228, 150:310]
    image = (photo if channels else photo[..., 1]).astype(dtype) / dtype(255)
    # channel_axis=2, not -1: scikit-image 0.26 mishandles a negative channel axis (issue #7264).
    axis = 2 if channels else None
    theirs = skimage_filters.unsharp_mask(image, radius=radius, amount=amount, channel_axis=axis)
    ours = unsharp_mask(image, radius, amount, backend=backend)
    assert ours.dtype == theirs.dtype == dtype
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=atol)
    theirs = skimage_filters.unsharp_mask(image, radius=radius, amount=amount, channel_axis=axis, preserve_range=True)
    ours = unsharp_mask(image, radius, amount, clip=False, backend=backend)
    assert ours.min() < 0 or ours.max() > 1  # the unclipped comparison means something
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=atol)


def test_unsharp_uint8_matches_skimage_rounded(backend):
    skimage_filters = pytest.importorskip("skimage.filters")
    data = pytest.importorskip("skimage.data")
    image = data.astronaut()[::2, ::2]
    theirs = skimage_filters.unsharp_mask(image, radius=1.5, amount=0.8, channel_axis=2)  # float in [0, 1]
    ours = unsharp_mask(image, 1.5, 0.8, backend=backend)
    assert ours.dtype == np.uint8
    assert np.abs(ours.astype(np.int64) - np.floor(theirs * 255 + 0.5)).max() <= 1


@pytest.mark.parametrize("dtype", DTYPES)
def test_unsharp_colour_equals_per_channel(backend, dtype):
    # The blur must never run across the channel axis (cf. scikit-image #7264).
    image = scene((27, 33, 3), dtype, seed=5)
    got = unsharp_mask(image, 1.8, 1.2, 0.01, backend=backend)
    for c in range(3):
        np.testing.assert_array_equal(got[..., c], unsharp_mask(np.ascontiguousarray(image[..., c]), 1.8, 1.2, 0.01, backend=backend))


@pytest.mark.parametrize("dtype", DTYPES)
def test_unsharp_copies_alpha(backend, dtype):
    rgba = scene((21, 24, 4), dtype, seed=6)
    got = unsharp_mask(rgba, 1.0, 2.0, backend=backend)
    np.testing.assert_array_equal(got[..., 3], rgba[..., 3])
    np.testing.assert_array_equal(got[..., :3], unsharp_mask(np.ascontiguousarray(rgba[..., :3]), 1.0, 2.0, backend=backend))
    grey_alpha = scene((21, 24, 2), dtype, seed=7)
    got = unsharp_mask(grey_alpha, 1.0, 2.0, backend=backend)
    np.testing.assert_array_equal(got[..., 1], grey_alpha[..., 1])
    np.testing.assert_array_equal(got[..., 0], unsharp_mask(np.ascontiguousarray(grey_alpha[..., 0]), 1.0, 2.0, backend=backend))


def test_unsharp_clip(backend):
    image = scene((30, 30), np.float32, seed=8)
    clipped = unsharp_mask(image, 1.0, 3.0, backend=backend)
    free = unsharp_mask(image, 1.0, 3.0, clip=False, backend=backend)
    assert clipped.min() >= 0 and clipped.max() <= 1
    assert free.min() < 0 and free.max() > 1
    np.testing.assert_array_equal(clipped, np.clip(free, 0, 1))


# ------------------------------------------------------- layouts (hypothesis)


@st.composite
def images(draw):
    h = draw(st.integers(1, 14))
    w = draw(st.integers(1, 14))
    channels = draw(st.sampled_from([None, 1, 2, 3, 4]))
    dtype = draw(st.sampled_from(DTYPES))
    seed = draw(st.integers(0, 2**16))
    layout = draw(st.sampled_from(["C", "F", "reversed", "step2"]))
    shape = (h, w) if channels is None else (h, w, channels)
    return scene(shape, dtype, seed), layout


@settings(max_examples=40, deadline=None)
@given(case=images(), sigma=st.floats(0.2, 6.0), amount=st.floats(0.0, 3.0), threshold=st.floats(0.0, 0.2))
def test_layout_does_not_change_results(case, sigma, amount, threshold):
    image, layout = case
    strided = relayout(image, layout)
    for backend in _dispatch.backends():
        if has_kernel(backend, "gaussian_blur"):
            blurred = gaussian_blur(strided, sigma, backend=backend)
            assert blurred.shape == image.shape and blurred.dtype == image.dtype
            np.testing.assert_array_equal(blurred, gaussian_blur(image, sigma, backend=backend))
        if has_kernel(backend, "unsharp_mask"):
            sharp = unsharp_mask(strided, sigma, amount, threshold, backend=backend)
            assert sharp.shape == image.shape and sharp.dtype == image.dtype
            np.testing.assert_array_equal(sharp, unsharp_mask(image, sigma, amount, threshold, backend=backend))
            unit = as_unit(sharp)
            assert unit.min() >= 0 and unit.max() <= 1
    assert np.array_equal(strided, image)  # inputs are not modified


# ----------------------------------------------------------------- bad input


BAD_IMAGES = [
    (np.array([[0.1, np.nan]]), ValueError, "NaN"),
    (np.array([[0.1, np.inf]], np.float32), ValueError, "NaN"),
    (np.zeros((0, 4)), ValueError, "empty"),
    (np.zeros(5), ValueError, "H×W"),
    (np.zeros((2, 3, 4, 1)), ValueError, "H×W"),
    (np.zeros((4, 4, 5)), ValueError, "channels"),
    (np.zeros((4, 4), np.int32), TypeError, "dtype"),
    (np.zeros((4, 4), bool), TypeError, "dtype"),
    ("image.png", TypeError, "NumPy array"),
    (None, TypeError, "NumPy array"),
]


@pytest.mark.parametrize("bad,error,words", BAD_IMAGES)
def test_bad_images(backend, bad, error, words):
    with pytest.raises(error, match="image") as caught:
        gaussian_blur(bad, 1.0, backend=backend)
    assert words in str(caught.value)
    with pytest.raises(error, match="image"):
        unsharp_mask(bad, backend=backend)


@pytest.mark.parametrize(
    "kwargs,error,name",
    [
        ({"sigma": 0.0}, ValueError, "sigma"),
        ({"sigma": -1.0}, ValueError, "sigma"),
        ({"sigma": float("nan")}, ValueError, "sigma"),
        ({"sigma": float("inf")}, ValueError, "sigma"),
        ({"sigma": True}, TypeError, "sigma"),
        ({"sigma": "2"}, TypeError, "sigma"),
        ({"sigma": None}, TypeError, "sigma"),
        ({"sigma": 1e9}, ValueError, "sigma"),
        ({"sigma": 1.0, "truncate": 0.0}, ValueError, "truncate"),
        ({"sigma": 1.0, "truncate": float("nan")}, ValueError, "truncate"),
        ({"sigma": 1.0, "boundary": "mirror"}, ValueError, "boundary"),
        ({"sigma": 1.0, "boundary": None}, ValueError, "boundary"),
        ({"sigma": 1.0, "threads": 0}, ValueError, "threads"),
        ({"sigma": 1.0, "threads": 1.5}, TypeError, "threads"),
        ({"sigma": 1.0, "backend": "gpu"}, ValueError, "backend"),
    ],
)
def test_bad_blur_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        gaussian_blur(np.zeros((8, 8)), **kwargs)


@pytest.mark.parametrize(
    "kwargs,error,name",
    [
        ({"radius": 0.0}, ValueError, "radius"),
        ({"radius": float("nan")}, ValueError, "radius"),
        ({"radius": False}, TypeError, "radius"),
        ({"amount": -0.5}, ValueError, "amount"),
        ({"amount": float("nan")}, ValueError, "amount"),
        ({"amount": float("inf")}, ValueError, "amount"),
        ({"amount": True}, TypeError, "amount"),
        ({"amount": "1"}, TypeError, "amount"),
        ({"threshold": -0.01}, ValueError, "threshold"),
        ({"threshold": 1.5}, ValueError, "threshold"),
        ({"threshold": float("nan")}, ValueError, "threshold"),
        ({"threshold": None}, TypeError, "threshold"),
        ({"clip": "yes"}, TypeError, "clip"),
        ({"clip": 1}, TypeError, "clip"),
        ({"threads": -1}, ValueError, "threads"),
        ({"backend": 3}, ValueError, "backend"),
    ],
)
def test_bad_unsharp_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        unsharp_mask(np.zeros((8, 8)), **kwargs)


def test_an_explicit_backend_without_the_kernel_is_an_error():
    for backend in _dispatch.backends():
        if not has_kernel(backend, "gaussian_blur"):
            with pytest.raises(ValueError, match="gaussian_blur"):
                gaussian_blur(np.zeros((4, 4)), 1.0, backend=backend)


def test_docstring_examples_run():
    failures, tried = doctest.testmod(clearsight.sharpen, verbose=False, report=True)
    assert tried >= 2 and failures == 0
