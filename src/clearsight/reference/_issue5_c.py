"""Re-exports of issue-5 reference kernels (part c): total-variation denoising."""

from clearsight.reference.denoise import denoise_tv

__all__: list[str] = ["denoise_tv"]
