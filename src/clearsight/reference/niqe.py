"""NIQE (Mittal, Soundararajan & Bovik 2013) in plain NumPy: the specification of :func:`clearsight.metrics.niqe`.

The no-reference "naturalness" score of the LIVE release (``computequality.m``
and its helpers), step by step, on a grey image with values in 0..255:

1. crop to whole 96×96 blocks (top-left);
2. at each of two scales (the image, then ``resize(image, 0.5)``: MATLAB's
   bicubic ``imresize`` with antialiasing and mirrored borders):

   * local mean μ and deviation σ by a 7×7 Gaussian window (σ = 7/6,
     normalised to sum 1; borders replicated), and the MSCN coefficients
     ``(I - μ) / (σ + 1)``; where the 7×7 neighbourhood is flat,
     ``|I - μ|`` is rounding noise of about 1e-14 whose sign would decide
     which half of the AGGD a zero falls in: below 1e-8 it is set to 0;
   * per block (96/scale pixels square), 18 features: an asymmetric
     generalised Gaussian (AGGD) fitted by moment matching on the grid
     α = 0.2, 0.201, …, 10 to the MSCN coefficients, giving (α, (β_l + β_r)/2),
     and to their products with the neighbour at (0, 1), (1, 0), (1, 1) and
     (1, −1) (circularly within the block), giving (α, η, β_l, β_r) with
     ``η = (β_r − β_l) Γ(2/α) / Γ(1/α)``;

3. the 36 features of the blocks give a multivariate Gaussian (mean, and
   covariance over the blocks without NaN); the score is the Mahalanobis-like
   distance ``sqrt((μp − μd)ᵀ pinv((Σp + Σd)/2) (μp − μd))`` to the pristine
   model (μp, Σp). Lower is more natural.
"""

from __future__ import annotations

import functools
import json
import math
from importlib import resources

import numpy as np

from clearsight.reference.resize import resize

__all__ = ["BLOCK", "features", "load_pristine_model", "mscn", "niqe"]

BLOCK = 96
_WINDOW_SIGMA = 7.0 / 6.0
_FLAT = 1e-8
_ALPHA_GRID = np.round(np.arange(200, 10001) * 1e-3, 3)  # 0.2:0.001:10, as MATLAB builds it
_SHIFTS = ((0, 1), (1, 0), (1, 1), (1, -1))


@functools.cache
def load_pristine_model() -> tuple[np.ndarray, np.ndarray]:
    """(mu (36,), cov (36, 36)) of the LIVE release, shipped in ``clearsight/models/niqe``
    (written by ``tools/make_niqe_model.py``; its copyright notice is ``NOTICE.txt`` beside it)."""
    text = resources.files("clearsight").joinpath("models/niqe/pristine.json").read_text()
    model = json.loads(text)
    return np.array(model["mu"], dtype=np.float64), np.array(model["cov"], dtype=np.float64)


@functools.cache
def _ratio_table() -> np.ndarray:
    """Γ(2/α)² / (Γ(1/α) Γ(3/α)) on the α grid: the moment ratio the fit inverts."""
    g = np.vectorize(math.gamma)
    return g(2.0 / _ALPHA_GRID) ** 2 / (g(1.0 / _ALPHA_GRID) * g(3.0 / _ALPHA_GRID))


def _window() -> np.ndarray:
    """1-D factor of MATLAB's ``fspecial('gaussian', 7, 7/6)`` (the 2-D window is its outer product)."""
    x = np.arange(-3, 4, dtype=np.float64)
    g = np.exp(-(x * x) / (2.0 * _WINDOW_SIGMA**2))
    return g / g.sum()


def _filter_replicate(image: np.ndarray) -> np.ndarray:
    """7×7 Gaussian filtering with replicated borders (MATLAB ``imfilter(..., 'replicate')``)."""
    g = _window()
    padded = np.pad(image, 3, mode="edge")
    rows = sum(g[k] * padded[k : k + image.shape[0], :] for k in range(7))
    return sum(g[k] * rows[:, k : k + image.shape[1]] for k in range(7))


