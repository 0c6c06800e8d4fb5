"""TV / hyper-Laplacian deconvolution: the door ``clearsight.deconv.deconvolve_tv`` and
its NumPy reference (``clearsight.reference.tv_deconvolution``).

Shrinkage against brute-force minimisation, known answers (inverse filter at
weight 0, noise-free recovery, constant images), the automatic weight, the
Levin-table claim on a few pairs, properties over shapes, dtypes, channels
and strides, and bad input. Tests taking ``backend`` run once per backend
that has the kernel.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clearsight
from clearsight import reference
from clearsight.deconv import deconvolve_tv
from clearsight.reference import tv_deconvolution as tv
from clearsight.reference.deconvolution import transfer_function
from clearsight.reference.estimate import estimate_noise

# Backends run: those with every one of these kernels (see conftest.py).
BACKEND_KERNELS = ("TVDeconvolutionPlan",)

KERNEL = "TVDeconvolutionPlan"
DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
PSF = clearsight.psf.gaussian(1.0)
MOTION = clearsight.psf.motion(7, 30)
# A PSF whose transfer function stays >= 0.2: its inverse is well conditioned.
MILD = np.array([[0.0, 0.1, 0.0], [0.1, 0.6, 0.1], [0.0, 0.1, 0.0]])


def blocks(shape, seed=0, low=0.1, high=0.9) -> np.ndarray:
    """Piecewise-constant test picture in [low, high]: 8×8-pixel blocks of random grey."""
    rng = np.random.default_rng(seed)
    h, w = shape[:2]
    coarse = rng.uniform(low, high, ((h + 7) // 8, (w + 7) // 8) + tuple(shape[2:]))
    return np.repeat(np.repeat(coarse, 8, axis=0), 8, axis=1)[:h, :w]


def periodic_blur(x: np.ndarray, psf: np.ndarray) -> np.ndarray:
    return np.fft.irfft2(np.fft.rfft2(x) * transfer_function(psf / psf.sum(), x.shape), s=x.shape)


def as_dtype(unit: np.ndarray, dtype) -> np.ndarray:
    if np.dtype(dtype).kind == "u":
        return np.floor(np.clip(unit, 0, 1) * np.iinfo(dtype).max + 0.5).astype(dtype)
    return unit.astype(dtype)


def psnr(estimate: np.ndarray, truth: np.ndarray) -> float:
    return float(10 * np.log10(1.0 / np.mean((estimate - truth) ** 2)))


# ------------------------------------------------------------------ shrinkage

V = np.concatenate([np.linspace(-1.5, 1.5, 61), [0.0, 1e-12, -1e-12, 0.013, -0.2501]])
W_GRID = np.linspace(-1.6, 1.6, 320_001)  # step 1e-5


@pytest.mark.parametrize("alpha", [0.5, 2 / 3, 1.0, 2.0, 0.3, 0.8, 1.5])
@pytest.mark.parametrize("beta", [1.0, 2 * np.sqrt(2), 22.6, 256.0, 1e4])
def test_shrinkage_is_the_minimiser(alpha, beta):
    w = tv.shrink(V, beta, alpha)
    energy = tv.shrinkage_energy(w, V, beta, alpha)
    prior = np.abs(W_GRID) ** alpha  # |w|^α on the grid, once
    for i, v in enumerate(V):
        grid_energy = prior + 0.5 * beta * (W_GRID - v) ** 2
        best = int(np.argmin(grid_energy))
        # never worse than the best grid point, and no better than the continuous minimum allows
        assert energy[i] <= grid_energy[best] + 1e-12, (v, w[i], W_GRID[best])
        # the grid's best point is within a grid step of ours unless two minima (0 and the root) tie
        second = np.min(grid_energy[np.abs(W_GRID - W_GRID[best]) > 1e-2], initial=np.inf)
        if second - grid_energy[best] > 1e-6:
            assert abs(w[i] - W_GRID[best]) <= 2e-5, (v, w[i], W_GRID[best])


@pytest.mark.parametrize("alpha", [0.5, 2 / 3])
def test_closed_forms_agree_with_bisection(alpha):
    rng = np.random.default_rng(0)
    a = np.abs(np.concatenate([rng.normal(0, 1, 2000), rng.normal(0, 0.03, 2000), [0.0, 1e-300, 7.0]]))
    for beta in [0.5, 1.0, 8.0, 256.0, 1e4, 1e8]:
        np.testing.assert_allclose(np.abs(tv.shrink(a, beta, alpha)), tv._shrink_bisection(a, beta, alpha),
                                   rtol=0, atol=1e-12)


@pytest.mark.parametrize("alpha", [0.5, 2 / 3, 1.0, 2.0, 0.7, 1.3])
def test_shrinkage_is_odd_shrinking_and_monotone(alpha):
    v = np.linspace(-3, 3, 6001)
    for beta in (1.0, 8.0, 256.0):
        w = tv.shrink(v, beta, alpha)
        np.testing.assert_array_equal(w, -tv.shrink(-v, beta, alpha))
        assert np.all(np.abs(w) <= np.abs(v)) and np.all(w * v >= 0)
        assert np.all(np.diff(w) >= 0)


def test_soft_threshold_and_tikhonov_closed_forms():
    v = np.array([-2.0, -0.5, -0.1, 0.0, 0.05, 0.3, 4.0])
    np.testing.assert_allclose(tv.shrink(v, 4.0, 1.0), np.sign(v) * np.maximum(np.abs(v) - 0.25, 0))
    np.testing.assert_allclose(tv.shrink(v, 4.0, 2.0), v * 4.0 / 6.0)


def test_beta_schedule():
    schedule = tv.beta_schedule(9)
    np.testing.assert_allclose(schedule[:4], [(2 * np.sqrt(2)) ** k for k in range(4)])
    assert schedule[4:] == [64.0] * 5


# -------------------------------------------------------------- known answers

def test_weight_zero_is_the_inverse_filter(backend):
    image = blocks((30, 36), seed=1)
    got = deconvolve_tv(image, MILD, 0.0, boundary="periodic", iterations=3, clip=False, backend=backend)
    h = transfer_function(MILD, image.shape)
    expected = np.fft.irfft2(np.fft.rfft2(image) / h, s=image.shape)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("prior", ["tv", "hyper-laplacian"])
def test_noise_free_periodic_blur_with_tiny_weight_approaches_the_sharp_image(backend, prior):
    sharp = blocks((48, 48), seed=2)
    blurred = periodic_blur(sharp, MILD)
    errors = [np.abs(deconvolve_tv(blurred, MILD, weight, prior=prior, boundary="periodic", clip=False,
                                   backend=backend) - sharp).max()
              for weight in (1e-2, 1e-4, 1e-6, 1e-8)]
    assert np.all(np.diff(errors) < 0), errors
    assert errors[-1] < 1e-5
    # A Gaussian blur too (its transfer function comes close to 0), less exactly.
    restored = deconvolve_tv(periodic_blur(sharp, PSF), PSF, 1e-6, prior=prior, boundary="periodic",
                             backend=backend)
    assert psnr(restored, sharp) > 40


@pytest.mark.parametrize("boundary", tv.TV_BOUNDARIES)
@pytest.mark.parametrize("prior", ["tv", "hyper-laplacian"])
def test_constant_image_is_kept(backend, boundary, prior):
    image = np.full((21, 26), 0.42)
    got = deconvolve_tv(image, MOTION, 1e-3, prior=prior, boundary=boundary, iterations=10, backend=backend)
    np.testing.assert_allclose(got, image, rtol=0, atol=1e-10)


@pytest.mark.parametrize("prior", ["tv", "hyper-laplacian"])
def test_denoises_and_deblurs_a_noisy_blocky_image(backend, prior):
    rng = np.random.default_rng(3)
    sharp = blocks((64, 64), seed=3)
    noisy = periodic_blur(sharp, MOTION) + rng.normal(0, 0.01, sharp.shape)
    restored = deconvolve_tv(noisy, MOTION, prior=prior, boundary="periodic", backend=backend)
    wiener_best = max(psnr(clearsight.wiener(noisy, MOTION, b, boundary="periodic", backend="numpy"), sharp)
                      for b in (1e-3, 3e-3, 1e-2, 3e-2, 1e-1))
    assert psnr(restored, sharp) > wiener_best + 3


def test_unknown_boundary_recovers_a_valid_blur():
    signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(4)
    scene = blocks((72, 80), seed=4)
    kernel = MOTION
    r = kernel.shape[0] // 2
    observed = signal.convolve2d(scene, kernel, "valid")  # the scene goes on beyond the frame
    observed = observed + rng.normal(0, 0.005, observed.shape)
    truth = scene[r:-r, r:-r]
    scores = {b: psnr(deconvolve_tv(observed, kernel, boundary=b, backend="numpy"), truth)
              for b in ("unknown", "reflect", "periodic")}
    assert scores["unknown"] > scores["reflect"] > scores["periodic"], scores


def test_auto_weight_is_c_sigma_squared(backend):
    rng = np.random.default_rng(5)
    sharp = blocks((40, 44, 3), seed=5)
    image = np.stack([periodic_blur(sharp[..., c], PSF) for c in range(3)], axis=-1)
    image = image + rng.normal(0, 1, image.shape) * np.array([0.01, 0.02, 0.04])
    sigmas = estimate_noise(image)
    for prior in ("tv", "hyper-laplacian"):
        auto = deconvolve_tv(image, PSF, prior=prior, iterations=5, backend=backend)
        for c in range(3):
            weight = tv.AUTO_WEIGHT[prior] * sigmas[c] ** 2
            explicit = deconvolve_tv(image[..., c], PSF, weight, prior=prior, iterations=5, backend=backend)
            np.testing.assert_array_equal(auto[..., c], explicit)
    assert sigmas[0] < sigmas[1] < sigmas[2]


def test_door_equals_reference(backend):
    image = as_dtype(blocks((33, 40, 4), seed=6), np.float32)
    for prior, alpha in (("tv", None), ("hyper-laplacian", None), ("hyper-laplacian", 0.5),
                         ("hyper-laplacian", 1.3)):
        for boundary in tv.TV_BOUNDARIES:
            got = deconvolve_tv(image, MOTION, 2e-3, prior=prior, alpha=alpha, iterations=4, boundary=boundary,
                                backend=backend)
            expected = reference.deconvolve_tv(image, MOTION, 2e-3, prior, alpha, 4, boundary)
            # The door's stated backend tolerance for float32 FFT work (numpy: float64 throughout).
            atol = 1e-6 if backend == "numpy" else 4 * 5 * np.log2(64 * 64) * np.finfo(np.float32).eps
            np.testing.assert_allclose(got, expected, rtol=0, atol=atol)
            np.testing.assert_array_equal(got[..., 3], image[..., 3])


def test_alpha_one_is_tv_and_default_alpha_is_two_thirds(backend):
    image = blocks((30, 30), seed=7)
    options = dict(iterations=6, backend=backend)
    np.testing.assert_array_equal(deconvolve_tv(image, PSF, 1e-3, **options),
                                  deconvolve_tv(image, PSF, 1e-3, prior="hyper-laplacian", alpha=1, **options))
    np.testing.assert_array_equal(deconvolve_tv(image, PSF, 1e-3, prior="hyper-laplacian", **options),
                                  deconvolve_tv(image, PSF, 1e-3, prior="hyper-laplacian", alpha=2 / 3, **options))


def test_levin_pairs_beat_hindsight_wiener(data):
    """The quality table's claim on 4 of its 32 pairs, with fresh noise of the same σ (interior scoring;
    full table: benchmarks/quality_deconv.py)."""
    restoration = pytest.importorskip("skimage.restoration")
    signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(0)
    gains = []
    for image_index, kernel_index in ((1, 1), (2, 4), (3, 6), (4, 8)):
        sharp, kernel = data.image(image_index), data.kernel(kernel_index)
        blurred = signal.convolve2d(sharp, kernel, "valid")
        blurred = blurred + rng.normal(0, 0.01, blurred.shape)
        r, c = (kernel.shape[0] - 1) // 2, (kernel.shape[1] - 1) // 2
        truth = sharp[2 * r : sharp.shape[0] - 2 * r, 2 * c : sharp.shape[1] - 2 * c]

        def score(estimate):
            return psnr(estimate[r : estimate.shape[0] - r, c : estimate.shape[1] - c], truth)  # noqa: B023 - used in this iteration

        ours = score(deconvolve_tv(blurred, kernel, prior="hyper-laplacian", backend="numpy"))
        wiener = max(score(restoration.wiener(blurred, kernel, b)) for b in (0.001, 0.003, 0.01, 0.03, 0.1))
        gains.append(ours - wiener)
    assert np.mean(gains) > 1.5, gains


# ----------------------------------------------------------------- properties

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@st.composite
def cases(draw):
    h, w = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    channels = draw(st.sampled_from([None, 1, 2, 3, 4]))
    dtype = draw(st.sampled_from(DTYPES))
    kh, kw = draw(st.integers(1, min(h, 7))), draw(st.integers(1, min(w, 7)))
    seed = draw(st.integers(0, 2**16))
    layout = draw(st.sampled_from(["contiguous", "strided", "transposed", "fortran"]))
    boundary = draw(st.sampled_from(tv.TV_BOUNDARIES))
    prior = draw(st.sampled_from(tv.PRIORS))
    alpha = draw(st.sampled_from([None, 0.5, 1.2])) if prior == "hyper-laplacian" else None
    weight = draw(st.sampled_from(["auto", 0.0, 1e-3, 0.1]))
    iterations = draw(st.integers(1, 5))
    return h, w, channels, dtype, (kh, kw), seed, layout, boundary, prior, alpha, weight, iterations


def _layout(array: np.ndarray, layout: str) -> np.ndarray:
    if layout == "strided":
        big = np.zeros((array.shape[0] * 2, array.shape[1] * 3) + array.shape[2:], array.dtype)
        view = big[::2, ::3]
        view[...] = array
        return view
    if layout == "transposed":
        return np.swapaxes(np.ascontiguousarray(np.swapaxes(array, 0, 1)), 0, 1)
    if layout == "fortran":
        return np.asfortranarray(array)
    return array


@SETTINGS
@given(case=cases())
def test_properties(backend, case):
    h, w, channels, dtype, psf_shape, seed, layout, boundary, prior, alpha, weight, iterations = case
    rng = np.random.default_rng(seed)
    shape = (h, w) if channels is None else (h, w, channels)
    contiguous = as_dtype(rng.random(shape), dtype)
    image = _layout(contiguous, layout)
    psf = rng.random(psf_shape) + 0.01
    before = image.copy()
    options = dict(prior=prior, alpha=alpha, iterations=iterations, boundary=boundary, backend=backend)
    got = deconvolve_tv(image, psf, weight, **options)
    assert got.shape == image.shape and got.dtype == image.dtype
    np.testing.assert_array_equal(image, before)
    np.testing.assert_array_equal(got, deconvolve_tv(contiguous, psf, weight, **options))
    if dtype in (np.float32, np.float64):
        assert np.all(np.isfinite(got)) and got.min() >= 0 and got.max() <= 1
    if channels in (2, 4):
        np.testing.assert_array_equal(got[..., -1], image[..., -1])


# ------------------------------------------------------------------ bad input

IMAGE = blocks((12, 14), seed=10)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"weight": -1e-3}, ValueError, "weight"),
        ({"weight": float("nan")}, ValueError, "weight"),
        ({"weight": float("inf")}, ValueError, "weight"),
        ({"weight": "fast"}, ValueError, "weight"),
        ({"weight": True}, TypeError, "weight"),
        ({"weight": None}, TypeError, "weight"),
        ({"weight": [0.1, 0.2]}, TypeError, "weight"),
        ({"alpha": 0.0}, ValueError, "alpha"),
        ({"alpha": -0.5}, ValueError, "alpha"),
        ({"alpha": 2.5}, ValueError, "alpha"),
        ({"alpha": float("nan")}, ValueError, "alpha"),
        ({"alpha": "2/3"}, TypeError, "alpha"),
        ({"alpha": 0.5, "prior": "tv"}, ValueError, "alpha"),
        ({"prior": "l1"}, ValueError, "prior"),
        ({"iterations": 0}, ValueError, "iterations"),
        ({"iterations": -1}, ValueError, "iterations"),
        ({"iterations": 3.0}, TypeError, "iterations"),
        ({"boundary": "zero"}, ValueError, "boundary"),
        ({"clip": 1}, TypeError, "clip"),
        ({"threads": -2}, ValueError, "threads"),
        ({"backend": "cuda"}, ValueError, "backend"),
    ],
)
def test_rejects_bad_arguments(backend, kwargs, error, name):
    options = {"weight": 1e-3, "prior": "hyper-laplacian", "backend": backend, **kwargs}
    weight = options.pop("weight")
    with pytest.raises(error, match=name):
        deconvolve_tv(IMAGE, PSF, weight, **options)


@pytest.mark.parametrize(
    ("image", "psf", "error", "name"),
    [
        (np.where(np.eye(12, 14) > 0, np.nan, IMAGE), PSF, ValueError, "image"),
        (np.full((12, 14), -np.inf, np.float32), PSF, ValueError, "image"),
        (IMAGE.astype(np.float16), PSF, TypeError, "image"),
        (np.zeros((0, 14)), PSF, ValueError, "image"),
        (None, PSF, TypeError, "image"),
        (IMAGE, np.full((3, 3), np.inf), ValueError, "psf"),
        (IMAGE, -np.ones((3, 3)), ValueError, "psf"),
        (IMAGE, np.ones((3, 15)), ValueError, "psf"),
        (IMAGE, np.ones((3, 3), complex), TypeError, "psf"),
    ],
)
def test_rejects_bad_images_and_psfs(backend, image, psf, error, name):
    with pytest.raises(error, match=name):
        deconvolve_tv(image, psf, backend=backend)


