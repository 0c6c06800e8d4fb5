"""Shared decoding and checks for clearsight's atheris harnesses.

Every harness turns the fuzzer's bytes into arguments with :class:`Draw` (a
thin layer over ``atheris.FuzzedDataProvider`` whose sizes are bounded, so a
run explores shapes, strides, dtypes and parameters instead of allocating),
calls one public door (or, in ``fuzz_bindings.py``, ``clearsight._core``
directly), and checks what came back:

- an exception is acceptable only if it is a ValueError or TypeError whose
  message names one of the arguments the call was given (:func:`expected`);
  anything else propagates, and atheris reports it as a finding;
- a result has the documented shape and dtype, is finite for finite input,
  and agrees with the NumPy reference within the documented tolerance
  (:func:`compare_with_reference`).

Run a harness with ``python fuzz/fuzz_X.py [libFuzzer flags] [corpus dir]``;
``tools/fuzz.sh`` runs them all against the sanitizer build.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import atheris

with atheris.instrument_imports(include=["clearsight"]):
    import clearsight
    import clearsight.testing as cs_testing

import numpy as np

PIXEL_DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
# Dtypes the doors must refuse with a TypeError (or convert, for byte-swapped pixels).
ODD_DTYPES = (np.int8, np.int16, np.int32, np.int64, np.uint32, np.float16, np.bool_, np.complex64, ">f8", ">u2", "<U1")
SPECIAL_FLOATS = (0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, 5e-324, 1e-45, 1e30, 1e300, -1e30, math.inf, -math.inf, math.nan)


class Draw:
    """Bounded arguments decoded from the fuzzer's bytes."""

    def __init__(self, data: bytes) -> None:
        self.fdp = atheris.FuzzedDataProvider(data)

    def int(self, lo: int, hi: int) -> int:
        return self.fdp.ConsumeIntInRange(lo, hi)

    def bool(self) -> bool:
        return self.fdp.ConsumeBool()

    def pick(self, options: Sequence[Any]) -> Any:
        return options[self.fdp.ConsumeIntInRange(0, len(options) - 1)]

    def chance(self, in_256: int) -> bool:
        """True with probability about in_256 / 256."""
        return self.fdp.ConsumeIntInRange(0, 255) < in_256

    def number(self, lo: float, hi: float, special: int = 24) -> float:
        """A float in [lo, hi], or (probability special/256) an extreme value: 0, denormal, huge, inf, NaN."""
        if self.chance(special):
            return self.pick(SPECIAL_FLOATS)
        return lo + (hi - lo) * self.fdp.ConsumeProbability()

    def threads(self) -> Any:
        """Mostly 1 to 4; sometimes None, 0, negative, absurd, or not an int."""
        if self.chance(224):
            return self.int(1, 4)
        return self.pick([None, 0, -1, -(2**63), 2**31, 2**62, 2**63 - 1, 2**64, 1.5, "2", True])

    def dtype(self, odd: int = 8) -> np.dtype:
        if self.chance(odd):
            return np.dtype(self.pick(ODD_DTYPES))
        return np.dtype(self.pick(PIXEL_DTYPES))

    def values(self, shape: tuple[int, ...], dtype: np.dtype, *, finite: bool = True) -> np.ndarray:
        """An array of `shape`: pixel values in range (floats in [0, 1]), a few special ones when not `finite`."""
        n = int(np.prod(shape))
        kind = self.int(0, 4)
        rng = np.random.default_rng(self.int(0, 2**32 - 1))
        if kind == 0:
            unit = rng.random(n)
        elif kind == 1:
            unit = np.full(n, self.fdp.ConsumeProbability())
        elif kind == 2:
            unit = (rng.random(n) < 0.5).astype(np.float64)
        elif kind == 3:  # the fuzzer's own bytes, so it can steer individual pixels
            raw = np.frombuffer(self.fdp.ConsumeBytes(n), np.uint8)
            unit = np.resize(raw, n).astype(np.float64) / 255.0 if raw.size else np.zeros(n)
        else:
            unit = np.clip(0.5 + 0.4 * np.sin(np.arange(n) * self.fdp.ConsumeProbability()), 0, 1)
        unit = unit.reshape(shape)
        if dtype.kind == "u":
            out = np.round(unit * np.iinfo(dtype).max).astype(dtype)
        elif dtype.kind == "f":
            out = unit.astype(dtype)
            if not finite and out.size and self.chance(64):
                flat = out.reshape(-1)
                for _ in range(self.int(1, 3)):
                    flat[self.int(0, flat.size - 1)] = self.pick(SPECIAL_FLOATS)
        else:
            out = (unit * 100).astype(dtype) if dtype.kind != "U" else np.full(shape, "a", dtype)
        return out

    def layout(self, x: np.ndarray) -> np.ndarray:
        """The values of `x` in one of clearsight.testing's memory layouts, sometimes
        misaligned or read-only."""
        if x.ndim in (2, 3) and x.size and self.chance(200):
            x, _, _ = cs_testing.lay_out(x, self.pick(cs_testing.LAYOUTS))
        if x.size and x.dtype.itemsize > 1 and self.chance(8):
            x = misaligned(x)
        if x.ndim and self.chance(16):
            x = x.view()
            x.flags.writeable = False
        return x

    def image(self, max_side: int = 24, *, channels: Sequence[int | None] = (None, None, 1, 2, 3, 4),
              min_side: int = 1, finite: bool = True, odd: int = 8) -> np.ndarray:
        h, w = self.int(min_side, max_side), self.int(min_side, max_side)
        c = self.pick(channels)
        shape = (h, w) if c is None else (h, w, c)
        if self.chance(4):  # wrong rank or empty
            shape = self.pick([(0, w), (h, 0), (h,), (h, w, 1, 1), (), (h, w, 0), (h, w, 5)])
        return self.layout(self.values(shape, self.dtype(odd), finite=finite))

    def psf(self, max_side: int = 7, *, bad: int = 8) -> np.ndarray:
        kh, kw = self.int(1, max_side), self.int(1, max_side)
        kind = self.int(0, 3)
        rng = np.random.default_rng(self.int(0, 2**32 - 1))
        if kind == 0:
            psf = rng.random((kh, kw))
        elif kind == 1:
            psf = np.zeros((kh, kw))
            psf[self.int(0, kh - 1), self.int(0, kw - 1)] = 1.0
        elif kind == 2:
            psf = rng.random((kh, kw)) ** 8
        else:
            psf = clearsight.psf.gaussian(0.3 + 2 * self.fdp.ConsumeProbability())[:kh, :kw].copy()
        if self.chance(bad):
            spoil = self.int(0, 5)
            if spoil == 0:
                psf[...] = 0.0
            elif spoil == 1:
                psf.reshape(-1)[0] = self.pick([math.nan, math.inf, -1.0, 1e308])
            elif spoil == 2:
                psf = psf.astype(self.pick([np.float32, np.uint8, np.int64, np.complex128]))
            elif spoil == 3:
                psf = psf[..., None]
            elif spoil == 4:
                psf = np.zeros((0, kw))
            else:
                psf = psf.reshape(-1)
        if psf.ndim == 2 and psf.size and self.chance(64):
            psf, _, _ = cs_testing.lay_out(psf, self.pick(cs_testing.LAYOUTS[:6]))
        return psf


