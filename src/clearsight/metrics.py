"""Full-reference image quality metrics: PSNR, SSIM and MS-SSIM.

Every metric compares a `reference` image with a `test` image of the same
shape and dtype and computes in float64, whatever the input dtype. NumPy
images are H×W or H×W×C (channel last) and give a Python float; PyTorch
tensors are N×C×H×W and give a tensor of N values, computed with torch
operations end to end (so PSNR and SSIM are differentiable and usable as
losses). torch is imported only when a tensor is passed in.

The conventions are those of the super-resolution literature: ``crop_border``
pixels removed from every side, ``y_channel=True`` scoring the BT.601 Y
plane (MATLAB ``rgb2ycbcr``) of RGB images, and the Gaussian SSIM of Wang et
al. (2004) that scikit-image computes.
"""

from __future__ import annotations

import math
import numbers
import sys
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import NDArray

from clearsight import _dispatch, _validate
from clearsight._typing import Backend
from clearsight.naturalness import niqe
from clearsight.reference.color import RGB_TO_YCBCR, YCBCR_OFFSET
from clearsight.reference.metrics import (
    MS_SSIM_WEIGHTS,
    SSIM_RADIUS,
    ms_ssim_min_size,
    ssim_window,
)

__all__ = ["ms_ssim", "niqe", "psnr", "ssim"]

# Peak value assumed when the caller gives no data_range.
_DEFAULT_RANGE = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}
_WINDOW = 2 * SSIM_RADIUS + 1
_MS_SSIM_MIN = ms_ssim_min_size()
_RANGE_LIMITS = (1e-150, 1e150)


# --------------------------------------------------------------------------
# Argument checks shared by the three metrics
# --------------------------------------------------------------------------


def _is_tensor(value: object) -> bool:
    # A tensor can only exist if torch is already imported: never import it here.
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def _check_pair(reference: Any, test: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a reference/test pair (shape, dtype, non-empty) and return them as arrays."""
    ref = np.asarray(reference)
    tst = np.asarray(test)
    if ref.shape != tst.shape:
        raise ValueError(
            f"reference and test must have the same shape, got {ref.shape} and {tst.shape}"
        )
    if ref.dtype != tst.dtype:
        raise ValueError(
            f"reference and test must have the same dtype, got {ref.dtype} and {tst.dtype}"
        )
    if ref.size == 0:
        raise ValueError("reference and test are empty")
    if not (np.issubdtype(ref.dtype, np.integer) or np.issubdtype(ref.dtype, np.floating)):
        raise TypeError(f"reference and test must be integer or real float arrays, got {ref.dtype}")
    return ref, tst


def _check_values(label: str, low: float, high: float) -> None:
    """Refuse NaN or inf, and magnitudes beyond 1e150, from an image's min and max.

    The metrics square the samples (SSIM's moments, PSNR's errors): beyond
    1e150 the squares overflow float64 and SSIM turned into NaN (F17 of
    docs/reliability.md), PSNR into -inf.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"{label} contains NaN or inf")
    if max(-low, high) > _RANGE_LIMITS[1]:
        raise ValueError(
            f"{label} has values in [{low:g}, {high:g}], beyond ±{_RANGE_LIMITS[1]:g}, where their squares "
            f"overflow float64; rescale the images (and data_range) first"
        )


def _check_finite(ref: np.ndarray, tst: np.ndarray) -> None:
    for label, arr in (("reference", ref), ("test", tst)):
        if arr.dtype.kind == "f":
            _check_values(label, float(arr.min()), float(arr.max()))


def _data_range_value(data_range: object) -> float:
    if isinstance(data_range, (bool, np.bool_)) or not isinstance(data_range, numbers.Real):
        raise TypeError(f"data_range must be a positive number, got {data_range!r}")
    value = float(data_range)
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"data_range must be a positive finite number, got {data_range!r}")
    if not _RANGE_LIMITS[0] <= value <= _RANGE_LIMITS[1]:
        # Beyond these the squares the metrics take (peak², SSIM's (0.01 L)²)
        # leave the normal float64 numbers: PSNR turned into ±inf, SSIM into NaN.
        raise ValueError(f"data_range must be between {_RANGE_LIMITS[0]:g} and {_RANGE_LIMITS[1]:g}, got {value:g}")
    return value


