"""Fuzz clearsight._core directly, bypassing the Python doors' validation.

Every binding must defend itself against what a direct caller can hand it:
any dtype and rank, zero sizes, negative and non-contiguous strides,
misaligned buffers, read-only or aliased outputs, PSFs larger than the
image, absurd or negative thread counts, NaN and infinite parameters, and
arguments of the wrong Python type.

Invariants beyond "no crash, no sanitizer report":

- a refusal is a ValueError or TypeError that names one of the binding's
  arguments (pybind11's own "incompatible function arguments" TypeError
  lists the signature, so it names them too);
- nothing outside the output view is written (the rest of the output's base
  array keeps its fill) and the input is unchanged unless it is the output;
- a result is finite for finite input (floats), has the documented shape and
  dtype, and is deterministic: the same call again gives the same bits.
"""

from __future__ import annotations

import math

import fuzzlib
import numpy as np
from fuzzlib import Draw, cs_testing

core = __import__("clearsight._core", fromlist=["_core"])

FILL = 0.25  # what the output's base holds outside the view


def weird(d: Draw, value):
    """`value`, or (rarely) something of the wrong type or range in its place."""
    if not d.chance(12):
        return value
    return d.pick([None, "x", [1, 2], 2**63, -(2**63) - 1, math.nan, math.inf, -1, 0, 1.5, True, b"\x00",
                   np.float64(0.1), np.zeros((2, 2))])


def plane(d: Draw, shape: tuple[int, int], *, finite: bool) -> np.ndarray:
    dtype = d.dtype(odd=10)
    if d.chance(16):
        shape = d.pick([(0, shape[1]), (shape[0], 0), (shape[0],), (shape[0], shape[1], 1), (shape[0] + 1, shape[1])])
    return d.layout(d.values(shape, dtype, finite=finite))


def output_like(d: Draw, image: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, object]:
    """(out, base, select): a writable view laid out in a base filled with FILL, or a bad one."""
    if d.chance(16) and image.flags.writeable:
        return image, None, None  # in place
    shape, dtype = image.shape, image.dtype
    if d.chance(12):
        dtype = d.dtype(odd=16)
    if d.chance(12):
        shape = d.pick([(shape[0] + 1,) + shape[1:], shape[::-1], shape + (1,), (0,) + shape[1:]])
    if not all(isinstance(s, int) for s in shape) or dtype.kind == "U":
        return np.zeros(3), None, None
    filled = np.full(shape, FILL if dtype.kind == "f" else 7, dtype) if dtype.kind in "fui" else np.zeros(shape, dtype)
    if len(shape) in (2, 3) and 0 not in shape and d.chance(192):
        out, base, select = cs_testing.lay_out(filled, d.pick(cs_testing.LAYOUTS), fill=filled.reshape(-1)[0])
    else:
        out, base, select = filled, None, None
    if out.size and out.dtype.itemsize > 1 and d.chance(6):
        out = fuzzlib.misaligned(out)
        base = None
    if d.chance(8):
        out = out.view()
        out.flags.writeable = False
    return out, base, select


def outside_untouched(out: np.ndarray, base: np.ndarray | None, select) -> None:
    if base is None:
        return
    marker = np.zeros(base.shape, bool)
    select(marker)[...] = True
    outside = base[~marker]
    if outside.size:
        assert np.all(outside == base.reshape(-1)[np.flatnonzero(~marker.reshape(-1))[0]]), \
            "a binding wrote outside its output view"


def finite_values(*arrays: np.ndarray) -> bool:
    return all(fuzzlib.is_finite(a) for a in arrays)


# ----------------------------------------------------------------- the bindings


