"""Tools for property-testing code against clearsight's NumPy reference.

clearsight's own parity tests use these, and so can yours: hypothesis
strategies that draw the images and PSFs that break image code (1×1 and
prime sizes, every pixel dtype, alpha channels, negative strides, Fortran
order, channel slices of bigger arrays), and a check that runs a public
operation on every available backend and compares each with the NumPy
reference at the operation's documented tolerance.

Example (see ``docs/testing.md``)::

    from hypothesis import given
    from clearsight.testing import assert_matches_reference, images, psfs

    @given(image=images(), psf=psfs(max_side=9))
    def test_wiener_backends_agree(image, psf):
        assert_matches_reference(clearsight.wiener, image, psf, balance=0.01)

hypothesis is needed (``pip install clearsight[test]``); it is imported only
when this module is.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

import clearsight
from clearsight._validate import MAX_CHANNELS

__all__ = ["LAYOUTS", "TOLERANCES", "assert_matches_reference", "images", "lay_out", "psfs"]

PIXEL_DTYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.float32), np.dtype(np.float64))
# Memory layouts of the same values: each is a view into a base array.
LAYOUTS = ("c", "fortran", "flip", "flip_rows", "flip_last", "step_cols", "step_rows", "channel_slice", "transpose")
# Sizes that stress FFT lengths and block edges, mixed into the drawn sides.
AWKWARD_SIDES = (1, 2, 3, 4, 5, 7, 8, 16, 17, 31, 32, 64, 97, 101, 128, 211, 255, 256, 257)


def lay_out(x: np.ndarray, layout: str, fill: Any = 0) -> tuple[np.ndarray, np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """Place the values of `x` in memory laid out as `layout`.

    Returns ``(view, base, select)``: `view` equals `x` and is
    ``select(base)``; the rest of `base` (for the strided layouts) holds
    `fill`, so a caller can check that nothing outside the view was written.
    """
    h, w = x.shape[:2]
    rest = x.shape[2:]
    select: Callable[[np.ndarray], np.ndarray]
    if layout == "c":
        base, select = np.ascontiguousarray(x).copy(), lambda b: b
    elif layout == "fortran":
        base, select = np.asfortranarray(x).copy(order="K"), lambda b: b
    elif layout == "flip":
        base, select = np.ascontiguousarray(x[::-1, ::-1]), lambda b: b[::-1, ::-1]
    elif layout == "flip_rows":
        base, select = np.ascontiguousarray(x[::-1]), lambda b: b[::-1]
    elif layout == "flip_last":  # the channels (H×W×C) or the columns (H×W) reversed in memory
        base, select = np.ascontiguousarray(x[..., ::-1]), lambda b: b[..., ::-1]
    elif layout == "step_cols":
        base, select = np.full((h, 2 * w) + rest, fill, x.dtype), lambda b: b[:, ::-2]
    elif layout == "step_rows":
        base, select = np.full((3 * h, w) + rest, fill, x.dtype), lambda b: b[1::3]
    elif layout == "channel_slice":
        if x.ndim == 2:
            base, select = np.full((h, w, 3), fill, x.dtype), lambda b: b[..., 1]
        else:
            c = x.shape[2]
            base, select = np.full((h, w, c + 2), fill, x.dtype), lambda b: b[..., 1 : c + 1]
    elif layout == "transpose":
        base, select = np.ascontiguousarray(np.swapaxes(x, 0, 1)), lambda b: np.swapaxes(b, 0, 1)
    else:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
    view = select(base)
    view[...] = x
    return view, base, select


def _to_dtype(unit: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype.kind == "u":
        return np.floor(unit * np.iinfo(dtype).max + 0.5).astype(dtype)
    return unit.astype(dtype)


@st.composite
def images(
    draw: st.DrawFn,
    *,
    min_side: int = 1,
    max_side: int = 64,
    dtypes: Sequence[Any] = PIXEL_DTYPES,
    channels: Sequence[int | None] = (None, 1, 2, 3, 4),
    layouts: Sequence[str] = LAYOUTS,
    kinds: Sequence[str] = ("uniform", "uniform", "smooth", "binary", "constant"),
) -> np.ndarray:
    """Strategy for images as clearsight takes them.

    Parameters
    ----------
    min_side, max_side : int
        Bounds of the height and width (awkward sizes such as primes and
        powers of two in between are drawn more often).
    dtypes : sequence of dtype
        Pixel dtypes to draw from (uint8, uint16, float32, float64).
    channels : sequence of int or None
        None for H×W, else the C of H×W×C (2 and 4 carry alpha last).
    layouts : sequence of str
        Memory layouts (:data:`LAYOUTS`): C order, Fortran order, flipped
        (negative strides: both axes, the rows, or the last axis), every
        other column or third row of a bigger array, a channel slice of a
        wider image, a transpose.
    kinds : sequence of str
        Content: "uniform" noise, "smooth" (a low-frequency pattern with an
        edge), "binary" (0 or full scale), "constant".

    Values are in [0, 1] for floats and the full range for integers.
    """
    side = st.one_of(st.integers(min_side, max_side),
                     st.sampled_from([s for s in AWKWARD_SIDES if min_side <= s <= max_side] or [min_side]))
    height, width = draw(side), draw(side)
    c = draw(st.sampled_from(list(channels)))
    if c is not None and not 1 <= c <= MAX_CHANNELS:
        raise ValueError(f"channels must be None or 1..{MAX_CHANNELS}, got {c}")
    dtype = np.dtype(draw(st.sampled_from(list(dtypes))))
    shape = (height, width) if c is None else (height, width, c)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(list(kinds)))
    if kind == "uniform":
        unit = rng.random(shape)
    elif kind == "smooth":
        yy, xx = np.mgrid[0:height, 0:width] / max(height, width, 2)
        plane = 0.5 + 0.3 * np.sin(6 * xx + rng.random()) * np.cos(5 * yy)
        plane[: height // 2, : width // 3] = 0.9
        unit = plane if c is None else np.repeat(plane[..., None], c, axis=2) * rng.uniform(0.8, 1.0, c)
    elif kind == "binary":
        unit = (rng.random(shape) < 0.5).astype(np.float64)
    else:
        unit = np.full(shape, rng.random())
    view, _, _ = lay_out(_to_dtype(np.clip(unit, 0.0, 1.0), dtype), draw(st.sampled_from(list(layouts))))
    return view


@st.composite
def psfs(
    draw: st.DrawFn,
    *,
    max_side: int = 15,
    kinds: Sequence[str] = ("uniform", "sparse", "peaked", "delta", "gaussian", "motion"),
    planes: int | None = None,
) -> np.ndarray:
    """Strategy for PSFs: non-negative float64 kh×kw (or kh×kw×planes) with a positive sum.

    Kinds: "uniform" and "sparse" random taps, "peaked" (one dominant
    region), "delta" (a single tap anywhere: a pure shift), and clearsight's
    own "gaussian" and "motion" blurs. Not normalised (the doors normalise).
    """
    kind = draw(st.sampled_from(list(kinds)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "gaussian":
        plane = clearsight.psf.gaussian(draw(st.floats(0.3, max(0.3, max_side / 6))))
        plane = plane[: max_side, : max_side]
    elif kind == "motion":
        plane = clearsight.psf.motion(draw(st.floats(1.0, float(max_side))), draw(st.floats(0.0, 180.0)))
        plane = plane[: max_side, : max_side]
    else:
        shape = (draw(st.integers(1, max_side)), draw(st.integers(1, max_side)))
        if kind == "uniform":
            plane = rng.random(shape)
        elif kind == "sparse":
            plane = rng.random(shape) * (rng.random(shape) < 0.2)
        elif kind == "peaked":
            plane = rng.random(shape) ** 8
        else:
            plane = np.zeros(shape)
            plane[rng.integers(shape[0]), rng.integers(shape[1])] = 1.0
    if not plane.sum() > 0:
        plane[plane.shape[0] // 2, plane.shape[1] // 2] = 1.0
    if planes is None:
        return np.array(plane, dtype=np.float64)
    stack = np.stack([plane * rng.uniform(0.5, 1.0, plane.shape) for _ in range(planes)], axis=-1)
    return stack


# --------------------------------------------------------------- tolerances


def _float32_wiener(arguments: dict[str, Any]) -> float:
    """``2e-5 (1 + 1 / sqrt(balance)) + 2**-22 · max|W|``, W the Wiener filter on the FFT grid.

    The first term bounds the identity regulariser's amplification of float32
    round-off (|W| <= 1 / (2 sqrt(balance))) and pocketfft's float32 error on
    prime lengths; the second covers the Laplacian regulariser, whose |R|² is
    tiny near DC so that |W| can reach ~1/|H| there (828 for a uniform PSF as
    large as a 277×293 image at balance 1: the error measured 0.5–0.95 ×
    2**-24 × max|W| on every such case).
    """
    balance = arguments["balance"]
    if not isinstance(balance, numbers.Real):  # "auto": bound by the smallest balance it can choose
        from clearsight.deconv import MIN_AUTO_BALANCE

        balance = MIN_AUTO_BALANCE
    bound = 2e-5 * (1 + 1 / math.sqrt(balance))
    if arguments.get("regularizer", "identity") == "laplacian" and "psf" in arguments and "image" in arguments:
        from clearsight import _validate
        from clearsight.reference.deconvolution import padded_length, wiener_filter

        shape = np.shape(arguments["image"])
        boundary = arguments.get("boundary", "reflect")
        peak = 0.0
        for kernel in _validate.psf(arguments["psf"], shape):
            grid = (padded_length(shape[0], kernel.shape[0], boundary), padded_length(shape[1], kernel.shape[1], boundary))
            peak = max(peak, float(np.abs(wiener_filter(kernel / kernel.sum(), grid, balance, "laplacian")).max()))
        bound += 2.0**-22 * peak
    return bound


def _levels(dtype: np.dtype, float32_tolerance: float) -> float:
    """Integer outputs: one grey level (a value within float error of a half level may round either
    way) plus the float32 error in grey levels."""
    return math.floor(1 + np.iinfo(dtype).max * float32_tolerance)


def _wiener_tolerance(dtype: np.dtype, arguments: dict[str, Any]) -> float:
    float32 = _float32_wiener(arguments)
    if dtype.kind == "u":
        return _levels(dtype, float32)
    return 1e-9 if dtype == np.float64 else float32


_U32 = 2.0**-24
_U64 = 2.0**-53


def _exact(dtype: np.dtype, arguments: dict[str, Any]) -> float:
    """Kernels that repeat the reference's float64 operations in its order: every bit."""
    return 0.0


