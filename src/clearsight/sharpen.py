"""Gaussian blur and unsharp masking."""

from __future__ import annotations

import math

import numpy as np

from clearsight import _dispatch, _validate
from clearsight._luminance import is_colour, restore_luminance
from clearsight._typing import Backend, BlurBoundary, Image, PixelT
from clearsight.reference.sharpen import BLUR_BOUNDARIES, kernel_radius

__all__ = ["gaussian_blur", "unsharp_mask"]

# A longer kernel is never useful on an image (it only costs memory and
# time: the reference folds it onto at most twice the image's size anyway).
MAX_KERNEL_RADIUS = 1_000_000
# The largest unsharp-mask gain: beyond it the result is amplified noise, not
# sharpening, and with it an image in [0, 1] stays within ±(1 + 1e6) when not
# clipped, finite in float32 (amount=1e300 gave inf: F18 of docs/reliability.md).
MAX_AMOUNT = 1e6


def _sigma(value: object, name: str, truncate: float) -> float:
    sigma = _validate.positive_number(value, name)
    if not math.isfinite(truncate * sigma):  # both finite, their product not (fuzz finding: OverflowError)
        raise ValueError(f"{name}={sigma:g} with truncate={truncate:g} gives an infinite kernel radius")
    radius = kernel_radius(sigma, truncate)
    if radius > MAX_KERNEL_RADIUS:
        raise ValueError(
            f"{name}={sigma:g} with truncate={truncate:g} gives a kernel radius of {radius} pixels; "
            f"at most {MAX_KERNEL_RADIUS} is supported"
        )
    return sigma


def gaussian_blur(
    image: Image[PixelT],
    sigma: float,
    *,
    truncate: float = 4.0,
    boundary: BlurBoundary = "reflect",
    threads: int | None = None,
    backend: Backend = "auto",
) -> Image[PixelT]:
    r"""Separable Gaussian blur of every channel.

    Each channel is convolved, along its rows and then its columns, with the
    sampled, normalised Gaussian

    .. math:: w[d] = \frac{e^{-d^2 / 2\sigma^2}}{\sum_{|e| \le r} e^{-e^2 / 2\sigma^2}},
              \quad |d| \le r = \lfloor \mathrm{truncate} \cdot \sigma + 1/2 \rfloor .

    Parameters
    ----------
    image : ndarray
        H×W or H×W×C (C = 1 to 4, channel last), uint8, uint16, float32
        (values in [0, 1]) or float64. Any strides.
    sigma : float
        Standard deviation of the Gaussian in pixels, > 0.
    truncate : float, default 4.0
        The kernel stops at ``truncate * sigma`` pixels from its centre
        (rounded half up to a whole pixel), > 0.
    boundary : {"reflect", "nearest", "periodic"}
        How the image continues past its edges: ``"reflect"`` mirrors it
        with the edge pixel repeated (``… b a | a b c … | c b …``; SciPy's
        ``mode="reflect"``, NumPy's ``"symmetric"``), ``"nearest"`` repeats
        the edge pixel, ``"periodic"`` wraps around. All three hold for
        kernels wider than the image.
    threads : int, optional
        Threads per call (default: the CPUs this process may use). The NumPy
        reference is single-threaded.
    backend : {"auto", "cpp", "numpy"}
        See :func:`clearsight.backends`.

    Returns
    -------
    ndarray
        The blurred image, same shape and dtype as `image` (a new array).
        Integers are scaled to [0, 1], blurred in floating point and rounded
        back half up.

    Notes
    -----
    All channels are blurred, alpha included (C = 2 or 4). Blurring is an
    operation on the whole layer: coverage spreads with the colour, so a
    blurred opaque shape on a transparent background gets soft edges in its
    alpha too, as in SciPy, OpenCV and image editors; keeping the sharp alpha
    would cut the blurred colour off at the old outline. For images with
    straight (not premultiplied) alpha whose transparent pixels hold
    arbitrary colours, premultiply the colour by alpha before blurring and
    divide after, or those hidden colours bleed into the visible ones.
    Channels are never mixed with each other.

    Peer: ``gaussian_blur(x, s, truncate=t)`` equals
    ``scipy.ndimage.gaussian_filter(x, s, mode="reflect", truncate=t)`` on
    each channel (``boundary="nearest"``: ``mode="nearest"``;
    ``"periodic"``: ``mode="wrap"``), to 1e-15 on float64 images in [0, 1]
    (measured). For float64 data the two use the same taps (same radius
    rule), so the difference is only the summation order.
    ``cv2.GaussianBlur(x, (0, 0), s)`` differs: OpenCV's default border is
    ``BORDER_REFLECT_101`` (edge not repeated) and it picks its own radius.

    Backend tolerance against the NumPy reference: ``"numpy"`` is the
    reference (float64 arithmetic, result cast to the input dtype).
    ``"cpp"`` filters float32 images in float32 and the others in float64;
    with K_r and K_c the taps along the rows and columns (``2 r + 1``, fewer
    where a kernel wider than the image is folded onto it), it is within
    ``(K_r + K_c + 3) * 2**-24`` of the reference on float32 images in
    [0, 1] (each pass sums K products of weights adding up to 1, plus the
    roundings of both results), ``(K_r + K_c + 2 + 4 n) * 2**-53`` on
    float64 (n = 2 r + 1: the weights are normalised, and folded where the
    kernel is wider than the image, by sums in another order than NumPy's),
    and within 1 level on integers (equal except where the exact value is
    on a half level). Its results do not depend on the thread count or the
    memory layout.

    Examples
    --------
    >>> import numpy as np
    >>> from clearsight.sharpen import gaussian_blur
    >>> image = np.zeros((5, 5))
    >>> image[2, 2] = 1.0
    >>> blurred = gaussian_blur(image, 1.0)
    >>> round(float(blurred.sum()), 12), blurred.shape, blurred.dtype
    (1.0, (5, 5), dtype('float64'))
    """
    image = _validate.image(image, check_finite=False)
    truncate = _validate.positive_number(truncate, "truncate")
    sigma = _sigma(sigma, "sigma", truncate)
    boundary = _validate.choice(boundary, "boundary", BLUR_BOUNDARIES)
    threads = _validate.threads(threads)
    name, module = _dispatch.resolve(backend, "gaussian_blur")
    if name != "cpp":  # the compiled kernel checks for NaN and infinity while it computes
        image = _validate.image(image)
    return module.gaussian_blur(image, sigma, truncate, boundary, threads)


