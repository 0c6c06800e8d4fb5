"""The public Wiener doors, ``wiener`` and ``Deconvolver``: layouts, ``out``,
alpha, per-channel PSFs, determinism, thread safety and the NumPy fallback.

Every test taking ``backend`` runs once per available backend.
"""

from __future__ import annotations

import sys
import threading
import warnings

import numpy as np
import pytest

import clearsight
from clearsight import _dispatch, reference
from clearsight.reference.deconvolution import fast_length

BOUNDARIES = ("reflect", "periodic", "taper")
REGULARIZERS = ("identity", "laplacian")
DTYPES = (np.uint8, np.uint16, np.float32, np.float64)


def scene(shape, dtype=np.float64, seed=0) -> np.ndarray:
    """A smooth picture with edges plus some texture, in [0, 1], as `dtype`."""
    rng = np.random.default_rng(seed)
    h, w = shape[:2]
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    base = 0.5 + 0.3 * np.sin(11 * xx + 3 * seed) * np.cos(7 * yy)
    base[h // 4 : h // 2, w // 3 : 2 * w // 3] = 0.9
    planes = [np.clip(np.roll(base, 5 * c, axis=1) + 0.05 * rng.standard_normal((h, w)), 0, 1)
              for c in range(shape[2] if len(shape) == 3 else 1)]
    unit = np.stack(planes, axis=-1) if len(shape) == 3 else planes[0]
    if np.dtype(dtype).kind == "u":
        return np.floor(unit * np.iinfo(dtype).max + 0.5).astype(dtype)
    return unit.astype(dtype)


PSF = clearsight.psf.gaussian(1.5)
MOTION = clearsight.psf.motion(9, 30)


# -------------------------------------------------------------- basic answers

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(40, 52), (40, 52, 1), (40, 52, 2), (40, 52, 3), (40, 52, 4)])
def test_shape_dtype_and_reference_answer(backend, dtype, shape):
    image = scene(shape, dtype)
    got = clearsight.wiener(image, PSF, 0.01, backend=backend)
    assert got.shape == image.shape and got.dtype == image.dtype and got is not image
    expected = reference.wiener(image, PSF, 0.01)
    if np.dtype(dtype).kind == "u":
        assert np.abs(got.astype(np.int64) - expected.astype(np.int64)).max() <= 1
    else:
        tol = 1e-9 if dtype == np.float64 else 2e-6 / np.sqrt(0.01)
        np.testing.assert_allclose(got, expected, rtol=0, atol=tol)


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("regularizer", REGULARIZERS)
def test_wiener_is_a_one_shot_deconvolver(backend, boundary, regularizer):
    image = scene((33, 47, 3), np.float32)
    options = dict(regularizer=regularizer, boundary=boundary, backend=backend)
    one_shot = clearsight.wiener(image, MOTION, 0.02, **options)
    planned = clearsight.Deconvolver(MOTION, image.shape, balance=0.02, dtype=np.float32, **options)
    np.testing.assert_array_equal(planned(image), one_shot)


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_padded_shape(backend, boundary):
    deconvolve = clearsight.Deconvolver(np.ones((5, 8)), (37, 61), boundary=boundary, backend=backend)
    if boundary == "reflect":  # mirrored by the PSF's size on both sides, then up to a 2·3·5-smooth length
        assert deconvolve.padded_shape == (fast_length(37 + 10), fast_length(61 + 16)) == (48, 80)
    else:
        assert deconvolve.padded_shape == (37, 61)


@pytest.mark.parametrize("dtype", DTYPES)
def test_clip(backend, dtype):
    image = scene((30, 41), dtype)
    sharp = clearsight.wiener(image, PSF, 1e-3, clip=False, backend=backend)
    clipped = clearsight.wiener(image, PSF, 1e-3, clip=True, backend=backend)
    if np.dtype(dtype).kind == "u":  # integers are always clipped
        np.testing.assert_array_equal(sharp, clipped)
    else:
        assert sharp.min() < 0 and sharp.max() > 1  # this PSF and balance do overshoot
        np.testing.assert_array_equal(clipped, np.clip(sharp, 0, 1))


def test_tiny_images(backend):
    # A 1×1 PSF is a delta: with R = 1 the filter is 1 / (1 + balance) everywhere.
    for shape in [(1, 1), (1, 1, 3), (1, 7), (7, 1), (2, 2, 4), (3, 1, 2)]:
        image = scene(shape, np.float64)
        got = clearsight.wiener(image, np.ones((1, 1)), 1e-3, clip=False, backend=backend)
        colour = shape[2] - 1 if len(shape) == 3 and shape[2] in (2, 4) else None
        np.testing.assert_allclose(got[..., :colour], image[..., :colour] / (1 + 1e-3), rtol=1e-12, atol=1e-15)
        if colour is not None:
            np.testing.assert_array_equal(got[..., colour:], image[..., colour:])
    # a PSF as large as the image
    image = scene((5, 6), np.float64)
    psf = np.arange(30, dtype=float).reshape(5, 6) + 1
    for boundary in BOUNDARIES:
        np.testing.assert_allclose(clearsight.wiener(image, psf, 0.1, boundary=boundary, backend=backend),
                                   reference.wiener(image, psf, 0.1, boundary=boundary), rtol=0, atol=1e-9)