def _blur_taps(arguments: dict[str, Any], sigma: float) -> tuple[int, int]:
    from clearsight.reference.sharpen import _fold, gaussian_weights, kernel_radius

    image = np.asarray(arguments["image"])
    truncate = float(arguments.get("truncate", 4.0))
    boundary = arguments.get("boundary", "reflect")
    weights = gaussian_weights(sigma, truncate)
    taps = sum(_fold(weights, n, boundary)[1].size for n in image.shape[:2])
    return taps, 2 * kernel_radius(sigma, truncate) + 1


def _blur_tolerance(dtype: np.dtype, arguments: dict[str, Any], sigma: float) -> float:
    if dtype.kind == "u":
        return 1.0  # a value within float error of a half level may round either way
    taps, n = _blur_taps(arguments, sigma)
    unit = _U32 if dtype == np.float32 else _U64
    # Float rounding of the two passes; the reference's own cast to float32; the
    # weights' normalising and folding sums (float64 in both backends).
    return (taps + 2) * unit + (_U32 if dtype == np.float32 else 0.0) + 4 * n * _U64


def _gaussian_blur_tolerance(dtype: np.dtype, arguments: dict[str, Any]) -> float:
    return _blur_tolerance(dtype, arguments, float(arguments["sigma"]))


def _unsharp_tolerance(dtype: np.dtype, arguments: dict[str, Any]) -> float:
    if arguments.get("threshold", 0.0) != 0.0 or arguments.get("luminance_only", False):
        raise ValueError("unsharp_mask is compared only with threshold=0 and luminance_only=False: "
                         "a detail within float error of the threshold may be sharpened by one backend only")
    if dtype.kind == "u":
        return 1.0
    amount = float(arguments["amount"])
    unit = _U32 if dtype == np.float32 else _U64
    return amount * _blur_tolerance(dtype, arguments, float(arguments["radius"])) + (3 + 2 * amount) * unit


