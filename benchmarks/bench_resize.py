#!/usr/bin/env python
"""Benchmark clearsight.resize (MATLAB imresize, exact) against OpenCV's cv2.resize(INTER_CUBIC).

Both run in this process on the same 720p frames (RGB uint8 and float32),
upscaled ×2 and downscaled ×0.5, OpenCV with ``cv2.setNumThreads(threads)``.
They do not compute the same thing, and the report says how far apart they
are: OpenCV uses a = -0.75 and does not antialias when shrinking. Target of
issue 6: clearsight at least as fast as OpenCV (ratio >= 1) while staying
MATLAB-exact.

Usage::

    python benchmarks/bench_resize.py [--threads 2] [--repeats 5] [--markdown]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

import clearsight
from clearsight import _dispatch

from _common import Table, Target, environment, fmt_ms, time_round_robin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    import cv2

    cv2.setNumThreads(args.threads)
    rng = np.random.default_rng(0)
    unit = rng.random((720, 1280, 3))
    frames = {"uint8": np.rint(unit * 255).astype(np.uint8), "float32": unit.astype(np.float32)}
    backend = _dispatch.resolve("auto", "resize")[0]
    table = Table(["input", "scale", "OpenCV ms", "clearsight ms", "speed ratio", "max |difference|"], "lrrrrr")
    targets = []
    for dtype, frame in frames.items():
        for scale in (2.0, 0.5):
            size = (int(1280 * scale), int(720 * scale))
            contenders = {
                "opencv": lambda: cv2.resize(frame, size, interpolation=cv2.INTER_CUBIC),
                "clearsight": lambda: clearsight.resize(frame, scale, threads=args.threads),
            }
            timings = time_round_robin(contenders, args.repeats, warmup=1)
            ratio = timings["opencv"].median_ms / timings["clearsight"].median_ms
            difference = np.abs(contenders["opencv"]().astype(np.float64) - contenders["clearsight"]().astype(np.float64))
            table.add(f"720p RGB {dtype}", f"×{scale:g}", fmt_ms(timings["opencv"].median_ms),
                      fmt_ms(timings["clearsight"].median_ms), f"{ratio:.2f}", f"{difference.max():.3g}")
            targets.append(Target(f"resize {dtype} ×{scale:g} speed / OpenCV INTER_CUBIC", ratio, 1.0, True))
    out = []
    setup = Table(["item", "value"], "ll")
    for label, value in environment(("numpy", "opencv-python-headless")):
        setup.add(label, value)
    setup.add("clearsight backend", backend)
    setup.add("threads", str(args.threads))
    out += [setup.render(args.markdown), "", table.render(args.markdown), ""]
    out += [("- " if args.markdown else "") + t.line() for t in targets]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
