"""Static checks in the test suite: mypy, stubtest and ruff, each as a subprocess.

The settings are those of ``pyproject.toml`` (``[tool.mypy]``,
``[tool.ruff]``); ``docs/typing.md`` explains them. Both tools are in the
``test`` extra, so CI runs these checks; where one is not installed its
test is skipped with the reason.

- mypy on ``src/clearsight`` together with ``tests/typing/public_api.py``
  (the public API as users call it) must report nothing;
- mypy on ``tests/typing/public_api_errors.py`` must report exactly the
  marked errors: one of the marked code on every ``# E: <code>`` line and
  nothing elsewhere;
- ``tests/typing/public_api.py`` is also run, so the types it asserts are
  the types the calls return;
- stubtest holds ``clearsight/_core.pyi`` to the compiled module;
- ruff on ``src tests benchmarks tools`` must report nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest

import clearsight
from clearsight import _typing, denoise

ROOT = Path(__file__).resolve().parent.parent
TYPING = ROOT / "tests" / "typing"
# mypy and stubtest start cold in CI (no cache): generous, never reached in practice.
TIMEOUT = 600


def _require(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (it is in the test extra: pip install -e .[test])")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def test_mypy_source_and_public_api():
    _require("mypy")
    result = _run("mypy", "src/clearsight", str(TYPING / "public_api.py"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_rejects_misuse_exactly_where_marked():
    _require("mypy")
    path = TYPING / "public_api_errors.py"
    expected: dict[int, set[str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        marker = re.search(r"# E: ([a-z|-]+)$", line)
        if marker:
            expected[number] = set(marker.group(1).split("|"))
    assert len(expected) >= 10
    result = _run("mypy", str(path))
    found: dict[int, set[str]] = {}
    for line in result.stdout.splitlines():
        error = re.match(r".*public_api_errors\.py:(\d+): error: .*\[([a-z-]+)\]$", line)
        if error:
            found.setdefault(int(error.group(1)), set()).add(error.group(2))
        elif ": error:" in line:
            pytest.fail(f"mypy reported an error outside the example file:\n{result.stdout}")
    missing = {n: codes for n, codes in expected.items() if not codes & found.get(n, set())}
    unexpected = {n: codes for n, codes in found.items() if n not in expected}
    assert not missing and not unexpected, (
        f"marked lines without their error: {missing}; errors on unmarked lines: {unexpected}\n{result.stdout}"
    )


def test_public_api_example_runs_and_returns_the_annotated_types():
    spec = importlib.util.spec_from_file_location("public_api_example", TYPING / "public_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()


def test_literal_options_equal_what_the_doors_accept():
    # The Literal types are what a checker enforces, the tuples what the
    # doors check at run time; they must name the same options. (The
    # reference package re-exports functions under its modules' names.)
    deconvolution, resize, richardson_lucy, sharpen, tv_deconvolution = (
        importlib.import_module(f"clearsight.reference.{name}")
        for name in ("deconvolution", "resize", "richardson_lucy", "sharpen", "tv_deconvolution")
    )
    pairs = [
        (_typing.Regularizer, deconvolution.REGULARIZERS),
        (_typing.Boundary, deconvolution.BOUNDARIES),
        (_typing.RichardsonLucyBoundary, richardson_lucy.RL_BOUNDARIES),
        (_typing.Acceleration, richardson_lucy.ACCELERATIONS),
        (_typing.TVBoundary, tv_deconvolution.TV_BOUNDARIES),
        (_typing.Prior, tv_deconvolution.PRIORS),
        (_typing.ChannelMode, denoise.CHANNEL_MODES),
        (_typing.BlurBoundary, sharpen.BLUR_BOUNDARIES),
        (_typing.ResizeMethod, resize.METHODS),
        (_typing.ResizeBoundary, resize.RESIZE_BOUNDARIES),
        (_typing.Backend, ("auto", *clearsight._dispatch.BACKEND_NAMES)),
    ]
    for literal, options in pairs:
        assert sorted(get_args(literal)) == sorted(options), (literal, options)


def test_core_stub_matches_the_compiled_module():
    _require("mypy")
    if "cpp" not in clearsight.backends():
        pytest.skip("clearsight._core is not importable here")
    result = _run("mypy.stubtest", "clearsight._core", "--mypy-config-file", "pyproject.toml",
                  "--allowlist", str(TYPING / "stubtest_allowlist.txt"))
    assert result.returncode == 0, (
        "src/clearsight/_core.pyi differs from the compiled module (a binding added, renamed or removed "
        "without the stub following):\n" + result.stdout + result.stderr
    )


def test_ruff():
    _require("ruff")
    result = _run("ruff", "check", "--no-fix", "src", "tests", "benchmarks", "tools", "fuzz")
    assert result.returncode == 0, result.stdout + result.stderr
