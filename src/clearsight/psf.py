"""Point-spread functions (PSFs) for deconvolution.

Every function here returns a 2-D, C-contiguous ``float64`` array that is
non-negative and sums to 1 (to within 1e-12). The generators (``gaussian``,
``motion``, ``disk``) return square arrays whose side length is odd unless an
explicit ``size`` is given; ``load`` keeps the file's shape. The PSF's centre is at index
``(size // 2, size // 2)``, which is the convention the deconvolution code
uses: a PSF of shape ``(h, w)`` is centred at ``(h // 2, w // 2)``. With an
even ``size`` the centre is still at ``size // 2``, so the array is not
symmetric about its middle.

Coordinates: row indices grow downwards and column indices grow to the
right. An angle of 0 degrees points along +x (increasing column) and angles
grow counter-clockwise as seen on screen, so 90 degrees points up, towards
decreasing row index.

Functions
---------
gaussian
    Isotropic Gaussian blur.
motion
    Linear motion blur: an anti-aliased line segment.
disk
    Defocus blur: an anti-aliased pillbox.
load
    Read a PSF from a ``.npy`` file or an image file.
parse
    Turn a command-line PSF spec such as ``"motion:15,30"`` into a PSF.
"""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["gaussian", "motion", "disk", "load", "parse"]

#: Largest side length any PSF may have, in pixels. A PSF this big is already
#: far larger than anything a deconvolution handles well; the cap also stops a
#: typo such as ``sigma=1e6`` from trying to allocate terabytes.
MAX_SIZE = 4097

_NPY_MAGIC = b"\x93NUMPY"

_VALID_FORMS = (
    "valid forms: 'gaussian:SIGMA', 'gaussian:SIGMA,SIZE', 'motion:LENGTH,ANGLE', "
    "'motion:LENGTH,ANGLE,SIZE', 'disk:RADIUS', 'disk:RADIUS,SIZE', "
    "or a path to a .npy or image file"
)


# --------------------------------------------------------------------------
# Argument checking
# --------------------------------------------------------------------------

def _describe(value: object) -> str:
    return f"{type(value).__name__} {value!r}"


def _real(name: str, value: object, *, lower: float | None, strict: bool) -> float:
    """Return ``value`` as a finite float, checking its lower bound.

    ``bool`` is rejected even though it is an ``int`` subclass: ``sigma=True``
    is almost certainly a mistake, not a request for sigma = 1.
    """
    if lower is None:
        rule = "a finite number"
    else:
        rule = f"a finite number {'>' if strict else '>='} {lower:g}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {rule}, got {_describe(value)}")
    try:
        x = float(value)
    except OverflowError:
        # An int too large for a float (e.g. 10**400) is out of range, not
        # of the wrong type.
        raise ValueError(f"{name} must be {rule}, got {value!r}") from None
    if not math.isfinite(x) or (
        lower is not None and (x <= lower if strict else x < lower)
    ):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return x


def _size(value: object, name: str = "size") -> int:
    """Check an explicit kernel side length: an int in ``[1, MAX_SIZE]``."""
    rule = f"an int in [1, {MAX_SIZE}]"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {rule}, got {_describe(value)}")
    n = int(value)
    if not 1 <= n <= MAX_SIZE:
        raise ValueError(f"{name} must be {rule}, got {n}")
    return n


def _check_default_size(name: str, value: float, half: float) -> int:
    """Turn a default half-width into an odd size, refusing ones over MAX_SIZE.

    ``half`` is compared as a float before any int conversion so that an
    enormous (but finite) parameter cannot overflow.
    """
    if half > (MAX_SIZE - 1) // 2:
        raise ValueError(
            f"{name}={value!r} needs a kernel wider than the {MAX_SIZE}-pixel maximum; "
            f"pass an explicit size to truncate it"
        )
    return 2 * int(half) + 1


