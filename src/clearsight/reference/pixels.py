"""Pixel conventions shared by every reference operation.

Images are processed as float in [0, 1]: integers are scaled by their type's
maximum on the way in and rounded half up, clipped, on the way out.
"""

from __future__ import annotations

import numpy as np

__all__ = ["from_unit_float", "to_unit_float"]


def to_unit_float(plane: np.ndarray) -> np.ndarray:
    """float64 copy of `plane`; integers are scaled by their maximum (uint8 → /255, uint16 → /65535)."""
    if np.issubdtype(plane.dtype, np.integer):
        return plane.astype(np.float64) / np.iinfo(plane.dtype).max
    return plane.astype(np.float64)


def from_unit_float(values: np.ndarray, dtype: np.dtype, clip: bool) -> np.ndarray:
    """Convert float64 `values` to `dtype`.

    Integers: clipped to [0, 1], scaled by the type's maximum and rounded half
    up. Floats: clipped to [0, 1] when `clip`, then cast.
    """
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.integer):
        top = np.iinfo(dtype).max
        return np.floor(np.clip(values, 0.0, 1.0) * top + 0.5).astype(dtype)
    if clip:
        values = np.clip(values, 0.0, 1.0)
    return values.astype(dtype)
