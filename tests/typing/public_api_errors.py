"""Calls that must fail type checking: each line marked ``# E: <code>``.

``tests/test_static.py`` runs mypy on this file and requires an error of
that code (or one of ``a|b``) on every marked line and on no other line: a door whose
annotation is loosened (``Any``, a bare ``str`` for an option) makes a
marked line pass and the test fail. Never run.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

import clearsight
from clearsight.metrics import psnr, ssim


def misuse(u8: NDArray[np.uint8], f64: NDArray[np.float64]) -> None:
    psf = clearsight.psf.gaussian(1.0)
    # The result type follows the argument: mypy infers the type variable
    # from the assignment and reports the uint8 argument (or the assignment).
    wrong_dtype: NDArray[np.float32] = clearsight.wiener(u8, psf)  # E: arg-type|assignment
    clearsight.wiener(u8, psf, regularizer="laplace")  # E: arg-type
    clearsight.wiener(u8, psf, balance="automatic")  # E: arg-type
    clearsight.richardson_lucy(u8, psf, 10, "biggs")  # E: call-arg
    clearsight.deconvolve_tv(u8, psf, prior="l1")  # E: arg-type
    clearsight.denoise_tv(u8, 0.1, channel="joint")  # E: call-arg
    clearsight.gaussian_blur("photo.png", 1.0)  # E: arg-type
    clearsight.unsharp_mask(u8, backend="gpu")  # E: arg-type
    clearsight.resize(u8, 2.0, method="cubic")  # E: arg-type
    level: str = clearsight.estimate_noise(f64)  # E: assignment
    levels: float = clearsight.estimate_noise(f64, average=False)  # E: assignment
    label: str = psnr(u8, u8)  # E: assignment
    pair: tuple[float, float] = ssim(f64, f64, full=True)  # E: assignment
    clearsight.Deconvolver(psf, (480, 640), boundary="mirror")  # E: arg-type
    print(wrong_dtype, level, levels, label, pair)
