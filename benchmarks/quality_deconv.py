#!/usr/bin/env python
"""Non-blind deconvolution quality on the Levin et al. (2009) images and kernels.

Protocol: ``deblur/README.md`` of the data folder, "Interior scoring", as
written there:

* the 4 sharp images (``deblur/im{1..4}.png`` / 255, float64) and the 8
  kernels (``kernels/kernel{1..8}.npy``, used as stored);
* blurred = the 'valid' part of ``scipy.signal.convolve2d(x, k, 'full')``;
* Gaussian noise σ = 0.01 from one ``numpy.random.default_rng(0)``, one
  ``rng.normal(0, 0.01, b.shape)`` draw per pair, image-major then kernel
  (im1-k1, im1-k2, …, im4-k8); no clipping;
* ground truth = the sharp image cropped by the kernel radius; PSNR
  (data_range 1) and SSIM (``skimage.metrics.structural_similarity``,
  data_range 1) on the interior: a further kernel radius shaved from each side
  of both the estimate and the ground truth. Means over the 32 pairs.

Methods: clearsight's ``wiener`` (periodic and reflect borders, identity and
Laplacian regularisers; one balance for the whole table, the best of a
quarter-decade grid, and the per-image best in hindsight), ``richardson_lucy`` (30 iterations, plain and Biggs–Andrews),
``deconvolve_tv`` (TV and hyper-Laplacian priors, ``weight="auto"``,
defaults, and the same with reflect borders), scikit-image's ``wiener``
(best balance per image in hindsight over [0.001, 0.003, 0.01, 0.03, 0.1])
and ``richardson_lucy`` (num_iter=30), all on the same inputs in one process.
Time: mean over the pairs of the median wall time of 3 calls (methods
interleaved pair by pair so that background load hits all alike); for the
hindsight rows, one call, not the whole grid. The Richardson–Lucy time
target is measured separately, each pair timed round robin (Biggs at the
fewest iterations reaching scikit-image's 30-iteration PSNR against
scikit-image's 30 iterations, 1 warm-up and 3 timed calls each).

Usage::

    python benchmarks/quality_deconv.py [--markdown] [--sweep]

``--sweep`` also prints how the ``weight="auto"`` constant, the iteration
count of ``deconvolve_tv`` and the Wiener balance move the scores on this
table: for information only. The defaults are tuned on training images
(``benchmarks/tune_deconv.py``, ``docs/tuning.md``), never here. Progress goes
to stderr, the report to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

import clearsight
from clearsight import _dispatch
from clearsight.datasets import data_path
from clearsight.deconv import deconvolve_tv, richardson_lucy, wiener
from clearsight.reference import tv_deconvolution
from clearsight.reference.estimate import estimate_noise
from clearsight.reference.richardson_lucy import RichardsonLucyPlan

from _common import Table, Target, environment, load_average, time_round_robin

SIGMA = 0.01
SKIMAGE_BALANCES = (0.001, 0.003, 0.01, 0.03, 0.1)
# clearsight's Wiener balances, quarter decades: identity regulariser (balance is a noise-to-signal
# ratio) and Laplacian regulariser (scikit-image's, whose balances are larger).
CLEARSIGHT_BALANCES = {
    "identity": tuple(float(f"{10 ** (e / 4):.3g}") for e in range(-16, -3)),
    "laplacian": tuple(float(f"{10 ** (e / 4):.3g}") for e in range(-12, 1)),
}
WIENER_CASES = [(r, b) for r in ("identity", "laplacian") for b in ("periodic", "reflect")]
RL_ITERATIONS = 30
# Published by deblur/README.md for this protocol: harness check.
README = {"blurred": 21.28, "skimage RL-30": 26.15, "skimage Wiener-best": 28.13, "skimage Wiener-best +0.3": 28.36}

# Targets of issue 5.
TARGET_HL_PSNR = 30.5
TARGET_HL_OVER_WIENER = 1.0
TARGET_RL_TIME_FRACTION = 0.1


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Data and scoring
# --------------------------------------------------------------------------


class Pair:
    """One blurred, noisy image with its kernel and interior ground truth."""

    def __init__(self, image: int, kernel: int, sharp: np.ndarray, psf: np.ndarray, blurred: np.ndarray) -> None:
        self.image, self.kernel, self.psf, self.blurred = image, kernel, psf, blurred
        self.rh, self.rw = (psf.shape[0] - 1) // 2, (psf.shape[1] - 1) // 2
        truth = sharp[self.rh : sharp.shape[0] - self.rh, self.rw : sharp.shape[1] - self.rw]
        self.truth = self.interior(truth)

    def interior(self, estimate: np.ndarray) -> np.ndarray:
        return estimate[self.rh : estimate.shape[0] - self.rh, self.rw : estimate.shape[1] - self.rw]

    def psnr(self, estimate: np.ndarray) -> float:
        error = self.interior(np.asarray(estimate, dtype=np.float64)) - self.truth
        return float(10.0 * np.log10(1.0 / np.mean(error**2)))

    def ssim(self, estimate: np.ndarray) -> float:
        from skimage.metrics import structural_similarity

        return float(structural_similarity(self.truth, self.interior(np.asarray(estimate, np.float64)),
                                           data_range=1.0))


def load_pairs() -> list[Pair]:
    from PIL import Image
    from scipy.signal import convolve2d

    sharps = []
    for i in range(1, 5):
        with Image.open(data_path("deblur", f"im{i}.png")) as picture:
            sharps.append(np.asarray(picture.convert("L")).astype(np.float64) / 255.0)
    kernels = [np.load(data_path("kernels", f"kernel{j}.npy")) for j in range(1, 9)]
    rng = np.random.default_rng(0)
    pairs = []
    for i, sharp in enumerate(sharps, 1):
        for j, kernel in enumerate(kernels, 1):
            blurred = convolve2d(sharp, kernel, "full")
            kh, kw = kernel.shape
            valid = blurred[kh - 1 : blurred.shape[0] - kh + 1, kw - 1 : blurred.shape[1] - kw + 1]
            pairs.append(Pair(i, j, sharp, kernel, valid + rng.normal(0, SIGMA, valid.shape)))
    return pairs


# --------------------------------------------------------------------------
# Methods
# --------------------------------------------------------------------------


class Row:
    """Per-pair PSNR, SSIM and time of one method."""

    def __init__(self, name: str, settings: str, backend: str) -> None:
        self.name, self.settings, self.backend = name, settings, backend
        self.psnr: list[float] = []
        self.ssim: list[float] = []
        self.seconds: list[float] = []

    def add(self, pair: Pair, estimate: np.ndarray, seconds: float) -> None:
        self.psnr.append(pair.psnr(estimate))
        self.ssim.append(pair.ssim(estimate))
        self.seconds.append(seconds)


REPEATS = 3


def timed(call: Callable[[], np.ndarray]) -> tuple[np.ndarray, float]:
    """The call's result and its median wall time over REPEATS calls (the machine may be shared)."""
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - start)
    return result, float(np.median(samples))


