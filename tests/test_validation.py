"""Bad input to the public Wiener doors: ``wiener``, ``Deconvolver(...)`` and
``Deconvolver.__call__``.

Every bad argument raises ``TypeError`` (wrong kind of object or dtype) or
``ValueError`` (right kind, bad value) whose message names the argument; good
but unusual spellings (NumPy scalars, lists, dtype strings) give the same
answer as the canonical ones. Runs once per available backend.
"""

from __future__ import annotations

import numpy as np
import pytest

import clearsight
from clearsight import _dispatch

SHAPE = (6, 7)
PSF = np.array([[0.0, 1.0, 0.0], [1.0, 4.0, 1.0], [0.0, 1.0, 0.0]])


def _image(shape=SHAPE, dtype=np.float64) -> np.ndarray:
    rng = np.random.default_rng(7)
    unit = rng.random(shape)
    if np.dtype(dtype).kind == "u":
        return np.round(unit * np.iinfo(dtype).max).astype(dtype)
    return unit.astype(dtype)


def _with(value, index, array):
    array = array.copy()
    array[index] = value
    return array


# ----------------------------------------------------------------- bad images

BAD_IMAGES = [
    pytest.param(_with(np.nan, (2, 3), _image()), ValueError, id="nan"),
    pytest.param(_with(np.nan, (0, 0), _image(dtype=np.float32)), ValueError, id="nan-float32"),
    pytest.param(_with(np.inf, (5, 6), _image()), ValueError, id="inf"),
    pytest.param(_with(-np.inf, (1, 1), _image(dtype=np.float32)), ValueError, id="-inf-float32"),
    pytest.param(_with(np.nan, (1, 1, 2), _image((6, 7, 3))), ValueError, id="nan-in-blue"),
    pytest.param(np.zeros((0, 5)), ValueError, id="empty-rows"),
    pytest.param(np.zeros((5, 0)), ValueError, id="empty-cols"),
    pytest.param(np.zeros((0, 0, 3)), ValueError, id="empty-rgb"),
    pytest.param(np.zeros((4, 5, 0)), ValueError, id="zero-channels"),
    pytest.param(np.zeros(7), ValueError, id="1-D"),
    pytest.param(np.float64(0.5), ValueError, id="0-D"),
    pytest.param(np.zeros((6, 7, 3, 1)), ValueError, id="4-D"),
    pytest.param(np.zeros((6, 7, 5)), ValueError, id="5-channels"),
    pytest.param(np.zeros((3, 6, 7)), ValueError, id="channels-first-rgb"),
    pytest.param(np.zeros(SHAPE, np.complex128), TypeError, id="complex"),
    pytest.param(np.zeros(SHAPE, bool), TypeError, id="bool"),
    pytest.param(np.zeros(SHAPE, object), TypeError, id="object"),
    pytest.param(np.zeros(SHAPE, np.int32), TypeError, id="int32"),
    pytest.param(np.zeros(SHAPE, np.int64), TypeError, id="int64"),
    pytest.param(np.zeros(SHAPE, np.int8), TypeError, id="int8"),
    pytest.param(np.zeros(SHAPE, np.float16), TypeError, id="float16"),
    pytest.param([[1, 2, 3], [4, 5, 6]], TypeError, id="list-of-ints"),
    pytest.param([[0.5, 0.5], [0.5]], TypeError, id="ragged-list"),
    pytest.param(None, TypeError, id="None"),
    pytest.param("image.png", TypeError, id="str"),
    pytest.param(b"\x00\x01", TypeError, id="bytes"),
    pytest.param(0.5, TypeError, id="float"),
    pytest.param({"a": 1}, TypeError, id="dict"),
]


@pytest.mark.parametrize(("image", "error"), BAD_IMAGES)
def test_wiener_rejects_bad_image(backend, image, error):
    with pytest.raises(error, match="image"):
        clearsight.wiener(image, PSF, backend=backend)


