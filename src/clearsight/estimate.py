"""Image statistics: noise level and sharpness."""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np
from numpy.typing import NDArray

from clearsight import _dispatch, _validate
from clearsight._typing import Backend

__all__ = ["estimate_noise", "sharpness"]


@overload
def estimate_noise(
    image: NDArray[Any], *, average: Literal[True] = ..., threads: int | None = ..., backend: Backend = ...
) -> float: ...
@overload
def estimate_noise(
    image: NDArray[Any], *, average: Literal[False], threads: int | None = ..., backend: Backend = ...
) -> NDArray[np.float64]: ...
@overload
def estimate_noise(
    image: NDArray[Any], *, average: bool, threads: int | None = ..., backend: Backend = ...
) -> float | NDArray[np.float64]: ...
def estimate_noise(
    image: NDArray[Any],
    *,
    average: bool = True,
    threads: int | None = None,
    backend: Backend = "auto",
) -> float | NDArray[np.float64]:
    r"""Standard deviation of additive Gaussian noise, estimated from the finest wavelet details.

    Donoho and Johnstone's robust estimator: noise is white and spreads
    evenly over all wavelet sub-bands, while most picture content lives at
    coarse scales, so the finest diagonal sub-band HH is mostly noise and

    .. math:: \hat\sigma = \frac{\operatorname{median} |HH|}{\Phi^{-1}(3/4)}
              = \frac{\operatorname{median} |HH|}{0.6745} .

    Parameters
    ----------
    image : ndarray
        H×W or H×W×C (C = 1 to 4, channel last; with C = 2 or 4 the last
        channel is alpha and is not measured), uint8, uint16, float32
        (values in [0, 1]) or float64. Any strides.
    average : bool, default True
        Return the mean of the colour channels' estimates (a float); with
        False, one estimate per colour channel.
    threads : int, optional
        Threads per call (default: the CPUs this process may use). The NumPy
        reference is single-threaded.
    backend : {"auto", "cpp", "numpy"}
        See :func:`clearsight.backends`.

    Returns
    -------
    float or ndarray
        σ in [0, 1] intensity units (integers are divided by 255 or 65535
        first: multiply by 255 for grey levels of a uint8 image). A float
        when `average`, else a float64 array with one value per colour
        channel (shape (1,) for H×W, (3,) for RGB and RGBA).

    Notes
    -----
    HH is the diagonal detail of a single-level 2-D Daubechies-2 (db2,
    4-tap) DWT, computed here without PyWavelets but with its conventions:
    the analysis high-pass ``[-h0, h1, -h2, h3]`` with
    ``h = [1 + √3, 3 + √3, 3 - √3, 1 - √3] / (4√2)``, the half-sample
    symmetric extension (edge repeated), ``(n + 3) // 2`` outputs per axis
    (the odd samples of the full convolution), rows first, then columns.
    Coefficients exactly equal to zero are left out of the median (they come
    from padding or black borders, not from noise); if all are zero the
    estimate is 0. A constant image other than black gives round-off
    instead: the high-pass sums to zero only to float64 rounding, once per
    axis, so its estimate is of order ε² c (below 1e-30 for c in [0, 1]),
    and an image of one row or column, which has no diagonal detail, gives
    round-off of order ε · max (2.2e-16 relative), as PyWavelets does.

    The estimate is biased upwards by texture and edges (they leak into HH)
    and downwards by large flat or clipped areas (no noise there); it is
    best on images with at least a few hundred pixels a side. Measured on
    a flat grey 256×256 image with N(0, σ²) noise, σ = 0.01 to 0.1, the
    estimate averages 0.995 σ with a spread of 1 % (one standard deviation,
    over 40 noise draws).

    Peer: ``estimate_noise(x, average=False)`` equals
    ``skimage.restoration.estimate_sigma(skimage.img_as_float(x),
    channel_axis=-1)`` for H×W×3 (``channel_axis=None`` for H×W; with
    ``average_sigmas=True`` for ``average=True``). scikit-image measures
    integer images in their own units (grey levels) and returns NaN for a
    constant image; it needs PyWavelets, this does not. The transform adds
    its terms in PyWavelets' order, so the HH coefficients equal
    ``pywt.dwtn(x, "db2")["dd"]`` bit for bit on float64 input, and so do
    the estimates (measured on camera and astronaut, clean and noisy, with
    PyWavelets 1.9). On float32 input PyWavelets computes in float32 and
    the two differ by up to 2e-6 relative; ours always computes in float64.

    Backend tolerance against the NumPy reference: ``"numpy"`` is the
    reference (float64 arithmetic). ``"cpp"`` equals it bit for bit on every
    dtype: float64 arithmetic with the same terms added in the same order,
    and an exact median.

    Examples
    --------
    >>> import numpy as np
    >>> from clearsight.estimate import estimate_noise
    >>> rng = np.random.default_rng(0)
    >>> noisy = 0.5 + 0.05 * rng.standard_normal((256, 256))
    >>> round(estimate_noise(noisy), 2)
    0.05
    """
    image = _validate.image(image, check_finite=False)
    average = _validate.flag(average, "average")
    threads = _validate.threads(threads)
    name, module = _dispatch.resolve(backend, "estimate_noise")
    if name != "cpp":  # the compiled kernel checks for NaN and infinity while it computes
        image = _validate.image(image)
    elif image.ndim == 3 and image.shape[2] in (2, 4):
        _validate.image(image[..., -1:])  # alpha, which the kernel never reads (fuzz finding)
    sigmas = np.asarray(module.estimate_noise(image, threads), dtype=np.float64)
    return float(np.mean(sigmas)) if average else sigmas