def plan_case(d: Draw, kind: str) -> None:
    h, w = d.int(1, 18), d.int(1, 18)
    psf = d.psf(max_side=d.pick([5, 5, 24]), bad=16)  # sometimes larger than the image
    shape = (h, w) if d.chance(232) else d.pick([(0, w), (h, -1), (2**40, 2**40), (h,), (h, w, 1), "hw"])
    boundary = d.pick({"wiener": ["reflect", "periodic", "taper", "zero"],
                       "rl": ["zero", "reflect", "periodic", "taper", "x"],
                       "tv": ["reflect", "periodic", "taper", "unknown", ""]}[kind])
    double = weird(d, d.bool())
    threads = weird(d, d.threads())
    names = ("psf", "shape", "balance", "regularizer", "boundary", "double_precision", "threads", "n",
             "incompatible function arguments")
    if kind == "wiener":
        balance = weird(d, d.number(1e-4, 1.0))
        regularizer = d.pick(["identity", "laplacian", "Laplacian"])
        ok, plan = fuzzlib.call(core.WienerPlan, names, psf, shape, balance, regularizer, boundary, double, threads)
    elif kind == "rl":
        ok, plan = fuzzlib.call(core.RichardsonLucyPlan, names, psf, shape, boundary, double, threads)
    else:
        ok, plan = fuzzlib.call(core.TVDeconvolutionPlan, names, psf, shape, boundary, double, threads)
    if not ok:
        return
    assert plan.shape == tuple(shape), f"{kind} plan shape {plan.shape} != {shape}"
    ph, pw = plan.padded_shape
    assert ph >= h and pw >= w, f"{kind} padded shape {plan.padded_shape} smaller than {shape}"
    assert plan.double_precision == bool(double)

    for _ in range(d.int(1, 2)):
        image = plane(d, (h, w), finite=False)
        before = np.array(image)
        out, base, select = output_like(d, image)
        threads = weird(d, d.threads())
        clip = weird(d, d.bool())
        names = ("image", "out", "clip", "threads", "iterations", "acceleration", "weight", "alpha",
                 "incompatible function arguments")
        if kind == "wiener":
            args = (image, out, clip, threads)
        elif kind == "rl":
            iterations = weird(d, d.int(0, 6) if d.chance(250) else d.pick([-1, 10**6 + 1]))
            args = (image, out, iterations, d.pick(["none", "biggs", "x"]), clip, threads)
        else:
            weight = weird(d, d.number(0.0, 0.05))
            alpha = weird(d, d.pick([1.0, 2.0 / 3.0, 0.5, 2.0, d.number(-1.0, 3.0)]))
            iterations = weird(d, d.int(0, 5) if d.chance(250) else d.pick([-1, 100001]))
            args = (image, out, weight, alpha, iterations, clip, threads)
        ok, _ = fuzzlib.call(plan.apply, names, *args)
        if out is not image:
            assert np.array_equal(image, before, equal_nan=image.dtype.kind == "f"), f"{kind}: apply changed its input"
        if not ok:
            continue
        outside_untouched(out, base, select)
        if out.dtype.kind == "f" and finite_values(before):
            assert fuzzlib.is_finite(out), f"{kind}: non-finite output for finite input"
        if out is not image:
            again = np.zeros_like(out)
            plan.apply(image, again, *args[2:])
            assert np.array_equal(again, out, equal_nan=True), f"{kind}: apply is not deterministic"
    if kind == "tv" and d.chance(32):
        v, beta, alpha = d.number(-10, 10), d.number(0, 1e4), d.number(0.0, 2.0)
        ok, value = fuzzlib.call(core.TVDeconvolutionPlan.shrink, ("v", "beta", "alpha", "incompatible"), v, beta, alpha)
        if ok and all(map(math.isfinite, (v, beta, alpha))) and beta > 0 and 0 < alpha <= 2:
            assert math.isfinite(value) and abs(value) <= abs(v) + 1e-12, f"shrink({v}, {beta}, {alpha}) = {value}"


