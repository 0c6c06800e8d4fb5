"""clearsight.evaluate: the SR and denoising tables, against the data folder's measured baselines."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import clearsight
from clearsight.evaluate import Evaluation, evaluate_denoise, evaluate_sr


def test_bicubic_sr_table(data):
    result = evaluate_sr(lambda lr: clearsight.resize(lr, 4), data.path("sr", "Set5"), 4, progress=False)
    assert result.names == ["baby", "bird", "butterfly", "head", "woman"]
    np.testing.assert_allclose(result.psnr, [31.771, 30.175, 22.099, 31.579, 26.465], atol=5e-4)
    assert result.mean_psnr == pytest.approx(28.418, abs=5e-4)
    assert 0.7 < result.mean_ssim < 0.9
    assert "| **mean** | **28.418**" in result.to_markdown()


def test_float_output_is_rounded_to_8_bits(data):
    folder = data.path("sr", "Set5")
    as_uint8 = evaluate_sr(lambda lr: clearsight.resize(lr, 2), folder, 2, progress=False)
    as_float = evaluate_sr(lambda lr: clearsight.resize(lr, 2).astype(np.float64) / 255.0, folder, 2, progress=False)
    assert as_float.psnr == as_uint8.psnr


def _baselines(data, dataset: str, sigma: int) -> dict[str, dict[str, float]]:
    with open(data.path("denoise", "baselines.csv"), newline="") as file:
        return {row["file"].removesuffix(".png"): row for row in csv.DictReader(file)
                if row["set"] == dataset and int(row["sigma"]) == sigma}


@pytest.mark.parametrize("sigma", [15, 50])
def test_noisy_baseline_matches_the_protocol(data, sigma):
    result = evaluate_denoise(lambda noisy: noisy, data.path("denoise", "Set12"), sigma, progress=False)
    expected = _baselines(data, "Set12", sigma)
    assert result.names == sorted(expected)
    np.testing.assert_allclose(result.input_psnr, [float(expected[n]["psnr_noisy"]) for n in result.names], atol=1e-3)
    # The identity as a denoiser is scored like any output: clipped to [0, 1] first, which helps it.
    assert all(p > q for p, q in zip(result.psnr, result.input_psnr, strict=True))


def test_tv_baseline_matches_the_protocol(data):
    # The data folder's TV column: skimage's denoise_tv_chambolle at w = 0.08, sigma 25.
    result = evaluate_denoise(lambda noisy: clearsight.denoise_tv(noisy, 0.08), data.path("denoise", "Set12"), 25,
                              progress=False)
    expected = _baselines(data, "Set12", 25)
    np.testing.assert_allclose(result.psnr, [float(expected[n]["psnr_tv_w0.08"]) for n in result.names], atol=0.01)


def test_seed_changes_the_noise(data):
    folder = data.path("denoise", "Set12")
    a = evaluate_denoise(lambda y: y, folder, 25, seed=0, progress=False)
    b = evaluate_denoise(lambda y: y, folder, 25, seed=1, progress=False)
    assert a.input_psnr != b.input_psnr and abs(np.mean(a.input_psnr) - np.mean(b.input_psnr)) < 0.05


def test_bad_arguments(tmp_path, data):
    folder = data.path("sr", "Set5")
    with pytest.raises(ValueError, match="dataset_dir"):
        evaluate_sr(lambda x: x, tmp_path / "missing", 2)
    with pytest.raises(ValueError, match="LR_bicubic/X5"):
        evaluate_sr(lambda x: x, folder, 5)
    with pytest.raises(ValueError, match="scale"):
        evaluate_sr(lambda x: x, folder, 0)
    with pytest.raises(TypeError, match="upscale_fn"):
        evaluate_sr(None, folder, 2)
    with pytest.raises(ValueError, match="shape"):
        evaluate_sr(lambda x: x, folder, 2, progress=False)
    with pytest.raises(TypeError, match="uint8 or a float"):
        evaluate_sr(lambda x: clearsight.resize(x, 2).astype(np.int32), folder, 2, progress=False)
    with pytest.raises(ValueError, match="sigma"):
        evaluate_denoise(lambda x: x, data.path("denoise", "Set12"), -1)
    with pytest.raises(ValueError, match="NaN"):
        evaluate_denoise(lambda x: x * np.nan, data.path("denoise", "Set12"), 15, progress=False)
    with pytest.raises(ValueError, match="no PNG"):
        evaluate_denoise(lambda x: x, tmp_path, 15)


def test_evaluation_renderings():
    result = Evaluation("demo", ["a", "b"], [30.0, 32.0], [0.9, 0.8], [0.1, 0.3])
    assert result.mean_psnr == 31.0 and result.mean_ssim == pytest.approx(0.85)
    assert result.to_csv().splitlines() == ["image,psnr,ssim,seconds", "a,30.000000,0.900000,0.100000",
                                            "b,32.000000,0.800000,0.300000"]
    assert result.to_markdown().splitlines()[-1] == "| **mean** | **31.000** | **0.8500** | 0.200 |"