def misaligned(x: np.ndarray) -> np.ndarray:
    """A copy of `x` whose buffer starts one byte past an aligned address."""
    raw = np.zeros(x.nbytes + 1, np.uint8)
    view = np.ndarray(x.shape, x.dtype, buffer=raw.data, offset=1)
    view[...] = x
    return view


def expected(error: BaseException, names: Sequence[str]) -> bool:
    """A ValueError/TypeError naming one of `names` is a documented refusal; anything else is a finding."""
    if type(error) not in (ValueError, TypeError) and not isinstance(error, (ValueError, TypeError)):
        return False
    text = str(error)
    return any(name in text for name in names)


def is_finite(x: Any) -> bool:
    x = np.asarray(x)
    return x.dtype.kind not in "fc" or bool(np.isfinite(x).all())


def check_array(out: Any, shape: tuple[int, ...], dtype: np.dtype, *, finite: bool, what: str) -> None:
    assert isinstance(out, np.ndarray), f"{what}: returned {type(out).__name__}, not an ndarray"
    assert out.shape == tuple(shape), f"{what}: shape {out.shape}, expected {shape}"
    # Byte-swapped input is converted to native order by the doors (documented in _validate.image).
    assert out.dtype == np.dtype(dtype).newbyteorder("="), f"{what}: dtype {out.dtype}, expected {dtype}"
    if finite:
        assert is_finite(out), f"{what}: non-finite output for finite input"