# --------------------------------------------------------------- out and layouts

@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(48, 61), (48, 61, 3), (48, 61, 4), (48, 61, 2)])
@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_in_place_equals_out_of_place(backend, dtype, shape, boundary):
    image = scene(shape, dtype, seed=1)
    deconvolve = clearsight.Deconvolver(MOTION, shape, dtype=dtype, boundary=boundary, backend=backend)
    expected = deconvolve(image)
    work = image.copy()
    result = deconvolve(work, out=work)
    assert result is work
    np.testing.assert_array_equal(work, expected)


@pytest.mark.parametrize("layout", ["fortran", "flip", "flip_cols", "every_other_col", "channel_slice"])
@pytest.mark.parametrize("dtype", [np.uint16, np.float32])
def test_out_with_any_strides(backend, layout, dtype):
    shape = (45, 38, 3)
    image = scene(shape, dtype, seed=2)
    deconvolve = clearsight.Deconvolver(PSF, shape, dtype=dtype, backend=backend)
    expected = deconvolve(image)
    sentinel = 4321
    if layout == "fortran":
        base = np.full(shape, sentinel, dtype, order="F")
        out = base
    elif layout == "flip":
        base = np.full(shape, sentinel, dtype)
        out = base[::-1, ::-1, ::-1]
    elif layout == "flip_cols":
        base = np.full(shape, sentinel, dtype)
        out = base[:, ::-1]
    elif layout == "every_other_col":
        base = np.full((45, 76, 3), sentinel, dtype)
        out = base[:, ::-2]
    else:
        base = np.full((45, 38, 5), sentinel, dtype)
        out = base[..., 1:4]
    result = deconvolve(image, out=out)
    assert result is out
    np.testing.assert_array_equal(out, expected)
    untouched = base.copy()
    if layout == "every_other_col":
        untouched[:, ::-2] = sentinel
    elif layout == "channel_slice":
        untouched[..., 1:4] = sentinel
    else:
        untouched[...] = sentinel
    assert np.all(untouched == sentinel), "wrote outside out"


@pytest.mark.parametrize("layout", ["fortran", "flip", "every_other_row", "channel_slice", "transpose"])
def test_input_with_any_strides(backend, layout):
    shape = (37, 44, 3)
    image = scene(shape, np.float32, seed=3)
    expected = clearsight.wiener(image, PSF, backend=backend)
    if layout == "fortran":
        view = np.asfortranarray(image)
    elif layout == "flip":
        view = np.ascontiguousarray(image[::-1, ::-1, ::-1])[::-1, ::-1, ::-1]
    elif layout == "every_other_row":
        view = np.repeat(image, 2, axis=0)[::2]
    elif layout == "channel_slice":
        view = np.concatenate([image, image[..., :2]], axis=2)[..., :3]
    else:
        view = np.ascontiguousarray(image.transpose(1, 0, 2)).transpose(1, 0, 2)
    assert np.array_equal(view, image)
    np.testing.assert_array_equal(clearsight.wiener(view, PSF, backend=backend), expected)


def test_overlapping_out_is_safe(backend):
    # out overlaps image without being it: the channels are shifted by one.
    base = scene((30, 35, 4), np.float32, seed=4)
    image = base[..., :3]
    out = base[..., 1:]
    expected = clearsight.wiener(image.copy(), PSF, backend=backend)
    deconvolve = clearsight.Deconvolver(PSF, (30, 35, 3), dtype=np.float32, backend=backend)
    deconvolve(image, out=out)
    np.testing.assert_array_equal(out, expected)
    # out is the image's own memory, transposed: same address, other strides
    square = scene((33, 33), np.float64, seed=5)
    expected = clearsight.wiener(square, MOTION, backend=backend)
    deconvolve = clearsight.Deconvolver(MOTION, (33, 33), dtype=np.float64, backend=backend)
    deconvolve(square, out=square.T)
    np.testing.assert_array_equal(square.T, expected)


def test_broadcast_input(backend):
    # Zero strides (a read-only broadcast view) are legal input.
    row = scene((1, 40), np.float32, seed=6)
    view = np.broadcast_to(row, (30, 40))
    assert view.strides[0] == 0 and not view.flags.writeable
    expected = clearsight.wiener(np.ascontiguousarray(view), PSF, backend=backend)
    np.testing.assert_array_equal(clearsight.wiener(view, PSF, backend=backend), expected)


