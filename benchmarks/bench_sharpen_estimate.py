#!/usr/bin/env python
"""Benchmark clearsight's blur, unsharp mask, noise estimate and sharpness against their peers.

Contenders, all run in this process on the same 720p float32 frames (gray
and RGB), with the same thread count where the peer takes one:

* ``clearsight.gaussian_blur(x, 1.5)`` against ``cv2.GaussianBlur`` (same
  taps: ksize = 2 * round(4 sigma) + 1, ``BORDER_REFLECT``, which repeats
  the edge pixel like ours) and ``scipy.ndimage.gaussian_filter`` (mode
  "reflect", sigma 0 along the channel axis);
* ``clearsight.unsharp_mask(x, 1.5, 1.0)`` against OpenCV
  (``GaussianBlur`` + ``addWeighted(x, 1 + a, blur, -a, 0)`` + an in-place
  clip to [0, 1], the same work) and ``skimage.filters.unsharp_mask``
  (``channel_axis=2`` for RGB);
* ``clearsight.estimate_noise`` against ``skimage.restoration.estimate_sigma``
  (needs PyWavelets; its rows and target are skipped without it);
* ``clearsight.rgb_to_ycbcr`` and ``rgb_to_y`` against ``skimage.color.rgb2ycbcr``
  (RGB only; no target, for information);
* ``clearsight.sharpness`` against ``cv2.Laplacian(..., CV_32F, ksize=1, BORDER_REFLECT).var()`` and
  ``scipy.ndimage.laplace(...).var()`` (no target; for information).

Usage::

    python benchmarks/bench_sharpen_estimate.py [--threads 2] [--repeats 20] [--quick] [--markdown]

Progress goes to stderr; the report (text or Markdown) goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import scipy.ndimage as ndi

import clearsight
from clearsight import _dispatch
from clearsight.color import rgb_to_y, rgb_to_ycbcr
from clearsight.estimate import estimate_noise, sharpness
from clearsight.reference.color import LUMA_WEIGHTS
from clearsight.reference.sharpen import kernel_radius
from clearsight.sharpen import gaussian_blur, unsharp_mask

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
    import cv2
except ImportError:  # optional peer: its rows and targets are skipped
    cv2 = None
try:
    from skimage.filters import unsharp_mask as skimage_unsharp
except ImportError:
    skimage_unsharp = None
try:
    from skimage.color import rgb2ycbcr as skimage_rgb2ycbcr
except ImportError:
    skimage_rgb2ycbcr = None
try:
    import pywt  # noqa: F401  (estimate_sigma imports it)
    from skimage.restoration import estimate_sigma
except ImportError:
    estimate_sigma = None

ROWS, COLS = 720, 1280
SIGMA = 1.5  # gaussian_blur sigma and unsharp_mask radius
AMOUNT = 1.0
WARMUP = 3

TARGET_UNSHARP_VS_OPENCV = 1.0  # opencv time / clearsight time
TARGET_UNSHARP_VS_SKIMAGE = 4.0  # skimage time / clearsight time
TARGET_NOISE_VS_SKIMAGE = 5.0  # estimate_sigma time / estimate_noise time


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def synthetic_frame(channels: int, seed: int = 0) -> np.ndarray:
    """A deterministic float32 720p frame in [0, 1]: shading, blocks and mild noise."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0.0, 1.0, ROWS)[:, None]
    x = np.linspace(0.0, 1.0, COLS)[None, :]
    planes = []
    for c in range(channels):
        shade = 0.45 + 0.2 * np.sin(2 * np.pi * (2 * x + 3 * y + c / 3)) * np.cos(2 * np.pi * (5 * y - x))
        blocks = 0.15 * ((np.floor(x * 16 + c) + np.floor(y * 9)) % 2)
        planes.append(shade + blocks + 0.02 * rng.standard_normal((ROWS, COLS)))
    frame = np.clip(np.stack(planes, axis=-1), 0.0, 1.0).astype(np.float32)
    return frame[..., 0] if channels == 1 else frame


# --------------------------------------------------------------------------
# Peers
# --------------------------------------------------------------------------


