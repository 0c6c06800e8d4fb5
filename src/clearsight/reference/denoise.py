"""Total-variation denoising in plain NumPy: the specification.

Chambolle's projection algorithm (Chambolle 2004) for the Rudin-Osher-Fatemi
(ROF) model, written out step by step. It computes exactly what
``skimage.restoration.denoise_tv_chambolle`` computes on 2-D planes (same
step size, same borders, same energy and stopping rule, same working
precision), and extends it to vectorial (joint colour) TV.

The iteration, for a stack of K planes ``f[k]`` of H×W samples (K = 1 for a
grey image or for one channel denoised on its own) in the working precision
T (float32 for float32 images, float64 otherwise), with ``tau = 1/4`` and
``step = T(tau / weight)`` (the quotient rounded once to T):

.. code-block:: text

    p_y, p_x = 0                          # dual field, K×H×W each, in T
    for n = 0, 1, ..., max_iterations - 1:
        if n == 0:
            d = 0;  u = f
        else:                             # d = -div p (backward differences)
            d = -(p_y + p_x)
            d[:, 1:, :] += p_y[:, :-1, :]
            d[:, :, 1:] += p_x[:, :, :-1]
            u = f + d
        g_y[:, :-1, :] = u[:, 1:, :] - u[:, :-1, :];  g_y[:, -1, :] = 0
        g_x[:, :, :-1] = u[:, :, 1:] - u[:, :, :-1];  g_x[:, :, -1] = 0
        s = (g_y[0]² + g_x[0]²) + (g_y[1]² + g_x[1]²) + ...   # k = 0, 1, ... in order
        norm = sqrt(s)                                       # H×W, shared by the K planes
        E = (Σ d² + weight · Σ norm) / (K·H·W)               # sums accumulated in float64
        if n == 0:  E_0 = E_prev = E
        elif |E_prev - E| < eps · E_0:  return u             # converged
        else:  E_prev = E
        p_y = (p_y - tau · g_y) / (norm · step + 1)          # the same divisor for all k
        p_x = (p_x - tau · g_x) / (norm · step + 1)
    return u                                                 # the u of the last pass

Every operation on arrays is done in T, in the order written (products and
sums of two terms, each rounded to T; ``a²`` is ``a · a``). Only the energy
sums ``Σ d²`` (of the T squares) and ``Σ norm`` are accumulated in float64,
and ``E``, ``E_0`` and the test are computed in float64. A compiled kernel
that keeps this order agrees with this module to float32 rounding (about
1e-6 on images in [0, 1]) while it stops at the same pass. It may sum the
energy in any order in float64 (per-thread partial sums): that moves the
stopping pass only if ``|E_prev - E|`` is within about 1e-12 (relative) of
``eps · E_0``. Stopping one pass earlier or later is not a small change: one
pass moves the camera picture by up to 7e-4 at weight 0.02, 2e-3 at 0.1 and
9e-3 at 1 (float32), so parity tests should compare the number of passes
(:func:`chambolle` returns it) before comparing pixels.

Borders: the gradient is the forward difference, zero on the last row (for
g_y) and last column (for g_x); hence ``p_y`` stays zero on the last row and
``p_x`` on the last column, and the divergence is the backward difference
with the dual field taken as zero outside the image (Chambolle's discrete
divergence, the negative adjoint of the gradient). The divergence sums to
zero, so the mean of every plane is kept.

Notes on matching scikit-image (0.26): ``denoise_tv_chambolle(x, weight,
eps, max_num_iter, channel_axis=-1)`` runs this iteration with K = 1 on every
channel, each with its own stopping test; its sums are float32 (pairwise) for
float32 images where this module sums in float64, the only difference, which
can shift the stopping pass by one in a near tie (not seen on the test
photos, where the two agree bit for bit). Its energy is the one
above (the fidelity term is ``Σ d²``, not ``½ Σ d²``; only the relative
change matters). A constant plane has ``E_0 = 0``: the test never passes and
all ``max_iterations`` passes run, each returning the plane unchanged.
``tau = 1/4`` is scikit-image's ``1 / (2 · ndim)`` for 2-D planes; Chambolle
proves convergence for ``tau <= 1/8`` and observes it in practice up to 1/4.
With ``joint`` the K colour planes share one gradient norm (vectorial TV,
Bresson and Chan 2008); the gradient operator of a stack has the same norm
as that of one plane, so the same step is valid.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TAU", "chambolle", "denoise_tv", "total_variation"]

TAU = 0.25  # Chambolle's step for 2-D planes: 1 / (2 · ndim)


def _gradient(u: np.ndarray, g_y: np.ndarray, g_x: np.ndarray) -> None:
    """Forward differences of the K×H×W stack `u` into `g_y`, `g_x`; zero on the last row / column."""
    np.subtract(u[:, 1:, :], u[:, :-1, :], out=g_y[:, :-1, :])
    g_y[:, -1, :] = 0
    np.subtract(u[:, :, 1:], u[:, :, :-1], out=g_x[:, :, :-1])
    g_x[:, :, -1] = 0


def _negative_divergence(p_y: np.ndarray, p_x: np.ndarray) -> np.ndarray:
    """``d = -div p`` with backward differences, the dual field being zero outside the image."""
    d = -(p_y + p_x)
    d[:, 1:, :] += p_y[:, :-1, :]
    d[:, :, 1:] += p_x[:, :, :-1]
    return d


def _gradient_norm(g_y: np.ndarray, g_x: np.ndarray) -> np.ndarray:
    """H×W Euclidean norm of the gradients of all K planes together, summed plane by plane in order."""
    squares = g_y[0] * g_y[0] + g_x[0] * g_x[0]
    for k in range(1, g_y.shape[0]):
        squares += g_y[k] * g_y[k] + g_x[k] * g_x[k]
    return np.sqrt(squares)


def chambolle(
    f: np.ndarray, weight: float, eps: float = 2e-4, max_iterations: int = 200
) -> tuple[np.ndarray, int]:
    """Run Chambolle's iteration (see the module docstring) on the K×H×W stack `f`.

    Parameters
    ----------
    f : ndarray
        K×H×W, float32 or float64, C-contiguous: the planes denoised jointly
        (K = 1 for one plane). Not modified. Its dtype is the working precision.
    weight : float
        TV weight >= 0 (``1 / λ`` of the ROF model); 0 returns a copy of `f`,
        and so does a weight so small that the step ``TAU / weight``
        overflows the working precision (below about 7e-40 for float32): the
        dual field stays within `weight` of 0, so ``|u - f| <= 4 weight``,
        less than the precision's smallest normal number.
    eps : float
        Relative energy change that stops the iteration, > 0.
    max_iterations : int
        Most passes, >= 1.

    Returns
    -------
    u : ndarray
        The denoised stack, K×H×W, `f`'s dtype (a new array).
    passes : int
        How many passes ran (the pass that returned included).
    """
    dtype = f.dtype
    if weight == 0 or weight < TAU / np.finfo(dtype).max:
        return f.copy(), 0
    step = dtype.type(TAU / weight)
    tau = dtype.type(TAU)
    p_y = np.zeros_like(f)
    p_x = np.zeros_like(f)
    g_y = np.empty_like(f)
    g_x = np.empty_like(f)
    samples = float(f.size)
    u = f
    energy_first = energy_previous = 0.0
    for n in range(max_iterations):
        if n == 0:
            u = f.copy()
            fidelity = 0.0  # d = 0
        else:
            d = _negative_divergence(p_y, p_x)
            u = f + d
            fidelity = float(np.sum(d * d, dtype=np.float64))
        _gradient(u, g_y, g_x)
        norm = _gradient_norm(g_y, g_x)
        energy = (fidelity + weight * float(np.sum(norm, dtype=np.float64))) / samples
        if n == 0:
            energy_first = energy_previous = energy
        elif abs(energy_previous - energy) < eps * energy_first:
            return u, n + 1
        else:
            energy_previous = energy
        divisor = norm * step + dtype.type(1)  # H×W, broadcast over the K planes
        p_y = (p_y - tau * g_y) / divisor
        p_x = (p_x - tau * g_x) / divisor
    return u, max_iterations


def denoise_tv(
    image: np.ndarray,
    weight: float,
    eps: float = 2e-4,
    max_iterations: int = 200,
    joint: bool = False,
    threads: int = 1,
) -> np.ndarray:
    """TV-denoise every channel of a float image (the ``denoise_tv`` kernel of the NumPy backend).

    The kernel behind :func:`clearsight.denoise_tv`, which has validated the
    arguments, converted integer images to float64 and split off alpha.

    Parameters
    ----------
    image : ndarray
        H×W or H×W×K, float32 or float64, any strides. All K channels are
        denoised. Not modified.
    weight : float
        >= 0; 0 returns a copy.
    eps, max_iterations
        As for :func:`chambolle`.
    joint : bool
        False: every channel on its own, each with its own stopping test
        (scikit-image with ``channel_axis=-1``). True: all channels together
        (vectorial TV), one stopping test.
    threads : int
        Accepted for the compiled kernel's signature; ignored (one thread).

    Returns
    -------
    ndarray
        New C-contiguous array of `image`'s shape and dtype.
    """
    planes = image[..., np.newaxis] if image.ndim == 2 else image
    stack = np.ascontiguousarray(np.moveaxis(planes, -1, 0))  # K×H×W
    if joint:
        result, _ = chambolle(stack, weight, eps, max_iterations)
    else:
        result = np.empty_like(stack)
        for k in range(stack.shape[0]):
            result[k], _ = chambolle(stack[k : k + 1], weight, eps, max_iterations)
    out = np.ascontiguousarray(np.moveaxis(result, 0, -1))
    return out[..., 0] if image.ndim == 2 else out


def total_variation(image: np.ndarray, joint: bool = False) -> float:
    """Isotropic total variation of an H×W or H×W×K image with this module's forward differences.

    ``Σ sqrt(g_y² + g_x²)`` over pixels and channels (``joint=False``), or
    ``Σ sqrt(Σ_k g_y,k² + g_x,k²)`` over pixels (``joint=True``), in float64.
    """
    planes = image[..., np.newaxis] if image.ndim == 2 else image
    stack = np.moveaxis(np.asarray(planes, dtype=np.float64), -1, 0)
    g_y = np.zeros_like(stack)
    g_x = np.zeros_like(stack)
    _gradient(stack, g_y, g_x)
    if joint:
        return float(_gradient_norm(g_y, g_x).sum())
    return float(np.sqrt(g_y * g_y + g_x * g_x).sum())