@pytest.mark.parametrize(("image", "error"), BAD_IMAGES)
def test_deconvolver_call_rejects_bad_image(backend, image, error):
    deconvolve = clearsight.Deconvolver(PSF, SHAPE, dtype=np.float64, backend=backend)
    out = np.full(SHAPE, 0.25)
    with pytest.raises(error, match="image"):
        deconvolve(image, out=out)
    assert np.all(out == 0.25), "a rejected call wrote into out"


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        pytest.param(_image((6, 8)), "shape", id="other-width"),
        pytest.param(_image((7, 6)), "shape", id="transposed-shape"),
        pytest.param(_image((6, 7, 1)), "shape", id="extra-channel-axis"),
        pytest.param(_image(dtype=np.float32), "dtype", id="float32"),
        pytest.param(_image(dtype=np.uint8), "dtype", id="uint8"),
    ],
)
def test_deconvolver_call_rejects_frame_it_was_not_planned_for(backend, frame, reason):
    deconvolve = clearsight.Deconvolver(PSF, SHAPE, dtype=np.float64, backend=backend)
    with pytest.raises(ValueError, match="image") as info:
        deconvolve(frame)
    assert reason in str(info.value) and str(SHAPE) in str(info.value)


def test_lists_of_floats_are_converted_like_arrays(backend):
    # The validator converts a nested list of floats with np.asarray (float64);
    # the answer is the array's.
    image = _image()
    expected = clearsight.wiener(image, PSF, backend=backend)
    np.testing.assert_array_equal(clearsight.wiener(image.tolist(), PSF, backend=backend), expected)
    deconvolve = clearsight.Deconvolver(PSF, SHAPE, dtype=np.float64, backend=backend)
    np.testing.assert_array_equal(deconvolve(image.tolist()), expected)


# ------------------------------------------------------------------- bad PSFs

BAD_PSFS = [
    pytest.param(np.zeros((3, 3)), ValueError, id="all-zero"),
    pytest.param(_with(-0.1, (0, 0), PSF), ValueError, id="negative"),
    pytest.param(_with(np.nan, (1, 1), PSF), ValueError, id="nan"),
    pytest.param(_with(np.inf, (1, 1), PSF), ValueError, id="inf"),
    pytest.param(_with(-np.inf, (0, 2), PSF), ValueError, id="-inf"),
    pytest.param(np.full((3, 3), 1e308), ValueError, id="sum-overflows"),
    pytest.param(np.ones((7, 3)), ValueError, id="taller-than-image"),
    pytest.param(np.ones((3, 8)), ValueError, id="wider-than-image"),
    pytest.param(np.ones((60, 70)), ValueError, id="much-larger"),
    pytest.param(np.ones((3, 3, 3)), ValueError, id="3-per-channel-for-grey"),
    pytest.param(np.ones((3, 3, 2)), ValueError, id="2-per-channel-for-grey"),
    pytest.param(np.ones(3), ValueError, id="1-D"),
    pytest.param(np.ones((3, 3, 1, 1)), ValueError, id="4-D"),
    pytest.param(np.ones((0, 3)), ValueError, id="empty"),
    pytest.param(np.ones((3, 3), np.complex128), TypeError, id="complex"),
    pytest.param(np.ones((3, 3), bool), TypeError, id="bool"),
    pytest.param(np.ones((3, 3), object), TypeError, id="object"),
    pytest.param(None, TypeError, id="None"),
    pytest.param("gaussian:1.5", TypeError, id="str"),
    pytest.param([[1.0, 2.0], [3.0]], TypeError, id="ragged-list"),
]


@pytest.mark.parametrize(("psf", "error"), BAD_PSFS)
def test_wiener_rejects_bad_psf(backend, psf, error):
    with pytest.raises(error, match="psf"):
        clearsight.wiener(_image(), psf, backend=backend)