def cv2_ksize(sigma: float) -> tuple[int, int]:
    side = 2 * kernel_radius(sigma, 4.0) + 1  # the same taps as ours and scipy's
    return side, side


def cv2_blur(x: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(x, cv2_ksize(SIGMA), SIGMA, sigmaY=SIGMA, borderType=cv2.BORDER_REFLECT)


def cv2_unsharp(x: np.ndarray) -> np.ndarray:
    blurred = cv2.GaussianBlur(x, cv2_ksize(SIGMA), SIGMA, sigmaY=SIGMA, borderType=cv2.BORDER_REFLECT)
    out = cv2.addWeighted(x, 1.0 + AMOUNT, blurred, -AMOUNT, 0.0)
    np.clip(out, 0.0, 1.0, out=out)
    return out


def scipy_blur(x: np.ndarray) -> np.ndarray:
    sigma = (SIGMA, SIGMA) if x.ndim == 2 else (SIGMA, SIGMA, 0.0)
    return ndi.gaussian_filter(x, sigma, mode="reflect", truncate=4.0)


def cv2_sharpness(x: np.ndarray) -> float:
    luma = x if x.ndim == 2 else cv2.transform(x, LUMA_WEIGHTS[None, :].astype(np.float32))
    lap = cv2.Laplacian(luma, cv2.CV_32F, ksize=1, borderType=cv2.BORDER_REFLECT)  # 5-point stencil
    return float(lap.var(dtype=np.float64))


def scipy_sharpness(x: np.ndarray) -> float:
    luma = x if x.ndim == 2 else x @ LUMA_WEIGHTS.astype(np.float32)
    return float(ndi.laplace(luma.astype(np.float64), mode="reflect").var())


def max_abs(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))


# --------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------


