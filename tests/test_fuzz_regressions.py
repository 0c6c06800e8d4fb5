"""Regression tests for what the fuzz harnesses (fuzz/, docs/reliability.md) found.

Each test is one finding, its minimised input written as code. The
``backend`` fixture runs it on every backend available here, so a finding
that was a disagreement between the compiled core and the NumPy reference
stays fixed on both.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import clearsight
from clearsight import metrics
from clearsight.reference.richardson_lucy import normalised_psf, reached, zero_boundary_gain


def misaligned(x: np.ndarray) -> np.ndarray:
    """A copy of `x` whose buffer starts one byte past an aligned address."""
    raw = np.zeros(x.nbytes + 1, np.uint8)
    view = np.ndarray(x.shape, x.dtype, buffer=raw.data, offset=1)
    view[...] = x
    assert not view.flags.aligned
    return view


# F1 (fuzz_wiener): a NaN in the alpha plane of a grey+alpha image passed
# through Deconvolver/wiener on "cpp" (the kernel checks only the planes it
# reads; alpha is copied), while "numpy" refused it.
@pytest.mark.parametrize("channels", [2, 4])
def test_nan_in_alpha_is_refused(backend, channels):
    image = np.full((16, 16, channels), 0.5, np.float64)
    image[12, 13, -1] = np.nan
    psf = np.ones((3, 6))
    with pytest.raises(ValueError, match="image contains NaN or infinity"):
        clearsight.wiener(image, psf, 0.002, backend=backend)
    deconvolver = clearsight.Deconvolver(psf, image.shape, dtype=np.float64, backend=backend)
    with pytest.raises(ValueError, match="image contains NaN or infinity"):
        deconvolver(image)


# F2 (fuzz_wiener, fuzz_deconvolver): an image or `out` whose buffer is not
# aligned to its item size (a view at an odd byte offset) was refused by
# "cpp" ("image must be aligned to its item size") and taken by "numpy".
@pytest.mark.parametrize("dtype", [np.uint16, np.float32, np.float64])
def test_misaligned_arrays_are_accepted(backend, dtype):
    rng = np.random.default_rng(0)
    image = (rng.random((9, 7)) * (65535 if dtype == np.uint16 else 1)).astype(dtype)
    psf = np.ones((3, 3))
    expected = clearsight.wiener(image, psf, 0.01, backend="numpy")
    got = clearsight.wiener(misaligned(image), psf, 0.01, backend=backend)
    tolerance = 1 if dtype == np.uint16 else 1e-4
    np.testing.assert_allclose(got.astype(float), expected.astype(float), atol=tolerance)
    deconvolver = clearsight.Deconvolver(psf, image.shape, dtype=dtype, backend=backend)
    out = misaligned(np.zeros_like(image))
    assert deconvolver(misaligned(image), out=out) is out
    np.testing.assert_array_equal(out, deconvolver(image))
    for operation in (lambda x: clearsight.richardson_lucy(x, psf, 3), lambda x: clearsight.denoise_tv(x, 0.1),
                      lambda x: clearsight.gaussian_blur(x, 1.0), lambda x: clearsight.resize(x, 0.5)):
        np.testing.assert_array_equal(operation(misaligned(image)), operation(image))


# F3 (fuzz_richardson_lucy): iterations=10**7 ran for hours on "numpy" and
# were refused by "cpp" (whose binding bounds them); the doors now refuse
# what the kernels refuse, on every backend.
def test_iteration_counts_beyond_the_kernels_bounds_are_refused(backend):
    image = np.full((8, 8), 0.5)
    psf = np.ones((3, 3))
    with pytest.raises(ValueError, match="iterations must be <= 1000000"):
        clearsight.richardson_lucy(image, psf, 10**7, backend=backend)
    with pytest.raises(ValueError, match="iterations must be <= 100000"):
        clearsight.deconvolve_tv(image, psf, 0.01, iterations=10**6, backend=backend)


# F4 (fuzz_richardson_lucy): boundary="zero" with a PSF whose support misses
# its centre (here a delta in a corner: a pure shift). Data pixels that no
# pixel of the plane reaches got a ratio of 1/eps, whose FFT round-off leaked
# O(1) errors into the estimate: the two backends differed by 0.3 to 1.3 (a
# quarter of the uint16 range), both equally wrong. Such pixels are now
# dropped from the data.
@pytest.mark.parametrize("dtype", [np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("acceleration", ["none", "biggs"])
def test_rl_zero_boundary_with_a_shifted_delta(backend, dtype, acceleration):
    rng = np.random.default_rng(0)
    unit = rng.random((20, 5))
    image = (unit * 65535).astype(np.uint16) if dtype == np.uint16 else unit.astype(dtype)
    psf = np.zeros((4, 4))
    psf[0, 2] = 1.0
    expected = clearsight.richardson_lucy(image, psf, 4, acceleration=acceleration, boundary="zero", clip=False,
                                          backend="numpy")
    got = clearsight.richardson_lucy(image, psf, 4, acceleration=acceleration, boundary="zero", clip=False,
                                     backend=backend)
    # The docstring's bound, 4 (n + 1) log2(NH NW) eps max|x|, on the 24 x 8 grid, + 1 level for integers.
    eps = 2.0**-53 if dtype == np.float64 else 2.0**-24
    bound = 4 * 5 * math.log2(24 * 8) * eps * max(1.0, float(np.abs(expected.astype(float)).max()))
    if dtype == np.uint16:
        bound = math.floor(1 + 65535 * bound)
    assert np.abs(got.astype(float) - expected.astype(float)).max() <= bound
    # A shift moves the image: what the model can explain is restored, nothing is amplified.
    assert np.all(np.isfinite(got.astype(float)))


def test_reached_marks_the_pixels_a_shifted_delta_cannot_explain():
    psf = np.zeros((1, 3))
    psf[0, 2] = 1.0  # (A x)[c] = x[c - 1]: column 0 of the data has no source in the plane
    mask = reached(psf, (2, 5))
    assert mask[:, 1:].all() and not mask[:, 0].any()
    centred = np.zeros((3, 3))
    centred[1, 1] = 1.0
    assert reached(centred, (4, 4)).all()


# F5 (fuzz_resize): scale=5e-324 (denormal) made the reference's filter width
# 1/scale overflow (OverflowError) and asked the kernel to convert an
# infinite width to an integer; scale=1e-7 with antialiasing made the
# reference allocate a 4e7-tap filter (minutes, gigabytes). Both backends
# now refuse scales whose filter needs more than 2**24 taps along an axis.
@pytest.mark.parametrize("scale", [5e-324, 1e-9, 1e-12])
def test_resize_refuses_scales_with_unbounded_filters(backend, scale):
    image = np.full((3, 13), 0.7, np.float32)
    with pytest.raises(ValueError, match=r"scale .* is too small"):
        clearsight.resize(image, (0.99, scale), method="area", backend=backend)
    # Without antialiasing the filter stays narrow: a tiny scale is one output pixel (but 1/scale must be finite).
    if scale > 2.0**-1000:
        out = clearsight.resize(image, (0.99, scale), method="area", antialias=False, backend=backend)
        assert out.shape == (3, 1) and np.all(np.isfinite(out))
    else:
        with pytest.raises(ValueError, match=r"scale .* is too small"):
            clearsight.resize(image, (0.99, scale), method="area", antialias=False, backend=backend)


# F6 (fuzz_estimate_noise): sharpness and estimate_noise on "cpp" ignored a
# NaN or infinity in the alpha plane (the kernel reads only grey or RGB);
# "numpy" refused it.
@pytest.mark.parametrize("channels", [2, 4])
def test_measurements_refuse_nan_in_alpha(backend, channels):
    image = np.full((9, 32, channels), 0.5)
    image[3, 4, -1] = -np.inf
    for measure in (clearsight.sharpness, clearsight.estimate_noise):
        with pytest.raises(ValueError, match="NaN or infinity"):
            measure(image, backend=backend)


# F7 (fuzz_unsharp_mask): sigma (or radius) so small that sigma**2
# underflows to 0: the reference raised ZeroDivisionError, the kernel built
# NaN weights and then blamed the image ("image contains NaN or infinity").
# Such a Gaussian is one tap of weight 1: the identity.
@pytest.mark.parametrize("sigma", [1e-170, 5e-324])
def test_vanishing_sigma_is_the_identity(backend, sigma):
    image = np.random.default_rng(0).random((5, 6)).astype(np.float32)
    np.testing.assert_array_equal(clearsight.gaussian_blur(image, sigma, backend=backend), image)
    np.testing.assert_array_equal(clearsight.unsharp_mask(image, sigma, backend=backend), image)


# F8 (fuzz_unsharp_mask): sigma=1e300 with truncate=1e30, each finite, made
# truncate * sigma overflow to inf and kernel_radius raise OverflowError.
def test_infinite_kernel_radius_is_refused(backend):
    image = np.zeros((4, 4))
    with pytest.raises(ValueError, match="sigma=1e\\+300 with truncate=1e\\+30 gives an infinite kernel radius"):
        clearsight.gaussian_blur(image, 1e300, truncate=1e30, backend=backend)


# F9 (fuzz_niqe): NIQE of a constant 106 x 112 uint8 image (every pixel 243)
# was NaN: every block's features are 0/0. It is now a ValueError.
def test_niqe_of_a_flat_image_is_refused():
    from clearsight.naturalness import niqe

    with pytest.raises(ValueError, match="no 96×96 block with texture"):
        niqe(np.full((106, 112), 243, np.uint8))


# F10 (fuzz_bindings, the 30-minute run): _core.denoise_tv(work, 0.0019,
# 0.01, max_iterations=2**40, joint=True, threads=1) on a 1 x 1 x 1 plane ran
# for hours (timeout): the binding had no upper bound, unlike the other
# iterative kernels. The binding and the door now refuse more than 1000000.
def test_denoise_tv_iterations_are_bounded(backend):
    image = np.full((1, 1), 0.0856)
    with pytest.raises(ValueError, match="max_iterations must be <= 1000000"):
        clearsight.denoise_tv(image, 0.0019, eps=0.01, max_iterations=2**40, backend=backend)
    core = pytest.importorskip("clearsight._core")
    with pytest.raises(ValueError, match="max_iterations must be <= 1000000"):
        core.denoise_tv(np.full((1, 1, 1), 0.0856), 0.0019, 0.01, 2**40, True, 1)


# F11 (fuzz_bindings, the 30-minute run after F10): TVDeconvolutionPlan.apply
# on a 15 x 15 float32 0/1 plane, 1 x 1 PSF, weight=1e300, alpha=2, 5
# iterations: all NaN (γ = weight · β overflowed float32). Below overflow,
# alpha=2 drifted from float64 by up to 1e3 at weight 1e10: the DC value of
# the gradient-adjoint spectrum, exactly 0 in exact arithmetic, is FFT
# round-off that γ / |H|² magnified. The x-step is now a conj(H) Y + b G with
# b = 0 at DC (reference module docstring), finite for every weight.
@pytest.mark.parametrize("weight", [1e8, 1e20, 1e300, 1.7e308])
@pytest.mark.parametrize("alpha", [2.0, 1.0, 0.5])
def test_tv_deconvolution_survives_huge_weights(backend, weight, alpha):
    image = (np.random.default_rng(0).random((15, 15)) > 0.5).astype(np.float32)
    psf = np.array([[0.5526489406328206]])
    kwargs = {"alpha": alpha, "prior": "hyper-laplacian", "iterations": 5, "clip": False}
    got = clearsight.deconvolve_tv(image, psf, weight, backend=backend, **kwargs)
    expected = clearsight.deconvolve_tv(image.astype(np.float64), psf, weight, backend="numpy", **kwargs)
    assert np.all(np.isfinite(got))
    # float32 work: well inside the documented FFT-iteration bound.
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    if alpha <= 1 and weight >= 1e20:  # every gradient shrinks to 0 and γ P swamps |H|²: flat (the working grid's mean)
        assert np.ptp(got) < 1e-6 and abs(float(got[0, 0]) - image.mean()) < 1e-3


# F12 (clearsight.testing's hypothesis run of tests/parity/test_kit.py on the
# GPU machine: Python 3.12, NumPy 2.5): Biggs-accelerated Richardson–Lucy on
# 7 x 7 x 3 uint16 noise with the two-tap PSF [[0.84, 0, 0.30, 0, 0], [0...]],
# reflect, 4 iterations: the backends were 112 levels apart (59 here). The
# prediction's clip at 0 zeroed every pixel reaching a bright datum, whose
# ratio y / floor ≈ 1/ε then leaked FFT round-off (ε · 1/ε) everywhere, and
# the reference itself moved 30-80 levels for one-ulp input changes. The
# prediction now keeps a tenth of each pixel (KEEP, module docstring of
# clearsight.reference.richardson_lucy).
def test_biggs_prediction_never_zeroes_a_pixel(backend):
    image = np.array([  # 7 rows of 7 RGB pixels
        33542, 62289, 9448, 62170, 20436, 27743, 54243, 26817, 36018, 1806, 49381, 35267, 21609, 51670, 19870, 29720, 8784, 26418, 13333, 17191, 49175,
        18377, 31797, 64273, 63022, 47499, 35469, 18146, 10528, 63564, 33821, 7593, 40860, 50900, 40173, 60115, 2595, 34641, 30103, 4086, 42029, 55877,
        38858, 17045, 55042, 33390, 33481, 49350, 9694, 53714, 44779, 51582, 12558, 52583, 12538, 5345, 56047, 56444, 57444, 30927, 17960, 465, 42317,
        47179, 54759, 18473, 14104, 41899, 52759, 63154, 9865, 31602, 58635, 27703, 38633, 1605, 44135, 60232, 54186, 58033, 43276, 16092, 50365, 13872,
        54478, 4110, 54098, 10781, 24585, 20757, 45307, 11703, 25969, 382, 17203, 27603, 6942, 41494, 24931, 47532, 42851, 28260, 56840, 41427, 53101,
        22400, 35629, 12864, 65282, 15939, 16834, 4797, 16895, 50012, 45736, 8433, 24657, 27585, 43580, 29879, 38437, 55029, 47609, 23921, 29386, 24097,
        7191, 13319, 18599, 20587, 20516, 37794, 63680, 50768, 51847, 49759, 39124, 60141, 45195, 32791, 5052, 32011, 13948, 8696, 33165, 51451, 19333,
    ], np.uint16).reshape(7, 7, 3)
    rng = np.random.default_rng(7)
    psf = np.array([[0.84282528, 0.0, 0.29541881, 0.0, 0.0], [0.0] * 5])
    kwargs = {"acceleration": "biggs", "boundary": "reflect", "clip": False}
    got = clearsight.richardson_lucy(image, psf, 4, backend=backend, **kwargs)
    expected = clearsight.richardson_lucy(image.astype(np.float64) / 65535, psf, 4, backend="numpy", **kwargs)
    assert np.max(np.abs(got - np.round(expected * 65535).clip(0, 65535))) <= 2
    # Well conditioned now: one-ulp (float32) changes of the input move the result by far less than a level.
    nudged = image.astype(np.float64) / 65535 * (1 + rng.uniform(-6e-8, 6e-8, image.shape))
    moved = clearsight.richardson_lucy(nudged, psf, 4, backend="numpy", **kwargs)
    assert np.max(np.abs(moved - expected)) * 65535 < 0.05


# F13 (fuzz_bindings, the 30-minute run after F11): TVDeconvolutionPlan.shrink
# (v=1e300, beta=1e300, alpha=2) was inf: β v / (β + 2) overflowed in β v.
# The factor β / (β + 2) is now taken first (reference and kernel).
def test_shrink_alpha_two_does_not_overflow():
    from clearsight.reference.tv_deconvolution import shrink

    for v, beta in ((1e300, 1e300), (-1.7e308, 64.0), (1.7e308, 1.7e308)):
        expected = v * (beta / (beta + 2.0))
        assert float(shrink(np.array(v), beta, 2.0)) == expected
        core = pytest.importorskip("clearsight._core")
        assert core.TVDeconvolutionPlan.shrink(v, beta, 2.0) == expected


# F14 (fuzz_bindings, the 30-minute run after F13): _core.resize of an
# 18 x 6 x 2 float32 0/1 image to (21, 21) with coordinate scales
# (1e30, 5e-324), bilinear, antialiased: non-finite output. The door refused
# such scales (F5) but the binding did not; it now applies the same bounds.
def test_resize_binding_refuses_unbounded_filters():
    core = pytest.importorskip("clearsight._core")
    image = (np.random.default_rng(0).random((18, 6, 2)) > 0.5).astype(np.float32)
    with pytest.raises(ValueError, match="scale is too small"):
        core.resize(image, (21, 21), (1e30, 5e-324), "bilinear", True, "symmetric", 3)
    with pytest.raises(ValueError, match="scale is too small"):
        core.resize(image, (21, 21), (1.0, 1e-7), "bicubic", True, "symmetric", 1)
    assert np.all(np.isfinite(core.resize(image, (21, 21), (1e30, 1e-3), "bilinear", True, "symmetric", 3)))


# F15 (fuzz_resize, a 90-second run): a float64 17 x 18 view resized by
# scale=(1e-300, 0.05), nearest: the backends differed by 0.077. The
# coordinate map reached 5e299, beyond any integer the kernel's tap index can
# hold. Both backends now refuse scales below 2**-40 (every axis is one sample
# long by then), and the bindings also refuse any coordinate beyond 2**52.
@pytest.mark.parametrize("method", ["nearest", "bicubic", "area"])
def test_resize_refuses_scales_whose_coordinates_overflow(backend, method):
    image = np.random.default_rng(15).random((17, 36))[:, ::2]
    with pytest.raises(ValueError, match=r"scale 1e-300 is too small \(below 2\*\*-40\)"):
        clearsight.resize(image, (1e-300, 0.05), method=method, antialias=False, backend=backend)
    # At the bound the backends agree to the bit and the output is one sample per axis.
    out = clearsight.resize(image, (2.0**-40, 0.05), method=method, antialias=False, backend=backend)
    expected = clearsight.resize(image, (2.0**-40, 0.05), method=method, antialias=False, backend="numpy")
    assert out.shape == (1, 1)
    np.testing.assert_array_equal(out, expected)


def test_resize_binding_refuses_coordinates_beyond_2_to_52():
    core = pytest.importorskip("clearsight._core")
    image = np.random.default_rng(15).random((17, 18))
    with pytest.raises(ValueError, match=r"below 2\*\*-40"):
        core.resize(image, (1, 1), (1e-300, 0.05), "nearest", False, "symmetric", 1)
    # Each scale within the door's bound, but 2**20 outputs at 2**-40 reach 2**60.
    with pytest.raises(ValueError, match=r"beyond 2\*\*52"):
        core.resize(image, (1 << 20, 1), (2.0**-40, 1.0), "nearest", False, "symmetric", 1)


# F16 (fuzz_richardson_lucy, a 90-second run): a 5 x 1 PSF holding 1e308
# beside taps of 1e-10 to 0.07, a 17 x 14 x 3 uint16 image, Biggs, 8
# iterations, boundary="zero": the backends parted by 3.9e4 levels. After
# normalisation the small taps are float64 denormals, which the float32 kernel
# flushed and the reference kept; the border pixels reached only through them
# have a gain of 1/tap. Both backends now drop taps below 2**-126 of the sum.
F16_PSF = np.array([[3.213483412563861e-06], [0.06866390886086807], [1.881622887901972e-10],
                    [1.4367028281826748e-06], [1e308]])


@pytest.mark.parametrize("dtype", [np.uint16, np.float64])
def test_rl_drops_taps_below_float32s_smallest_normal(backend, dtype):
    rng = np.random.default_rng(16)
    image = rng.integers(19, 65442, (17, 14, 3)).astype(np.uint16)
    if dtype == np.float64:
        image = image / 65535.0
    kwargs = dict(acceleration="biggs", boundary="zero", clip=False)
    out = clearsight.richardson_lucy(image, F16_PSF, 8, backend=backend, **kwargs)
    expected = clearsight.richardson_lucy(image, F16_PSF, 8, backend="numpy", **kwargs)
    np.testing.assert_allclose(out.astype(np.float64), expected.astype(np.float64),
                               rtol=0, atol=2 if dtype == np.uint16 else 1e-6)
    # The PSF the backends see is a delta two rows off centre, with full
    # gain wherever it reaches (not 1/tap ~ 1e309).
    delta = np.zeros((5, 1))
    delta[4, 0] = 1.0
    np.testing.assert_array_equal(normalised_psf(F16_PSF), delta)
    assert zero_boundary_gain(F16_PSF, (17, 14)) == pytest.approx(1.0, abs=1e-12)


# F17 (fuzz_ssim, a 90-second run): ms_ssim of a float64 pair tiled to
# 176 x 176 or more, holding values near 1e300, with an explicit data_range:
# NaN. The moments square the samples, which overflowed (inf - inf). ssim had
# the same flaw, and psnr returned -inf. The doors now refuse float images
# beyond ±1e150 (where the squares stay finite), naming the argument.
@pytest.mark.parametrize("metric", ["psnr", "ssim", "ms_ssim"])
def test_metrics_refuse_values_whose_squares_overflow(backend, metric):
    rng = np.random.default_rng(17)
    reference = rng.random((180, 180))
    test = reference.copy()
    test[90, 3] = -3e300
    func = getattr(metrics, metric)
    with pytest.raises(ValueError, match=r"test has values in \[-3e\+300, .*beyond ±1e\+150"):
        func(reference, test, data_range=1.0, backend=backend)
    # At the bound every square is finite: a finite value, equal on every backend.
    test[90, 3] = -1e150
    value = func(reference, test, data_range=1.0, backend=backend)
    assert math.isfinite(value)
    assert value == pytest.approx(func(reference, test, data_range=1.0, backend="numpy"), rel=1e-12)


def test_metric_tensors_refuse_values_whose_squares_overflow():
    torch = pytest.importorskip("torch")
    x = torch.rand(1, 1, 20, 20, dtype=torch.float64)
    y = x.clone()
    y[0, 0, 3, 3] = 1e200
    with pytest.raises(ValueError, match=r"test has values in .*beyond ±1e\+150"):
        metrics.ssim(x, y, data_range=1.0)


# F18 (fuzz_unsharp_mask, a 90-second run): an 18 x 13 float32 view in
# [0.1, 0.9], radius 3.88, amount=1e300, clip=False: inf on both backends (the
# detail times 1e300 overflows float32). amount is now at most 1e6, which keeps
# any image in [0, 1] finite; 1e300 is refused naming the argument.
def test_unsharp_mask_bounds_amount(backend):
    image = np.random.default_rng(18).uniform(0.1, 0.9, (18, 26)).astype(np.float32)[:, ::2]
    with pytest.raises(ValueError, match=r"amount must be <= 1e\+06, got 1e\+300"):
        clearsight.unsharp_mask(image, radius=3.88, amount=1e300, clip=False, backend=backend)
    out = clearsight.unsharp_mask(image, radius=3.88, amount=1e6, clip=False, backend=backend)
    assert out.dtype == np.float32 and np.all(np.isfinite(out)) and np.abs(out).max() <= 1e6 + 1


# F20 (fuzz_resize, a 240-second run): a float32 3 x 2 image holding one
# 2**-149 (float32's smallest subnormal), enlarged to 16 x 16 (bicubic, no
# antialiasing): the backends differed by 2**-149 in 7 samples, against a bound
# of 1.8e-51 that only scaled with max|image|. Below float32's normal range an
# FMA errs by up to half a subnormal, whatever the value, so the documented
# bound gained an absolute term, (K_r + K_c + 6) S_r S_c 2**-149; the kit and
# the fuzzers use it.
@pytest.mark.parametrize("size", [(16, 16), (5, 7), (1, 1)])
def test_resize_bound_covers_subnormal_images(backend, size):
    from clearsight import testing

    image = np.zeros((3, 2), np.float32)
    image[2, 0] = np.float32(2.0**-149)
    testing.assert_matches_reference(clearsight.resize, image, size=size, antialias=False)
    noise = (np.random.default_rng(20).random((20, 24)) * 2.0**-140).astype(np.float32)
    for scale in (2.0, 0.5, 0.3):
        testing.assert_matches_reference(clearsight.resize, noise, scale)
    out = clearsight.resize(image, size=(16, 16), antialias=False, backend=backend)
    expected = clearsight.resize(image, size=(16, 16), antialias=False, backend="numpy")
    assert np.abs(out.astype(np.float64) - expected).max() <= 2.0**-149
