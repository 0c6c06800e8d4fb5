"""Extreme but valid inputs on every public operation, on every backend that has it.

Each case states the behaviour it holds the operation to:

- *exact answers where one exists*: a constant image is a fixed point of
  denoising, blurring, sharpening, resizing and deconvolution (with a
  regularizer or prior that keeps the mean); a PSF of a single nonzero tap
  is the identity blur, so Wiener with a vanishing balance, Richardson-Lucy
  and TV deconvolution with weight 0 return the image; ``ssim(x, x) == 1``,
  ``psnr(x, x) == inf``; the noise level and sharpness of a constant are 0
  (to the round-off stated at the test);
- *finite output everywhere* for all-constant images, one pixel, 1×N and
  N×1, subnormal values, float64 values up to 1e30, the full uint16 range
  and balances of 1e-12 and 1e12;
- *a ValueError naming the argument* where the input is outside an
  operation's domain (images smaller than an SSIM window, an image without
  texture for NIQE).

Tolerances are derived from the working precision ε (2**-24 for float32
work, as the compiled kernels do for uint8, uint16 and float32 images;
2**-53 for float64): an FFT round trip over N samples errs by
O(log2 N · ε) relative, a K-tap weighted sum by O(K · ε).
Integer images are held to exact equality where the exact float result is
a whole number of grey levels (a constant, the image itself): the float
error is far below half a level, so rounding cannot move it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clearsight
from clearsight import _dispatch, _validate
from clearsight.metrics import ms_ssim, niqe, psnr, ssim
from clearsight.reference.metrics import ms_ssim_min_size
from clearsight.reference.sharpen import kernel_radius

DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
FLOAT_DTYPES = (np.float32, np.float64)
TINY = {np.float32: np.float32(1e-40), np.float64: 1e-310}  # subnormal in each type
EDGE = settings(max_examples=12, deadline=None)
SMALL = settings(max_examples=6, deadline=None)


def backends_with(kernel: str) -> list[str]:
    """The backends available here that have `kernel` (an operation runs on each)."""
    return [name for name in clearsight.backends() if hasattr(_dispatch._load(name), kernel)]


def on(kernel: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("backend_name", backends_with(kernel))


def work_eps(dtype: type, backend: str) -> float:
    """ε of the arithmetic: float64 images (and everything in the NumPy reference,
    which then rounds to the dtype) in float64, the rest in float32 on a compiled backend."""
    if np.dtype(dtype) == np.float64:
        return 2.0**-53
    return 2.0**-53 if backend == "numpy" else 2.0**-24


def output_eps(dtype: type, backend: str) -> float:
    """Round-off bound of a result: the work's ε plus the rounding to a float32 result."""
    return work_eps(dtype, backend) + (2.0**-24 if np.dtype(dtype) == np.float32 else 0.0)


def top(dtype: type) -> float:
    """The value of white in the dtype's own units."""
    return float(np.iinfo(dtype).max) if np.dtype(dtype).kind == "u" else 1.0


def constant(shape: tuple[int, ...], level: float, dtype: type) -> np.ndarray:
    """`level` in [0, 1] as a constant image of `dtype` (integers: the nearest level)."""
    if np.dtype(dtype).kind == "u":
        return np.full(shape, round(level * top(dtype)), dtype)
    return np.full(shape, level, dtype)


