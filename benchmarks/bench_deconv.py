#!/usr/bin/env python
"""Benchmark clearsight's Wiener deconvolution against its peers.

Contenders, all run in this process on the same input arrays:

* clearsight: a planned ``Deconvolver`` (plan built once, timed per call) and
  the one-shot ``clearsight.wiener`` (plan built inside every call);
* ``skimage.restoration.wiener`` (single-threaded; RGB by looping over the
  channels, since it has no channel axis for a 2-D PSF);
* a cached Wiener filter on ``scipy.fft`` (filter computed once on the image
  grid, periodic like scikit-image; timed: ``irfft2(rfft2(x) * F)``), which is
  what a careful NumPy/SciPy user writes;
* the floor: one ``scipy.fft.rfft2`` + ``irfft2`` of the same array;
* the NumPy reference ``clearsight.reference.wiener`` (float64, one thread;
  slow, so 3 runs only).

Usage::

    python benchmarks/bench_deconv.py [--threads 2] [--repeats 20]
                                      [--sizes 720p,1080p] [--quick] [--markdown]

Progress goes to stderr; the report (text or Markdown) goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import scipy.fft

import clearsight
from clearsight import reference

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
    from skimage.restoration import wiener as skimage_wiener
except ImportError:  # the peer is optional; its rows and targets are then skipped
    skimage_wiener = None

SIZES = {"720p": (720, 1280), "1080p": (1080, 1920)}
BALANCE = 0.01
# scikit-image's regulariser: with periodic borders clearsight then computes
# the same filter as skimage.restoration.wiener, so the two do the same work.
REGULARIZER = "laplacian"
WARMUP = 3
REFERENCE_REPEATS = 3
REFERENCE_WARMUP = 1

# Targets (720p, threads as given on the command line; stated for 2 threads).
TARGET_VS_SKIMAGE = 5.0  # Deconvolver, gray float32: skimage time / clearsight time
TARGET_VS_FLOOR = 1.25  # Deconvolver, gray float32: clearsight time / floor time
TARGET_ONESHOT_RGB = 4.0  # one-shot wiener, RGB float32, reflect: skimage / clearsight
TARGET_FPS_U8_RGB = 80.0  # Deconvolver, uint8 RGB, reflect: frames per second


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


def benchmark_psf() -> tuple[np.ndarray, str]:
    """A 15-pixel, 30-degree motion PSF, or a 15x15 box where psf.motion is missing."""
    motion = getattr(getattr(clearsight, "psf", None), "motion", None)
    if motion is not None:
        psf = np.asarray(motion(15, 30), dtype=np.float64)
        return psf, f"clearsight.psf.motion(15, 30), {psf.shape[0]}x{psf.shape[1]}"
    return np.full((15, 15), 1.0 / 225.0), "normalised 15x15 box (clearsight.psf.motion unavailable)"


def synthetic_frame(rows: int, cols: int, channels: int, seed: int = 0) -> np.ndarray:
    """A deterministic float64 frame in [0, 1]: smooth shading, a few edges and mild noise."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0.0, 1.0, rows)[:, None]
    x = np.linspace(0.0, 1.0, cols)[None, :]
    planes = []
    for c in range(channels):
        shade = 0.45 + 0.2 * np.sin(2 * np.pi * (2 * x + 3 * y + c / 3)) * np.cos(2 * np.pi * (5 * y - x))
        blocks = 0.15 * ((np.floor(x * 16 + c) + np.floor(y * 9)) % 2)
        planes.append(shade + blocks + 0.03 * rng.standard_normal((rows, cols)))
    frame = np.clip(np.stack(planes, axis=-1), 0.0, 1.0)
    return frame[..., 0] if channels == 1 else frame


def to_uint8(values: np.ndarray) -> np.ndarray:
    """[0, 1] floats to uint8, clipped and rounded half up (in place on `values`)."""
    np.clip(values, 0.0, 1.0, out=values)
    values *= 255
    values += 0.5
    return values.astype(np.uint8)


# --------------------------------------------------------------------------
# Peers
# --------------------------------------------------------------------------