def _sharpness_tolerance(dtype: np.dtype, arguments: dict[str, Any]) -> float:
    """Relative bound of the variance, summed in float64 over 16-row blocks, as an absolute one."""
    image = np.asarray(arguments["image"])
    h, w = image.shape[:2]
    from clearsight.reference.estimate import sharpness

    return (16 * w + h / 16 + 8) * _U64 * abs(sharpness(image)) + 1e-300


def _unit_scale(result: np.ndarray) -> float:
    """max|x| of a result in [0, 1] units (integers divided by their full scale), at least 1e-30."""
    scale = float(np.max(np.abs(result), initial=0.0))
    if result.dtype.kind == "u":
        scale /= np.iinfo(result.dtype).max
    return max(scale, 1e-30)


def _unclipped_reference(func: Callable[..., Any], arguments: dict[str, Any]) -> np.ndarray:
    """The reference's result before clipping and conversion, in [0, 1] units.

    An integer image is given as float64 in [0, 1] units: an integer result
    saturates at its dtype's range even with ``clip=False``, which hid the
    overshoot of a weakly regularised deconvolution (max|x| = 7.7 for a
    uint16 image in a hypothesis draw) and made the bound too tight.
    """
    from clearsight.reference.pixels import to_unit_float

    options = {**arguments, "clip": False, "backend": "numpy"}
    return np.asarray(func(to_unit_float(np.asarray(options.pop("image"))), options.pop("psf"), **options))