def run_case(channels: int, threads: int, repeats: int) -> tuple[dict[str, Timing], list[str]]:
    x = synthetic_frame(channels, seed=channels)
    label = "RGB" if channels == 3 else "gray"
    log(f"  720p {label} float32")
    axis = 2 if channels == 3 else None  # not -1: scikit-image 0.26 issue #7264
    contenders: dict[str, Callable[[], object] | None] = {
        "cs blur": lambda: gaussian_blur(x, SIGMA, threads=threads),
        "cv2 blur": (lambda: cv2_blur(x)) if cv2 else None,
        "scipy blur": lambda: scipy_blur(x),
        "cs unsharp": lambda: unsharp_mask(x, SIGMA, AMOUNT, threads=threads),
        "cv2 unsharp": (lambda: cv2_unsharp(x)) if cv2 else None,
        "skimage unsharp": (lambda: skimage_unsharp(x, radius=SIGMA, amount=AMOUNT, channel_axis=axis))
        if skimage_unsharp else None,
        # The door's default (average=True) against estimate_sigma's averaged form.
        "cs noise": lambda: estimate_noise(x, threads=threads),
        "skimage noise": (lambda: estimate_sigma(x, channel_axis=-1 if channels == 3 else None,
                                                 average_sigmas=channels == 3))
        if estimate_sigma else None,
        "cs sharpness": lambda: sharpness(x, threads=threads),
        "cv2 sharpness": (lambda: cv2_sharpness(x)) if cv2 else None,
        "scipy sharpness": lambda: scipy_sharpness(x),
        "cs ycbcr": (lambda: rgb_to_ycbcr(x, threads=threads)) if channels == 3 else None,
        "skimage ycbcr": (lambda: skimage_rgb2ycbcr(x)) if channels == 3 and skimage_rgb2ycbcr else None,
        "cs y": (lambda: rgb_to_y(x, threads=threads)) if channels == 3 else None,
    }
    active = {name: call for name, call in contenders.items() if call is not None}
    timings = time_round_robin(active, repeats, WARMUP)

    checks = []
    ours = gaussian_blur(x, SIGMA)
    if cv2:
        checks.append(f"720p {label}: max |gaussian_blur - cv2.GaussianBlur(BORDER_REFLECT)| = {max_abs(ours, cv2_blur(x)):.1e}")
    checks.append(f"720p {label}: max |gaussian_blur - scipy gaussian_filter| = {max_abs(ours, scipy_blur(x)):.1e}")
    ours = unsharp_mask(x, SIGMA, AMOUNT)
    if cv2:
        checks.append(f"720p {label}: max |unsharp_mask - OpenCV GaussianBlur+addWeighted+clip| = {max_abs(ours, cv2_unsharp(x)):.1e}")
    if skimage_unsharp:
        theirs = skimage_unsharp(x, radius=SIGMA, amount=AMOUNT, channel_axis=axis)
        checks.append(f"720p {label}: max |unsharp_mask - skimage unsharp_mask| = {max_abs(ours, theirs):.1e}")
    if estimate_sigma:
        mine = estimate_noise(x, average=False)
        theirs = np.atleast_1d(estimate_sigma(x, channel_axis=-1 if channels == 3 else None))
        checks.append(f"720p {label}: max relative |estimate_noise - estimate_sigma| = "
                      f"{float(np.max(np.abs(mine - theirs) / theirs)):.1e} (sigma {np.round(mine, 5).tolist()})")
    if channels == 3 and skimage_rgb2ycbcr:
        checks.append(f"720p {label}: max |255 rgb_to_ycbcr - skimage rgb2ycbcr| = "
                      f"{max_abs(255.0 * rgb_to_ycbcr(x).astype(np.float64), skimage_rgb2ycbcr(x)):.1e}")
    mine, theirs = sharpness(x), scipy_sharpness(x)
    checks.append(f"720p {label}: sharpness relative difference to scipy laplace().var() = {abs(mine - theirs) / theirs:.1e}")
    return timings, checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="threads for clearsight and OpenCV (default 2)")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs per contender (default 20)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 5 repeats")
    parser.add_argument("--markdown", action="store_true", help="print the report as Markdown")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 5
    if args.threads < 1 or args.repeats < 1:
        parser.error("--threads and --repeats must be >= 1")

    clearsight.backends()  # load the compiled core before timing
    if cv2 is not None:
        cv2.setNumThreads(args.threads)
    start_load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    env = environment(("numpy", "scipy", "scikit-image", "opencv-python-headless", "PyWavelets"))  # load at start
    started = time.perf_counter()
    log(f"bench_sharpen_estimate: threads={args.threads} repeats={args.repeats}")

    table = Table(["case", "operation", "clearsight ms", "min", "peer", "peer ms", "peer min", "peer/cs"], "llrrlrrr")
    results: dict[str, dict[str, Timing]] = {}
    checks: list[str] = []
    for channels in (1, 3):
        case = f"720p {'RGB' if channels == 3 else 'gray'} float32"
        timings, case_checks = run_case(channels, args.threads, args.repeats)
        results[case] = timings
        checks += case_checks
        rows = [
            ("gaussian_blur(1.5)", "cs blur", [("cv2.GaussianBlur", "cv2 blur"), ("scipy.ndimage.gaussian_filter", "scipy blur")]),
            ("unsharp_mask(1.5, 1.0)", "cs unsharp", [("OpenCV GaussianBlur+addWeighted+clip", "cv2 unsharp"),
                                                      ("skimage.filters.unsharp_mask", "skimage unsharp")]),
            ("estimate_noise", "cs noise", [("skimage.restoration.estimate_sigma", "skimage noise")]),
            ("sharpness", "cs sharpness", [("cv2.Laplacian(CV_32F, ksize=1).var()", "cv2 sharpness"),
                                           ("scipy.ndimage.laplace().var()", "scipy sharpness")]),
            ("rgb_to_ycbcr", "cs ycbcr", [("skimage.color.rgb2ycbcr", "skimage ycbcr")]),
            ("rgb_to_y", "cs y", [("skimage.color.rgb2ycbcr", "skimage ycbcr")]),
        ]
        for operation, mine_key, peers in rows:
            if mine_key not in timings:
                continue  # colour conversions: RGB only
            mine = timings[mine_key]
            for peer_label, peer_key in peers:
                peer = timings.get(peer_key)
                table.add(case, operation, fmt_ms(mine.median_ms), fmt_ms(mine.min_ms), peer_label,
                          fmt_ms(peer.median_ms) if peer else "n/a", fmt_ms(peer.min_ms) if peer else "n/a",
                          fmt_ratio(peer.median_ms / mine.median_ms) if peer else "SKIP (peer missing)")
    elapsed = time.perf_counter() - started

    def ratio(case: str, peer: str, mine: str) -> float | None:
        timings = results[case]
        return timings[peer].median_ms / timings[mine].median_ms if peer in timings else None

    t = args.threads
    targets = []
    for case in results:
        targets += [
            Target(f"{case} unsharp_mask vs OpenCV, {t} threads: opencv/clearsight",
                   ratio(case, "cv2 unsharp", "cs unsharp"), TARGET_UNSHARP_VS_OPENCV, at_least=True),
            Target(f"{case} unsharp_mask vs skimage, {t} threads: skimage/clearsight",
                   ratio(case, "skimage unsharp", "cs unsharp"), TARGET_UNSHARP_VS_SKIMAGE, at_least=True),
            Target(f"{case} estimate_noise vs estimate_sigma, {t} threads: skimage/clearsight",
                   ratio(case, "skimage noise", "cs noise"), TARGET_NOISE_VS_SKIMAGE, at_least=True),
        ]

    backends = {op: _dispatch.resolve("auto", op)[0] for op in ("gaussian_blur", "unsharp_mask", "estimate_noise", "sharpness", "rgb_to_ycbcr")}
    command = "python benchmarks/bench_sharpen_estimate.py " + " ".join(sys.argv[1:] if argv is None else argv)
    settings = [
        ("command", command.strip()),
        *env,
        ("clearsight", f"{clearsight.__version__}; backend per operation: "
                       + ", ".join(f"{op} {name!r}" for op, name in backends.items())),
        ("threads", f"{t} (clearsight threads=, cv2.setNumThreads); scipy, scikit-image and the NumPy reference are single-threaded"),
        ("timing", f"time.perf_counter, {WARMUP} warm-up calls, median (and min) of {args.repeats} runs, "
                   "contenders of one frame interleaved round robin"),
        ("frames", f"{ROWS}x{COLS} float32 in [0, 1], gray and RGB; sigma/radius {SIGMA}, amount {AMOUNT}"),
        ("load average at end", load_average() + " (includes this run)"),
        ("wall time", f"{elapsed:.0f} s"),
    ]
    notes = [
        "peer/cs: peer median / clearsight median; above 1 means clearsight is faster.",
        "OpenCV is given the same taps (ksize = 2 * round(4 sigma) + 1) and BORDER_REFLECT, so it computes the same blur.",
        "The OpenCV unsharp peer clips in place with NumPy after addWeighted, to do the same work as clearsight (clip=True).",
        "estimate_noise and estimate_sigma: timed as the door's default, the mean over the RGB channels "
        "(estimate_sigma(..., channel_axis=-1, average_sigmas=True)); checked per channel; "
        "skipped when PyWavelets is not importable.",
        "While a kernel has no compiled implementation, clearsight runs its NumPy reference (float64, one thread).",
    ]
    cores = available_cores()
    if start_load is not None and start_load > 0.5 * cores:
        notes.insert(0, f"WARNING: the machine was busy at the start (1-minute load {start_load:.2f} on {cores} cores).")

    out = []
    if args.markdown:
        out.append("### Setup\n")
        out += [f"- **{k}**: `{v}`" if k == "command" else f"- **{k}**: {v}" for k, v in settings]
        out += ["\n### Timings (ms)\n", table.render_markdown(), "\n### Targets\n"]
        out += [f"- **{tg.status}** {tg.line()[6:]}" for tg in targets]
        out += ["\n### Agreement checks\n"] + [f"- {c}" for c in checks]
        out += ["\n### Notes\n"] + [f"- {n}" for n in notes]
    else:
        width = max(len(k) for k, _ in settings)
        out.append("clearsight sharpen/estimate benchmark")
        out += [f"  {k.ljust(width)} : {v}" for k, v in settings]
        out += ["", "Timings (ms)", table.render_text()]
        out += ["", "Targets"] + [tg.line() for tg in targets]
        out += ["", "Agreement checks"] + [f"  {c}" for c in checks]
        out += ["", "Notes"] + [f"  - {n}" for n in notes]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