def _resolve_range(data_range: object, ref: np.ndarray, tst: np.ndarray) -> float:
    """The peak value: `data_range` if given, else the dtype's default.

    Float images without a data_range must lie in [0, 1]; the min/max this
    takes also finds NaN and inf (they propagate), naming the argument.
    """
    dtype = ref.dtype
    if data_range is not None:
        return _data_range_value(data_range)
    if np.issubdtype(dtype, np.floating):
        for label, arr in (("reference", ref), ("test", tst)):
            low, high = arr.min(), arr.max()
            if not (np.isfinite(low) and np.isfinite(high)):
                raise ValueError(f"{label} contains NaN or inf")
            if low < 0.0 or high > 1.0:
                raise ValueError(
                    f"{label} has values in [{low:g}, {high:g}], outside [0, 1], the default "
                    f"data_range of float images; pass data_range explicitly"
                )
        return 1.0
    try:
        return _DEFAULT_RANGE[np.dtype(dtype)]
    except KeyError:
        raise ValueError(f"no default data_range for dtype {dtype}; pass data_range explicitly") from None


def _crop_border(value: object, height: int, width: int, ndim_ok: bool) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"crop_border must be an int >= 0, got {value!r}")
    crop = int(value)
    if crop < 0:
        raise ValueError(f"crop_border must be >= 0, got {crop}")
    if crop and not ndim_ok:
        raise ValueError("crop_border needs images with two spatial axes (H×W or H×W×C)")
    if 2 * crop >= min(height, width):
        raise ValueError(
            f"crop_border={crop} removes the whole {height}×{width} image (it crops every side)"
        )
    return crop


def _spatial(ref: np.ndarray) -> tuple[int, int]:
    if ref.ndim >= 2:
        return ref.shape[0], ref.shape[1]
    return 1, ref.shape[0] if ref.ndim else 1


def _y_plane(image: np.ndarray, peak: float) -> np.ndarray:
    """BT.601 Y of an H×W×3/4 image via :func:`clearsight.color.rgb_to_y`.

    Integers: Y rounded to the type, as MATLAB's ``rgb2ycbcr``. Floats are
    taken in units of `peak` (Y = peak · rgb_to_y(image / peak)) so the 16/255
    offset scales with the data, and are not rounded.
    """
    from clearsight.color import rgb_to_y

    if image.dtype.kind == "f":
        if peak == 1.0:
            return rgb_to_y(image, threads=1)
        return rgb_to_y(image / peak, threads=1) * peak
    return rgb_to_y(image, threads=1)


