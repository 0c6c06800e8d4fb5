"""The image-statistics doors, ``estimate_noise`` and ``sharpness``: the db2
transform against an independent formulation, known noise levels, peers,
colour handling, layouts and bad input.

Tests taking ``backend`` run once per available backend; a backend without
the kernel yet is skipped. The scikit-image peer test for the noise estimate
needs PyWavelets (``skimage.restoration.estimate_sigma`` imports it); it is
skipped, with that reason, where PyWavelets is not installed. The transform
is then held to PyWavelets' conventions by an independent formulation
(symmetric padding, full convolution, odd samples) and by PyWavelets'
tabulated db2 coefficients.
"""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings
from hypothesis import strategies as st

import clearsight.estimate
from clearsight import _dispatch
from clearsight.estimate import estimate_noise, sharpness
from clearsight.reference import estimate as ref
from clearsight.sharpen import gaussian_blur

# Backends run: those with every one of these kernels (see conftest.py).
BACKEND_KERNELS = ("estimate_noise", "sharpness")

DTYPES = (np.uint8, np.uint16, np.float32, np.float64)

# PyWavelets' table for db2 (the Daubechies 4-tap reconstruction low-pass),
# 60 digits in its source, here as the float64 it compiles to.
PYWT_DB2 = (0.48296291314453416, 0.8365163037378079, 0.2241438680420134, -0.12940952255126037)


def has_kernel(backend: str, kernel: str) -> bool:
    try:
        _dispatch.resolve(backend, kernel)
    except ValueError:
        return False
    return True




def quantise(unit: np.ndarray, dtype) -> np.ndarray:
    if np.dtype(dtype).kind == "u":
        return np.floor(np.clip(unit, 0, 1) * np.iinfo(dtype).max + 0.5).astype(dtype)
    return unit.astype(dtype)


def noisy_flat(shape, sigma, seed, level=0.5) -> np.ndarray:
    return level + sigma * np.random.default_rng(seed).standard_normal(shape)


def relayout(image: np.ndarray, layout: str) -> np.ndarray:
    """The same pixel values with other strides."""
    if layout == "C":
        return np.ascontiguousarray(image)
    if layout == "F":
        return np.asfortranarray(image)
    if layout == "reversed":
        flip = (slice(None, None, -1),) * image.ndim
        return np.ascontiguousarray(image[flip])[flip]
    big = np.zeros(tuple(2 * n for n in image.shape), image.dtype)
    view = big[(slice(None, None, 2),) * image.ndim]
    view[...] = image
    return view


# ------------------------------------------------------------- the transform


def test_db2_filters():
    np.testing.assert_array_equal(ref.DB2_SCALING, PYWT_DB2)  # bit for bit
    h, g = ref.DB2_SCALING, ref.DB2_DEC_HI
    assert h.sum() == pytest.approx(np.sqrt(2), abs=1e-15)
    assert (h**2).sum() == pytest.approx(1.0, abs=1e-15)
    assert h[0] * h[2] + h[1] * h[3] == pytest.approx(0.0, abs=1e-16)  # orthogonal to its shift by 2
    k = np.arange(4)
    assert g.sum() == pytest.approx(0.0, abs=1e-15)  # two vanishing moments
    assert (k * g).sum() == pytest.approx(0.0, abs=1e-15)
    assert (g**2).sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_array_equal(g, [-h[0], h[1], -h[2], h[3]])  # PyWavelets' sign and order


def test_mad_constant():
    stats = pytest.importorskip("scipy.stats")
    assert ref.MAD_TO_SIGMA == pytest.approx(1 / stats.norm.ppf(0.75), rel=1e-15)


def detail_by_convolution(x: np.ndarray) -> np.ndarray:
    """HH by another route: pad by L-1 = 3 with numpy's "symmetric" mode, take
    the full convolution with the high-pass along each axis, keep its odd samples."""
    g = ref.DB2_DEC_HI

    def one_axis(a):  # along axis 1 of a 2-D array
        padded = np.pad(a, ((0, 0), (3, 3)), mode="symmetric")
        full = np.array([np.convolve(row, g, mode="valid") for row in padded])  # length n + 3
        return full[:, 1::2]

    return one_axis(one_axis(x.T).T)


