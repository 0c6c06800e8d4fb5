# Type stub of the compiled module clearsight._core (csrc/python/bind_*.cpp).
#
# pybind11 modules carry no type information, so this file states the
# signatures the bindings declare. tests/test_static.py runs mypy's stubtest
# on it against the built module: a binding added, renamed or removed
# without this file following is a test failure that names it.
#
# Arrays: any of uint8, uint16, float32, float64 (checked by the binding,
# TypeError otherwise); planes are 2-D, images H×W or H×W×C (C ≤ 4), any
# strides. Results are new arrays of the input's dtype unless said otherwise.

from typing import Any, Final

from numpy.typing import NDArray

CHECKS_FINITE: Final[bool]

def available_cpus() -> int: ...
def cpu_variant() -> str: ...
def fast_length(n: int) -> int: ...

class WienerPlan:
    def __init__(
        self,
        psf: NDArray[Any],
        shape: tuple[int, int],
        balance: float,
        regularizer: str,
        boundary: str,
        double_precision: bool,
        threads: int = 1,
    ) -> None: ...
    def apply(self, image: NDArray[Any], out: NDArray[Any], clip: bool, threads: int) -> None: ...
    @property
    def shape(self) -> tuple[int, int]: ...
    @property
    def padded_shape(self) -> tuple[int, int]: ...
    @property
    def double_precision(self) -> bool: ...

class RichardsonLucyPlan:
    def __init__(
        self, psf: NDArray[Any], shape: tuple[int, int], boundary: str, double_precision: bool, threads: int = 1
    ) -> None: ...
    def apply(
        self,
        image: NDArray[Any],
        out: NDArray[Any],
        iterations: int,
        acceleration: str,
        clip: bool,
        threads: int,
    ) -> None: ...
    @property
    def shape(self) -> tuple[int, int]: ...
    @property
    def padded_shape(self) -> tuple[int, int]: ...
    @property
    def double_precision(self) -> bool: ...

class TVDeconvolutionPlan:
    def __init__(
        self, psf: NDArray[Any], shape: tuple[int, int], boundary: str, double_precision: bool, threads: int = 1
    ) -> None: ...
    def apply(
        self,
        image: NDArray[Any],
        out: NDArray[Any],
        weight: float,
        alpha: float,
        iterations: int,
        clip: bool,
        threads: int,
    ) -> None: ...
    @property
    def shape(self) -> tuple[int, int]: ...
    @property
    def padded_shape(self) -> tuple[int, int]: ...
    @property
    def double_precision(self) -> bool: ...
    @staticmethod
    def shrink(v: float, beta: float, alpha: float) -> float: ...

# work: H×W×C float32 or float64 (the door scales integers to float64 first);
# returns a new C-contiguous array of work's dtype.
def denoise_tv(
    work: NDArray[Any], weight: float, eps: float, max_iterations: int, joint: bool, threads: int
) -> NDArray[Any]: ...
def gaussian_blur(
    image: NDArray[Any], sigma: float, truncate: float = 4.0, boundary: str = "reflect", threads: int = 1
) -> NDArray[Any]: ...
def unsharp_mask(
    image: NDArray[Any],
    radius: float = 1.0,
    amount: float = 1.0,
    threshold: float = 0.0,
    clip: bool = True,
    threads: int = 1,
) -> NDArray[Any]: ...
# One σ per colour channel, float64.
def estimate_noise(image: NDArray[Any], threads: int = 1) -> NDArray[Any]: ...
def sharpness(image: NDArray[Any], threads: int = 1) -> float: ...
def rgb_to_ycbcr(image: NDArray[Any], threads: int = 1) -> NDArray[Any]: ...
def ycbcr_to_rgb(image: NDArray[Any], clip: bool = True, threads: int = 1) -> NDArray[Any]: ...
def rgb_to_y(image: NDArray[Any], threads: int = 1) -> NDArray[Any]: ...
def resize(
    image: NDArray[Any],
    size: tuple[int, int],
    scale: tuple[float, float],
    method: str,
    antialias: bool,
    boundary: str,
    threads: int = 1,
) -> NDArray[Any]: ...
# resize, and how many samples the float32 kernel recomputed in float64 (for tests).
def _resize_counted(
    image: NDArray[Any],
    size: tuple[int, int],
    scale: tuple[float, float],
    method: str,
    antialias: bool,
    boundary: str,
    threads: int = 1,
) -> tuple[NDArray[Any], int]: ...
# resize, the samples recomputed in float64, and whether the row and the column
# pass of a uint8 image were done in int32 (for tests).
def _resize_paths(
    image: NDArray[Any],
    size: tuple[int, int],
    scale: tuple[float, float],
    method: str,
    antialias: bool,
    boundary: str,
    threads: int = 1,
) -> tuple[NDArray[Any], int, bool, bool]: ...
# resize, and how its column pass ran: "integer rows", "integer aligned pairs", "integer
# pairs", "float rows", "float transposed", or "" on the portable kernel (for tests).
def _resize_column_path(
    image: NDArray[Any],
    size: tuple[int, int],
    scale: tuple[float, float],
    method: str,
    antialias: bool,
    boundary: str,
    threads: int = 1,
) -> tuple[NDArray[Any], str]: ...
def psnr(reference: NDArray[Any], test: NDArray[Any], data_range: float, threads: int = 1) -> float: ...
# PSNR at data_range 1 and whether a sample lies outside [0, 1] (or is NaN).
def psnr_unit_range(reference: NDArray[Any], test: NDArray[Any], threads: int = 1) -> tuple[float, bool]: ...
# Mean SSIM and, with full=True, the SSIM map (else None).
def ssim(
    reference: NDArray[Any], test: NDArray[Any], data_range: float, full: bool = False, threads: int = 1
) -> tuple[float, NDArray[Any] | None]: ...
def ms_ssim(reference: NDArray[Any], test: NDArray[Any], data_range: float, threads: int = 1) -> float: ...
