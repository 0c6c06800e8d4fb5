"""``clearsight._core.RichardsonLucyPlan`` called directly.

The binding is callable without the Python door, so every bad argument must
become ``ValueError`` / ``TypeError`` naming it (never a crash, a hang or a
write out of bounds); concurrent calls on one plan and different thread
counts must give the serial answer.
"""

from __future__ import annotations

import importlib
import threading

import numpy as np
import pytest

core = pytest.importorskip("clearsight._core", reason="clearsight._core is not importable")
if not hasattr(core, "RichardsonLucyPlan"):
    pytest.skip("compiled RichardsonLucyPlan not available", allow_module_level=True)
reference = importlib.import_module("clearsight.reference.richardson_lucy")

PSF = np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]) / 16
SHAPE = (12, 17)


def plan(psf=PSF, shape=SHAPE, boundary="reflect", double=True, **kw):
    return core.RichardsonLucyPlan(psf, shape, boundary, double, **kw)


def image(shape=SHAPE, dtype=np.float64, seed=0) -> np.ndarray:
    unit = 0.1 + 0.8 * np.random.default_rng(seed).random(shape)
    if np.dtype(dtype).kind == "u":
        return np.round(unit * np.iinfo(dtype).max).astype(dtype)
    return unit.astype(dtype)


def misaligned(shape, dtype) -> np.ndarray:
    dtype = np.dtype(dtype)
    count = int(np.prod(shape))
    raw = bytearray(dtype.itemsize * count + 1)
    return np.frombuffer(raw, dtype=dtype, offset=1, count=count).reshape(shape)


# ------------------------------------------------------------------ good calls

@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("boundary", reference.RL_BOUNDARIES)
def test_apply_gives_the_reference_answer(dtype, boundary):
    double = dtype == np.float64
    p = plan(boundary=boundary, double=double)
    ref = reference.RichardsonLucyPlan(PSF, SHAPE, boundary, double)
    assert p.shape == SHAPE and p.padded_shape == ref.padded_shape and p.double_precision == double
    x = image(dtype=dtype)
    expected = np.empty_like(x)
    ref.apply(x, expected, 5, "biggs", True, 1)
    out = np.empty_like(x)
    p.apply(x, out, 5, "biggs", True, 3)
    atol = 1 if np.dtype(dtype).kind == "u" else (1e-12 if double else 1e-5)
    np.testing.assert_allclose(out.astype(np.float64), expected.astype(np.float64), rtol=0, atol=atol)


def test_in_place_apply():
    x = image(dtype=np.float32)
    expected = np.empty_like(x)
    plan(double=False).apply(x, expected, 4, "none", False, 1)
    plan(double=False).apply(x, x, 4, "none", False, 1)
    np.testing.assert_array_equal(x, expected)


@pytest.mark.parametrize("acceleration", ["none", "biggs"])
def test_thread_count_does_not_change_the_result(acceleration):
    x = image((97, 131), np.float32, seed=3)
    p = plan(np.random.default_rng(1).random((7, 9)), (97, 131), "zero", False)
    results = []
    for threads in (1, 2, 3, 8):
        out = np.empty_like(x)
        p.apply(x, out, 10, acceleration, False, threads)
        results.append(out)
    # Blocks of rows and columns are fixed and the Biggs sums are added in row
    # order, so the result is bitwise the same for every thread count.
    for out in results[1:]:
        np.testing.assert_array_equal(out, results[0])


def test_concurrent_calls_on_one_plan_match_serial_calls():
    p = plan(np.random.default_rng(2).random((5, 5)), (64, 80), "reflect", False)
    inputs = [image((64, 80), np.float32, seed=s) for s in range(6)]
    serial = []
    for x in inputs:
        out = np.empty_like(x)
        p.apply(x, out, 6, "biggs", False, 2)
        serial.append(out)
    outputs = [np.empty_like(x) for x in inputs]
    errors = []

    def work(i):
        try:
            p.apply(inputs[i], outputs[i], 6, "biggs", False, 2)
        except Exception as error:  # noqa: BLE001  # pragma: no cover - any failure is reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for got, want in zip(outputs, serial, strict=True):
        np.testing.assert_array_equal(got, want)


def test_zero_iterations_copies_the_plane():
    x = image(dtype=np.float64)
    out = np.empty_like(x)
    plan().apply(x, out, 0, "none", False, 1)
    np.testing.assert_array_equal(out, x)


