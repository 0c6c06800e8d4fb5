"""Deconvolution: Wiener / Tikhonov filtering, one-shot and planned for streams."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any, Literal, cast

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from clearsight import _dispatch, _validate
from clearsight._luminance import is_colour, restore_luminance
from clearsight._typing import (
    Acceleration,
    Backend,
    Boundary,
    Image,
    PixelT,
    Prior,
    Regularizer,
    RichardsonLucyBoundary,
    TVBoundary,
)
from clearsight.reference.deconvolution import BOUNDARIES, REGULARIZERS
from clearsight.reference.richardson_lucy import ACCELERATIONS, RL_BOUNDARIES
from clearsight.reference.tv_deconvolution import (
    AUTO_WEIGHT,
    DEFAULT_ALPHA,
    DEFAULT_TV_ITERATIONS,
    PRIORS,
    TV_BOUNDARIES,
)

__all__ = ["Deconvolver", "deconvolve_tv", "richardson_lucy", "wiener"]

# wiener(balance="auto"): c * sigma**p with (c, p) = AUTO_BALANCE[regularizer],
# at least MIN_AUTO_BALANCE. Tuned on training images at three noise levels
# (benchmarks/tune_deconv.py): the best scalar (identity) balance grows like
# sigma, the best Laplacian one like sigma**2, each with one c for all levels.
AUTO_BALANCE = {"identity": (2.5, 1), "laplacian": (200.0, 2)}
MIN_AUTO_BALANCE = 1e-5


def auto_balance(sigma: float, regularizer: str) -> float:
    """The balance ``wiener(balance="auto")`` uses for noise level `sigma` ([0, 1] units)."""
    c, power = AUTO_BALANCE[regularizer]
    return max(c * sigma**power, MIN_AUTO_BALANCE)


def _work_dtype(image: np.ndarray) -> type:
    """The float type the kernels compute an image of this dtype in."""
    return np.float64 if image.dtype == np.float64 else np.float32


def _single_psf(psf: ArrayLike) -> None:
    if np.ndim(psf) == 3:
        raise ValueError("psf must be one kh×kw PSF with luminance_only=True (the luma is one plane)")


class Deconvolver:
    """Wiener deconvolution planned once for a PSF and frame shape, applied to many frames.

    The filter (the PSF's transfer function and the regularised inverse), the
    FFT plans and the work buffers are computed once; each call then costs one
    forward and one inverse FFT per colour channel. Use it for video and
    batches of same-sized images; :func:`wiener` is a one-shot wrapper.

    Parameters
    ----------
    psf : array_like
        Point-spread function, kh×kw (shared by all colour channels) or kh×kw×K
        with one PSF per colour channel. Non-negative, finite, not larger than
        the frame; normalised to unit sum. Its centre is sample
        ``(kh // 2, kw // 2)``. See :mod:`clearsight.psf`.
    shape : tuple of int
        Frame shape, (H, W) or (H, W, C) with C = 1 to 4 (channel last; with
        C = 2 or 4 the last channel is alpha and passes through untouched).
    balance : float, default 0.01
        Regularisation weight > 0. With ``regularizer="identity"`` it is the
        noise-to-signal power ratio (about σ²/σ_signal²); larger is smoother.
    regularizer : {"identity", "laplacian"}
        R in ``conj(H) / (|H|² + balance |R|²)``: 1 (parametric Wiener) or the
        5-point Laplacian (Tikhonov on gradients, scikit-image's choice).
    boundary : {"reflect", "periodic", "taper"}
        How the frame is extended beyond its edges. ``"reflect"`` mirrors it
        by the PSF's size on every side (then up to a fast FFT length) and
        crops the result, so the jump where a periodic signal wraps around is
        kept away from the frame. ``"periodic"`` assumes the frame wraps
        around (exact for circular blur; on real photos the wrap-around jump
        rings into the image). ``"taper"`` blends the borders with a blurred
        copy of the frame before a periodic deconvolution (edge tapering).
        On Levin's images blurred by 'valid' convolution (issue 5's protocol)
        reflect and taper score within 0.1 dB of each other at balance 0.01
        and 2-3 dB above periodic. With a very small balance every mode rings;
        taper degrades most gracefully, reflect least.
    dtype : dtype, default float32
        Frame dtype: uint8, uint16, float32 or float64. Integers are scaled to
        [0, 1] inside and rounded back; float64 frames are processed in
        float64, all others in float32.
    clip : bool, default True
        Clip float output to [0, 1]. Integer output is always clipped.
    threads : int, optional
        Threads per call (default: the CPUs this process may use).
    backend : {"auto", "cpp", "numpy"}
        See :func:`clearsight.backends`.

    Notes
    -----
    With ``regularizer="identity"`` the filter's gain at zero frequency is
    ``1 / (1 + balance)``: the mean brightness is scaled by that factor (as
    in MATLAB's ``deconvwnr``); the Laplacian regularizer keeps it exactly.

    Calls are thread-safe and run in parallel: each concurrent call takes its
    own work buffers (reused afterwards), the plan itself is read-only. The
    GIL is released during the compiled computation.

    Tolerance of the ``"cpp"`` backend against the NumPy reference (which
    computes in float64), as max abs difference for images in [0, 1]:
    float64 frames 1e-9; float32 frames ``2e-5 * (1 + 1 / sqrt(balance))``
    (the identity filter amplifies float32 rounding by up to
    ``1 / (2 sqrt(balance))``; the constant covers pocketfft's float32 error
    on prime lengths, measured at up to 1.1e-5), plus ``2**-22 * max|W|``
    with the Laplacian regularizer, W the filter on the FFT grid (its |R|² is
    tiny near DC, so |W| can approach 1/|H| there: 828 for a uniform PSF as
    large as the frame at balance 1); integer frames ``1 + max * tol`` grey levels, with
    max = 255 or 65535 and tol the float32 tolerance (1 level for uint8 at
    any balance ≥ 1e-4: a value within float32 error of a half level may
    round either way). The ``"numpy"`` backend is the reference.

    Examples
    --------
    >>> import numpy as np, clearsight
    >>> psf = clearsight.psf.gaussian(1.5)
    >>> deconvolve = clearsight.Deconvolver(psf, (480, 640, 3), dtype=np.uint8)
    >>> frame = np.zeros((480, 640, 3), np.uint8)
    >>> deconvolve(frame).shape
    (480, 640, 3)
    """

    def __init__(
        self,
        psf: ArrayLike,
        shape: tuple[int, ...],
        *,
        balance: float = 0.01,
        regularizer: Regularizer = "identity",
        boundary: Boundary = "reflect",
        dtype: DTypeLike = np.float32,
        clip: bool = True,
        threads: int | None = None,
        backend: Backend = "auto",
    ) -> None:
        self.shape = _validate.frame_shape(shape)
        self.dtype = _validate.pixel_dtype(dtype)
        psfs = _validate.psf(psf, self.shape)
        if isinstance(given := cast(object, balance), str) and given == "auto":
            raise ValueError("balance='auto' needs the image: use wiener(image, psf, balance='auto'), or "
                             "set the balance from clearsight.estimate_noise on a first frame")
        self.balance = _validate.positive_number(balance, "balance")
        self.regularizer = _validate.choice(regularizer, "regularizer", REGULARIZERS)
        self.boundary = _validate.choice(boundary, "boundary", BOUNDARIES)
        self.clip = _validate.flag(clip, "clip")
        self.threads = _validate.threads(threads)
        self.backend, module = _dispatch.resolve(backend, "WienerPlan")
        double = self.dtype == np.float64
        plans: dict[int, Any] = {}
        for kernel in psfs:  # a shared PSF appears once per channel as the same object
            if id(kernel) not in plans:
                plans[id(kernel)] = module.WienerPlan(
                    kernel, self.shape[:2], self.balance, self.regularizer, self.boundary, double, self.threads
                )
        self._plans = [plans[id(kernel)] for kernel in psfs]
        self._backend_checks_finite = bool(getattr(module, "CHECKS_FINITE", False))
        self._colour = _validate.colour_channels(self.shape)

    @property
    def padded_shape(self) -> tuple[int, int]:
        """(rows, cols) of the FFT grid after boundary padding."""
        rows, cols = self._plans[0].padded_shape
        return int(rows), int(cols)

    def __repr__(self) -> str:
        return (
            f"Deconvolver(shape={self.shape}, dtype={self.dtype}, balance={self.balance}, "
            f"regularizer={self.regularizer!r}, boundary={self.boundary!r}, backend={self.backend!r})"
        )

    def __call__(self, image: Image[PixelT], out: Image[PixelT] | None = None) -> Image[PixelT]:
        """Deconvolve one frame.

        Parameters
        ----------
        image : ndarray
            A frame of this Deconvolver's shape and dtype, any strides.
        out : ndarray, optional
            Where to write the result (same shape and dtype, writable, any
            strides; may be `image` itself). Allocated when omitted.

        Returns
        -------
        ndarray
            `out`, holding the restored frame.
        """
        # A compiled backend rejects NaN/infinity while reading a plane, before
        # writing it; with several planes written into the caller's `out`, an
        # error in a later plane would leave `out` half-written, so scan first.
        scan = not self._backend_checks_finite or (out is not None and self._colour > 1)
        image = _validate.image(image, check_finite=scan)
        if not scan and image.ndim == 3 and image.shape[2] > self._colour and image.dtype.kind == "f":
            # Alpha planes are copied, never read by a kernel: check them here
            # (fuzz finding: NaN alpha passed through on "cpp", refused on "numpy").
            _validate.image(image[..., self._colour :])
        if image.shape != self.shape or image.dtype != self.dtype:
            raise ValueError(
                f"image has shape {image.shape} and dtype {image.dtype}; this Deconvolver "
                f"expects shape {self.shape} and dtype {self.dtype}"
            )
        if out is None:
            out = np.empty(self.shape, self.dtype)
        else:
            if not isinstance(out, np.ndarray):
                raise TypeError(f"out must be a NumPy array, got {type(out).__name__}")
            if out.shape != self.shape or out.dtype != self.dtype:
                raise ValueError(f"out must have shape {self.shape} and dtype {self.dtype}, "
                                 f"got {out.shape} and {out.dtype}")
            if not out.flags.writeable:
                raise ValueError("out is read-only")
            same = out.__array_interface__["data"][0] == image.__array_interface__["data"][0] and (
                out.strides == image.strides
            )
            if not same and np.may_share_memory(out, image):
                # Overlapping but not identical: one plane's output could
                # overwrite another plane's input before it is read.
                image = image.copy()
        # The compiled kernels write whole items at aligned addresses: a
        # misaligned `out` gets the result through an aligned buffer.
        target = out if out.flags.aligned else np.empty(self.shape, self.dtype)
        planes_in = image[..., None] if image.ndim == 2 else image
        planes_out = target[..., None] if target.ndim == 2 else target
        for c in range(self._colour):
            self._plans[c].apply(planes_in[..., c], planes_out[..., c], self.clip, self.threads)
        if planes_in.shape[2] > self._colour:
            planes_out[..., self._colour :] = planes_in[..., self._colour :]
        if target is not out:
            out[...] = target
        return out


def wiener(
    image: Image[PixelT],
    psf: ArrayLike,
    balance: float | Literal["auto"] = 0.01,
    *,
    regularizer: Regularizer = "identity",
    boundary: Boundary = "reflect",
    clip: bool = True,
    luminance_only: bool = False,
    threads: int | None = None,
    backend: Backend = "auto",
) -> Image[PixelT]:
    r"""Wiener deconvolution (parametric Wiener or Tikhonov / constrained least squares).

    The restored spectrum is

    .. math:: \hat F = \frac{\overline{H}\, G}{|H|^2 + \lambda |R|^2}

    with G the image's spectrum, H the PSF's transfer function, λ = `balance`
    and R = 1 or the Laplacian.

    Parameters
    ----------
    image : ndarray
        H×W or H×W×C (C = 1 to 4, channel last, alpha last when C is 2 or 4),
        uint8, uint16, float32 (values in [0, 1]) or float64. Any strides.
    psf : array_like
        kh×kw or kh×kw×K (one per colour channel), non-negative, not larger
        than the image; normalised to unit sum. Centre at ``(kh // 2, kw // 2)``.
    balance : float or "auto", default 0.01
        Regularisation weight > 0: with ``"identity"`` the noise-to-signal
        power ratio. Larger is smoother and rings less; smaller is sharper
        and noisier. ``"auto"``: ``2.5 σ`` with the identity regularizer,
        ``200 σ²`` with the Laplacian, and at least 1e-5 (an image without
        measurable noise still gets a stable filter); σ is the image's
        Gaussian noise level estimated by
        :func:`clearsight.estimate.estimate_noise`, averaged over the colour
        channels. The rules were fitted on training images blurred by the
        Levin kernels at σ = 0.005, 0.01 and 0.02
        (``benchmarks/tune_deconv.py``): the best identity balance grows
        like σ, the best Laplacian one like σ², each with one constant for
        all three levels. Their score on the Levin table (out of sample) is
        in ``docs/quality.md``.
    regularizer, boundary, clip, threads, backend
        As for :class:`Deconvolver`.
    luminance_only : bool, default False
        For RGB(A) images: deconvolve only the luma (full-range BT.601
        Y' = 0.299 R + 0.587 G + 0.114 B) and add its change to R, G and B,
        leaving the chroma as it is: one plane of work instead of three and
        no colour fringes. Needs a single PSF. Ignored for grey images.

    Returns
    -------
    ndarray
        The restored image, same shape and dtype as `image`.

    Notes
    -----
    ``wiener(x, psf, b, regularizer="laplacian", boundary="periodic",
    clip=False)`` equals ``skimage.restoration.wiener(x, psf, b, clip=False)``
    (float64: to 1e-12). With ``clip=True`` ours clips to [0, 1] where
    scikit-image clips to [-1, 1]. scikit-image does not normalise the PSF;
    pass one that sums to 1 for the two to agree.

    Backend tolerance: see :class:`Deconvolver`.

    Examples
    --------
    >>> import numpy as np, clearsight
    >>> rng = np.random.default_rng(0)
    >>> sharp = rng.random((64, 64))
    >>> psf = clearsight.psf.gaussian(1.0)
    >>> restored = clearsight.wiener(sharp, psf, balance=0.01)
    >>> restored.shape, restored.dtype
    ((64, 64), dtype('float64'))
    """
    image = _validate.image(image, check_finite=False)  # the Deconvolver checks
    luminance_only = _validate.flag(luminance_only, "luminance_only")
    if luminance_only and is_colour(image):
        _single_psf(psf)
        _validate.image(image)  # the luma would turn one bad channel into a bad plane
        clip = _validate.flag(clip, "clip")
        return restore_luminance(
            image,
            lambda luma: wiener(luma, psf, balance, regularizer=regularizer, boundary=boundary, clip=False,
                                threads=threads, backend=backend),
            work_dtype=_work_dtype(image),
            clip=clip,
        )
    if isinstance(balance, str):
        if balance != "auto":
            raise TypeError(f"balance must be a number > 0 or 'auto', got {balance!r}")
        regularizer = _validate.choice(regularizer, "regularizer", REGULARIZERS)
        _validate.image(image)  # the noise estimate needs finite values
        sigmas = _noise_levels(image, _dispatch.resolve(backend, "WienerPlan")[0], _validate.threads(threads))
        balance = auto_balance(float(np.mean(sigmas)), regularizer)
    return Deconvolver(
        psf,
        image.shape,
        balance=balance,
        regularizer=regularizer,
        boundary=boundary,
        dtype=image.dtype,
        clip=clip,
        threads=threads,
        backend=backend,
    )(image)


# --------------------------------------------------------------------------
# Iterative deconvolution: Richardson–Lucy and TV / hyper-Laplacian (issue 5)
# --------------------------------------------------------------------------

# Iterations of richardson_lucy by acceleration: equal quality on the Levin table (see its docstring).
DEFAULT_RL_ITERATIONS = {"none": 30, "biggs": 10}
# The bindings' bounds (bind_richardson_lucy.cpp, bind_tv_deconvolution.cpp).
MAX_RL_ITERATIONS = 1_000_000
MAX_TV_ITERATIONS = 100_000


def _count(value: object, name: str, maximum: int) -> int:
    """An int in [1, maximum] (NumPy integers accepted, bools refused).

    `maximum` is the compiled kernel's own bound, so that every backend
    refuses the same counts (fuzz finding: 10**7 iterations ran for hours on
    "numpy" and were refused by "cpp").
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= 1, got {value!r}")
    count = int(value)
    if count < 1:
        raise ValueError(f"{name} must be >= 1, got {count}")
    if count > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {count}")
    return count


def _non_negative(value: object, name: str) -> float:
    """A finite real number >= 0."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number >= 0 or 'auto', got {value!r}")
    number = float(value)
    if not np.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a finite number >= 0 or 'auto', got {number}")
    return number


def _prior_exponent(value: object, prior: str) -> float:
    """alpha: None (the prior's default) or a real number in (0, 2]; the TV prior takes only 1."""
    if value is None:
        return DEFAULT_ALPHA[prior]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"alpha must be a real number in (0, 2] or None, got {value!r}")
    number = float(value)
    if not (0.0 < number <= 2.0):  # also refuses NaN
        raise ValueError(f"alpha must be in (0, 2], got {number}")
    if prior == "tv" and number != 1.0:
        raise ValueError(f"alpha must be 1 (or None) with prior='tv', got {number}; use prior='hyper-laplacian'")
    return number


def _restore_planes(
    image: np.ndarray,
    psfs: list[np.ndarray],
    make_plan: Callable[[np.ndarray], Any],
    run: Callable[[Any, np.ndarray, np.ndarray, int], None],
) -> np.ndarray:
    """Apply one plan per distinct PSF to every colour channel; alpha is copied; returns a new array."""
    out = np.empty(image.shape, image.dtype)
    planes_in = image[..., None] if image.ndim == 2 else image
    planes_out = out[..., None] if out.ndim == 2 else out
    colour = _validate.colour_channels(image.shape)
    plans: dict[int, Any] = {}
    for c in range(colour):
        kernel = psfs[c]  # a shared PSF appears once per channel as the same object
        if id(kernel) not in plans:
            plans[id(kernel)] = make_plan(kernel)
        run(plans[id(kernel)], planes_in[..., c], planes_out[..., c], c)
    if planes_in.shape[2] > colour:
        planes_out[..., colour:] = planes_in[..., colour:]
    return out


def richardson_lucy(
    image: Image[PixelT],
    psf: ArrayLike,
    iterations: int | None = None,
    *,
    acceleration: Acceleration = "none",
    boundary: RichardsonLucyBoundary = "reflect",
    clip: bool = True,
    luminance_only: bool = False,
    threads: int | None = None,
    backend: Backend = "auto",
) -> Image[PixelT]:
    r"""Richardson–Lucy deconvolution, plain or Biggs–Andrews accelerated.

    The maximum-likelihood restoration for Poisson noise: starting from a
    flat image, each iteration multiplies the estimate x by the correlation
    of the PSF with the ratio of the data y to the re-blurred estimate,

    .. math:: x \leftarrow x \cdot A^{\mathsf T} \frac{y}{A x}

    The number of iterations is the regularisation: few give a smooth
    result, many give a sharper and noisier one (on noisy data the error
    first falls, then rises).

    Parameters
    ----------
    image : ndarray
        H×W or H×W×C (C = 1 to 4, channel last, alpha last when C is 2 or 4),
        uint8, uint16, float32 or float64 (values in [0, 1]). Any strides.
        Finite. Negative values (noise around black) are treated as 0.
    psf : array_like
        kh×kw or kh×kw×K (one per colour channel), non-negative, not larger
        than the image; normalised to unit sum, then taps below 2**-126 (of
        the sum) are set to 0 in every precision. Centre at
        ``(kh // 2, kw // 2)``.
    iterations : int, optional
        Number of iterations, 1 to 1 000 000 (scikit-image's `num_iter`). Default: 30,
        or 10 with ``acceleration="biggs"``.
    acceleration : {"none", "biggs"}
        ``"biggs"``: Biggs–Andrews vector extrapolation; each iteration then
        costs about the same as a plain one and goes about as far as two or
        more plain ones, so it needs far fewer. On the Levin table (noisy
        data, where RL's PSNR peaks and then falls as it fits the noise)
        the accelerated PSNR peaks at 28.80 dB after 9 iterations and the
        plain one at 28.74 dB after 19; 10 accelerated iterations score
        28.76 dB against 28.39 dB for 30 plain ones, while 30 accelerated
        ones over-sharpen to 22.84 dB (``docs/quality.md``). Hence the
        defaults. The extrapolated point is kept at or above a tenth of
        the current estimate, where Biggs & Andrews clip at 0: a pixel set
        to exactly 0 would stay 0 for good, and a bright datum whose every
        source pixel is 0 makes the step ill-conditioned
        (:mod:`clearsight.reference.richardson_lucy`).
    boundary : {"reflect", "periodic", "taper", "zero"}
        ``"reflect"``, ``"periodic"``, ``"taper"``: as for :class:`Deconvolver`
        (the iteration runs on the extended or tapered frame).
        ``"zero"``: the scene is black outside the frame (zero-padded
        convolution cropped to the frame, scikit-image's convention). Pixels
        that no pixel of the frame reaches through the PSF (a border, when
        all the PSF's nonzero taps lie to one side of its centre) are
        ignored: no estimate can explain them.
    clip : bool, default True
        Clip float output to [0, 1]. Integer output is always clipped.
    luminance_only : bool, default False
        For RGB(A) images: restore only the luma and keep the chroma, as for
        :func:`wiener` (about three times less work). Needs a single PSF.
        Ignored for grey images.
    threads : int, optional
        Threads for a compiled kernel (default: the CPUs this process may
        use). The NumPy backend uses one.
    backend : {"auto", "cpp", "numpy"}
        See :func:`clearsight.backends`. ``"cpp"`` works in float32 for
        uint8, uint16 and float32 images and in float64 for float64 images.

        Backend tolerance: ``"cpp"`` agrees with ``"numpy"`` (float64) to
        ``4 (n + 1) log2(NH NW) ε max|x|`` before clipping and conversion,
        n iterations, NH×NW the FFT grid, ε of the working precision: four
        FFTs per iteration with O(ε log2(NH NW)) relative round-off each,
        adding up over the iterations (about 4e-5 for float32 at n = 7 on a
        64×64 grid; 1 grey level for integers where rounding straddles).
        With ``boundary="zero"`` the bound is multiplied by
        ``reference.richardson_lucy.zero_boundary_gain(psf, shape)``,
        ``1 / min (A 1)``: a border pixel reached only by weak taps of the
        PSF divides by their small sum, amplifying the round-off there.

    Returns
    -------
    ndarray
        The restored image, same shape and dtype as `image` (a new array).

    Raises
    ------
    TypeError
        `image` or `psf` of the wrong kind or dtype; `iterations` not an int;
        `clip` not a bool.
    ValueError
        Bad shape, NaN or infinity in `image` or `psf`, ``iterations < 1``,
        an unknown `acceleration`, `boundary` or `backend`.

    Notes
    -----
    The exact iteration, its guard and the boundary handling are written out
    in :mod:`clearsight.reference.richardson_lucy`. In short:

    * *No NaN, no infinity*, in float32 as in float64, at any size: the data
      are taken as ``max(y, 0)``, every denominator is at least
      ``ε · max(y)`` (ε the machine epsilon of the working precision,
      1.19e-7 for float32, uint8 and uint16, 2.2e-16 for float64; and at
      least that precision's smallest normal number) and the
      estimate is kept ≥ 0, so every ratio lies in [0, 1/ε] and the
      estimate's total never exceeds the data's. (scikit-image divided by
      the bare re-blurred estimate until 0.19 and returned NaN where it was 0,
      its issues #2551 and #4378; 0.26 divides by ``conv + 1e-12``, which
      keeps 0/0 away but not a denominator made tiny or negative by float32
      FFT round-off: on the 720p float32 camera picture blurred by a
      motion PSF, 30 iterations of scikit-image 0.26 return an all-NaN
      image; ``benchmarks/bench_richardson_lucy.py`` counts them.)
    * The transfer function of each distinct PSF is computed once per call
      and every iteration is two real FFT pairs (blur, then correlation).
    * Computation is in float64 in the NumPy reference for every dtype.

    Agreement with scikit-image 0.26, for an odd-sized PSF and data ≥ 0:
    ``richardson_lucy(y, psf, n, boundary="zero", clip=False)`` equals
    ``skimage.restoration.richardson_lucy(y, psf, num_iter=n, clip=False)``
    to 1e-9 (float64; measured 5e-11 on the Levin images at n = 30). With
    ``clip=True`` ours clips to [0, 1] where scikit-image clips to [-1, 1]
    (the same for data ≥ 0, whose iterates are ≥ 0). Both start from a
    constant (scikit-image 0.5; the plain iteration does not depend on the
    constant; Biggs's first extrapolation does, so only plain iterations
    scale exactly with the data) and neither divides by ``Aᵀ1``. Differences: scikit-image's
    ``1e-12`` added to every denominator against our relative floor; its
    `filter_epsilon` (not offered); negative data, which it keeps and we
    treat as 0; and even-sized PSFs, for which scikit-image's blur centres
    the PSF at ``(k - 1) // 2`` but its correction step at ``k // 2``, so its
    iteration is not Richardson–Lucy (it drifts and can overflow) while ours
    uses the exact adjoint.

    References
    ----------
    .. [1] W. H. Richardson, "Bayesian-based iterative method of image
       restoration", JOSA 62(1), 1972. L. B. Lucy, "An iterative technique
       for the rectification of observed distributions", AJ 79, 1974.
    .. [2] D. S. C. Biggs, M. Andrews, "Acceleration of iterative image
       restoration algorithms", Applied Optics 36(8), 1997.

    Examples
    --------
    >>> import numpy as np, clearsight
    >>> rng = np.random.default_rng(0)
    >>> sharp = rng.random((64, 64))
    >>> psf = clearsight.psf.gaussian(1.0)
    >>> restored = clearsight.richardson_lucy(sharp, psf, 10, acceleration="biggs")
    >>> restored.shape, restored.dtype
    ((64, 64), dtype('float64'))
    """
    image = _validate.image(image)
    psfs = _validate.psf(psf, image.shape)
    acceleration = _validate.choice(acceleration, "acceleration", ACCELERATIONS)
    if iterations is None:
        iterations = DEFAULT_RL_ITERATIONS[acceleration]
    iterations = _count(iterations, "iterations", MAX_RL_ITERATIONS)
    boundary = _validate.choice(boundary, "boundary", RL_BOUNDARIES)
    clip = _validate.flag(clip, "clip")
    threads = _validate.threads(threads)
    if _validate.flag(luminance_only, "luminance_only") and is_colour(image):
        _single_psf(psf)
        return restore_luminance(
            image,
            lambda luma: richardson_lucy(luma, psf, iterations, acceleration=acceleration, boundary=boundary,
                                         clip=False, threads=threads, backend=backend),
            work_dtype=_work_dtype(image),
            clip=clip,
        )
    _, module = _dispatch.resolve(backend, "RichardsonLucyPlan")
    double = image.dtype == np.float64
    return _restore_planes(
        image,
        psfs,
        lambda kernel: module.RichardsonLucyPlan(kernel, image.shape[:2], boundary, double, threads),
        lambda plan, plane, out, c: plan.apply(plane, out, iterations, acceleration, clip, threads),
    )


def deconvolve_tv(
    image: Image[PixelT],
    psf: ArrayLike,
    weight: float | Literal["auto"] = "auto",
    *,
    prior: Prior = "tv",
    alpha: float | None = None,
    iterations: int = DEFAULT_TV_ITERATIONS,
    boundary: TVBoundary = "unknown",
    clip: bool = True,
    luminance_only: bool = False,
    threads: int | None = None,
    backend: Backend = "auto",
) -> Image[PixelT]:
    r"""Non-blind deconvolution with a total-variation or hyper-Laplacian gradient prior.

    Minimises

    .. math:: \tfrac12 \|k * x - y\|^2 + \mathrm{weight} \sum_i |(\nabla_x x)_i|^\alpha + |(\nabla_y x)_i|^\alpha

    by half-quadratic splitting (Krishnan & Fergus 2009): alternately a
    closed-form shrinkage of auxiliary gradients and a closed-form FFT solve
    for the image, with a growing coupling weight. Edges stay sharp and flat
    areas stay clean, where a Wiener filter trades one for the other.

    Parameters
    ----------
    image : ndarray
        H×W or H×W×C (C = 1 to 4, channel last, alpha last when C is 2 or 4),
        uint8, uint16, float32 or float64 (values in [0, 1]). Any strides.
        Finite.
    psf : array_like
        kh×kw or kh×kw×K (one per colour channel), non-negative, not larger
        than the image; normalised to unit sum. Centre at ``(kh // 2, kw // 2)``.
    weight : float or "auto", default "auto"
        Prior weight >= 0 in [0, 1] pixel units (``1/λ`` of Krishnan &
        Fergus). ``"auto"``: ``c · σ²`` per colour channel, σ the channel's
        noise estimated from the image by
        :func:`clearsight.estimate.estimate_noise` (median absolute
        deviation of its finest diagonal wavelet details), c = 9 for ``"tv"`` and 5 for
        ``"hyper-laplacian"`` (tuned on training images blurred by the Levin
        kernels at σ = 0.005, 0.01 and 0.02: ``benchmarks/tune_deconv.py``;
        the hyper-Laplacian constant is used for any `alpha` with that prior).
        0 is a plain inverse filter.
    prior : {"tv", "hyper-laplacian"}
        ``"tv"``: anisotropic total variation (α = 1).
        ``"hyper-laplacian"``: ``|∇x|^α`` with α < 1, closer to the
        statistics of natural images.
    alpha : float, optional
        Exponent in (0, 2] for the hyper-Laplacian prior (default 2/3;
        1/2 and 2/3 have closed-form shrinkage, others use bisection). With
        ``prior="tv"`` only None or 1.
    iterations : int, default 30
        β steps, 1 to 100 000: β = min(2√2^k, 64), k = 0, 1, … (one shrinkage and
        one FFT solve each).
    boundary : {"unknown", "reflect", "periodic", "taper"}
        ``"unknown"`` (default): the scene continues beyond the frame and
        its blur reaches into it, as in a photograph; the part outside the
        frame is estimated along with the image (the data term covers only
        the frame). ``"reflect"``, ``"periodic"``, ``"taper"``: as for
        :class:`Deconvolver`.
    clip : bool, default True
        Clip float output to [0, 1]. Integer output is always clipped.
    luminance_only : bool, default False
        For RGB(A) images: restore only the luma and keep the chroma, as for
        :func:`wiener` (about three times less work; ``weight="auto"`` then
        estimates the noise of the luma). Needs a single PSF.
        Ignored for grey images.
    threads : int, optional
        Threads for a compiled kernel (default: the CPUs this process may
        use). The NumPy backend uses one.
    backend : {"auto", "cpp", "numpy"}
        See :func:`clearsight.backends`. ``"cpp"`` does its FFT work in
        float32 for uint8, uint16 and float32 images and in float64 for
        float64 images; the shrinkage is float64 in both.

        Backend tolerance: ``"cpp"`` agrees with ``"numpy"`` (float64) to
        ``4 (n + 1) log2(NH NW) ε max|x|`` before clipping and conversion
        (n iterations, NH×NW the FFT grid, ε of the FFT precision), except
        where a gradient lies within round-off of a shrinkage threshold: for
        α < 1 the shrinkage jumps there, so such rare pixels may differ by
        more; the mean difference stays within the bound.

    Returns
    -------
    ndarray
        The restored image, same shape and dtype as `image` (a new array).

    Raises
    ------
    TypeError
        `image` or `psf` of the wrong kind or dtype; `weight`, `alpha`,
        `iterations` or `clip` of the wrong type.
    ValueError
        Bad shape, NaN or infinity in `image` or `psf`, ``weight < 0``,
        `alpha` outside (0, 2] (or not 1 with ``prior="tv"``),
        ``iterations < 1``, an unknown `prior`, `boundary` or `backend`.

    Notes
    -----
    With β the shrinkage weight of the current step and γ = weight · β:

    * w-step, per gradient sample v: ``w = argmin |w|^α + β/2 (w - v)²``
      (soft threshold at 1/β for α = 1; roots of a cubic for α = 1/2 and a
      quartic for α = 2/3, compared with w = 0);
    * x-step, per frequency:
      ``X = (conj(H) Y + γ (conj(Dx) Wx + conj(Dy) Wy)) / (|H|² + γ (|Dx|² + |Dy|²))``
      with Dx, Dy the periodic forward differences.

    β starts at 1 and grows by 2√2 per iteration up to 64; the remaining
    iterations run at β = 64. Krishnan & Fergus stop at 256 after about 8
    iterations; running 30, a cap of 64 scores 0.11–0.13 dB more on the
    training images (``docs/tuning.md``). The full
    specification, including the ``"unknown"`` boundary's completion step,
    is :mod:`clearsight.reference.tv_deconvolution`. Levin images, 8
    kernels, σ = 0.01, interior PSNR: 31.1 dB (TV) and 30.5 dB
    (hyper-Laplacian) with the defaults (tuned on other images), against
    29.6 for :func:`wiener` (reflect, Laplacian) and 28.1 for
    scikit-image's Wiener, each with the best balance chosen per image in
    hindsight (``docs/quality.md``). With ``boundary="reflect"``: 29.5 and
    28.9.

    References
    ----------
    .. [1] D. Krishnan, R. Fergus, "Fast image deconvolution using
       hyper-Laplacian priors", NIPS 2009.
    .. [2] Y. Wang, J. Yang, W. Yin, Y. Zhang, "A new alternating
       minimization algorithm for total variation image reconstruction",
       SIAM J. Imaging Sciences 1(3), 2008.

    Examples
    --------
    >>> import numpy as np, clearsight
    >>> rng = np.random.default_rng(0)
    >>> sharp = np.kron(rng.random((8, 8)), np.ones((8, 8)))
    >>> psf = clearsight.psf.gaussian(1.0)
    >>> restored = clearsight.deconvolve_tv(sharp, psf, 1e-3, prior="hyper-laplacian")
    >>> restored.shape, restored.dtype
    ((64, 64), dtype('float64'))
    """
    image = _validate.image(image)
    psfs = _validate.psf(psf, image.shape)
    prior = _validate.choice(prior, "prior", PRIORS)
    exponent = _prior_exponent(alpha, prior)
    if isinstance(weight, str):
        if weight != "auto":
            raise ValueError(f"weight must be a number >= 0 or 'auto', got {weight!r}")
    else:
        weight = _non_negative(weight, "weight")
    iterations = _count(iterations, "iterations", MAX_TV_ITERATIONS)
    boundary = _validate.choice(boundary, "boundary", TV_BOUNDARIES)
    clip = _validate.flag(clip, "clip")
    threads = _validate.threads(threads)
    if _validate.flag(luminance_only, "luminance_only") and is_colour(image):
        _single_psf(psf)
        return restore_luminance(
            image,
            lambda luma: deconvolve_tv(luma, psf, weight, prior=prior, alpha=alpha, iterations=iterations,
                                       boundary=boundary, clip=False, threads=threads, backend=backend),
            work_dtype=_work_dtype(image),
            clip=clip,
        )
    name, module = _dispatch.resolve(backend, "TVDeconvolutionPlan")
    colour = _validate.colour_channels(image.shape)
    if weight == "auto":
        sigmas = _noise_levels(image, name, threads)
        weights = [AUTO_WEIGHT[prior] * float(sigma) ** 2 for sigma in sigmas]
    else:
        weights = [float(weight)] * colour
    double = image.dtype == np.float64
    return _restore_planes(
        image,
        psfs,
        lambda kernel: module.TVDeconvolutionPlan(kernel, image.shape[:2], boundary, double, threads),
        lambda plan, plane, out, c: plan.apply(plane, out, weights[c], exponent, iterations, clip, threads),
    )


def _noise_levels(image: np.ndarray, backend: str, threads: int) -> list[float]:
    """σ of every colour channel by :func:`clearsight.estimate.estimate_noise`, on `backend` when it
    has that kernel, else on the fastest that does."""
    from clearsight.estimate import estimate_noise

    try:
        # `backend` is a name _dispatch.resolve returned, so one of Backend's values.
        sigmas = estimate_noise(image, average=False, threads=threads, backend=cast(Backend, backend))
    except ValueError:  # `backend` lacks the estimate kernel (the image itself is already validated)
        sigmas = estimate_noise(image, average=False, threads=threads, backend="auto")
    return [float(s) for s in np.atleast_1d(sigmas)]
