"""``clearsight._core.resize`` called directly: the exactness check of the
float32 kernel, thread-count independence, concurrent callers, strided views,
and a binding that defends itself against every bad argument."""

from __future__ import annotations

import importlib
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

# The module, not the function clearsight.reference re-exports under the same name.
reference = importlib.import_module("clearsight.reference.resize")

core = pytest.importorskip("clearsight._core", reason="clearsight._core is not importable")

ARGS = ("bicubic", True, "symmetric")
avx2 = pytest.mark.skipif(core.cpu_variant() != "avx2", reason="the float32 kernel runs on AVX2 CPUs only")


def call(image, size, scale, method="bicubic", antialias=True, boundary="symmetric", threads=2):
    return core.resize(image, size, scale, method, antialias, boundary, threads)


def expected(image, size, scale, method="bicubic", antialias=True, boundary="symmetric"):
    return reference.resize(image, size, scale, method, antialias, boundary)


def natural(shape, seed=0) -> np.ndarray:
    """A smooth picture plus noise, uint8."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0 : shape[0], 0 : shape[1]] / max(shape)
    base = 0.5 + 0.3 * np.sin(7 * x + 4 * y)
    if len(shape) == 3:
        base = base[..., None] * np.linspace(1.0, 0.6, shape[2])
    return np.rint(np.clip(base + 0.08 * rng.standard_normal(shape), 0, 1) * 255).astype(np.uint8)


def first_pass_sums(image, size, scale, method="bicubic", antialias=True, boundary="symmetric"):
    """The float64 sums of MATLAB's first pass (before its rounding), as the reference makes them."""
    axis = 0 if scale[0] <= scale[1] else 1
    idx, w = reference.axis_weights(image.shape[axis], size[axis], scale[axis], method, antialias, boundary)
    return reference._resize_axis(image.astype(np.float64), axis, idx, w)


# ------------------------------------------------------------ exactness check


@avx2
def test_power_of_two_scales_are_exact_without_recomputing():
    # Bicubic ×2, ×1/2, ×1/4 weights are multiples of 2^-15: the float32 sums are exact, ties
    # included, and floor(s + 1/2) is MATLAB's rounding; nothing is recomputed.
    image = natural((67, 93, 3))
    for s in (2.0, 0.5, 0.25, 4.0):
        size = (int(np.ceil(67 * s)), int(np.ceil(93 * s)))
        out, recomputed = core._resize_counted(image, size, (s, s), *ARGS, 2)
        np.testing.assert_array_equal(out, expected(image, size, (s, s)))
        assert recomputed == 0


@avx2
def test_exact_ties_round_away_from_zero():
    # Spikes of 64 under the ×2 weight 29/128 give sums k + 1/2 exactly: rint would round them to
    # even, MATLAB rounds them up. The constructed image must contain such ties.
    image = np.zeros((20, 24), np.uint8)
    image[5::6, 3::5] = 64
    image[2::7, 1::4] = 192
    size, scale = (40, 48), (2.0, 2.0)
    sums = first_pass_sums(image, size, scale)
    assert np.count_nonzero(sums - np.floor(sums) == 0.5) > 10
    np.testing.assert_array_equal(call(image, size, scale), expected(image, size, scale))


@avx2
def test_sums_near_a_half_are_recomputed_in_float64():
    # ×1.5 bicubic weights are multiples of 1/54 (not dyadic): many exact sums are k + 27/54, which
    # float64 lands on one side of the half and float32 maybe on the other. The check must send
    # them to float64, and the result must be every bit the reference's.
    image = natural((40, 50), seed=3)
    size, scale = (60, 75), (1.5, 1.5)
    sums = first_pass_sums(image, size, scale)
    near = np.abs(sums - np.floor(sums) - 0.5) < 1e-6
    assert np.count_nonzero(near) > 20
    out, recomputed = core._resize_counted(image, size, scale, *ARGS, 2)
    np.testing.assert_array_equal(out, expected(image, size, scale))
    assert recomputed >= np.count_nonzero(near)
    # ... and only a few per cent of the samples are (1/54 of them are exact ties).
    assert recomputed < 0.05 * (out.size + sums.size)