def call(func: Callable[..., Any], names: Sequence[str], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    """(True, result), or (False, error) for an expected refusal; re-raises any other error."""
    try:
        return True, func(*args, **kwargs)
    except (ValueError, TypeError) as error:
        if expected(error, names):
            return False, error
        raise


def compare_with_reference(func: Callable[..., Any], names: Sequence[str], tolerance: Callable[[np.ndarray], float],
                           *args: Any, mean: bool = False, **kwargs: Any) -> tuple[bool, Any]:
    """Run `func` on the "cpp" backend (when it is available) and on "numpy"; both must refuse or both
    succeed, with results within `tolerance(reference_result)` (max abs difference, or the mean
    difference when `mean`). Returns what the compiled backend returned (or the reference's, without one)."""
    try:
        return _compare(func, names, tolerance, *args, mean=mean, **kwargs)
    except AssertionError as error:
        raise AssertionError(f"{error}\n  call: {describe_call(func, args, kwargs)}") from None


def describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        text = f"array(shape={value.shape}, dtype={value.dtype}, strides={value.strides}"
        text += f", aligned={value.flags.aligned}, writeable={value.flags.writeable}"
        if value.size and value.dtype.kind in "uif":
            text += f", min={value.min()!r}, max={value.max()!r}"
        return text + ")" + (f" = {value.tolist()!r}" if value.size <= 64 else "")
    return repr(value)


def describe_call(func: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]) -> str:
    parts = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return f"{getattr(func, '__name__', func)}({', '.join(parts)})"


def _compare(func: Callable[..., Any], names: Sequence[str], tolerance: Callable[[np.ndarray], float],
             *args: Any, mean: bool = False, **kwargs: Any) -> tuple[bool, Any]:
    ok_ref, ref = call(func, names, *args, backend="numpy", **kwargs)
    if "cpp" not in clearsight.backends():
        return ok_ref, ref
    ok, got = call(func, names, *args, backend="cpp", **kwargs)
    if not ok and "has no" in str(got) and "kernel" in str(got):  # no compiled kernel for this operation
        return ok_ref, ref
    image = args[0] if args else None
    if isinstance(image, np.ndarray) and image.dtype.kind == "f" and image.size and \
            not (image.min() >= 0.0 and image.max() <= 1.0):
        # The documented tolerances are for images in [0, 1] (clearsight's
        # float convention). Out of it (1e300, say) float32 work may
        # overflow where float64 does not, so the backends need not agree;
        # each must still refuse with a documented error, never crash.
        return ok, got
    assert ok == ok_ref, f"cpp {'succeeded' if ok else 'refused: ' + str(got)} where numpy " \
                         f"{'succeeded' if ok_ref else 'refused: ' + str(ref)}"
    if not ok:
        return ok, got
    got_a, ref_a = np.asarray(got), np.asarray(ref)
    assert got_a.shape == ref_a.shape and got_a.dtype == ref_a.dtype, \
        f"cpp {got_a.shape} {got_a.dtype} vs numpy {ref_a.shape} {ref_a.dtype}"
    difference = np.abs(got_a.astype(np.float64) - ref_a.astype(np.float64))
    finite = np.isfinite(ref_a.astype(np.float64))
    assert np.array_equal(finite, np.isfinite(got_a.astype(np.float64))), "cpp and numpy differ in where they are finite"
    difference = difference[finite]
    error = float(difference.mean() if mean else difference.max(initial=0.0)) if difference.size else 0.0
    limit = tolerance(ref_a)
    assert error <= limit, f"cpp differs from numpy by {error:.3g} > tolerance {limit:.3g}"
    return ok, got


def run(test_one_input: Callable[[bytes], None]) -> None:
    """atheris entry point; a corpus/flags on the command line as for any libFuzzer binary."""
    # The harness's own decoding branches guide the fuzzer too (the native
    # code is not instrumented: gcc has no libFuzzer coverage hooks).
    main = sys.modules["__main__"]
    for name, value in vars(main).items():
        if callable(value) and getattr(value, "__module__", None) == "__main__" and hasattr(value, "__code__"):
            setattr(main, name, atheris.instrument_func(value))
    for name, value in vars(Draw).items():
        if callable(value) and hasattr(value, "__code__"):
            setattr(Draw, name, atheris.instrument_func(value))
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


def corpus_dir(name: str) -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "fuzz-corpus", name)
