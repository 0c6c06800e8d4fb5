#!/usr/bin/env python
"""Tune the data-driven defaults of the deconvolution doors on training images.

The defaults tuned here are ``wiener(balance="auto")``'s constants, the
``weight="auto"`` constants and iteration count of ``deconvolve_tv``, and the
Biggs default iteration count of ``richardson_lucy``. The data folder's rule
is that evaluation sets are never used to tune a default, so these are set
on training images, and the Levin table (``quality_deconv.py``, the
evaluation of issue 5) then measures them out of sample.

Protocol: the Levin protocol (``deblur/README.md``: 'valid' convolution,
Gaussian noise, interior scoring) with training images in place of Levin's:

* the first ``--images`` BSD200 training images in file-name order
  (``train/BSD200/*.jpg``), converted to grey (Pillow ``"L"``), the central
  255×255 crop (the Levin images' size), / 255, float64;
* the 8 Levin kernels (``kernels/kernel{1..8}.npy``; kernels are not
  images, so using them is not training on the evaluation set);
* noise σ in {0.005, 0.01, 0.02} (the Levin table has only 0.01: the other
  two check that the rules scale with σ²), one ``default_rng(0)`` draw per
  (image, kernel, σ), in that loop order;
* PSNR on the interior, means over all pairs.

Usage::

    python benchmarks/tune_deconv.py [--images 6] [--markdown] [--skip-tv] [--beta-caps]

``--beta-caps`` adds the sweep that chose ``BETA_MAX``: mean PSNR of both
priors at their default c and iterations for caps 16 … 256 (slow: the NumPy
reference, about 10 minutes on 2 cores).

Progress goes to stderr, the report to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from quality_deconv import Pair

import clearsight
from clearsight.datasets import data_path
from clearsight.deconv import AUTO_BALANCE, DEFAULT_RL_ITERATIONS
from clearsight.estimate import estimate_noise
from clearsight.reference import tv_deconvolution
from clearsight.reference.richardson_lucy import RichardsonLucyPlan

from _common import Table, environment

SIGMAS = (0.005, 0.01, 0.02)
CROP = 255
# (power p of σ̂, constants c) of the rule balance = c σ̂^p.
WIENER_RULES = {"identity": ((1, (1.5, 2.0, 2.5, 3.0, 3.5)), (2, (100, 150, 200, 250, 300, 400, 500))),
                "laplacian": ((1, (1.0, 2.0, 3.0, 4.0, 6.0)), (2, (100, 150, 200, 300, 400, 500, 700)))}
TV_CONSTANTS = {"tv": (6.0, 8.0, 9.0, 10.0, 12.0, 15.0), "hyper-laplacian": (2.0, 3.0, 4.0, 5.0, 6.0, 8.0)}
TV_ITERATIONS = 40
RL_ITERATIONS = 30


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_training_pairs(count: int) -> list[tuple[float, Pair]]:
    from PIL import Image
    from scipy.signal import convolve2d

    folder = data_path("train", "BSD200")
    files = sorted(folder.glob("*.jpg"))[:count]
    if len(files) < count:
        raise SystemExit(f"only {len(files)} images in {folder}")
    kernels = [np.load(data_path("kernels", f"kernel{j}.npy")) for j in range(1, 9)]
    rng = np.random.default_rng(0)
    pairs = []
    for i, path in enumerate(files, 1):
        with Image.open(path) as picture:
            grey = np.asarray(picture.convert("L")).astype(np.float64) / 255.0
        top, left = (grey.shape[0] - CROP) // 2, (grey.shape[1] - CROP) // 2
        sharp = grey[top : top + CROP, left : left + CROP]
        for j, kernel in enumerate(kernels, 1):
            full = convolve2d(sharp, kernel, "full")
            kh, kw = kernel.shape
            valid = full[kh - 1 : full.shape[0] - kh + 1, kw - 1 : full.shape[1] - kw + 1]
            pairs.extend((sigma, Pair(i, j, sharp, kernel, valid + rng.normal(0, sigma, valid.shape)))
                         for sigma in SIGMAS)
    return pairs


def by_sigma(values: np.ndarray, sigmas: np.ndarray) -> list[float]:
    """Mean of `values` (pairs × settings) per σ, then over all pairs: rows of the report."""
    return [values[sigmas == s].mean(axis=0) for s in SIGMAS] + [values.mean(axis=0)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=6, help="BSD200 training images to use (default: 6)")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--skip-tv", action="store_true", help="skip the (slow) deconvolve_tv sweep")
    parser.add_argument("--beta-caps", action="store_true", help="also sweep the cap of the β schedule")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    pairs = load_training_pairs(args.images)
    sigmas = np.array([s for s, _ in pairs])
    estimated = np.array([float(estimate_noise(p.blurred)) for _, p in pairs])
    out = []

    def section(title: str, table: Table) -> None:
        out.append(f"\n### {title}\n" if args.markdown else f"\n{title}\n{'=' * len(title)}")
        out.append(table.render(args.markdown))

    setup = Table(["item", "value"], "ll")
    for label, value in environment():
        setup.add(label, value)
    setup.add("pairs", f"{len(pairs)} ({args.images} BSD200 images × 8 kernels × σ {SIGMAS})")
    for s in SIGMAS:
        setup.add(f"estimated σ at {s}", f"{estimated[sigmas == s].mean():.4f} "
                  f"(min {estimated[sigmas == s].min():.4f}, max {estimated[sigmas == s].max():.4f})")
    section("Setup", setup)

    # wiener(balance="auto") = c σ̂^p: PSNR for each rule.
    for regularizer, rules in WIENER_RULES.items():
        for power, constants in rules:
            log(f"wiener {regularizer} σ^{power} ...")
            psnr = np.array([[pair.psnr(clearsight.wiener(pair.blurred, pair.psf, max(c * est**power, 1e-5),
                                                          regularizer=regularizer, boundary="reflect"))
                              for c in constants] for (_, pair), est in zip(pairs, estimated, strict=True)])
            table = Table(["σ"] + [f"c={c:g}" for c in constants], "l" + "r" * len(constants))
            for label, row in zip([f"{s:g}" for s in SIGMAS] + ["all"], by_sigma(psnr, sigmas), strict=True):
                table.add(label, *[f"{v:.2f}" for v in row])
            best = constants[int(np.argmax(psnr.mean(axis=0)))]
            c, p = AUTO_BALANCE[regularizer]
            section(f"wiener balance = c σ̂^{power}, {regularizer}, reflect: best c = {best:g} "
                    f"(default: {c:g} σ̂^{p})", table)

    # richardson_lucy: the iteration where the mean PSNR peaks, plain and Biggs.
    log("richardson_lucy curves ...")
    table = Table(["acceleration", "σ", "peak iteration", "peak PSNR", "PSNR at default"], "llrrr")
    for acceleration in ("none", "biggs"):
        curves = np.array([[pair.psnr(np.clip(x, 0, 1)) for x in
                            RichardsonLucyPlan(pair.psf, pair.blurred.shape, "reflect", True).iterate(
                                pair.blurred, RL_ITERATIONS, acceleration)] for _, pair in pairs])
        default = DEFAULT_RL_ITERATIONS[acceleration]
        for label, curve in zip([f"{s:g}" for s in SIGMAS] + ["all"], by_sigma(curves, sigmas), strict=True):
            table.add(acceleration, label, str(int(np.argmax(curve)) + 1), f"{curve.max():.2f}",
                      f"{curve[default - 1]:.2f} ({default})")
    section("richardson_lucy, reflect: mean PSNR by iteration", table)

    if not args.skip_tv:
        # deconvolve_tv(weight="auto") = c σ̂²: PSNR by c and iteration.
        shown = (10, 15, 20, 25, 30, 40)
        for prior, constants in TV_CONSTANTS.items():
            alpha = tv_deconvolution.DEFAULT_ALPHA[prior]
            table = Table(["c"] + [f"{n} it" for n in shown], "l" + "r" * len(shown))
            for c in constants:
                log(f"deconvolve_tv {prior} c={c:g} ...")
                curves = np.zeros((len(pairs), TV_ITERATIONS))
                for p, ((_, pair), est) in enumerate(zip(pairs, estimated, strict=True)):
                    plan = tv_deconvolution.TVDeconvolutionPlan(pair.psf, pair.blurred.shape, "unknown", True)
                    for i, x in enumerate(plan.iterate(pair.blurred, c * est**2, alpha, TV_ITERATIONS)):
                        curves[p, i] = pair.psnr(np.clip(x, 0, 1))
                mean = curves.mean(axis=0)
                table.add(f"{c:g}", *[f"{mean[n - 1]:.2f}" for n in shown])
            section(f"deconvolve_tv prior={prior}, boundary unknown: mean PSNR by c and iteration "
                    f"(defaults c={tv_deconvolution.AUTO_WEIGHT[prior]:g}, "
                    f"{tv_deconvolution.DEFAULT_TV_ITERATIONS} iterations)", table)

    if args.beta_caps:
        # The cap of the β schedule, each prior at its default c and iterations.
        caps = (16.0, 32.0, 64.0, 128.0, 256.0)
        table = Table(["prior", "c"] + [f"β cap {cap:g}" for cap in caps], "ll" + "r" * len(caps))
        default_cap = tv_deconvolution.BETA_MAX
        try:
            for prior in TV_CONSTANTS:
                c = tv_deconvolution.AUTO_WEIGHT[prior]
                alpha = tv_deconvolution.DEFAULT_ALPHA[prior]
                row = []
                for cap in caps:
                    log(f"deconvolve_tv {prior} β cap {cap:g} ...")
                    tv_deconvolution.BETA_MAX = cap  # beta_schedule reads it at call time
                    scores = []
                    for (_, pair), est in zip(pairs, estimated, strict=True):
                        plan = tv_deconvolution.TVDeconvolutionPlan(pair.psf, pair.blurred.shape, "unknown", True)
                        restored = plan.deconvolve(pair.blurred, c * est**2, alpha, tv_deconvolution.DEFAULT_TV_ITERATIONS)
                        scores.append(pair.psnr(np.clip(restored, 0, 1)))
                    row.append(np.mean(scores))
                table.add(prior, f"{c:g}", *[f"{v:.3f}" for v in row])
        finally:
            tv_deconvolution.BETA_MAX = default_cap
        section(f"deconvolve_tv, boundary unknown: mean PSNR by the cap of β (default {default_cap:g})", table)
    out.append(f"\nwall time {time.perf_counter() - start:.0f} s; command: python {' '.join(sys.argv)}")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