def image_case(d: Draw) -> None:
    """The functional kernels: a new array (or a number) from one image."""
    which = d.pick(["gaussian_blur", "unsharp_mask", "estimate_noise", "sharpness", "rgb_to_ycbcr", "ycbcr_to_rgb",
                    "rgb_to_y", "resize", "denoise_tv"])
    channels = (None, 1, 2, 3, 4) if which not in ("rgb_to_ycbcr", "ycbcr_to_rgb", "rgb_to_y") else (3, 4, 3, 1)
    image = d.image(20, channels=channels, finite=False, odd=12)
    # (a float copy only of numeric images: d.image also draws strings and objects)
    if which == "denoise_tv" and image.dtype.kind in "buif" and d.chance(200):
        image = image.astype(d.pick([np.float32, np.float64]))
        if d.chance(16):
            image = image.reshape(image.shape[:2] + (-1,))[..., :0] if image.ndim == 3 else image
    before = np.array(image)
    threads = weird(d, d.threads())
    names = ("image", "work", "sigma", "truncate", "boundary", "threads", "radius", "amount", "threshold", "clip",
             "size", "scale", "method", "antialias", "weight", "eps", "max_iterations", "joint",
             "incompatible function arguments")
    if which == "gaussian_blur":
        args = (image, weird(d, d.number(0.05, 6.0)), weird(d, d.number(0.5, 6.0) if d.chance(64) else 4.0),
                d.pick(["reflect", "nearest", "periodic", "wrap"]), threads)
    elif which == "unsharp_mask":
        args = (image, weird(d, d.number(0.05, 5.0)), weird(d, d.number(-1.0, 3.0)),
                weird(d, d.number(0.0, 0.5)), weird(d, d.bool()), threads)
    elif which in ("estimate_noise", "sharpness", "rgb_to_ycbcr", "rgb_to_y"):
        args = (image, threads)
    elif which == "ycbcr_to_rgb":
        args = (image, weird(d, d.bool()), threads)
    elif which == "resize":
        size = (d.int(1, 40), d.int(1, 40)) if d.chance(240) else d.pick([(0, 1), (-1, 5), (2**40, 2**40), (5,)])
        rows, cols = image.shape[:2] if image.ndim >= 2 else (1, 1)
        scale = (size[0] / max(rows, 1), size[1] / max(cols, 1)) if len(size) == 2 else (1.0, 1.0)
        if d.chance(24):
            scale = (d.number(-1.0, 5.0), d.number(0.0, 5.0))
        args = (image, weird(d, size), weird(d, scale), d.pick(["bicubic", "bilinear", "nearest", "area", "box"]),
                weird(d, d.bool()), d.pick(["symmetric", "replicate", "circular"]), threads)
    else:
        args = (image, weird(d, d.number(0.0, 0.5)), weird(d, d.number(1e-6, 1e-2)),
                weird(d, d.int(1, 20) if d.chance(250) else d.pick([0, -1, 2**40])), weird(d, d.bool()), threads)
    ok, result = fuzzlib.call(getattr(core, which), names, *args)
    assert np.array_equal(image, before, equal_nan=image.dtype.kind == "f"), f"{which} changed its input"
    if not ok:
        return
    finite_in = finite_values(before)
    if which in ("estimate_noise", "sharpness"):
        values = np.atleast_1d(np.asarray(result, np.float64))
        if finite_in:
            assert np.all(np.isfinite(values)) and np.all(values >= 0), f"{which} = {result}"
        return
    assert isinstance(result, np.ndarray), f"{which} returned {type(result).__name__}"
    if which == "resize":
        assert result.shape[:2] == tuple(args[1]) and result.shape[2:] == image.shape[2:], f"resize {result.shape}"
    elif which == "rgb_to_y":
        assert result.shape == image.shape[:2], f"rgb_to_y {result.shape}"
    else:
        assert result.shape == image.shape, f"{which} {result.shape} != {image.shape}"
    assert result.dtype == image.dtype, f"{which} dtype {result.dtype}"
    if result.dtype.kind == "f" and finite_in and which != "unsharp_mask":
        assert fuzzlib.is_finite(result), f"{which}: non-finite output for finite input"
    again = getattr(core, which)(*args)
    assert np.array_equal(again, result, equal_nan=True), f"{which} is not deterministic"
    if which == "resize" and d.chance(32):
        # The test hooks behind resize: the same image, plus what they report.
        hooked, recomputed = core._resize_counted(*args)
        paths = core._resize_paths(*args)
        assert np.array_equal(hooked, result, equal_nan=True) and np.array_equal(paths[0], result, equal_nan=True)
        assert recomputed >= 0 and paths[1] == recomputed, f"_resize_paths {paths[1:]} vs {recomputed}"
        column, how = core._resize_column_path(*args)
        assert np.array_equal(column, result, equal_nan=True), "_resize_column_path's image"
        assert how in ("integer rows", "integer aligned pairs", "integer pairs", "float rows", "float transposed",
                       ""), f"_resize_column_path: {how!r}"


def misc_case(d: Draw) -> None:
    n = d.pick([d.int(-3, 5000), 2**40, 2**40 + 1, 2**63 - 1, -(2**63), 2**64, 1.5, None])
    ok, value = fuzzlib.call(core.fast_length, ("n", "incompatible function arguments"), n)
    if ok:
        assert value >= n and all(p in (2, 3, 5) for p in _factors(value)), f"fast_length({n}) = {value}"
    assert core.available_cpus() >= 1
    assert core.cpu_variant() in ("avx2", "baseline")


def _factors(m: int) -> list[int]:
    out, p = [], 2
    while p * p <= m:
        while m % p == 0:
            out.append(p)
            m //= p
        p += 1
    return out + ([m] if m > 1 else [])


def test_one_input(data: bytes) -> None:
    d = Draw(data)
    case = d.int(0, 9)
    if case < 2:
        plan_case(d, "wiener")
    elif case < 4:
        plan_case(d, "rl")
    elif case < 6:
        plan_case(d, "tv")
    elif case < 9:
        image_case(d)
    else:
        misc_case(d)


if __name__ == "__main__":
    fuzzlib.run(test_one_input)
