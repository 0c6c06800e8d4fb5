"""Every operation with a compiled kernel, checked through the public testing kit (clearsight.testing).

The same strategies and check that users get: images of every dtype, layout
and awkward size, each operation on every backend against the NumPy
reference at the tolerance its docstring documents.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clearsight
import clearsight.metrics
from clearsight.testing import assert_matches_reference, images, psfs

SETTINGS = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(image=images(max_side=70), sigma=st.floats(0.3, 6.0))
def test_gaussian_blur(image, sigma):
    assert_matches_reference(clearsight.gaussian_blur, image, sigma)


@SETTINGS
@given(image=images(max_side=70), radius=st.floats(0.3, 4.0), amount=st.floats(0.0, 3.0))
def test_unsharp_mask(image, radius, amount):
    assert_matches_reference(clearsight.unsharp_mask, image, radius, amount)


@SETTINGS
@given(image=images(max_side=70), average=st.booleans())
def test_estimate_noise(image, average):
    assert_matches_reference(clearsight.estimate_noise, image, average=average)


@SETTINGS
@given(image=images(min_side=3, max_side=70))
def test_sharpness(image):
    assert_matches_reference(clearsight.sharpness, image)


@SETTINGS
@given(image=images(max_side=40, channels=(3, 4)))
def test_colour_conversions(image):
    assert_matches_reference(clearsight.rgb_to_ycbcr, image)
    assert_matches_reference(clearsight.rgb_to_y, image)
    assert_matches_reference(clearsight.ycbcr_to_rgb, image)


@SETTINGS
@given(image=images(max_side=40), scale=st.sampled_from([0.25, 1 / 3, 0.5, 0.75, 1.5, 2.0, 3.0]),
       method=st.sampled_from(["bicubic", "bilinear", "nearest", "area"]))
def test_resize(image, scale, method):
    differences = assert_matches_reference(clearsight.resize, image, scale, method=method)
    if image.dtype != np.float32:  # float32 is computed in float32 (its documented tolerance)
        assert all(d == 0.0 for d in differences.values())


@SETTINGS
@given(image=images(min_side=7, max_side=48), psf=psfs(max_side=7), iterations=st.integers(1, 12),
       acceleration=st.sampled_from(["none", "biggs"]), boundary=st.sampled_from(["reflect", "periodic", "zero", "taper"]),
       clip=st.booleans(), luminance_only=st.booleans())
def test_richardson_lucy(image, psf, iterations, acceleration, boundary, clip, luminance_only):
    assert_matches_reference(clearsight.richardson_lucy, image, psf, iterations, acceleration=acceleration,
                             boundary=boundary, clip=clip, luminance_only=luminance_only)


@SETTINGS
@given(image=images(min_side=7, max_side=48), psf=psfs(max_side=7), weight=st.one_of(st.just("auto"), st.floats(1e-4, 0.05)),
       prior_alpha=st.sampled_from([("tv", None), ("hyper-laplacian", 1.0), ("hyper-laplacian", 1.5),
                                    ("hyper-laplacian", 2.0)]), iterations=st.integers(1, 12),
       boundary=st.sampled_from(["unknown", "reflect", "periodic", "taper"]), luminance_only=st.booleans())
def test_deconvolve_tv(image, psf, weight, prior_alpha, iterations, boundary, luminance_only):
    prior, alpha = prior_alpha
    assert_matches_reference(clearsight.deconvolve_tv, image, psf, weight, prior=prior, alpha=alpha,
                             iterations=iterations,
                             boundary=boundary, luminance_only=luminance_only)


@SETTINGS
@given(image=images(max_side=48), weight=st.floats(0.0, 1.0), channels=st.sampled_from(["separate", "joint"]),
       max_iterations=st.integers(1, 60), luminance_only=st.booleans())
def test_denoise_tv(image, weight, channels, max_iterations, luminance_only):
    assert_matches_reference(clearsight.denoise_tv, image, weight, max_iterations=max_iterations,
                             channels=channels, luminance_only=luminance_only)


def test_kit_refuses_an_undocumented_comparison():
    import pytest

    with pytest.raises(ValueError, match="threshold=0"):
        assert_matches_reference(clearsight.unsharp_mask, np.zeros((8, 8)), 1.0, 1.0, 0.1)
    with pytest.raises(ValueError, match="alpha >= 1"):
        assert_matches_reference(clearsight.deconvolve_tv, np.zeros((8, 8)), np.ones((3, 3)), 0.01,
                                 prior="hyper-laplacian")
    with pytest.raises(ValueError, match="no documented tolerance"):
        assert_matches_reference(clearsight.metrics.niqe, np.zeros((96, 96)))
    with pytest.raises(TypeError, match="do not pass backend"):
        assert_matches_reference(clearsight.resize, np.zeros((8, 8)), 2.0, backend="cpp")