@avx2
@pytest.mark.parametrize("scale", [(1 / 3, 1 / 3), (0.7, 0.7), (3.0, 3.0), (0.6, 1.7), (1.7, 0.6)])
@pytest.mark.parametrize("channels", [None, 3])
def test_uint8_is_bit_identical_on_natural_images(scale, channels):
    shape = (83, 101) if channels is None else (83, 101, channels)
    image = natural(shape, seed=5)
    size = (int(np.ceil(83 * scale[0])), int(np.ceil(101 * scale[1])))
    for boundary in ("symmetric", "replicate"):
        np.testing.assert_array_equal(call(image, size, scale, boundary=boundary),
                                      expected(image, size, scale, boundary=boundary))


# ------------------------------------------------------------ integer path (uint8, dyadic weights)

DYADIC = (2.0, 4.0, 0.5, 0.25, 0.125, 1.0)


def paths(image, size, scale, method="bicubic", antialias=True, boundary="symmetric", threads=2):
    """(image, recomputed, rows pass in int32, columns pass in int32) from the compiled kernel."""
    return core._resize_paths(image, size, scale, method, antialias, boundary, threads)


def integer_expected(n, scale, method="bicubic", antialias=True, boundary="symmetric"):
    """Whether every weight of an axis is m 2^-15 with m an int16 (the integer path's condition)."""
    n_out = int(np.ceil(n * scale))
    _, w = reference.axis_weights(n, n_out, scale, method, antialias, boundary)
    m = w * 32768
    return bool(np.all(m == np.round(m)) and m.min() >= -32768 and m.max() <= 32767)


@avx2
@pytest.mark.parametrize("s", [2.0, 4.0, 0.5, 0.25])
def test_dyadic_bicubic_scales_take_the_integer_path(s):
    # (×1/8's weights are multiples of 2^-16: the float32 path, checked by the property test below.)
    image = natural((67, 93, 3))
    size = (int(np.ceil(67 * s)), int(np.ceil(93 * s)))
    out, recomputed, rows, cols = paths(image, size, (s, s))
    assert rows and cols and recomputed == 0
    np.testing.assert_array_equal(out, expected(image, size, (s, s)))


@avx2
@pytest.mark.parametrize(
    "scale, method, want",
    [
        ((1.5, 1.5), "bicubic", (False, False)),  # weights in 54ths
        ((1 / 3, 1 / 3), "bicubic", (False, False)),
        ((2.0, 1 / 3), "bicubic", (True, False)),
        ((0.7, 0.5), "bicubic", (False, True)),
        ((2.0, 2.0), "bilinear", (True, True)),  # 1/4, 3/4
        ((0.5, 0.25), "area", (True, True)),  # block means: 1/2, 1/4
        ((1.0, 2.0), "bicubic", (False, True)),  # the identity's weight 1 = 2^15 m is no int16
        ((2.0, 2.0), "nearest", (False, False)),  # weight 1 again
    ],
)
def test_the_integer_path_is_taken_exactly_where_weights_allow(scale, method, want):
    image = natural((40, 50), seed=6)
    size = (int(np.ceil(40 * scale[0])), int(np.ceil(50 * scale[1])))
    out, _, rows, cols = paths(image, size, scale, method)
    assert (rows, cols) == want
    assert want == (integer_expected(40, scale[0], method), integer_expected(50, scale[1], method))
    np.testing.assert_array_equal(out, expected(image, size, scale, method))


def test_the_integer_path_is_not_taken_for_float_images():
    image = (natural((30, 30)) / 255).astype(np.float32)
    assert paths(image, (60, 60), (2.0, 2.0))[2:] == (False, False)


