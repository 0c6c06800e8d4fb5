"""The compiled bindings called directly: ``clearsight._core.WienerPlan``,
``WienerPlan.apply`` and ``fast_length``.

The bindings are callable without the Python door, so they must turn every bad
argument into ``ValueError`` / ``TypeError`` rather than crash, and give the
reference's answer for every good one.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
import scipy.fft

from clearsight.reference import deconvolution as ref

core = pytest.importorskip("clearsight._core", reason="clearsight._core is not importable")

PSF = np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]) / 16
SHAPE = (12, 17)


def plan(psf=PSF, shape=SHAPE, balance=0.01, regularizer="identity", boundary="reflect", double=True, **kw):
    return core.WienerPlan(psf, shape, balance, regularizer, boundary, double, **kw)


def image(shape=SHAPE, dtype=np.float64, seed=0) -> np.ndarray:
    unit = np.random.default_rng(seed).random(shape)
    if np.dtype(dtype).kind == "u":
        return np.round(unit * np.iinfo(dtype).max).astype(dtype)
    return unit.astype(dtype)


def reference_plane(x, psf=PSF, balance=0.01, regularizer="identity", boundary="reflect", clip=True):
    return ref.wiener(np.ascontiguousarray(x), psf, balance, regularizer, boundary, clip)


def misaligned(shape, dtype) -> np.ndarray:
    """A writable array of `shape` whose data pointer is one byte off its item alignment."""
    dtype = np.dtype(dtype)
    count = int(np.prod(shape))
    raw = bytearray(dtype.itemsize * count + 1)
    array = np.frombuffer(raw, dtype=dtype, offset=1, count=count).reshape(shape)
    assert array.flags.writeable and not array.flags.aligned
    return array


# ------------------------------------------------------------------ good calls

@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("boundary", ["reflect", "periodic", "taper"])
@pytest.mark.parametrize("regularizer", ["identity", "laplacian"])
def test_apply_gives_the_reference_answer(dtype, boundary, regularizer):
    p = plan(boundary=boundary, regularizer=regularizer, double=dtype == np.float64)
    assert p.shape == SHAPE
    assert p.double_precision == (dtype == np.float64)
    assert p.padded_shape == (
        ref.padded_length(SHAPE[0], 3, boundary),
        ref.padded_length(SHAPE[1], 3, boundary),
    )
    x = image(dtype=dtype)
    out = np.empty_like(x)
    assert p.apply(x, out, False, 1) is None
    expected = reference_plane(x, boundary=boundary, regularizer=regularizer, clip=False)
    if np.dtype(dtype).kind == "u":
        assert np.abs(out.astype(int) - expected.astype(int)).max() <= 1
    else:
        tol = 1e-9 if dtype == np.float64 else (2e-6 / 0.1 if regularizer == "identity" else 1e-5 / 0.01)
        np.testing.assert_allclose(out, expected, rtol=0, atol=tol)


def test_psf_with_any_strides_is_read_correctly():
    rng = np.random.default_rng(1)
    psf = rng.random((5, 4))
    x = image()
    expected = np.empty_like(x)
    plan(psf=np.ascontiguousarray(psf[::-1, ::-1].T)).apply(x, expected, False, 1)
    for view in (psf[::-1, ::-1].T, np.asfortranarray(psf)[::-1, ::-1].T, np.repeat(psf, 2, axis=1)[:, ::2][::-1, ::-1].T):
        out = np.empty_like(x)
        plan(psf=view).apply(x, out, False, 1)
        np.testing.assert_array_equal(out, expected)


def test_psf_is_normalised():
    x = image()
    a, b = np.empty_like(x), np.empty_like(x)
    plan(psf=PSF).apply(x, a, False, 1)
    plan(psf=PSF * 1000).apply(x, b, False, 1)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)


def test_double_precision_flag_accepts_truthy_values():
    assert plan(double=1).double_precision is True
    assert plan(double=0).double_precision is False


@pytest.mark.parametrize("threads", [1, 2, 3, 16, 10**6, 2**62])
def test_absurd_thread_counts_are_clamped(threads):
    x = image((64, 71), np.float32)
    p = plan(shape=(64, 71), double=False)
    expected = np.empty_like(x)
    p.apply(x, expected, True, 1)
    out = np.empty_like(x)
    p.apply(x, out, True, threads)
    np.testing.assert_array_equal(out, expected)
    # the planning thread count does not change the answer either
    out2 = np.empty_like(x)
    plan(shape=(64, 71), double=False, threads=threads).apply(x, out2, True, 2)
    np.testing.assert_array_equal(out2, expected)


def test_in_place_apply():
    for dtype in (np.uint8, np.float32, np.float64):
        for boundary in ("reflect", "periodic", "taper"):
            p = plan(boundary=boundary, double=dtype == np.float64)
            x = image(dtype=dtype, seed=3)
            expected = np.empty_like(x)
            p.apply(x, expected, True, 2)
            p.apply(x, x, True, 2)
            np.testing.assert_array_equal(x, expected)


def test_one_plan_called_from_several_threads_with_different_thread_counts():
    shape = (150, 173)
    p = plan(shape=shape, double=False, boundary="taper")
    frames = [image(shape, np.float32, seed=s) for s in range(4)]
    expected = []
    for frame in frames:
        out = np.empty_like(frame)
        p.apply(frame, out, True, 1)
        expected.append(out)
    failures = []

    def work(index: int) -> None:
        for k in range(12):
            which = (index + k) % 4
            out = np.empty_like(frames[which])
            p.apply(frames[which], out, True, 1 + (index + k) % 5)
            if not np.array_equal(out, expected[which]):
                failures.append((index, k))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


# --------------------------------------------------- bad arguments to the plan

@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        pytest.param(dict(shape=(0, 5)), ValueError, "shape", id="shape-0x5"),
        pytest.param(dict(shape=(5, 0)), ValueError, "shape", id="shape-5x0"),
        pytest.param(dict(shape=(-3, 5)), ValueError, "shape", id="shape-negative"),
        pytest.param(dict(shape=(2**40, 2**40)), ValueError, "shape", id="shape-huge"),
        pytest.param(dict(shape=(2**62, 2)), ValueError, "shape", id="shape-overflowing"),
        pytest.param(dict(shape=(5, 6, 3)), TypeError, None, id="shape-3-items"),
        pytest.param(dict(shape=(5,)), TypeError, None, id="shape-1-item"),
        pytest.param(dict(shape=(10**30, 5)), TypeError, None, id="shape-beyond-int64"),
        pytest.param(dict(shape=None), TypeError, None, id="shape-None"),
        pytest.param(dict(psf=np.ones((20, 3))), ValueError, "psf", id="psf-taller-than-shape"),
        pytest.param(dict(psf=np.ones((3, 20))), ValueError, "psf", id="psf-wider-than-shape"),
        pytest.param(dict(psf=np.array([[0.2, np.nan], [0.2, 0.2]])), ValueError, "psf", id="psf-nan"),
        pytest.param(dict(psf=np.array([[0.2, np.inf], [0.2, 0.2]])), ValueError, "psf", id="psf-inf"),
        pytest.param(dict(psf=np.array([[0.2, -0.1], [0.2, 0.2]])), ValueError, "psf", id="psf-negative"),
        pytest.param(dict(psf=np.zeros((3, 3))), ValueError, "psf", id="psf-all-zero"),
        pytest.param(dict(psf=np.full((2, 2), 1e308)), ValueError, "psf", id="psf-sum-overflows"),
        pytest.param(dict(psf=np.ones((0, 3))), ValueError, "psf", id="psf-empty"),
        pytest.param(dict(psf=np.ones(3)), ValueError, "psf", id="psf-1-D"),
        pytest.param(dict(psf=np.ones((3, 3, 1))), ValueError, "psf", id="psf-3-D"),
        pytest.param(dict(psf=np.ones((3, 3), np.float32)), TypeError, "psf", id="psf-float32"),
        pytest.param(dict(psf=np.ones((3, 3), np.int32)), TypeError, "psf", id="psf-int32"),
        pytest.param(dict(psf=np.ones((3, 3), np.complex128)), TypeError, "psf", id="psf-complex"),
        pytest.param(dict(psf=misaligned((3, 3), np.float64)), ValueError, "psf", id="psf-misaligned"),
        pytest.param(dict(psf=None), TypeError, None, id="psf-None"),
        pytest.param(dict(psf=[[1.0]]), TypeError, None, id="psf-list"),
        pytest.param(dict(balance=0.0), ValueError, "balance", id="balance-0"),
        pytest.param(dict(balance=-1.0), ValueError, "balance", id="balance-negative"),
        pytest.param(dict(balance=float("nan")), ValueError, "balance", id="balance-nan"),
        pytest.param(dict(balance=float("inf")), ValueError, "balance", id="balance-inf"),
        pytest.param(dict(balance="0.1"), TypeError, None, id="balance-str"),
        pytest.param(dict(regularizer="tikhonov"), ValueError, "regularizer", id="regularizer-unknown"),
        pytest.param(dict(regularizer=""), ValueError, "regularizer", id="regularizer-empty"),
        pytest.param(dict(regularizer=None), TypeError, None, id="regularizer-None"),
        pytest.param(dict(boundary="wrap"), ValueError, "boundary", id="boundary-unknown"),
        pytest.param(dict(boundary="Reflect"), ValueError, "boundary", id="boundary-case"),
        pytest.param(dict(boundary=3), TypeError, None, id="boundary-int"),
        pytest.param(dict(threads=0), ValueError, "threads", id="threads-0"),
        pytest.param(dict(threads=-1), ValueError, "threads", id="threads-negative"),
        pytest.param(dict(threads=1.5), TypeError, None, id="threads-float"),
    ],
)
def test_bad_plan_arguments(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        plan(**kwargs)


def test_misaligned_psf_strides():
    psf = np.lib.stride_tricks.as_strided(np.zeros(100), shape=(3, 3), strides=(36, 12))
    with pytest.raises(ValueError, match="psf"):
        plan(psf=psf)


# -------------------------------------------------- bad arguments to apply()

@pytest.mark.parametrize("double", [True, False])
@pytest.mark.parametrize(
    ("make", "error", "fragment"),
    [
        pytest.param(lambda dt: (np.zeros(17, dt), np.zeros(17, dt)), ValueError, "image", id="1-D"),
        pytest.param(lambda dt: (np.zeros((12, 17, 1), dt), np.zeros((12, 17, 1), dt)), ValueError, "image", id="3-D"),
        pytest.param(lambda dt: (np.zeros((0, 5), dt), np.zeros((0, 5), dt)), ValueError, "image", id="0x5"),
        pytest.param(lambda dt: (np.zeros((12, 16), dt), np.zeros((12, 16), dt)), ValueError, "image", id="other-shape"),
        pytest.param(lambda dt: (np.zeros((17, 12), dt), np.zeros((17, 12), dt)), ValueError, "image", id="transposed"),
        pytest.param(lambda dt: (np.zeros((12, 17), dt), np.zeros((12, 16), dt)), ValueError, "out", id="out-shape"),
        pytest.param(lambda dt: (np.zeros((12, 17), dt), np.zeros(17, dt)), ValueError, "out", id="out-1-D"),
        pytest.param(lambda dt: (np.zeros((12, 17), np.int32), np.zeros((12, 17), np.int32)), TypeError, "image", id="int32"),
        pytest.param(lambda dt: (np.zeros((12, 17), np.int64), np.zeros((12, 17), np.int64)), TypeError, "image", id="int64"),
        pytest.param(lambda dt: (np.zeros((12, 17), np.complex128), np.zeros((12, 17), np.complex128)), TypeError, "image", id="complex"),
        pytest.param(lambda dt: (np.zeros((12, 17), bool), np.zeros((12, 17), bool)), TypeError, "image", id="bool"),
        pytest.param(lambda dt: (np.zeros((12, 17), np.float16), np.zeros((12, 17), np.float16)), TypeError, "image", id="float16"),
        pytest.param(lambda dt: (np.zeros((12, 17), ">f8"), np.zeros((12, 17), ">f8")), TypeError, "image", id="big-endian"),
        pytest.param(lambda dt: (np.zeros((12, 17), object), np.zeros((12, 17), object)), TypeError, "image", id="object"),
        pytest.param(lambda dt: (np.zeros((12, 17), np.float32), np.zeros((12, 17), np.float64)), ValueError, "dtype", id="dtype-mismatch"),
        pytest.param(lambda dt: (np.zeros((12, 17), np.uint8), np.zeros((12, 17), np.int32)), TypeError, "out", id="out-int32"),
        pytest.param(lambda dt: (misaligned((12, 17), np.float64), np.zeros((12, 17))), ValueError, "image", id="misaligned-image-f64"),
        pytest.param(lambda dt: (np.zeros((12, 17)), misaligned((12, 17), np.float64)), ValueError, "out", id="misaligned-out-f64"),
        pytest.param(lambda dt: (misaligned((12, 17), np.float32), np.zeros((12, 17), np.float32)), ValueError, "image", id="misaligned-image-f32"),
        pytest.param(lambda dt: (misaligned((12, 17), np.uint16), np.zeros((12, 17), np.uint16)), ValueError, "image", id="misaligned-image-u16"),
        pytest.param(
            lambda dt: (np.lib.stride_tricks.as_strided(np.zeros(400), (12, 17), (20 * 8 + 4, 8)), np.zeros((12, 17))),
            ValueError, "image", id="odd-row-stride",
        ),
        pytest.param(lambda dt: (np.zeros((12, 17), dt), _read_only(np.zeros((12, 17), dt))), ValueError, "out", id="read-only-out"),
    ],
)
def test_bad_apply_arguments(double, make, error, fragment):
    p = plan(double=double)
    x, out = make(np.float64 if double else np.float32)
    with pytest.raises(error, match=fragment):
        p.apply(x, out, True, 1)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def test_misaligned_uint8_is_fine():
    # One byte is always aligned for uint8: a view at an odd offset is a valid plane.
    raw = np.frombuffer(bytearray(12 * 17 + 1), np.uint8, offset=1, count=12 * 17).reshape(12, 17)
    raw[...] = image(dtype=np.uint8)
    out = np.empty((12, 17), np.uint8)
    plan(double=False).apply(raw, out, True, 1)
    assert np.abs(out.astype(int) - reference_plane(raw).astype(int)).max() <= 1


@pytest.mark.parametrize(
    ("threads", "error"),
    [(0, ValueError), (-1, ValueError), (1.5, TypeError), (None, TypeError), ("2", TypeError), (10**30, TypeError)],
)
def test_bad_apply_threads(threads, error):
    x = image()
    out = np.full_like(x, 7.0)
    with pytest.raises(error, match="threads" if error is ValueError else None):
        plan().apply(x, out, True, threads)
    assert np.all(out == 7.0)


@pytest.mark.parametrize("bad", [None, [[0.0] * 17] * 12, "out"])
def test_apply_needs_arrays(bad):
    x = image()
    with pytest.raises(TypeError):
        plan().apply(x, bad, True, 1)
    with pytest.raises(TypeError):
        plan().apply(bad, np.empty_like(x), True, 1)


def test_failed_apply_leaves_plan_usable():
    p = plan()
    with pytest.raises(ValueError):
        p.apply(np.zeros((3, 3)), np.zeros((3, 3)), True, 1)
    x, out = image(), np.empty(SHAPE)
    p.apply(x, out, True, 1)
    assert np.abs(out - reference_plane(x)).max() <= 1e-9


# ------------------------------------------------------------------ fast_length

def test_fast_length_agrees_with_reference_and_scipy():
    ns = list(range(1, 5001)) + [2**20 + 1, 3**13 - 1, 5**9 + 7, 1_000_003, 2**30 + 3]
    for n in ns:
        ours = core.fast_length(n)
        assert ours == ref.fast_length(n), n
        # scipy's next_fast_len(real=True) is the 2·3·5-smooth successor too
        # (pocketfft's real transforms); with real=False it also allows 7 and 11.
        assert ours == scipy.fft.next_fast_len(n, real=True), n
    assert [core.fast_length(n) for n in (1, 7, 11, 13, 97, 101, 1025)] == [1, 8, 12, 15, 100, 108, 1080]


@pytest.mark.parametrize(("n", "error"), [(0, ValueError), (-5, ValueError), (1.5, TypeError), (None, TypeError)])
def test_fast_length_bad_input(n, error):
    with pytest.raises(error):
        core.fast_length(n)