def _prepare(
    reference: Any, test: Any, data_range: object, crop_border: object, y_channel: object,
    *, spatial_2d: bool, check_finite: bool = True,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Validate, crop, range-check and (for y_channel) convert a NumPy pair.

    With `check_finite` False and an explicit data_range, float data are not
    scanned for NaN/inf (the caller checks a non-finite result instead).
    """
    ref, tst = _check_pair(reference, test)
    y_channel = _validate.flag(y_channel, "y_channel")
    if spatial_2d and ref.ndim not in (2, 3):
        raise ValueError(f"reference and test must be H×W or H×W×C, got shape {ref.shape}")
    height, width = _spatial(ref)
    crop = _crop_border(crop_border, height, width, ref.ndim >= 2)
    if crop:
        ref = ref[crop:-crop, crop:-crop]
        tst = tst[crop:-crop, crop:-crop]
    if y_channel and not (ref.ndim == 2 or (ref.ndim == 3 and ref.shape[2] in (1, 3, 4))):
        raise ValueError(
            f"y_channel=True needs RGB (H×W×3), RGBA (H×W×4) or grey images, got shape {ref.shape}"
        )
    peak = _resolve_range(data_range, ref, tst)
    if data_range is not None and (check_finite or y_channel):
        _check_finite(ref, tst)
    if y_channel and ref.ndim == 3 and ref.shape[2] in (3, 4):
        if ref.dtype not in _validate.PIXEL_DTYPES:
            raise TypeError(f"y_channel=True needs uint8, uint16, float32 or float64 images, got {ref.dtype}")
        ref, tst = _y_plane(ref, peak), _y_plane(tst, peak)
    return ref, tst, peak


def _min_size_check(ref: np.ndarray, crop_border: object, minimum: int, what: str) -> None:
    height, width = ref.shape[0], ref.shape[1]
    if min(height, width) < minimum:
        after = f" after crop_border={crop_border}" if crop_border else ""
        raise ValueError(
            f"reference and test are {height}×{width}{after}, smaller than {what}: "
            f"both sides must be >= {minimum}"
        )


# --------------------------------------------------------------------------
# Public doors
# --------------------------------------------------------------------------


# NumPy arrays give a float; anything else (torch tensors: one value per
# batch item) is typed Any, so torch is never needed to type-check a caller.
@overload
def psnr(
    reference: NDArray[Any], test: NDArray[Any], *,
    data_range: float | None = ..., crop_border: int = ..., y_channel: bool = ...,
    threads: int | None = ..., backend: Backend = ...
) -> float: ...
@overload
def psnr(
    reference: Any, test: Any, *, data_range: float | None = ..., crop_border: int = ..., y_channel: bool = ...,
    threads: int | None = ..., backend: Backend = ...
) -> Any: ...
def psnr(
    reference: Any,
    test: Any,
    *,
    data_range: float | None = None,
    crop_border: int = 0,
    y_channel: bool = False,
    threads: int | None = None,
    backend: str = "auto",
) -> Any:
    """Peak signal-to-noise ratio between two images, in decibels.

    ``PSNR = 10 · log10(data_range² / MSE)`` with the mean squared error taken
    over every pixel and channel (after cropping), accumulated in float64.

    Parameters
    ----------
    reference : array_like or torch.Tensor
        The ground-truth image: H×W or H×W×C NumPy array (any integer or
        float dtype), or a float N×C×H×W tensor.
    test : array_like or torch.Tensor
        The image to score; same shape and dtype (and device) as `reference`.
    data_range : float, optional
        The span of possible pixel values (the "peak"). Defaults to 255 for
        ``uint8``, 65535 for ``uint16`` and 1.0 for floating-point images and
        tensors, which must then lie in [0, 1]; other dtypes, and floats
        outside [0, 1], need it given explicitly. At least 1e-150 and at
        most 1e150, so that its square is a normal float64 number.
    crop_border : int, default 0
        Pixels removed from every side (top, bottom, left, right) before
        scoring; SR papers use the scale factor.
    y_channel : bool, default False
        Score the BT.601 Y plane (:func:`clearsight.color.rgb_to_y`,
        MATLAB's ``rgb2ycbcr``) of RGB (or RGBA, alpha ignored) images. For
        ``uint8``/``uint16`` the Y is rounded to the type as MATLAB does
        (the "Y rounded" convention that reproduces published SR tables);
        float images and tensors get the unrounded Y (in units of
        `data_range`). Grey images (H×W, H×W×1, C = 1) are scored as they
        are, never converted. Any other channel count is an error.
    threads : int, optional
        Threads per call (default: the CPUs this process may use). The NumPy
        reference is single-threaded; ignored for tensors.
    backend : {"auto", "cpp", "numpy"}
        See :func:`clearsight.backends`; ignored for tensors.

    Returns
    -------
    float or torch.Tensor
        The PSNR in dB; ``inf`` when the images are identical (no warning).
        For tensors, shape (N,), one value per image, in the input dtype.

    Raises
    ------
    ValueError
        If the shapes or dtypes differ, the images are empty, either contains
        NaN or inf or (given with a data_range) values beyond ±1e150, whose
        squares overflow float64 (:func:`psnr` checks that only when the
        mean squared error overflows), `data_range` is not between 1e-150
        and 1e150, float images
        outside [0, 1] come without a data_range, the dtype has no default
        range and none was given, `crop_border` is negative or crops the
        whole image, or `y_channel` is asked of images that are neither RGB(A)
        nor grey.
    TypeError
        If the arrays are neither integer nor real floating point (tensors:
        not floating point), or an argument has the wrong type.

    Notes
    -----
    Peer: equals ``skimage.metrics.peak_signal_noise_ratio(reference, test,
    data_range=...)`` to float64 rounding. The MSE is summed block by block
    into one small float64 buffer, without image-sized temporaries.

    Backend tolerance against the NumPy reference: ``"numpy"`` is the
    reference (float64 arithmetic); ``"cpp"`` is exact for 8- and 16-bit
    integers (squared differences summed in 64-bit integers) and otherwise
    within ``10 log10(e) · 2n · 2⁻⁵³ + 1e-13`` dB for n samples (the same
    float64 squares summed in another order: a relative (n - 1)·2⁻⁵³ per
    sum of non-negative terms); it does not depend on `threads`. Tensors
    agree with the reference to 1e-6 dB.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.full((4, 4), 100, dtype=np.uint8)
    >>> round(psnr(a, a + 1), 2)
    48.13
    >>> psnr(a, a)
    inf
    """
    if _is_tensor(reference) or _is_tensor(test):
        return _torch_metric("psnr", reference, test, data_range, crop_border, y_channel)
    _, module = _dispatch.resolve(backend, "psnr")
    # Float images given without a data_range must lie in [0, 1]: a kernel
    # that counts samples outside [0, 1] while it sums saves _resolve_range's four scans.
    unit_range = (
        data_range is None and hasattr(module, "psnr_unit_range")
        and not _validate.flag(y_channel, "y_channel") and np.asarray(reference).dtype.kind == "f"
    )
    ref, tst, peak = _prepare(
        reference, test, 1.0 if unit_range else data_range, crop_border, y_channel, spatial_2d=False,
        check_finite=False,
    )
    threads = _validate.threads(threads)
    if unit_range:
        value, outside = module.psnr_unit_range(ref, tst, threads)
        if outside:
            _resolve_range(None, ref, tst)  # raises, naming the argument and its range
        return value
    value = module.psnr(ref, tst, peak, threads)
    if not math.isfinite(value) and value != math.inf:
        _check_finite(ref, tst)  # names the argument that made the MSE non-finite (or overflow)
        # Within ±1e150 only a sum over more than ~4e7 samples can still overflow.
        raise ValueError("the squared differences of reference and test overflow float64; rescale the images")
    return value


@overload
def ssim(
    reference: NDArray[Any], test: NDArray[Any], *,
    data_range: float | None = ..., crop_border: int = ..., y_channel: bool = ...,
    full: Literal[False] = ..., threads: int | None = ..., backend: Backend = ...
) -> float: ...
@overload
def ssim(
    reference: NDArray[Any], test: NDArray[Any], *,
    data_range: float | None = ..., crop_border: int = ..., y_channel: bool = ...,
    full: Literal[True], threads: int | None = ..., backend: Backend = ...
) -> tuple[float, NDArray[np.float64]]: ...
@overload
def ssim(
    reference: Any, test: Any, *, data_range: float | None = ..., crop_border: int = ..., y_channel: bool = ...,
    full: bool = ..., threads: int | None = ..., backend: Backend = ...
) -> Any: ...
def ssim(
    reference: Any,
    test: Any,
    *,
    data_range: float | None = None,
    crop_border: int = 0,
    y_channel: bool = False,
    full: bool = False,
    threads: int | None = None,
    backend: str = "auto",
) -> Any:
    r"""Structural similarity (Wang, Bovik, Sheikh, Simoncelli 2004), Gaussian window.

    For each position of an 11×11 Gaussian window (σ = 1.5, truncated at
    radius 5, normalised to sum 1) with weighted means μ, variances σ² and
    covariance σ_xy (population, not sample, moments):

    .. math:: \mathrm{SSIM} = \frac{(2\mu_x\mu_y + C_1)(2\sigma_{xy} + C_2)}
              {(\mu_x^2 + \mu_y^2 + C_1)(\sigma_x^2 + \sigma_y^2 + C_2)},
              \quad C_1 = (0.01 L)^2,\ C_2 = (0.03 L)^2,

    L = `data_range`; the result is the mean of that map, and for colour
    images the mean over channels.

    Parameters
    ----------
    reference, test : array_like or torch.Tensor
        As in :func:`psnr`; NumPy images H×W or H×W×C, at least 11×11 after
        cropping.
    data_range, crop_border, y_channel, threads, backend
        As in :func:`psnr`.
    full : bool, default False
        Also return the SSIM map (NumPy only).

    Returns
    -------
    float or (float, ndarray) or torch.Tensor
        The mean SSIM, in [-1, 1], 1 for identical images; with `full`, also
        the float64 map of shape (H - 10)×(W - 10) (×C), whose mean it is.
        Tensors: shape (N,), differentiable.

    Raises
    ------
    ValueError
        As :func:`psnr`, and when the images are smaller than 11×11 after
        cropping.
    TypeError
        As :func:`psnr`; `full` with tensors.

    Notes
    -----
    Borders: the map covers only the positions where the whole window lies
    inside the (cropped) image ("valid" filtering), so it is 5 pixels
    smaller on every side. scikit-image filters with mirrored borders and
    then discards those same 5 pixels before averaging, so the means agree:
    ``ssim(x, y, data_range=L)`` equals
    ``skimage.metrics.structural_similarity(x, y, gaussian_weights=True,
    sigma=1.5, use_sample_covariance=False, data_range=L, channel_axis=-1
    for colour)`` to 1e-6 on uint8 and float64 images (scikit-image computes
    float32 input in float32; clearsight always in float64), and the map
    equals scikit-image's full map with 5 pixels cropped from every side.

    Backend tolerance against the NumPy reference: ``"numpy"`` is the
    reference (float64 arithmetic); ``"cpp"`` computes the map bit for bit
    as the reference does (the same float64 operations in the same order,
    without fused multiply-adds), and its mean within ``(H + W + 64) · 2⁻⁵²``
    (the same values, |s| <= 1, summed in another order); it does not
    depend on `threads`. Tensors agree with the reference to 1e-6.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((32, 32))
    >>> ssim(x, x)
    1.0
    >>> value, ssim_map = ssim(x, 0.9 * x, full=True)
    >>> ssim_map.shape
    (22, 22)
    """
    if _is_tensor(reference) or _is_tensor(test):
        if _validate.flag(full, "full"):
            raise TypeError("full=True is not supported for tensors; compute the map with NumPy")
        return _torch_metric("ssim", reference, test, data_range, crop_border, y_channel)
    ref, tst, peak = _prepare(reference, test, data_range, crop_border, y_channel, spatial_2d=True)
    full = _validate.flag(full, "full")
    _min_size_check(ref, crop_border, _WINDOW, f"the {_WINDOW}×{_WINDOW} SSIM window")
    threads = _validate.threads(threads)
    _, module = _dispatch.resolve(backend, "ssim")
    value, ssim_map = module.ssim(ref, tst, peak, full, threads)
    return (value, ssim_map) if full else value


@overload
def ms_ssim(
    reference: NDArray[Any], test: NDArray[Any], *,
    data_range: float | None = ..., crop_border: int = ..., y_channel: bool = ...,
    threads: int | None = ..., backend: Backend = ...
) -> float: ...
@overload
def ms_ssim(
    reference: Any, test: Any, *, data_range: float | None = ..., crop_border: int = ..., y_channel: bool = ...,
    threads: int | None = ..., backend: Backend = ...
) -> Any: ...
def ms_ssim(
    reference: Any,
    test: Any,
    *,
    data_range: float | None = None,
    crop_border: int = 0,
    y_channel: bool = False,
    threads: int | None = None,
    backend: str = "auto",
) -> Any:
    r"""Multi-scale SSIM (Wang, Simoncelli, Bovik 2003), 5 scales.

    .. math:: \mathrm{MS\text{-}SSIM} = \mathrm{SSIM}_5^{w_5} \prod_{j=1}^{4} \mathrm{CS}_j^{w_j},
              \quad w = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)

    where CS_j is the mean contrast-structure term
    :math:`(2\sigma_{xy} + C_2) / (\sigma_x^2 + \sigma_y^2 + C_2)` of
    :func:`ssim`'s window at scale j, and SSIM_5 the mean SSIM (luminance ×
    contrast-structure) at the coarsest scale, as in the authors' MATLAB
    code. Scale j + 1 is scale j averaged over 2×2 blocks (an odd last row or
    column is dropped). Colour images: the mean over channels.

    Parameters
    ----------
    reference, test : array_like or torch.Tensor
        As in :func:`ssim`, but at least 176×176 after cropping: the
        coarsest scale (1/16 of the size) must still hold the 11×11 window.
    data_range, crop_border, y_channel, threads, backend
        As in :func:`psnr`.

    Returns
    -------
    float or torch.Tensor
        MS-SSIM in [0, 1], 1 for identical images. Tensors: shape (N,).

    Raises
    ------
    ValueError
        As :func:`ssim`, with 176 as the minimum side.
    TypeError
        As :func:`psnr`.

    Notes
    -----
    A scale whose mean CS (or SSIM) is negative (anti-correlated structure)
    has no real fractional power; it is clamped to 0, which makes MS-SSIM 0,
    rather than returning NaN as the original MATLAB code does.

    Backend tolerance against the NumPy reference: ``"numpy"`` is the
    reference (float64 arithmetic); ``"cpp"`` halves the images and computes
    every scale's map bit for bit as the reference does, each scale's mean
    within ``(H + W + 64) · 2⁻⁵²`` as :func:`ssim`'s; through the weighted
    powers that stays below 1e-12 unless a term is within ~1e-3 of the clamp
    at 0 (the power's slope grows there). Tensors agree with the reference
    to 1e-6.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((176, 176))
    >>> ms_ssim(x, x)
    1.0
    """
    if _is_tensor(reference) or _is_tensor(test):
        return _torch_metric("ms_ssim", reference, test, data_range, crop_border, y_channel)
    ref, tst, peak = _prepare(reference, test, data_range, crop_border, y_channel, spatial_2d=True)
    _min_size_check(ref, crop_border, _MS_SSIM_MIN, f"what {len(MS_SSIM_WEIGHTS)}-scale MS-SSIM needs")
    threads = _validate.threads(threads)
    _, module = _dispatch.resolve(backend, "ms_ssim")
    return module.ms_ssim(ref, tst, peak, threads)


# --------------------------------------------------------------------------
# torch tensors (N×C×H×W): the same formulas in torch operations
# --------------------------------------------------------------------------


def _torch_pair(
    reference: Any, test: Any, data_range: object, crop_border: object, y_channel: object
) -> tuple[Any, Any, float]:
    import torch

    for label, value in (("reference", reference), ("test", test)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{label} must be a torch.Tensor like the other argument, got {type(value).__name__}")
    for label, value in (("reference", reference), ("test", test)):
        if value.ndim != 4:
            raise ValueError(f"{label} must be an N×C×H×W tensor, got shape {tuple(value.shape)}")
        if not value.is_floating_point():
            raise TypeError(f"{label} must be a floating-point tensor, got {value.dtype}")
    if reference.shape != test.shape:
        raise ValueError(
            f"reference and test must have the same shape, got {tuple(reference.shape)} and {tuple(test.shape)}"
        )
    if reference.dtype != test.dtype:
        raise ValueError(f"reference and test must have the same dtype, got {reference.dtype} and {test.dtype}")
    if reference.device != test.device:
        raise ValueError(f"reference and test must be on the same device, got {reference.device} and {test.device}")
    if reference.numel() == 0:
        raise ValueError(f"reference and test are empty (shape {tuple(reference.shape)})")
    y_channel = _validate.flag(y_channel, "y_channel")
    _, c, height, width = reference.shape
    crop = _crop_border(crop_border, height, width, True)
    if crop:
        reference = reference[..., crop:-crop, crop:-crop]
        test = test[..., crop:-crop, crop:-crop]
    if y_channel and c not in (1, 3, 4):
        raise ValueError(f"y_channel=True needs RGB (C=3), RGBA (C=4) or grey (C=1) tensors, got C={c}")
    with torch.no_grad():
        for label, value in (("reference", reference), ("test", test)):
            low, high = float(value.min()), float(value.max())
            _check_values(label, low, high)
            if data_range is None and (low < 0.0 or high > 1.0):
                raise ValueError(
                    f"{label} has values in [{low:g}, {high:g}], outside [0, 1], the default "
                    f"data_range of float tensors; pass data_range explicitly"
                )
    peak = 1.0 if data_range is None else _data_range_value(data_range)
    # float64 throughout, as the NumPy reference: the result is cast back.
    x = reference.to(torch.float64)
    y = test.to(torch.float64)
    if y_channel and c in (3, 4):
        x, y = _torch_y(x, peak), _torch_y(y, peak)
    return x, y, peak


def _torch_y(image: Any, peak: float) -> Any:
    """Unrounded BT.601 Y (N×1×H×W) of N×3/4×H×W RGB(A) in units of `peak`."""
    row = RGB_TO_YCBCR[0]
    y = row[0] * image[:, 0] + row[1] * image[:, 1] + row[2] * image[:, 2] + YCBCR_OFFSET[0] * peak
    return y.unsqueeze(1)


def _torch_ssim_maps(x: Any, y: Any, peak: float) -> tuple[Any, Any]:
    """SSIM and contrast-structure maps, N×C×(H-10)×(W-10), of float64 N×C×H×W tensors."""
    import torch
    import torch.nn.functional as F

    channels = x.shape[1]
    taps = torch.as_tensor(ssim_window(), dtype=x.dtype, device=x.device)
    stack = torch.cat([x, y, x * x, y * y, x * y], dim=1)
    groups = stack.shape[1]
    # Depthwise (groups = 5C) separable Gaussian: the five moment maps of
    # every channel in two conv2d calls, no padding ("valid", as the reference).
    along_w = taps.view(1, 1, 1, -1).expand(groups, 1, 1, taps.numel()).contiguous()
    along_h = taps.view(1, 1, -1, 1).expand(groups, 1, taps.numel(), 1).contiguous()
    moments = F.conv2d(F.conv2d(stack, along_w, groups=groups), along_h, groups=groups)
    mu_x, mu_y, e_xx, e_yy, e_xy = torch.split(moments, channels, dim=1)
    var_x = e_xx - mu_x * mu_x
    var_y = e_yy - mu_y * mu_y
    cov_xy = e_xy - mu_x * mu_y
    c1 = (0.01 * peak) ** 2
    c2 = (0.03 * peak) ** 2
    luminance = (2.0 * mu_x * mu_y + c1) / (mu_x * mu_x + mu_y * mu_y + c1)
    contrast_structure = (2.0 * cov_xy + c2) / (var_x + var_y + c2)
    return luminance * contrast_structure, contrast_structure


def _torch_metric(
    kind: str, reference: Any, test: Any, data_range: object, crop_border: object, y_channel: object
) -> Any:
    import torch
    import torch.nn.functional as F

    x, y, peak = _torch_pair(reference, test, data_range, crop_border, y_channel)
    height, width = x.shape[-2], x.shape[-1]
    if kind == "psnr":
        mse = ((x - y) ** 2).mean(dim=(1, 2, 3))
        result = 20.0 * math.log10(peak) - 10.0 * torch.log10(mse)
    elif kind == "ssim":
        if min(height, width) < _WINDOW:
            raise ValueError(
                f"reference and test are {height}×{width} after crop_border={crop_border}, smaller than "
                f"the {_WINDOW}×{_WINDOW} SSIM window: both sides must be >= {_WINDOW}"
            )
        result = _torch_ssim_maps(x, y, peak)[0].mean(dim=(1, 2, 3))
    else:
        if min(height, width) < _MS_SSIM_MIN:
            raise ValueError(
                f"reference and test are {height}×{width} after crop_border={crop_border}, smaller than "
                f"what {len(MS_SSIM_WEIGHTS)}-scale MS-SSIM needs: both sides must be >= {_MS_SSIM_MIN}"
            )
        product = torch.ones(x.shape[:2], dtype=x.dtype, device=x.device)
        for scale, weight in enumerate(MS_SSIM_WEIGHTS):
            ssim_map, cs_map = _torch_ssim_maps(x, y, peak)
            last = scale == len(MS_SSIM_WEIGHTS) - 1
            term = (ssim_map if last else cs_map).mean(dim=(2, 3))
            product = product * torch.clamp(term, min=0.0) ** weight
            if not last:
                x, y = F.avg_pool2d(x, 2), F.avg_pool2d(y, 2)
        result = product.mean(dim=1)
    return result.to(reference.dtype)
