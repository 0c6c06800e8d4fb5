"""Richardson–Lucy deconvolution: the door ``clearsight.deconv.richardson_lucy`` and
its NumPy reference (``clearsight.reference.richardson_lucy``).

Known answers (fixed point, flux, adjoint, monotone start, Biggs–Andrews
speed-up), the scikit-image peer, the NaN/infinity guard, properties over
shapes, dtypes, channels and strides, and bad input. Tests taking
``backend`` run once per backend that has the kernel.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clearsight
from clearsight import _dispatch, reference
from clearsight.deconv import richardson_lucy
from clearsight.reference.richardson_lucy import RL_BOUNDARIES, RichardsonLucyPlan, division_floor

# Backends run: those with every one of these kernels (see conftest.py).
BACKEND_KERNELS = ("RichardsonLucyPlan",)

KERNEL = "RichardsonLucyPlan"
DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
PSF = clearsight.psf.gaussian(1.5)
MOTION = clearsight.psf.motion(9, 30)


def blocks(shape, seed=0, low=0.1, high=0.9) -> np.ndarray:
    """Piecewise-constant test picture in [low, high]: 8×8-pixel blocks of random grey."""
    rng = np.random.default_rng(seed)
    h, w = shape[:2]
    coarse = rng.uniform(low, high, ((h + 7) // 8, (w + 7) // 8) + tuple(shape[2:]))
    return np.repeat(np.repeat(coarse, 8, axis=0), 8, axis=1)[:h, :w]


def periodic_blur(x: np.ndarray, psf: np.ndarray) -> np.ndarray:
    plan = RichardsonLucyPlan(psf, x.shape, "periodic", True)
    return plan.blur(x)


def as_dtype(unit: np.ndarray, dtype) -> np.ndarray:
    if np.dtype(dtype).kind == "u":
        return np.floor(np.clip(unit, 0, 1) * np.iinfo(dtype).max + 0.5).astype(dtype)
    return unit.astype(dtype)


def psnr(estimate: np.ndarray, truth: np.ndarray) -> float:
    return float(10 * np.log10(1.0 / np.mean((estimate - truth) ** 2)))


# ---------------------------------------------------------------- known answers

@pytest.mark.parametrize("boundary", ["reflect", "periodic", "taper"])
@pytest.mark.parametrize("acceleration", ["none", "biggs"])
def test_constant_image_is_a_fixed_point(backend, boundary, acceleration):
    image = np.full((23, 31), 0.37)
    got = richardson_lucy(image, MOTION, 12, acceleration=acceleration, boundary=boundary, backend=backend)
    np.testing.assert_allclose(got, image, rtol=0, atol=1e-12)


def test_constant_image_is_a_fixed_point_in_every_dtype(backend):
    for dtype in DTYPES:
        image = as_dtype(np.full((14, 13, 3), 0.6), dtype)
        got = richardson_lucy(image, PSF, 5, backend=backend)
        assert got.dtype == image.dtype
        if image.dtype.kind == "u":
            np.testing.assert_array_equal(got, image)
        else:
            np.testing.assert_allclose(got, image, rtol=1e-6)


@pytest.mark.parametrize("acceleration", ["none", "biggs"])
def test_periodic_iteration_preserves_flux(backend, acceleration):
    rng = np.random.default_rng(3)
    image = rng.random((30, 41))
    got = richardson_lucy(image, MOTION, 15, acceleration=acceleration, boundary="periodic", clip=False,
                          backend=backend)
    np.testing.assert_allclose(got.sum(), image.sum(), rtol=1e-10)
    assert got.min() >= 0


@pytest.mark.parametrize("boundary", RL_BOUNDARIES)
@pytest.mark.parametrize("psf_shape", [(5, 5), (4, 6), (1, 3), (6, 1)])
def test_adjoint_is_exact(boundary, psf_shape):
    rng = np.random.default_rng(1)
    psf = rng.random(psf_shape)
    plan = RichardsonLucyPlan(psf, (17, 22), boundary, True)
    domain = plan.data(np.zeros((17, 22))).shape
    x, r = rng.standard_normal(domain), rng.standard_normal(domain)
    np.testing.assert_allclose(np.vdot(plan.blur(x), r), np.vdot(x, plan.blur_adjoint(r)), rtol=1e-12)


def test_zero_boundary_is_zero_padded_same_convolution():
    signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(2)
    x = rng.random((19, 24))
    for shape in [(5, 7), (3, 3), (9, 1)]:
        psf = rng.random(shape)
        psf /= psf.sum()
        plan = RichardsonLucyPlan(psf, x.shape, "zero", True)
        np.testing.assert_allclose(plan.blur(x), signal.convolve(x, psf, mode="same"), rtol=0, atol=1e-14)


@pytest.mark.parametrize("psf", [[[1.0, 0.0, 0.0]], [[0.0, 0.0, 1.0]], [[1.0, 0.0]], [[0.0], [0.0], [1.0]]])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_zero_boundary_one_sided_psf_is_an_exact_shift(backend, psf, dtype):
    # Found by the testing kit: such a PSF leaves a border of the plane that no
    # pixel reaches, where y / floor ~ 1/eps leaked through the FFT round-off
    # and moved every pixel by up to 0.4 (the backends disagreeing by 65 grey
    # levels). The data there are now ignored, and one step is the exact shift.
    psf = np.array(psf)
    image = np.random.default_rng(3).uniform(0.1, 1.0, (7, 9)).astype(dtype)
    (a,), (b,) = np.nonzero(psf)
    di, dj = a - psf.shape[0] // 2, b - psf.shape[1] // 2
    shifted = np.zeros_like(image)  # x[i, j] = y[i + di, j + dj] where that is inside
    shifted[max(-di, 0) : 7 - max(di, 0), max(-dj, 0) : 9 - max(dj, 0)] = \
        image[max(di, 0) : 7 + min(di, 0), max(dj, 0) : 9 + min(dj, 0)]
    got = richardson_lucy(image, psf, 1, boundary="zero", clip=False, backend=backend)
    np.testing.assert_allclose(got, shifted, rtol=0, atol=20 * np.finfo(dtype).eps)
    assert np.isfinite(richardson_lucy(image, psf, 30, boundary="zero", backend=backend)).all()


def test_noise_free_psnr_rises_monotonically_at_first(backend):
    sharp = blocks((64, 64))
    blurred = periodic_blur(sharp, PSF)
    scores = [psnr(richardson_lucy(blurred, PSF, n, boundary="periodic", backend=backend), sharp)
              for n in range(1, 11)]
    assert np.all(np.diff(scores) > 0), scores
    # The first iterate from a flat start is the data blurred once more; a few steps later it is sharper.
    assert scores[-1] > psnr(blurred, sharp) + 1


def test_biggs_reaches_plain_30_in_far_fewer_iterations():
    sharp = blocks((64, 64))
    blurred = periodic_blur(sharp, PSF)
    plan = RichardsonLucyPlan(PSF, sharp.shape, "periodic", True)
    plain = [psnr(x, sharp) for x in plan.iterate(blurred, 30, "none")]
    biggs = [psnr(x, sharp) for x in plan.iterate(blurred, 30, "biggs")]
    needed = next(i + 1 for i, value in enumerate(biggs) if value >= plain[-1])
    assert needed <= 15, (needed, plain[-1], biggs)  # measured: 13
    assert biggs[-1] > plain[-1] + 0.5


def test_biggs_first_two_steps_are_plain():
    sharp = blocks((40, 40))
    blurred = periodic_blur(sharp, MOTION)
    plan = RichardsonLucyPlan(MOTION, sharp.shape, "periodic", True)
    plain = list(plan.iterate(blurred, 3, "none"))
    biggs = list(plan.iterate(blurred, 3, "biggs"))
    np.testing.assert_array_equal(plain[0], biggs[0])
    np.testing.assert_array_equal(plain[1], biggs[1])
    assert not np.array_equal(plain[2], biggs[2])


def test_door_equals_reference(backend):
    image = as_dtype(blocks((33, 40, 3), seed=4), np.float32)
    for acceleration in ("none", "biggs"):
        for boundary in RL_BOUNDARIES:
            got = richardson_lucy(image, MOTION, 7, acceleration=acceleration, boundary=boundary, backend=backend)
            expected = reference.richardson_lucy(image, MOTION, 7, acceleration, boundary)
            # The door's stated backend tolerance for float32 work (numpy: float64 throughout).
            atol = 1e-6 if backend == "numpy" else 4 * 8 * np.log2(64 * 64) * np.finfo(np.float32).eps
            np.testing.assert_allclose(got, expected, rtol=0, atol=atol)


def test_per_channel_psfs(backend):
    image = blocks((30, 30, 3), seed=5)
    rng = np.random.default_rng(5)
    stack = np.stack([rng.random((5, 5)), np.eye(5), np.ones((5, 5))], axis=-1)
    got = richardson_lucy(image, stack, 6, backend=backend)
    for c in range(3):
        np.testing.assert_allclose(got[..., c], richardson_lucy(image[..., c], stack[..., c], 6, backend=backend),
                                   rtol=0, atol=1e-15)


# -------------------------------------------------------------- scikit-image peer

@pytest.mark.parametrize("psf", [PSF, MOTION, np.ones((3, 5))], ids=["gaussian", "motion", "box3x5"])
def test_matches_scikit_image_with_zero_boundary(backend, psf):
    restoration = pytest.importorskip("skimage.restoration")
    image = periodic_blur(blocks((48, 53), seed=6), psf)
    image = np.clip(image + np.random.default_rng(0).normal(0, 0.01, image.shape), 0, 1)
    ours = richardson_lucy(image, psf, 20, boundary="zero", clip=False, backend=backend)
    theirs = restoration.richardson_lucy(image, psf / psf.sum(), num_iter=20, clip=False)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    # Clipping: ours to [0, 1], theirs to [-1, 1]; data >= 0 keeps both >= 0.
    clipped = richardson_lucy(image, psf, 20, boundary="zero", backend=backend)
    np.testing.assert_allclose(clipped, np.clip(restoration.richardson_lucy(image, psf, num_iter=20), 0, 1),
                               rtol=0, atol=1e-9)


def test_matches_scikit_image_on_a_levin_pair(data):
    restoration = pytest.importorskip("skimage.restoration")
    signal = pytest.importorskip("scipy.signal")
    sharp, kernel = data.image(1), data.kernel(3)
    blurred = np.clip(signal.convolve2d(sharp, kernel, "valid") + np.random.default_rng(0).normal(0, 0.01, (241, 241)),
                      0, 1)
    ours = richardson_lucy(blurred, kernel, 30, boundary="zero", clip=False, backend="numpy")
    theirs = restoration.richardson_lucy(blurred, kernel, num_iter=30, clip=False)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


# ------------------------------------------------------------------ the guard

def test_division_floor():
    data = np.array([[0.0, 0.5], [2.0, 1.0]])
    assert division_floor(data, True) == np.finfo(np.float64).eps * 2.0
    assert division_floor(data, False) == np.finfo(np.float32).eps * 2.0
    assert division_floor(np.full(3, 1e-40), False) == np.finfo(np.float32).tiny  # never subnormal


@pytest.mark.parametrize("boundary", RL_BOUNDARIES)
@pytest.mark.parametrize("acceleration", ["none", "biggs"])
def test_hostile_float32_data_stay_finite(backend, boundary, acceleration):
    rng = np.random.default_rng(8)
    cases = {
        "zeros": np.zeros((20, 24), np.float32),
        "negative": -rng.random((20, 24)).astype(np.float32),
        "one-bright-pixel": np.pad(np.ones((1, 1), np.float32), ((9, 10), (11, 12))),
        "tiny": np.full((20, 24), 1e-38, np.float32),
        "noise-around-black": rng.normal(0, 0.01, (20, 24)).astype(np.float32),
        "huge-range": (rng.random((20, 24)) ** 40).astype(np.float32),
    }
    for name, image in cases.items():
        got = richardson_lucy(image, MOTION, 25, acceleration=acceleration, boundary=boundary, clip=False,
                              backend=backend)
        assert np.all(np.isfinite(got)), name
        assert got.min() >= 0, name
        if name in ("zeros", "negative"):
            np.testing.assert_array_equal(got, 0)


def test_float32_1080p_has_no_nan_or_infinity(backend):
    rng = np.random.default_rng(9)
    sharp = np.zeros((1080, 1920), np.float32)
    sharp[200:800, 300:1500] = 0.8 * (np.sin(np.arange(1200) / 30.0) > 0)
    sharp[rng.integers(0, 1080, 300), rng.integers(0, 1920, 300)] = 1.0
    psf = clearsight.psf.motion(15, 30)
    blurred = RichardsonLucyPlan(psf, sharp.shape, "periodic", False).blur(sharp.astype(np.float64))
    noisy = (blurred + rng.normal(0, 0.01, blurred.shape)).astype(np.float32)
    got = richardson_lucy(noisy, psf, 4, acceleration="biggs", clip=False, backend=backend)
    assert got.dtype == np.float32
    assert np.all(np.isfinite(got))


# --------------------------------------------------------------- properties

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@st.composite
def cases(draw):
    h, w = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    channels = draw(st.sampled_from([None, 1, 2, 3, 4]))
    dtype = draw(st.sampled_from(DTYPES))
    kh, kw = draw(st.integers(1, min(h, 7))), draw(st.integers(1, min(w, 7)))
    seed = draw(st.integers(0, 2**16))
    layout = draw(st.sampled_from(["contiguous", "strided", "transposed", "fortran"]))
    boundary = draw(st.sampled_from(RL_BOUNDARIES))
    acceleration = draw(st.sampled_from(["none", "biggs"]))
    iterations = draw(st.integers(1, 6))
    return h, w, channels, dtype, (kh, kw), seed, layout, boundary, acceleration, iterations


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
    h, w, channels, dtype, psf_shape, seed, layout, boundary, acceleration, iterations = case
    rng = np.random.default_rng(seed)
    shape = (h, w) if channels is None else (h, w, channels)
    contiguous = as_dtype(rng.random(shape), dtype)
    image = _layout(contiguous, layout)
    psf = rng.random(psf_shape) + 0.01
    before = image.copy()
    got = richardson_lucy(image, psf, iterations, acceleration=acceleration, boundary=boundary, backend=backend)
    assert got.shape == image.shape and got.dtype == image.dtype
    np.testing.assert_array_equal(image, before)  # input untouched
    np.testing.assert_array_equal(got, richardson_lucy(contiguous, psf, iterations, acceleration=acceleration,
                                                       boundary=boundary, backend=backend))
    if dtype in (np.float32, np.float64):
        assert np.all(np.isfinite(got)) and got.min() >= 0 and got.max() <= 1
    if channels in (2, 4):
        np.testing.assert_array_equal(got[..., -1], image[..., -1])


# ----------------------------------------------------------------- bad input

IMAGE = blocks((12, 14), seed=10)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"iterations": 0}, ValueError, "iterations"),
        ({"iterations": -3}, ValueError, "iterations"),
        ({"iterations": 2.5}, TypeError, "iterations"),
        ({"iterations": True}, TypeError, "iterations"),
        ({"iterations": "5"}, TypeError, "iterations"),
        ({"acceleration": "fast"}, ValueError, "acceleration"),
        ({"acceleration": None}, ValueError, "acceleration"),
        ({"boundary": "mirror"}, ValueError, "boundary"),
        ({"boundary": "skimage"}, ValueError, "boundary"),
        ({"clip": "yes"}, TypeError, "clip"),
        ({"threads": 0}, ValueError, "threads"),
        ({"backend": "gpu"}, ValueError, "backend"),
    ],
)
def test_rejects_bad_arguments(backend, kwargs, error, name):
    options = {"iterations": 3, "backend": backend, **kwargs}
    iterations = options.pop("iterations")
    with pytest.raises(error, match=name):
        richardson_lucy(IMAGE, PSF, iterations, **options)


@pytest.mark.parametrize(
    ("image", "psf", "error", "name"),
    [
        (np.where(np.eye(12, 14) > 0, np.nan, IMAGE), PSF, ValueError, "image"),
        (np.full((12, 14), np.inf, np.float32), PSF, ValueError, "image"),
        (IMAGE.astype(np.int32), PSF, TypeError, "image"),
        (np.zeros((12, 14, 5)), PSF, ValueError, "image"),
        (np.zeros(7), PSF, ValueError, "image"),
        ("image.png", PSF, TypeError, "image"),
        (IMAGE, np.full((3, 3), np.nan), ValueError, "psf"),
        (IMAGE, -np.ones((3, 3)), ValueError, "psf"),
        (IMAGE, np.zeros((3, 3)), ValueError, "psf"),
        (IMAGE, np.ones((13, 3)), ValueError, "psf"),
        (IMAGE, np.ones((3, 3, 2)), ValueError, "psf"),
    ],
)
def test_rejects_bad_images_and_psfs(backend, image, psf, error, name):
    with pytest.raises(error, match=name):
        richardson_lucy(image, psf, 3, backend=backend)


def test_backend_without_the_kernel_says_so(monkeypatch):
    # A backend module that lacks this kernel (as the compiled one did before it was written).
    import types

    load = _dispatch._load
    monkeypatch.setattr(_dispatch, "_load", lambda name: types.ModuleType("bare") if name == "cpp" else load(name))
    with pytest.raises(ValueError, match=KERNEL):
        richardson_lucy(IMAGE, PSF, 3, backend="cpp")
    assert np.array_equal(richardson_lucy(IMAGE, PSF, 3), richardson_lucy(IMAGE, PSF, 3, backend="numpy"))


@pytest.mark.parametrize("acceleration, iterations", [("none", 30), ("biggs", 10)])
def test_default_iterations_depend_on_acceleration(acceleration, iterations):
    rng = np.random.default_rng(4)
    image = rng.random((24, 20))
    psf = clearsight.psf.gaussian(1.0)
    np.testing.assert_array_equal(
        clearsight.richardson_lucy(image, psf, acceleration=acceleration),
        clearsight.richardson_lucy(image, psf, iterations, acceleration=acceleration),
    )
