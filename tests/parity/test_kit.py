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
from clearsight.testing import assert_matches_reference, images

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


def test_kit_refuses_an_undocumented_comparison():
    import pytest

    with pytest.raises(ValueError, match="threshold=0"):
        assert_matches_reference(clearsight.unsharp_mask, np.zeros((8, 8)), 1.0, 1.0, 0.1)
    with pytest.raises(ValueError, match="no documented tolerance"):
        assert_matches_reference(clearsight.denoise_tv, np.zeros((8, 8)))
    with pytest.raises(TypeError, match="do not pass backend"):
        assert_matches_reference(clearsight.resize, np.zeros((8, 8)), 2.0, backend="cpp")