# ------------------------------------------------------------------ bad calls

@pytest.mark.parametrize(
    "kwargs, error, word",
    [
        (dict(psf=PSF.astype(np.float32)), TypeError, "psf"),
        (dict(psf=np.ones(3)), ValueError, "psf"),
        (dict(psf=np.full((3, 3), np.nan)), ValueError, "psf"),
        (dict(psf=-PSF), ValueError, "psf"),
        (dict(psf=np.zeros((3, 3))), ValueError, "psf"),
        (dict(psf=np.ones((20, 20))), ValueError, "psf"),
        (dict(shape=(0, 5)), ValueError, "shape"),
        (dict(shape=(-3, 5)), ValueError, "shape"),
        (dict(shape=(1 << 20, 1 << 20)), ValueError, "shape"),
        (dict(boundary="mirror"), ValueError, "boundary"),
        (dict(threads=0), ValueError, "threads"),
        (dict(threads=-4), ValueError, "threads"),
    ],
)
def test_bad_plan_arguments(kwargs, error, word):
    with pytest.raises(error, match=word):
        plan(**kwargs)


def test_absurd_thread_counts_are_capped():
    x = image()
    out = np.empty_like(x)
    plan(threads=10**6).apply(x, out, 2, "none", False, 10**6)
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize(
    "make, error, word",
    [
        (lambda x: (x.astype(np.int32), np.empty(SHAPE, np.int32)), TypeError, "image"),
        (lambda x: (x, np.empty(SHAPE, np.float32)), ValueError, "dtype"),
        (lambda x: (x[None], np.empty((1,) + SHAPE)), ValueError, "image"),
        (lambda x: (x[:5], np.empty((5, SHAPE[1]))), ValueError, "image"),
        (lambda x: (x, np.empty(SHAPE)[:, :3]), ValueError, "out"),
        (lambda x: (x, misaligned(SHAPE, np.float64)), ValueError, "out"),
        (lambda x: (misaligned(SHAPE, np.float64), np.empty(SHAPE)), ValueError, "image"),
        (lambda x: (np.where(np.arange(17) == 4, np.nan, x), np.empty(SHAPE)), ValueError, "finite"),
        (lambda x: (np.where(np.arange(17) == 4, np.inf, x), np.empty(SHAPE)), ValueError, "finite"),
    ],
)
def test_bad_apply_arguments(make, error, word):
    image_arg, out = make(image())
    sentinel = out.copy() if out.flags.aligned else None
    with pytest.raises(error, match=word):
        plan().apply(image_arg, out, 3, "none", False, 1)
    if sentinel is not None:
        np.testing.assert_array_equal(out, sentinel)  # untouched


def test_read_only_out_is_refused():
    out = np.empty(SHAPE)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="out"):
        plan().apply(image(), out, 3, "none", False, 1)


@pytest.mark.parametrize(
    "iterations, acceleration, threads, word",
    [(-1, "none", 1, "iterations"), (10**9, "none", 1, "iterations"), (3, "fast", 1, "acceleration"),
     (3, "none", 0, "threads"), (3, "none", -2, "threads")],
)
def test_bad_apply_parameters(iterations, acceleration, threads, word):
    with pytest.raises(ValueError, match=word):
        plan().apply(image(), np.empty(SHAPE), iterations, acceleration, False, threads)


def test_wrong_argument_types():
    with pytest.raises(TypeError):
        plan().apply(image(), np.empty(SHAPE), 3.5, "none", False, 1)
    with pytest.raises(TypeError):
        plan().apply(image(), np.empty(SHAPE), 3, None, False, 1)
    with pytest.raises(TypeError):
        core.RichardsonLucyPlan(PSF, (3,), "zero", True)


# ------------------------------------------------------------------ TVDeconvolutionPlan

tv_reference = importlib.import_module("clearsight.reference.tv_deconvolution")


def tv_plan(psf=PSF, shape=SHAPE, boundary="unknown", double=True, **kw):
    return core.TVDeconvolutionPlan(psf, shape, boundary, double, **kw)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("boundary", tv_reference.TV_BOUNDARIES)
