"""NIQE: the published value, the shipped model, the pieces of the algorithm, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from clearsight.naturalness import niqe
from clearsight.reference import niqe as reference

REFERENCE_BABOON = 5.72957338  # MATLAB R2021a, data folder niqe/README.md


def _baboon(data) -> np.ndarray:
    from PIL import Image

    with Image.open(data.path("niqe", "baboon.png")) as picture:
        return np.asarray(picture.convert("RGB"))


def test_baboon_matches_matlab(data):
    assert niqe(_baboon(data)) == pytest.approx(REFERENCE_BABOON, abs=1e-5)


def test_shipped_model_is_the_published_one(data):
    mu, cov = reference.load_pristine_model()
    with np.load(data.path("niqe", "niqe_pristine.npz")) as published:
        np.testing.assert_array_equal(mu, published["mu"])
        np.testing.assert_array_equal(cov, published["cov"])
    from importlib import resources

    # The release's copyright notice travels with the model, in its entirety (its licence's condition).
    shipped = resources.files("clearsight").joinpath("models/niqe/NOTICE.txt").read_text()
    readme = data.path("niqe", "LIVE_niqe_release_readme.txt").read_text(encoding="utf-8")
    notice = readme[readme.index("-----------COPYRIGHT NOTICE STARTS"):readme.index("WITH THIS LINE------------%") + 26]
    assert "\n".join(notice.splitlines()) in shipped


def test_distortions_raise_the_score():
    skimage_data = pytest.importorskip("skimage.data")
    from scipy.ndimage import gaussian_filter

    camera = skimage_data.camera().astype(np.float64) / 255.0
    rng = np.random.default_rng(0)
    clean = niqe(camera)
    assert niqe(np.clip(camera + rng.normal(0, 0.1, camera.shape), 0, 1)) > clean + 5
    assert niqe(gaussian_filter(camera, 3.0)) > clean + 2


def test_input_conventions():
    rng = np.random.default_rng(1)
    grey8 = rng.integers(0, 256, (200, 150), dtype=np.uint8)
    # uint8 grey, its uint16 and float copies, and grey + alpha score alike.
    score = niqe(grey8)
    assert niqe(grey8.astype(np.uint16) * np.uint16(257)) == pytest.approx(score, abs=1e-9)
    assert niqe(grey8 / 255.0) == pytest.approx(score, abs=1e-9)
    assert niqe(np.stack([grey8, np.full_like(grey8, 7)], axis=-1)) == pytest.approx(score, abs=1e-12)
    # RGB is scored on its rounded studio-swing Y, alpha ignored.
    rgb = rng.integers(0, 256, (200, 150, 3), dtype=np.uint8)
    from clearsight.color import rgb_to_y

    expected = reference.niqe(rgb_to_y(rgb).astype(np.float64))
    assert niqe(rgb) == expected
    assert niqe(np.concatenate([rgb, grey8[..., None]], axis=-1)) == expected


def test_only_whole_blocks_count():
    rng = np.random.default_rng(2)
    image = rng.random((250, 300))
    assert niqe(image) == niqe(image[:192, :288])


def test_flat_areas_give_exact_zeros():
    image = np.full((40, 40), 100.0)
    image[:, 20:] = 180.0
    coefficients = reference.mscn(image)
    assert np.all(coefficients[:, :15] == 0.0) and np.all(coefficients[:, 25:] == 0.0)


@pytest.mark.parametrize("sampler, alpha", [("normal", 2.0), ("laplace", 1.0)])
def test_aggd_fit_recovers_the_shape(sampler, alpha):
    rng = np.random.default_rng(3)
    values = getattr(rng, sampler)(0.0, 1.0, 200_000)
    fitted, beta_left, beta_right = reference._aggd(values)
    assert fitted == pytest.approx(alpha, abs=0.03)
    assert beta_left == pytest.approx(beta_right, rel=0.02)


def test_grid_is_matlabs():
    assert reference._ALPHA_GRID[0] == 0.2 and reference._ALPHA_GRID[-1] == 10.0
    assert len(reference._ALPHA_GRID) == 9801


@pytest.mark.parametrize(
    "image, error, fragment",
    [
        (np.zeros((95, 200)), ValueError, "at least 96×96"),
        (np.full((100, 100), np.nan), ValueError, "NaN"),
        (np.full((100, 100), 2.0), ValueError, r"\[0, 1\]"),
        (np.zeros((100, 100), np.int16), TypeError, "dtype"),
        (np.zeros((100,)), ValueError, "H×W"),
        (None, TypeError, "image"),
    ],
)
def test_bad_input(image, error, fragment):
    with pytest.raises(error, match=fragment):
        niqe(image)


def test_torch_tensors_give_one_score_per_image():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    batch = rng.random((2, 3, 100, 120))
    scores = niqe(torch.from_numpy(batch))
    assert scores.shape == (2,) and scores.dtype == torch.float64
    for n in range(2):
        assert scores[n].item() == pytest.approx(niqe(batch[n].transpose(1, 2, 0)), abs=1e-12)
    with pytest.raises(ValueError, match="N×C×H×W"):
        niqe(torch.zeros(100, 100))
