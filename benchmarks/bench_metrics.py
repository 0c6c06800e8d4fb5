#!/usr/bin/env python
"""Benchmark clearsight's full-reference metrics (psnr, ssim) against their peers.

Contenders, run in this process on the same 720p arrays:

* ``clearsight.metrics.ssim(x, y)`` with the backend ``"auto"`` picks for
  ``ssim`` (the report says which: the C++ kernel where it is built), against
  ``skimage.metrics.structural_similarity(x, y, gaussian_weights=True,
  sigma=1.5, use_sample_covariance=False, data_range=...)`` and against the
  usual OpenCV recipe: ``cv2.GaussianBlur(·, (11, 11), 1.5)`` on the five
  maps (x, y, x², y², xy), the SSIM formula in NumPy, the mean over the map
  without its 5-pixel border; timed as it is usually written, in float64,
  and in float32 (OpenCV's own tutorial);
* ``clearsight.metrics.psnr(x, y)`` against
  ``skimage.metrics.peak_signal_noise_ratio(x, y, data_range=...)``.

Inputs: scikit-image's astronaut picture resized to 720×1280 (the reference)
and a noisy copy (σ = 10/255, seeded): uint8 grey (BT.601 luma, the usual SR
evaluation input), uint8 RGB and float32 RGB in [0, 1].

Usage::

    python benchmarks/bench_metrics.py [--threads 2] [--repeats 5] [--quick] [--markdown]

Progress goes to stderr; the report (text or Markdown) goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

import clearsight
from clearsight import _dispatch
from clearsight.metrics import psnr, ssim

from _common import (
    Table,
    Target,
    Timing,
    available_cores,
    environment,
    fmt_ms,
    fmt_ratio,
    load_average,
    time_round_robin,
)

try:
    from skimage import data as skimage_data
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity
    from skimage.transform import resize
except ImportError:  # the peer is needed for the inputs and the comparison
    structural_similarity = None

try:
    import cv2
except ImportError:
    cv2 = None

ROWS, COLS = 720, 1280
NOISE = 10 / 255
WARMUP = 1
# Issue 6's targets at 720p, 2 threads: peer time / clearsight time.
TARGET_SSIM_VS_SKIMAGE = 8.0
TARGET_SSIM_VS_OPENCV = 2.5
TARGET_PSNR_VS_SKIMAGE = 3.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def inputs(seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
    """(reference, test, data_range) per case."""
    clean = resize(skimage_data.astronaut() / 255.0, (ROWS, COLS), order=1, anti_aliasing=True)
    rng = np.random.default_rng(seed)
    noisy = np.clip(clean + NOISE * rng.standard_normal(clean.shape), 0.0, 1.0)
    luma = np.array([0.299, 0.587, 0.114])
    to_u8 = lambda x: np.round(255 * x).astype(np.uint8)  # noqa: E731
    return {
        "grey uint8": (to_u8(clean @ luma), to_u8(noisy @ luma), 255.0),
        "RGB uint8": (to_u8(clean), to_u8(noisy), 255.0),
        "RGB float32": (clean.astype(np.float32), noisy.astype(np.float32), 1.0),
    }


def opencv_ssim(x: np.ndarray, y: np.ndarray, data_range: float, dtype: type) -> float:
    """The usual OpenCV SSIM recipe: GaussianBlur on the five maps, per channel, border cropped."""
    x = x.astype(dtype)
    y = y.astype(dtype)
    c1 = (0.01 * data_range) ** 2
    c2 = (0.03 * data_range) ** 2
    blur = lambda z: cv2.GaussianBlur(z, (11, 11), 1.5)[5:-5, 5:-5]  # noqa: E731
    mu_x, mu_y = blur(x), blur(y)
    mu_xx, mu_yy, mu_xy = mu_x * mu_x, mu_y * mu_y, mu_x * mu_y
    var_x = blur(x * x) - mu_xx
    var_y = blur(y * y) - mu_yy
    cov = blur(x * y) - mu_xy
    ssim_map = ((2 * mu_xy + c1) * (2 * cov + c2)) / ((mu_xx + mu_yy + c1) * (var_x + var_y + c2))
    return float(ssim_map.mean(dtype=np.float64))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="threads= for clearsight (default 2, as the target)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per contender, >= 5 to record (default 5)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 repeats, not for recording")
    parser.add_argument("--markdown", action="store_true", help="print the report as Markdown")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 2
    if args.threads < 1 or args.repeats < 1:
        parser.error("--threads and --repeats must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if structural_similarity is None:
        print("scikit-image is not installed: it is the peer and the source of the input picture", file=sys.stderr)
        return 1
    clearsight.backends()  # loads the compiled core (an editable install may rebuild it) before any timing
    ssim_backend, _ = _dispatch.resolve("auto", "ssim")
    psnr_backend, _ = _dispatch.resolve("auto", "psnr")
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):
        busy = None
    started = time.perf_counter()
    env = environment(("numpy", "scipy", "scikit-image", "opencv-python-headless"))
    cases = inputs()
    t = args.threads

    table = Table(["case", "metric", "contender", "ms", "min", "peer/cs", "value", "|diff|"], "lllrrrrr")
    ratios: dict[tuple[str, str], float] = {}
    for name, (x, y, peak) in cases.items():
        axis = -1 if x.ndim == 3 else None
        ssim_contenders = {
            f"clearsight ssim ({ssim_backend})": lambda x=x, y=y: ssim(x, y, threads=t),
            "skimage structural_similarity": lambda x=x, y=y, axis=axis, peak=peak: structural_similarity(
                x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=peak,
                channel_axis=axis),
        }
        if cv2 is not None:
            ssim_contenders["OpenCV recipe float64"] = lambda x=x, y=y, peak=peak: opencv_ssim(x, y, peak, np.float64)
            ssim_contenders["OpenCV recipe float32"] = lambda x=x, y=y, peak=peak: opencv_ssim(x, y, peak, np.float32)
        psnr_contenders = {
            f"clearsight psnr ({psnr_backend})": lambda x=x, y=y: psnr(x, y, threads=t),
            "skimage peak_signal_noise_ratio": lambda x=x, y=y, peak=peak: peak_signal_noise_ratio(
                x, y, data_range=peak),
        }
        for metric, contenders in (("ssim", ssim_contenders), ("psnr", psnr_contenders)):
            repeats = args.repeats if metric == "ssim" else 4 * args.repeats  # psnr takes milliseconds
            log(f"  720p {name} {metric}: {WARMUP} warm-up + {repeats} timed runs of {', '.join(contenders)}")
            timings: dict[str, Timing] = time_round_robin(contenders, repeats, WARMUP)
            names = list(contenders)
            ours = float(contenders[names[0]]())
            mine = timings[names[0]]
            for label in names:
                value = ours if label == names[0] else float(contenders[label]())
                ratio = timings[label].median_ms / mine.median_ms
                if label != names[0]:
                    ratios[(name, label)] = ratio
                table.add(f"720p {name}", metric, label, fmt_ms(timings[label].median_ms),
                          fmt_ms(timings[label].min_ms), "" if label == names[0] else fmt_ratio(ratio),
                          f"{value:.8f}", "" if label == names[0] else f"{abs(value - ours):.1e}")
    elapsed = time.perf_counter() - started

    targets = []
    for name in cases:
        targets.append(Target(f"720p {name} ssim vs skimage structural_similarity, {t} threads",
                              ratios.get((name, "skimage structural_similarity")), TARGET_SSIM_VS_SKIMAGE, True))
        targets.extend(Target(f"720p {name} ssim vs OpenCV recipe {precision}, {t} threads",
                              ratios.get((name, f"OpenCV recipe {precision}")), TARGET_SSIM_VS_OPENCV, True)
                       for precision in ("float64", "float32"))
        targets.append(Target(f"720p {name} psnr vs skimage peak_signal_noise_ratio, {t} threads",
                              ratios.get((name, "skimage peak_signal_noise_ratio")), TARGET_PSNR_VS_SKIMAGE, True))

    command = "python benchmarks/bench_metrics.py " + " ".join(sys.argv[1:] if argv is None else argv)
    settings = [
        ("command", command.strip()),
        *env,
        ("clearsight", f"{clearsight.__version__}, ssim backend {ssim_backend!r}, psnr backend {psnr_backend!r} "
                       f"(available: {', '.join(clearsight.backends())})"),
        ("threads", f"{t} (clearsight threads=); the NumPy reference, skimage and the recipe's NumPy part are "
                    "single-threaded (cv2.GaussianBlur uses OpenCV's own threads)"),
        ("timing", f"time.perf_counter, {WARMUP} warm-up call, median (and min) of {args.repeats} runs "
                   f"({4 * args.repeats} for psnr), contenders interleaved round robin, gc off"),
        ("input", f"skimage astronaut resized to {ROWS}x{COLS} and a copy + N(0, (10/255)^2), clipped; "
                  "grey = BT.601 luma; uint8 rounded"),
        ("load average at end", load_average() + " (includes this run)"),
        ("wall time", f"{elapsed:.0f} s"),
    ]
    notes = [
        "peer/cs: peer median / clearsight median; above 1 means clearsight is faster.",
        "|diff|: |peer value - clearsight value|. skimage computes float32 input in float32 and the "
        "float32 OpenCV recipe is float32 throughout; clearsight always computes in float64.",
        "ssim and psnr run on the compiled kernels when the backend column says cpp; psnr on float images "
        "without a data_range checks their [0, 1] range inside the kernel (psnr_unit_range).",
    ]
    cores = available_cores()
    if busy is not None and busy > 0.5 * cores:
        warning = (f"WARNING: the machine was busy when this run started (1-minute load {busy:.2f} on {cores} cores): "
                   "timings are noisier and slower.")
        notes.insert(0, warning)
        log(warning)
    if args.repeats < 5:
        notes.insert(0, f"Only {args.repeats} timed runs (--quick): a smoke run, not for recording.")

    out = []
    if args.markdown:
        out.append("### Setup\n")
        out += [f"- **{label}**: `{value}`" if label == "command" else f"- **{label}**: {value}"
                for label, value in settings]
        out += ["\n### Timings (ms)\n", table.render_markdown(), "\n### Targets\n"]
        out += [f"- **{tgt.status}** {tgt.line()[6:]}" for tgt in targets]
        out += ["\n### Notes\n"] + [f"- {note}" for note in notes]
    else:
        width = max(len(label) for label, _ in settings)
        out.append("clearsight metrics benchmark")
        out += [f"  {label.ljust(width)} : {value}" for label, value in settings]
        out += ["", "Timings (ms)", table.render_text()]
        out += ["", "Targets"] + [tgt.line() for tgt in targets]
        out += ["", "Notes"] + [f"  - {note}" for note in notes]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