def _fft_iterations_tolerance(dtype: np.dtype, arguments: dict[str, Any], grid: tuple[int, int],
                              iterations: int, unclipped: np.ndarray, gain: float = 1.0) -> float:
    """``4 (n + 1) log2(NH NW) ε max|x| · gain``: the bound the iterative FFT deconvolutions document.

    ε is float64's for float64 images and float32's otherwise (the compiled
    kernels work in float32 on integer and float32 planes); max|x| is taken
    from the reference's unclipped result. Integer outputs add one grey level
    (the two results may round to either side of a half level).
    """
    eps = _U64 * 2 if dtype == np.float64 else _U32 * 2
    bound = 4.0 * (iterations + 1) * max(math.log2(grid[0] * grid[1]), 1.0) * eps * _unit_scale(unclipped) * gain
    if arguments.get("luminance_only", False):
        bound += 8 * eps  # the colour conversions and the change added back to R, G and B
    if dtype.kind == "u":
        return math.floor(1 + np.iinfo(dtype).max * bound)
    return bound


def _richardson_lucy_tolerance(dtype: np.dtype, arguments: dict[str, Any]) -> float:
    from clearsight import _validate
    from clearsight.deconv import DEFAULT_RL_ITERATIONS
    from clearsight.reference.richardson_lucy import RichardsonLucyPlan, zero_boundary_gain

    image = np.asarray(arguments["image"])
    iterations = arguments["iterations"] or DEFAULT_RL_ITERATIONS[arguments["acceleration"]]
    kernel = _validate.psf(arguments["psf"], image.shape)[0]
    grid = RichardsonLucyPlan(kernel, image.shape[:2], arguments["boundary"], True).padded_shape
    unclipped = _unclipped_reference(clearsight.richardson_lucy, {**arguments, "iterations": iterations})
    gain = zero_boundary_gain(kernel, image.shape[:2]) if arguments["boundary"] == "zero" else 1.0
    return _fft_iterations_tolerance(dtype, arguments, grid, iterations, unclipped, gain)


