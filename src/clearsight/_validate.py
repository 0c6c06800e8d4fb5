"""Argument checks shared by every public door.

Each function returns the normalised value or raises ``TypeError`` (wrong
kind of object or dtype) / ``ValueError`` (right kind, bad value) with a
message that names the argument and says what was expected.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

PIXEL_DTYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.float32), np.dtype(np.float64))
_DTYPE_NAMES = "uint8, uint16, float32 or float64"
MAX_CHANNELS = 4
MAX_THREADS = 1 << 16
_Option = TypeVar("_Option", bound=str)


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def pixel_dtype(value: object, name: str = "dtype") -> np.dtype:
    """A NumPy dtype among uint8, uint16, float32, float64."""
    if value is None:  # np.dtype(None) would silently mean float64
        raise TypeError(f"{name} must be a dtype ({_DTYPE_NAMES}), got None")
    try:
        dtype = np.dtype(value)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"{name} must be a dtype ({_DTYPE_NAMES}), got {_describe(value)}") from None
    if dtype not in PIXEL_DTYPES:
        raise TypeError(f"{name} must be {_DTYPE_NAMES}, got {dtype}")
    return dtype


def _all_finite(array: np.ndarray) -> bool:
    # min/max reductions propagate NaN and inf without allocating a boolean
    # mask the size of the image; this check runs on every video frame.
    return bool(np.isfinite(array.min()) and np.isfinite(array.max()))


def image(value: object, name: str = "image", *, check_finite: bool = True) -> np.ndarray:
    """An H×W or H×W×C (C ≤ 4) array of a pixel dtype, non-empty, and finite unless
    `check_finite` is False (for backends that check while they compute)."""
    if not isinstance(value, np.ndarray):
        array_like = hasattr(value, "__array__") or isinstance(value, Sequence)
        if isinstance(value, (str, bytes)) or value is None or not array_like:
            raise TypeError(f"{name} must be a NumPy array, got {type(value).__name__}")
        try:
            value = np.asarray(value)
        except (ValueError, TypeError) as error:
            raise TypeError(f"{name} must be a NumPy array: {error}") from None
    array: np.ndarray = value
    if not array.dtype.isnative and array.dtype.newbyteorder("=") in PIXEL_DTYPES:
        array = array.astype(array.dtype.newbyteorder("="))  # e.g. big-endian FITS data
    if not array.flags.aligned:
        # The compiled kernels read whole items at aligned addresses; a view at
        # an odd offset of a byte buffer is copied once (fuzz finding: "cpp"
        # refused such images, "numpy" took them).
        array = array.copy()
    if array.dtype not in PIXEL_DTYPES:
        raise TypeError(f"{name} must have dtype {_DTYPE_NAMES}, got {array.dtype}")
    if array.ndim not in (2, 3):
        raise ValueError(f"{name} must be H×W or H×W×C, got {array.ndim}-D array of shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    if array.ndim == 3 and array.shape[2] > MAX_CHANNELS:
        raise ValueError(
            f"{name} must have 1 to {MAX_CHANNELS} channels in its last axis (H×W×C, channel last), "
            f"got shape {array.shape}"
        )
    if check_finite and array.dtype.kind == "f" and not _all_finite(array):
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def frame_shape(value: object, name: str = "shape") -> tuple[int, ...]:
    """(H, W) or (H, W, C) of positive ints, C ≤ 4."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a tuple (H, W) or (H, W, C), got {_describe(value)}")
    if len(value) not in (2, 3) or not all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value
    ):
        raise ValueError(f"{name} must be (H, W) or (H, W, C) of ints, got {_describe(value)}")
    shape = tuple(int(v) for v in value)
    if min(shape) < 1:
        raise ValueError(f"{name} must be positive, got {shape}")
    if len(shape) == 3 and shape[2] > MAX_CHANNELS:
        raise ValueError(f"{name} must have 1 to {MAX_CHANNELS} channels, got {shape}")
    return shape


def colour_channels(shape: tuple[int, ...]) -> int:
    """Channels that are restored: all but a trailing alpha (2 = grey+alpha, 4 = RGBA)."""
    channels = shape[2] if len(shape) == 3 else 1
    return channels - 1 if channels in (2, 4) else channels


def psf(value: object, shape: tuple[int, ...], name: str = "psf") -> list[np.ndarray]:
    """PSFs for an image of `shape`: one C-contiguous float64 2-D array per colour channel (shared
    PSFs are the same object), each normalised to unit sum.

    Accepts a 2-D PSF (shared) or a 3-D kh×kw×K stack with K = the image's colour channels.
    """
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise TypeError(f"{name} must be a NumPy array: {error}") from None
    if array.dtype.kind not in "fiu" or array.dtype == np.bool_:
        raise TypeError(f"{name} must be a real numeric array, got dtype {array.dtype}")
    colour = colour_channels(shape)
    if array.ndim == 3 and array.shape[2] != colour:
        raise ValueError(
            f"{name} has {array.shape[2]} per-channel PSFs but the image has {colour} colour channel(s)"
        )
    if array.ndim not in (2, 3):
        raise ValueError(f"{name} must be 2-D (kh×kw) or 3-D (kh×kw×channels), got {array.ndim}-D")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    if array.shape[0] > shape[0] or array.shape[1] > shape[1]:
        raise ValueError(
            f"{name} ({array.shape[0]}×{array.shape[1]}) must not be larger than the image "
            f"({shape[0]}×{shape[1]})"
        )
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity")
    if np.any(array < 0):
        raise ValueError(f"{name} must be non-negative")
    planes = [array] if array.ndim == 2 else [array[..., c] for c in range(colour)]
    result = []
    for plane in planes:
        with np.errstate(over="ignore"):  # an overflowing sum is reported below
            total = plane.sum()
        if not total > 0:
            raise ValueError(f"{name} must have a positive sum (it is all zeros)")
        if not np.isfinite(total):
            raise ValueError(f"{name} sum overflows float64; scale it down")
        result.append(np.ascontiguousarray(plane / total))
    return result * colour if array.ndim == 2 else result


def real_number(value: object, name: str) -> float:
    """A finite real number (bools refused: True is not a sigma)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def positive_number(value: object, name: str) -> float:
    """A finite real number > 0."""
    number = real_number(value, name)
    if number <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {number}")
    return number


def non_negative_number(value: object, name: str) -> float:
    """A finite real number >= 0."""
    number = real_number(value, name)
    if number < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {number}")
    return number


def unit_interval(value: object, name: str) -> float:
    """A real number in [0, 1] (intensity units)."""
    number = real_number(value, name)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be in [0, 1] (intensity units), got {number}")
    return number


def positive_int(value: object, name: str) -> int:
    """An int >= 1 (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= 1, got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def choice(value: object, name: str, options: Sequence[_Option]) -> _Option:
    """One of `options` (typed as they are: a tuple of Literal strings gives that Literal)."""
    if isinstance(value, str):
        for option in options:
            if value == option:
                return option
    listed = ", ".join(repr(o) for o in options)
    raise ValueError(f"{name} must be one of {listed}, got {_describe(value)}")


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def threads(value: object, name: str = "threads") -> int:
    """None (all CPUs this process may use) or an int ≥ 1."""
    if value is None:
        return available_cpus()
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= 1 or None, got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    # More threads than this can never help; the kernels cap at a few times
    # the CPU count anyway. Capping here keeps any int the user passes
    # representable in C.
    return min(int(value), MAX_THREADS)


def flag(value: object, name: str) -> bool:
    """A bool (NumPy bools included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)
