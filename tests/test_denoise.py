"""The public TV-denoising door, ``denoise_tv``: agreement with scikit-image's
``denoise_tv_chambolle`` on real photos, known answers (fixed points, the
first pass, mean preservation), behaviour (weight against total variation,
PSNR gain, joint colour TV against per-channel TV), layouts and dtypes as
properties, and argument errors.

Every test taking ``backend`` runs once per available backend that has a
``denoise_tv`` kernel (a backend without one is skipped, with the reason).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clearsight import _dispatch, reference
from clearsight.denoise import denoise_tv
from clearsight.reference.denoise import chambolle, total_variation
from clearsight.reference.pixels import from_unit_float

skimage_data = pytest.importorskip("skimage.data", reason="scikit-image is the peer these tests compare with")
from skimage.restoration import denoise_tv_chambolle  # noqa: E402

# Backends run: those with every one of these kernels (see conftest.py).
BACKEND_KERNELS = ("denoise_tv",)

PEER_TOL = 1e-4  # issue 5: agreement with scikit-image on float images


def unit(picture: np.ndarray) -> np.ndarray:
    """uint8 picture → float64 in [0, 1]."""
    return picture.astype(np.float64) / 255.0


def photo(name: str) -> np.ndarray:
    """scikit-image's camera (512×512 grey) or a 256×256 crop of astronaut (RGB, face and suit), float64."""
    if name == "camera":
        return unit(skimage_data.camera())
    return unit(skimage_data.astronaut()[20:276, 120:376])


def peer(image: np.ndarray, weight: float, eps: float = 2e-4, max_iterations: int = 200) -> np.ndarray:
    """scikit-image's answer for `image` (float), channel by channel for colour."""
    return denoise_tv_chambolle(
        image, weight, eps=eps, max_num_iter=max_iterations, channel_axis=-1 if image.ndim == 3 else None
    )


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(1.0 / np.mean((np.asarray(a, np.float64) - b) ** 2)))


def chroma(rgb: np.ndarray) -> np.ndarray:
    """H×W×2 colour-difference planes (B - Y, R - Y) with BT.601 luma."""
    luma = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    return np.stack([rgb[..., 2] - luma, rgb[..., 0] - luma], axis=-1)


# ------------------------------------------------------- scikit-image agreement


@pytest.mark.parametrize("weight", [0.02, 0.1, 0.5])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["camera", "astronaut"])
def test_matches_skimage_on_photos(backend, name, dtype, weight):
    image = photo(name).astype(dtype)
    got = denoise_tv(image, weight, backend=backend)
    expected = peer(image, weight)
    assert got.dtype == expected.dtype == dtype and got.shape == image.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=PEER_TOL)
    assert np.abs(got.astype(np.float64) - image).max() > 10 * PEER_TOL  # it did denoise


@pytest.mark.parametrize("max_iterations", [1, 2, 3, 10])
def test_matches_skimage_pass_by_pass(backend, max_iterations):
    # A tiny eps never stops early: the result after exactly `max_iterations` passes.
    image = photo("camera")[::2, ::2] + 0.05 * np.random.default_rng(3).standard_normal((256, 256))
    got = denoise_tv(image, 0.2, eps=1e-12, max_iterations=max_iterations, backend=backend)
    np.testing.assert_allclose(got, peer(image, 0.2, 1e-12, max_iterations), rtol=0, atol=1e-9)
    if max_iterations == 1:  # the first pass returns the input itself
        np.testing.assert_array_equal(got, image)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_integer_images_match_skimage_on_unit_floats(backend, dtype):
    top = np.iinfo(dtype).max
    image = np.floor(photo("astronaut") * top + 0.5).astype(dtype)
    got = denoise_tv(image, 0.1, backend=backend)
    assert got.dtype == dtype and got.shape == image.shape
    expected = from_unit_float(peer(image.astype(np.float64) / top, 0.1), dtype, clip=True)
    assert np.abs(got.astype(np.int64) - expected.astype(np.int64)).max() <= 1


def test_numpy_reference_is_skimage_bit_for_bit():
    # The reference follows scikit-image's order of operations: on these photos
    # the stopping pass is the same and the results are identical.
    for name in ("camera", "astronaut"):
        for dtype in (np.float64, np.float32):
            image = photo(name).astype(dtype)
            np.testing.assert_array_equal(reference.denoise_tv(image, 0.1), peer(image, 0.1))


# ---------------------------------------------------------------- known answers