# ---------------------------------------------------------- alpha and channels

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("channels", [2, 4])
def test_alpha_passes_through_bitwise(backend, dtype, channels):
    image = scene((36, 29, channels), dtype, seed=5)
    rng = np.random.default_rng(5)
    if np.dtype(dtype).kind == "f":  # even values a colour channel would have clipped
        image[..., -1] = rng.uniform(-0.5, 1.5, image.shape[:2])
    got = clearsight.wiener(image, MOTION, 0.001, clip=True, backend=backend)
    np.testing.assert_array_equal(got[..., -1], image[..., -1])
    colour = clearsight.wiener(np.ascontiguousarray(image[..., :-1]), MOTION, 0.001, backend=backend)
    np.testing.assert_array_equal(got[..., :-1], colour)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_per_channel_psfs(backend, dtype, channels, boundary):
    colour = channels - 1 if channels in (2, 4) else channels
    image = scene((41, 50, channels), dtype, seed=6)
    kernels = [clearsight.psf.gaussian(1.0), clearsight.psf.motion(7, 45), clearsight.psf.disk(2.5)][:colour]
    size = max(k.shape[0] for k in kernels)
    stack = np.zeros((size, size, colour))
    for c, kernel in enumerate(kernels):
        pad = (size - kernel.shape[0]) // 2
        stack[pad : pad + kernel.shape[0], pad : pad + kernel.shape[1], c] = kernel
    got = clearsight.wiener(image, stack, 0.005, boundary=boundary, backend=backend)
    for c in range(colour):
        single = clearsight.wiener(np.ascontiguousarray(image[..., c]), stack[..., c], 0.005,
                                   boundary=boundary, backend=backend)
        np.testing.assert_array_equal(got[..., c], single, err_msg=f"channel {c}")
    np.testing.assert_array_equal(got[..., colour:], image[..., colour:])


def test_shared_psf_equals_identical_per_channel_psfs(backend):
    image = scene((32, 40, 3), np.float32, seed=7)
    shared = clearsight.wiener(image, MOTION, 0.01, backend=backend)
    stacked = clearsight.wiener(image, np.repeat(MOTION[..., None], 3, axis=2), 0.01, backend=backend)
    np.testing.assert_array_equal(shared, stacked)


# ----------------------------------------------------- determinism and threads

@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_answer_does_not_depend_on_thread_count(backend, dtype, boundary):
    image = scene((97, 131, 3), dtype, seed=8)
    results = [
        clearsight.wiener(image, MOTION, 0.003, boundary=boundary, threads=threads, backend=backend)
        for threads in (1, 2, 3, 4, 7, 64, 10**6, None)
    ]
    for threads, result in zip((2, 3, 4, 7, 64, 10**6, None), results[1:], strict=True):
        np.testing.assert_array_equal(result, results[0], err_msg=f"threads={threads} differs from threads=1")


@pytest.mark.parametrize("threads", [2**31, 2**62, 2**63 - 1, 2**63, 2**64, 10**30])
def test_huge_thread_counts_are_clamped(backend, threads):
    # _validate.threads accepts any int >= 1 and the docstring calls it an
    # upper bound, so any such int must work and give the same answer.
    image = scene((20, 30), np.float32)
    expected = clearsight.wiener(image, PSF, threads=1, backend=backend)
    np.testing.assert_array_equal(clearsight.wiener(image, PSF, threads=threads, backend=backend), expected)


def test_repeated_calls_are_bitwise_deterministic(backend):
    image = scene((64, 80, 3), np.float32, seed=9)
    deconvolve = clearsight.Deconvolver(MOTION, image.shape, dtype=np.float32, boundary="taper", backend=backend)
    first = deconvolve(image)
    for _ in range(5):
        np.testing.assert_array_equal(deconvolve(image), first)
    # a second, independent plan agrees too
    again = clearsight.Deconvolver(MOTION, image.shape, dtype=np.float32, boundary="taper", backend=backend)
    np.testing.assert_array_equal(again(image), first)


def _run_in_threads(jobs: list, workers: int) -> list:
    """Run the callables in `jobs` on `workers` threads that start together; return results in order."""
    results: list = [None] * len(jobs)
    errors: list = []
    barrier = threading.Barrier(workers)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            for j in range(index, len(jobs), workers):
                results[j] = jobs[j]()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_one_deconvolver_shared_by_four_threads(backend):
    shape = (256, 320, 3)
    frames = [scene(shape, np.uint8, seed=s) for s in range(4)]
    calls = 50
    deconvolve = clearsight.Deconvolver(PSF, shape, dtype=np.uint8, threads=2, backend=backend)
    expected = [deconvolve(frame) for frame in frames]  # one thread, one call at a time
    jobs = [(lambda k=k: (k % 4, deconvolve(frames[k % 4]))) for k in range(4 * calls)]
    for which, result in _run_in_threads(jobs, 4):
        np.testing.assert_array_equal(result, expected[which])