def unsharp_mask(
    image: Image[PixelT],
    radius: float = 1.0,
    amount: float = 1.0,
    threshold: float = 0.0,
    *,
    clip: bool = True,
    luminance_only: bool = False,
    threads: int | None = None,
    backend: Backend = "auto",
) -> Image[PixelT]:
    r"""Unsharp masking: add back a multiple of the detail a Gaussian blur removes.

    With x the image in [0, 1] units and G its Gaussian blur of standard
    deviation `radius`,

    .. math:: y = \begin{cases} x + a\,(x - G) & |x - G| > t \\
                                x & \text{otherwise} \end{cases}

    with a = `amount` and t = `threshold`, then clipped to [0, 1].

    Parameters
    ----------
    image : ndarray
        H×W or H×W×C (C = 1 to 4, channel last; with C = 2 or 4 the last
        channel is alpha), uint8, uint16, float32 (values in [0, 1]) or
        float64. Any strides.
    radius : float, default 1.0
        Standard deviation of the Gaussian blur in pixels, > 0 (the name is
        the one image editors and scikit-image use; it is a sigma, not a
        kernel half-width). The kernel reaches ``4 * radius`` pixels; the
        image is mirrored at its edges (as :func:`gaussian_blur` with
        ``boundary="reflect"``).
    amount : float, default 1.0
        Gain of the added detail, 0 to 1e6 (0 returns the image unchanged;
        0.5 to 2 is usual). The bound keeps unclipped float32 output finite
        for images in [0, 1]; far outside [0, 1] it can still overflow to
        ±inf with ``clip=False``.
    threshold : float, default 0.0
        Only pixels whose detail ``|x - G|`` exceeds it are sharpened, in
        intensity units in [0, 1] (for uint8, 3/255 is three grey levels):
        raise it to leave noise and flat areas alone.
    clip : bool, default True
        Clip float output to [0, 1]. Integer output is always clipped.
    luminance_only : bool, default False
        For RGB(A) images: sharpen only the luma (full-range BT.601
        Y' = 0.299 R + 0.587 G + 0.114 B) and add its change to R, G and B,
        keeping the chroma, so edges get no colour fringes (the usual choice
        for photographs). `threshold` then applies to the luma's detail.
        Ignored for grey images.
    threads : int, optional
        Threads per call (default: the CPUs this process may use). The NumPy
        reference is single-threaded.
    backend : {"auto", "cpp", "numpy"}
        See :func:`clearsight.backends`.

    Returns
    -------
    ndarray
        The sharpened image, same shape and dtype as `image` (a new array).

    Notes
    -----
    Each colour channel is filtered on its own (the blur never runs across
    the channel axis), so a colour image gives exactly the per-channel
    results. An alpha channel (C = 2 or 4) is copied unchanged: sharpening
    coverage would put halos of partial transparency around every edge.
    ``luminance_only=True`` sharpens brightness only, without colour fringes.

    Peer: for float images in [0, 1], ``unsharp_mask(x, r, a)`` equals
    ``skimage.filters.unsharp_mask(x, radius=r, amount=a,
    channel_axis=2)`` for H×W×3 (``channel_axis=None`` for H×W), to 1e-15
    in float64 and 1.2e-7 in float32 (measured on astronaut; scikit-image
    computes float32 in float32). scikit-image has no
    threshold (ours with ``threshold=0``) and clips to [0, 1] unless the
    image has negative values; ours with ``clip=False`` equals theirs with
    ``preserve_range=True``. Pass ``channel_axis=2``, not ``-1``: in
    scikit-image 0.26 a negative channel axis returns an almost black image
    (scikit-image issue #7264). scikit-image returns float for integer
    input; ours returns the input's dtype.

    Backend tolerance against the NumPy reference: ``"numpy"`` is the
    reference (float64 arithmetic, result cast to the input dtype).
    ``"cpp"`` computes float32 images in float32, the others in float64:
    with t_G the blur's tolerance (see :func:`gaussian_blur`, truncate 4)
    and u = 2**-24 (float32) or 2**-53, within ``amount * t_G + (3 + 2 *
    amount) * u`` of the reference, and within 1 level on integers, except
    at pixels whose detail ``|x - G|`` is within ``t_G + 2 u`` of
    `threshold`, which either backend may sharpen or leave. Alpha is copied
    bit for bit by both. Its results do not depend on the thread count or
    the memory layout.

    Examples
    --------
    >>> import numpy as np
    >>> from clearsight.sharpen import unsharp_mask
    >>> step = np.tile(np.repeat([0.25, 0.75], 4), (3, 1))
    >>> sharp = unsharp_mask(step, radius=1.0, amount=1.0)
    >>> bool(sharp[0, 3] < 0.25 and sharp[0, 4] > 0.75)
    True
    """
    image = _validate.image(image, check_finite=False)
    radius = _sigma(radius, "radius", 4.0)
    amount = _validate.non_negative_number(amount, "amount")
    if amount > MAX_AMOUNT:
        raise ValueError(f"amount must be <= {MAX_AMOUNT:g}, got {amount:g}")
    threshold = _validate.unit_interval(threshold, "threshold")
    clip = _validate.flag(clip, "clip")
    threads = _validate.threads(threads)
    if _validate.flag(luminance_only, "luminance_only") and is_colour(image):
        return restore_luminance(
            _validate.image(image),  # the luma would turn one bad channel into a bad plane
            lambda luma: unsharp_mask(luma, radius, amount, threshold, clip=False, threads=threads,
                                      backend=backend),
            work_dtype=np.float64 if image.dtype == np.float64 else np.float32,
            clip=clip,
        )
    name, module = _dispatch.resolve(backend, "unsharp_mask")
    if name != "cpp":  # the compiled kernel checks for NaN and infinity while it computes
        image = _validate.image(image)
    return module.unsharp_mask(image, radius, amount, threshold, clip, threads)
