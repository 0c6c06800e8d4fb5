"""Tests for clearsight.metrics.psnr."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from clearsight import metrics
from clearsight.metrics import psnr


def test_public_names():
    assert metrics.__all__ == ["ms_ssim", "niqe", "psnr", "ssim"]


def test_uint8_offset_of_one_level():
    a = np.full((8, 9), 100, dtype=np.uint8)
    assert psnr(a, a + 1) == pytest.approx(20 * math.log10(255), abs=1e-12)
    assert psnr(a + 1, a) == pytest.approx(20 * math.log10(255), abs=1e-12)


def test_uint16_offset_of_one_level():
    a = np.full((4, 4, 3), 30000, dtype=np.uint16)
    assert psnr(a, a + 1) == pytest.approx(20 * math.log10(65535), abs=1e-12)


def test_float_default_range_is_one():
    a = np.zeros((5, 5), dtype=np.float32)
    b = a + np.float32(0.1)
    # MSE = 0.01 (in float32 precision) -> 20 dB.
    assert psnr(a, b) == pytest.approx(20.0, abs=1e-5)


def test_known_mse():
    ref = np.array([[0, 0], [0, 0]], dtype=np.uint8)
    tst = np.array([[2, 0], [0, 0]], dtype=np.uint8)  # MSE = 4 / 4 = 1
    assert psnr(ref, tst) == pytest.approx(20 * math.log10(255))
    assert psnr(ref, tst, data_range=10) == pytest.approx(20.0)


def test_no_uint8_wraparound():
    ref = np.array([0], dtype=np.uint8)
    tst = np.array([255], dtype=np.uint8)
    assert psnr(ref, tst) == pytest.approx(0.0, abs=1e-12)


def test_matches_definition_on_random_images():
    rng = np.random.default_rng(0)
    ref = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    tst = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    mse = np.mean((ref.astype(float) - tst.astype(float)) ** 2)
    assert psnr(ref, tst) == pytest.approx(10 * math.log10(255**2 / mse), rel=1e-12)
    assert psnr(ref / 255.0, tst / 255.0) == pytest.approx(psnr(ref, tst), rel=1e-12)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_identical_is_inf_without_warnings(dtype):
    a = np.ones((3, 4), dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = psnr(a, a.copy())
    assert value == math.inf and isinstance(value, float)


def test_returns_python_float():
    a = np.zeros((2, 2), np.uint8)
    assert type(psnr(a, a + 3)) is float


def test_accepts_lists_with_explicit_range():
    assert psnr([[0.0, 0.0]], [[0.0, 0.5]], data_range=1.0) == pytest.approx(
        10 * math.log10(1 / 0.125)
    )


def test_shape_mismatch():
    with pytest.raises(ValueError, match="shape"):
        psnr(np.zeros((3, 3), np.uint8), np.zeros((3, 4), np.uint8))


def test_dtype_mismatch():
    with pytest.raises(ValueError, match="dtype"):
        psnr(np.zeros((3, 3), np.uint8), np.zeros((3, 3), np.float64))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("which", ["reference", "test"])
def test_non_finite_names_argument(bad, which):
    good = np.zeros((3, 3))
    broken = good.copy()
    broken[1, 2] = bad
    args = (broken, good) if which == "reference" else (good, broken)
    with pytest.raises(ValueError, match=which):
        psnr(*args)


@pytest.mark.parametrize("data_range", [0, -1.0, 0.0, math.nan, math.inf])
def test_bad_data_range(data_range):
    a = np.zeros((2, 2))
    with pytest.raises(ValueError, match="data_range"):
        psnr(a, a + 0.1, data_range=data_range)


def test_other_integer_dtype_needs_range():
    a = np.zeros((2, 2), np.int16)
    with pytest.raises(ValueError, match="data_range"):
        psnr(a, a + 1)
    assert psnr(a, a + 1, data_range=100) == pytest.approx(40.0)


def test_empty_rejected():
    with pytest.raises(ValueError):
        psnr(np.zeros((0, 3)), np.zeros((0, 3)))


def test_data_range_is_keyword_only():
    a = np.zeros((2, 2))
    with pytest.raises(TypeError):
        psnr(a, a, 1.0)  # type: ignore[misc]


# ---------------------------------------------------------------------------
# psnr: crop_border, y_channel, data ranges, strides
# ---------------------------------------------------------------------------

import hypothesis.extra.numpy as hnp  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from skimage.metrics import peak_signal_noise_ratio, structural_similarity  # noqa: E402

from clearsight.color import rgb_to_y  # noqa: E402
from clearsight.metrics import ms_ssim, ssim  # noqa: E402
from clearsight.reference import metrics as ref_metrics  # noqa: E402

# The kernels these tests exercise: tests taking ``backend`` run on every
# backend that has all three (today the NumPy reference only).
BACKEND_KERNELS = ("psnr", "ssim", "ms_ssim")

# Doors vs scikit-image, both float64 throughout: only the summation order
# differs (a few ulps of values <= 1); 1e-6 is the bound.
PEER_TOL = 1e-6


def _pair(shape, dtype=np.uint8, seed=0, noise=20.0):
    rng = np.random.default_rng(seed)
    top = 255 if dtype == np.uint8 else 65535 if dtype == np.uint16 else 1.0
    clean = rng.random(shape) * top
    noisy = np.clip(clean + rng.normal(0, noise * top / 255, shape), 0, top)
    if np.dtype(dtype).kind == "u":
        return np.round(clean).astype(dtype), np.round(noisy).astype(dtype)
    return clean.astype(dtype), noisy.astype(dtype)


def _skimage_ssim(x, y, data_range):
    kwargs = {"channel_axis": -1} if x.ndim == 3 else {}
    return structural_similarity(
        x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=data_range, **kwargs
    )


def test_psnr_crop_border_removes_every_side():
    ref = np.zeros((10, 12), np.uint8)
    tst = ref.copy()
    tst[:2, :] = 200  # only the top two rows differ
    tst[:, -2:] = 200
    assert psnr(ref, tst, crop_border=2) == math.inf
    inner = np.zeros((6, 8), np.uint8)
    tst[4, 5] = 3  # MSE = 9 / 48 on the cropped 6×8 image
    assert psnr(ref, tst, crop_border=2) == pytest.approx(20 * math.log10(255) - 10 * math.log10(9 / 48))
    assert psnr(ref, tst, crop_border=2) == pytest.approx(psnr(inner, tst[2:-2, 2:-2]))


def test_psnr_matches_skimage(backend):
    for dtype in (np.uint8, np.uint16, np.float32, np.float64):
        ref, tst = _pair((37, 41, 3), dtype)
        # scikit-image computes float32 in float32; clearsight always in float64.
        x, y = ref.astype(np.float64), tst.astype(np.float64)
        expected = peak_signal_noise_ratio(x, y, data_range=_range(dtype))
        assert psnr(ref, tst, backend=backend) == pytest.approx(expected, abs=1e-9)


def _range(dtype):
    return {np.uint8: 255.0, np.uint16: 65535.0}.get(dtype, 1.0)


def test_psnr_y_channel_uint8_is_matlab_rounded_y():
    ref, tst = _pair((20, 24, 3))
    y_ref, y_tst = rgb_to_y(ref), rgb_to_y(tst)
    assert y_ref.dtype == np.uint8  # MATLAB rgb2ycbcr on uint8 rounds
    assert psnr(ref, tst, y_channel=True) == psnr(y_ref, y_tst)
    assert psnr(ref, tst, y_channel=True, crop_border=3) == psnr(y_ref[3:-3, 3:-3], y_tst[3:-3, 3:-3])
    # RGBA: alpha ignored.
    alpha = np.full((20, 24, 1), 7, np.uint8)
    with_alpha = np.concatenate([ref, alpha], -1), np.concatenate([tst, alpha + 1], -1)
    assert psnr(*with_alpha, y_channel=True) == psnr(y_ref, y_tst)


def test_psnr_y_channel_float_is_unrounded_and_scales_with_data_range():
    ref, tst = _pair((16, 18, 3), np.float64)
    y = 16 / 255 + ref @ (np.array([65.481, 128.553, 24.966]) / 255)
    y_t = 16 / 255 + tst @ (np.array([65.481, 128.553, 24.966]) / 255)
    assert psnr(ref, tst, y_channel=True) == pytest.approx(psnr(y, y_t), abs=1e-10)
    assert psnr(255 * ref, 255 * tst, y_channel=True, data_range=255) == pytest.approx(psnr(y, y_t), abs=1e-9)
    assert ssim(255 * ref, 255 * tst, y_channel=True, data_range=255) == pytest.approx(
        ssim(y, y_t, data_range=1.0), abs=1e-12
    )


@pytest.mark.parametrize("shape", [(9, 10), (9, 10, 1)])
def test_y_channel_leaves_grey_as_is(shape):
    ref, tst = _pair(shape)
    assert psnr(ref, tst, y_channel=True) == psnr(ref, tst)


@pytest.mark.parametrize("metric", [psnr, ssim, ms_ssim])
def test_y_channel_refuses_two_channels(metric):
    ref, tst = _pair((200, 200, 2))
    with pytest.raises(ValueError, match="y_channel"):
        metric(ref, tst, y_channel=True)


@pytest.mark.parametrize("metric", [psnr, ssim])
def test_float_outside_unit_range_needs_data_range(metric):
    ref, tst = _pair((16, 16), np.float64)
    with pytest.raises(ValueError, match="data_range"):
        metric(ref * 255, tst * 255)
    with pytest.raises(ValueError, match="data_range"):
        metric(ref - 0.5, tst)
    metric(ref * 255, tst * 255, data_range=255)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_psnr_unit_range_edges(backend, dtype):
    # The compiled range check compares bit patterns first (-0.0 is the one
    # in-range value whose pattern exceeds 1.0's) and then exactly: a sample
    # of each kind, anywhere in a large contiguous or strided array.
    ref, tst = _pair((300, 260), dtype)
    for row, col in ((0, 0), (150, 77), (299, 259)):
        for value, accepted in ((-0.0, True), (1.0, True), (0.0, True), (np.nextafter(dtype(1), dtype(2)), False),
                                (-np.finfo(dtype).smallest_subnormal, False), (np.nan, False)):
            bad = tst.copy()
            bad[row, col] = value
            for a, b in ((ref, bad), (bad.T.copy().T, ref), (ref[:, ::-1], bad[:, ::-1])):
                if accepted:
                    assert np.isfinite(psnr(a, b, backend=backend))
                else:
                    with pytest.raises(ValueError):
                        psnr(a, b, backend=backend)


@pytest.mark.parametrize("metric", [psnr, ssim, ms_ssim])
@pytest.mark.parametrize("crop", [-1, 100, 1.5, True])
def test_bad_crop_border(metric, crop):
    ref, tst = _pair((200, 200))
    with pytest.raises((ValueError, TypeError), match="crop_border"):
        metric(ref, tst, crop_border=crop)


def test_psnr_non_finite_with_explicit_range_names_argument():
    good = np.zeros((4, 4))
    bad = good.copy()
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="test"):
        psnr(good, bad, data_range=2.0)
    bad[1, 1] = np.inf
    with pytest.raises(ValueError, match="reference"):
        psnr(bad, good, data_range=2.0)


def test_psnr_strided_views_match_contiguous():
    ref, tst = _pair((300, 260, 4), np.float32)
    views = [(ref[::-1, ::2, 1], tst[::-1, ::2, 1]), (ref[:, ::-3], tst[:, ::-3])]
    for a, b in views:
        assert psnr(a, b) == pytest.approx(psnr(a.copy(), b.copy()), rel=1e-13)


def test_psnr_large_image_uses_blocks_exactly():
    # More than one block, with a ragged last block.
    ref, tst = _pair((301, 257), np.uint8)
    diff = ref.astype(np.float64) - tst
    expected = 10 * math.log10(255**2 / np.mean(diff * diff))
    assert psnr(ref, tst) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("shape", [(1, 1), (1, 255), (257, 1), (300, 301), (513, 515, 3)])
def test_psnr_8bit_path_is_exact_at_extremes(shape):
    # Largest squared differences, ragged rows and blocks: the float32 row
    # sums of the 8-bit path must not round.
    rng = np.random.default_rng(2)
    ref = rng.choice(np.array([0, 255], np.uint8), shape)
    tst = (255 - ref).astype(np.uint8)
    assert psnr(ref, tst) == 0.0
    tst.reshape(-1)[::3] = ref.reshape(-1)[::3]
    if ref.size == 1:
        return
    diff = ref.astype(np.float64) - tst
    expected = 20 * math.log10(255) - 10 * math.log10(np.sum(diff * diff) / diff.size)
    assert psnr(ref, tst) == pytest.approx(expected, rel=1e-15, abs=1e-13)
    signed = (ref.astype(np.int16) - 128).astype(np.int8)
    assert psnr(signed, (-1 - signed.astype(np.int16)).astype(np.int8), data_range=255) == 0.0


# ---------------------------------------------------------------------------
# ssim
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float64])
@pytest.mark.parametrize("shape", [(64, 80), (11, 11), (40, 33, 3), (25, 30, 4)])
def test_ssim_matches_skimage(dtype, shape, backend):
    ref, tst = _pair(shape, dtype)
    expected = _skimage_ssim(ref, tst, _range(dtype))
    assert ssim(ref, tst, backend=backend) == pytest.approx(expected, abs=PEER_TOL)


def test_ssim_matches_skimage_on_photos():
    from skimage import data as skdata

    rng = np.random.default_rng(1)
    for image in (skdata.camera(), skdata.astronaut()[100:260, 50:250], skdata.coffee()[::3, ::3]):
        noisy = np.clip(image + rng.normal(0, 12, image.shape), 0, 255).astype(np.uint8)
        assert ssim(image, noisy) == pytest.approx(_skimage_ssim(image, noisy, 255), abs=PEER_TOL)
        # Float images in [0, 1]: scikit-image must be given data_range=1.
        a, b = image / 255.0, noisy / 255.0
        assert ssim(a, b) == pytest.approx(_skimage_ssim(a, b, 1.0), abs=PEER_TOL)


def test_ssim_float32_matches_skimage_in_float64():
    # scikit-image computes float32 input in float32; clearsight always in float64.
    ref, tst = _pair((48, 50, 3), np.float32)
    expected = _skimage_ssim(ref.astype(np.float64), tst.astype(np.float64), 1.0)
    assert ssim(ref, tst) == pytest.approx(expected, abs=PEER_TOL)


@pytest.mark.parametrize("shape", [(30, 41), (30, 41, 3)])
def test_ssim_full_map_is_skimage_map_without_its_border(shape):
    ref, tst = _pair(shape)
    value, ssim_map = ssim(ref, tst, full=True)
    kwargs = {"channel_axis": -1} if len(shape) == 3 else {}
    _, expected = structural_similarity(
        ref, tst, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255, full=True, **kwargs
    )
    assert ssim_map.shape == expected[5:-5, 5:-5].shape and ssim_map.dtype == np.float64
    np.testing.assert_allclose(ssim_map, expected[5:-5, 5:-5], rtol=0, atol=PEER_TOL)
    assert value == pytest.approx(ssim_map.mean(), abs=1e-15)


def test_ssim_crop_border_and_y_channel_match_skimage_on_y():
    ref, tst = _pair((50, 60, 3))
    y_ref, y_tst = rgb_to_y(ref)[4:-4, 4:-4], rgb_to_y(tst)[4:-4, 4:-4]
    assert ssim(ref, tst, crop_border=4, y_channel=True) == pytest.approx(
        _skimage_ssim(y_ref, y_tst, 255), abs=PEER_TOL
    )


def test_ssim_window_is_exactly_symmetric_and_folding_it_is_the_plain_filter():
    # The reference (and the compiled kernel after it) folds the taps,
    # w_k (a_k + a_{10-k}): that is the window only if the taps are equal in pairs.
    taps = ref_metrics.ssim_window()
    np.testing.assert_array_equal(taps, taps[::-1])
    plane = np.random.default_rng(11).random((37, 29)) * 255
    rows, cols = plane.shape[0] - 10, plane.shape[1] - 10
    across = sum(taps[k] * plane[:, k : k + cols] for k in range(11))
    plain = sum(taps[k] * across[k : k + rows] for k in range(11))
    # Another order of the same float64 sums: a few ulps of the values (<= 255).
    np.testing.assert_allclose(ref_metrics._filter_valid(plane, taps), plain, rtol=0, atol=255 * 2**-48)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_ssim_identity_is_exactly_one(dtype):
    ref, _ = _pair((23, 17, 3), dtype)
    assert ssim(ref, ref.copy()) == 1.0


def test_ssim_symmetric_and_bounded():
    for seed in range(5):
        a, b = _pair((20, 31), np.float64, seed=seed, noise=80)
        assert ssim(a, b) == ssim(b, a)
        assert -1.0 <= ssim(a, b) < 1.0


def test_ssim_of_a_constant_offset_is_pure_luminance():
    # Constant images: σ = 0, so SSIM is the luminance term alone.
    a = np.full((15, 15), 0.5)
    b = np.full((15, 15), 0.25)
    c1 = (0.01) ** 2
    assert ssim(a, b) == pytest.approx((2 * 0.5 * 0.25 + c1) / (0.5**2 + 0.25**2 + c1), rel=1e-12)


@pytest.mark.parametrize("shape", [(10, 30), (30, 10), (10, 10, 3)])
def test_ssim_smaller_than_window(shape):
    ref, tst = _pair(shape)
    with pytest.raises(ValueError, match="11×11"):
        ssim(ref, tst)


def test_ssim_window_after_crop_names_crop_border():
    ref, tst = _pair((20, 20))
    ssim(ref, tst, crop_border=4)
    with pytest.raises(ValueError, match="crop_border=5"):
        ssim(ref, tst, crop_border=5)


@pytest.mark.parametrize("metric", [ssim, ms_ssim])
def test_ssim_bad_inputs_name_the_argument(metric):
    ref, tst = _pair((180, 180), np.float64)
    with pytest.raises(ValueError, match="shape"):
        metric(ref, tst[:-1])
    with pytest.raises(ValueError, match="dtype"):
        metric(ref, tst.astype(np.float32))
    for bad in (np.nan, np.inf):
        broken = tst.copy()
        broken[3, 4] = bad
        with pytest.raises(ValueError, match="test"):
            metric(ref, broken)
        with pytest.raises(ValueError, match="reference"):
            metric(broken, ref, data_range=1.0)
    for value in (0, -1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="data_range"):
            metric(ref, tst, data_range=value)
    with pytest.raises(TypeError, match="data_range"):
        metric(ref, tst, data_range="1")
    with pytest.raises(ValueError, match="H×W"):
        metric(ref[0], tst[0])
    with pytest.raises(TypeError, match="y_channel"):
        metric(ref, tst, y_channel=1)
    with pytest.raises(TypeError, match="threads"):
        metric(ref, tst, threads="2")
    with pytest.raises(ValueError, match="backend"):
        metric(ref, tst, backend="fortran")


def test_ssim_full_must_be_bool():
    ref, tst = _pair((12, 12))
    with pytest.raises(TypeError, match="full"):
        ssim(ref, tst, full=1)


images = st.tuples(
    st.integers(11, 40), st.integers(11, 40), st.sampled_from([0, 1, 3]),
    st.sampled_from([np.uint8, np.uint16, np.float32, np.float64]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=images, seed=st.integers(0, 2**16), layout=st.sampled_from(["c", "negative", "interleaved", "fortran"]))
def test_ssim_property_matches_skimage(spec, seed, layout):
    rows, cols, channels, dtype = spec
    shape = (rows, cols) if channels == 0 else (rows, cols, channels)
    ref, tst = _pair(shape, dtype, seed=seed, noise=40)
    if layout == "negative":
        ref, tst = ref[::-1, ::-1], tst[::-1, ::-1]
    elif layout == "interleaved":
        wide = _pair((rows, cols, 3), dtype, seed=seed, noise=40)
        ref, tst = wide[0][..., 1], wide[1][..., 1]
    elif layout == "fortran":
        ref, tst = np.asfortranarray(ref), np.asfortranarray(tst)
    peak = _range(dtype)
    x, y = ref.astype(np.float64), tst.astype(np.float64)
    assert ssim(ref, tst) == pytest.approx(_skimage_ssim(x, y, peak), abs=PEER_TOL)
    assert psnr(ref, tst) == pytest.approx(peak_signal_noise_ratio(x, y, data_range=peak), rel=1e-12)


@given(arr=hnp.arrays(np.float64, st.tuples(st.integers(11, 20), st.integers(11, 20)), elements=st.floats(0, 1)))
@settings(max_examples=25, deadline=None)
def test_ssim_property_identity_and_symmetry(arr):
    flipped = arr[::-1].copy()
    assert ssim(arr, arr) == 1.0
    assert ssim(arr, flipped) == ssim(flipped, arr)


def test_results_do_not_depend_on_threads(backend):
    ref, tst = _pair((180, 190, 3))
    for metric in (psnr, ssim, ms_ssim):
        values = {metric(ref, tst, threads=t, backend=backend) for t in (1, 2, 3, 7)}
        assert len(values) == 1 or max(values) - min(values) < 1e-12


def test_concurrent_calls_agree_with_serial(backend):
    from concurrent.futures import ThreadPoolExecutor

    pairs = [_pair((60, 70, 3), seed=s) for s in range(6)]
    serial = [(psnr(a, b, backend=backend), ssim(a, b, backend=backend)) for a, b in pairs]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda p: (psnr(*p, backend=backend), ssim(*p, backend=backend)), pairs))
    assert threaded == serial


# ---------------------------------------------------------------------------
# ms_ssim
# ---------------------------------------------------------------------------


def _ms_ssim_independent(x, y, peak):
    """MS-SSIM written from the paper with scipy's filters (mirrored borders, then cropped)."""
    from scipy.ndimage import gaussian_filter

    def terms(a, b):
        f = lambda z: gaussian_filter(z, 1.5, truncate=3.5, mode="reflect")[5:-5, 5:-5]  # noqa: E731
        mx, my = f(a), f(b)
        vx, vy, cxy = f(a * a) - mx**2, f(b * b) - my**2, f(a * b) - mx * my
        c1, c2 = (0.01 * peak) ** 2, (0.03 * peak) ** 2
        cs = (2 * cxy + c2) / (vx + vy + c2)
        lum = (2 * mx * my + c1) / (mx**2 + my**2 + c1)
        return (lum * cs).mean(), cs.mean()

    weights = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
    result = 1.0
    for j, w in enumerate(weights):
        s, cs = terms(x, y)
        result *= (s if j == 4 else cs) ** w
        h, v = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
        x = x[:h, :v].reshape(h // 2, 2, v // 2, 2).mean(axis=(1, 3))
        y = y[:h, :v].reshape(h // 2, 2, v // 2, 2).mean(axis=(1, 3))
    return result


@pytest.mark.parametrize("shape", [(176, 176), (181, 203), (200, 177, 3)])
def test_ms_ssim_matches_independent_formula(shape, backend):
    ref, tst = _pair(shape, np.uint8, noise=30)
    if len(shape) == 2:
        expected = _ms_ssim_independent(ref.astype(float), tst.astype(float), 255.0)
    else:
        expected = np.mean(
            [_ms_ssim_independent(ref[..., c].astype(float), tst[..., c].astype(float), 255.0) for c in range(3)]
        )
    assert ms_ssim(ref, tst, backend=backend) == pytest.approx(expected, abs=1e-10)


def test_ms_ssim_known_answers():
    ref, tst = _pair((192, 180), np.float64, noise=40)
    assert ms_ssim(ref, ref.copy()) == 1.0
    assert ms_ssim(ref, tst) == ms_ssim(tst, ref)
    assert 0.0 < ms_ssim(ref, tst) < 1.0
    # Anti-correlated images: negative CS terms are clamped, giving 0, not NaN.
    assert ms_ssim(ref, 1.0 - ref) == 0.0
    assert sum(ref_metrics.MS_SSIM_WEIGHTS) == pytest.approx(1.0, abs=1e-3)


def test_ms_ssim_minimum_size():
    ref, tst = _pair((176, 200))
    ms_ssim(ref, tst)
    with pytest.raises(ValueError, match="176"):
        ms_ssim(ref[:175], tst[:175])
    with pytest.raises(ValueError, match="176"):
        ms_ssim(ref, tst, crop_border=1)
