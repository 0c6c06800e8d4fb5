"""Reading and writing image files.

Both functions work on plain NumPy arrays in the layouts the rest of
clearsight uses: ``H×W`` for grey images and ``H×W×C`` with ``C`` = 2
(grey + alpha), 3 (RGB) or 4 (RGBA). Decoding and encoding is done by Pillow,
an optional dependency (``pip install clearsight[image]``) that is imported
only when one of these functions is called.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import struct
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

__all__ = ["read_image", "write_image", "MAX_PIXELS"]

#: Largest image, in pixels, that :func:`read_image` will decode. Pillow's own
#: ``PIL.Image.MAX_IMAGE_PIXELS`` limit is honoured as well; the smaller wins.
MAX_PIXELS = 2**28

# Suffix -> Pillow format name.
_FORMATS = {
    ".png": "PNG",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".bmp": "BMP",
    ".webp": "WEBP",
}

# Pillow writes these formats but would silently drop (BMP) or refuse (JPEG)
# an alpha channel; a clear error is friendlier than a lost channel.
_NO_ALPHA = {"JPEG", "BMP"}

# Formats whose writers take 16-bit single-channel data ("I;16").
_GREY16 = {"PNG", "TIFF"}

_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 95},
    # Lossy WebP would undo the point of restoring an image.
    "WEBP": {"lossless": True},
}

_PIL_HINT = "reading and writing images needs Pillow: pip install clearsight[image]"


def _pil() -> tuple[Any, Any]:
    try:
        from PIL import Image, ImageOps
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_PIL_HINT) from exc
    return Image, ImageOps


# --------------------------------------------------------------------- reading


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file into a NumPy array.

    Parameters
    ----------
    path : str or os.PathLike
        File to read. Any format Pillow can decode is accepted; for
        multi-frame files (animated GIF, multi-page TIFF) the first frame is
        returned.

    Returns
    -------
    numpy.ndarray
        ``H×W`` for grey images, ``H×W×2`` for grey + alpha, ``H×W×3`` for
        RGB and ``H×W×4`` for RGBA. The dtype is ``uint16`` for 16-bit grey
        images (PNG, TIFF) and ``uint8`` otherwise. Palette images become RGB,
        or RGBA when the palette has transparency; CMYK, YCbCr, LAB and HSV
        images become RGB; 1-bit images become ``uint8`` with values 0 and
        255. The EXIF orientation tag, if any, is applied so that the array
        is upright.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        If `path` is a directory, cannot be read, is not an image, is
        truncated or corrupt, has an unsupported pixel type, or is larger
        than :data:`MAX_PIXELS` (or Pillow's ``Image.MAX_IMAGE_PIXELS``).
    ImportError
        If Pillow is not installed.

    Notes
    -----
    Pillow decodes 16-bit colour PNGs (grey + alpha, RGB, RGBA) to 8 bits per
    channel by keeping the high byte, so those are returned as ``uint8``; only
    single-channel 16-bit data keeps its full depth.

    Converting Pillow's decompression-bomb warning into an error uses
    :func:`warnings.catch_warnings`, which swaps the process-wide warning
    filters for the duration of the call.

    Examples
    --------
    >>> img = read_image("photo.png")  # doctest: +SKIP
    >>> img.shape, img.dtype  # doctest: +SKIP
    ((480, 640, 3), dtype('uint8'))
    """
    Image, ImageOps = _pil()
    name = os.fspath(path)
    if not os.path.exists(name):
        raise FileNotFoundError(errno.ENOENT, "no such image file", name)
    if os.path.isdir(name):
        raise ValueError(f"cannot read image '{name}': it is a directory")

    try:
        with open(name, "rb") as fh, warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a
            # warning is easy to miss, so treat it as the refusal it hints at.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fh) as im:
                width, height = im.size
                if width * height > MAX_PIXELS:
                    raise ValueError(
                        f"cannot read image '{name}': {width}x{height} pixels exceeds "
                        f"clearsight.io.MAX_PIXELS = {MAX_PIXELS}"
                    )
                grey_alpha_16 = _rawmode(im) == "LA;16B"
                # Decoding is lazy; loading here, inside the try, is what
                # surfaces truncated or corrupt pixel data as an error.
                im.load()
                im = ImageOps.exif_transpose(im)
                array = _to_array(im, name)
                if grey_alpha_16 and array.ndim == 3 and array.shape[2] == 4:
                    # Pillow widens 16-bit grey + alpha PNGs to RGBA (R = G = B).
                    array = np.ascontiguousarray(array[:, :, [0, 3]])
                return array
    except ValueError as exc:
        if name in str(exc):
            raise
        raise ValueError(f"cannot read image '{name}': {exc}") from exc
    except FileNotFoundError:
        raise  # removed between the existence check and the open
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError(
            f"cannot read image '{name}': refused as a possible decompression bomb ({exc})"
        ) from exc
    except (OSError, SyntaxError, EOFError, IndexError, TypeError, KeyError,
            struct.error, zlib.error) as exc:
        # UnidentifiedImageError is an OSError: covers non-image files too.
        reason = str(exc) or type(exc).__name__
        raise ValueError(f"cannot read image '{name}': {reason}") from exc


