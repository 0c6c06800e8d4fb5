"""Tests for the ``clearsight`` command line (clearsight.cli)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

Image = pytest.importorskip("PIL.Image")

import clearsight  # noqa: E402
from clearsight import cli  # noqa: E402
from clearsight.io import read_image, write_image  # noqa: E402
from clearsight.metrics import psnr  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _backends_imported():
    # Import the backends before any test captures output: an editable install
    # that rebuilds the compiled core on import streams the build log to the
    # real stderr, which fails under pytest's in-memory capture (capsys).
    clearsight.backends()


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("clearsight: error:")]


def _assert_one_line_error(stderr: str, *fragments: str) -> None:
    assert "Traceback" not in stderr
    errors = _error_lines(stderr)
    assert len(errors) == 1, stderr
    # Anything else on stderr must be one of our own one-line notes.
    others = [line for line in stderr.splitlines() if line.startswith("clearsight:")]
    assert all(line.startswith(("clearsight: error:", "clearsight: warning:")) for line in others)
    for fragment in fragments:
        assert fragment in errors[0]


def _scene(height: int, width: int, channels: int | None = None) -> np.ndarray:
    """Smooth test picture in [0, 1] with some edges, grey or colour."""
    yy, xx = np.mgrid[0:height, 0:width] / max(height, width)
    base = 0.5 + 0.3 * np.sin(9 * xx) * np.cos(7 * yy)
    base[height // 3 : 2 * height // 3, width // 4 : width // 2] = 0.95
    if channels is None:
        return base
    return np.stack([np.roll(base, 3 * c, axis=1) for c in range(channels)], axis=-1)


@pytest.fixture
def blurred_rgb(tmp_path):
    sharp = _scene(48, 64, 3)
    psf = clearsight.psf.gaussian(1.5)
    blurred = cli._blur_reflect(sharp, psf)
    path = tmp_path / "in_rgb.png"
    write_image(path, np.clip(blurred, 0, 1))
    return path, np.rint(sharp * 255).astype(np.uint8)


@pytest.fixture
def grey16(tmp_path):
    data = np.rint(cli._blur_reflect(_scene(40, 36), clearsight.psf.gaussian(1.0)) * 65535)
    path = tmp_path / "in16.png"
    write_image(path, data.astype(np.uint16))
    return path


# ---------------------------------------------------------------- simple ones


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"clearsight {clearsight.__version__}\n"


def test_backends(capsys):
    assert cli.main(["backends"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == clearsight.backends()
    assert lines and set(lines) <= {"cpp", "numpy", "cuda", "torch"} | set(lines)


def test_help(capsys):
    assert cli.main(["--help"]) == 0
    assert "deblur" in capsys.readouterr().out


def test_no_command_is_usage_error(capsys):
    assert cli.main([]) == 2
    assert "usage:" in capsys.readouterr().err


def test_bad_choice_is_usage_error(tmp_path, capsys, blurred_rgb):
    src, _ = blurred_rgb
    out = tmp_path / "out.png"
    code = cli.main(["deblur", str(src), str(out), "--psf", "gaussian:1", "--boundary", "wrap"])
    assert code == 2
    assert "invalid choice" in capsys.readouterr().err
    assert not out.exists()


# --------------------------------------------------------------------- deblur


def test_deblur_rgb8(tmp_path, capsys, blurred_rgb):
    src, sharp = blurred_rgb
    out = tmp_path / "out.png"
    assert cli.main(["deblur", str(src), str(out), "--psf", "gaussian:1.5", "--balance", "0.001"]) == 0
    assert "error" not in capsys.readouterr().err
    with Image.open(out) as im:
        assert im.format == "PNG" and im.mode == "RGB" and im.size == (64, 48)
    restored = read_image(out)
    assert restored.dtype == np.uint8 and restored.shape == (48, 64, 3)
    assert psnr(sharp, restored) > psnr(sharp, read_image(src))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in_rgb.png", "out.png"]


def test_deblur_grey16(tmp_path, grey16):
    out = tmp_path / "out16.png"
    code = cli.main([
        "deblur", str(grey16), str(out), "--psf", "gaussian:1.0",
        "--boundary", "periodic", "--regularizer", "laplacian", "--threads", "1",
        "--backend", "auto",
    ])
    assert code == 0
    with Image.open(out) as im:
        assert im.mode.startswith("I;16") and im.size == (36, 40)
    restored = read_image(out)
    assert restored.dtype == np.uint16 and restored.shape == (40, 36)


def test_deblur_to_tiff_and_psf_file(tmp_path, grey16):
    psf_path = tmp_path / "k.npy"
    np.save(psf_path, clearsight.psf.disk(2.0))
    out = tmp_path / "out.tif"
    assert cli.main(["deblur", str(grey16), str(out), "--psf", str(psf_path)]) == 0
    assert read_image(out).dtype == np.uint16


def test_deblur_explicit_backends(tmp_path, blurred_rgb):
    src, _ = blurred_rgb
    for name in clearsight.backends():
        out = tmp_path / f"out_{name}.png"
        assert cli.main(["deblur", str(src), str(out), "--psf", "gaussian:1", "--backend", name]) == 0
        assert read_image(out).shape == (48, 64, 3)


def test_corrupt_input(tmp_path, capsys):
    src = tmp_path / "corrupt.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    out = tmp_path / "out.png"
    assert cli.main(["deblur", str(src), str(out), "--psf", "gaussian:1"]) == 2
    _assert_one_line_error(capsys.readouterr().err, str(src))
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt.png"]


def test_truncated_input(tmp_path, capsys, blurred_rgb):
    src, _ = blurred_rgb
    raw = src.read_bytes()
    src.write_bytes(raw[: len(raw) // 2])
    out = tmp_path / "out.png"
    assert cli.main(["deblur", str(src), str(out), "--psf", "gaussian:1"]) == 2
    _assert_one_line_error(capsys.readouterr().err, str(src))
    assert not out.exists()


def test_missing_input(tmp_path, capsys):
    out = tmp_path / "out.png"
    assert cli.main(["deblur", str(tmp_path / "nope.png"), str(out), "--psf", "gaussian:1"]) == 2
    _assert_one_line_error(capsys.readouterr().err, "nope.png")
    assert not out.exists()


@pytest.mark.parametrize("spec", ["motin:15,30", "gaussian:-1", "motion:15", "gaussian:abc", ""])
def test_bad_psf_spec(tmp_path, capsys, blurred_rgb, spec):
    src, _ = blurred_rgb
    out = tmp_path / "out.png"
    assert cli.main(["deblur", str(src), str(out), "--psf", spec]) == 2
    _assert_one_line_error(capsys.readouterr().err, "psf")
    assert not out.exists()


@pytest.mark.parametrize(
    "extra, fragment",
    [
        (["--balance", "0"], "balance"),
        (["--balance", "nan"], "balance"),
        (["--threads", "0"], "threads"),
        (["--backend", "gpu9000"], "backend"),
        (["--psf", "gaussian:1,201"], "psf"),  # larger than the image
    ],
)
def test_bad_arguments_leave_no_output(tmp_path, capsys, blurred_rgb, extra, fragment):
    src, _ = blurred_rgb
    out = tmp_path / "out.png"
    args = ["deblur", str(src), str(out), "--psf", "gaussian:1", *extra]
    assert cli.main(args) == 2
    _assert_one_line_error(capsys.readouterr().err, fragment)
    assert not out.exists()


@pytest.mark.parametrize(
    "method, extra",
    [
        ("wiener", ["--balance", "auto"]),
        ("wiener", ["--regularizer", "laplacian", "--boundary", "taper"]),
        ("rl", ["--iterations", "10", "--acceleration", "biggs"]),
        ("rl", ["--boundary", "taper"]),
        ("tv", ["--iterations", "8"]),
        ("hyper-laplacian", ["--weight", "0.0005", "--iterations", "8"]),
    ],
)
@pytest.mark.parametrize("luminance", [False, True])
def test_deblur_methods(tmp_path, capsys, blurred_rgb, method, extra, luminance):
    src, sharp = blurred_rgb
    out = tmp_path / "out.png"
    args = ["deblur", str(src), str(out), "--psf", "gaussian:1.5", "--method", method, *extra]
    assert cli.main(args + (["--luminance-only"] if luminance else [])) == 0
    assert "error" not in capsys.readouterr().err
    restored = read_image(out)
    assert restored.dtype == np.uint8 and restored.shape == sharp.shape
    assert psnr(sharp, restored) > psnr(sharp, read_image(src)) + 0.5


def test_deblur_method_matches_library(tmp_path, blurred_rgb):
    src, _ = blurred_rgb
    out = tmp_path / "out.png"
    args = ["deblur", str(src), str(out), "--psf", "motion:5,20", "--method", "rl", "--iterations", "7",
            "--boundary", "zero"]
    assert cli.main(args) == 0
    expected = clearsight.richardson_lucy(read_image(src), clearsight.psf.motion(5, 20), 7, boundary="zero")
    np.testing.assert_array_equal(read_image(out), expected)


@pytest.mark.parametrize(
    "extra, fragment",
    [
        (["--method", "rl", "--balance", "0.1"], "--balance does not apply to --method rl"),
        (["--method", "wiener", "--iterations", "5"], "--iterations does not apply"),
        (["--method", "tv", "--acceleration", "biggs"], "--acceleration does not apply"),
        (["--method", "wiener", "--weight", "auto"], "--weight does not apply"),
        (["--method", "wiener", "--boundary", "zero"], "boundary"),
        (["--method", "rl", "--boundary", "unknown"], "boundary"),
        (["--method", "rl", "--iterations", "0"], "iterations"),
        (["--method", "tv", "--weight", "-1"], "weight"),
        (["--method", "wiener", "--balance", "automatic"], "--balance"),
    ],
)
def test_deblur_bad_method_options(tmp_path, capsys, blurred_rgb, extra, fragment):
    src, _ = blurred_rgb
    out = tmp_path / "out.png"
    assert cli.main(["deblur", str(src), str(out), "--psf", "gaussian:1", *extra]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert not out.exists()


# ------------------------------------------------------------ denoise, sharpen


@pytest.fixture
def noisy_rgb(tmp_path):
    clean = _scene(48, 64, 3)
    rng = np.random.default_rng(3)
    path = tmp_path / "noisy.png"
    write_image(path, np.clip(clean + rng.normal(0, 0.08, clean.shape), 0, 1))
    return path, np.rint(clean * 255).astype(np.uint8)


@pytest.mark.parametrize("extra", [[], ["--channels", "joint"], ["--luminance-only"]])
def test_denoise(tmp_path, capsys, noisy_rgb, extra):
    src, clean = noisy_rgb
    out = tmp_path / "out.png"
    assert cli.main(["denoise", str(src), str(out), "--tv", "0.1", *extra]) == 0
    assert "error" not in capsys.readouterr().err
    denoised = read_image(out)
    assert denoised.dtype == np.uint8 and denoised.shape == clean.shape
    # Luminance only leaves the chroma's share of the (independent, per channel) noise.
    assert psnr(clean, denoised) > psnr(clean, read_image(src)) + (0.5 if "--luminance-only" in extra else 3)


def test_denoise_matches_library(tmp_path, noisy_rgb):
    src, _ = noisy_rgb
    out = tmp_path / "out.tif"
    assert cli.main(["denoise", str(src), str(out), "--tv", "0.05", "--channels", "joint"]) == 0
    np.testing.assert_array_equal(read_image(out), clearsight.denoise_tv(read_image(src), 0.05, channels="joint"))


@pytest.mark.parametrize(
    "extra, fragment",
    [([], "--tv"), (["--tv", "-0.1"], "weight"), (["--tv", "x"], "--tv"), (["--tv", "0.1", "--threads", "0"], "threads")],
)
def test_denoise_bad_arguments(tmp_path, capsys, noisy_rgb, extra, fragment):
    src, _ = noisy_rgb
    out = tmp_path / "out.png"
    assert cli.main(["denoise", str(src), str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("extra", [[], ["--luminance-only"], ["--threshold", "0.02"]])
def test_sharpen(tmp_path, blurred_rgb, extra):
    src, _ = blurred_rgb
    out = tmp_path / "out.png"
    assert cli.main(["sharpen", str(src), str(out), "--radius", "2", "--amount", "1.5", *extra]) == 0
    blurred = read_image(src)
    expected = clearsight.unsharp_mask(
        blurred, 2.0, 1.5, 0.02 if "--threshold" in extra else 0.0, luminance_only="--luminance-only" in extra
    )
    np.testing.assert_array_equal(read_image(out), expected)
    assert clearsight.sharpness(expected) > clearsight.sharpness(blurred)


@pytest.mark.parametrize(
    "extra, fragment",
    [(["--radius", "0"], "radius"), (["--amount", "-1"], "amount"), (["--threshold", "2"], "threshold"),
     (["--amount", "inf"], "amount")],
)
def test_sharpen_bad_arguments(tmp_path, capsys, blurred_rgb, extra, fragment):
    src, _ = blurred_rgb
    out = tmp_path / "out.png"
    assert cli.main(["sharpen", str(src), str(out), *extra]) == 2
    _assert_one_line_error(capsys.readouterr().err, fragment)
    assert not out.exists()


def test_unknown_output_suffix(tmp_path, capsys, blurred_rgb):
    src, _ = blurred_rgb
    out = tmp_path / "out.xyz"
    assert cli.main(["deblur", str(src), str(out), "--psf", "gaussian:1"]) == 2
    _assert_one_line_error(capsys.readouterr().err, str(out))
    assert not out.exists()


def test_alpha_to_jpeg_refused(tmp_path, capsys):
    src = tmp_path / "rgba.png"
    rgba = np.dstack([np.rint(_scene(20, 20, 3) * 255), np.full((20, 20), 255)]).astype(np.uint8)
    write_image(src, rgba)
    out = tmp_path / "out.jpg"
    assert cli.main(["deblur", str(src), str(out), "--psf", "gaussian:1"]) == 2
    _assert_one_line_error(capsys.readouterr().err, "alpha")
    assert not out.exists()


def test_warnings_become_one_line_notes(tmp_path, capsys, monkeypatch, blurred_rgb):
    import warnings

    def noisy_wiener(image, psf, **kwargs):
        warnings.warn("compiled core missing;\nusing NumPy", RuntimeWarning, stacklevel=2)
        return image

    monkeypatch.setattr(clearsight, "wiener", noisy_wiener)
    src, _ = blurred_rgb
    out = tmp_path / "out.png"
    assert cli.main(["deblur", str(src), str(out), "--psf", "gaussian:1"]) == 0
    err = capsys.readouterr().err
    assert err == "clearsight: warning: compiled core missing; using NumPy\n"
    np.testing.assert_array_equal(read_image(out), read_image(src))


def test_unwritable_output_directory(tmp_path, capsys, blurred_rgb):
    src, _ = blurred_rgb
    out = tmp_path / "no_such_dir" / "out.png"
    assert cli.main(["deblur", str(src), str(out), "--psf", "gaussian:1"]) == 2
    _assert_one_line_error(capsys.readouterr().err)
    assert not out.parent.exists()


# ----------------------------------------------------------------------- demo


def _demo_numbers(stdout: str) -> tuple[float, float, float, str]:
    blurred = float(re.search(r"PSNR blurred:\s*([0-9.]+) dB", stdout).group(1))
    restored = float(re.search(r"PSNR restored:\s*([0-9.]+) dB", stdout).group(1))
    timing = re.search(r"restore time:\s*([0-9.]+) ms \(.*backend=(\w+)\)", stdout)
    return blurred, restored, float(timing.group(1)), timing.group(2)


def test_demo_end_to_end(tmp_path, capsys):
    out_dir = tmp_path / "demo"
    assert cli.main(["demo", "--out", str(out_dir)]) == 0
    stdout = capsys.readouterr().out
    blurred_db, restored_db, ms, backend = _demo_numbers(stdout)
    assert restored_db > blurred_db + 1.0
    assert ms > 0
    assert backend == clearsight.backends()[0]
    sizes = {"blurred.png": (384, 384), "restored.png": (384, 384), "side_by_side.png": (3 * 384, 384)}
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(sizes)
    for name, size in sizes.items():
        with Image.open(out_dir / name) as im:
            assert im.format == "PNG" and im.mode == "RGB" and im.size == size
            im.load()
    # The left third of the side-by-side picture is the untouched sample.
    from clearsight.samples import astronaut

    np.testing.assert_array_equal(read_image(out_dir / "side_by_side.png")[:, :384], astronaut())


def test_demo_default_dir_is_cwd(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["demo"]) == 0
    assert (tmp_path / "clearsight-demo" / "restored.png").is_file()


def test_demo_bad_balance(tmp_path, capsys):
    assert cli.main(["demo", "--out", str(tmp_path / "d"), "--balance", "-1"]) == 2
    _assert_one_line_error(capsys.readouterr().err, "balance")


def test_blur_reflect_matches_direct_convolution():
    ndimage = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(3)
    image = rng.random((20, 23))
    psf = rng.random((5, 7))
    psf /= psf.sum()
    expected = ndimage.convolve(image, psf, mode="reflect")
    np.testing.assert_allclose(cli._blur_reflect(image, psf), expected, atol=1e-12)


# ----------------------------------------------------------------- subprocess


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    src = str(Path(clearsight.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "clearsight", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )


def test_subprocess_version_and_error(tmp_path, blurred_rgb):
    result = _run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert f"clearsight {clearsight.__version__}" in result.stdout.splitlines()

    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"not a png at all")
    out = tmp_path / "out.png"
    result = _run("deblur", str(corrupt), str(out), "--psf", "gaussian:1", cwd=tmp_path)
    assert result.returncode == 2
    _assert_one_line_error(result.stderr, str(corrupt))
    assert not out.exists()

    result = _run("deblur", str(blurred_rgb[0]), str(out), "--psf", "gaussian:1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert read_image(out).shape == (48, 64, 3)


# ------------------------------------------------------------------ evaluate


def test_evaluate_sr(data, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CLEARSIGHT_DATA", str(data.path("sr").parent))
    table = tmp_path / "set5.csv"
    assert cli.main(["evaluate", "sr", "--dataset", "Set5", "--scale", "4", "--csv", str(table), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "| **mean** | **28.418**" in out
    lines = table.read_text().splitlines()
    assert lines[0] == "image,psnr,ssim,seconds" and len(lines) == 6


def test_evaluate_denoise_by_path(data, capsys):
    folder = data.path("denoise", "Set12")
    assert cli.main(["evaluate", "denoise", "--dataset", str(folder), "--sigma", "50", "--method", "none",
                     "--no-progress"]) == 0
    mean_input = re.search(r"\| \*\*mean\*\* \| ([0-9.]+) \|", capsys.readouterr().out)
    assert float(mean_input.group(1)) == pytest.approx(14.15, abs=0.005)  # the protocol's noisy column


@pytest.mark.parametrize(
    "extra, fragment",
    [
        (["sr", "--dataset", "NoSuchSet", "--scale", "2"], "--dataset 'NoSuchSet'"),
        (["sr", "--dataset", "Set5", "--scale", "5"], "invalid choice"),
        (["denoise", "--dataset", "Set12"], "--sigma"),
        (["denoise", "--dataset", "Set12", "--sigma", "-3", "--no-progress"], "sigma"),
    ],
)
def test_evaluate_bad_arguments(data, capsys, monkeypatch, extra, fragment):
    monkeypatch.setenv("CLEARSIGHT_DATA", str(data.path("sr").parent))
    assert cli.main(["evaluate", *extra]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
