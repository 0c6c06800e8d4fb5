"""clearsight.metrics on torch tensors (N×C×H×W): NumPy parity, gradients, errors."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from clearsight.metrics import ms_ssim, psnr, ssim  # noqa: E402

# Tensors are computed in float64 like the NumPy reference and cast back to
# the input dtype: float64 results agree to summation-order rounding, float32
# results to their own rounding (half an ulp of a value <= ~50 dB is 2e-6 dB
# for PSNR, 6e-8 for SSIM). The bound is 1e-6 for SSIM-like values.
TOL = {torch.float64: 1e-9, torch.float32: 1e-6}


def _images(shape, seed=0, noise=0.08):
    rng = np.random.default_rng(seed)
    clean = rng.random(shape)
    noisy = np.clip(clean + rng.normal(0, noise, shape), 0, 1)
    return clean, noisy


def _to_hwc(batch: np.ndarray, n: int) -> np.ndarray:
    image = batch[n].transpose(1, 2, 0)
    return image[..., 0] if image.shape[2] == 1 else image


def test_import_clearsight_does_not_import_torch():
    code = "import sys, clearsight, clearsight.metrics; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    "metric, shape, kwargs",
    [
        (psnr, (3, 3, 20, 23), {}),
        (psnr, (2, 3, 20, 23), {"y_channel": True, "crop_border": 2}),
        (psnr, (2, 1, 9, 8), {"y_channel": True}),
        (ssim, (3, 1, 25, 30), {}),
        (ssim, (2, 3, 25, 30), {}),
        (ssim, (2, 3, 30, 31), {"y_channel": True, "crop_border": 3}),
        (ssim, (2, 4, 16, 16), {"y_channel": True}),
        (ms_ssim, (2, 1, 180, 190), {}),
        (ms_ssim, (1, 3, 177, 176), {"y_channel": True}),
    ],
)
def test_tensor_equals_numpy(metric, shape, kwargs, dtype):
    a, b = _images(shape)
    ta, tb = torch.from_numpy(a).to(dtype), torch.from_numpy(b).to(dtype)
    result = metric(ta, tb, **kwargs)
    assert result.shape == (shape[0],) and result.dtype == dtype
    # The NumPy side gets exactly the values the tensors hold.
    a64, b64 = ta.double().numpy(), tb.double().numpy()
    for n in range(shape[0]):
        expected = metric(_to_hwc(a64, n), _to_hwc(b64, n), **kwargs)
        assert float(result[n]) == pytest.approx(expected, abs=TOL[dtype] * max(1.0, abs(expected) / 10))


def test_tensor_data_range():
    a, b = _images((2, 3, 16, 16))
    ta, tb = torch.from_numpy(a * 255), torch.from_numpy(b * 255)
    for metric in (psnr, ssim):
        expected = metric(torch.from_numpy(a), torch.from_numpy(b))
        torch.testing.assert_close(metric(ta, tb, data_range=255), expected, rtol=0, atol=1e-9)
        with pytest.raises(ValueError, match="data_range"):
            metric(ta, tb)


def test_tensor_known_answers():
    a, b = _images((2, 3, 16, 16))
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    assert torch.all(psnr(ta, ta.clone()) == math.inf)
    assert torch.all(ssim(ta, ta.clone()) == 1.0)
    assert torch.equal(ssim(ta, tb), ssim(tb, ta))
    zero = torch.zeros(1, 1, 4, 4, dtype=torch.float64)
    one_level = zero.clone()
    one_level[0, 0, 0, 0] = 0.1  # MSE = 0.01 / 16
    assert float(psnr(zero, one_level)) == pytest.approx(10 * math.log10(16 / 0.01))


def test_tensor_gradcheck_psnr_and_ssim():
    gen = torch.Generator().manual_seed(0)
    # Inside (0, 1) with room for gradcheck's finite-difference steps.
    # Small: gradcheck differentiates numerically input by input.
    ref = 0.1 + 0.8 * torch.rand(1, 1, 12, 13, generator=gen, dtype=torch.float64)
    test = ref + 0.05 * torch.rand(1, 1, 12, 13, generator=gen, dtype=torch.float64)
    test.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: ssim(ref, t), (test,))
    assert torch.autograd.gradcheck(lambda t: psnr(ref[..., :4, :5], t), (test[..., :4, :5].detach().requires_grad_(),))
    rgb_ref = torch.rand(1, 3, 11, 12, generator=gen, dtype=torch.float64)
    rgb = (rgb_ref * 0.8 + 0.1).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: ssim(rgb_ref, t, y_channel=True), (rgb,))


def test_ssim_as_a_loss_decreases():
    gen = torch.Generator().manual_seed(1)
    target = torch.rand(1, 1, 24, 24, generator=gen)
    estimate = torch.full_like(target, 0.5, requires_grad=True)
    optimiser = torch.optim.Adam([estimate], lr=0.05)
    first = None
    for _ in range(30):
        loss = 1 - ssim(target, estimate.clamp(0, 1)).mean()
        first = float(loss.detach()) if first is None else first
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    assert float(loss.detach()) < 0.5 * first


def test_tensor_bad_inputs_name_the_argument():
    a, b = _images((1, 3, 180, 180))
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    for metric in (psnr, ssim, ms_ssim):
        with pytest.raises(TypeError, match="test"):
            metric(ta, b)
        with pytest.raises(TypeError, match="reference"):
            metric(a, tb)
        with pytest.raises(ValueError, match="N×C×H×W"):
            metric(ta[0], tb[0])
        with pytest.raises(TypeError, match="floating-point"):
            metric((ta * 255).to(torch.uint8), (tb * 255).to(torch.uint8))
        with pytest.raises(ValueError, match="shape"):
            metric(ta, tb[..., :-1])
        with pytest.raises(ValueError, match="dtype"):
            metric(ta, tb.float())
        broken = tb.clone()
        broken[0, 0, 1, 1] = math.nan
        with pytest.raises(ValueError, match="test contains NaN"):
            metric(ta, broken)
        with pytest.raises(ValueError, match="data_range"):
            metric(ta, tb, data_range=0)
        with pytest.raises(ValueError, match="crop_border"):
            metric(ta, tb, crop_border=90)
        with pytest.raises(ValueError, match="y_channel"):
            metric(ta[:, :2], tb[:, :2], y_channel=True)
    with pytest.raises(ValueError, match="11×11"):
        ssim(ta[..., :10, :], tb[..., :10, :])
    with pytest.raises(ValueError, match="176"):
        ms_ssim(ta, tb, crop_border=3)
    with pytest.raises(TypeError, match="full"):
        ssim(ta, tb, full=True)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_equals_cpu():
    a, b = _images((2, 3, 180, 181))
    ta, tb = torch.from_numpy(a).float(), torch.from_numpy(b).float()
    for metric in (psnr, ssim, ms_ssim):
        on_gpu = metric(ta.cuda(), tb.cuda(), y_channel=True)
        assert on_gpu.device.type == "cuda"
        torch.testing.assert_close(on_gpu.cpu(), metric(ta, tb, y_channel=True), rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="device"):
        psnr(ta.cuda(), tb)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_gradients_equal_cpu():
    # Training uses these as losses on the GPU: the gradient there must be
    # the CPU's, which gradcheck above proves right.
    a, b = _images((2, 3, 40, 41), seed=3)
    for metric, kwargs in ((ssim, {}), (ssim, {"y_channel": True}), (psnr, {"y_channel": True})):
        grads = []
        for device in ("cpu", "cuda"):
            ref = torch.from_numpy(a).to(device)
            test = torch.from_numpy(b).to(device).requires_grad_(True)
            metric(ref, test, **kwargs).sum().backward()
            assert test.grad is not None and test.grad.device.type == device
            grads.append(test.grad.cpu())
        torch.testing.assert_close(grads[1], grads[0], rtol=1e-9, atol=1e-12)