@pytest.mark.parametrize("channels", ["separate", "joint"])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 1), (17, 23), (17, 23, 1), (17, 23, 2), (17, 23, 3), (17, 23, 4)])
def test_constant_image_is_a_fixed_point(backend, shape, dtype, channels):
    value = 0.37 if np.dtype(dtype).kind == "f" else np.iinfo(dtype).max // 3
    image = np.full(shape, value, dtype=dtype)
    got = denoise_tv(image, 0.3, channels=channels, max_iterations=20, backend=backend)
    np.testing.assert_array_equal(got, image)
    assert got.dtype == image.dtype


@pytest.mark.parametrize("weight", [0, 0.0])
def test_zero_weight_returns_an_unchanged_copy(backend, weight):
    image = photo("astronaut")[:40, :50].astype(np.float32)
    got = denoise_tv(image, weight, backend=backend)
    np.testing.assert_array_equal(got, image)
    assert got is not image and not np.shares_memory(got, image)


@pytest.mark.parametrize("channels", ["separate", "joint"])
def test_mean_of_every_channel_is_kept(backend, channels):
    image = photo("astronaut")[:96, :96]
    got = denoise_tv(image, 0.3, channels=channels, backend=backend)
    np.testing.assert_allclose(got.mean(axis=(0, 1)), image.mean(axis=(0, 1)), rtol=0, atol=1e-12)


