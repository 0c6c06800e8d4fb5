#!/usr/bin/env python
"""Bicubic baseline of the SR test sets with clearsight.resize: the known answers of issue 6.

For Set5 and Set14 at ×2, ×3, ×4 (data folder ``sr/``, protocol of its
README): (1) how many pixels of the shipped LR images ``resize(hr, 1/s)``
reproduces, with both border rules; (2) the Y-PSNR (MATLAB ``rgb2ycbcr`` Y,
rounded for uint8; grey images as they are; ``crop_border = s``) of bicubic
upscaling ``resize(lr, s)`` against the HR, per image and per set.

Usage::

    python benchmarks/sr_bicubic.py [--markdown]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from PIL import Image

import clearsight
from clearsight.datasets import data_path

from _common import Table

SETS = ("Set5", "Set14")
SCALES = (2, 3, 4)


def pairs(dataset: str, scale: int):
    lr_dir = data_path("sr", dataset, "LR_bicubic", f"X{scale}")
    for lr_path in sorted(lr_dir.glob("*.png")):
        hr_dir = lr_dir.parent.parent / "HR" / f"X{scale}"
        hr_path = (hr_dir if hr_dir.is_dir() else lr_dir.parent.parent / "HR") / lr_path.name
        with Image.open(lr_path) as lr_file, Image.open(hr_path) as hr_file:
            lr, hr = np.asarray(lr_file), np.asarray(hr_file)
        yield lr_path.stem, hr[: scale * lr.shape[0], : scale * lr.shape[1]], lr


def y_psnr(hr: np.ndarray, sr: np.ndarray, crop: int) -> float:
    a, b = ((x if x.ndim == 2 else clearsight.rgb_to_y(x)).astype(np.float64) for x in (hr, sr))
    error = (a - b)[crop:-crop, crop:-crop]
    return 10 * math.log10(255**2 / np.mean(error**2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    out = []
    agreement = Table(["set", "scale", "border", "pixels equal", "mean abs difference"], "lrlrr")
    psnr = {}
    for dataset in SETS:
        for scale in SCALES:
            for boundary in ("replicate", "symmetric"):
                equal = total = 0
                differences = []
                for _, hr, lr in pairs(dataset, scale):
                    d = np.abs(clearsight.resize(hr, 1 / scale, boundary=boundary).astype(int) - lr)
                    equal, total = equal + np.count_nonzero(d == 0), total + d.size
                    differences.append(d.mean())
                agreement.add(dataset, f"×{scale}", boundary, f"{100 * equal / total:.3f} %",
                              f"{np.mean(differences):.4f}")
            for name, hr, lr in pairs(dataset, scale):
                psnr[dataset, name, scale] = y_psnr(hr, clearsight.resize(lr, scale), scale)
    out.append(("### " if args.markdown else "") + "LR images reproduced by resize(hr, 1/s)\n")
    out.append(agreement.render(args.markdown))
    for dataset in SETS:
        names = sorted({n for d, n, _ in psnr if d == dataset})
        table = Table(["image"] + [f"×{s}" for s in SCALES], "lrrr")
        for name in names:
            table.add(name, *[f"{psnr[dataset, name, s]:.3f}" for s in SCALES])
        table.add("**mean**" if args.markdown else "mean",
                  *[f"{np.mean([psnr[dataset, n, s] for n in names]):.3f}" for s in SCALES])
        out.append(("\n### " if args.markdown else "\n") + f"{dataset}: bicubic Y-PSNR (dB), crop_border = scale\n")
        out.append(table.render(args.markdown))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