def first_reaching(curve: np.ndarray, level: float) -> int | None:
    """1-based index of the first value >= level, or None."""
    hits = np.nonzero(curve >= level)[0]
    return int(hits[0]) + 1 if hits.size else None


def evaluate(pairs: list[Pair], sweep: bool) -> dict:
    from skimage.restoration import richardson_lucy as skimage_rl
    from skimage.restoration import wiener as skimage_wiener

    wiener_backend = _dispatch.resolve("auto", "WienerPlan")[0]
    rl_backend = _dispatch.resolve("auto", "RichardsonLucyPlan")[0]
    tv_backend = _dispatch.resolve("auto", "TVDeconvolutionPlan")[0]
    results: dict = {}

    # Balance grids for the Wiener rows: PSNR of every balance on every pair.
    log("Wiener grids ...")
    grids = {}
    for regularizer, boundary in WIENER_CASES:
        grids[regularizer, boundary] = np.array(
            [[pair.psnr(wiener(pair.blurred, pair.psf, b, regularizer=regularizer, boundary=boundary))
              for b in CLEARSIGHT_BALANCES[regularizer]] for pair in pairs])
    skimage_grid = np.array([[pair.psnr(skimage_wiener(pair.blurred, pair.psf, b)) for b in SKIMAGE_BALANCES + (0.3,)]
                             for pair in pairs])
    fixed = {case: CLEARSIGHT_BALANCES[case[0]][int(np.argmax(grid.mean(axis=0)))] for case, grid in grids.items()}
    results["wiener_fixed"] = fixed

    # Iteration curves of RL (reflect) for the Biggs target and the sweep.
    log("Richardson-Lucy curves ...")
    curves = {acc: np.array([[pair.psnr(np.clip(x, 0, 1)) for x in
                              RichardsonLucyPlan(pair.psf, pair.blurred.shape, "reflect", True).iterate(
                                  pair.blurred, RL_ITERATIONS, acc)] for pair in pairs])
              for acc in ("none", "biggs")}
    results["rl_curves"] = {acc: curve.mean(axis=0) for acc, curve in curves.items()}

    rows = {"blurred": Row("blurred input", "", "-")}
    for regularizer, boundary in WIENER_CASES:
        rows[f"cs-wiener-{regularizer}-{boundary}"] = Row(
            "clearsight wiener", f"{boundary}, {regularizer}, balance {fixed[regularizer, boundary]:g} (best single)",
            wiener_backend)
        rows[f"cs-wiener-{regularizer}-{boundary}-best"] = Row(
            "clearsight wiener", f"{boundary}, {regularizer}, best balance per image (hindsight)", wiener_backend)
        rows[f"cs-wiener-{regularizer}-{boundary}-auto"] = Row(
            "clearsight wiener", f"{boundary}, {regularizer}, balance auto", wiener_backend)
    rows.update({
        "cs-rl": Row("clearsight richardson_lucy", f"{RL_ITERATIONS} iterations, reflect", rl_backend),
        "cs-rl-biggs": Row("clearsight richardson_lucy", f"{RL_ITERATIONS} iterations, biggs, reflect", rl_backend),
        "cs-rl-biggs-default": Row("clearsight richardson_lucy", "biggs, reflect, default iterations (10)",
                                   rl_backend),
        "cs-tv": Row("clearsight deconvolve_tv", "prior tv, weight auto, defaults", tv_backend),
        "cs-hl": Row("clearsight deconvolve_tv", "prior hyper-laplacian, weight auto, defaults", tv_backend),
        "cs-tv-reflect": Row("clearsight deconvolve_tv", "prior tv, weight auto, boundary reflect", tv_backend),
        "cs-hl-reflect": Row("clearsight deconvolve_tv", "prior hyper-laplacian, weight auto, boundary reflect",
                             tv_backend),
        "sk-wiener-best": Row("skimage wiener", "best balance per image in [0.001 … 0.1] (hindsight)", "-"),
        "sk-rl": Row("skimage richardson_lucy", f"num_iter={RL_ITERATIONS}", "-"),
    })
    log("Methods, pair by pair ...")
    for index, pair in enumerate(pairs):
        y, k = pair.blurred, pair.psf
        rows["blurred"].add(pair, y, 0.0)
        for regularizer, boundary in WIENER_CASES:
            options = dict(regularizer=regularizer, boundary=boundary)
            rows[f"cs-wiener-{regularizer}-{boundary}"].add(
                pair, *timed(lambda: wiener(y, k, fixed[regularizer, boundary], **options)))
            best = CLEARSIGHT_BALANCES[regularizer][int(np.argmax(grids[regularizer, boundary][index]))]
            rows[f"cs-wiener-{regularizer}-{boundary}-best"].add(pair, *timed(lambda: wiener(y, k, best, **options)))
            rows[f"cs-wiener-{regularizer}-{boundary}-auto"].add(pair, *timed(lambda: wiener(y, k, "auto", **options)))
        rows["cs-rl"].add(pair, *timed(lambda: richardson_lucy(y, k, RL_ITERATIONS)))
        rows["cs-rl-biggs"].add(pair, *timed(lambda: richardson_lucy(y, k, RL_ITERATIONS, acceleration="biggs")))
        rows["cs-rl-biggs-default"].add(pair, *timed(lambda: richardson_lucy(y, k, acceleration="biggs")))
        rows["cs-tv"].add(pair, *timed(lambda: deconvolve_tv(y, k, prior="tv")))
        rows["cs-hl"].add(pair, *timed(lambda: deconvolve_tv(y, k, prior="hyper-laplacian")))
        rows["cs-tv-reflect"].add(pair, *timed(lambda: deconvolve_tv(y, k, prior="tv", boundary="reflect")))
        rows["cs-hl-reflect"].add(pair, *timed(lambda: deconvolve_tv(y, k, prior="hyper-laplacian",
                                                                       boundary="reflect")))
        best = SKIMAGE_BALANCES[int(np.argmax(skimage_grid[index, : len(SKIMAGE_BALANCES)]))]
        rows["sk-wiener-best"].add(pair, *timed(lambda: skimage_wiener(y, k, best)))
        rows["sk-rl"].add(pair, *timed(lambda: skimage_rl(y, k, num_iter=RL_ITERATIONS)))
        log(f"  im{pair.image}-k{pair.kernel} done")

    # Biggs iterations needed to reach scikit-image's 30-iteration PSNR (table mean), then timed.
    sk_rl_level = float(np.mean(rows["sk-rl"].psnr))
    biggs_needed = first_reaching(results["rl_curves"]["biggs"], sk_rl_level)
    plain_needed = first_reaching(results["rl_curves"]["none"], sk_rl_level)
    if biggs_needed is not None:
        # Timed round robin against scikit-image on every pair: the time target's two sides.
        log(f"Biggs {biggs_needed} iterations against skimage RL-{RL_ITERATIONS}, round robin ...")
        rows["cs-rl-biggs-target"] = Row("clearsight richardson_lucy",
                                         f"{biggs_needed} iterations, biggs, reflect "
                                         f"(fewest reaching skimage RL-{RL_ITERATIONS}; timed round robin)", rl_backend)
        rows["sk-rl-target"] = Row("skimage richardson_lucy",
                                   f"num_iter={RL_ITERATIONS} (timed round robin with the row above)", "-")
        for pair in pairs:
            contenders = {
                "ours": lambda: richardson_lucy(pair.blurred, pair.psf, biggs_needed, acceleration="biggs"),
                "skimage": lambda: skimage_rl(pair.blurred, pair.psf, num_iter=RL_ITERATIONS),
            }
            timings = time_round_robin(contenders, repeats=REPEATS, warmup=1)
            rows["cs-rl-biggs-target"].add(pair, contenders["ours"](), timings["ours"].median_ms / 1e3)
            rows["sk-rl-target"].add(pair, contenders["skimage"](), timings["skimage"].median_ms / 1e3)
    results.update(rows=rows, grids=grids, skimage_grid=skimage_grid, sk_rl_level=sk_rl_level,
                   biggs_needed=biggs_needed, plain_needed=plain_needed)
    if sweep:
        results["sweep"] = tv_sweep(pairs)
    return results