# ---------------------------------------------------------------------- behaviour


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("noise", [0.0, 0.1])
def test_total_variation_decreases_as_weight_grows(backend, noise, dtype):
    crop = photo("camera")[100:228, 180:308]
    image = (crop + noise * np.random.default_rng(0).standard_normal(crop.shape)).astype(dtype)
    weights = [0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    # Near convergence (small eps): the TV of the ROF minimiser is non-increasing in the weight.
    variations = [
        total_variation(denoise_tv(image, w, eps=1e-5, max_iterations=1000, backend=backend)) for w in weights
    ]
    assert all(later < earlier for earlier, later in itertools.pairwise(variations)), variations


def test_denoising_gaussian_noise_raises_psnr(backend):
    clean = photo("camera")
    noisy = clean + 0.1 * np.random.default_rng(0).standard_normal(clean.shape)
    before = psnr(noisy, clean)  # 20.0 dB
    after = psnr(denoise_tv(noisy, 0.1, backend=backend), clean)  # measured 28.3 dB
    assert after > before + 6.0, (before, after)
    # The same in uint8, the way a photo arrives (the noise is clipped by the conversion).
    noisy_u8 = np.floor(np.clip(noisy, 0, 1) * 255 + 0.5).astype(np.uint8)
    after_u8 = psnr(denoise_tv(noisy_u8, 0.1, backend=backend) / 255.0, clean)
    assert after_u8 > psnr(noisy_u8 / 255.0, clean) + 6.0


@pytest.mark.parametrize("shape", [(30, 40), (30, 40, 1), (30, 40, 2)])
def test_joint_equals_separate_for_one_colour_channel(backend, shape):
    image = np.random.default_rng(1).random(shape)
    separate = denoise_tv(image, 0.2, channels="separate", backend=backend)
    joint = denoise_tv(image, 0.2, channels="joint", backend=backend)
    np.testing.assert_array_equal(joint, separate)


def test_joint_and_separate_differ_on_colour(backend):
    image = photo("astronaut")[:64, :64]
    separate = denoise_tv(image, 0.2, backend=backend)
    joint = denoise_tv(image, 0.2, channels="joint", backend=backend)
    assert np.abs(joint - separate).max() > 0.01


@pytest.mark.parametrize("weight", [0.1, 0.2, 0.5])
def test_joint_keeps_the_hue_of_a_coloured_feature(backend, weight):
    # A reddish disk on grey. Per-channel TV removes the same contrast from
    # every channel, so the weak green contrast fades faster than the red and
    # the hue shifts; joint TV shrinks the colour-difference vector along itself.
    rows, cols = np.mgrid[0:64, 0:64]
    disk = (rows - 32) ** 2 + (cols - 32) ** 2 < 8**2
    contrast = np.array([0.3, 0.12, 0.0])
    image = 0.4 + disk[..., None] * contrast

    def hue_error_degrees(out: np.ndarray) -> float:
        found = out[disk].mean(axis=0) - out[~disk].mean(axis=0)
        cosine = found @ contrast / (np.linalg.norm(found) * np.linalg.norm(contrast))
        return float(np.degrees(np.arccos(min(1.0, cosine))))

    joint = hue_error_degrees(denoise_tv(image, weight, channels="joint", backend=backend))
    separate = hue_error_degrees(denoise_tv(image, weight, channels="separate", backend=backend))
    assert joint < 0.1 and separate > 2.0, (joint, separate)  # measured ~0 and 3-7 degrees


def test_joint_reduces_colour_noise_and_fringes_on_a_photo(backend):
    # Each mode at the weight (of a grid) that restores the noisy photo best:
    # joint TV restores better and leaves less false colour (chroma TV and
    # chroma error against the clean photo). Measured: PSNR 30.6 vs 29.4 dB,
    # chroma TV 586 vs 1080 (clean: 404), chroma RMS error 0.020 vs 0.029.
    clean = unit(skimage_data.astronaut()[100:228, 150:278])
    noisy = clean + 0.08 * np.random.default_rng(0).standard_normal(clean.shape)
    best = {}
    for mode in ("separate", "joint"):
        results = [denoise_tv(noisy, w, channels=mode, backend=backend) for w in (0.03, 0.05, 0.07, 0.1, 0.14, 0.2)]
        best[mode] = max(results, key=lambda out: psnr(out, clean))
    joint, separate = best["joint"], best["separate"]
    assert psnr(joint, clean) > psnr(separate, clean) + 0.5
    assert total_variation(chroma(joint)) < 0.8 * total_variation(chroma(separate))
    chroma_error = {m: np.sqrt(np.mean((chroma(out) - chroma(clean)) ** 2)) for m, out in best.items()}
    assert chroma_error["joint"] < 0.85 * chroma_error["separate"], chroma_error


def test_reference_reports_the_stopping_pass():
    image = photo("camera")[None]
    u, passes = chambolle(image, 0.1)
    assert 1 < passes < 200  # stopped by eps, not by the pass limit
    u_again, passes_again = chambolle(image, 0.1, eps=1e-300, max_iterations=passes)
    assert passes_again == passes
    np.testing.assert_array_equal(u, u_again)


# ------------------------------------------------------ properties (hypothesis)

LAYOUTS = ("C", "F", "flip rows", "flip columns", "every other")


def arrange(image: np.ndarray, layout: str) -> np.ndarray:
    """`image`'s values in another memory layout (same values, same shape)."""
    if layout == "F":
        return np.asfortranarray(image)
    if layout == "flip rows":
        return np.ascontiguousarray(image[::-1])[::-1]
    if layout == "flip columns":
        return np.ascontiguousarray(image[:, ::-1])[:, ::-1]
    if layout == "every other":
        wide = np.zeros((image.shape[0], 2 * image.shape[1]) + image.shape[2:], image.dtype)
        wide[:, ::2] = image
        return wide[:, ::2]
    return image


@st.composite
def images(draw):
    rows = draw(st.integers(1, 100))
    cols = draw(st.integers(1, 100))
    channels = draw(st.sampled_from([0, 1, 2, 3, 4]))
    dtype = np.dtype(draw(st.sampled_from([np.uint8, np.uint16, np.float32, np.float64])))
    seed = draw(st.integers(0, 2**32 - 1))
    shape = (rows, cols) if channels == 0 else (rows, cols, channels)
    rng = np.random.default_rng(seed)
    smooth = np.cumsum(rng.standard_normal(shape), axis=1) / np.sqrt(cols)  # texture and noise
    values = np.clip(0.5 + 0.2 * smooth + 0.05 * rng.standard_normal(shape), 0, 1)
    if dtype.kind == "u":
        return np.floor(values * np.iinfo(dtype).max + 0.5).astype(dtype)
    return values.astype(dtype)


PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@PROPERTY_SETTINGS
@given(
    image=images(),
    weight=st.sampled_from([0.0, 0.03, 0.15, 0.6]),
    channels=st.sampled_from(["separate", "joint"]),
    layout=st.sampled_from(LAYOUTS),
)
def test_properties(backend, image, weight, channels, layout):
    arranged = arrange(image, layout)
    before = arranged.copy()
    got = denoise_tv(arranged, weight, channels=channels, max_iterations=60, backend=backend)
    np.testing.assert_array_equal(arranged, before)  # input untouched
    assert got.shape == image.shape and got.dtype == image.dtype and got.flags.c_contiguous

    # Layout does not change the answer.
    contiguous = denoise_tv(image, weight, channels=channels, max_iterations=60, backend=backend)
    integer = image.dtype.kind == "u"
    if integer:
        assert np.abs(got.astype(np.int64) - contiguous.astype(np.int64)).max() <= 1
    else:
        np.testing.assert_allclose(got, contiguous, rtol=0, atol=1e-6)

    # Alpha passes through; colour channels keep their mean.
    planes, source = (got, image) if image.ndim == 3 else (got[..., None], image[..., None])
    colour = planes.shape[2] - 1 if planes.shape[2] in (2, 4) else planes.shape[2]
    np.testing.assert_array_equal(planes[..., colour:], source[..., colour:])
    if not integer:
        mean_tol = 1e-10 if image.dtype == np.float64 else 2e-6
        np.testing.assert_allclose(
            planes[..., :colour].mean(axis=(0, 1), dtype=np.float64),
            source[..., :colour].mean(axis=(0, 1), dtype=np.float64),
            rtol=0,
            atol=mean_tol,
        )

    # Per-channel mode is scikit-image with channel_axis (float64 peer on unit floats).
    if channels == "separate" and weight > 0:
        unit_float = source[..., :colour].astype(np.float64) / (np.iinfo(image.dtype).max if integer else 1)
        expected = denoise_tv_chambolle(
            unit_float if image.dtype != np.float32 else source[..., :colour],
            weight,
            max_num_iter=60,
            channel_axis=-1,
        )
        if integer:
            expected = from_unit_float(expected, image.dtype, clip=True)
            assert np.abs(planes[..., :colour].astype(np.int64) - expected.astype(np.int64)).max() <= 1
        else:
            np.testing.assert_allclose(planes[..., :colour], expected, rtol=0, atol=PEER_TOL)


# ----------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("image", "error", "words"),
    [
        (None, TypeError, "image"),
        ("picture", TypeError, "image"),
        (np.zeros((8, 8), np.int64), TypeError, "image must have dtype"),
        (np.zeros((8, 8), np.float16), TypeError, "image must have dtype"),
        (np.zeros(8), ValueError, "image must be H×W"),
        (np.zeros((2, 8, 8, 3)), ValueError, "image must be H×W"),
        (np.zeros((8, 8, 5)), ValueError, "channels"),
        (np.zeros((0, 8)), ValueError, "image is empty"),
        (np.full((8, 8), np.nan), ValueError, "image contains NaN"),
        (np.full((8, 8), np.inf, np.float32), ValueError, "image contains NaN"),
    ],
)
def test_bad_image(backend, image, error, words):
    with pytest.raises(error, match=words):
        denoise_tv(image, 0.1, backend=backend)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"weight": -0.1}, ValueError, "weight"),
        ({"weight": float("nan")}, ValueError, "weight"),
        ({"weight": float("inf")}, ValueError, "weight"),
        ({"weight": "0.1"}, TypeError, "weight"),
        ({"weight": None}, TypeError, "weight"),
        ({"weight": True}, TypeError, "weight"),
        ({"eps": 0}, ValueError, "eps"),
        ({"eps": -1e-4}, ValueError, "eps"),
        ({"eps": float("nan")}, ValueError, "eps"),
        ({"eps": float("inf")}, ValueError, "eps"),
        ({"eps": "small"}, TypeError, "eps"),
        ({"max_iterations": 0}, ValueError, "max_iterations"),
        ({"max_iterations": -5}, ValueError, "max_iterations"),
        ({"max_iterations": 10.0}, TypeError, "max_iterations"),
        ({"max_iterations": True}, TypeError, "max_iterations"),
        ({"channels": "both"}, ValueError, "channels"),
        ({"channels": None}, ValueError, "channels"),
        ({"threads": 0}, ValueError, "threads"),
        ({"threads": 1.5}, TypeError, "threads"),
    ],
)
def test_bad_arguments_name_the_argument(backend, kwargs, error, name):
    arguments = {"weight": 0.1, "backend": backend, **kwargs}
    with pytest.raises(error, match=name):
        denoise_tv(np.zeros((8, 8)), **arguments)


