"""``luminance_only=True`` on every door that has it, and ``wiener(balance="auto")``."""

from __future__ import annotations

import numpy as np
import pytest

import clearsight
from clearsight.deconv import MIN_AUTO_BALANCE, auto_balance
from clearsight.reference.color import LUMA_WEIGHTS

PSF = clearsight.psf.gaussian(1.2)

# (door, keyword arguments, its output is clipped to [0, 1] when `clip` is left at its default)
DOORS = [
    pytest.param(clearsight.wiener, dict(psf=PSF, balance=0.02), id="wiener"),
    pytest.param(clearsight.richardson_lucy, dict(psf=PSF, iterations=4), id="richardson_lucy"),
    pytest.param(clearsight.deconvolve_tv, dict(psf=PSF, weight=1e-3, iterations=4), id="deconvolve_tv"),
    pytest.param(clearsight.denoise_tv, dict(weight=0.05, max_iterations=20), id="denoise_tv"),
    pytest.param(clearsight.unsharp_mask, dict(radius=1.5, amount=0.8), id="unsharp_mask"),
]


def _scene(height: int = 40, width: int = 52) -> np.ndarray:
    """A colour picture in [0.15, 0.85] (nothing clips after a mild restoration) with edges."""
    rng = np.random.default_rng(11)
    yy, xx = np.mgrid[0:height, 0:width] / max(height, width)
    grey = 0.5 + 0.2 * np.sin(8 * xx + 3 * yy)
    grey[10:25, 12:30] += 0.15
    colour = np.stack([grey, 0.9 * grey + 0.05, 0.8 * grey + 0.1], axis=-1)
    return np.clip(colour + rng.normal(0, 0.01, colour.shape), 0.15, 0.85)


def _luma(image: np.ndarray) -> np.ndarray:
    return np.asarray(image[..., :3], np.float64) @ LUMA_WEIGHTS


@pytest.mark.parametrize("door, kwargs", DOORS)
def test_only_the_luma_changes(door, kwargs):
    image = _scene()
    result = door(image, **kwargs, luminance_only=True)
    assert result.shape == image.shape and result.dtype == image.dtype
    change = result - image
    # The same change in R, G and B: full-range Cb and Cr (differences of
    # channels) are untouched, so no colour fringes.
    np.testing.assert_allclose(change[..., 0], change[..., 1], atol=1e-12)
    np.testing.assert_allclose(change[..., 0], change[..., 2], atol=1e-12)
    # ... and that change is what the operation does to the luma plane alone.
    expected = door(_luma(image), **kwargs) - _luma(image)
    np.testing.assert_allclose(change[..., 0], expected, atol=1e-9)


@pytest.mark.parametrize("door, kwargs", DOORS)
def test_grey_images_ignore_the_flag(door, kwargs):
    grey = _scene()[..., 0]
    np.testing.assert_array_equal(door(grey, **kwargs, luminance_only=True), door(grey, **kwargs))
    grey_alpha = np.stack([grey, np.full_like(grey, 0.5)], axis=-1)
    np.testing.assert_array_equal(door(grey_alpha, **kwargs, luminance_only=True), door(grey_alpha, **kwargs))


@pytest.mark.parametrize("door, kwargs", DOORS)
def test_neutral_colour_image_equals_per_channel(door, kwargs):
    # R = G = B: the luma is the grey plane, so restoring it equals restoring each channel.
    grey = _scene()[..., 0]
    neutral = np.repeat(grey[..., None], 3, axis=-1)
    np.testing.assert_allclose(door(neutral, **kwargs, luminance_only=True), door(neutral, **kwargs), atol=1e-9)


@pytest.mark.parametrize("door, kwargs", DOORS)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_dtypes_and_alpha(door, kwargs, dtype):
    unit = _scene()
    rgba = np.concatenate([unit, np.linspace(0, 1, unit.shape[0] * unit.shape[1]).reshape(unit.shape[:2] + (1,))],
                          axis=-1)
    if np.dtype(dtype).kind == "u":
        image = np.rint(rgba * np.iinfo(dtype).max).astype(dtype)
    else:
        image = rgba.astype(dtype)
    result = door(image, **kwargs, luminance_only=True)
    assert result.dtype == image.dtype and result.shape == image.shape
    np.testing.assert_array_equal(result[..., 3], image[..., 3])
    # Within rounding of the float64 result.
    reference = door(rgba, **kwargs, luminance_only=True)
    top = np.iinfo(dtype).max if np.dtype(dtype).kind == "u" else 1.0
    tolerance = 1.0 if np.dtype(dtype).kind == "u" else 2e-4
    # Integer inputs are themselves rounded: allow for the operation's gain on that rounding too.
    slack = 3.0 if np.dtype(dtype).kind == "u" else 0.0
    assert np.max(np.abs(result[..., :3].astype(np.float64) - reference[..., :3] * top)) <= tolerance + slack