def test_concurrent_calls_with_different_thread_counts(backend):
    image = scene((120, 150, 3), np.float32, seed=10)
    expected = clearsight.wiener(image, MOTION, 0.01, boundary="taper", threads=1, backend=backend)
    thread_counts = [1, 2, 3, 4, 8, None] * 4
    jobs = [
        (lambda t=t: clearsight.wiener(image, MOTION, 0.01, boundary="taper", threads=t, backend=backend))
        for t in thread_counts
    ]
    for t, result in zip(thread_counts, _run_in_threads(jobs, 4), strict=True):
        np.testing.assert_array_equal(result, expected, err_msg=f"threads={t}")
    # several Deconvolvers for the same plan, different threads=, called at once
    planned = [clearsight.Deconvolver(MOTION, image.shape, balance=0.01, boundary="taper", dtype=np.float32,
                                      threads=t, backend=backend) for t in (1, 2, 5, None)]
    jobs = [(lambda d=d: d(image)) for d in planned * 5]
    for result in _run_in_threads(jobs, 4):
        np.testing.assert_array_equal(result, expected)


# ---------------------------------------------------------------- the fallback

@pytest.fixture
def without_core(monkeypatch):
    """clearsight._core made unimportable; every bit of dispatch state restored afterwards."""
    monkeypatch.setitem(sys.modules, "clearsight._core", None)
    monkeypatch.setattr(_dispatch, "_warned", False)
    monkeypatch.delenv("CLEARSIGHT_BACKEND", raising=False)
    _dispatch._load.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    _dispatch._load.cache_clear()


def _fallback_warnings(record) -> list:
    return [w for w in record if issubclass(w.category, RuntimeWarning) and "backend" in str(w.message)]


def test_fallback_works_and_warns_once(without_core):
    assert clearsight.backends() == ["numpy"]
    image, image2 = scene((40, 50, 3), np.uint8), scene((40, 50, 3), np.uint8, seed=1)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        first = clearsight.wiener(image, PSF, 0.02)
        second = clearsight.wiener(image2, PSF, 0.02)
        third = clearsight.Deconvolver(PSF, image.shape, balance=0.02, dtype=np.uint8)(image)
    fallback = _fallback_warnings(record)
    assert len(fallback) == 1, [str(w.message) for w in record]
    assert "CLEARSIGHT_BACKEND=numpy" in str(fallback[0].message)
    np.testing.assert_array_equal(first, reference.wiener(image, PSF, 0.02))
    np.testing.assert_array_equal(second, reference.wiener(image2, PSF, 0.02))
    np.testing.assert_array_equal(third, first)


@pytest.mark.parametrize("door", ["wiener", "Deconvolver"])
def test_fallback_warning_points_at_the_caller(without_core, door):
    image = scene((20, 20), np.float64)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        if door == "wiener":
            clearsight.wiener(image, PSF)
        else:
            clearsight.Deconvolver(PSF, image.shape)
    (warning,) = _fallback_warnings(record)
    assert warning.filename == __file__, f"the warning is attributed to {warning.filename}:{warning.lineno}"


def test_fallback_silent_when_numpy_is_asked_for(without_core):
    without_core.setenv("CLEARSIGHT_BACKEND", "numpy")
    image = scene((40, 50), np.float32)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        got = clearsight.wiener(image, PSF, 0.02)
        clearsight.wiener(image, PSF, 0.02, backend="numpy")
    assert _fallback_warnings(record) == []
    np.testing.assert_array_equal(got, reference.wiener(image, PSF, 0.02))


def test_fallback_refuses_an_explicit_cpp(without_core):
    image = scene((20, 20), np.float64)
    with pytest.raises(ValueError, match="backend"):
        clearsight.wiener(image, PSF, backend="cpp")
    without_core.setenv("CLEARSIGHT_BACKEND", "cpp")
    with pytest.raises(ValueError, match="CLEARSIGHT_BACKEND"):
        clearsight.wiener(image, PSF)


def test_fallback_state_is_restored_afterwards():
    # Runs after the fallback tests (file order): the compiled core is back.
    try:
        import clearsight._core
    except ImportError:
        pytest.skip("clearsight._core is not importable here")
    assert "cpp" in clearsight.backends()
    assert clearsight.Deconvolver(PSF, (20, 20), backend="cpp").backend == "cpp"
