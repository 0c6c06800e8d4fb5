"""Shared fixtures for clearsight's tests.

- ``backend``: every public-API test that takes it runs once per backend
  available here (``clearsight.backends()``: "cpp" when the compiled core
  imports, "numpy" always).
- ``data``: the evaluation data sets, read in place from
  ``clearsight.datasets.data_dir()``; a test that asks for it is skipped, with
  the reason, when the folder (or the file it needs) is absent.
- ``levin_kernels`` / ``levin_images``: the 8 Levin et al. (2009) camera-shake
  kernels (``kernels/kernel{1..8}.npy``) and the 4 sharp Levin images
  (``deblur/im{1..4}.png``, grey, /255 as float64).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings

import clearsight
from clearsight import _dispatch
from clearsight.datasets import data_dir, data_path

# CI (.ci/run) sets CLEARSIGHT_HYPOTHESIS_PROFILE=ci: the same examples on
# every run of the same code, so that a submission lands or not on its own
# merits, not on the draw. Everywhere else the draws are random, to explore:
# longer runs elsewhere (the GPU machine's, for one) found F12 that way
# (docs/reliability.md). Loaded here, before any test module builds its
# settings, which inherit from the loaded profile.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("CLEARSIGHT_HYPOTHESIS_PROFILE", "default"))

LEVIN_KERNELS = tuple(range(1, 9))
LEVIN_IMAGES = tuple(range(1, 5))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test taking ``backend`` once per backend available here.

    A test module that exercises kernels some backend lacks (an operation whose
    compiled kernel is not written yet) names them in ``BACKEND_KERNELS``; the
    module's tests then run only on the backends that have all of them, rather
    than being generated and skipped.
    """
    if "backend" in metafunc.fixturenames:
        needed = getattr(metafunc.module, "BACKEND_KERNELS", ())
        names = [
            name for name in clearsight.backends() if all(hasattr(_dispatch._load(name), k) for k in needed)
        ]
        metafunc.parametrize("backend", names, ids=str)


class Data:
    """Reads files of the data folder in place; skips the calling test when one is missing."""

    def path(self, *parts: str):
        try:
            return data_path(*parts)
        except FileNotFoundError as error:
            pytest.skip(f"data set not available: {error}")

    def kernel(self, index: int) -> np.ndarray:
        """Levin kernel `index` (1..8): float64, non-negative, sums to 1."""
        return np.load(self.path("kernels", f"kernel{index}.npy"))

    def image(self, index: int) -> np.ndarray:
        """Levin sharp image `index` (1..4): grey, float64 in [0, 1] (png / 255)."""
        image_module = pytest.importorskip("PIL.Image", reason="Pillow is needed to read the PNG data sets")
        with image_module.open(self.path("deblur", f"im{index}.png")) as picture:
            pixels = np.asarray(picture.convert("L"))
        return pixels.astype(np.float64) / 255.0


@pytest.fixture(scope="session")
def data() -> Data:
    """The data sets; skips (with the reason) when the data folder is absent."""
    folder = data_dir()
    if not folder.is_dir():
        pytest.skip(
            f"data folder {folder} not found: set CLEARSIGHT_DATA to the folder holding the clearsight data sets"
        )
    return Data()


@pytest.fixture(scope="session")
def levin_kernels(data: Data) -> list[np.ndarray]:
    """The 8 Levin kernels, kernel1 first."""
    return [data.kernel(i) for i in LEVIN_KERNELS]


@pytest.fixture(scope="session")
def levin_images(data: Data) -> list[np.ndarray]:
    """The 4 Levin sharp images, im1 first, float64 in [0, 1]."""
    return [data.image(i) for i in LEVIN_IMAGES]