def _deconvolve_tv_tolerance(dtype: np.dtype, arguments: dict[str, Any]) -> float:
    from clearsight import _validate
    from clearsight.reference.tv_deconvolution import DEFAULT_ALPHA, TVDeconvolutionPlan

    alpha = arguments["alpha"] if arguments["alpha"] is not None else DEFAULT_ALPHA[arguments["prior"]]
    if alpha < 1:
        raise ValueError("deconvolve_tv is compared pointwise only for alpha >= 1: below 1 the shrinkage jumps "
                         "at its threshold, so a gradient within round-off of it may land on either side "
                         "(the docstring bounds the mean difference there; tests/parity checks that)")
    image = np.asarray(arguments["image"])
    kernel = _validate.psf(arguments["psf"], image.shape)[0]
    grid = TVDeconvolutionPlan(kernel, image.shape[:2], arguments["boundary"], True).padded_shape
    unclipped = _unclipped_reference(clearsight.deconvolve_tv, arguments)
    return _fft_iterations_tolerance(dtype, arguments, grid, arguments["iterations"], unclipped)


def _denoise_tv_tolerance(dtype: np.dtype, arguments: dict[str, Any]) -> float:
    """float64 work 1e-12 · max(1, max|f|); float32 work 4 · passes · 2**-23 · max(1, max|f|), passes
    at most `max_iterations` (integers are denoised in float64, then rounded: one grey level)."""
    if dtype.kind == "u":
        return 1.0
    scale = max(1.0, float(np.max(np.abs(np.asarray(arguments["image"], np.float64)), initial=0.0)))
    if dtype == np.float64:
        return 1e-12 * scale
    return 4 * int(arguments["max_iterations"]) * 2 * _U32 * scale


def _psnr_tolerance(dtype: np.dtype, arguments: dict[str, Any]) -> float:
    """PSNR in dB. 8/16-bit integers: exact (both backends sum the squared
    differences exactly). Otherwise the same float64 squares summed in
    another order: each sum of the n non-negative terms is within a relative
    (n - 1) u of the true one, so the MSEs differ by a relative n 2u, the
    PSNRs by 10 log10(e) times that, plus the rounding of the logs."""
    reference = np.asarray(arguments["reference"])
    if reference.dtype.kind in "ui" and reference.dtype.itemsize <= 2:
        return 0.0
    n = reference.size
    return 10.0 * math.log10(math.e) * n * 2 * _U64 + 1e-13


def _ssim_tolerance(dtype: np.dtype, arguments: dict[str, Any]) -> float:
    """Mean SSIM. The map is the reference's bit for bit (the same float64
    operations in the same order); its mean sums the same values (|s| <= 1)
    in another order: row sums of four partial sums, rows, strips and tiles
    against NumPy's pairwise sum, each within (depth) u, bounded by
    (H + W + 64) 2^-52."""
    reference = np.asarray(arguments["reference"])
    return (reference.shape[0] + reference.shape[1] + 64) * 2 * _U64


# float32's smallest subnormal: below 2**-126 a float32 rounding errs by up to half of it, not by
# a fraction of the value, so bounds relative to max|image| need it as an absolute term.
_TINY32 = 2.0**-149


