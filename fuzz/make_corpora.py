"""Write the seed corpora of the fuzz harnesses (nothing binary is committed).

    python fuzz/make_corpora.py [OUT_DIR]     # default: build/fuzz-corpus

Writes OUT_DIR/seeds/<harness>/: for the array harnesses, deterministic
pseudo-random byte strings of several lengths (every byte string decodes to
valid-looking arguments, so random bytes are good seeds and the fuzzer's
coverage feedback does the rest); for fuzz_read_image, small valid images of
every mode Pillow writes, each behind the byte that picks its file suffix;
for fuzz_psf_parse, the spec forms of the CLI's documentation. Deterministic:
the same files on every run.
"""

from __future__ import annotations

import io
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ARRAY_HARNESSES = ("bindings", "color", "wiener", "deconvolver", "richardson_lucy", "deconvolve_tv", "denoise_tv",
                   "unsharp_mask", "estimate_noise", "resize", "psnr", "ssim", "niqe")
LENGTHS = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)
PSF_SPECS = ("gaussian:2", "gaussian:1.5,9", "motion:9,45", "motion: 9 , 45 , 15", "disk:3", "disk:2.5,7",
             "GAUSSIAN:0.3", "motion:1,0", "disk:0.5", "gaussian:nan", "motion:9", "x:1")
# Suffix indices of fuzz_read_image.SUFFIXES.
SUFFIX = {".png": 0, ".tif": 1, ".gif": 2, ".bmp": 3, ".jpg": 4, ".ppm": 5, ".webp": 6, ".ico": 7, ".tga": 8}


def images() -> list[tuple[str, bytes]]:
    from PIL import Image

    rng = np.random.default_rng(0)
    rgb = (rng.random((7, 5, 3)) * 255).astype(np.uint8)
    grey = rgb[..., 0]
    out = []
    pictures = {
        "L": Image.fromarray(grey), "RGB": Image.fromarray(rgb), "RGBA": Image.fromarray(np.dstack([rgb, grey])),
        "LA": Image.fromarray(np.dstack([grey, grey]), "LA") if hasattr(Image, "fromarray") else None,
        "I;16": Image.fromarray(grey.astype(np.uint16) * 257), "1": Image.fromarray(grey).convert("1"),
        "P": Image.fromarray(rgb).convert("P"), "CMYK": Image.fromarray(rgb).convert("CMYK"),
    }
    formats = {".png": "PNG", ".tif": "TIFF", ".gif": "GIF", ".bmp": "BMP", ".jpg": "JPEG", ".ppm": "PPM",
               ".webp": "WEBP", ".ico": "ICO", ".tga": "TGA"}
    for mode, picture in pictures.items():
        for suffix, fmt in formats.items():
            buffer = io.BytesIO()
            try:
                picture.save(buffer, fmt)
            except (OSError, ValueError, KeyError):
                continue  # this format cannot hold this mode
            out.append((f"{fmt.lower()}-{mode.replace(';', '')}", bytes([SUFFIX[suffix]]) + buffer.getvalue()))
    npy = io.BytesIO()
    np.save(npy, grey)
    out.append(("npy", bytes([9]) + npy.getvalue()))
    return out


def main(out_dir: str) -> None:
    seeds = os.path.join(out_dir, "seeds")
    rng = np.random.default_rng(20240914)
    for name in ARRAY_HARNESSES:
        folder = os.path.join(seeds, name)
        os.makedirs(folder, exist_ok=True)
        for i, n in enumerate(LENGTHS):
            with open(os.path.join(folder, f"random-{i}"), "wb") as fh:
                fh.write(rng.integers(0, 256, n, dtype=np.uint8).tobytes())
    folder = os.path.join(seeds, "psf_parse")
    os.makedirs(folder, exist_ok=True)
    kinds = ("gaussian:", "motion:", "disk:", "GAUSSIAN : ", "", "c:/", "x:")
    for i, spec in enumerate(PSF_SPECS):
        # Byte 0 picks the kind (0: raw unicode body follows), as fuzz_psf_parse decodes it.
        kind = spec.partition(":")[0]
        kind_index = kinds.index(kind.strip().lower() + ":") if kind.strip().lower() + ":" in kinds else 4
        with open(os.path.join(folder, f"spec-{i}"), "wb") as fh:
            fh.write(bytes([kind_index, 0]) + spec.encode())
    folder = os.path.join(seeds, "read_image")
    os.makedirs(folder, exist_ok=True)
    for name, data in images():
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(data)
    print(f"seed corpora in {seeds}: " + ", ".join(f"{d} ({len(os.listdir(os.path.join(seeds, d)))})"
                                                    for d in sorted(os.listdir(seeds))))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "build", "fuzz-corpus"))
