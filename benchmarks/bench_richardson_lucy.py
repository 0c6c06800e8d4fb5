#!/usr/bin/env python
"""Benchmark clearsight's Richardson–Lucy against scikit-image.

Speed (issue 5, target: >= 3x at equal iterations): a 720×1280 float32 grey
picture (scikit-image's camera, resized, blurred, noisy; seeded) restored
with 30 iterations by

* ``clearsight.richardson_lucy(x, psf, 30, boundary="zero", clip=c, threads=t)``
  (the backend ``"auto"`` picks; "zero" is scikit-image's boundary, so both
  compute the same iteration and the report prints the largest difference);
* ``skimage.restoration.richardson_lucy(x, psf, num_iter=30, clip=c)``;

for a Gaussian PSF (σ = 2, 15×15) and a Levin-like 21×21 motion PSF, clip
False and True, timed round robin in this process.

Acceleration (target: Biggs reaches scikit-image's 30-iteration PSNR in
<= 1/10 of its time): the protocol of ``quality_deconv.py`` (Levin images
and kernels via ``clearsight.datasets``, σ = 0.01 noise, interior PSNR): the
fewest Biggs iterations (reflect boundary) whose mean PSNR reaches
scikit-image's 30-iteration mean, then both timed on every pair. Skipped
when the data folder is absent (``--quick`` uses 2 images × 2 kernels).

deconvolve_tv has no peer: the compiled plan is timed against the NumPy
reference on the motion-blurred picture (TV and hyper-Laplacian priors).

Usage::

    python benchmarks/bench_richardson_lucy.py [--threads 2] [--repeats 5] [--quick] [--markdown]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

import clearsight
from clearsight import _dispatch
from clearsight.deconv import richardson_lucy

from _common import Table, Target, environment, fmt_ms, fmt_ratio, time_round_robin

try:
    from skimage.restoration import richardson_lucy as skimage_rl
except ImportError:  # the peer is the point of the comparison
    skimage_rl = None

ITERATIONS = 30
SPEED_TARGET = 3.0
BIGGS_TARGET = 10.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def gaussian_psf(sigma: float = 2.0, size: int = 15) -> np.ndarray:
    x = np.arange(size) - size // 2
    g = np.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / (2 * sigma**2))
    return g / g.sum()


def motion_psf(length: int = 21) -> np.ndarray:
    """A Levin-like camera-shake path: a smooth curve drawn into length×length."""
    rng = np.random.default_rng(3)
    psf = np.zeros((length, length))
    t = np.linspace(0, 1, 400)
    path = np.cumsum(rng.normal(0, 1, (2, 6)), axis=1)
    xs = np.interp(t, np.linspace(0, 1, 6), path[0])
    ys = np.interp(t, np.linspace(0, 1, 6), path[1])
    for v in (xs, ys):
        v -= v.min()
    scale = (length - 1) / max(xs.max(), ys.max(), 1e-9)
    np.add.at(psf, (np.round(ys * scale).astype(int), np.round(xs * scale).astype(int)), 1.0)
    return psf / psf.sum()


def test_picture(rng: np.random.Generator) -> np.ndarray:
    from skimage import data
    from skimage.transform import resize

    return resize(data.camera().astype(np.float64) / 255.0, (720, 1280), anti_aliasing=True)


def speed(args) -> tuple[Table, list[Target]]:
    from scipy.signal import fftconvolve

    rng = np.random.default_rng(0)
    sharp = test_picture(rng)
    table = Table(["psf", "clip", "skimage", "clearsight", "ratio", "max |diff|", "skimage NaN"], "llrrrrr")
    targets = []
    for name, psf in (("gaussian 15x15", gaussian_psf()), ("motion 21x21", motion_psf())):
        blurred = fftconvolve(sharp, psf, mode="same") + rng.normal(0, 0.01, sharp.shape)
        image = np.clip(blurred, 0, 1).astype(np.float32)
        for clip in (False, True):
            log(f"  {name}, clip={clip} ...")
            contenders = {
                "skimage": lambda: skimage_rl(image, psf, num_iter=ITERATIONS, clip=clip),
                "clearsight": lambda: richardson_lucy(image, psf, ITERATIONS, boundary="zero", clip=clip,
                                                      threads=args.threads),
            }
            timings = time_round_robin(contenders, repeats=args.repeats, warmup=1)
            # scikit-image's 1e-12 guard can leave 0/0 (NaN) where its float32
            # re-blur rounds to -1e-12 exactly; such pixels are left out.
            theirs = contenders["skimage"]().astype(np.float64)
            nan = float(np.mean(np.isnan(theirs)))
            diff = float(np.nanmax(np.abs(theirs - contenders["clearsight"]()))) if nan < 1 else float("nan")
            ratio = timings["skimage"].median_ms / timings["clearsight"].median_ms
            table.add(name, str(clip), fmt_ms(timings["skimage"].median_ms), fmt_ms(timings["clearsight"].median_ms),
                      fmt_ratio(ratio), f"{diff:.2e}", f"{nan:.0%}")
            targets.append(Target(f"RL-30 {name} clip={clip} vs skimage", ratio, SPEED_TARGET, True))
    return table, targets


def acceleration(args) -> tuple[Table | None, list[Target]]:
    try:
        from PIL import Image
        from scipy.signal import convolve2d

        from clearsight.datasets import data_path
        images = [data_path("deblur", f"im{i}.png") for i in range(1, 5)]
        kernels = [data_path("kernels", f"kernel{j}.npy") for j in range(1, 9)]
    except (ImportError, FileNotFoundError) as error:
        log(f"  acceleration target skipped: {error}")
        return None, [Target("Biggs reaches skimage RL-30 PSNR, time ratio", None, BIGGS_TARGET, True)]
    if args.quick:
        images, kernels = images[:2], kernels[:2]
    rng = np.random.default_rng(0)
    pairs = []
    for path in images:
        with Image.open(path) as picture:
            sharp = np.asarray(picture.convert("L")).astype(np.float64) / 255.0
        for kpath in kernels:
            k = np.load(kpath)
            kh, kw = k.shape
            full = convolve2d(sharp, k, "full")
            blurred = full[kh - 1 : full.shape[0] - kh + 1, kw - 1 : full.shape[1] - kw + 1]
            blurred = blurred + rng.normal(0, 0.01, blurred.shape)
            rh, rw = (kh - 1) // 2, (kw - 1) // 2
            truth = sharp[rh : sharp.shape[0] - rh, rw : sharp.shape[1] - rw][rh : -rh or None, rw : -rw or None]
            pairs.append((blurred, k, truth, rh, rw))

    def psnr(estimate, truth, rh, rw):
        interior = np.asarray(estimate, np.float64)[rh : estimate.shape[0] - rh, rw : estimate.shape[1] - rw]
        return float(10 * np.log10(1.0 / np.mean((interior - truth) ** 2)))

    log("  skimage RL-30 PSNR ...")
    level = float(np.mean([psnr(skimage_rl(y, k, num_iter=ITERATIONS), t, rh, rw) for y, k, t, rh, rw in pairs]))
    needed = None
    for n in range(1, ITERATIONS + 1):
        mean = float(np.mean([psnr(richardson_lucy(y, k, n, acceleration="biggs", threads=args.threads), t, rh, rw)
                              for y, k, t, rh, rw in pairs]))
        if mean >= level:
            needed = n
            break
    table = Table(["method", "iterations", "mean PSNR", "total time"], "lrrr")
    if needed is None:
        return table, [Target("Biggs reaches skimage RL-30 PSNR, time ratio", None, BIGGS_TARGET, True)]
    log(f"  Biggs needs {needed} iterations; timing ...")
    ours = theirs = 0.0
    ours_psnr = []
    for y, k, t, rh, rw in pairs:
        contenders = {
            "ours": lambda: richardson_lucy(y, k, needed, acceleration="biggs", threads=args.threads),
            "skimage": lambda: skimage_rl(y, k, num_iter=ITERATIONS),
        }
        timings = time_round_robin(contenders, repeats=max(1, args.repeats // 2), warmup=1)
        ours += timings["ours"].median_ms
        theirs += timings["skimage"].median_ms
        ours_psnr.append(psnr(contenders["ours"](), t, rh, rw))
    table.add("skimage richardson_lucy", str(ITERATIONS), f"{level:.2f}", fmt_ms(theirs))
    table.add("clearsight richardson_lucy, biggs, reflect", str(needed), f"{np.mean(ours_psnr):.2f}", fmt_ms(ours))
    return table, [Target("Biggs reaches skimage RL-30 PSNR, time ratio", theirs / ours, BIGGS_TARGET, True)]


def tv_speed(args) -> tuple[Table, list[Target]]:
    """deconvolve_tv: the compiled plan against the NumPy reference (no peer exists)."""
    from scipy.signal import fftconvolve

    rng = np.random.default_rng(1)
    sharp = test_picture(rng)
    psf = motion_psf()
    image = np.clip(fftconvolve(sharp, psf, mode="same") + rng.normal(0, 0.01, sharp.shape), 0, 1).astype(np.float32)
    table = Table(["prior", "numpy", "cpp", "speed-up", "max |diff|"], "lrrrr")
    for prior in ("tv", "hyper-laplacian"):
        log(f"  deconvolve_tv {prior} ...")
        contenders = {
            backend: (lambda backend=backend: clearsight.deconvolve_tv(
                image, psf, 2e-4, prior=prior, threads=args.threads, backend=backend))
            for backend in ("numpy", "cpp")
        }
        timings = time_round_robin(contenders, repeats=max(1, args.repeats // 2), warmup=1)
        diff = float(np.max(np.abs(contenders["numpy"]() - contenders["cpp"]().astype(np.float64))))
        ratio = timings["numpy"].median_ms / timings["cpp"].median_ms
        table.add(prior, fmt_ms(timings["numpy"].median_ms), fmt_ms(timings["cpp"].median_ms), fmt_ratio(ratio),
                  f"{diff:.2e}")
    return table, []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and pairs")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.repeats = min(args.repeats, 2)
    if skimage_rl is None:
        sys.exit("scikit-image is needed for the comparison")
    backend, _ = _dispatch.resolve("auto", "RichardsonLucyPlan")
    log("Speed at equal iterations ...")
    speed_table, targets = speed(args)
    log("Biggs acceleration against skimage RL-30 ...")
    biggs_table, biggs_targets = acceleration(args)
    tv_table = None
    if "cpp" in clearsight.backends():
        log("deconvolve_tv, cpp against the NumPy reference ...")
        tv_table, _ = tv_speed(args)
    out = []
    for label, value in environment():
        out.append(f"{label}: {value}")
    out.append(f"clearsight {clearsight.__version__}, backend {backend}, threads {args.threads}")
    out.append("")
    out.append(f"Richardson–Lucy, {ITERATIONS} iterations, 720x1280 float32 grey (medians of {args.repeats})")
    out.append(speed_table.render(args.markdown))
    if biggs_table is not None:
        out.append("")
        out.append("Biggs-accelerated RL reaching scikit-image's 30-iteration PSNR (Levin protocol)")
        out.append(biggs_table.render(args.markdown))
    if tv_table is not None:
        out.append("")
        out.append("deconvolve_tv (30 iterations, boundary unknown, weight 2e-4), 720x1280 float32 grey, motion PSF")
        out.append(tv_table.render(args.markdown))
    out.append("")
    out.extend(t.line() for t in targets + biggs_targets)
    print("\n".join(out))


if __name__ == "__main__":
    main()