def _rawmode(im: Any) -> str | None:
    tile = getattr(im, "tile", None) or []
    if not tile:
        return None
    args = tile[0][3]
    if isinstance(args, tuple):
        args = args[0] if args else None
    return args if isinstance(args, str) else None


def _to_array(im: Any, name: str) -> np.ndarray:
    mode = im.mode
    if mode == "1":
        return np.asarray(im.convert("L"), dtype=np.uint8)
    if mode in ("L", "LA", "RGB", "RGBA"):
        return np.asarray(im, dtype=np.uint8)
    if mode.startswith("I;16"):
        # Byte order differs between variants ("I;16B" is big-endian); the
        # returned array is always native.
        return np.asarray(im).astype(np.uint16)
    if mode == "I":
        data = np.asarray(im)
        if data.size and (data.min() < 0 or data.max() > 0xFFFF):
            raise ValueError(
                f"cannot read image '{name}': 32-bit integer pixels outside the 16-bit range"
            )
        return data.astype(np.uint16)
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in im.info or im.palette.mode == "RGBA"
        return np.asarray(im.convert("RGBA" if has_alpha else "RGB"), dtype=np.uint8)
    if mode == "La":
        return np.asarray(im.convert("LA"), dtype=np.uint8)
    if mode in ("RGBa", "RGBX"):
        target = "RGBA" if mode == "RGBa" else "RGB"
        return np.asarray(im.convert(target), dtype=np.uint8)
    if mode in ("CMYK", "YCbCr", "LAB", "HSV"):
        return np.asarray(im.convert("RGB"), dtype=np.uint8)
    raise ValueError(f"cannot read image '{name}': unsupported pixel mode {mode!r}")


# --------------------------------------------------------------------- writing


