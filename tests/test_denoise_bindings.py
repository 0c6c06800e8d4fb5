"""``clearsight._core.denoise_tv`` called directly with bad arguments: it raises
TypeError or ValueError naming the argument, and never crashes, hangs or
writes anything."""

from __future__ import annotations

import numpy as np
import pytest

import clearsight

pytestmark = pytest.mark.skipif("cpp" not in clearsight.backends(), reason="clearsight._core is not importable")

if "cpp" in clearsight.backends():
    from clearsight import _core


def good(**changes):
    args = dict(work=np.random.default_rng(0).random((8, 9, 3)), weight=0.1, eps=2e-4, max_iterations=20,
                joint=False, threads=2)
    args.update(changes)
    return args


def call(**changes):
    args = good(**changes)
    return _core.denoise_tv(args["work"], args["weight"], args["eps"], args["max_iterations"], args["joint"],
                            args["threads"])


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32, np.int64, np.float16, np.complex64, bool])
def test_wrong_dtype(dtype):
    with pytest.raises(TypeError, match="work"):
        call(work=np.zeros((4, 4, 1), dtype))


def test_object_and_non_native():
    with pytest.raises(TypeError, match="work"):
        call(work=np.zeros((4, 4, 1), object))
    with pytest.raises(TypeError, match="work"):
        call(work=np.zeros((4, 4, 1), ">f8"))


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4, 5), ()])
def test_wrong_ndim(shape):
    with pytest.raises(ValueError, match="work"):
        call(work=np.zeros(shape))


@pytest.mark.parametrize("shape", [(0, 4, 1), (4, 0, 1), (4, 4, 0), (0, 0)])
def test_empty(shape):
    with pytest.raises(ValueError, match="work"):
        call(work=np.zeros(shape))


def test_misaligned():
    raw = np.zeros(4 * 5 * 8 + 1, np.uint8)
    work = raw[1:].view(np.float64).reshape(4, 5, 1)
    with pytest.raises(ValueError, match="work"):
        call(work=work)
    raw32 = np.zeros(4 * 5 * 4 * 2 + 2, np.uint8)
    odd_stride = np.lib.stride_tricks.as_strided(raw32[:4].view(np.float32), shape=(4, 5, 1), strides=(22, 4, 4))
    with pytest.raises(ValueError, match="work"):
        call(work=odd_stride)


@pytest.mark.parametrize("weight", [np.nan, np.inf, -np.inf, -0.1])
def test_bad_weight(weight):
    with pytest.raises(ValueError, match="weight"):
        call(weight=weight)


@pytest.mark.parametrize("eps", [np.nan, np.inf, 0.0, -1e-3])
def test_bad_eps(eps):
    with pytest.raises(ValueError, match="eps"):
        call(eps=eps)


@pytest.mark.parametrize("value", [0, -1, -(2**62)])
def test_bad_max_iterations(value):
    with pytest.raises(ValueError, match="max_iterations"):
        call(max_iterations=value)


@pytest.mark.parametrize("value", [0, -1, -(2**40)])
def test_bad_threads(value):
    with pytest.raises(ValueError, match="threads"):
        call(threads=value)


@pytest.mark.parametrize("name", ["weight", "eps", "max_iterations", "threads"])
def test_wrong_argument_types(name):
    with pytest.raises(TypeError):
        call(**{name: "1"})
    if name in ("max_iterations", "threads"):
        with pytest.raises(TypeError):
            call(**{name: 2.5})
        with pytest.raises(TypeError):
            call(**{name: 2**70})


def test_absurd_thread_count_is_capped():
    want = call(threads=1)
    np.testing.assert_array_equal(call(threads=2**40), want)


def test_read_only_input_is_fine_and_untouched():
    work = np.random.default_rng(4).random((6, 7, 2)).astype(np.float32)
    work.flags.writeable = False
    before = work.copy()
    out = call(work=work)
    np.testing.assert_array_equal(work, before)
    assert out.flags.writeable and out.dtype == np.float32


def test_non_finite_input_does_not_crash():
    work = np.random.default_rng(4).random((6, 7, 1))
    work[2, 3, 0] = np.nan
    out = call(work=work, max_iterations=5)
    assert out.shape == work.shape and np.isnan(out).any()


def test_keyword_names_match_the_reference():
    work = np.random.default_rng(7).random((5, 6, 2))
    out = _core.denoise_tv(work=work, weight=0.2, eps=2e-4, max_iterations=10, joint=True, threads=1)
    assert out.shape == work.shape


def _denoise_in_child(queue):
    work = np.random.default_rng(0).random((40, 30, 3))
    queue.put(_core.denoise_tv(work, 0.1, 2e-4, 20, False, 2))


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork()")
def test_usable_after_fork():
    """The kernel's thread pool and work-memory pool survive fork() (a child starts fresh ones)."""
    import multiprocessing

    want = _core.denoise_tv(np.random.default_rng(0).random((40, 30, 3)), 0.1, 2e-4, 20, False, 2)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_denoise_in_child, args=(queue,))
    child.start()
    got = queue.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0
    np.testing.assert_array_equal(got, want)