def mscn(image: np.ndarray) -> np.ndarray:
    """Mean-subtracted contrast-normalised coefficients of a float64 grey image (0..255 units)."""
    mu = _filter_replicate(image)
    sigma = np.sqrt(np.abs(_filter_replicate(image * image) - mu * mu))
    centred = image - mu
    centred[np.abs(centred) < _FLAT] = 0.0
    return centred / (sigma + 1.0)


def _aggd(values: np.ndarray) -> tuple[float, float, float]:
    """(α, β_l, β_r) of an asymmetric generalised Gaussian fitted to `values` by moment matching."""
    left = values[values < 0]
    right = values[values > 0]
    left_std = math.sqrt(np.mean(left * left)) if left.size else 0.0
    right_std = math.sqrt(np.mean(right * right)) if right.size else 0.0
    mean_square = np.mean(values * values)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma_hat = np.float64(left_std) / right_std
        r_hat = np.mean(np.abs(values)) ** 2 / mean_square
        r_norm = r_hat * (gamma_hat**3 + 1.0) * (gamma_hat + 1.0) / (gamma_hat**2 + 1.0) ** 2
    if not np.isfinite(r_norm):
        return math.nan, math.nan, math.nan  # a degenerate block: dropped from the covariance, as MATLAB's NaN
    alpha = float(_ALPHA_GRID[int(np.argmin((_ratio_table() - r_norm) ** 2))])
    scale = math.sqrt(math.gamma(1.0 / alpha) / math.gamma(3.0 / alpha))
    return alpha, left_std * scale, right_std * scale


def _block_features(block: np.ndarray) -> list[float]:
    alpha, beta_left, beta_right = _aggd(block.ravel())
    out = [alpha, (beta_left + beta_right) / 2.0]
    for shift in _SHIFTS:
        pair = (block * np.roll(block, shift, axis=(0, 1))).ravel()
        alpha, beta_left, beta_right = _aggd(pair)
        eta = (beta_right - beta_left) * math.gamma(2.0 / alpha) / math.gamma(1.0 / alpha) if alpha == alpha else math.nan
        out += [alpha, eta, beta_left, beta_right]
    return out


def features(grey: np.ndarray) -> np.ndarray:
    """The blocks × 36 feature matrix of a float64 grey image in 0..255 units (already cropped)."""
    per_scale = []
    image = grey
    for scale in (1, 2):
        coefficients = mscn(image)
        size = BLOCK // scale
        rows, cols = coefficients.shape[0] // size, coefficients.shape[1] // size
        # Column-major block order, as MATLAB's blkproc; only the pairing across scales matters.
        per_scale.append(np.array([
            _block_features(coefficients[r * size : (r + 1) * size, c * size : (c + 1) * size])
            for c in range(cols) for r in range(rows)
        ]))
        if scale == 1:
            image = resize(image, (image.shape[0] // 2, image.shape[1] // 2), (0.5, 0.5))
    return np.hstack(per_scale)


def niqe(grey: np.ndarray) -> float:
    """NIQE of a float64 grey image in 0..255 units, at least 96×96 (arguments assumed valid)."""
    rows, cols = (grey.shape[0] // BLOCK) * BLOCK, (grey.shape[1] // BLOCK) * BLOCK
    feats = features(np.ascontiguousarray(grey[:rows, :cols], dtype=np.float64))
    if np.isnan(feats).all(axis=0).any():
        # No block has the structure a feature needs (a flat image: the
        # normalised luminance is 0 everywhere), so the score is undefined;
        # MATLAB returns NaN, which would pass silently through an average.
        raise ValueError("image has no 96×96 block with texture (e.g. it is constant): NIQE is undefined for it")
    mu_p, cov_p = load_pristine_model()
    complete = feats[~np.any(np.isnan(feats), axis=1)]
    mu_d = np.nanmean(feats, axis=0)
    # One usable block gives no covariance; MATLAB's nancov then returns zeros.
    cov_d = np.cov(complete, rowvar=False) if complete.shape[0] > 1 else np.zeros_like(cov_p)
    difference = mu_p - mu_d
    return float(np.sqrt(difference @ np.linalg.pinv((cov_p + cov_d) / 2.0) @ difference))