@pytest.mark.parametrize(("psf", "error"), BAD_PSFS)
def test_deconvolver_rejects_bad_psf(backend, psf, error):
    with pytest.raises(error, match="psf"):
        clearsight.Deconvolver(psf, SHAPE, backend=backend)


@pytest.mark.parametrize(
    ("shape", "psf"),
    [
        pytest.param((6, 7, 3), np.ones((3, 3, 2)), id="rgb-2-psfs"),
        pytest.param((6, 7, 3), np.ones((3, 3, 4)), id="rgb-4-psfs"),
        pytest.param((6, 7, 4), np.ones((3, 3, 4)), id="rgba-4-psfs(alpha-has-none)"),
        pytest.param((6, 7, 2), np.ones((3, 3, 2)), id="grey-alpha-2-psfs"),
        pytest.param((6, 7, 1), np.ones((3, 3, 3)), id="1-channel-3-psfs"),
    ],
)
def test_wrong_per_channel_psf_count(backend, shape, psf):
    with pytest.raises(ValueError, match="psf"):
        clearsight.Deconvolver(psf, shape, backend=backend)
    with pytest.raises(ValueError, match="psf"):
        clearsight.wiener(np.zeros(shape), psf, backend=backend)


def test_psf_spellings_that_are_accepted_give_the_same_answer(backend):
    image = _image()
    expected = clearsight.wiener(image, PSF / PSF.sum(), backend=backend)
    for psf in (PSF, PSF.astype(np.int64), PSF.astype(np.uint8), PSF.tolist(), 3.5 * PSF, PSF.astype(np.float32)):
        got = clearsight.wiener(image, psf, backend=backend)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    # a 3-D stack with one plane is the same PSF for a grey image
    np.testing.assert_allclose(clearsight.wiener(image, PSF[..., None], backend=backend), expected, rtol=0, atol=1e-12)


# -------------------------------------------------------- scalars and options

BAD_BALANCES = [
    pytest.param(0, ValueError, id="0"),
    pytest.param(0.0, ValueError, id="0.0"),
    pytest.param(-0.0, ValueError, id="-0.0"),
    pytest.param(-0.01, ValueError, id="negative"),
    pytest.param(float("nan"), ValueError, id="nan"),
    pytest.param(float("inf"), ValueError, id="inf"),
    pytest.param(-float("inf"), ValueError, id="-inf"),
    pytest.param(np.float32("nan"), ValueError, id="np-nan"),
    pytest.param(True, TypeError, id="True"),
    pytest.param(False, TypeError, id="False"),
    pytest.param("0.1", TypeError, id="str"),  # a string other than "auto"
    pytest.param(None, TypeError, id="None"),
    pytest.param(0.1 + 0j, TypeError, id="complex"),
    pytest.param([0.1], TypeError, id="list"),
    pytest.param(np.array([0.1]), TypeError, id="array"),
]


@pytest.mark.parametrize(("balance", "error"), BAD_BALANCES)
def test_bad_balance(backend, balance, error):
    with pytest.raises(error, match="balance"):
        clearsight.wiener(_image(), PSF, balance, backend=backend)
    with pytest.raises(error, match="balance"):
        clearsight.Deconvolver(PSF, SHAPE, balance=balance, backend=backend)


@pytest.mark.parametrize("name", ["regularizer", "boundary", "backend"])
@pytest.mark.parametrize("value", ["", "unknown", "IDENTITY", "Reflect", "wrap", " periodic", None, 1, b"numpy"])
def test_unknown_choice(name, value):
    with pytest.raises(ValueError, match=name):
        clearsight.wiener(_image(), PSF, **{name: value})
    with pytest.raises(ValueError, match=name):
        clearsight.Deconvolver(PSF, SHAPE, **{name: value})