@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (2, 3), (3, 3), (4, 7), (5, 4), (16, 17), (33, 20)])
def test_diagonal_detail_matches_an_independent_formulation(shape):
    x = np.random.default_rng(sum(shape)).random(shape)
    got = ref.diagonal_detail(x)
    assert got.shape == ((shape[0] + 3) // 2, (shape[1] + 3) // 2)  # pywt's output length for db2
    np.testing.assert_allclose(got, detail_by_convolution(x), rtol=0, atol=1e-14)


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (3, 3), (5, 4), (33, 20), (64, 63)])
def test_diagonal_detail_is_pywt_dwtn_dd(shape):
    pywt = pytest.importorskip("pywt", reason="PyWavelets is not installed here")
    x = np.random.default_rng(sum(shape)).random(shape)
    np.testing.assert_array_equal(ref.diagonal_detail(x), pywt.dwtn(x, "db2")["dd"])  # bit for bit


def test_diagonal_detail_of_smooth_signals_vanishes_inside():
    # db2 has two vanishing moments: linear ramps leave no detail away from the borders.
    yy, xx = np.mgrid[0:20, 0:24].astype(np.float64)
    got = ref.diagonal_detail(0.3 + 0.01 * yy + 0.02 * xx + 0.001 * xx * yy)
    np.testing.assert_allclose(got[2:-2, 2:-2], 0.0, atol=1e-15)


# ----------------------------------------------------------- estimate_noise


@pytest.mark.parametrize("sigma", [0.01, 0.03, 0.1])
def test_noise_of_a_flat_image(backend, sigma):
    # On 256×256 there are 129² diagonal coefficients: the estimate's spread is
    # about 1.17/129 = 0.9 % of sigma (measured over 40 seeds: mean 0.995 sigma,
    # spread 1.0 %, extremes -2.5 % / +1.4 %). 5 % is five spreads.
    for seed in range(3):
        got = estimate_noise(noisy_flat((256, 256), sigma, seed), backend=backend)
        assert isinstance(got, float)
        assert got == pytest.approx(sigma, rel=0.05)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_noise_of_other_dtypes_is_in_unit_scale(backend, dtype):
    # uint8 adds rounding noise of 1/255/sqrt(12) = 0.0011, under 1 % of 0.02 in quadrature.
    unit = noisy_flat((256, 256), 0.02, 11)
    got = estimate_noise(quantise(unit, dtype), backend=backend)
    assert got == pytest.approx(0.02, rel=0.05)
    exact = np.asarray(quantise(unit, dtype), np.float64)
    if np.dtype(dtype).kind == "u":
        exact /= np.iinfo(dtype).max
    assert got == estimate_noise(exact, backend=backend)  # integers are only rescaled


def test_noise_of_a_constant_image_is_zero(backend):
    assert estimate_noise(np.zeros((40, 40)), backend=backend) == 0.0  # every coefficient is 0: left out
    assert estimate_noise(np.full((40, 40), 0.37), backend=backend) < 1e-15  # rounding-level details only
    assert estimate_noise(np.full((40, 40, 3), 200, np.uint8), backend=backend) < 1e-15


def test_noise_ignores_zero_coefficients(backend):
    # A black border (exact zeros) does not pull the median down.
    image = np.zeros((300, 300))
    image[:, :150] = noisy_flat((300, 150), 0.05, 3)
    assert estimate_noise(image, backend=backend) == pytest.approx(0.05, rel=0.05)