def cached_filter(psf: np.ndarray, shape: tuple[int, int], balance: float, regularizer: str, dtype) -> np.ndarray:
    """``conj(H) / (|H|^2 + balance |R|^2)`` on the real-FFT grid of `shape`, periodic.

    The PSF's centre sample ``(kh // 2, kw // 2)`` goes to the origin, as in
    scikit-image. R is 1 or the 5-point Laplacian. Returned as complex64 for
    float32 images, complex128 otherwise.
    """
    kh, kw = psf.shape
    grid = np.zeros(shape)
    grid[:kh, :kw] = psf / psf.sum()
    grid = np.roll(grid, (-(kh // 2), -(kw // 2)), axis=(0, 1))
    otf = scipy.fft.rfft2(grid)
    if regularizer == "laplacian":
        stencil = np.zeros(shape)
        stencil[0, 0] = 4.0
        stencil[1, 0] = stencil[-1, 0] = stencil[0, 1] = stencil[0, -1] = -1.0
        reg_power = np.abs(scipy.fft.rfft2(stencil)) ** 2
    else:
        reg_power = 1.0
    filt = np.conj(otf) / (np.abs(otf) ** 2 + balance * reg_power)
    return filt.astype(np.complex64 if np.dtype(dtype) == np.float32 else np.complex128)


def cached_scipy_peer(filt: np.ndarray, shape: tuple[int, int], channels: int, workers: int) -> Callable:
    """The per-frame step of the cached Wiener: ``irfft2(rfft2(x) * F)`` over axes (0, 1)."""
    f = filt if channels == 1 else filt[:, :, None]

    def run(x: np.ndarray) -> np.ndarray:
        spectrum = scipy.fft.rfft2(x, axes=(0, 1), workers=workers)
        spectrum *= f
        return scipy.fft.irfft2(spectrum, s=shape, axes=(0, 1), workers=workers)

    return run


def floor_peer(shape: tuple[int, int], workers: int) -> Callable:
    """One forward and one inverse real FFT of the array over axes (0, 1): the least any FFT filter costs."""

    def run(x: np.ndarray) -> np.ndarray:
        return scipy.fft.irfft2(scipy.fft.rfft2(x, axes=(0, 1), workers=workers), s=shape, axes=(0, 1), workers=workers)

    return run


def skimage_peer(psf: np.ndarray, channels: int) -> Callable | None:
    """skimage.restoration.wiener, looping over channels for RGB (it has no channel axis for a 2-D PSF)."""
    if skimage_wiener is None:
        return None
    if channels == 1:
        return lambda x: skimage_wiener(x, psf, BALANCE)
    return lambda x: np.stack([skimage_wiener(x[..., c], psf, BALANCE) for c in range(channels)], axis=-1)


# --------------------------------------------------------------------------
# Collecting results
# --------------------------------------------------------------------------


@dataclass
class Report:
    threads: int
    repeats: int
    markdown: bool
    main: Table = field(
        default_factory=lambda: Table(
            ["case", "clearsight", "ms", "min", "peer", "peer ms", "peer min", "peer/cs", "frames/s"],
            "llrrlrrrr",
        )
    )
    stages: Table = field(
        default_factory=lambda: Table(["case", "stage", "ms", "min", "note"], "llrrl")
    )
    checks: list[str] = field(default_factory=list)
    timings: dict[tuple[str, str], Timing] = field(default_factory=dict)
    backend: str = "?"

    def compare(self, case: str, label: str, mine: Timing, peers: list[tuple[str, Timing | None]], fps: bool = False) -> None:
        first = True
        for peer_label, peer in peers:
            if peer is None:
                continue
            self.main.add(
                case,
                label,
                fmt_ms(mine.median_ms),
                fmt_ms(mine.min_ms),
                peer_label,
                fmt_ms(peer.median_ms),
                fmt_ms(peer.min_ms),
                fmt_ratio(peer.median_ms / mine.median_ms),
                f"{mine.per_second:.1f}" if fps and first else "",
            )
            first = False

    def stage(self, case: str, stage: str, timing: Timing | float, note: str = "") -> None:
        if isinstance(timing, Timing):
            self.stages.add(case, stage, fmt_ms(timing.median_ms), fmt_ms(timing.min_ms), note)
        else:
            self.stages.add(case, stage, fmt_ms(timing), "", note)

    def ms(self, case: str, name: str) -> float | None:
        timing = self.timings.get((case, name))
        return None if timing is None else timing.median_ms


def describe(size: str, colour: str, dtype, boundary: str) -> str:
    return f"{size} {colour} {np.dtype(dtype).name} {boundary}"


def max_abs(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))


# --------------------------------------------------------------------------
# Benchmark groups (one group = one input array, contenders timed round robin)
# --------------------------------------------------------------------------


def bench_gray_float(report: Report, size: str, psf: np.ndarray, dtype, with_oneshot: bool, check: bool) -> None:
    rows, cols = SIZES[size]
    t = report.threads
    x = synthetic_frame(rows, cols, 1).astype(dtype)
    name = np.dtype(dtype).name
    log(f"  {size} gray {name}")

    def make(boundary: str, **kw):
        return clearsight.Deconvolver(psf, x.shape, balance=BALANCE, regularizer=REGULARIZER, boundary=boundary,
                                      dtype=dtype, threads=t, **kw)

    periodic, reflect = make("periodic"), make("reflect")
    report.backend = reflect.backend
    padded = reflect.padded_shape
    x_padded = synthetic_frame(*padded, 1).astype(dtype)
    floor = floor_peer((rows, cols), t)
    floor_padded = floor_peer(padded, t)
    floor_one = floor_peer((rows, cols), 1)
    cached = cached_scipy_peer(cached_filter(psf, (rows, cols), BALANCE, REGULARIZER, dtype), (rows, cols), 1, t)
    sk = skimage_peer(psf, 1)

    contenders: dict[str, Callable[[], object]] = {
        "deconv periodic": lambda: periodic(x),
        "deconv reflect": lambda: reflect(x),
        "skimage": (lambda: sk(x)) if sk else None,
        "cached": lambda: cached(x),
        "floor": lambda: floor(x),
    }
    if with_oneshot:
        contenders.update({
            "wiener reflect": lambda: clearsight.wiener(x, psf, BALANCE, regularizer=REGULARIZER, boundary="reflect", threads=t),
            "constructor reflect": lambda: make("reflect"),
            "floor padded": lambda: floor_padded(x_padded),
            "floor 1 worker": lambda: floor_one(x),
        })
    contenders = {k: v for k, v in contenders.items() if v is not None}
    result = time_round_robin(contenders, report.repeats, WARMUP)
    for key, timing in result.items():
        report.timings[(f"{size} gray {name}", key)] = timing

    peers = [
        ("skimage wiener (1 thread, periodic)", result.get("skimage")),
        (f"cached scipy Wiener (workers={t})", result["cached"]),
        (f"floor rfft2+irfft2 (workers={t})", result["floor"]),
    ]
    report.compare(describe(size, "gray", dtype, "periodic"), "Deconvolver", result["deconv periodic"], peers)
    report.compare(describe(size, "gray", dtype, "reflect"), "Deconvolver", result["deconv reflect"], peers)
    if with_oneshot:
        report.compare(describe(size, "gray", dtype, "reflect"), "wiener() one-shot", result["wiener reflect"], peers[:1])
        case = describe(size, "gray", dtype, "reflect")
        ctor, call = result["constructor reflect"], result["deconv reflect"]
        report.stage(case, "Deconvolver(...) constructor", ctor, "plan: PSF transfer function, filter, FFT plans")
        report.stage(case, "Deconvolver call", call, f"FFT grid {padded[0]}x{padded[1]} (image {rows}x{cols})")
        report.stage(case, "constructor + call", ctor.median_ms + call.median_ms, "sum of the two medians")
        report.stage(case, "wiener() one-shot", result["wiener reflect"], "measured")
        report.stage(case, f"floor on the image grid {rows}x{cols}", result["floor"],
                     f"call / floor = {call.median_ms / result['floor'].median_ms:.2f}")
        report.stage(case, f"floor on the reflect grid {padded[0]}x{padded[1]}", result["floor padded"],
                     f"call / floor = {call.median_ms / result['floor padded'].median_ms:.2f}")
        report.stage(case, "floor on the image grid, workers=1", result["floor 1 worker"],
                     f"scipy.fft speed-up from workers={t}: {result['floor 1 worker'].median_ms / result['floor'].median_ms:.2f}x")
        if "skimage" in result:
            report.stage(case, "skimage wiener (periodic)", result["skimage"],
                         f"skimage / floor = {result['skimage'].median_ms / result['floor'].median_ms:.2f}: "
                         f"what a filter running exactly at the floor would gain on skimage")
        report.stage(describe(size, "gray", dtype, "periodic"), "Deconvolver call", result["deconv periodic"],
                     f"call / floor = {result['deconv periodic'].median_ms / result['floor'].median_ms:.2f}")

    if check:
        # Same work as the peers? Compare outputs once, unclipped.
        mine = make("periodic", clip=False)(x)
        cached_out = cached(x)
        report.checks.append(f"{size} gray {name}: max |Deconvolver(periodic, clip=False) - cached scipy| = {max_abs(mine, cached_out):.2e}")
        if skimage_wiener is not None:
            theirs = skimage_wiener(x, psf, BALANCE, clip=False)
            report.checks.append(f"{size} gray {name}: max |Deconvolver(periodic, clip=False) - skimage(clip=False)| = {max_abs(mine, theirs):.2e}")


def bench_rgb_float(report: Report, size: str, psf: np.ndarray) -> None:
    rows, cols = SIZES[size]
    t = report.threads
    x = synthetic_frame(rows, cols, 3, seed=1).astype(np.float32)
    log(f"  {size} RGB float32")

    def make():
        return clearsight.Deconvolver(psf, x.shape, balance=BALANCE, regularizer=REGULARIZER, boundary="reflect",
                                      dtype=np.float32, threads=t)

    reflect = make()
    floor = floor_peer((rows, cols), t)
    cached = cached_scipy_peer(cached_filter(psf, (rows, cols), BALANCE, REGULARIZER, np.float32), (rows, cols), 3, t)
    sk = skimage_peer(psf, 3)
    contenders = {
        "wiener reflect": lambda: clearsight.wiener(x, psf, BALANCE, regularizer=REGULARIZER, boundary="reflect", threads=t),
        "deconv reflect": lambda: reflect(x),
        "constructor reflect": make,
        "skimage": (lambda: sk(x)) if sk else None,
        "cached": lambda: cached(x),
        "floor": lambda: floor(x),
    }
    contenders = {k: v for k, v in contenders.items() if v is not None}
    result = time_round_robin(contenders, report.repeats, WARMUP)
    for key, timing in result.items():
        report.timings[(f"{size} RGB float32", key)] = timing

    case = describe(size, "RGB", np.float32, "reflect")
    sk_label = "skimage wiener x3 channels (1 thread, periodic)"
    report.compare(case, "wiener() one-shot", result["wiener reflect"], [(sk_label, result.get("skimage"))])
    report.compare(case, "Deconvolver", result["deconv reflect"], [
        (sk_label, result.get("skimage")),
        (f"cached scipy Wiener (workers={t})", result["cached"]),
        (f"floor rfft2+irfft2 axes (0,1) (workers={t})", result["floor"]),
    ])
    ctor, call = result["constructor reflect"], result["deconv reflect"]
    report.stage(case, "Deconvolver(...) constructor", ctor, "one plan: the PSF is shared by the 3 channels")
    report.stage(case, "Deconvolver call", call, "3 planes")
    report.stage(case, "constructor + call", ctor.median_ms + call.median_ms, "sum of the two medians")
    report.stage(case, "wiener() one-shot", result["wiener reflect"], "measured")


def bench_rgb_uint8(report: Report, size: str, psf: np.ndarray) -> None:
    rows, cols = SIZES[size]
    t = report.threads
    unit = synthetic_frame(rows, cols, 3, seed=2)
    x = to_uint8(unit.copy())
    x_float = x.astype(np.float32) / 255  # for the floor only: FFTs, no conversion
    log(f"  {size} RGB uint8")

    def make():
        return clearsight.Deconvolver(psf, x.shape, balance=BALANCE, regularizer=REGULARIZER, boundary="reflect",
                                      dtype=np.uint8, threads=t)

    deconv = make()
    out = np.empty_like(x)
    floor = floor_peer((rows, cols), t)
    cached = cached_scipy_peer(cached_filter(psf, (rows, cols), BALANCE, REGULARIZER, np.float32), (rows, cols), 3, t)
    sk = skimage_peer(psf, 3)
    contenders = {
        "deconv reflect": lambda: deconv(x),
        "deconv reflect out": lambda: deconv(x, out=out),
        "constructor reflect": make,
        "skimage": (lambda: to_uint8(sk(x.astype(np.float32) * np.float32(1 / 255)))) if sk else None,
        "cached": lambda: to_uint8(cached(x.astype(np.float32) * np.float32(1 / 255))),
        "floor": lambda: floor(x_float),
    }
    contenders = {k: v for k, v in contenders.items() if v is not None}
    result = time_round_robin(contenders, report.repeats, WARMUP)
    for key, timing in result.items():
        report.timings[(f"{size} RGB uint8", key)] = timing

    case = describe(size, "RGB", np.uint8, "reflect")
    report.compare(case, "Deconvolver", result["deconv reflect"], [
        ("skimage wiener x3 channels + uint8<->float (1 thread)", result.get("skimage")),
        (f"cached scipy Wiener + uint8<->float (workers={t})", result["cached"]),
        (f"floor rfft2+irfft2 axes (0,1) of a float32 copy (workers={t})", result["floor"]),
    ], fps=True)
    call, floor_t = result["deconv reflect"], result["floor"]
    report.stage(case, "Deconvolver(...) constructor", result["constructor reflect"])
    report.stage(case, "Deconvolver call", call, f"{call.per_second:.1f} frames/s")
    report.stage(case, "Deconvolver call, out= given", result["deconv reflect out"],
                 f"{result['deconv reflect out'].per_second:.1f} frames/s")
    report.stage(case, "floor (3 planes, image grid)", floor_t,
                 f"{floor_t.per_second:.1f} frames/s if FFTs were all the work")


def bench_reference(report: Report, size: str, psf: np.ndarray, repeats: int) -> None:
    rows, cols = SIZES[size]
    x = synthetic_frame(rows, cols, 1).astype(np.float32)
    log(f"  {size} gray float32: NumPy reference ({repeats} runs)")
    result = time_round_robin(
        {"reference": lambda: reference.wiener(x, psf, BALANCE, REGULARIZER, "reflect", True)},
        repeats, REFERENCE_WARMUP,
    )
    mine = report.timings.get((f"{size} gray float32", "wiener reflect"))
    if mine is None:
        return
    label = f"NumPy reference (float64, 1 thread, {REFERENCE_WARMUP} warm-up + {repeats} runs)"
    report.compare(describe(size, "gray", np.float32, "reflect"), "wiener() one-shot", mine, [(label, result["reference"])])
    ours = clearsight.wiener(x, psf, BALANCE, regularizer=REGULARIZER, boundary="reflect", threads=report.threads)
    ref = reference.wiener(x, psf, BALANCE, REGULARIZER, "reflect", True)
    report.checks.append(f"{size} gray float32: max |wiener(reflect) - NumPy reference| = {max_abs(ours, ref):.2e}")


# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None:
        return None
    return numerator / denominator


def targets(report: Report) -> list[Target]:
    gray, rgb, u8 = "720p gray float32", "720p RGB float32", "720p RGB uint8"
    t = report.threads
    found = []
    for boundary in ("periodic", "reflect"):
        mine = report.ms(gray, f"deconv {boundary}")
        found.append(Target(
            f"720p gray float32 Deconvolver ({boundary}) vs skimage.restoration.wiener, {t} threads: skimage/clearsight",
            ratio(report.ms(gray, "skimage"), mine), TARGET_VS_SKIMAGE, at_least=True))
        found.append(Target(
            f"720p gray float32 Deconvolver ({boundary}) vs rfft2+irfft2 floor, {t} threads: clearsight/floor",
            ratio(mine, report.ms(gray, "floor")), TARGET_VS_FLOOR, at_least=False))
    found.append(Target(
        f"720p RGB float32 one-shot wiener(reflect) vs skimage (3 channels), {t} threads: skimage/clearsight",
        ratio(report.ms(rgb, "skimage"), report.ms(rgb, "wiener reflect")), TARGET_ONESHOT_RGB, at_least=True))
    u8_ms = report.ms(u8, "deconv reflect")
    found.append(Target(
        f"720p RGB uint8 Deconvolver(reflect), {t} threads: frames/s",
        None if u8_ms is None else 1e3 / u8_ms, TARGET_FPS_U8_RGB, at_least=True, unit=" frames/s"))
    return found


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def _load_1min() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2,
                        help="threads for clearsight and workers for scipy.fft (default 2, as the targets)")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs per contender (default 20)")
    parser.add_argument("--sizes", default="720p,1080p", help=f"comma-separated, from {', '.join(SIZES)}")
    parser.add_argument("--quick", action="store_true", help="smoke run: 5 repeats, 720p only")
    parser.add_argument("--markdown", action="store_true", help="print the report as Markdown")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.sizes = 5, "720p"
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in args.sizes if s not in SIZES]
    if unknown or not args.sizes:
        parser.error(f"--sizes: unknown size(s) {unknown}; choose from {', '.join(SIZES)}")
    if args.threads < 1:
        parser.error("--threads must be >= 1")
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    clearsight.backends()  # loads the compiled core (an editable install may rebuild it) before any timing
    busy = _load_1min()
    started = time.perf_counter()
    md = args.markdown
    psf, psf_text = benchmark_psf()
    env = environment()
    report = Report(args.threads, args.repeats, md)
    reference_repeats = min(REFERENCE_REPEATS, args.repeats)

    log(f"bench_deconv: threads={args.threads} repeats={args.repeats} sizes={','.join(args.sizes)}")
    for index, size in enumerate(args.sizes):
        first = index == 0
        bench_gray_float(report, size, psf, np.float32, with_oneshot=True, check=first)
        bench_rgb_float(report, size, psf)
        bench_rgb_uint8(report, size, psf)
        if size == "720p":
            bench_gray_float(report, size, psf, np.float64, with_oneshot=False, check=False)
            bench_reference(report, size, psf, reference_repeats)
    elapsed = time.perf_counter() - started

    command = "python benchmarks/bench_deconv.py " + " ".join(sys.argv[1:] if argv is None else argv)
    settings = [
        ("command", command.strip()),
        *env,
        ("clearsight", f"{clearsight.__version__}, backend {report.backend!r} (available: {', '.join(clearsight.backends())})"),
        ("threads", f"{args.threads} (clearsight threads=, scipy.fft workers=); skimage and the NumPy reference are single-threaded"),
        ("timing", f"time.perf_counter, {WARMUP} warm-up calls, median (and min) of {args.repeats} runs, "
                   "contenders of one input interleaved round robin"),
        ("psf", psf_text),
        ("filter", f"balance={BALANCE}, regularizer={REGULARIZER!r} (scikit-image's), clip=True"),
        ("load average at end", load_average() + " (includes this run)"),
        ("wall time", f"{elapsed:.0f} s"),
    ]
    notes = [
        "ms / min: median and minimum of the timed runs of the clearsight call; peer ms / peer min: the same for the peer.",
        "peer/cs: peer median / clearsight median; above 1 means clearsight is faster.",
        "skimage.restoration.wiener is single-threaded, has periodic borders only and no channel axis for a 2-D PSF: "
        "RGB is a loop over the 3 channels. Against clearsight's reflect rows it does less work (no padding).",
        "cached scipy Wiener: conj(H)/(|H|^2 + balance |L|^2) computed once on the image grid (periodic, like skimage); "
        "timed: irfft2(rfft2(x) * F); no clipping, no border handling.",
        "floor: one rfft2 + irfft2 of the same array on the image grid (RGB: axes (0, 1) of the channel-last array; "
        "uint8: of a float32 copy made beforehand, so no conversion).",
        "uint8 peers include the uint8 -> float32 -> uint8 conversion a user needs; clearsight does it internally.",
        f"The NumPy reference is slow: {REFERENCE_WARMUP} warm-up call and {reference_repeats} timed runs only.",
        "All calls allocate their output unless a stage says out= is given.",
    ]
    cores = available_cores()
    if busy is not None and busy > 0.5 * cores:
        warning = (f"WARNING: the machine was busy when this run started (1-minute load {busy:.2f} "
                   f"on {cores} cores): other processes compete for the CPUs, timings are noisier and slower.")
        notes.insert(0, warning)
        log(warning)

    out = []
    if md:
        out.append("### Setup\n")
        out += [f"- **{label}**: `{value}`" if label == "command" else f"- **{label}**: {value}" for label, value in settings]
        out.append("\n### Timings (ms)\n")
        out.append(report.main.render_markdown())
        out.append("\n### Stages\n")
        out.append(report.stages.render_markdown())
        out.append("\n### Targets\n")
        out += [f"- **{tgt.status}** {tgt.line()[6:]}" for tgt in targets(report)]
        out.append("\n### Agreement checks\n")
        out += [f"- {line}" for line in report.checks]
        out.append("\n### Notes\n")
        out += [f"- {note}" for note in notes]
    else:
        width = max(len(label) for label, _ in settings)
        out.append("clearsight deconvolution benchmark")
        out += [f"  {label.ljust(width)} : {value}" for label, value in settings]
        out += ["", "Timings (ms)", report.main.render_text()]
        out += ["", "Stages (ms)", report.stages.render_text()]
        out += ["", "Targets"] + [tgt.line() for tgt in targets(report)]
        out += ["", "Agreement checks"] + [f"  {line}" for line in report.checks]
        out += ["", "Notes"] + [f"  - {note}" for note in notes]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
