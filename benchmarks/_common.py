"""Helpers shared by the benchmark scripts in this folder.

Nothing here knows about deconvolution. It provides:

* :func:`time_round_robin` -- warm up several callables, then time them in
  turns (one call of each per round, the starting callable rotating) so that
  a burst of load from other processes hits every contender alike;
* :class:`Timing` -- the samples of one callable, with median and minimum;
* :func:`environment` -- CPU model, usable cores, load, versions, date;
* :class:`Table` -- a table printed as aligned text or as Markdown;
* :class:`Target` -- a performance goal checked against measured numbers,
  printed as a PASS / MISS line with the margin.

The scripts import it as ``_common`` (they put their own folder on
``sys.path``), so it needs no installation.
"""

from __future__ import annotations

import datetime
import gc
import importlib
import importlib.metadata
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "Table",
    "Target",
    "Timing",
    "available_cores",
    "cpu_model",
    "environment",
    "fmt_ms",
    "fmt_ratio",
    "package_version",
    "time_round_robin",
]


# --------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Wall-clock durations of repeated calls of one callable, in seconds."""

    samples: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1e3

    @property
    def min_ms(self) -> float:
        return min(self.samples) * 1e3

    @property
    def per_second(self) -> float:
        """Calls per second at the median duration."""
        return 1e3 / self.median_ms


def time_round_robin(
    contenders: Mapping[str, Callable[[], object]],
    repeats: int,
    warmup: int = 3,
) -> dict[str, Timing]:
    """Time every callable in `contenders` `repeats` times, interleaved.

    Each callable is first called `warmup` times untimed (plans, caches,
    thread pools, page faults of first-touch buffers). Then come `repeats`
    rounds; in each round every callable runs once, timed on its own with
    :func:`time.perf_counter`. The order inside a round rotates by one each
    round, so no callable always runs right after the same neighbour. The
    garbage collector is off while timing (as in :mod:`timeit`).
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    names = list(contenders)
    for name in names:
        for _ in range(warmup):
            contenders[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    clock = time.perf_counter
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for round_no in range(repeats):
            shift = round_no % len(names)
            for name in names[shift:] + names[:shift]:
                call = contenders[name]
                start = clock()
                call()
                samples[name].append(clock() - start)
    finally:
        if was_enabled:
            gc.enable()
    return {name: Timing(tuple(values)) for name, values in samples.items()}


# --------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what :mod:`platform` says."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Model", "cpu model"):
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def cpu_features(wanted: Iterable[str] = ("avx2", "fma", "avx512f")) -> list[str]:
    """Which of the `wanted` instruction-set flags /proc/cpuinfo lists (empty if unknown)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key.strip() == "flags":
                    present = set(value.split())
                    return [flag for flag in wanted if flag in present]
    except OSError:
        pass
    return []


def available_cores() -> int:
    """CPUs this process may run on (its affinity mask), not the machine's total."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def package_version(name: str) -> str:
    """Installed version of distribution `name`, or ``"not installed"``."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        module = importlib.import_module(name)
    except ImportError:
        return "not installed"
    return str(getattr(module, "__version__", "unknown"))


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def environment(packages: Sequence[str] = ("numpy", "scipy", "scikit-image")) -> list[tuple[str, str]]:
    """(label, value) pairs describing where and when the benchmark ran."""
    features = cpu_features()
    now = datetime.datetime.now().astimezone()
    rows = [
        ("date", now.strftime("%Y-%m-%d %H:%M:%S %Z")),
        ("cpu", cpu_model() + (f" ({', '.join(features)})" if features else "")),
        ("cores available", f"{available_cores()} (os.sched_getaffinity), {os.cpu_count()} online"),
        ("load average", load_average() + " (1, 5, 15 min, at start)"),
        ("python", f"{platform.python_version()} ({sys.executable})"),
        ("platform", platform.platform()),
    ]
    rows += [(name, package_version(name)) for name in packages]
    return rows


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


class Table:
    """Rows of strings under named columns, rendered as text or Markdown.

    `align` holds one character per column: ``"l"`` or ``"r"``.
    """

    def __init__(self, columns: Sequence[str], align: str | None = None) -> None:
        self.columns = list(columns)
        self.align = align or "l" * len(self.columns)
        if len(self.align) != len(self.columns):
            raise ValueError("align needs one character per column")
        self.rows: list[list[str]] = []

    def add(self, *cells: object) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"expected {len(self.columns)} cells, got {len(cells)}")
        self.rows.append(["" if cell is None else str(cell) for cell in cells])

    def render_text(self) -> str:
        widths = [max([len(col)] + [len(row[i]) for row in self.rows]) for i, col in enumerate(self.columns)]

        def line(cells: Sequence[str]) -> str:
            parts = [
                cell.rjust(width) if how == "r" else cell.ljust(width)
                for cell, width, how in zip(cells, widths, self.align, strict=True)
            ]
            return "  ".join(parts).rstrip()

        rule = "  ".join("-" * width for width in widths)
        return "\n".join([line(self.columns), rule] + [line(row) for row in self.rows])

    def render_markdown(self) -> str:
        def line(cells: Sequence[str]) -> str:
            return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

        rule = "|" + "|".join("---:" if how == "r" else ":---" for how in self.align) + "|"
        return "\n".join([line(self.columns), rule] + [line(row) for row in self.rows])

    def render(self, markdown: bool) -> str:
        return self.render_markdown() if markdown else self.render_text()


# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A goal such as "ratio >= 5" or "ratio <= 1.25", checked against a measurement.

    `measured` must grow as the code under test gets faster when `at_least`
    is true (a speed-up ratio, frames per second) and shrink when it is false
    (a slowdown ratio against a floor). `measured` may be None when a peer
    needed for it is missing; the target is then reported as SKIP.
    """

    name: str
    measured: float | None
    threshold: float
    at_least: bool
    unit: str = "x"
    #: Margins smaller than this (in absolute value) are flagged as close
    #: calls: on a shared machine medians move by about this much between runs.
    close: float = 0.10

    @property
    def status(self) -> str:
        if self.measured is None:
            return "SKIP"
        ok = self.measured >= self.threshold if self.at_least else self.measured <= self.threshold
        return "PASS" if ok else "MISS"

    @property
    def margin(self) -> float | None:
        """Headroom as a fraction: > 0 passes, < 0 misses (-0.25: a quarter short)."""
        if self.measured is None:
            return None
        if self.at_least:
            return self.measured / self.threshold - 1.0
        return self.threshold / self.measured - 1.0

    @property
    def speedup_needed(self) -> float | None:
        """How many times faster the code under test must get to meet the target (<= 1 if it does)."""
        margin = self.margin
        return None if margin is None else 1.0 / (1.0 + margin)

    def line(self) -> str:
        op = ">=" if self.at_least else "<="
        target = f"target {op} {self.threshold:g}{self.unit}"
        if self.measured is None:
            return f"SKIP  {self.name}: {target}; not measured"
        text = f"{self.status}  {self.name}: measured {self.measured:.2f}{self.unit}, {target}, margin {self.margin:+.1%}"
        if self.status == "MISS":
            text += f" (needs {self.speedup_needed:.2f}x faster)"
        if abs(self.margin) < self.close:
            text += f" [close call: |margin| < {self.close:.0%}, may flip between runs]"
        return text
