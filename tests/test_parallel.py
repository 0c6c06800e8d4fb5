"""The compiled kernels' thread pool: exceptions, re-entrancy and fork safety."""

from __future__ import annotations

import multiprocessing
import sys
import threading

import numpy as np
import pytest

import clearsight

core = pytest.importorskip("clearsight._core", reason="the compiled core is not built here")

PSF = np.ones((5, 5)) / 25


def _restore(image: np.ndarray, threads: int) -> np.ndarray:
    return clearsight.wiener(image, PSF, 0.01, threads=threads, backend="cpp")


def _child(queue: multiprocessing.Queue, image: np.ndarray) -> None:  # pragma: no cover - runs in a child
    queue.put(_restore(image, threads=2))


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method is Linux-only here")
def test_pool_works_in_a_forked_child():
    # The parent's pool threads do not exist in a forked child; the child must
    # get a fresh pool instead of waiting forever on the parent's workers.
    image = np.random.default_rng(0).random((96, 80))
    expected = _restore(image, threads=2)  # starts the parent's pool
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child, args=(queue, image))
    child.start()
    result = queue.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0
    np.testing.assert_array_equal(result, expected)


def test_an_error_in_a_worker_leaves_the_pool_usable():
    image = np.random.default_rng(1).random((64, 64)).astype(np.float32)
    image[40, 10] = np.nan
    plan = core.WienerPlan(PSF, image.shape, 0.01, "identity", "reflect", False, 2)
    out = np.zeros_like(image)
    # The NaN is found by whichever thread reads row 40. Many tries with up to
    # 4 threads: under TSan this is the test for F19 (docs/reliability.md),
    # where a helper that still held the job freed the exception while this
    # thread read its message; it takes a helper slower than the caller.
    for i in range(120):
        with pytest.raises(ValueError, match="NaN"):
            plan.apply(image, out, True, 2 + i % 3)
    assert not out.any(), "a failed call must not have written its output"
    image[40, 10] = 0.5
    plan.apply(image, out, True, 2)
    expected = np.empty_like(out)
    plan.apply(image, expected, True, 1)
    np.testing.assert_array_equal(out, expected)


def test_many_callers_share_the_pool():
    rng = np.random.default_rng(2)
    images = [rng.random((70 + i, 90)) for i in range(8)]
    expected = [_restore(x, threads=1) for x in images]
    results: list[np.ndarray | None] = [None] * len(images)

    def work(i: int) -> None:
        for _ in range(10):
            results[i] = _restore(images[i], threads=3)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(images))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    for got, want in zip(results, expected, strict=True):
        np.testing.assert_array_equal(got, want)