def test_luminance_only_is_clipped_in_rgb():
    image = _scene()
    image[5:15, 5:15] = [0.99, 0.2, 0.2]  # saturated red: sharpening overshoots R
    result = clearsight.unsharp_mask(image, 2.0, 3.0, luminance_only=True)
    assert result.min() >= 0.0 and result.max() <= 1.0
    unclipped = clearsight.unsharp_mask(image, 2.0, 3.0, luminance_only=True, clip=False)
    assert unclipped.max() > 1.0


@pytest.mark.parametrize(
    "door, kwargs",
    [pytest.param(d, k, id=i) for d, k, i in [
        (clearsight.wiener, dict(balance=0.02), "wiener"),
        (clearsight.richardson_lucy, dict(iterations=3), "richardson_lucy"),
        (clearsight.deconvolve_tv, dict(weight=1e-3, iterations=3), "deconvolve_tv"),
    ]],
)
def test_luminance_only_needs_one_psf(door, kwargs):
    psfs = np.stack([PSF] * 3, axis=-1)
    with pytest.raises(ValueError, match="psf"):
        door(_scene(), psfs, **kwargs, luminance_only=True)


@pytest.mark.parametrize("door, kwargs", DOORS)
@pytest.mark.parametrize("bad", ["yes", 1, None])
def test_luminance_only_must_be_a_bool(door, kwargs, bad):
    with pytest.raises(TypeError, match="luminance_only"):
        door(_scene(), **kwargs, luminance_only=bad)


def test_luminance_only_rejects_nan_in_any_channel():
    image = _scene()
    image[3, 4, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clearsight.wiener(image, PSF, luminance_only=True)


# ------------------------------------------------------------- balance="auto"


@pytest.mark.parametrize("regularizer", ["identity", "laplacian"])
def test_auto_balance_is_the_documented_rule(regularizer):
    rng = np.random.default_rng(5)
    image = np.clip(_scene() + rng.normal(0, 0.03, _scene().shape), 0, 1)
    sigma = float(np.mean(clearsight.estimate_noise(image, average=False)))
    balance = auto_balance(sigma, regularizer)
    assert balance == {"identity": 2.5 * sigma, "laplacian": 200 * sigma**2}[regularizer] > MIN_AUTO_BALANCE
    np.testing.assert_array_equal(
        clearsight.wiener(image, PSF, "auto", regularizer=regularizer),
        clearsight.wiener(image, PSF, balance, regularizer=regularizer),
    )


def test_auto_balance_has_a_floor_for_noise_free_images():
    flat = np.full((32, 32), 0.25)
    np.testing.assert_array_equal(clearsight.wiener(flat, PSF, "auto"), clearsight.wiener(flat, PSF, MIN_AUTO_BALANCE))


def test_auto_balance_tracks_the_noise():
    # More noise → a larger balance → a smoother result than a fixed small balance would give.
    rng = np.random.default_rng(2)
    sharp = _scene()[..., 0]
    from scipy.ndimage import convolve

    blurred = convolve(sharp, PSF, mode="reflect")
    for sigma in (0.003, 0.03):
        noisy = blurred + rng.normal(0, sigma, blurred.shape)
        auto = clearsight.wiener(noisy, PSF, "auto", clip=False)
        error_auto = np.mean((auto - sharp) ** 2)
        error_small = np.mean((clearsight.wiener(noisy, PSF, 1e-4, clip=False) - sharp) ** 2)
        error_large = np.mean((clearsight.wiener(noisy, PSF, 1.0, clip=False) - sharp) ** 2)
        assert error_auto < min(error_small, error_large)


@pytest.mark.parametrize("bad, error", [("automatic", TypeError), ("", TypeError), (None, TypeError)])
def test_bad_balance_strings(bad, error):
    with pytest.raises(error, match="balance"):
        clearsight.wiener(_scene(), PSF, bad)


def test_deconvolver_refuses_auto_balance():
    with pytest.raises(ValueError, match="balance='auto' needs the image"):
        clearsight.Deconvolver(PSF, (32, 32), balance="auto")