@st.composite
def uint8_views(draw):
    """uint8 images of odd and tiny shapes, 1-4 channels, as contiguous arrays or strided views:
    flipped, every other sample, one channel of an interleaved image; values often at 0 and 255."""
    # Wide rows too: the vector loops along a row (32 samples, 8-element groups) and their tails.
    rows, cols = draw(st.integers(1, 41)), draw(st.integers(1, 41) | st.integers(100, 300))
    channels = draw(st.sampled_from([None, 1, 2, 3, 4]))
    kind = draw(st.sampled_from(["random", "extremes", "spikes"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    layout = draw(st.sampled_from(["contiguous", "flipped", "every other", "channel of RGBA", "transposed"]))
    big_rows, big_cols = (2 * rows, 2 * cols) if layout == "every other" else (rows, cols)
    if layout == "transposed":
        big_rows, big_cols = cols, rows
    shape = (big_rows, big_cols, 4) if layout == "channel of RGBA" else (
        (big_rows, big_cols) if channels is None else (big_rows, big_cols, channels))
    if kind == "random":
        big = rng.integers(0, 256, shape)
    elif kind == "extremes":  # saturation: sums far below 0 and above 255 at every edge
        big = np.where(rng.random(shape) < 0.5, 0, 255)
    else:  # sparse bright spikes on black: exact ties of MATLAB's rounding
        big = np.where(rng.random(shape) < 0.15, rng.choice([64, 128, 192, 255], shape), 0)
    big = big.astype(np.uint8)
    view = {
        "contiguous": lambda a: a,
        "flipped": lambda a: a[::-1, ::-1],
        "every other": lambda a: a[::2, 1::2],
        "channel of RGBA": lambda a: a[..., 1],
        "transposed": lambda a: np.swapaxes(a, 0, 1),
    }[layout](big)
    return view


@avx2
@settings(max_examples=250, deadline=None)
@given(
    image=uint8_views(),
    scale=st.tuples(st.sampled_from(DYADIC), st.sampled_from(DYADIC)),
    boundary=st.sampled_from(["symmetric", "replicate"]),
    method=st.sampled_from(["bicubic", "bicubic", "bilinear", "area"]),
    threads=st.sampled_from([1, 2, 3]),
)
def test_integer_path_is_bit_identical_to_the_reference(image, scale, boundary, method, threads):
    size = (int(np.ceil(image.shape[0] * scale[0])), int(np.ceil(image.shape[1] * scale[1])))
    out, recomputed, rows, cols = paths(image, size, scale, method, True, boundary, threads)
    np.testing.assert_array_equal(out, expected(image, size, scale, method, True, boundary))
    assert rows == integer_expected(image.shape[0], scale[0], method, True, boundary)
    assert cols == integer_expected(image.shape[1], scale[1], method, True, boundary)
    if rows and cols:
        assert recomputed == 0


@avx2
@pytest.mark.parametrize("s", [2.0, 0.5, 0.25])
@pytest.mark.parametrize("channels", [None, 2, 3, 4])
def test_integer_path_on_wide_images_and_saturating_edges(s, channels):
    # Wide enough for the 32-sample loops of the row pass (and their tails: odd widths); black
    # and white blocks make the cubic over- and undershoot past 0 and 255, which must be clipped.
    rows, cols = 37, 203
    shape = (rows, cols) if channels is None else (rows, cols, channels)
    image = natural(shape, seed=8)
    image[:, 40:90] = 255
    image[:, 90:150] = 0
    image[12:24, 60:120] = 255
    size = (int(np.ceil(rows * s)), int(np.ceil(cols * s)))
    sums = first_pass_sums(image, size, (s, s))
    assert sums.max() > 255.5 and sums.min() < -0.5
    for boundary in ("symmetric", "replicate"):
        out, _, r, c = paths(image, size, (s, s), boundary=boundary)
        assert r and c
        np.testing.assert_array_equal(out, expected(image, size, (s, s), boundary=boundary))


# ------------------------------------------------------------ threads


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("scale", [(2.0, 2.0), (0.25, 0.25), (0.5, 1.5), (1.5, 0.5)])
def test_results_do_not_depend_on_the_thread_count(dtype, scale):
    image = natural((75, 61, 3), seed=1)
    image = image if dtype == np.uint8 else (image / 255).astype(dtype)
    size = (int(np.ceil(75 * scale[0])), int(np.ceil(61 * scale[1])))
    first = call(image, size, scale, threads=1)
    for threads in (2, 3, 8, 1 << 40):
        np.testing.assert_array_equal(call(image, size, scale, threads=threads), first)


def test_concurrent_callers_get_the_serial_answers():
    images = [natural((90, 70, 3), seed=s) for s in range(3)]
    images += [(natural((50, 130), seed=7) / 255).astype(np.float32)]
    cases = [(im, s) for im in images for s in ((2.0, 2.0), (0.5, 0.5), (0.3, 1.25))]
    sizes = [(int(np.ceil(im.shape[0] * s[0])), int(np.ceil(im.shape[1] * s[1]))) for im, s in cases]
    serial = [call(im, size, s, threads=2) for (im, s), size in zip(cases, sizes, strict=True)]
    results: dict[tuple[int, int], np.ndarray] = {}
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for _ in range(3):
                for i, ((im, s), size) in enumerate(zip(cases, sizes, strict=True)):
                    results[worker, i] = call(im, size, s, threads=2)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not errors
    for (_, i), got in results.items():
        np.testing.assert_array_equal(got, serial[i])


# ------------------------------------------------------------ views


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_strided_views_are_read_in_place(dtype):
    big = natural((64, 80, 4), seed=2)
    big = big if dtype == np.uint8 else (big / 255).astype(dtype)
    views = {
        "flipped": big[::-1, ::-1, :3],
        "every other": big[::2, 1::2],
        "channel": big[..., 2],
        "transposed": big[..., 1].T,
        "channels reversed": big[:, :, 2::-1],
    }
    for name, view in views.items():
        for scale in ((0.5, 0.5), (2.0, 2.0), (0.75, 1.5)):
            size = (int(np.ceil(view.shape[0] * scale[0])), int(np.ceil(view.shape[1] * scale[1])))
            np.testing.assert_array_equal(call(view, size, scale), call(np.ascontiguousarray(view), size, scale),
                                          err_msg=name)


@pytest.mark.parametrize("shape", [(1, 1), (1, 37), (37, 1), (2, 3, 3), (1, 9, 4), (9, 1, 2)])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_tiny_and_thin_images(shape, dtype):
    image = natural(shape, seed=4)
    image = image if dtype == np.uint8 else (image / 255).astype(dtype)
    for scale in ((0.5, 0.5), (3.0, 3.0), (0.25, 4.0), (4.0, 0.25)):
        size = (int(np.ceil(shape[0] * scale[0])), int(np.ceil(shape[1] * scale[1])))
        got, want = call(image, size, scale), expected(image, size, scale)
        np.testing.assert_allclose(got, want, rtol=0, atol=0 if dtype == np.uint8 else 1e-6)


# ------------------------------------------------------------ bad arguments


GOOD = (np.zeros((4, 4), np.float32), (4, 4), (1.0, 1.0), "bicubic", True, "symmetric", 1)


def with_(**changes):
    names = ("image", "size", "scale", "method", "antialias", "boundary", "threads")
    args = dict(zip(names, GOOD, strict=True))
    args.update(changes)
    return tuple(args[n] for n in names)


@pytest.mark.parametrize(
    "args, error, fragment",
    [
        (with_(size=(0, 4)), ValueError, "size"),
        (with_(size=(4, 0)), ValueError, "size"),
        (with_(size=(-4, 4)), ValueError, "size"),
        (with_(size=(1 << 40, 1 << 40)), ValueError, "large"),
        (with_(size=(1 << 31, 2)), ValueError, "large"),
        (with_(scale=(float("nan"), 1.0)), ValueError, "scale"),
        (with_(scale=(1.0, float("inf"))), ValueError, "scale"),
        (with_(scale=(-1.0, 1.0)), ValueError, "scale"),
        (with_(scale=(0.0, 1.0)), ValueError, "scale"),
        (with_(threads=0), ValueError, "threads"),
        (with_(threads=-3), ValueError, "threads"),
        (with_(method="cubic"), ValueError, "method"),
        (with_(boundary="reflect"), ValueError, "boundary"),
        (with_(image=np.zeros((4, 4), np.int16)), TypeError, "dtype"),
        (with_(image=np.zeros((4, 4), np.complex64)), TypeError, "dtype"),
        (with_(image=np.zeros((4,), np.float32)), ValueError, "H×W"),
        (with_(image=np.zeros((4, 4, 3, 1), np.float32)), ValueError, "H×W"),
        (with_(image=np.zeros((0, 4), np.float32)), ValueError, "empty"),
        (with_(image=np.zeros((4, 4, 0), np.float32)), ValueError, "empty"),
        (with_(image=np.full((4, 4), np.nan, np.float32)), ValueError, "NaN"),
        (with_(image=np.full((4, 4, 3), np.inf)), ValueError, "NaN"),
    ],
)
def test_binding_defends_itself(args, error, fragment):
    with pytest.raises(error, match=fragment):
        core.resize(*args)


def test_binding_refuses_wrong_types():
    with pytest.raises(TypeError):
        core.resize(*with_(size=4))
    with pytest.raises(TypeError):
        core.resize(*with_(scale="2"))
    with pytest.raises(TypeError):
        core.resize(*with_(threads=1.5))
    with pytest.raises(TypeError):
        core.resize(*with_(image="image.png"))


def test_binding_refuses_misaligned_buffers():
    raw = bytearray(4 * 16 + 1)
    floats = np.frombuffer(raw, np.float32, offset=1, count=16).reshape(4, 4)
    assert not floats.flags.aligned
    with pytest.raises(ValueError, match="aligned"):
        core.resize(floats, (8, 8), (2.0, 2.0), *ARGS, 1)


def test_binding_reads_read_only_inputs():
    image = natural((16, 16))
    image.flags.writeable = False
    np.testing.assert_array_equal(call(image, (8, 8), (0.5, 0.5)), expected(image, (8, 8), (0.5, 0.5)))


def test_nan_in_an_unread_sample_is_still_refused():
    # Nearest-neighbour shrinking reads one input row in four; the check must cover them all.
    for dtype in (np.float32, np.float64):
        image = np.zeros((32, 32), dtype)
        image[1, 1] = np.nan
        with pytest.raises(ValueError, match="NaN"):
            core.resize(image, (8, 8), (0.25, 0.25), "nearest", False, "symmetric", 2)


@avx2
@settings(max_examples=120, deadline=None, database=None)
@given(
    rows=st.integers(1, 40),
    cols=st.integers(1, 40),
    channels=st.sampled_from([0, 1, 2, 3, 4]),
    scale=st.sampled_from([(0.25, 0.25), (0.5, 0.5), (0.3, 0.7), (0.25, 2.0), (2.0, 0.5), (2.0, 2.0), (0.1, 0.1)]),
    method=st.sampled_from(["bicubic", "bilinear", "nearest", "area"]),
    antialias=st.booleans(),
    boundary=st.sampled_from(["symmetric", "replicate"]),
    bad=st.sampled_from([np.nan, np.inf, -np.inf]),
    where=st.tuples(st.floats(0, 1, exclude_max=True), st.floats(0, 1, exclude_max=True), st.integers(0, 3)),
    strided=st.booleans(),
)
def test_one_nonfinite_float32_sample_anywhere_is_refused(
    rows, cols, channels, scale, method, antialias, boundary, bad, where, strided
):
    # A shrinking band checks its row pass's results rather than its input rows (a NaN or infinity
    # in any tap span makes a result non-finite); every sample must still be covered.
    shape = (rows, cols) if channels == 0 else (rows, cols, channels)
    base = np.zeros((rows, 2 * cols) + shape[2:], np.float32)
    image = base[:, ::2] if strided else np.ascontiguousarray(base[:, :cols])
    index = (int(where[0] * rows), int(where[1] * cols)) + ((where[2] % channels,) if channels else ())
    image[index] = bad
    size = (max(1, int(np.ceil(rows * scale[0]))), max(1, int(np.ceil(cols * scale[1]))))
    with pytest.raises(ValueError, match="NaN"):
        core.resize(image, size, scale, method, antialias, boundary, 2)


@avx2
def test_float32_results_that_overflow_are_not_mistaken_for_nonfinite_images():
    # Bicubic's negative lobes can take a sum of finite samples past the float32 range: the
    # result is infinite, the image finite, and no error is raised.
    top = np.finfo(np.float32).max
    image = np.full((64, 64), top, np.float32)
    image[::8, :] = -top
    for shape in ((64, 64), (64, 64, 3)):
        out = core.resize(np.broadcast_to(image[..., None], shape[:2] + (3,)) if len(shape) == 3 else image,
                          (16, 16), (0.25, 0.25), "bicubic", True, "symmetric", 2)
        assert not np.isfinite(out).all()  # infinities met in a sum: the rechecked case


# ------------------------------------------------------------ float32 column pass along the rows


@avx2
@pytest.mark.parametrize("s", [2.0, 3.0, 4.0, 8.0])
def test_enlarging_one_channel_float32_takes_the_row_wise_column_pass(s):
    # (At scales below 2 the bicubic taps of 8 outputs span more than 8 samples.)
    image = np.random.default_rng(3).random((30, 90)).astype(np.float32)
    size = (int(np.ceil(30 * s)), int(np.ceil(90 * s)))
    out, path = core._resize_column_path(image, size, (s, s), *ARGS, 2)
    assert path == "float rows"
    np.testing.assert_allclose(out, expected(image, size, (s, s)), rtol=0, atol=4e-6)
    assert core._resize_column_path(np.stack([image] * 2, axis=-1), size, (s, s), *ARGS, 2)[1] == "float transposed"
    assert core._resize_column_path(image, (15, 45), (0.5, 0.5), *ARGS, 2)[1] == "float transposed"
    assert core._resize_column_path(natural((30, 90)), size, (s, s), *ARGS, 2)[1] != "float rows"


@avx2
@settings(max_examples=150, deadline=None, database=None)
@given(
    rows=st.integers(1, 30),
    cols=st.integers(1, 40) | st.integers(100, 260),
    scale=st.tuples(st.sampled_from([0.5, 1.0, 2.0, 1.7]),
                    st.sampled_from([2.0, 4.0, 1.5, 3.0, 1.25, 1.7, 2.5, 8.0, 0.5])),
    method=st.sampled_from(["bicubic", "bilinear", "nearest", "area"]),
    boundary=st.sampled_from(["symmetric", "replicate"]),
    layout=st.sampled_from(["contiguous", "flipped", "every other"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_row_wise_float32_column_pass_equals_the_transposed_one(rows, cols, scale, method, boundary, layout, seed):
    # It does the transposed path's operations in its order: a one-channel image gives, bit for
    # bit, what each channel of a two-channel image (always transposed) gives.
    rng = np.random.default_rng(seed)
    big = rng.standard_normal((2 * rows, 2 * cols)).astype(np.float32)
    image = {"contiguous": big[:rows, :cols], "flipped": big[:rows, :cols][::-1, ::-1],
             "every other": big[::2, 1::2]}[layout]
    size = (int(np.ceil(rows * scale[0])), int(np.ceil(cols * scale[1])))
    one = core.resize(image, size, scale, method, True, boundary, 2)
    two = core.resize(np.stack([image, image], axis=-1), size, scale, method, True, boundary, 2)
    assert one.tobytes() == np.ascontiguousarray(two[..., 0]).tobytes()
    assert one.tobytes() == np.ascontiguousarray(two[..., 1]).tobytes()


@avx2
@settings(max_examples=150, deadline=None, database=None)
@given(
    rows=st.integers(1, 40),
    cols=st.integers(1, 60) | st.integers(100, 200),
    channels=st.integers(1, 3),
    scale=st.sampled_from([0.5, 0.25, 0.75]),
    method=st.sampled_from(["bicubic", "bilinear", "area"]),
    antialias=st.booleans(),
    boundary=st.sampled_from(["symmetric", "replicate"]),
    layout=st.sampled_from(["contiguous", "flipped", "every other"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_one_phase_float32_column_pass_equals_the_general_one(rows, cols, channels, scale, method, antialias,
                                                               boundary, layout, seed):
    # Groups of 8 outputs with one phase (the interior of a shrink by 2 or 4) hold their weights
    # in registers for 1-3 channels; 4 channels take the general loop. The same operations in
    # the same order: each channel of the image repeated to 4 channels gives the same bits.
    rng = np.random.default_rng(seed)
    big = rng.standard_normal((2 * rows, 2 * cols, channels)).astype(np.float32)
    image = {"contiguous": big[:rows, :cols], "flipped": big[:rows, :cols][::-1, ::-1],
             "every other": big[::2, 1::2]}[layout]
    size = (int(np.ceil(rows * scale)), int(np.ceil(cols * scale)))
    out = core.resize(image, size, (scale, scale), method, antialias, boundary, 2)
    for c in range(channels):
        four = core.resize(np.repeat(image[..., c:c + 1], 4, axis=-1), size, (scale, scale), method, antialias,
                           boundary, 2)
        for d in range(4):
            assert np.ascontiguousarray(out[..., c]).tobytes() == np.ascontiguousarray(four[..., d]).tobytes()


@avx2
@settings(max_examples=150, deadline=None, database=None)
@given(
    rows=st.integers(1, 90),
    cols=st.integers(1, 40) | st.integers(100, 140),
    method=st.sampled_from(["bicubic", "bilinear", "area"]),
    boundary=st.sampled_from(["symmetric", "replicate"]),
    layout=st.sampled_from(["contiguous", "flipped", "every other"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_paired_float32_row_pass_equals_the_column_pass(rows, cols, method, boundary, layout, seed):
    # The row pass makes two rows of one phase at once (bicubic ×1/2) with its weights held in
    # registers; the column pass of 4 channels sums each output on its own. Both add the taps'
    # FMAs from zero in tap order, so halving the rows of an image (its columns at scale 1, an
    # exact identity) gives, bit for bit, the transpose of halving the columns of its transpose.
    rng = np.random.default_rng(seed)
    big = rng.standard_normal((2 * rows, 2 * cols)).astype(np.float32)
    image = {"contiguous": big[:rows, :cols], "flipped": big[:rows, :cols][::-1, ::-1],
             "every other": big[::2, 1::2]}[layout]
    size = (int(np.ceil(rows * 0.5)), cols)
    out = core.resize(image, size, (0.5, 1.0), method, True, boundary, 2)
    four = core.resize(np.repeat(image.T[..., None], 4, axis=-1), size[::-1], (1.0, 0.5), method, True, boundary, 2)
    for d in range(4):
        assert out.tobytes() == np.ascontiguousarray(four[..., d].T).tobytes()


@avx2
@pytest.mark.parametrize("channels", [None, 2, 3, 4])
@pytest.mark.parametrize("s", [0.5, 0.25])
def test_shrinking_uint8_pairs_aligned_samples_for_any_channels(channels, s):
    # Channel c of samples 2i - offset, 2i + 1 - offset share an entry: half the entries of
    # pairing every sample with the next. Bit-identity on every layout is the hypothesis test
    # above (test_integer_path_is_bit_identical_to_the_reference); here, that the path is taken.
    shape = (37, 101) if channels is None else (37, 101, channels)
    image = natural(shape, seed=9)
    size = (int(np.ceil(37 * s)), int(np.ceil(101 * s)))
    for view in (image, image[::-1, ::-1]):
        out, path = core._resize_column_path(view, size, (s, s), *ARGS, 2)
        # (Grey ×1/2 runs along the rows: its 8 outputs' taps fit 16 bytes.)
        assert path == ("integer rows" if channels is None and s == 0.5 else "integer aligned pairs")
        np.testing.assert_array_equal(out, expected(view, size, (s, s)))