def test_noise_per_channel(backend):
    sigmas = (0.01, 0.04, 0.08)
    rgb = np.stack([noisy_flat((200, 200), s, i) for i, s in enumerate(sigmas)], axis=-1)
    per_channel = estimate_noise(rgb, average=False, backend=backend)
    assert isinstance(per_channel, np.ndarray) and per_channel.shape == (3,) and per_channel.dtype == np.float64
    np.testing.assert_allclose(per_channel, sigmas, rtol=0.05)
    for c in range(3):
        assert per_channel[c] == estimate_noise(np.ascontiguousarray(rgb[..., c]), backend=backend)
    assert estimate_noise(rgb, backend=backend) == pytest.approx(per_channel.mean(), rel=1e-15)
    # Alpha is not measured; a grey image gives one value.
    rgba = np.concatenate([rgb, noisy_flat((200, 200, 1), 0.3, 9)], axis=-1)
    np.testing.assert_array_equal(estimate_noise(rgba, average=False, backend=backend), per_channel)
    grey_alpha = rgba[..., [0, 3]]
    np.testing.assert_array_equal(estimate_noise(grey_alpha, average=False, backend=backend), per_channel[:1])
    assert estimate_noise(rgb[..., 0], average=False, backend=backend).shape == (1,)


def test_noise_on_photos(backend):
    data = pytest.importorskip("skimage.data")
    camera = data.camera()
    clean = estimate_noise(camera, backend=backend)
    assert 0 < clean < 0.01  # a clean photo: under 2.6 grey levels
    noisy = np.clip(camera / 255 + 0.05 * np.random.default_rng(0).standard_normal(camera.shape), 0, 1)
    assert estimate_noise(noisy, backend=backend) == pytest.approx(np.hypot(0.05, clean), rel=0.06)


def test_noise_matches_skimage_estimate_sigma(backend):
    pytest.importorskip("pywt", reason="skimage.restoration.estimate_sigma needs PyWavelets, not installed here")
    restoration = pytest.importorskip("skimage.restoration")
    skimage = pytest.importorskip("skimage")
    data = pytest.importorskip("skimage.data")
    rng = np.random.default_rng(0)
    camera = skimage.img_as_float(data.camera())
    astronaut = skimage.img_as_float(data.astronaut())
    for grey in (camera, np.clip(camera + 0.03 * rng.standard_normal(camera.shape), 0, 1)):
        assert estimate_noise(grey, backend=backend) == pytest.approx(restoration.estimate_sigma(grey), rel=1e-3)
    for rgb in (astronaut, np.clip(astronaut + 0.02 * rng.standard_normal(astronaut.shape), 0, 1)):
        theirs = restoration.estimate_sigma(rgb, channel_axis=-1)
        np.testing.assert_allclose(estimate_noise(rgb, average=False, backend=backend), theirs, rtol=1e-3)
        assert estimate_noise(rgb, backend=backend) == pytest.approx(
            restoration.estimate_sigma(rgb, channel_axis=-1, average_sigmas=True), rel=1e-3
        )


# ---------------------------------------------------------------- sharpness


def test_sharpness_matches_scipy_laplace(backend):
    for shape in [(1, 1), (1, 9), (2, 2), (37, 50)]:
        x = np.random.default_rng(shape[1]).random(shape)
        expected = ndi.laplace(x, mode="reflect").var()
        assert sharpness(x, backend=backend) == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_sharpness_known_answers(backend):
    assert sharpness(np.full((20, 30), 0.4), backend=backend) == 0.0
    assert sharpness(np.full((1, 1), 0.4), backend=backend) == 0.0
    # A checkerboard of 0 and 1: Laplacian ±4 inside, ±3 at edges, ±2 at corners.
    board = (np.indices((8, 8)).sum(axis=0) % 2).astype(np.float64)
    lap = ndi.laplace(board, mode="reflect")
    assert abs(lap).max() == 4
    assert sharpness(board, backend=backend) == pytest.approx(lap.var(), rel=1e-15)


def test_sharpness_falls_with_blur(backend):
    data = pytest.importorskip("skimage.data")
    for photo in (data.camera()[::2, ::2], data.astronaut()[::2, ::2]):
        scores = [sharpness(photo, backend=backend)]
        scores += [sharpness(gaussian_blur(photo, s), backend=backend) for s in (0.7, 1.5, 3.0)]
        assert all(a > b for a, b in itertools.pairwise(scores)), scores