def test_tv_apply_gives_the_reference_answer(dtype, boundary):
    double = dtype == np.float64
    p = tv_plan(boundary=boundary, double=double)
    ref = tv_reference.TVDeconvolutionPlan(PSF, SHAPE, boundary, double)
    assert p.shape == SHAPE and p.padded_shape == ref.padded_shape and p.double_precision == double
    x = image(dtype=dtype)
    expected = np.empty_like(x)
    ref.apply(x, expected, 0.01, 1.0, 6, True, 1)
    out = np.empty_like(x)
    p.apply(x, out, 0.01, 1.0, 6, True, 3)
    atol = 1 if np.dtype(dtype).kind == "u" else (1e-12 if double else 1e-5)
    np.testing.assert_allclose(out.astype(np.float64), expected.astype(np.float64), rtol=0, atol=atol)


@pytest.mark.parametrize("alpha", [1.0, 2.0 / 3.0, 0.8])
def test_tv_thread_count_does_not_change_the_result(alpha):
    x = image((61, 83), np.float32, seed=4)
    p = tv_plan(np.random.default_rng(1).random((5, 7)), (61, 83), "unknown", False)
    results = []
    for threads in (1, 2, 3, 8):
        out = np.empty_like(x)
        p.apply(x, out, 0.005, alpha, 8, False, threads)
        results.append(out)
    for out in results[1:]:
        np.testing.assert_array_equal(out, results[0])


def test_tv_concurrent_calls_on_one_plan_match_serial_calls():
    p = tv_plan(np.random.default_rng(2).random((5, 5)), (48, 64), "reflect", False)
    inputs = [image((48, 64), np.float32, seed=s) for s in range(5)]
    serial = []
    for x in inputs:
        out = np.empty_like(x)
        p.apply(x, out, 0.01, 2.0 / 3.0, 6, False, 2)
        serial.append(out)
    outputs = [np.empty_like(x) for x in inputs]
    threads = [threading.Thread(target=p.apply, args=(inputs[i], outputs[i], 0.01, 2.0 / 3.0, 6, False, 2))
               for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(outputs, serial, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "kwargs, error, word",
    [
        (dict(psf=PSF.astype(np.float32)), TypeError, "psf"),
        (dict(psf=np.full((3, 3), np.inf)), ValueError, "psf"),
        (dict(psf=np.ones((20, 20))), ValueError, "psf"),
        (dict(shape=(0, 5)), ValueError, "shape"),
        (dict(shape=(1 << 20, 1 << 20)), ValueError, "shape"),
        (dict(boundary="zero"), ValueError, "boundary"),
        (dict(threads=0), ValueError, "threads"),
    ],
)
def test_tv_bad_plan_arguments(kwargs, error, word):
    with pytest.raises(error, match=word):
        tv_plan(**kwargs)


@pytest.mark.parametrize(
    "weight, alpha, iterations, threads, word",
    [(np.nan, 1.0, 3, 1, "weight"), (-1.0, 1.0, 3, 1, "weight"), (np.inf, 1.0, 3, 1, "weight"),
     (0.01, np.nan, 3, 1, "alpha"), (0.01, 0.0, 3, 1, "alpha"), (0.01, 2.5, 3, 1, "alpha"),
     (0.01, 1.0, -1, 1, "iterations"), (0.01, 1.0, 10**9, 1, "iterations"), (0.01, 1.0, 3, 0, "threads"),
     (0.01, 1.0, 3, -5, "threads")],
)
def test_tv_bad_apply_parameters(weight, alpha, iterations, threads, word):
    out = np.zeros(SHAPE)
    with pytest.raises(ValueError, match=word):
        tv_plan().apply(image(), out, weight, alpha, iterations, False, threads)
    assert np.all(out == 0)


@pytest.mark.parametrize(
    "make, error, word",
    [
        (lambda x: (x.astype(np.int16), np.empty(SHAPE, np.int16)), TypeError, "image"),
        (lambda x: (x, np.empty(SHAPE, np.float32)), ValueError, "dtype"),
        (lambda x: (x[:5], np.empty((5, SHAPE[1]))), ValueError, "image"),
        (lambda x: (x, misaligned(SHAPE, np.float64)), ValueError, "out"),
        (lambda x: (np.where(np.arange(17) == 4, np.nan, x), np.zeros(SHAPE)), ValueError, "finite"),
    ],
)
def test_tv_bad_apply_arrays(make, error, word):
    image_arg, out = make(image())
    with pytest.raises(error, match=word):
        tv_plan().apply(image_arg, out, 0.01, 1.0, 3, False, 1)


def test_tv_read_only_out_is_refused():
    out = np.empty(SHAPE)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="out"):
        tv_plan().apply(image(), out, 0.01, 1.0, 3, False, 1)
