"""Resizing that reproduces MATLAB's ``imresize``, the resampler behind every SR benchmark."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from clearsight import _dispatch, _validate
from clearsight._typing import Backend, Image, PixelT, ResizeBoundary, ResizeMethod
from clearsight.reference.resize import METHODS, RESIZE_BOUNDARIES, output_length

__all__ = ["resize"]

# Refuse outputs beyond this many samples (H × W × C): a typo in `scale`
# must be an error, not an attempt to allocate terabytes.
MAX_OUTPUT_SAMPLES = 1 << 31
# Filter taps along one axis (output samples x taps each), bounding the
# weight tables: 2**24 taps are far beyond any useful antialiasing (a
# 1/10000 downscale of a 10000-pixel axis needs 40000) and cost the reference
# a few hundred MB.
MAX_FILTER_TAPS = 1 << 24
# Smallest scale per axis (see _check_taps).
MIN_SCALE = 2.0**-40


def _pair(value: object, name: str, kind: str) -> tuple[Any, Any]:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        if kind == "scale":
            return value, value
        raise TypeError(f"{name} must be a pair (rows, cols), got {type(value).__name__}")
    if len(value) != 2:
        raise ValueError(f"{name} must have 2 entries (rows, cols), got {len(value)}")
    return value[0], value[1]


def _scales_and_size(
    shape: tuple[int, ...], scale: object, size: object
) -> tuple[tuple[int, int], tuple[float, float]]:
    if (scale is None) == (size is None):
        raise ValueError("give exactly one of scale and size")
    if scale is not None:
        factors = tuple(_validate.positive_number(s, "scale") for s in _pair(scale, "scale", "scale"))
        out = tuple(output_length(n, f) for n, f in zip(shape[:2], factors, strict=True))
    else:
        rows, cols = _pair(size, "size", "size")
        for v in (rows, cols):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral):
                raise TypeError(f"size must be two ints (rows, cols), got {size!r}")
            if v < 1:
                raise ValueError(f"size must be positive, got {size!r}")
        out = (int(rows), int(cols))
        factors = (out[0] / shape[0], out[1] / shape[1])
    samples = out[0] * out[1] * (shape[2] if len(shape) == 3 else 1)
    if samples > MAX_OUTPUT_SAMPLES:
        raise ValueError(f"scale/size would make a {out[0]}×{out[1]} image, more than {MAX_OUTPUT_SAMPLES} samples")
    return out, factors  # type: ignore[return-value]


def _check_taps(size: tuple[int, int], factors: tuple[float, float], method: str, antialias: bool) -> None:
    """Refuse scales whose antialiasing filter would need more than MAX_FILTER_TAPS taps along an axis.

    Downscaling by s with antialiasing widens the filter to width / s taps
    per output sample, so a tiny (or denormal, whose reciprocal overflows)
    scale made the reference allocate without bound and the kernel convert
    an infinite width to an integer (fuzz finding).
    """
    for n_out, factor in zip(size, factors, strict=True):
        # The coordinate map x / scale + (1 - 1 / scale) / 2 reaches about
        # n + 1 / scale: below 2**-40 its tap indices stop being exact integers
        # the kernel can hold (F15: at 1e-300 the backends parted). Any axis
        # shorter than 2**40 samples is one output sample long well before.
        if factor < MIN_SCALE:
            raise ValueError(f"scale {factor:g} is too small (below 2**-40)")
        width = 4.0 if method == "bicubic" else 2.0 if method == "bilinear" else 1.0
        if factor < 1.0 and antialias and method != "nearest":
            width /= factor
        if not width * n_out <= MAX_FILTER_TAPS:
            raise ValueError(
                f"scale {factor:g} is too small: its antialiasing filter needs {width:g} taps per output "
                f"sample (more than {MAX_FILTER_TAPS} along the axis in all)"
            )


_PIXEL_DTYPES = frozenset(_validate.PIXEL_DTYPES)


def _common_call(
    image: object, scale: object, method: object, antialias: object, boundary: object, threads: object
) -> tuple[np.ndarray, tuple[int, int], tuple[float, float], int] | None:
    """The arguments of the usual call (an aligned native ndarray, one float or int scale), checked
    as the general path checks them, or None for anything else, which the general path then checks
    and refuses or normalises. Worth its lines: the general checks cost ~20 us a call, a tenth of a
    720p ×1/4 resize (isinstance on ABCs, NumPy scalars)."""
    if type(image) is not np.ndarray or image.dtype not in _PIXEL_DTYPES or not image.flags.aligned:
        return None
    shape = image.shape
    if len(shape) == 3:
        if not 1 <= shape[2] <= _validate.MAX_CHANNELS:
            return None
    elif len(shape) != 2:
        return None
    if type(scale) is float:
        if not 0.0 < scale < math.inf:
            return None
    elif type(scale) is int:
        if not 0 < scale <= 1 << 20:
            return None
        scale = float(scale)
    else:
        return None
    if type(method) is not str or method not in METHODS or type(boundary) is not str or boundary not in RESIZE_BOUNDARIES:
        return None
    if antialias is not True and antialias is not False:
        return None
    if threads is None:
        threads = _validate.available_cpus()
    elif type(threads) is not int or threads < 1:
        return None
    rows, cols = shape[0], shape[1]
    if rows < 1 or cols < 1:
        return None
    size = (output_length(rows, scale), output_length(cols, scale))
    if size[0] * size[1] * (shape[2] if len(shape) == 3 else 1) > MAX_OUTPUT_SAMPLES:
        return None
    return image, size, (scale, scale), min(threads, _validate.MAX_THREADS)


def resize(
    image: Image[PixelT],
    scale: float | tuple[float, float] | None = None,
    *,
    size: tuple[int, int] | None = None,
    method: ResizeMethod = "bicubic",
    antialias: bool = True,
    boundary: ResizeBoundary = "symmetric",
    threads: int | None = None,
    backend: Backend = "auto",
) -> Image[PixelT]:
    """Resize an image exactly as MATLAB's ``imresize`` does.

    Parameters
    ----------
    image : ndarray
        H×W or H×W×C (C = 1 to 4, every channel resized alike, alpha
        included), uint8, uint16, float32 or float64. Any strides. Finite.
    scale : float or (float, float), optional
        Output / input size, one factor for both axes or (rows, cols), at
        least 2**-40 (any smaller factor gives one sample anyway), and, when
        shrinking with antialiasing, large enough that the filter needs at
        most 2**24 taps along the axis. The output has ``ceil(n * scale)`` samples per axis, and the factor
        itself (not the rounded size ratio) maps coordinates, as in MATLAB.
    size : (int, int), optional
        Output (rows, cols) instead of `scale`; the factors are then
        ``size / input size``. Give exactly one of `scale` and `size`.
    method : {"bicubic", "bilinear", "nearest", "area"}
        Keys' cubic (a = -0.5), triangle, or box kernel. ``"area"`` is the
        box kernel with antialiasing: block averaging at integer factors.
    antialias : bool, default True
        When shrinking, stretch the kernel by ``1 / scale`` so it low-passes
        what the coarser grid cannot hold (MATLAB's default; never for
        ``"nearest"``). No effect when enlarging.
    boundary : {"symmetric", "replicate"}
        Taps beyond the edge: mirrored (``"symmetric"``, today's MATLAB
        ``imresize``) or the edge pixel repeated (``"replicate"``, older
        MATLAB, with which the Set5/Set14 LR images of the SR literature
        were made: it reproduces every pixel of them). The two differ only
        within two (output) pixels of the border.
    threads : int, optional
        Threads for a compiled kernel (default: the CPUs this process may
        use). The NumPy backend uses one.
    backend : {"auto", "cpp", "numpy"}
        See :func:`clearsight.backends`.

    Returns
    -------
    ndarray
        The resized image, same dtype and channels. Integer images are
        rounded (half away from zero) and clipped after each axis, as MATLAB
        does for uint8; floats are not clipped (bicubic over- and
        undershoots at edges).

    Notes
    -----
    The axis with the smaller scale is resized first (rows on a tie). The
    full specification is :mod:`clearsight.reference.resize`.

    Known answers (``tests/test_resize.py``, with the data folder):
    ``resize(hr, 1 / s, boundary="replicate")`` reproduces 100 % of the
    pixels of the shipped Set5 and Set14 LR images at ×2, ×3 and ×4
    (``"symmetric"``: 98.6–99.4 %); bicubic upscaling of the LR images gives
    the published bicubic Y-PSNR: Set5 33.64 / 30.39 / 28.42 dB, Set14
    30.22 / 27.53 / 25.99 dB (``docs/resize.md``).

    OpenCV's ``cv2.resize(INTER_CUBIC)`` differs: a = -0.75, no
    antialiasing when shrinking (so it aliases) and fixed-point 8-bit
    arithmetic; it reproduces 16–30 % of the Set5/Set14 LR pixels
    (``docs/resize.md``, ``benchmarks/bench_resize.py --fidelity``).

    Backend tolerance: uint8, uint16 and float64 images are bit-identical
    to the NumPy reference on every backend. The compiled kernel computes a
    uint8 pass in exact integers where all its weights are multiples of
    2**-15 (bicubic ×2, ×4, ×1/2, ×1/4), otherwise in float32, recomputing in
    float64 every sample that float32 could round differently
    (``csrc/core/resize_avx2.cpp`` proves both).
    float32 images are computed in float32 on CPUs with AVX2, within
    ``(K_r + K_c + 6) * S_r * S_c * (2**-24 * max|image| + 2**-149)`` of the
    reference, with K the taps per output and S the largest sum of |weights|
    of each axis (bicubic: K = 4 enlarging, about 4 / scale shrinking;
    S < 1.25): about 1e-6 × max|image| at ×2 and 3e-6 at ×1/4 (2**-149, float32's
    smallest subnormal, only matters for images below its normal range,
    max|image| < 2**-126); in float64, bit-identical, elsewhere.

    Examples
    --------
    >>> import numpy as np
    >>> from clearsight import resize
    >>> image = np.arange(64, dtype=np.uint8).reshape(8, 8)
    >>> resize(image, 0.5).shape, resize(image, size=(3, 5)).shape
    ((4, 4), (3, 5))
    """
    name, module = _dispatch.resolve(backend, "resize")
    if name == "cpp" and size is None:
        common = _common_call(image, scale, method, antialias, boundary, threads)
        if common is not None:
            array, out_size, factors, n_threads = common
            _check_taps(out_size, factors, method, antialias)
            return module.resize(array, out_size, factors, method, antialias, boundary, n_threads)
    # The compiled kernel checks finiteness as it reads the image (much cheaper than a pass of its own).
    image = _validate.image(image, check_finite=name != "cpp")
    size, factors = _scales_and_size(image.shape, scale, size)
    method = _validate.choice(method, "method", METHODS)
    antialias = _validate.flag(antialias, "antialias")
    boundary = _validate.choice(boundary, "boundary", RESIZE_BOUNDARIES)
    threads = _validate.threads(threads)
    _check_taps(size, factors, method, antialias)
    return module.resize(image, size, factors, method, antialias, boundary, threads)