def sharpness(
    image: NDArray[Any],
    *,
    threads: int | None = None,
    backend: Backend = "auto",
) -> float:
    r"""Variance of the Laplacian of the luminance: a focus measure for ranking frames.

    .. math:: S = \operatorname{Var}_{i,j}\bigl(Y_{i-1,j} + Y_{i+1,j} + Y_{i,j-1} + Y_{i,j+1} - 4 Y_{i,j}\bigr)

    over all pixels, with the image mirrored at its edges (edge pixel
    repeated). Sharper images (more fine detail) score higher.

    Parameters
    ----------
    image : ndarray
        H×W or H×W×C (C = 1 to 4, channel last), uint8, uint16, float32
        (values in [0, 1]) or float64. Any strides.
    threads : int, optional
        Threads per call (default: the CPUs this process may use). The NumPy
        reference is single-threaded.
    backend : {"auto", "cpp", "numpy"}
        See :func:`clearsight.backends`.

    Returns
    -------
    float
        S >= 0, in [0, 1] intensity units squared (integers are divided by
        255 or 65535 first, so uint8 and float versions of an image score
        alike).

    Notes
    -----
    Y is the image itself for H×W, its first channel for C = 1 or 2 (grey
    and alpha), and the full-range BT.601 luma ``0.299 R + 0.587 G +
    0.114 B`` for C = 3 or 4 (alpha ignored): the weights of
    :func:`clearsight.color.rgb_to_y` without its studio-swing offset and
    219/255 scale, so that a grey image and its R = G = B copy score the
    same.

    The score depends on content as much as on focus, and it rises with
    noise: use it to rank frames of the same scene (pick the sharpest of a
    burst, detect defocus in a video), not as an absolute measure across
    different scenes.

    Peer: equals ``scipy.ndimage.laplace(Y, mode="reflect").var()``.
    OpenCV's ``cv2.Laplacian(Y, cv2.CV_64F).var()`` uses the same kernel
    but mirrors without repeating the edge pixel, so it differs slightly
    at the borders.

    Backend tolerance against the NumPy reference: ``"numpy"`` is the
    reference (float64 arithmetic). ``"cpp"`` also computes in float64 but
    sums the variance by blocks of 16 rows (then merges the blocks), so it
    is within a relative ``(16 W + H / 16 + 8) * 2**-53`` of the reference
    for an H×W image; it does not depend on the thread count.

    Examples
    --------
    >>> import numpy as np
    >>> from clearsight.estimate import sharpness
    >>> from clearsight.sharpen import gaussian_blur
    >>> rng = np.random.default_rng(0)
    >>> frame = rng.random((64, 64))
    >>> sharpness(gaussian_blur(frame, 2.0)) < sharpness(frame)
    True
    """
    image = _validate.image(image, check_finite=False)
    threads = _validate.threads(threads)
    name, module = _dispatch.resolve(backend, "sharpness")
    if name != "cpp":  # the compiled kernel checks for NaN and infinity while it computes
        image = _validate.image(image)
    elif image.ndim == 3 and image.shape[2] in (2, 4):
        _validate.image(image[..., -1:])  # alpha, which the kernel never reads (fuzz finding)
    return float(module.sharpness(image, threads))