def test_bad_backend_names_the_argument():
    with pytest.raises(ValueError, match="backend"):
        denoise_tv(np.zeros((8, 8)), 0.1, backend="gpu")


def test_explicit_backend_without_the_kernel_says_so():
    for name in _dispatch.backends():
        module = _dispatch._load(name)
        if not hasattr(module, "denoise_tv"):
            with pytest.raises(ValueError, match="denoise_tv"):
                denoise_tv(np.zeros((8, 8)), 0.1, backend=name)


def test_numpy_backend_module_provides_the_kernel():
    assert _dispatch.resolve("numpy", "denoise_tv")[1] is reference
    assert "denoise_tv" in reference.__all__


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weight", [5e-324, 1e-300, 2.1e-144, 1e-45])
def test_negligible_weight_returns_the_input(backend, dtype, weight):
    # Found by the testing kit: tau / weight overflowed float32 and every
    # pixel became NaN. Such a weight changes nothing representable.
    image = np.random.default_rng(4).random((9, 11, 3)).astype(dtype)
    got = denoise_tv(image, weight, channels="joint", backend=backend)
    if weight < 0.25 / np.finfo(dtype).max:
        assert np.array_equal(got, image)
    else:
        np.testing.assert_allclose(got, image, rtol=0, atol=4 * weight + np.finfo(dtype).eps)