@pytest.mark.parametrize(
    ("threads", "error"),
    [
        pytest.param(0, ValueError, id="0"),
        pytest.param(-1, ValueError, id="-1"),
        pytest.param(-(2**70), ValueError, id="very-negative"),
        pytest.param(1.5, TypeError, id="1.5"),
        pytest.param(2.0, TypeError, id="2.0"),
        pytest.param(True, TypeError, id="True"),
        pytest.param("2", TypeError, id="str"),
        pytest.param(np.float64(2), TypeError, id="np.float64"),
    ],
)
def test_bad_threads(backend, threads, error):
    with pytest.raises(error, match="threads"):
        clearsight.wiener(_image(), PSF, threads=threads, backend=backend)
    with pytest.raises(error, match="threads"):
        clearsight.Deconvolver(PSF, SHAPE, threads=threads, backend=backend)


@pytest.mark.parametrize("clip", [None, 1, 0, "yes", 1.0])
def test_bad_clip(backend, clip):
    with pytest.raises(TypeError, match="clip"):
        clearsight.wiener(_image(), PSF, clip=clip, backend=backend)
    with pytest.raises(TypeError, match="clip"):
        clearsight.Deconvolver(PSF, SHAPE, clip=clip, backend=backend)


def test_numpy_scalar_spellings_give_the_same_answer(backend):
    image = _image()
    expected = clearsight.wiener(image, PSF, 0.5, threads=2, clip=True, backend=backend)
    got = clearsight.wiener(image, PSF, np.float32(0.5), threads=np.int64(2), clip=np.True_, backend=backend)
    np.testing.assert_array_equal(got, expected)
    deconvolve = clearsight.Deconvolver(PSF, [6, 7], balance=np.float64(0.5), dtype="float64", backend=backend)
    assert deconvolve.shape == SHAPE and deconvolve.dtype == np.float64
    np.testing.assert_array_equal(deconvolve(image), expected)


# -------------------------------------------------- Deconvolver shape / dtype

@pytest.mark.parametrize(
    ("shape", "error"),
    [
        pytest.param((6,), ValueError, id="1-D"),
        pytest.param((6, 7, 3, 1), ValueError, id="4-D"),
        pytest.param((6, 7, 5), ValueError, id="5-channels"),
        pytest.param((6, 7, 0), ValueError, id="0-channels"),
        pytest.param((0, 7), ValueError, id="0-rows"),
        pytest.param((6, -7), ValueError, id="negative"),
        pytest.param((6.0, 7), ValueError, id="float"),
        pytest.param((True, 7), ValueError, id="bool"),
        pytest.param(("6", 7), ValueError, id="str-element"),
        pytest.param((), ValueError, id="empty"),
        pytest.param(None, TypeError, id="None"),
        pytest.param("6x7", TypeError, id="str"),
        pytest.param(67, TypeError, id="int"),
        pytest.param({6, 7}, TypeError, id="set"),
    ],
)
def test_deconvolver_rejects_bad_shape(backend, shape, error):
    with pytest.raises(error, match="shape"):
        clearsight.Deconvolver(np.ones((1, 1)), shape, backend=backend)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.complex64, bool, object, np.float16, "not-a-dtype", "U8"])
def test_deconvolver_rejects_bad_dtype(backend, dtype):
    with pytest.raises(TypeError, match="dtype"):
        clearsight.Deconvolver(PSF, SHAPE, dtype=dtype, backend=backend)


# ------------------------------------------------------------------------ out

@pytest.mark.parametrize(
    ("out", "error"),
    [
        pytest.param(np.zeros((6, 8)), ValueError, id="wrong-shape"),
        pytest.param(np.zeros((7, 6)), ValueError, id="transposed-shape"),
        pytest.param(np.zeros((6, 7, 1)), ValueError, id="extra-axis"),
        pytest.param(np.zeros(SHAPE, np.float32), ValueError, id="wrong-dtype"),
        pytest.param(np.zeros(SHAPE, np.uint8), ValueError, id="uint8"),
        pytest.param(np.zeros(SHAPE).tolist(), TypeError, id="list"),
        pytest.param("out.png", TypeError, id="str"),
    ],
)
def test_bad_out(backend, out, error):
    deconvolve = clearsight.Deconvolver(PSF, SHAPE, dtype=np.float64, backend=backend)
    with pytest.raises(error, match="out"):
        deconvolve(_image(), out=out)


