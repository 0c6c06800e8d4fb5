"""The public API as users call it, type-checked by mypy and run by pytest.

``tests/test_static.py`` runs mypy on this file (strict, the project's
settings): every result is assigned to a variable annotated with the type a
user would expect, so a door whose annotation drifts from what it returns
fails the check. The same test also runs :func:`main`, which checks at run
time that each value really has the type it was annotated with (dtype
included), so the annotations cannot drift from the behaviour either.
No ``reveal_type``: the file is plain Python.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

import clearsight
from clearsight.metrics import ms_ssim, niqe, psnr, ssim


def _check(value: object, kind: type, dtype: type | None = None) -> None:
    """Run-time twin of the annotation the value was just assigned to."""
    if not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
    if dtype is not None and isinstance(value, np.ndarray) and value.dtype != np.dtype(dtype):
        raise TypeError(f"expected dtype {np.dtype(dtype)}, got {value.dtype}")


def grey_uint8(rng: np.random.Generator) -> None:
    image: NDArray[np.uint8] = rng.integers(0, 256, (48, 40), dtype=np.uint8)
    psf: NDArray[np.float64] = clearsight.psf.gaussian(1.0)

    restored: NDArray[np.uint8] = clearsight.wiener(image, psf, balance=0.01, boundary="taper")
    _check(restored, np.ndarray, np.uint8)
    auto: NDArray[np.uint8] = clearsight.wiener(image, psf, "auto", regularizer="laplacian")
    _check(auto, np.ndarray, np.uint8)
    lucy: NDArray[np.uint8] = clearsight.richardson_lucy(image, psf, 5, acceleration="biggs", boundary="zero")
    _check(lucy, np.ndarray, np.uint8)
    tv: NDArray[np.uint8] = clearsight.deconvolve_tv(image, psf, 1e-3, prior="hyper-laplacian", iterations=3)
    _check(tv, np.ndarray, np.uint8)
    smooth: NDArray[np.uint8] = clearsight.denoise_tv(image, 0.1, channels="joint", threads=1)
    _check(smooth, np.ndarray, np.uint8)
    blurred: NDArray[np.uint8] = clearsight.gaussian_blur(image, 1.5, boundary="nearest")
    _check(blurred, np.ndarray, np.uint8)
    sharp: NDArray[np.uint8] = clearsight.unsharp_mask(image, 1.0, 0.5, 0.01, backend="numpy")
    _check(sharp, np.ndarray, np.uint8)
    small: NDArray[np.uint8] = clearsight.resize(image, 0.5, method="area")
    _check(small, np.ndarray, np.uint8)
    sized: NDArray[np.uint8] = clearsight.resize(image, size=(30, 20), boundary="replicate")
    _check(sized, np.ndarray, np.uint8)

    sigma: float = clearsight.estimate_noise(image)
    _check(sigma, float)
    sigmas: NDArray[np.float64] = clearsight.estimate_noise(image, average=False)
    _check(sigmas, np.ndarray, np.float64)
    focus: float = clearsight.sharpness(image)
    _check(focus, float)
    decibels: float = psnr(image, restored)
    _check(decibels, float)
    similarity: float = ssim(image, restored)
    _check(similarity, float)
    value, ssim_map = ssim(image, restored, full=True)
    _check(value, float)
    _check(ssim_map, np.ndarray, np.float64)


def colour_float(rng: np.random.Generator) -> None:
    rgb32: NDArray[np.float32] = rng.random((32, 24, 3), dtype=np.float32)
    rgb64: NDArray[np.float64] = rng.random((32, 24, 3))
    rgba16: NDArray[np.uint16] = rng.integers(0, 65536, (32, 24, 4), dtype=np.uint16)
    psf = clearsight.psf.motion(5.0, 30.0)

    deconvolve = clearsight.Deconvolver(psf, rgb32.shape, balance=0.02, dtype=np.float32)
    frame: NDArray[np.float32] = deconvolve(rgb32)
    _check(frame, np.ndarray, np.float32)
    into: NDArray[np.float32] = deconvolve(rgb32, out=np.empty_like(rgb32))
    _check(into, np.ndarray, np.float32)
    padded: tuple[int, int] = deconvolve.padded_shape
    _check(padded, tuple)

    luma_only: NDArray[np.float64] = clearsight.wiener(rgb64, psf, luminance_only=True)
    _check(luma_only, np.ndarray, np.float64)
    per_channel: NDArray[np.uint16] = clearsight.richardson_lucy(rgba16, np.stack([psf] * 3, axis=-1), 3)
    _check(per_channel, np.ndarray, np.uint16)
    ycbcr: NDArray[np.float32] = clearsight.rgb_to_ycbcr(rgb32)
    _check(ycbcr, np.ndarray, np.float32)
    back: NDArray[np.float32] = clearsight.ycbcr_to_rgb(ycbcr, clip=False)
    _check(back, np.ndarray, np.float32)
    luma: NDArray[np.uint16] = clearsight.rgb_to_y(rgba16)
    _check(luma, np.ndarray, np.uint16)
    big: NDArray[np.float64] = clearsight.resize(rgb64, (2.0, 1.5))
    _check(big, np.ndarray, np.float64)


def scores(rng: np.random.Generator) -> None:
    reference: NDArray[np.float64] = rng.random((176, 176))
    test = np.clip(reference + 0.01 * rng.standard_normal(reference.shape), 0.0, 1.0)
    multi_scale: float = ms_ssim(reference, test, data_range=1.0)
    _check(multi_scale, float)
    naturalness: float = niqe(np.ascontiguousarray(reference[:96, :96]))
    _check(naturalness, float)
    # An array whose dtype the checker cannot know (read from a file, a
    # library without stubs) is accepted, and so is its result.
    loaded: NDArray[Any] = np.asarray(test)
    whatever: NDArray[Any] = clearsight.gaussian_blur(loaded, 2.0)
    _check(whatever, np.ndarray, np.float64)
    names: list[str] = clearsight.backends()
    _check(names, list)


def main() -> None:
    rng = np.random.default_rng(0)
    grey_uint8(rng)
    colour_float(rng)
    scores(rng)


if __name__ == "__main__":
    main()