def write_image(path: str | os.PathLike[str], image: Any) -> None:
    """Write an array to an image file, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Destination. The format follows the suffix (case-insensitive):
        ``.png``, ``.tif``/``.tiff``, ``.jpg``/``.jpeg``, ``.bmp`` or
        ``.webp``. The parent directory must exist.
    image : array_like
        ``H×W``, ``H×W×1``, ``H×W×2`` (grey + alpha), ``H×W×3`` (RGB) or
        ``H×W×4`` (RGBA), of dtype ``uint8``, ``uint16``, ``bool`` or
        floating point. Floating-point data must lie in [0, 1] and is scaled
        to ``uint8`` with rounding; ``bool`` becomes 0 / 255.

    Raises
    ------
    ValueError
        If the suffix is unknown, the layout is not one of the above, float
        data is non-finite or outside [0, 1], or the image has an alpha
        channel and the format (JPEG, BMP) cannot store one. The message
        names `path`.
    TypeError
        If the dtype is not one of the above.
    FileNotFoundError
        If the parent directory does not exist.
    OSError
        If the file cannot be written.
    ImportError
        If Pillow is not installed.

    Notes
    -----
    The image is first written to a hidden temporary file in the destination
    directory, which then replaces `path` in one step; a failure at any point
    removes the temporary file and leaves `path` as it was.

    Bit depth is kept where the format allows it:

    * ``uint16`` grey is written as 16-bit PNG or TIFF;
    * ``uint16`` grey + alpha, RGB and RGBA are written as 16-bit PNG by a
      small built-in encoder, since Pillow has no 16-bit colour modes
      (note that :func:`read_image`, going through Pillow, reads such files
      back at 8 bits per channel);
    * in every other case ``uint16`` data is reduced to 8 bits with rounding
      (``round(v / 257)``): JPEG, BMP and WebP are 8-bit formats, and Pillow
      cannot write 16-bit colour TIFF.

    JPEG is written at quality 95 and WebP losslessly. WebP has no grey
    mode, so grey images are stored as RGB. Grey + alpha is stored as RGBA
    in WebP.

    Examples
    --------
    >>> import numpy as np
    >>> write_image("ramp.png", np.linspace(0, 1, 256).reshape(16, 16))  # doctest: +SKIP
    """
    Image, _ = _pil()
    name = os.fspath(path)
    suffix = Path(name).suffix.lower()
    fmt = _format_for(name)
    data = _normalise(image, name)
    channels = 1 if data.ndim == 2 else data.shape[2]
    if fmt in _NO_ALPHA and channels in (2, 4):
        raise ValueError(
            f"cannot write image '{name}': {fmt} cannot store the alpha channel; "
            "drop it (image[..., :-1]) or use .png"
        )

    directory = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, "directory does not exist", directory)

    if data.dtype == np.uint16 and channels > 1 and fmt == "PNG":
        def encode(fh: BinaryIO) -> None:
            fh.write(_png16(data))
    else:
        if data.dtype == np.uint16 and not (channels == 1 and fmt in _GREY16):
            data = ((data.astype(np.uint32) + 128) // 257).astype(np.uint8)
        pil_image = _to_pil(Image, data, fmt)
        options = _SAVE_OPTIONS.get(fmt, {})

        def encode(fh: BinaryIO) -> None:
            pil_image.save(fh, format=fmt, **options)

    _atomic_write(name, directory, suffix, encode)


def _format_for(path: str | os.PathLike[str]) -> str:
    """Pillow format name for `path`'s suffix; ValueError naming `path` if unknown.

    The CLI calls this before a long computation so that a mistyped output
    name fails at once.
    """
    name = os.fspath(path)
    suffix = Path(name).suffix.lower()
    fmt = _FORMATS.get(suffix)
    if fmt is None:
        known = ", ".join(sorted(_FORMATS))
        raise ValueError(
            f"cannot write image '{name}': unknown suffix {suffix or '(none)'!r}; "
            f"use one of {known}"
        )
    return fmt


def _normalise(image: Any, name: str) -> np.ndarray:
    data = np.asarray(image)
    if data.ndim == 3 and data.shape[2] == 1:
        data = data[:, :, 0]
    if data.ndim not in (2, 3) or (data.ndim == 3 and data.shape[2] not in (2, 3, 4)):
        raise ValueError(
            f"cannot write image '{name}': expected shape (H, W) or (H, W, C) with C in "
            f"1..4, got {data.shape}"
        )
    if data.shape[0] == 0 or data.shape[1] == 0:
        raise ValueError(f"cannot write image '{name}': the image is empty {data.shape}")

    if data.dtype == np.bool_:
        return data.astype(np.uint8) * np.uint8(255)
    if data.dtype in (np.uint8, np.uint16):
        return data
    if np.issubdtype(data.dtype, np.floating):
        if not np.all(np.isfinite(data)):
            raise ValueError(f"cannot write image '{name}': the image contains NaN or inf")
        lo, hi = float(data.min()), float(data.max())
        if lo < 0.0 or hi > 1.0:
            raise ValueError(
                f"cannot write image '{name}': float images must lie in [0, 1], got values "
                f"in [{lo:g}, {hi:g}]; clip them first (np.clip(image, 0, 1))"
            )
        return np.rint(data.astype(np.float64) * 255.0).astype(np.uint8)
    raise TypeError(
        f"cannot write image '{name}': unsupported dtype {data.dtype}; "
        "use uint8, uint16, bool or float in [0, 1]"
    )


def _to_pil(Image: Any, data: np.ndarray, fmt: str) -> Any:
    if data.dtype == np.uint16:
        # Only reached for grey: fromarray picks "I;16" for native uint16.
        return Image.fromarray(np.ascontiguousarray(data, dtype="<u2"))
    im = Image.fromarray(np.ascontiguousarray(data))
    if fmt == "WEBP" and im.mode == "LA":
        im = im.convert("RGBA")
    return im


def _png16(data: np.ndarray) -> bytes:
    """Encode 16-bit grey + alpha, RGB or RGBA as a PNG (non-interlaced)."""
    height, width = data.shape[:2]
    channels = 1 if data.ndim == 2 else data.shape[2]
    colour_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    rows = np.ascontiguousarray(data, dtype=">u2").view(np.uint8).reshape(height, -1)
    # The "Sub" filter (each byte minus the byte one pixel to the left)
    # shrinks smooth photographs considerably and is cheap to vectorise.
    bpp = 2 * channels
    filtered = rows.copy()
    filtered[:, bpp:] -= rows[:, :-bpp]
    body = np.empty((height, filtered.shape[1] + 1), dtype=np.uint8)
    body[:, 0] = 1
    body[:, 1:] = filtered

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(payload, zlib.crc32(kind)) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)
    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        chunk(b"IHDR", header),
        chunk(b"IDAT", zlib.compress(body.tobytes(), 6)),
        chunk(b"IEND", b""),
    ))


def _atomic_write(name: str, directory: str, suffix: str, encode: Callable[[BinaryIO], object]) -> None:
    base = os.path.basename(name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp{suffix}")
        try:
            # Created with mode 0o666 so the umask applies as it would to a
            # plain open(); tempfile's 0o600 would survive the rename.
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 collisions of 48 random bits
        raise FileExistsError(errno.EEXIST, "could not create a temporary file", directory)

    try:
        with os.fdopen(fd, "wb") as fh:
            encode(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
