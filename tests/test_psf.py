"""Tests for clearsight.psf: the PSF generators, the loader and the spec parser.

Expected values are computed independently of the module wherever possible
(closed-form integrals, hand-derived areas, brute-force supersampling), so
these tests check answers rather than re-run the implementation.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearsight import psf

FAST = settings(max_examples=40, deadline=None)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def assert_valid_psf(k: np.ndarray, size: int | None = None) -> None:
    """The contract every PSF in the module shares."""
    assert isinstance(k, np.ndarray)
    assert k.dtype == np.float64
    assert k.ndim == 2
    assert k.shape[0] == k.shape[1]
    assert k.flags.c_contiguous
    assert np.all(np.isfinite(k))
    assert np.all(k >= 0)
    assert abs(k.sum() - 1.0) <= 1e-12
    if size is None:
        assert k.shape[0] % 2 == 1
    else:
        assert k.shape == (size, size)


def centre_of_mass(k: np.ndarray) -> tuple[float, float]:
    """(row, col) centre of mass relative to index (n // 2, n // 2)."""
    x = np.arange(k.shape[0]) - k.shape[0] // 2
    return float((k.sum(axis=1) * x).sum()), float((k.sum(axis=0) * x).sum())


def line_moments(k: np.ndarray, angle: float) -> tuple[float, float]:
    """Second moments (along, across) a direction given in the module's convention."""
    x = np.arange(k.shape[0]) - k.shape[0] // 2
    rows, cols = np.meshgrid(x, x, indexing="ij")
    t = math.radians(angle)
    # +angle points up, i.e. towards decreasing row index.
    along = cols * math.cos(t) - rows * math.sin(t)
    across = cols * math.sin(t) + rows * math.cos(t)
    return float((k * along**2).sum()), float((k * across**2).sum())


def tent_cdf(u: np.ndarray) -> np.ndarray:
    """Integral of max(0, 1 - |v|) for v from -inf to u."""
    u = np.clip(np.asarray(u, dtype=float), -1.0, 1.0)
    return np.where(u < 0, 0.5 * (1 + u) ** 2, 1 - 0.5 * (1 - u) ** 2)


# ---------------------------------------------------------------------------
# contract shared by every generator
# ---------------------------------------------------------------------------

SYMMETRIC = [
    lambda: psf.gaussian(0.3),
    lambda: psf.gaussian(1.0),
    lambda: psf.gaussian(2.5, 9),
    lambda: psf.motion(0, 0),
    lambda: psf.motion(0.4, 17),
    lambda: psf.motion(7, 0),
    lambda: psf.motion(12.3, 33.3),
    lambda: psf.motion(10, 90, 15),
    lambda: psf.motion(25, -123.4),
    lambda: psf.disk(0.3),
    lambda: psf.disk(1.0),
    lambda: psf.disk(3.7),
    lambda: psf.disk(6, 9),
    lambda: psf.parse("motion:15,30"),
]


@pytest.mark.parametrize("make", SYMMETRIC)
def test_contract_and_centre_of_mass(make):
    k = make()
    assert_valid_psf(k)
    r, c = centre_of_mass(k)
    assert abs(r) < 1e-9 and abs(c) < 1e-9
    # All of these are symmetric under a half turn, exactly.
    np.testing.assert_array_equal(k, k[::-1, ::-1])


@pytest.mark.parametrize(
    "make, size",
    [
        (lambda: psf.gaussian(2.0, 8), 8),
        (lambda: psf.motion(5, 20, 10), 10),
        (lambda: psf.disk(3, 6), 6),
        (lambda: psf.gaussian(1.0, 1), 1),
        (lambda: psf.motion(3, 0, 2), 2),
    ],
)
def test_even_and_tiny_explicit_sizes(make, size):
    k = make()
    assert_valid_psf(k, size)
    # The centre convention holds for even sizes too: the peak is at n // 2.
    assert k[size // 2, size // 2] == k.max()


@FAST
@given(
    sigma=st.floats(0.05, 15),
    length=st.floats(0, 30),
    angle=st.floats(-720, 720),
    radius=st.floats(0.05, 15),
)
def test_contract_random(sigma, length, angle, radius):
    for k in (psf.gaussian(sigma), psf.motion(length, angle), psf.disk(radius)):
        assert_valid_psf(k)
        r, c = centre_of_mass(k)
        assert abs(r) < 1e-9 and abs(c) < 1e-9
        np.testing.assert_array_equal(k, k[::-1, ::-1])


# ---------------------------------------------------------------------------
# gaussian
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "sigma, size", [(0.1, 3), (0.34, 5), (1.0, 7), (1.5, 11), (2.0, 13), (10.0, 61)]
)
def test_gaussian_default_size(sigma, size):
    assert psf.gaussian(sigma).shape == (size, size)


@pytest.mark.parametrize("sigma", [1.0, 1.7, 3.0, 6.2])
def test_gaussian_second_moment(sigma):
    k = psf.gaussian(sigma)
    x = np.arange(k.shape[0]) - k.shape[0] // 2
    var_r = float((k.sum(axis=1) * x**2).sum())
    var_c = float((k.sum(axis=0) * x**2).sum())
    cov = float((k * np.outer(x, x)).sum())
    assert var_r == pytest.approx(var_c, rel=1e-12)
    assert abs(cov) < 1e-12
    # The default size cuts each axis at ceil(3 sigma) >= 3 sigma. A normal
    # truncated at +-3 sigma keeps 1 - 6 phi(3) / erf(3/sqrt 2) = 97.3 % of its
    # variance, and sampling at integers lowers the variance of a Gaussian
    # by a relative ~8 pi^2 sigma^2 exp(-2 pi^2 sigma^2) (Poisson summation),
    # 2.1e-7 at sigma = 1 and negligible beyond. Measured ratios for these
    # sigmas: 0.976 to 0.996.
    assert 0.97 <= var_r / sigma**2 <= 1 + 1e-9
    # Without the truncation, only the sampling error remains.
    big = psf.gaussian(sigma, 2 * math.ceil(10 * sigma) + 1)
    xb = np.arange(big.shape[0]) - big.shape[0] // 2
    assert float((big.sum(axis=1) * xb**2).sum()) == pytest.approx(sigma**2, rel=3e-7)


@pytest.mark.parametrize("sigma, size", [(0.7, None), (2.3, None), (3.0, 10), (4.0, 5)])
def test_gaussian_is_separable_sampled_gaussian(sigma, size):
    k = psf.gaussian(sigma, size)
    n = k.shape[0]
    x = np.arange(n) - n // 2
    g = np.exp(-(x**2) / (2 * sigma**2))
    expected = np.outer(g, g) / g.sum() ** 2
    np.testing.assert_allclose(k, expected, rtol=1e-13, atol=1e-17)


def test_gaussian_extremes():
    np.testing.assert_array_equal(psf.gaussian(1e-300), np.pad([[1.0]], 1))
    flat = psf.gaussian(1e300, 5)
    np.testing.assert_allclose(flat, np.full((5, 5), 1 / 25), rtol=1e-12)
    with pytest.raises(ValueError, match="sigma"):
        psf.gaussian(1000)  # default size would be 6001 > 4097


# ---------------------------------------------------------------------------
# motion
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("length", [0.25, 1, 2, 3, 4, 5.5, 10, 15, 16.75])
def test_motion_horizontal_matches_closed_form(length):
    k = psf.motion(length, 0)
    n = k.shape[0]
    c = n // 2
    # Only the centre row is non-zero, exactly: a horizontal line stays 1 px wide.
    assert np.count_nonzero(np.delete(k, c, axis=0)) == 0
    # Pixel p receives (1/L) * integral over x in [-L/2, L/2] of tent(x - p).
    p = np.arange(n) - c
    expected = (tent_cdf(length / 2 - p) - tent_cdf(-length / 2 - p)) / length
    np.testing.assert_allclose(k[c], expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("length", list(range(1, 13)))
def test_motion_integer_length_support(length):
    k = psf.motion(length, 0)
    row = k[k.shape[0] // 2]
    support = np.flatnonzero(row > 1e-15)
    # L pixels of line plus the anti-aliased ends: L + 1 for even L (ends at
    # half weight), L + 2 for odd L (ends at 7/8 then 1/8 of full weight).
    assert support.size == (length + 1 if length % 2 == 0 else length + 2)
    assert np.all(np.diff(support) == 1)
    full = row[np.abs(row - 1 / length) < 1e-12]
    assert full.size == (length - 1 if length % 2 == 0 else max(length - 2, 0))
    # The mass outside the L central pixels is the anti-aliasing: 1/(2L) for
    # even L (two 1/(4L) half-pixels) and 2 * (1/8)/L for odd L.
    c = k.shape[0] // 2
    central = row[c - (length - 1) // 2 - (length % 2 == 0) : c + (length - 1) // 2 + 1]
    assert central.size == length
    outside = 1 - central.sum()
    assert outside == pytest.approx(0.5 / length if length % 2 == 0 else 0.25 / length, abs=1e-12)


def test_motion_orientation():
    # 90 degrees is the transpose of 0 (a vertical line), exactly.
    for length in (1, 4, 7.5, 20):
        np.testing.assert_array_equal(psf.motion(length, 90), psf.motion(length, 0).T)
        np.testing.assert_array_equal(psf.motion(length, -90), psf.motion(length, 0).T)
    # 45 degrees runs bottom-left to top-right (rows grow downwards).
    k = psf.motion(6, 45)
    c = k.shape[0] // 2
    assert k[c - 2, c + 2] > 0 and k[c + 2, c - 2] > 0
    assert k[c - 2, c - 2] == 0 and k[c + 2, c + 2] == 0
    np.testing.assert_allclose(k, psf.motion(6, -45)[:, ::-1], rtol=0, atol=1e-16)


@pytest.mark.parametrize(
    "length, angle, size", [(0, 0, 3), (0.5, 0, 5), (15, 0, 19), (15, 30, 17), (9, 45, 11), (10, 90, 13)]
)
def test_motion_default_size(length, angle, size):
    assert psf.motion(length, angle).shape == (size, size)
    # The default keeps a zero margin: the outer ring holds nothing.
    k = psf.motion(length, angle)
    assert k[0].sum() == k[-1].sum() == k[:, 0].sum() == k[:, -1].sum() == 0


def test_motion_zero_and_tiny_length():
    np.testing.assert_array_equal(psf.motion(0, 37), np.pad([[1.0]], 1))
    for tiny in (1e-12, 1e-300, 5e-324):
        k = psf.motion(tiny, 37)
        assert_valid_psf(k)
        # 2 * ceil(h) + 3 with 0 < h <= 1, unless h = length / 2 underflows.
        assert k.shape == ((5, 5) if tiny > 1e-323 else (3, 3))
        c = k.shape[0] // 2
        assert k[c, c] == pytest.approx(1.0, abs=1e-11)


@FAST
@given(length=st.floats(0, 50), angle=st.floats(-400, 400))
def test_motion_half_turn_invariance(length, angle):
    k = psf.motion(length, angle)
    np.testing.assert_allclose(psf.motion(length, angle + 180), k, rtol=0, atol=1e-12)
    np.testing.assert_allclose(psf.motion(length, angle - 360), k, rtol=0, atol=1e-12)


@FAST
@given(length=st.floats(1, 40), angle=st.floats(-180, 180))
def test_motion_second_moments(length, angle):
    along, across = line_moments(psf.motion(length, angle), angle)
    # The PSF is the uniform measure on the segment (variance L^2/12 along it)
    # blurred by the bilinear tent and sampled at integers. For the tent,
    # sum_p p^2 tent(x - p) = x^2 + f(1 - f) with f = frac(x), so each axis
    # adds between 0 and 1/4; projected on any unit direction the excess
    # stays in [0, 1/4]. Across the line the segment contributes nothing.
    assert length**2 / 12 - 1e-9 <= along <= length**2 / 12 + 0.25 + 1e-9
    assert -1e-12 <= across <= 0.25 + 1e-9


@FAST
@given(
    length=st.floats(0, 20),
    delta=st.floats(-0.5, 0.5),
    angle=st.floats(-180, 180),
)
def test_motion_continuous_in_length(length, delta, angle):
    other = max(0.0, length + delta)
    a = psf.motion(length, angle, 25)
    b = psf.motion(other, angle, 25)
    # Couple points s and s * L'/L of the two segments: they are
    # |s| |L' - L| / L apart, E|s| = L / 4, and sampling through the tent moves
    # at most 2 (|dx| + |dy|) <= 2 sqrt(2) |d| of mass, so the L1 change is
    # at most |L' - L| / sqrt(2).
    assert np.abs(a - b).sum() <= abs(other - length) / math.sqrt(2) + 1e-12


@FAST
@given(length=st.floats(0, 20), angle=st.floats(-180, 180), delta=st.floats(-2, 2))
def test_motion_continuous_in_angle(length, angle, delta):
    a = psf.motion(length, angle, 25)
    b = psf.motion(length, angle + delta, 25)
    # Same coupling argument: rotating by d radians moves a point at arc
    # length s by <= |s| d, so the L1 change is at most L d / sqrt(2).
    bound = length * abs(math.radians(delta)) / math.sqrt(2)
    assert np.abs(a - b).sum() <= bound + 1e-12


def test_motion_explicit_size_truncates_long_line():
    k = psf.motion(1e6, 10, 31)
    assert_valid_psf(k, 31)
    with pytest.raises(ValueError, match="length"):
        psf.motion(6000, 0)


# ---------------------------------------------------------------------------
# disk
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("radius", [0.51, 0.8, 1.0, 2.3, 4.0, 7.77, 100.5])
def test_disk_total_coverage_is_area(radius):
    cov = psf._disk_coverage(radius, 2 * math.ceil(radius) + 1)
    assert cov.sum() == pytest.approx(math.pi * radius**2, rel=1e-12)
    assert cov.min() >= 0 and cov.max() <= 1


@FAST
@given(radius=st.floats(0.51, 30))
def test_disk_total_coverage_random(radius):
    cov = psf._disk_coverage(radius, 2 * math.ceil(radius) + 1)
    assert cov.sum() == pytest.approx(math.pi * radius**2, rel=1e-11)


def test_disk_unit_radius_by_hand():
    # Radius 1: the centre pixel is fully covered; an edge neighbour gets
    # 2 * integral_0^1/2 (sqrt(1 - y^2) - 1/2) dy = sqrt(3)/4 + pi/6 - 1/2,
    # a corner neighbour pi/12 - (sqrt(3) - 1)/4. (1 + 4 e + 4 c = pi.)
    cov = psf._disk_coverage(1.0, 3)
    e = math.sqrt(3) / 4 + math.pi / 6 - 0.5
    c = math.pi / 12 - (math.sqrt(3) - 1) / 4
    np.testing.assert_allclose(cov, [[c, e, c], [e, 1, e], [c, e, c]], rtol=1e-13)
    np.testing.assert_allclose(psf.disk(1.0), cov / math.pi, rtol=1e-13)


@pytest.mark.parametrize("radius", [1.3, 2.75, 4.2])
def test_disk_matches_supersampling(radius):
    n = 2 * math.ceil(radius) + 1
    sub = 128
    # Brute force: count sub-pixel centres inside the disk.
    t = (np.arange(n * sub) + 0.5) / sub - n / 2
    inside = (t[:, None] ** 2 + t[None, :] ** 2) <= radius**2
    brute = inside.reshape(n, sub, n, sub).mean(axis=(1, 3))
    # Midpoint counting errs only in sub-pixels the circle crosses; an arc of
    # length <= ~2 px inside a pixel crosses < 4 * 2 * 128 of the 128^2
    # sub-pixels, a bound of 0.06. In practice the errors largely cancel:
    # measured maximum differences are 2e-4 to 6e-4 for radii 1.3 to 7.1.
    np.testing.assert_allclose(psf._disk_coverage(radius, n), brute, atol=5e-3)


@pytest.mark.parametrize("radius", [0.8, 2.5, 3.0, 5.3, 11.1])
def test_disk_symmetry_and_profile(radius):
    k = psf.disk(radius)
    np.testing.assert_array_equal(k, k.T)
    np.testing.assert_array_equal(k, k[::-1, :])
    np.testing.assert_array_equal(k, k[:, ::-1])
    c = k.shape[0] // 2
    # Non-increasing along each axis away from the centre.
    assert np.all(np.diff(k[c, c:]) <= 0)
    # Pixels entirely inside the disk are all equal (full coverage), pixels
    # entirely outside are zero.
    x = np.arange(k.shape[0]) - c
    d = np.hypot(x[:, None], x[None, :])
    np.testing.assert_array_equal(k[d + math.sqrt(0.5) <= radius], k.max())
    assert np.all(k[d - math.sqrt(0.5) >= radius] == 0)


@pytest.mark.parametrize("radius, size", [(0.3, 3), (0.5, 3), (1.0, 3), (4.0, 9), (4.2, 11)])
def test_disk_default_size(radius, size):
    assert psf.disk(radius).shape == (size, size)


def test_disk_small_and_huge():
    np.testing.assert_array_equal(psf.disk(0.5), np.pad([[1.0]], 1))
    np.testing.assert_allclose(psf.disk(1e300, 7), np.full((7, 7), 1 / 49), rtol=1e-12)
    with pytest.raises(ValueError, match="radius"):
        psf.disk(2049)


# ---------------------------------------------------------------------------
# load
# ---------------------------------------------------------------------------

def test_load_npy_roundtrip(tmp_path):
    arr = np.arange(1, 16, dtype=np.float32).reshape(3, 5)
    path = tmp_path / "k.npy"
    np.save(path, arr)
    k = psf.load(path)
    assert k.dtype == np.float64 and k.flags.c_contiguous and k.shape == (3, 5)
    np.testing.assert_allclose(k, arr / arr.astype(np.float64).sum(), rtol=1e-12)
    # str paths and integer arrays work too.
    np.save(tmp_path / "i.npy", np.array([[0, 2], [1, 1]], dtype=np.int16))
    np.testing.assert_allclose(psf.load(str(tmp_path / "i.npy")), [[0, 0.5], [0.25, 0.25]])
    # A generated PSF survives the trip unchanged.
    g = psf.motion(9, 33)
    np.save(tmp_path / "g.npy", g)
    np.testing.assert_allclose(psf.load(tmp_path / "g.npy"), g, rtol=1e-14)


def test_load_png_8_and_16_bit(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    a8 = np.array([[0, 10, 0], [10, 255, 10], [0, 10, 1]], dtype=np.uint8)
    Image.fromarray(a8).save(tmp_path / "k8.png")
    np.testing.assert_allclose(psf.load(tmp_path / "k8.png"), a8 / a8.sum(), rtol=1e-12)

    a16 = np.array([[0, 300, 7], [300, 65535, 300], [1, 300, 0]], dtype=np.uint16)
    Image.fromarray(a16).save(tmp_path / "k16.png")
    k = psf.load(tmp_path / "k16.png")
    np.testing.assert_allclose(k, a16 / a16.astype(float).sum(), rtol=1e-12)

    # Colour images are reduced to grey; equal channels give the same grey.
    rgb = np.repeat(a8[:, :, None], 3, axis=2)
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    np.testing.assert_allclose(psf.load(tmp_path / "rgb.png"), a8 / a8.sum(), rtol=1e-6)


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("nan.npy", np.array([[1.0, np.nan], [0, 1]]), "NaN"),
        ("inf.npy", np.array([[1.0, np.inf], [0, 1]]), "NaN or infinite"),
        ("neg.npy", np.array([[1.0, -0.5], [0, 1]]), "negative"),
        ("cube.npy", np.ones((3, 3, 3)), "2-D"),
        ("zero.npy", np.zeros((5, 5)), "zero"),
        ("empty.npy", np.zeros((0, 3)), "empty"),
        ("bool.npy", np.ones((3, 3), dtype=bool), "dtype"),
        ("cplx.npy", np.ones((3, 3), dtype=complex), "dtype"),
        ("obj.npy", np.array([[1, None]], dtype=object), "valid .npy"),
    ],
)
def test_load_rejects_bad_arrays(tmp_path, name, content, reason):
    path = tmp_path / name
    np.save(path, content, allow_pickle=True)
    with pytest.raises(ValueError, match=reason) as info:
        psf.load(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "name, data",
    [
        ("bad.npy", b"this is not numpy"),
        ("bad.png", b"\x89PNG\r\n\x1a\n truncated garbage"),
        ("bad.txt", b"hello"),
        ("empty.png", b""),
    ],
)
def test_load_rejects_corrupt_files(tmp_path, name, data):
    pytest.importorskip("PIL")
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ValueError) as info:
        psf.load(path)
    assert str(path) in str(info.value)


def test_load_missing_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.npy"):
        psf.load(tmp_path / "nope.npy")
    with pytest.raises(ValueError, match="directory"):
        psf.load(tmp_path)
    with pytest.raises(TypeError, match="path"):
        psf.load(3)


def test_load_without_pillow(tmp_path, monkeypatch):
    np.save(tmp_path / "k.npy", np.ones((3, 3)))
    (tmp_path / "k.png").write_bytes(b"whatever")
    monkeypatch.setitem(sys.modules, "PIL", None)
    # .npy needs only numpy...
    np.testing.assert_allclose(psf.load(tmp_path / "k.npy"), np.full((3, 3), 1 / 9))
    # ...images say how to get Pillow.
    with pytest.raises(ImportError, match=r"pip install clearsight\[image\]"):
        psf.load(tmp_path / "k.png")


# ---------------------------------------------------------------------------
# parse
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "spec, expected",
    [
        ("gaussian:2.0", lambda: psf.gaussian(2.0)),
        ("gaussian:2.0,15", lambda: psf.gaussian(2.0, 15)),
        ("  Gaussian : 2.0 , 15 ", lambda: psf.gaussian(2.0, 15)),
        ("motion:15,30", lambda: psf.motion(15, 30)),
        ("motion: 15 , 30 , 31", lambda: psf.motion(15, 30, 31)),
        ("motion:0.5,-45", lambda: psf.motion(0.5, -45)),
        ("disk:4", lambda: psf.disk(4)),
        ("disk:2.5,8", lambda: psf.disk(2.5, 8)),
    ],
)
def test_parse_forms(spec, expected):
    np.testing.assert_array_equal(psf.parse(spec), expected())


@pytest.mark.parametrize(
    "spec, detail",
    [
        ("gaussian:", "got none"),
        ("gaussian:-1", "sigma"),
        ("gaussian:nan", "sigma"),
        ("gaussian:0", "sigma"),
        ("gaussian:2,15.5", "SIZE"),
        ("gaussian:2,0", "size"),
        ("gaussian:2,15,3", "got 3"),
        ("blob:3", "unknown"),
        ("motion:1", "got 1"),
        ("motion:1,", "ANGLE is empty"),
        ("motion:-1,0", "length"),
        ("motion:3,inf", "angle"),
        ("disk:abc", "RADIUS"),
        ("disk:0", "radius"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_parse_rejects_bad_specs(spec, detail):
    with pytest.raises(ValueError) as info:
        psf.parse(spec)
    msg = str(info.value)
    assert "psf" in msg
    assert detail in msg
    # Every message lists the valid forms.
    assert "gaussian:SIGMA" in msg and "motion:LENGTH,ANGLE" in msg and "disk:RADIUS" in msg


def test_parse_paths(tmp_path):
    g = psf.gaussian(1.2)
    plain = tmp_path / "kernel.npy"
    np.save(plain, g)
    np.testing.assert_array_equal(psf.parse(str(plain)), psf.load(plain))
    np.testing.assert_array_equal(psf.parse(plain), psf.load(plain))  # PathLike
    # A file whose name looks like a spec is loaded when it exists...
    colon = tmp_path / "gaussian:9.npy"
    np.save(colon, g)
    np.testing.assert_allclose(psf.parse(str(colon)), g, rtol=1e-14)
    # ...relative names too, so a spec-like file in the cwd wins.
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        np.save("blob:3", g)  # np.save appends .npy
        Path("blob:3.npy").rename("blob:3")
        np.testing.assert_allclose(psf.parse("blob:3"), g, rtol=1e-14)
    # Missing plain paths (and Windows drive paths) are FileNotFoundError.
    with pytest.raises(FileNotFoundError):
        psf.parse(str(tmp_path / "missing.npy"))
    with pytest.raises(FileNotFoundError):
        psf.parse("C:\\no\\such\\kernel.npy")
    with pytest.raises(TypeError, match="psf"):
        psf.parse(3.0)


# ---------------------------------------------------------------------------
# argument validation
# ---------------------------------------------------------------------------

BAD_ARGS = [
    (psf.gaussian, (float("nan"),), {}, ValueError, "sigma"),
    (psf.gaussian, (float("inf"),), {}, ValueError, "sigma"),
    (psf.gaussian, (0,), {}, ValueError, "sigma"),
    (psf.gaussian, (-1.0,), {}, ValueError, "sigma"),
    (psf.gaussian, (True,), {}, TypeError, "sigma"),
    (psf.gaussian, ("2",), {}, TypeError, "sigma"),
    (psf.gaussian, (1j,), {}, TypeError, "sigma"),
    (psf.gaussian, (10**400,), {}, ValueError, "sigma"),
    (psf.gaussian, (1.0,), {"size": 0}, ValueError, "size"),
    (psf.gaussian, (1.0,), {"size": -3}, ValueError, "size"),
    (psf.gaussian, (1.0,), {"size": 4098}, ValueError, "size"),
    (psf.gaussian, (1.0,), {"size": 15.0}, TypeError, "size"),
    (psf.gaussian, (1.0,), {"size": True}, TypeError, "size"),
    (psf.gaussian, (1.0,), {"size": "15"}, TypeError, "size"),
    (psf.motion, (float("nan"), 0), {}, ValueError, "length"),
    (psf.motion, (-0.1, 0), {}, ValueError, "length"),
    (psf.motion, (False, 0), {}, TypeError, "length"),
    (psf.motion, (None, 0), {}, TypeError, "length"),
    (psf.motion, (5, float("inf")), {}, ValueError, "angle"),
    (psf.motion, (5, float("nan")), {}, ValueError, "angle"),
    (psf.motion, (5, True), {}, TypeError, "angle"),
    (psf.motion, (5, "30"), {}, TypeError, "angle"),
    (psf.motion, (5, 0), {"size": 0}, ValueError, "size"),
    (psf.motion, (5, 0), {"size": 5000}, ValueError, "size"),
    (psf.motion, (5, 0), {"size": 7.5}, TypeError, "size"),
    (psf.disk, (0,), {}, ValueError, "radius"),
    (psf.disk, (-2,), {}, ValueError, "radius"),
    (psf.disk, (float("nan"),), {}, ValueError, "radius"),
    (psf.disk, (np.bool_(True),), {}, TypeError, "radius"),
    (psf.disk, ([3],), {}, TypeError, "radius"),
    (psf.disk, (3,), {"size": 0}, ValueError, "size"),
    (psf.disk, (3,), {"size": np.float64(9)}, TypeError, "size"),
]


@pytest.mark.parametrize("func, args, kwargs, exc, name", BAD_ARGS)
def test_bad_arguments_name_the_argument(func, args, kwargs, exc, name):
    with pytest.raises(exc, match=name):
        func(*args, **kwargs)


def test_numpy_scalars_accepted():
    np.testing.assert_array_equal(psf.gaussian(np.float32(2.0), np.int64(9)), psf.gaussian(2.0, 9))
    np.testing.assert_array_equal(psf.motion(np.int32(5), np.float64(30)), psf.motion(5, 30))
    np.testing.assert_array_equal(psf.disk(np.float64(2.5)), psf.disk(2.5))


def test_message_format():
    with pytest.raises(ValueError, match=r"^sigma must be a finite number > 0, got nan$"):
        psf.gaussian(float("nan"))


def test_all():
    assert psf.__all__ == ["gaussian", "motion", "disk", "load", "parse"]