def _offsets(size: int) -> np.ndarray:
    """Pixel-centre coordinates of one axis, relative to the centre ``size // 2``."""
    return np.arange(size, dtype=np.float64) - (size // 2)


def _finish(kernel: np.ndarray) -> np.ndarray:
    """Normalise to unit sum and return a fresh C-contiguous float64 array."""
    kernel = np.asarray(kernel, dtype=np.float64)
    # Scaling by the maximum first keeps the sum finite even for inputs near
    # the float64 limit, and keeps subnormal-only inputs from losing all
    # precision when divided by a tiny sum.
    kernel = kernel / kernel.max()
    kernel = kernel / kernel.sum()
    return np.ascontiguousarray(kernel, dtype=np.float64)


def _symmetrise_180(kernel: np.ndarray) -> np.ndarray:
    """Average a kernel with its 180-degree rotation about ``size // 2``.

    The constructions below are symmetric in exact arithmetic; averaging
    removes the last-bit differences that summation order introduces, so
    ``k == k[::-1, ::-1]`` holds exactly for odd sizes. For an even size only
    the block ``[1:, 1:]`` is centred on ``size // 2``; row 0 and column 0 have
    no mirror partner inside the array and are left alone.
    """
    k = kernel.copy()
    o = 1 if k.shape[0] % 2 == 0 else 0
    block = k[o:, o:]
    k[o:, o:] = 0.5 * (block + block[::-1, ::-1])
    return k


# --------------------------------------------------------------------------
# Gaussian
# --------------------------------------------------------------------------

def gaussian(sigma: float, size: int | None = None) -> np.ndarray:
    """Isotropic Gaussian PSF.

    The Gaussian ``exp(-(x**2 + y**2) / (2 * sigma**2))`` is sampled at pixel
    centres (not integrated over pixels) and the samples are normalised to
    sum to 1. Sampling keeps the kernel exactly separable: it equals the outer
    product of the 1-D sampled Gaussian with itself.

    Parameters
    ----------
    sigma : float
        Standard deviation in pixels, finite and > 0. For ``sigma`` below
        about 0.5 the samples away from the centre are tiny, so the kernel is
        close to a delta and its variance is smaller than ``sigma**2``.
    size : int, optional
        Side length in pixels, in ``[1, 4097]``; may be even. Default: the
        smallest odd size that reaches at least 3 sigma from the centre,
        ``2 * ceil(3 * sigma) + 1``, which keeps all but about 0.3 % of each
        1-D tail. A smaller size truncates the Gaussian before normalising.

    Returns
    -------
    numpy.ndarray
        ``(size, size)`` float64 array, non-negative, summing to 1, peak at
        ``(size // 2, size // 2)``.

    Raises
    ------
    TypeError
        If ``sigma`` is not a real number (``bool`` included) or ``size`` is
        not an int.
    ValueError
        If ``sigma`` is not finite or not > 0, if ``size`` is outside
        ``[1, 4097]``, or if the default size would exceed 4097 (sigma > 682).

    Examples
    --------
    >>> k = gaussian(1.5)
    >>> k.shape
    (11, 11)
    >>> round(float(k.sum()), 12)
    1.0
    """
    s = _real("sigma", sigma, lower=0.0, strict=True)
    if size is None:
        n = _check_default_size("sigma", sigma, math.ceil(3.0 * s))
    else:
        n = _size(size)
    # Dividing before squaring keeps a tiny sigma from underflowing sigma**2 to
    # zero (0/0 at the centre); an overflow to inf just gives exp(-inf) = 0.
    with np.errstate(over="ignore"):
        profile = np.exp(-0.5 * np.square(_offsets(n) / s))
    return _finish(np.outer(profile, profile))


# --------------------------------------------------------------------------
# Motion blur
# --------------------------------------------------------------------------

def _direction(angle: float) -> tuple[float, float]:
    """Unit vector ``(dcol, drow)`` for an angle in degrees, rows growing down.

    The angle is reduced to a quarter turn plus a remainder in ``[0, 90)`` so
    that multiples of 90 degrees give exact 0 and +-1 components (``cos(90°)``
    in floating point is 6e-17, which would smear a vertical line by a hair
    and break exact transposition symmetry). The reduction is continuous in
    the angle up to rounding.
    """
    a = angle % 360.0
    quarter = int(a // 90.0)
    rest = a - 90.0 * quarter
    quarter %= 4  # -1e-20 % 360 rounds to 360.0
    c = math.cos(math.radians(rest))
    s = math.sin(math.radians(rest))
    # Rotate (c, s) by `quarter` exact quarter turns counter-clockwise.
    for _ in range(quarter):
        c, s = -s, c
    # Screen rows grow downwards, so counter-clockwise means decreasing row.
    return c, -s


def _tent(u: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, 1.0 - np.abs(u))


def _segment_weights(length: float, dcol: float, drow: float, size: int) -> np.ndarray:
    """Exact bilinear-splat weights of a uniform segment, unnormalised.

    The segment runs through the centre pixel's centre along ``(dcol, drow)``
    for a total of ``length`` pixels. Each pixel ``p`` gets

        w(p) = integral over t in [-1, 1] of tent(x(t) - p_col) * tent(y(t) - p_row) dt,

    with ``(x, y) = t * length / 2 * (dcol, drow)`` and ``tent(u) = max(0,
    1 - |u|)``: the limit of splatting infinitely many sub-samples of the
    segment bilinearly onto the grid. Along ``t`` the integrand is a product
    of two piecewise-linear functions whose kinks are where ``x - p_col`` or
    ``y - p_row`` equals -1, 0 or 1, so between those breakpoints it is a
    quadratic and Simpson's rule integrates it exactly. Parameterising by
    ``t`` rather than arc length keeps interval widths O(1) however short the
    segment is.
    """
    half = size // 2
    hl = 0.5 * length

    # Candidate pixels: sample the segment every <= 0.5 px, and around every
    # sample take the 4x4 block that can lie within 1 px of it on both axes.
    # Any pixel that gets weight is within 1 px (per axis) of some point of the
    # segment and hence within 1.25 px of a sample, so it is in such a block.
    # Only the part of the segment that can reach the array matters, which
    # bounds the work when an explicit size truncates a very long line.
    reach = min(hl, math.sqrt(2.0) * (half + 2))
    n_samples = math.ceil(2.0 * reach / 0.5) + 1
    s = np.linspace(-reach, reach, n_samples)
    base_col = np.floor(s * dcol).astype(np.int64)
    base_row = np.floor(s * drow).astype(np.int64)
    step = np.arange(-1, 3, dtype=np.int64)
    cols, rows = np.broadcast_arrays(
        base_col[:, None, None] + step[None, None, :],
        base_row[:, None, None] + step[None, :, None],
    )
    cols, rows = cols.ravel(), rows.ravel()
    lo, hi = -half, size - 1 - half
    keep = (cols >= lo) & (cols <= hi) & (rows >= lo) & (rows <= hi)
    span = size + 1
    keys = np.unique((rows[keep] - lo) * span + (cols[keep] - lo))
    pr = (keys // span + lo).astype(np.float64)
    pc = (keys % span + lo).astype(np.float64)

    # Breakpoints in t for each candidate, clipped to the segment.
    kinks = np.array([-1.0, 0.0, 1.0])
    pieces = [np.full((pr.size, 1), -1.0), np.full((pr.size, 1), 1.0)]
    with np.errstate(over="ignore", divide="ignore"):
        for p, d in ((pc, dcol), (pr, drow)):
            # A component that is zero (or underflows to zero for a very
            # short segment) has no kinks inside the segment.
            if hl * d != 0.0:
                pieces.append((p[:, None] + kinks[None, :]) / (hl * d))
    bps = np.sort(np.clip(np.concatenate(pieces, axis=1), -1.0, 1.0), axis=1)

    a, b = bps[:, :-1], bps[:, 1:]
    m = 0.5 * (a + b)

    def f(t: np.ndarray) -> np.ndarray:
        return _tent(t * (hl * dcol) - pc[:, None]) * _tent(t * (hl * drow) - pr[:, None])

    vals = ((b - a) * (f(a) + 4.0 * f(m) + f(b))).sum(axis=1) / 6.0

    kernel = np.zeros((size, size), dtype=np.float64)
    kernel[(pr - lo).astype(np.intp), (pc - lo).astype(np.intp)] = vals
    return kernel


def motion(length: float, angle: float, size: int | None = None) -> np.ndarray:
    """Linear motion-blur PSF: an anti-aliased line segment.

    The segment is ``length`` pixels long, centred on the centre pixel's
    centre, and points along ``angle``. It is anti-aliased by bilinear
    splatting in the continuous limit: the PSF equals the uniform measure on
    the segment convolved with the bilinear "tent" ``max(0, 1-|x|) * max(0,
    1-|y|)`` and sampled at pixel centres, which is computed exactly rather
    than by sub-sampling. Consequences:

    * the result depends continuously on ``length`` and ``angle``; changing
      ``length`` by ``d`` changes the PSF by at most ``|d| / sqrt(2)`` in L1
      norm, as long as the line fits in the array;
    * it is exactly symmetric under a 180-degree rotation about the centre
      (odd sizes), so its centre of mass is the centre pixel;
    * a horizontal or vertical line stays exactly one pixel wide; the tent
      adds at most 1/4 px² to the variance along the line, whose second
      moment is therefore in ``[length**2 / 12, length**2 / 12 + 1/4]``;
    * ``length = 0`` gives a delta, and lengths below 1 give a short smear of
      the centre pixel into its neighbours, still summing to 1.

    Parameters
    ----------
    length : float
        Length of the blur path in pixels, finite and >= 0. Sub-pixel
        lengths are allowed.
    angle : float
        Direction in degrees, finite, counter-clockwise from the +x (column)
        axis with rows growing downwards: 0 is horizontal, 90 points up
        (towards decreasing row index), 45 runs from bottom-left to top-right.
        ``angle`` and ``angle + 180`` give the same PSF.
    size : int, optional
        Side length in pixels, in ``[1, 4097]``; may be even. Default: the
        smallest odd size holding the line's anti-aliased footprint plus a
        1-pixel zero margin, ``2 * ceil(h) + 3`` with
        ``h = length / 2 * max(|cos angle|, |sin angle|)``. A smaller size
        truncates the line before normalising.

    Returns
    -------
    numpy.ndarray
        ``(size, size)`` float64 array, non-negative, summing to 1, centred
        at ``(size // 2, size // 2)``.

    Raises
    ------
    TypeError
        If ``length`` or ``angle`` is not a real number (``bool`` included)
        or ``size`` is not an int.
    ValueError
        If ``length`` is not finite or negative, ``angle`` is not finite,
        ``size`` is outside ``[1, 4097]``, or the default size would exceed
        4097.

    Examples
    --------
    >>> k = motion(4, 0)
    >>> k.shape
    (7, 7)
    >>> [round(float(v) * 8, 6) for v in k[3]]
    [0.0, 1.0, 2.0, 2.0, 2.0, 1.0, 0.0]
    """
    ln = _real("length", length, lower=0.0, strict=False)
    ang = _real("angle", angle, lower=None, strict=False)
    dcol, drow = _direction(ang)
    if size is None:
        reach = 0.5 * ln * max(abs(dcol), abs(drow))
        n = _check_default_size("length", length, math.ceil(reach) + 1.0)
    else:
        n = _size(size)
    if ln == 0.0:
        kernel = np.zeros((n, n), dtype=np.float64)
        kernel[n // 2, n // 2] = 1.0
        return kernel
    kernel = _segment_weights(ln, dcol, drow, n)
    return _finish(_symmetrise_180(kernel))


# --------------------------------------------------------------------------
# Disk (defocus)
# --------------------------------------------------------------------------

def _quarter_area(x: np.ndarray, y: np.ndarray, r: float) -> np.ndarray:
    """Signed area of the disk of radius ``r`` inside the box from (0, 0) to (x, y).

    For ``x, y >= 0`` this is the area of ``{X in [0, x], Y in [0, y]}``
    inside the disk; for negative arguments the sign flips with each
    negative coordinate, so inclusion-exclusion over a pixel's four corners
    gives the pixel's covered area wherever the pixel lies (the disk is
    mirror-symmetric about both axes).

    For ``x, y >= 0``: the disk's upper edge is ``h(X) = sqrt(r² - X²)``, so
    the area is the integral over ``X in [0, min(x, r)]`` of ``min(y, h(X))``.
    The cap ``y`` wins while ``X < a = sqrt(r² - y²)``; after that the edge
    does, and ``G(t) = (t * h(t) + r² * asin(t / r)) / 2`` is the integral of
    ``h`` from 0 to ``t``.
    """
    sx, sy = np.sign(x), np.sign(y)
    ax, ay = np.abs(x), np.abs(y)
    r2 = r * r
    xc = np.minimum(ax, r)
    ac = np.minimum(np.sqrt(np.maximum(r2 - ay * ay, 0.0)), xc)

    def g(t: np.ndarray) -> np.ndarray:
        return 0.5 * (t * np.sqrt(np.maximum(r2 - t * t, 0.0)) + r2 * np.arcsin(np.minimum(t / r, 1.0)))

    return sx * sy * (ay * ac + g(xc) - g(ac))


def _disk_coverage(radius: float, size: int) -> np.ndarray:
    """Area of each pixel square covered by the disk, unnormalised (values in [0, 1]).

    The area is computed in closed form. Pixels whose farthest corner lies
    inside the disk are set to exactly 1 and those whose nearest point lies
    outside to exactly 0, so the rounding of the closed form only touches the
    pixels the edge actually crosses. The result is built from one quadrant
    made symmetric under transposition and then mirrored, so it is exactly
    symmetric under flips and transposition about ``size // 2``.
    """
    half = size // 2
    i = np.arange(half + 1, dtype=np.float64)
    x0, x1 = (i - 0.5)[:, None], (i + 0.5)[:, None]
    y0, y1 = (i - 0.5)[None, :], (i + 0.5)[None, :]
    r = float(radius)
    q = (
        _quarter_area(x1, y1, r)
        - _quarter_area(x0, y1, r)
        - _quarter_area(x1, y0, r)
        + _quarter_area(x0, y0, r)
    )
    far = np.hypot(x1, y1)
    near = np.hypot(np.maximum(x0, 0.0), np.maximum(y0, 0.0))
    q = np.where(far <= r, 1.0, np.where(near >= r, 0.0, np.clip(q, 0.0, 1.0)))
    q = 0.5 * (q + q.T)
    idx = np.abs(np.arange(size) - half)
    return q[idx[:, None], idx[None, :]]


def disk(radius: float, size: int | None = None) -> np.ndarray:
    """Defocus (pillbox) PSF: an anti-aliased uniform disk.

    Each pixel's value is proportional to the area of its unit square that
    the disk of ``radius`` pixels, centred on the centre pixel's centre,
    covers. The area is computed exactly (in closed form), not by
    supersampling, and the result is exactly symmetric under transposition
    and under horizontal and vertical flips (odd sizes).

    Parameters
    ----------
    radius : float
        Disk radius in pixels, finite and > 0. A radius <= 0.5 fits inside
        the centre pixel and gives a delta.
    size : int, optional
        Side length in pixels, in ``[1, 4097]``; may be even. Default
        ``2 * ceil(radius) + 1`` (always odd), which holds the whole disk.
        A smaller size truncates the disk before normalising.

    Returns
    -------
    numpy.ndarray
        ``(size, size)`` float64 array, non-negative, summing to 1, centred
        at ``(size // 2, size // 2)``.

    Raises
    ------
    TypeError
        If ``radius`` is not a real number (``bool`` included) or ``size`` is
        not an int.
    ValueError
        If ``radius`` is not finite or not > 0, if ``size`` is outside
        ``[1, 4097]``, or if the default size would exceed 4097
        (radius > 2048).

    Examples
    --------
    >>> k = disk(1.0)
    >>> k.shape
    (3, 3)
    >>> bool(k[1, 1] > k[0, 1] > k[0, 0] > 0)
    True
    """
    r = _real("radius", radius, lower=0.0, strict=True)
    if size is None:
        n = _check_default_size("radius", radius, math.ceil(r))
    else:
        n = _size(size)
    half = n // 2
    if r <= 0.5:
        kernel = np.zeros((n, n), dtype=np.float64)
        kernel[half, half] = 1.0
        return kernel
    if r >= math.sqrt(2.0) * (half + 1.0):
        # The disk covers the whole array; skip the closed form, whose r**2
        # would overflow for absurdly large radii.
        return np.full((n, n), 1.0 / (n * n))
    return _finish(_disk_coverage(r, n))


# --------------------------------------------------------------------------
# Loading from files
# --------------------------------------------------------------------------

def _validated(arr: np.ndarray, path: str) -> np.ndarray:
    """Check a loaded array and normalise it, raising ValueError naming ``path``."""
    where = f"PSF file {path!r}"
    if arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise ValueError(f"{where}: expected a real numeric array, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"{where}: expected a 2-D array, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{where}: array is empty (shape {arr.shape})")
    if max(arr.shape) > MAX_SIZE:
        raise ValueError(
            f"{where}: shape {arr.shape} exceeds the {MAX_SIZE}-pixel maximum side length"
        )
    a = arr.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{where}: contains NaN or infinite values")
    if np.any(a < 0):
        raise ValueError(f"{where}: contains negative values (min {a.min():g})")
    if not np.any(a > 0):
        raise ValueError(f"{where}: all values are zero, so it cannot be normalised")
    return _finish(a)


def _read_image(path: str) -> np.ndarray:
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as err:
        raise ImportError(
            f"reading the PSF image {path!r} needs Pillow: pip install clearsight[image] "
            "(or save the PSF as a .npy file)"
        ) from err
    try:
        with Image.open(path) as img:
            img.load()
            # These modes map to a single-channel array that keeps the full
            # bit depth (uint8, uint16 in either byte order, int32, float32).
            if img.mode in ("L", "I", "F", "I;16", "I;16L", "I;16B", "I;16N"):
                return np.asarray(img)
            try:
                grey = img.convert("F")
            except ValueError:
                # A few rare modes (premultiplied alpha) have no direct
                # conversion to F, but every mode converts to RGB.
                grey = img.convert("RGB").convert("F")
            return np.asarray(grey)
    except UnidentifiedImageError:
        raise ValueError(
            f"PSF file {path!r}: not a .npy file and not an image Pillow can identify"
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as err:
        raise ValueError(f"PSF file {path!r}: cannot read the image ({err})") from err


def load(path: str | os.PathLike[Any]) -> np.ndarray:
    """Read a PSF from a ``.npy`` file or an image file and normalise it.

    A file is read as NumPy's ``.npy`` format when its name ends in ``.npy``
    (any case) or it starts with the ``.npy`` magic bytes; pickled object
    arrays are refused. Anything else is opened with Pillow (PNG, TIFF, ...)
    and converted to a grey float image: single-channel 8-bit, 16-bit,
    32-bit integer and float images keep their values, colour images are
    converted to luma (ITU-R 601-2 weights) and alpha is ignored. Only the
    first frame of a multi-frame image is used.

    The array is returned as float64, normalised to sum to 1, with its centre
    taken to be ``(rows // 2, cols // 2)``; the shape is not changed (an even
    side length is kept as it is).

    Parameters
    ----------
    path : str or os.PathLike
        File to read.

    Returns
    -------
    numpy.ndarray
        2-D float64 C-contiguous array, non-negative, summing to 1.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is a directory, cannot be read or decoded, does not
        hold a 2-D real numeric array, is empty, has a side longer than 4097,
        contains NaN, infinite or negative values, or is all zero. The
        message names ``path`` and the reason.
    ImportError
        If the file is not ``.npy`` and Pillow is not installed
        (``pip install clearsight[image]``).
    TypeError
        If ``path`` is not a str or path-like object.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {_describe(path)}")
    name = os.fspath(path)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    p = Path(name)
    if not p.exists():
        raise FileNotFoundError(f"PSF file {name!r} not found")
    if p.is_dir():
        raise ValueError(f"PSF file {name!r} is a directory, not a .npy or image file")
    try:
        with open(p, "rb") as fh:
            head = fh.read(len(_NPY_MAGIC))
    except OSError as err:
        raise ValueError(f"PSF file {name!r}: cannot be read ({err})") from err
    if head == _NPY_MAGIC or p.suffix.lower() == ".npy":
        try:
            arr = np.load(p, allow_pickle=False)
        except Exception as err:  # np.load raises many types on bad input
            raise ValueError(f"PSF file {name!r}: not a valid .npy array ({err})") from err
        if not isinstance(arr, np.ndarray):
            # np.load returns an NpzFile for .npz archives.
            raise ValueError(f"PSF file {name!r}: holds an archive, not a single .npy array")
    else:
        arr = _read_image(name)
    return _validated(np.asarray(arr), name)


# --------------------------------------------------------------------------
# Command-line specs
# --------------------------------------------------------------------------

# kind -> (function, labels of its values in order, how many are required).
_KINDS: dict[str, tuple[Callable[..., np.ndarray], tuple[str, ...], int]] = {
    "gaussian": (gaussian, ("SIGMA", "SIZE"), 1),
    "motion": (motion, ("LENGTH", "ANGLE", "SIZE"), 2),
    "disk": (disk, ("RADIUS", "SIZE"), 1),
}

_SPEC = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:(.*)$", re.DOTALL)


def _spec_error(spec: str, reason: str) -> ValueError:
    return ValueError(f"invalid psf {spec!r}: {reason}; {_VALID_FORMS}")


def parse(spec: str | os.PathLike[Any]) -> np.ndarray:
    """Build a PSF from a command-line spec string.

    Accepted forms (whitespace around the name and each value is ignored,
    and the name is case-insensitive):

    * ``"gaussian:SIGMA"`` or ``"gaussian:SIGMA,SIZE"`` -> :func:`gaussian`
    * ``"motion:LENGTH,ANGLE"`` or ``"motion:LENGTH,ANGLE,SIZE"`` ->
      :func:`motion`
    * ``"disk:RADIUS"`` or ``"disk:RADIUS,SIZE"`` -> :func:`disk`
    * anything else is a path passed to :func:`load`.

    A spec of the form ``word:...`` is a path only if that file exists (so a
    file named ``gaussian:2.npy`` can still be loaded); otherwise the word
    must be one of the kinds above. A one-letter word followed by ``\\`` or
    ``/`` is taken as a Windows drive letter, i.e. a path.

    Parameters
    ----------
    spec : str or os.PathLike
        The spec. Path-like objects are always loaded as files.

    Returns
    -------
    numpy.ndarray
        The PSF, as returned by the function the spec names.

    Raises
    ------
    ValueError
        If the spec names an unknown kind, has the wrong number of values,
        a value that is not a number (``SIZE`` must be an integer) or is out
        of range; the message says "psf", lists the valid forms and says
        what was wrong. Also any ``ValueError`` from :func:`load`.
    FileNotFoundError
        If the spec is a path (no ``kind:`` prefix) that does not exist.
    TypeError
        If ``spec`` is neither a str nor path-like.

    Examples
    --------
    >>> parse("motion: 9, 45").shape
    (11, 11)
    >>> parse("gaussian:2.0,15").shape
    (15, 15)
    """
    if isinstance(spec, os.PathLike):
        return load(spec)
    if not isinstance(spec, str):
        raise TypeError(f"psf spec must be a str or os.PathLike, got {_describe(spec)}")
    if not spec.strip():
        raise _spec_error(spec, "the spec is empty")
    match = _SPEC.match(spec)
    drive = match is not None and len(match.group(1)) == 1 and match.group(2)[:1] in ("\\", "/")
    if match is None or drive or os.path.isfile(spec):
        return load(spec)

    name = match.group(1).lower()
    if name not in _KINDS:
        raise _spec_error(
            spec, f"unknown psf kind {match.group(1)!r} (and no file of that name exists)"
        )
    func, labels, required = _KINDS[name]
    body = match.group(2)
    parts = [part.strip() for part in body.split(",")] if body.strip() else []
    form = f"{name}:{','.join(labels[:required])}" + "".join(
        f"[,{lab}]" for lab in labels[required:]
    )
    if not required <= len(parts) <= len(labels):
        got = "none" if not parts else str(len(parts))
        raise _spec_error(
            spec, f"{form} takes {required} to {len(labels)} comma-separated values, got {got}"
        )
    values: list[float | int] = []
    for label, text in zip(labels, parts, strict=False):  # trailing values are optional
        if not text:
            raise _spec_error(spec, f"{label} is empty")
        if label == "SIZE":
            try:
                values.append(int(text))
            except ValueError:
                raise _spec_error(spec, f"SIZE must be an integer, got {text!r}") from None
        else:
            try:
                values.append(float(text))
            except ValueError:
                raise _spec_error(spec, f"{label} must be a number, got {text!r}") from None
    try:
        return func(*values)
    except (TypeError, ValueError) as err:
        raise _spec_error(spec, str(err)) from None