@pytest.mark.parametrize("dtype", DTYPES)
def test_sharpness_of_colour_is_that_of_its_luma(backend, dtype):
    rng = np.random.default_rng(1)
    rgb = quantise(rng.random((30, 40, 3)), dtype)
    unit = np.asarray(rgb, np.float64) / (np.iinfo(dtype).max if np.dtype(dtype).kind == "u" else 1)
    luma = unit @ np.array([0.299, 0.587, 0.114])
    expected = ndi.laplace(luma, mode="reflect").var()
    assert sharpness(rgb, backend=backend) == pytest.approx(expected, rel=1e-12)
    # Alpha is ignored; a grey image and its R = G = B copy score the same.
    rgba = np.concatenate([rgb, quantise(rng.random((30, 40, 1)), dtype)], axis=-1)
    assert sharpness(rgba, backend=backend) == sharpness(rgb, backend=backend)
    grey = rgb[..., 0]
    assert sharpness(np.stack([grey] * 3, axis=-1), backend=backend) == pytest.approx(
        sharpness(grey, backend=backend), rel=1e-12
    )
    grey_alpha = rgba[..., [0, 3]]
    assert sharpness(grey_alpha, backend=backend) == sharpness(np.ascontiguousarray(grey), backend=backend)
    assert sharpness(grey[..., None], backend=backend) == sharpness(np.ascontiguousarray(grey), backend=backend)


# ------------------------------------------------------- layouts (hypothesis)


@st.composite
def images(draw):
    h = draw(st.integers(1, 20))
    w = draw(st.integers(1, 20))
    channels = draw(st.sampled_from([None, 1, 2, 3, 4]))
    dtype = draw(st.sampled_from(DTYPES))
    seed = draw(st.integers(0, 2**16))
    layout = draw(st.sampled_from(["C", "F", "reversed", "step2"]))
    shape = (h, w) if channels is None else (h, w, channels)
    return quantise(np.random.default_rng(seed).random(shape), dtype), layout


@settings(max_examples=40, deadline=None)
@given(case=images())
def test_layout_does_not_change_results(case):
    image, layout = case
    strided = relayout(image, layout)
    colour = image.shape[2] - 1 if image.ndim == 3 and image.shape[2] in (2, 4) else (image.shape[2] if image.ndim == 3 else 1)
    for backend in _dispatch.backends():
        if has_kernel(backend, "estimate_noise"):
            sigmas = estimate_noise(strided, average=False, backend=backend)
            assert sigmas.shape == (colour,) and np.all(sigmas >= 0) and np.all(np.isfinite(sigmas))
            np.testing.assert_array_equal(sigmas, estimate_noise(image, average=False, backend=backend))
        if has_kernel(backend, "sharpness"):
            score = sharpness(strided, backend=backend)
            assert score >= 0 and np.isfinite(score)
            assert score == pytest.approx(sharpness(image, backend=backend), rel=1e-12, abs=1e-300)
    assert np.array_equal(strided, image)


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "bad,error",
    [
        (np.array([[0.1, np.nan]]), ValueError),
        (np.zeros((3, 0)), ValueError),
        (np.zeros(7), ValueError),
        (np.zeros((3, 3, 6)), ValueError),
        (np.zeros((3, 3), np.int16), TypeError),
        ([["a"]], TypeError),
        (None, TypeError),
    ],
)
def test_bad_images(backend, bad, error):
    with pytest.raises(error, match="image"):
        estimate_noise(bad, backend=backend)
    with pytest.raises(error, match="image"):
        sharpness(bad, backend=backend)


def test_bad_arguments():
    image = np.zeros((8, 8))
    with pytest.raises(TypeError, match="average"):
        estimate_noise(image, average="no")
    with pytest.raises(TypeError, match="average"):
        estimate_noise(image, average=None)
    with pytest.raises(ValueError, match="threads"):
        estimate_noise(image, threads=0)
    with pytest.raises(ValueError, match="backend"):
        estimate_noise(image, backend="fast")
    with pytest.raises(ValueError, match="threads"):
        sharpness(image, threads=0)
    with pytest.raises(ValueError, match="backend"):
        sharpness(image, backend="")


def test_docstring_examples_run():
    failures, tried = doctest.testmod(clearsight.estimate, verbose=False, report=True)
    assert tried >= 2 and failures == 0
