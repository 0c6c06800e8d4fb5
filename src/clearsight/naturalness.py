"""No-reference image quality: NIQE. Re-exported as :func:`clearsight.metrics.niqe`."""

from __future__ import annotations

from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from clearsight import _validate
from clearsight.reference import niqe as _reference

__all__ = ["niqe"]


def _grey_0_255(image: np.ndarray) -> np.ndarray:
    """The image NIQE scores: grey (or the BT.601 Y of RGB), float64 in 0..255 units."""
    from clearsight.color import rgb_to_y

    if image.ndim == 3 and image.shape[2] >= 3:
        plane = rgb_to_y(image)  # integers: rounded to the type, as MATLAB's rgb2ycbcr on uint8
    else:
        plane = image if image.ndim == 2 else image[..., 0]
    plane = plane.astype(np.float64)
    if image.dtype == np.uint16:
        plane /= 257.0  # 65535 → 255
    elif image.dtype.kind == "f":
        plane *= 255.0
    return plane


def _niqe_array(image: Any) -> float:
    image = _validate.image(image)
    if image.dtype.kind == "f" and (image.min() < 0.0 or image.max() > 1.0):
        raise ValueError("image must have values in [0, 1] when it is a float array")
    if image.shape[0] < _reference.BLOCK or image.shape[1] < _reference.BLOCK:
        raise ValueError(
            f"image must be at least {_reference.BLOCK}×{_reference.BLOCK} pixels for NIQE "
            f"(its features are taken on 96×96 blocks), got {image.shape[0]}×{image.shape[1]}"
        )
    return _reference.niqe(_grey_0_255(image))  # raises ValueError for an image without texture


@overload
def niqe(image: NDArray[Any]) -> float: ...
@overload
def niqe(image: Any) -> Any: ...  # a torch tensor gives a tensor of N scores
def niqe(image: Any) -> Any:
    """Naturalness Image Quality Evaluator (NIQE): a no-reference score, lower is better.

    Measures how far the statistics of the image's locally normalised
    luminance are from those of pristine natural images (the pristine model
    of the LIVE release, shipped with clearsight together with its copyright
    notice in ``clearsight/models/niqe``).

    Parameters
    ----------
    image : ndarray or torch.Tensor
        H×W grey, H×W×2 (grey + alpha), H×W×3 RGB or H×W×4 RGBA; uint8,
        uint16 or float in [0, 1]. At least 96×96. Colour images are scored
        on the Y of MATLAB's ``rgb2ycbcr`` (rounded to the integer type for
        integer input, as MATLAB does on uint8); grey images as they are.
        A torch tensor N×C×H×W (C = 1 or 3, float in [0, 1]) gives one score
        per image.

    Returns
    -------
    float or torch.Tensor
        The score (a float64 tensor of shape (N,) for tensor input; NIQE is
        not differentiable: the fit picks from a grid).

    Notes
    -----
    The algorithm is the LIVE release's ``computequality.m`` (96×96 blocks,
    two scales), written out in :mod:`clearsight.reference.niqe`. On
    ``baboon.png`` of the data folder (``niqe/README.md``) it gives
    5.7295739 against MATLAB R2021a's 5.72957338. Two details decide the
    last digits: the second scale is ``imresize(im, 0.5)`` with mirrored
    borders (:func:`clearsight.resize`'s default), and exact zeros of the
    normalised luminance in flat areas (MATLAB's floating-point result) are
    made exact here. Scores of very small images (few blocks) are noisy.
    An image none of whose blocks has texture (a constant image, for one)
    has no score: the features are undefined there (MATLAB returns NaN);
    this raises ValueError instead.

    References
    ----------
    .. [1] A. Mittal, R. Soundararajan, A. C. Bovik, "Making a 'Completely
       Blind' Image Quality Analyzer", IEEE Signal Processing Letters 20(3),
       209-212, 2013.
    .. [2] A. Mittal, R. Soundararajan, A. C. Bovik, "NIQE Software
       Release", http://live.ece.utexas.edu/research/quality/niqe.zip, 2012.

    Examples
    --------
    >>> import numpy as np
    >>> from clearsight.metrics import niqe
    >>> rng = np.random.default_rng(0)
    >>> score = niqe(rng.random((192, 192)))
    >>> bool(score > 10)  # white noise is far from natural
    True
    """
    if type(image).__module__.startswith("torch"):
        import torch

        if image.ndim != 4:
            raise ValueError(f"image must be an N×C×H×W tensor, got {image.ndim} dimensions")
        planes = image.detach().to("cpu", torch.float64).permute(0, 2, 3, 1).numpy()
        scores = [_niqe_array(np.ascontiguousarray(p if p.shape[2] != 1 else p[..., 0])) for p in planes]
        return torch.tensor(scores, dtype=torch.float64)
    return _niqe_array(image)
