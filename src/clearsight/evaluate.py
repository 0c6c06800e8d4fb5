"""The standard evaluation tables of super-resolution and denoising, computed the way papers do.

``evaluate_sr`` scores an upscaler on an SR test set (Set5, Set14, ...) with
Y-PSNR and SSIM, ``crop_border = scale``; ``evaluate_denoise`` scores a
denoiser on a denoising set (BSD68, Set12, Kodak24) under additive white
Gaussian noise drawn exactly as the data folder's protocol prescribes. Both
return an :class:`Evaluation`: per-image scores, their means, and Markdown
or CSV renderings. ``clearsight evaluate`` runs them from the command line.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Evaluation", "evaluate_denoise", "evaluate_sr", "sr_pairs"]


@dataclass
class Evaluation:
    """Per-image scores of one method on one data set, and their means.

    Attributes
    ----------
    title : str
        What was evaluated (set, scale or noise level).
    names : list of str
        Image names (file stems), in the order evaluated (sorted file names).
    psnr, ssim : list of float
        Per-image PSNR (dB) and SSIM.
    seconds : list of float
        Per-image wall time of the evaluated function alone.
    input_psnr : list of float
        Denoising only: PSNR of the noisy input itself (unclipped), the
        "noisy" column of denoising tables; empty for SR.
    """

    title: str
    names: list[str] = field(default_factory=list)
    psnr: list[float] = field(default_factory=list)
    ssim: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    input_psnr: list[float] = field(default_factory=list)

    @property
    def mean_psnr(self) -> float:
        """Mean of the per-image PSNRs (the number papers report)."""
        return float(np.mean(self.psnr)) if self.psnr else math.nan

    @property
    def mean_ssim(self) -> float:
        """Mean of the per-image SSIMs."""
        return float(np.mean(self.ssim)) if self.ssim else math.nan

    def to_markdown(self) -> str:
        """A Markdown table: one row per image, then the mean."""
        noisy = bool(self.input_psnr)
        head = "| image |" + (" input PSNR (dB) |" if noisy else "") + " PSNR (dB) | SSIM | time (s) |"
        lines = [f"**{self.title}**", "", head, "|:---|" + ("---:|" if noisy else "") + "---:|---:|---:|"]
        inputs = self.input_psnr if noisy else [None] * len(self.names)
        for name, q, p, s, t in zip(self.names, inputs, self.psnr, self.ssim, self.seconds, strict=True):
            lines.append(f"| {name} |" + (f" {q:.3f} |" if noisy else "") + f" {p:.3f} | {s:.4f} | {t:.3f} |")
        mean_input = f" {float(np.mean(self.input_psnr)):.3f} |" if noisy else ""
        lines.append(f"| **mean** |{mean_input} **{self.mean_psnr:.3f}** | **{self.mean_ssim:.4f}** | "
                     f"{float(np.mean(self.seconds)) if self.seconds else math.nan:.3f} |")
        return "\n".join(lines)

    def to_csv(self) -> str:
        """CSV text with a header row: image, [input_psnr,] psnr, ssim, seconds."""
        noisy = bool(self.input_psnr)
        rows = ["image," + ("input_psnr," if noisy else "") + "psnr,ssim,seconds"]
        inputs = self.input_psnr if noisy else [None] * len(self.names)
        rows += [f"{n}," + (f"{q:.6f}," if noisy else "") + f"{p:.6f},{s:.6f},{t:.6f}"
                 for n, q, p, s, t in zip(self.names, inputs, self.psnr, self.ssim, self.seconds, strict=True)]
        return "\n".join(rows) + "\n"


def _progress(items: list[Any], label: str, enabled: bool) -> Iterable[Any]:
    if not enabled:
        return items
    try:
        from tqdm import tqdm
    except ImportError:  # the bar is a convenience; tqdm is in the "evaluate" extra
        return items
    return tqdm(items, desc=label, unit="image", leave=False)


def _read(path: Path) -> np.ndarray:
    from clearsight.io import read_image

    return read_image(path)


def _folder(dataset_dir: str | Path, name: str = "dataset_dir") -> Path:
    folder = Path(dataset_dir)
    if not folder.is_dir():
        raise ValueError(f"{name} {str(folder)!r} is not a folder")
    return folder


def sr_pairs(dataset_dir: str | Path, scale: int) -> Iterator[tuple[str, Path, Path]]:
    """(name, HR path, LR path) of an SR test set laid out as the data folder's ``sr/`` sets.

    ``<set>/LR_bicubic/X<s>/<name>.png`` with the HR in ``<set>/HR/X<s>/``
    when that exists, else ``<set>/HR/`` (then cropped to s × the LR size by
    :func:`evaluate_sr`, as ``sr/README.md`` prescribes).
    """
    folder = _folder(dataset_dir)
    lr_dir = folder / "LR_bicubic" / f"X{scale}"
    if not lr_dir.is_dir():
        raise ValueError(f"dataset_dir has no LR_bicubic/X{scale} folder: {folder}")
    hr_dir = folder / "HR" / f"X{scale}"
    hr_dir = hr_dir if hr_dir.is_dir() else folder / "HR"
    for lr_path in sorted(lr_dir.glob("*.png")):
        hr_path = hr_dir / lr_path.name
        if not hr_path.is_file():
            raise ValueError(f"no HR image for {lr_path.name} in {hr_dir}")
        yield lr_path.stem, hr_path, lr_path


def _as_uint8(image: Any, name: str) -> np.ndarray:
    """The SR convention: float output in [0, 1] is clipped and rounded to 8 bits before scoring."""
    array = np.asarray(image)
    if array.dtype == np.uint8:
        return array
    if array.dtype.kind != "f":
        raise TypeError(f"{name} must return uint8 or a float image in [0, 1], got dtype {array.dtype}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} returned NaN or infinity")
    return np.floor(np.clip(array, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def evaluate_sr(
    upscale_fn: Callable[[np.ndarray], Any],
    dataset_dir: str | Path,
    scale: int,
    *,
    progress: bool = True,
) -> Evaluation:
    """Score an upscaler on an SR test set: Y-PSNR and SSIM with ``crop_border = scale``.

    Parameters
    ----------
    upscale_fn : callable
        Takes the LR image (uint8, H×W×3 or H×W for grey images) and returns
        the upscaled image, ``scale`` times larger: uint8, or float in
        [0, 1] (then clipped and rounded to uint8 first, as SR papers do).
    dataset_dir : str or Path
        A set laid out as the data folder's ``sr/Set5``: see :func:`sr_pairs`.
    scale : int
        2, 3, 4, ...: the LR folder ``LR_bicubic/X<scale>`` is used.
    progress : bool, default True
        Show a tqdm progress bar on stderr (when tqdm is installed).

    Returns
    -------
    Evaluation
        Per-image Y-PSNR (``psnr(hr, sr, crop_border=scale, y_channel=True)``,
        MATLAB's rounded Y; grey images as they are) and SSIM on the same Y.

    Notes
    -----
    Bicubic ``resize(lr, scale)`` gives the published bicubic baselines:
    Set5 33.64 / 30.39 / 28.42 dB, Set14 30.22 / 27.53 / 25.99 dB at
    ×2 / ×3 / ×4 (``docs/resize.md``).
    """
    from clearsight.metrics import psnr, ssim

    given: object = scale  # checked at run time whatever its annotation says
    if isinstance(given, bool) or not isinstance(given, (int, np.integer)) or given < 1:
        raise ValueError(f"scale must be an int >= 1, got {scale!r}")
    if not callable(upscale_fn):
        raise TypeError("upscale_fn must be callable")
    pairs = list(sr_pairs(dataset_dir, int(scale)))
    if not pairs:
        raise ValueError(f"dataset_dir has no LR images for ×{scale}: {dataset_dir}")
    result = Evaluation(f"{Path(dataset_dir).name} ×{scale}")
    for name, hr_path, lr_path in _progress(pairs, result.title, progress):
        lr = _read(lr_path)
        hr = _read(hr_path)
        hr = hr[: scale * lr.shape[0], : scale * lr.shape[1]]
        start = time.perf_counter()
        sr = upscale_fn(lr)
        elapsed = time.perf_counter() - start
        sr = _as_uint8(sr, "upscale_fn")
        if sr.shape != hr.shape:
            raise ValueError(f"upscale_fn returned shape {sr.shape} for {name}; the HR image is {hr.shape}")
        result.names.append(name)
        result.psnr.append(float(psnr(hr, sr, crop_border=scale, y_channel=hr.ndim == 3)))
        result.ssim.append(float(ssim(hr, sr, crop_border=scale, y_channel=hr.ndim == 3)))
        result.seconds.append(elapsed)
    return result


def evaluate_denoise(
    denoise_fn: Callable[[np.ndarray], Any],
    dataset_dir: str | Path,
    sigma: float,
    seed: int = 0,
    *,
    progress: bool = True,
) -> Evaluation:
    """Score a denoiser under additive white Gaussian noise, by the data folder's protocol.

    Parameters
    ----------
    denoise_fn : callable
        Takes the noisy image (float64, H×W or H×W×3, values around [0, 1],
        *not* clipped) and returns the denoised image, same shape.
    dataset_dir : str or Path
        A folder of 8-bit PNGs (``denoise/BSD68``, ``Set12``, ``Kodak24``).
    sigma : float
        Noise standard deviation in 8-bit grey levels (15, 25, 50 as papers
        quote it); the noise added is ``sigma / 255`` on [0, 1] images.
    seed : int, default 0
        Seed of the one ``numpy.random.default_rng`` drawing the noise, one
        ``standard_normal(x.shape)`` per image in sorted file-name order
        (so sigmas share the pattern).
    progress : bool, default True
        Show a tqdm progress bar on stderr (when tqdm is installed).

    Returns
    -------
    Evaluation
        Per-image PSNR (data range 1) and SSIM of the output clipped to
        [0, 1] (not quantised), against the clean image / 255, and the PSNR
        of the noisy input itself (``input_psnr``, unclipped).
    """
    from clearsight.metrics import psnr, ssim

    sigma = float(sigma)
    if not (math.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be a finite number >= 0 (8-bit grey levels), got {sigma}")
    if not callable(denoise_fn):
        raise TypeError("denoise_fn must be callable")
    folder = _folder(dataset_dir)
    files = sorted(folder.glob("*.png"))
    if not files:
        raise ValueError(f"dataset_dir has no PNG images: {folder}")
    rng = np.random.default_rng(seed)
    result = Evaluation(f"{folder.name} σ={sigma:g}")
    for path in _progress(files, result.title, progress):
        clean = _read(path).astype(np.float64) / 255.0
        noisy = clean + (sigma / 255.0) * rng.standard_normal(clean.shape)
        start = time.perf_counter()
        denoised = np.asarray(denoise_fn(noisy), dtype=np.float64)
        elapsed = time.perf_counter() - start
        if denoised.shape != clean.shape:
            raise ValueError(f"denoise_fn returned shape {denoised.shape} for {path.name}; expected {clean.shape}")
        if not np.all(np.isfinite(denoised)):
            raise ValueError(f"denoise_fn returned NaN or infinity for {path.name}")
        denoised = np.clip(denoised, 0.0, 1.0)
        result.input_psnr.append(float(psnr(clean, noisy, data_range=1.0)))
        result.names.append(path.stem)
        result.psnr.append(float(psnr(clean, denoised, data_range=1.0)))
        result.ssim.append(float(ssim(clean, denoised, data_range=1.0)))
        result.seconds.append(elapsed)
    return result