def test_read_only_out(backend):
    deconvolve = clearsight.Deconvolver(PSF, SHAPE, dtype=np.float64, backend=backend)
    out = np.zeros(SHAPE)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="out"):
        deconvolve(_image(), out=out)
    assert np.all(out == 0)
    image = _image()
    image.flags.writeable = False  # a read-only image is fine as input...
    np.testing.assert_array_equal(deconvolve(image), deconvolve(_image()))
    with pytest.raises(ValueError, match="out"):  # ...but not as out
        deconvolve(image, out=image)


# --------------------------------------------------------------- backend choice

def test_numpy_backend_always_listed_and_usable():
    names = clearsight.backends()
    assert "numpy" in names
    assert set(names) <= {"cpp", "numpy"} and len(set(names)) == len(names)
    image = _image()
    deconvolve = clearsight.Deconvolver(PSF, SHAPE, dtype=np.float64, backend="numpy")
    assert deconvolve.backend == "numpy"
    expected = clearsight.reference.wiener(image, PSF, 0.01)
    np.testing.assert_array_equal(deconvolve(image), expected)
    np.testing.assert_array_equal(clearsight.wiener(image, PSF, backend="numpy"), expected)


def test_cpp_listed_exactly_when_core_imports(monkeypatch):
    monkeypatch.delenv("CLEARSIGHT_BACKEND", raising=False)
    try:
        import clearsight._core
    except ImportError:
        assert clearsight.backends() == ["numpy"]
    else:
        assert clearsight.backends() == ["cpp", "numpy"]  # fastest first


@pytest.mark.parametrize("bogus", ["gpu", "CPP", "numpy ", "auto", "cuda"])
def test_bogus_environment_backend(monkeypatch, bogus):
    monkeypatch.setenv("CLEARSIGHT_BACKEND", bogus)
    with pytest.raises(ValueError, match="CLEARSIGHT_BACKEND"):
        clearsight.wiener(_image(), PSF)
    with pytest.raises(ValueError, match="CLEARSIGHT_BACKEND"):
        clearsight.Deconvolver(PSF, SHAPE)
    # an explicit backend= wins over the environment
    assert clearsight.Deconvolver(PSF, SHAPE, backend="numpy").backend == "numpy"
    assert "numpy" in clearsight.backends()


def test_environment_picks_the_backend(monkeypatch, backend):
    monkeypatch.setenv("CLEARSIGHT_BACKEND", backend)
    assert clearsight.Deconvolver(PSF, SHAPE).backend == backend
    assert clearsight.backends()[0] == backend
    other = [name for name in clearsight.backends() if name != backend]
    for name in other:
        assert clearsight.Deconvolver(PSF, SHAPE, backend=name).backend == name


def test_auto_without_environment_picks_the_fastest(monkeypatch):
    monkeypatch.delenv("CLEARSIGHT_BACKEND", raising=False)
    expected = "cpp" if not isinstance(_dispatch._load("cpp"), Exception) else "numpy"
    assert clearsight.Deconvolver(PSF, SHAPE).backend == expected


def test_big_endian_images_are_accepted_and_returned_native(backend):
    image = np.random.default_rng(3).random((20, 24))
    expected = clearsight.wiener(image, np.ones((3, 3)), backend=backend)
    swapped = image.astype(">f8")
    result = clearsight.wiener(swapped, np.ones((3, 3)), backend=backend)
    assert result.dtype == np.float64 and result.dtype.isnative
    np.testing.assert_array_equal(result, expected)


def test_deconvolver_dtype_none_is_rejected():
    with pytest.raises(TypeError, match="dtype"):
        clearsight.Deconvolver(np.ones((3, 3)), (16, 16), dtype=None)