def random_image(shape: tuple[int, ...], dtype: type, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.random(shape)
    if np.dtype(dtype).kind == "u":
        return np.floor(values * top(dtype) + 0.5).astype(dtype)
    return values.astype(dtype)


def single_tap(rows: int, cols: int, value: float = 1.0) -> np.ndarray:
    """A PSF whose only nonzero tap is its centre (kh // 2, kw // 2): the identity blur."""
    psf = np.zeros((rows, cols))
    psf[rows // 2, cols // 2] = value
    return psf


def assert_close_or_equal(got: np.ndarray, want: np.ndarray, atol: float) -> None:
    """Equal for integer images, within `atol` (in [0, 1] units) for float ones."""
    assert got.shape == want.shape and got.dtype == want.dtype
    if got.dtype.kind == "u":
        np.testing.assert_array_equal(got, want)
    else:
        assert np.all(np.isfinite(got))
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=0, atol=atol)


def fft_round_off(shape: tuple[int, ...], dtype: type, backend: str, passes: int = 1) -> float:
    """Bound on `passes` FFT round trips over a padded grid no larger than 4×`shape`, for values ≤ 1."""
    samples = 16 * shape[0] * shape[1]
    return 8 * passes * max(1.0, math.log2(samples)) * output_eps(dtype, backend)


# Shapes: one pixel, 1×N, N×1, tiny and odd sizes, with and without channels.
sides = st.integers(1, 9)
channel_counts = st.sampled_from([None, 1, 3, 4])


@st.composite
def shapes(draw: st.DrawFn, colour: bool = False) -> tuple[int, ...]:
    kind = draw(st.sampled_from(["pixel", "row", "column", "small"]))
    h, w = {"pixel": (1, 1), "row": (1, draw(sides)), "column": (draw(sides), 1)}.get(
        kind, (draw(sides), draw(sides))
    )
    channels = draw(st.sampled_from([3, 4])) if colour else draw(channel_counts)
    return (h, w) if channels is None else (h, w, channels)


dtypes = st.sampled_from(DTYPES)
levels = st.sampled_from([0.0, 1.0, 0.3, 1 / 3, 0.5, 0.999])


# --------------------------------------------------------------------------
# Deconvolution: wiener, Deconvolver, richardson_lucy, deconvolve_tv
# --------------------------------------------------------------------------


@on("WienerPlan")
@EDGE
@given(shape=shapes(), dtype=dtypes, seed=st.integers(0, 99),
       boundary=st.sampled_from(["reflect", "periodic", "taper"]),
       regularizer=st.sampled_from(["identity", "laplacian"]), tap=st.sampled_from([1.0, 1e-300, 5e-324, 1e300]))
def test_wiener_single_tap_psf_and_vanishing_balance_returns_the_image(
    backend_name, shape, dtype, seed, boundary, regularizer, tap
):
    # The filter is 1 / (1 + balance |R|²) with |R|² <= 64: within 64 · 1e-12
    # of 1. Any tap value, even subnormal or huge, normalises to the delta.
    image = random_image(shape, dtype, seed)
    psf = single_tap(min(shape[0], 3), min(shape[1], 5), tap)
    got = clearsight.wiener(image, psf, 1e-12, regularizer=regularizer, boundary=boundary, backend=backend_name)
    assert_close_or_equal(got, image, 64e-12 + fft_round_off(shape, dtype, backend_name))


@on("WienerPlan")
@EDGE
@given(shape=shapes(), dtype=dtypes, level=levels, boundary=st.sampled_from(["reflect", "periodic", "taper"]),
       balance=st.sampled_from([1e-12, 0.01, 1.0, 1e12]))
def test_wiener_keeps_a_constant_with_the_laplacian_and_scales_it_with_identity(
    backend_name, shape, dtype, level, boundary, balance
):
    # A constant has only the zero frequency, where H = 1 and the Laplacian
    # vanishes: kept exactly. The identity regularizer scales it by 1 / (1 + balance).
    image = constant(shape, level, dtype)
    psf = clearsight.psf.gaussian(1.0, 3)[: shape[0], : shape[1]]
    kept = clearsight.wiener(image, psf, balance, regularizer="laplacian", boundary=boundary, backend=backend_name)
    assert_close_or_equal(kept, image, fft_round_off(shape, dtype, backend_name))
    scaled = clearsight.wiener(image, psf, balance, boundary=boundary, clip=False, backend=backend_name)
    if np.dtype(dtype).kind == "f":
        want = image.astype(np.float64)
        colour = _validate.colour_channels(shape)
        if image.ndim == 2:
            want /= 1.0 + balance
        else:
            want[..., :colour] /= 1.0 + balance  # alpha passes through
        want = want.astype(dtype)
        assert_close_or_equal(scaled, want, fft_round_off(shape, dtype, backend_name))


@on("WienerPlan")
@SMALL
@given(seed=st.integers(0, 99), balance=st.sampled_from([1e-12, 1e12]), dtype=dtypes,
       regularizer=st.sampled_from(["identity", "laplacian"]), clip=st.booleans())
def test_wiener_extreme_balances_stay_finite(backend_name, seed, balance, dtype, regularizer, clip):
    # 1e-12 is an almost bare inverse filter (gains up to 1 / (2 sqrt(1e-12)) = 5e5
    # where the PSF's spectrum vanishes); 1e12 all but zeroes the identity filter.
    image = random_image((17, 12, 3), dtype, seed)
    psf = clearsight.psf.motion(7.0, 30.0)
    out = clearsight.wiener(image, psf, balance, regularizer=regularizer, clip=clip, backend=backend_name)
    assert out.shape == image.shape and out.dtype == image.dtype
    assert np.all(np.isfinite(out))
    if clip or np.dtype(dtype).kind == "u":
        assert out.min() >= 0 and out.max() <= top(dtype)
    if balance == 1e12 and regularizer == "identity" and np.dtype(dtype).kind == "f":
        assert np.abs(out).max() <= 1e-10  # the image divided by 1 + 1e12, up to round-off


@on("WienerPlan")
@SMALL
@given(seed=st.integers(0, 99), scale=st.sampled_from([1e30, 1e-310]))
def test_wiener_is_linear_up_to_1e30_and_down_to_subnormals(backend_name, seed, scale):
    image = random_image((13, 16), np.float64, seed)
    psf = clearsight.psf.gaussian(1.2)
    unit = clearsight.wiener(image, psf, 1e-3, clip=False, backend=backend_name)
    big = clearsight.wiener(image * scale, psf, 1e-3, clip=False, backend=backend_name)
    assert np.all(np.isfinite(big))
    # Subnormals carry fewer significant bits: their absolute error is one subnormal step per operation.
    atol = 1e-9 * scale if scale > 1 else 1e4 * 5e-324
    np.testing.assert_allclose(big, unit * scale, rtol=0, atol=atol)


@on("WienerPlan")
@EDGE
@given(shape=shapes(), dtype=dtypes, level=levels)
def test_deconvolver_in_place_on_tiny_and_constant_frames(backend_name, shape, dtype, level):
    image = constant(shape, level, dtype)
    plan = clearsight.Deconvolver(single_tap(1, 1), shape, balance=1e-12, regularizer="laplacian", dtype=dtype,
                                  backend=backend_name)
    frame = image.copy()
    assert plan(frame, out=frame) is frame
    assert_close_or_equal(frame, image, fft_round_off(shape, dtype, backend_name))


@on("RichardsonLucyPlan")
@EDGE
@given(shape=shapes(), dtype=dtypes, seed=st.integers(0, 99),
       boundary=st.sampled_from(["reflect", "periodic", "taper", "zero"]),
       acceleration=st.sampled_from(["none", "biggs"]), tap=st.sampled_from([1.0, 5e-324]))
def test_richardson_lucy_single_tap_psf_returns_the_image(
    backend_name, shape, dtype, seed, boundary, acceleration, tap
):
    # With the identity blur one step maps any positive start to the data
    # (x · y / x), and the data is a fixed point; zeros stay zero.
    iterations = 4
    image = random_image(shape, dtype, seed)
    psf = single_tap(min(shape[0], 3), min(shape[1], 3), tap)
    got = clearsight.richardson_lucy(image, psf, iterations, acceleration=acceleration, boundary=boundary,
                                     backend=backend_name)
    assert_close_or_equal(got, image, fft_round_off(shape, dtype, backend_name, 4 * (iterations + 1)))


@on("RichardsonLucyPlan")
@EDGE
@given(shape=shapes(), dtype=dtypes, level=levels, boundary=st.sampled_from(["reflect", "periodic", "taper"]))
def test_richardson_lucy_keeps_a_constant(backend_name, shape, dtype, level, boundary):
    # The re-blurred constant is the constant, every ratio is 1 (0 stays 0 by the floor).
    iterations = 5
    image = constant(shape, level, dtype)
    psf = clearsight.psf.gaussian(1.0, 3)[: shape[0], : shape[1]]
    got = clearsight.richardson_lucy(image, psf, iterations, boundary=boundary, backend=backend_name)
    assert_close_or_equal(got, image, fft_round_off(shape, dtype, backend_name, 4 * (iterations + 1)))


@on("RichardsonLucyPlan")
@SMALL
@given(seed=st.integers(0, 99), scale=st.sampled_from([1e30, 1e-310, 0.0]),
       acceleration=st.sampled_from(["none", "biggs"]))
def test_richardson_lucy_is_finite_from_subnormals_to_1e30(backend_name, seed, scale, acceleration):
    # Plain iterations are homogeneous from the first on (the division floor
    # is relative to max y). Biggs's extrapolation is not: its first step
    # is measured from the fixed start 0.5, whatever the data's scale.
    image = random_image((12, 14), np.float64, seed)
    psf = clearsight.psf.motion(5.0, 60.0)
    unit = clearsight.richardson_lucy(image, psf, 5, acceleration=acceleration, clip=False, backend=backend_name)
    scaled = clearsight.richardson_lucy(image * scale, psf, 5, acceleration=acceleration, clip=False,
                                        backend=backend_name)
    assert np.all(np.isfinite(scaled)) and scaled.min() >= 0
    if scale == 0.0:
        assert not scaled.any()
    elif scale > 1 and acceleration == "none":
        np.testing.assert_allclose(scaled, unit * scale, rtol=1e-9)
    elif scale > 1:
        assert scaled.max() <= 10 * image.max() * scale
    else:
        assert scaled.max() <= image.max() * scale * 1.5 + 1e-320  # no blow-up of subnormal data


@on("TVDeconvolutionPlan")
@EDGE
@given(shape=shapes(), dtype=dtypes, seed=st.integers(0, 99),
       boundary=st.sampled_from(["unknown", "reflect", "periodic", "taper"]))
def test_deconvolve_tv_single_tap_psf_and_zero_weight_returns_the_image(backend_name, shape, dtype, seed, boundary):
    # Weight 0 is the bare inverse filter, the identity for the identity blur.
    iterations = 3
    image = random_image(shape, dtype, seed)
    psf = single_tap(min(shape[0], 3), min(shape[1], 3))
    got = clearsight.deconvolve_tv(image, psf, 0.0, iterations=iterations, boundary=boundary, backend=backend_name)
    assert_close_or_equal(got, image, fft_round_off(shape, dtype, backend_name, 4 * (iterations + 1)))


@on("TVDeconvolutionPlan")
@EDGE
@given(shape=shapes(), dtype=dtypes, level=levels,
       boundary=st.sampled_from(["unknown", "reflect", "periodic", "taper"]),
       prior=st.sampled_from(["tv", "hyper-laplacian"]), weight=st.sampled_from([1e-12, 1e-3, 1e12, "auto"]))
def test_deconvolve_tv_keeps_a_constant(backend_name, shape, dtype, level, boundary, prior, weight):
    # A constant has zero gradients (nothing to shrink) and only the zero
    # frequency, which the blur keeps: a fixed point at any weight.
    iterations = 4
    image = constant(shape, level, dtype)
    psf = clearsight.psf.gaussian(1.0, 3)[: shape[0], : shape[1]]
    got = clearsight.deconvolve_tv(image, psf, weight, prior=prior, iterations=iterations, boundary=boundary,
                                   backend=backend_name)
    assert_close_or_equal(got, image, fft_round_off(shape, dtype, backend_name, 4 * (iterations + 1)))


@on("TVDeconvolutionPlan")
@SMALL
@given(seed=st.integers(0, 99), scale=st.sampled_from([1e30, 1e-310]), prior=st.sampled_from(["tv", "hyper-laplacian"]),
       weight=st.sampled_from([1e-12, 1e-3, 1e12]))
def test_deconvolve_tv_is_finite_from_subnormals_to_1e30(backend_name, seed, scale, prior, weight):
    image = random_image((11, 13), np.float64, seed) * scale
    out = clearsight.deconvolve_tv(image, clearsight.psf.gaussian(1.0), weight, prior=prior, iterations=6,
                                   clip=False, backend=backend_name)
    # Weights are in [0, 1] pixel units: at 1e30 even 1e12 is a nearly bare
    # inverse filter, whose ringing is large but finite.
    assert np.all(np.isfinite(out))


# --------------------------------------------------------------------------
# denoise_tv, gaussian_blur, unsharp_mask
# --------------------------------------------------------------------------


@on("denoise_tv")
@EDGE
@given(shape=shapes(), dtype=dtypes, level=levels, weight=st.sampled_from([1e-12, 0.1, 1e12]),
       channels=st.sampled_from(["separate", "joint"]))
def test_denoise_tv_keeps_a_constant_exactly(backend_name, shape, dtype, level, weight, channels):
    # ∇u = 0, so the dual field never moves from 0 and u = f bit for bit.
    image = constant(shape, level, dtype)
    got = clearsight.denoise_tv(image, weight, channels=channels, backend=backend_name)
    np.testing.assert_array_equal(got, image)
    assert got.dtype == image.dtype


@on("denoise_tv")
@EDGE
@given(shape=shapes(), dtype=dtypes, seed=st.integers(0, 99), weight=st.sampled_from([1e-12, 0.1, 1e12]))
def test_denoise_tv_is_finite_and_keeps_the_mean(backend_name, shape, dtype, seed, weight):
    image = random_image(shape, dtype, seed)
    got = clearsight.denoise_tv(image, weight, max_iterations=30, backend=backend_name)
    assert got.shape == image.shape and got.dtype == image.dtype
    if np.dtype(dtype).kind == "f":
        assert np.all(np.isfinite(got))
        colour = image[..., :3] if image.ndim == 3 and image.shape[2] == 4 else image
        kept = got[..., :3] if image.ndim == 3 and image.shape[2] == 4 else got
        # u = f - div p and div p sums to 0 (one pass of rounding per iteration at most).
        np.testing.assert_allclose(kept.mean(dtype=np.float64), colour.mean(dtype=np.float64), rtol=0,
                                   atol=30 * 4 * output_eps(dtype, backend_name))


@on("denoise_tv")
@SMALL
@given(seed=st.integers(0, 99), dtype=st.sampled_from(FLOAT_DTYPES))
def test_denoise_tv_subnormal_and_1e30_images_stay_finite(backend_name, seed, dtype):
    image = random_image((9, 10), dtype, seed)
    tiny = clearsight.denoise_tv(image * TINY[dtype], 0.1, backend=backend_name)
    assert np.all(np.isfinite(tiny)) and np.abs(tiny).max() <= image.max() * TINY[dtype] * 1.01
    if dtype == np.float64:
        # Homogeneous with the weight scaled alike (the stopping test is relative).
        big = clearsight.denoise_tv(image * 1e30, 0.1 * 1e30, max_iterations=20, backend=backend_name)
        unit = clearsight.denoise_tv(image, 0.1, max_iterations=20, backend=backend_name)
        np.testing.assert_allclose(big, unit * 1e30, rtol=1e-9)


def blur_round_off(sigma: float, dtype: type, backend: str) -> float:
    """gaussian_blur's stated bound (its docstring): (K_rows + K_cols + 3) ε for values ≤ 1."""
    taps = 2 * kernel_radius(sigma, 4.0) + 1
    return (2 * taps + 3 + 16 * taps) * output_eps(dtype, backend)


@on("gaussian_blur")
@EDGE
@given(shape=shapes(), dtype=dtypes, level=levels, sigma=st.sampled_from([1e-12, 0.5, 1.5, 40.0]),
       boundary=st.sampled_from(["reflect", "nearest", "periodic"]))
def test_gaussian_blur_keeps_a_constant(backend_name, shape, dtype, level, sigma, boundary):
    # The weights sum to 1, folded onto the image however wide the kernel is.
    image = constant(shape, level, dtype)
    got = clearsight.gaussian_blur(image, sigma, boundary=boundary, backend=backend_name)
    assert_close_or_equal(got, image, blur_round_off(sigma, dtype, backend_name))


@on("gaussian_blur")
@SMALL
@given(shape=shapes(), dtype=st.sampled_from(FLOAT_DTYPES), seed=st.integers(0, 99))
def test_gaussian_blur_is_linear_from_subnormals_to_1e30(backend_name, shape, dtype, seed):
    image = random_image(shape, dtype, seed)
    unit = clearsight.gaussian_blur(image, 1.3, backend=backend_name).astype(np.float64)
    tiny = clearsight.gaussian_blur(image * TINY[dtype], 1.3, backend=backend_name)
    assert np.all(np.isfinite(tiny)) and np.abs(tiny).max() <= TINY[dtype] * 1.01
    if dtype == np.float64:
        big = clearsight.gaussian_blur(image * 1e30, 1.3, backend=backend_name)
        np.testing.assert_allclose(big, unit * 1e30, rtol=1e-12)


def test_gaussian_blur_refuses_a_kernel_wider_than_any_image():
    with pytest.raises(ValueError, match="sigma"):
        clearsight.gaussian_blur(np.zeros((4, 4)), 1e30)


@on("unsharp_mask")
@EDGE
@given(shape=shapes(), dtype=dtypes, level=levels, radius=st.sampled_from([1e-12, 1.0, 30.0]),
       amount=st.sampled_from([0.0, 1.0, 1e6]), threshold=st.sampled_from([0.0, 0.5]))
def test_unsharp_mask_keeps_a_constant(backend_name, shape, dtype, level, radius, amount, threshold):
    # The detail x - G of a constant is round-off only, multiplied by `amount`.
    image = constant(shape, level, dtype)
    got = clearsight.unsharp_mask(image, radius, amount, threshold, backend=backend_name)
    blur = blur_round_off(radius, dtype, backend_name)
    tolerance = amount * blur + (3 + 2 * amount) * output_eps(dtype, backend_name)
    if np.dtype(dtype).kind == "u" and amount * blur * top(dtype) >= 0.5:
        tolerance = 1.0  # a million times the blur's round-off reaches half a level
        np.testing.assert_allclose(got.astype(np.float64), image.astype(np.float64), rtol=0, atol=tolerance)
    else:
        assert_close_or_equal(got, image, tolerance)


@on("unsharp_mask")
@SMALL
@given(seed=st.integers(0, 99), scale=st.sampled_from([1e30, 1e-310]), amount=st.sampled_from([0.0, 1.0, 5.0]))
def test_unsharp_mask_without_clipping_is_linear_up_to_1e30(backend_name, seed, scale, amount):
    image = random_image((10, 9), np.float64, seed)
    unit = clearsight.unsharp_mask(image, 1.0, amount, clip=False, backend=backend_name)
    scaled = clearsight.unsharp_mask(image * scale, 1.0, amount, clip=False, backend=backend_name)
    assert np.all(np.isfinite(scaled))
    # Relative to the image's range (the detail cancels to small values).
    atol = 1e-12 * scale if scale > 1 else 1e4 * 5e-324
    np.testing.assert_allclose(scaled, unit * scale, rtol=0, atol=atol)
    if amount == 0.0:
        np.testing.assert_array_equal(scaled, image * scale)


# --------------------------------------------------------------------------
# estimate_noise, sharpness
# --------------------------------------------------------------------------


@on("estimate_noise")
@EDGE
@given(shape=shapes(), dtype=dtypes, level=levels)
def test_estimate_noise_of_a_constant_is_zero(backend_name, shape, dtype, level):
    # The db2 high-pass sums to 0 only up to float64 rounding, applied along
    # both axes: a constant c leaves coefficients of order ε² c (as in
    # PyWavelets, whose rounding the estimator reproduces), never more.
    image = constant(shape, level, dtype)
    sigmas = clearsight.estimate_noise(image, average=False, backend=backend_name)
    assert sigmas.dtype == np.float64 and np.all(np.isfinite(sigmas))
    assert np.all(sigmas >= 0) and np.all(sigmas <= 16 * (2.0**-53) ** 2)
    if level == 0.0:
        assert not sigmas.any()


@on("estimate_noise")
@SMALL
@given(shape=shapes(), seed=st.integers(0, 99))
def test_estimate_noise_scales_with_the_image_up_to_1e30(backend_name, shape, seed):
    image = random_image(shape, np.float64, seed)
    unit = clearsight.estimate_noise(image, backend=backend_name)
    big = clearsight.estimate_noise(image * 1e30, backend=backend_name)
    assert math.isfinite(unit) and unit >= 0 and math.isfinite(big)
    if min(shape[:2]) > 1:
        assert big == pytest.approx(unit * 1e30, rel=1e-12)
    else:
        # One row or column has no diagonal detail: the estimate is the
        # round-off of the high-pass along the flat axis, at most ε · max.
        assert unit <= 4 * 2.0**-53 and big <= 4 * 2.0**-53 * 1e30
    tiny = clearsight.estimate_noise(image * 1e-310, backend=backend_name)
    assert math.isfinite(tiny) and 0 <= tiny <= 1e-309


@on("sharpness")
@EDGE
@given(shape=shapes(), dtype=dtypes, level=levels)
def test_sharpness_of_a_constant_is_zero(backend_name, shape, dtype, level):
    value = clearsight.sharpness(constant(shape, level, dtype), backend=backend_name)
    assert isinstance(value, float) and 0.0 <= value <= 16 * (2.0**-52) ** 2


@on("sharpness")
@SMALL
@given(shape=shapes(), seed=st.integers(0, 99))
def test_sharpness_scales_quadratically_up_to_1e30(backend_name, shape, seed):
    image = random_image(shape, np.float64, seed)
    unit = clearsight.sharpness(image, backend=backend_name)
    big = clearsight.sharpness(image * 1e30, backend=backend_name)
    assert math.isfinite(big) and big == pytest.approx(unit * 1e60, rel=1e-9, abs=1e-300)
    assert math.isfinite(clearsight.sharpness(image * 1e-310, backend=backend_name))


# --------------------------------------------------------------------------
# resize
# --------------------------------------------------------------------------


@on("resize")
@EDGE
@given(shape=shapes(), dtype=dtypes, level=levels, scale=st.sampled_from([1e-3, 0.3, 0.5, 1.0, 2.7, 4.0]),
       method=st.sampled_from(["bicubic", "bilinear", "nearest", "area"]),
       boundary=st.sampled_from(["symmetric", "replicate"]), antialias=st.booleans())
def test_resize_keeps_a_constant(backend_name, shape, dtype, level, scale, method, boundary, antialias):
    # Every output sample is a normalised weighted sum of input samples.
    image = constant(shape, level, dtype)
    got = clearsight.resize(image, scale, method=method, boundary=boundary, antialias=antialias, backend=backend_name)
    want = np.broadcast_to(image.reshape(-1)[: 1 if image.ndim == 2 else image.shape[2]],
                           got.shape).astype(dtype) if image.ndim == 3 else np.full(got.shape, image.flat[0], dtype)
    taps = 4.0 / min(scale, 1.0) + 2
    assert got.shape[:2] == (math.ceil(shape[0] * scale), math.ceil(shape[1] * scale))
    # float32 images are summed in float32 by the AVX2 kernel: the docstring's
    # (K_r + K_c + 6) S_r S_c 2**-24 max|image|, S < 1.25 (at scale 1e-3, 4000
    # taps, ulps add up: 1 - 1.3e-6 was measured); float64 sums, a few ulps.
    tolerance = (2 * taps + 6) * 1.25**2 * 2.0**-24 if dtype == np.float32 else 4 * taps * 2.0**-53
    assert_close_or_equal(got, want, tolerance)


@on("resize")
@SMALL
@given(shape=shapes(), seed=st.integers(0, 99), scale=st.sampled_from([0.4, 3.0]))
def test_resize_is_linear_up_to_1e30_and_clips_uint16_full_range(backend_name, shape, seed, scale):
    image = random_image(shape, np.float64, seed)
    unit = clearsight.resize(image, scale, backend=backend_name)
    big = clearsight.resize(image * 1e30, scale, backend=backend_name)
    np.testing.assert_allclose(big, unit * 1e30, rtol=0, atol=1e-12 * 1e30)
    tiny = clearsight.resize(image * 1e-310, scale, backend=backend_name)
    assert np.all(np.isfinite(tiny))
    # The full uint16 range: kernels with non-negative weights make convex
    # combinations, which integers hold to the rounding of each axis' pass.
    extremes = np.where(random_image(shape, np.float64, seed + 1) > 0.5, 65535, 0).astype(np.uint16)
    for method in ("bilinear", "nearest", "area"):
        out = clearsight.resize(extremes, scale, method=method, backend=backend_name)
        exact = clearsight.resize(extremes.astype(np.float64), scale, method=method, backend=backend_name)
        assert out.dtype == np.uint16
        np.testing.assert_allclose(out, exact, rtol=0, atol=1.0)


# --------------------------------------------------------------------------
# Colour conversions
# --------------------------------------------------------------------------


@on("rgb_to_ycbcr")
@EDGE
@given(shape=shapes(colour=True), dtype=dtypes, level=levels)
def test_grey_has_neutral_chroma_and_comes_back(backend_name, shape, dtype, level):
    image = constant(shape, level, dtype)
    ycbcr = clearsight.rgb_to_ycbcr(image, backend=backend_name)
    neutral = 128 / 255 * top(dtype)  # 128 for uint8, 32896 for uint16: whole levels
    np.testing.assert_allclose(ycbcr[..., 1:3].astype(np.float64), neutral, rtol=0, atol=4 * output_eps(dtype, "cpp"))
    luma = clearsight.rgb_to_y(image, backend=backend_name)
    np.testing.assert_array_equal(luma, ycbcr[..., 0])
    back = clearsight.ycbcr_to_rgb(ycbcr, backend=backend_name)
    # Floats: exact to a few ε; integers: Y rounds to a level and 255/219 amplifies it to at most one level.
    atol = 1.0 if np.dtype(dtype).kind == "u" else 8 * output_eps(dtype, "cpp")
    np.testing.assert_allclose(back.astype(np.float64), image.astype(np.float64), rtol=0, atol=atol)
    if shape[2] == 4:
        np.testing.assert_array_equal(back[..., 3], image[..., 3])


@on("rgb_to_ycbcr")
@SMALL
@given(shape=shapes(colour=True), seed=st.integers(0, 99), scale=st.sampled_from([1e30, 1e-310]))
def test_colour_conversions_are_finite_from_subnormals_to_1e30(backend_name, shape, seed, scale):
    image = random_image(shape, np.float64, seed) * scale
    ycbcr = clearsight.rgb_to_ycbcr(image, backend=backend_name)
    back = clearsight.ycbcr_to_rgb(ycbcr, clip=False, backend=backend_name)
    assert np.all(np.isfinite(ycbcr)) and np.all(np.isfinite(back))
    # The offsets (16/255, 128/255) swamp subnormal inputs; at 1e30 they vanish.
    if scale > 1:
        np.testing.assert_allclose(back, image, rtol=1e-12, atol=1e-12 * scale)


# --------------------------------------------------------------------------
# psnr, ssim, ms_ssim, niqe
# --------------------------------------------------------------------------


@on("psnr")
@EDGE
@given(shape=shapes(), dtype=dtypes, seed=st.integers(0, 99))
def test_psnr_of_an_image_with_itself_is_infinite(backend_name, shape, dtype, seed):
    image = random_image(shape, dtype, seed)
    assert psnr(image, image.copy(), backend=backend_name) == math.inf


@on("psnr")
@EDGE
@given(shape=shapes(), dtype=st.sampled_from([np.uint8, np.uint16]))
def test_psnr_black_against_white_is_zero_db(backend_name, shape, dtype):
    black = np.zeros(shape, dtype)
    white = np.full(shape, np.iinfo(dtype).max, dtype)
    assert psnr(black, white, backend=backend_name) == pytest.approx(0.0, abs=1e-12)


@on("psnr")
@SMALL
@given(seed=st.integers(0, 99), scale=st.sampled_from([1e30, 1e-140]))
def test_psnr_is_scale_free_up_to_1e30(backend_name, seed, scale):
    x, y = random_image((9, 8), np.float64, seed), random_image((9, 8), np.float64, seed + 1)
    unit = psnr(x, y, backend=backend_name)
    assert psnr(x * scale, y * scale, data_range=scale, backend=backend_name) == pytest.approx(unit, rel=1e-12)


@on("ssim")
@EDGE
@given(shape=st.tuples(st.integers(11, 16), st.integers(11, 16)), channels=channel_counts, dtype=dtypes,
       seed=st.integers(0, 99), level=st.one_of(st.none(), levels))
def test_ssim_of_an_image_with_itself_is_one(backend_name, shape, channels, dtype, seed, level):
    # Each window's two factors are (2 a + C) / (a + a + C) with the same a: exactly 1.
    full_shape = shape if channels is None else (*shape, channels)
    image = random_image(full_shape, dtype, seed) if level is None else constant(full_shape, level, dtype)
    assert ssim(image, image.copy(), backend=backend_name) == 1.0


@on("ssim")
@SMALL
@given(seed=st.integers(0, 99))
def test_ssim_subnormal_and_1e30_images(backend_name, seed):
    x, y = random_image((12, 13), np.float64, seed), random_image((12, 13), np.float64, seed + 1)
    unit = ssim(x, y, backend=backend_name)
    assert ssim(x * 1e30, y * 1e30, data_range=1e30, backend=backend_name) == pytest.approx(unit, rel=1e-9)
    # Subnormal differences are nothing next to C1 = (0.01 · 1)²: indistinguishable images.
    assert ssim(x * 1e-310, y * 1e-310, backend=backend_name) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("data_range", [5e-324, 1e-200, 1e-151, 1e151, 1e300])
def test_metrics_refuse_a_data_range_whose_square_leaves_float64(data_range):
    # (0.01 L)² underflowed to 0 (SSIM 0 / 0 = NaN), L² overflowed (PSNR ±inf).
    x = np.zeros((12, 12))
    for metric in (psnr, ssim):
        with pytest.raises(ValueError, match="data_range"):
            metric(x, x, data_range=data_range)


@on("ssim")
@EDGE
@given(shape=shapes())
def test_ssim_refuses_images_smaller_than_its_window(backend_name, shape):
    with pytest.raises(ValueError, match=r"reference and test .* must be >= 11"):
        ssim(np.zeros(shape), np.zeros(shape), backend=backend_name)


@on("ms_ssim")
@SMALL
@given(level=levels, dtype=dtypes, seed=st.integers(0, 99))
def test_ms_ssim_of_an_image_with_itself_is_one(backend_name, level, dtype, seed):
    side = ms_ssim_min_size()
    image = constant((side, side), level, dtype) if seed % 2 else random_image((side, side + 3), dtype, seed)
    assert ms_ssim(image, image.copy(), backend=backend_name) == 1.0
    with pytest.raises(ValueError, match=rf"reference and test .* must be >= {side}"):
        ms_ssim(image[:-1], image[:-1], backend=backend_name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("level", [0.0, 0.5, 1.0])
def test_niqe_of_a_flat_image_is_undefined(dtype, level):
    # Every block's normalised luminance is 0: no feature can be fitted.
    with pytest.raises(ValueError, match=r"image has no .* texture"):
        niqe(constant((96, 100), level, dtype))


@pytest.mark.parametrize("shape", [(1, 1), (1, 200), (200, 1), (95, 96), (96, 95)])
def test_niqe_refuses_images_smaller_than_a_block(shape):
    with pytest.raises(ValueError, match=r"image must be at least 96×96"):
        niqe(np.zeros(shape))


def test_niqe_full_range_and_subnormal_images_are_finite():
    rng = np.random.default_rng(0)
    full_range = np.where(rng.random((96, 96)) > 0.5, 65535, 0).astype(np.uint16)
    assert math.isfinite(niqe(full_range))
    subnormal = rng.random((96, 96)) * 1e-310
    # Subnormal values in [0, 1] units are black to NIQE (255 · 1e-310): a flat image.
    with pytest.raises(ValueError, match="texture"):
        niqe(subnormal)