def _resize_tolerance(dtype: np.dtype, arguments: dict[str, Any]) -> float:
    """Integer and float64 images: every bit. float32: the bound of ``clearsight.resize``'s docstring."""
    if dtype != np.float32:
        return 0.0
    from clearsight.reference.resize import axis_weights
    from clearsight.resampling import _scales_and_size

    image = np.asarray(arguments["image"])
    size, factors = _scales_and_size(image.shape, arguments["scale"], arguments["size"])
    bound = 1.0
    taps = 6
    for axis in (0, 1):
        _, weights = axis_weights(image.shape[axis], size[axis], factors[axis], arguments["method"],
                                  arguments["antialias"], arguments["boundary"])
        nonzero = weights != 0
        spans = weights.shape[1] - np.argmax(nonzero[:, ::-1], axis=1) - np.argmax(nonzero, axis=1)
        taps += int(spans.max())
        bound *= float(np.abs(weights).sum(axis=1).max())
    return taps * bound * (_U32 * float(np.max(np.abs(image))) + _TINY32)


# The documented tolerance of each public operation's compiled backends
# against the NumPy reference: tolerance(output dtype, all arguments by name,
# defaults filled in) → max abs difference (grey levels for integer output). The numbers are the
# ones the operations' docstrings state ("Backend tolerance").
TOLERANCES: dict[str, Callable[[np.dtype, dict[str, Any]], float]] = {
    "wiener": _wiener_tolerance,
    "richardson_lucy": _richardson_lucy_tolerance,
    "deconvolve_tv": _deconvolve_tv_tolerance,
    "denoise_tv": _denoise_tv_tolerance,
    "gaussian_blur": _gaussian_blur_tolerance,
    "unsharp_mask": _unsharp_tolerance,
    "estimate_noise": _exact,
    "sharpness": _sharpness_tolerance,
    "rgb_to_ycbcr": _exact,
    "ycbcr_to_rgb": _exact,
    "rgb_to_y": _exact,
    "resize": _resize_tolerance,
    "psnr": _psnr_tolerance,
    "ssim": _ssim_tolerance,
}


def assert_matches_reference(func: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, float]:
    """Run a public operation on every available backend and compare with the NumPy reference.

    Parameters
    ----------
    func : callable
        A public clearsight operation taking ``backend=`` (``clearsight.wiener``, ...).
    *args, **kwargs
        Its arguments (without `backend`).

    Returns
    -------
    dict
        The max abs difference of each backend's result from the reference
        (0.0 for ``"numpy"``, which is the reference).

    Raises
    ------
    AssertionError
        When a backend's result differs in shape or dtype, or by more than
        the operation's documented tolerance (:data:`TOLERANCES`), or when a
        backend raises where the reference does not (or the other way round).
    """
    if "backend" in kwargs:
        raise TypeError("assert_matches_reference runs every backend itself: do not pass backend")
    name = getattr(func, "__name__", repr(func))
    if name not in TOLERANCES:
        raise ValueError(f"no documented tolerance for {name!r}; known: {', '.join(sorted(TOLERANCES))}")
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    expected = func(*args, backend="numpy", **kwargs)
    differences = {"numpy": 0.0}
    for backend in clearsight.backends():
        if backend == "numpy":
            continue
        got = func(*args, backend=backend, **kwargs)
        if not isinstance(expected, np.ndarray):
            got, expected_array = np.asarray(got, np.float64), np.asarray(expected, np.float64)
        else:
            expected_array = expected
            assert got.shape == expected.shape, f"{name} on {backend}: shape {got.shape}, reference {expected.shape}"
            assert got.dtype == expected.dtype, f"{name} on {backend}: dtype {got.dtype}, reference {expected.dtype}"
        error = float(np.max(np.abs(got.astype(np.float64) - expected_array.astype(np.float64)), initial=0.0))
        limit = TOLERANCES[name](np.asarray(expected_array).dtype, arguments)
        assert error <= limit, f"{name} on {backend}: max abs difference {error:.3g} > tolerance {limit:.3g}"
        differences[backend] = error
    return differences