def tv_sweep(pairs: list[Pair]) -> dict:
    """Mean PSNR of deconvolve_tv (boundary unknown) over (constant c, iteration), for both priors."""
    constants = {"tv": (10.0, 15.0, 20.0, 30.0), "hyper-laplacian": (5.0, 6.0, 7.0, 8.0, 10.0)}
    iterations = 40
    sigmas = [float(estimate_noise(pair.blurred)[0]) for pair in pairs]
    table = {}
    for prior, values in constants.items():
        alpha = tv_deconvolution.DEFAULT_ALPHA[prior]
        for c in values:
            log(f"sweep {prior} c={c} ...")
            curve = np.zeros((len(pairs), iterations))
            for p, pair in enumerate(pairs):
                plan = tv_deconvolution.TVDeconvolutionPlan(pair.psf, pair.blurred.shape, "unknown", True)
                for i, x in enumerate(plan.iterate(pair.blurred, c * sigmas[p] ** 2, alpha, iterations)):
                    curve[p, i] = pair.psnr(np.clip(x, 0, 1))
            table[(prior, c)] = curve.mean(axis=0)
    return table


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def report(results: dict, markdown: bool, started: str, wall: float) -> str:
    rows: dict[str, Row] = results["rows"]
    out = []

    def heading(text: str) -> None:
        out.append(f"\n### {text}\n" if markdown else f"\n{text}\n{'=' * len(text)}")

    heading("Setup")
    setup = Table(["item", "value"], "ll")
    for label, value in environment():
        setup.add(label, value)
    setup.add("clearsight", f"{clearsight.__version__}, backends {clearsight.backends()}")
    setup.add("load average at end", load_average())
    setup.add("wall time", f"{wall:.0f} s")
    setup.add("command", " ".join(["python"] + sys.argv))
    out.append(setup.render(markdown))

    heading("Mean over the 32 pairs (interior scoring)")
    table = Table(["method", "settings", "backend", "PSNR dB", "SSIM", "ms / image"], "lllrrr")
    for row in rows.values():
        ms = "-" if row.name == "blurred input" else f"{1e3 * np.mean(row.seconds):.1f}"
        table.add(row.name, row.settings, row.backend, f"{np.mean(row.psnr):.2f}", f"{np.mean(row.ssim):.4f}", ms)
    out.append(table.render(markdown))

    heading("Per kernel (mean PSNR over the 4 images)")
    per_kernel = Table(["method"] + [f"k{j}" for j in range(1, 9)], "l" + "r" * 8)
    for key in ("blurred", "sk-rl", "sk-wiener-best", "cs-wiener-laplacian-reflect-best", "cs-rl", "cs-tv",
                "cs-hl"):
        row = rows[key]
        values = np.array(row.psnr).reshape(4, 8).mean(axis=0)
        per_kernel.add(f"{row.name} ({row.settings})" if row.settings else row.name,
                       *[f"{v:.2f}" for v in values])
    out.append(per_kernel.render(markdown))

    heading("Harness check against deblur/README.md")
    check = Table(["quantity", "README", "measured"], "lrr")
    check.add("blurred", README["blurred"], f"{np.mean(rows['blurred'].psnr):.2f}")
    check.add("skimage RL-30", README["skimage RL-30"], f"{np.mean(rows['sk-rl'].psnr):.2f}")
    check.add("skimage Wiener-best (0.001-0.1)", README["skimage Wiener-best"],
              f"{np.mean(rows['sk-wiener-best'].psnr):.2f}")
    check.add("skimage Wiener-best (0.001-0.3)", README["skimage Wiener-best +0.3"],
              f"{results['skimage_grid'].max(axis=1).mean():.2f}")
    out.append(check.render(markdown))

    heading("Richardson-Lucy iterations (reflect, mean PSNR)")
    curve = Table(["iterations"] + [str(n) for n in (1, 3, 5, 7, 9, 12, 15, 20, 25, 30)], "l" + "r" * 10)
    for acc in ("none", "biggs"):
        values = results["rl_curves"][acc]
        curve.add(acc, *[f"{values[n - 1]:.2f}" for n in (1, 3, 5, 7, 9, 12, 15, 20, 25, 30)])
    out.append(curve.render(markdown))
    out.append(("\n" if markdown else "") +
               f"skimage RL-30 level {results['sk_rl_level']:.2f} dB reached by plain RL at iteration "
               f"{results['plain_needed']} and by Biggs at iteration {results['biggs_needed']}; plain peaks at "
               f"{results['rl_curves']['none'].max():.2f} (iteration {int(np.argmax(results['rl_curves']['none'])) + 1}),"
               f" Biggs at {results['rl_curves']['biggs'].max():.2f} "
               f"(iteration {int(np.argmax(results['rl_curves']['biggs'])) + 1}).")

    heading("Targets")
    hl = float(np.mean(rows["cs-hl"].psnr))
    best_wiener = max(float(np.mean(row.psnr)) for key, row in rows.items()
                      if "wiener" in key and key.endswith("-best"))
    sk_time = float(np.mean(rows["sk-rl-target"].seconds)) if "sk-rl-target" in rows else None
    biggs_time = float(np.mean(rows["cs-rl-biggs-target"].seconds)) if "cs-rl-biggs-target" in rows else None
    targets = [
        Target("deconvolve_tv hyper-laplacian mean PSNR", hl, TARGET_HL_PSNR, True, " dB"),
        Target("hyper-laplacian minus best hindsight Wiener", hl - best_wiener, TARGET_HL_OVER_WIENER, True, " dB"),
        Target("Biggs RL time to skimage RL-30 PSNR / skimage RL-30 time",
               None if biggs_time is None or sk_time is None else biggs_time / sk_time,
               TARGET_RL_TIME_FRACTION, False, ""),
    ]
    out.append("\n".join(("- " if markdown else "") + t.line() for t in targets))

    if "sweep" in results:
        heading("Tuning sweep: deconvolve_tv, boundary unknown, mean PSNR by constant c and iteration")
        shown = (5, 8, 10, 15, 20, 25, 30, 35, 40)
        sweep = Table(["prior", "c"] + [str(n) for n in shown], "lr" + "r" * len(shown))
        for (prior, c), values in results["sweep"].items():
            sweep.add(prior, f"{c:g}", *[f"{values[n - 1]:.2f}" for n in shown])
        out.append(sweep.render(markdown))
        heading("Tuning: clearsight wiener balance (mean PSNR over the table)")
        for regularizer, balances in CLEARSIGHT_BALANCES.items():
            balance = Table([f"{regularizer}: boundary"] + [f"{b:g}" for b in balances], "l" + "r" * len(balances))
            for (reg, boundary), grid in results["grids"].items():
                if reg == regularizer:
                    balance.add(boundary, *[f"{v:.2f}" for v in grid.mean(axis=0)])
            out.append(balance.render(markdown) + "\n")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print the report as Markdown")
    parser.add_argument("--sweep", action="store_true", help="also run the tuning sweeps (a few minutes)")
    args = parser.parse_args(argv)
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    start = time.perf_counter()
    pairs = load_pairs()
    results = evaluate(pairs, args.sweep)
    print(report(results, args.markdown, started, time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
