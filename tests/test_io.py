"""Tests for clearsight.io: round trips, conversions, errors and atomic writes."""

from __future__ import annotations

import os
import struct
import sys
import zlib

import numpy as np
import pytest

Image = pytest.importorskip("PIL.Image")

from clearsight import io as cio  # noqa: E402
from clearsight.io import read_image, write_image  # noqa: E402

RNG = np.random.default_rng(1234)


def _u8(*shape):
    return RNG.integers(0, 256, shape, dtype=np.uint8)


def _u16(*shape):
    return RNG.integers(0, 65536, shape, dtype=np.uint16)


def _png_bytes(array) -> bytes:
    import io as _io

    buf = _io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def _leftovers(directory, keep=()):
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize("suffix", [".png", ".tif", ".tiff", ".bmp", ".PNG"])
def test_roundtrip_grey8(tmp_path, suffix):
    a = _u8(13, 17)
    path = tmp_path / f"g{suffix}"
    write_image(path, a)
    b = read_image(path)
    assert b.dtype == np.uint8 and b.shape == (13, 17)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_roundtrip_grey16(tmp_path, suffix):
    a = _u16(11, 9)
    a[0, 0], a[0, 1] = 0, 65535
    path = tmp_path / f"g16{suffix}"
    write_image(path, a)
    b = read_image(path)
    assert b.dtype == np.uint16 and b.shape == a.shape
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("suffix", [".png", ".tif", ".bmp", ".webp"])
def test_roundtrip_rgb(tmp_path, suffix):
    a = _u8(10, 12, 3)
    path = tmp_path / f"c{suffix}"
    write_image(path, a)
    b = read_image(path)
    assert b.dtype == np.uint8 and b.shape == (10, 12, 3)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("suffix", [".png", ".tif", ".webp"])
def test_roundtrip_rgba(tmp_path, suffix):
    a = _u8(8, 6, 4)
    a[..., 3] = np.maximum(a[..., 3], 1)  # WebP may drop colour under alpha 0
    path = tmp_path / f"c{suffix}"
    write_image(path, a)
    b = read_image(path)
    assert b.shape == (8, 6, 4) and b.dtype == np.uint8
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_roundtrip_grey_alpha(tmp_path, suffix):
    a = _u8(7, 5, 2)
    path = tmp_path / f"la{suffix}"
    write_image(path, a)
    b = read_image(path)
    assert b.shape == (7, 5, 2)
    np.testing.assert_array_equal(a, b)


def test_grey_alpha_to_webp_becomes_rgba(tmp_path):
    a = _u8(4, 4, 2)
    a[..., 1] = np.maximum(a[..., 1], 1)  # not all opaque, or WebP drops alpha
    write_image(tmp_path / "la.webp", a)
    b = read_image(tmp_path / "la.webp")
    assert b.shape == (4, 4, 4)
    np.testing.assert_array_equal(b[..., 0], a[..., 0])
    np.testing.assert_array_equal(b[..., 3], a[..., 1])


def test_single_channel_axis_is_grey(tmp_path):
    a = _u8(5, 6, 1)
    write_image(tmp_path / "one.png", a)
    np.testing.assert_array_equal(read_image(tmp_path / "one.png"), a[..., 0])


def test_jpeg_roughly_roundtrips(tmp_path):
    yy, xx = np.mgrid[0:32, 0:32]
    a = np.stack([xx * 8, yy * 8, (xx + yy) * 4], axis=-1).astype(np.uint8)
    write_image(tmp_path / "c.jpg", a)
    b = read_image(tmp_path / "c.jpg")
    assert b.shape == a.shape and b.dtype == np.uint8
    assert np.abs(a.astype(int) - b.astype(int)).mean() < 3


def test_str_path_accepted(tmp_path):
    a = _u8(3, 3)
    write_image(str(tmp_path / "s.png"), a)
    np.testing.assert_array_equal(read_image(str(tmp_path / "s.png")), a)


# ------------------------------------------------------------ input conversions


def test_float_is_rounded_to_uint8(tmp_path):
    a = np.array([[0.0, 1.0, 0.5, 0.2, 1 / 255, 0.499 / 255]])
    write_image(tmp_path / "f.png", a)
    b = read_image(tmp_path / "f.png")
    np.testing.assert_array_equal(b, [[0, 255, 128, 51, 1, 0]])


def test_float32_rgb(tmp_path):
    a = RNG.random((6, 7, 3)).astype(np.float32)
    write_image(tmp_path / "f.png", a)
    b = read_image(tmp_path / "f.png")
    np.testing.assert_array_equal(b, np.rint(a.astype(np.float64) * 255).astype(np.uint8))


def test_bool_becomes_0_255(tmp_path):
    a = np.array([[True, False], [False, True]])
    write_image(tmp_path / "b.png", a)
    np.testing.assert_array_equal(read_image(tmp_path / "b.png"), [[255, 0], [0, 255]])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -0.1, 1.5])
def test_float_out_of_range_rejected(tmp_path, bad):
    a = np.zeros((3, 3))
    a[1, 1] = bad
    path = tmp_path / "f.png"
    with pytest.raises(ValueError, match=r"f\.png"):
        write_image(path, a)
    assert _leftovers(tmp_path) == []


def test_uint16_colour_png_keeps_16_bits(tmp_path):
    a = _u16(9, 11, 3)
    path = tmp_path / "c16.png"
    write_image(path, a)
    raw = path.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", raw[16:26])
    assert (width, height, depth, colour) == (11, 9, 16, 2)
    np.testing.assert_array_equal(_decode_own_png16(raw, 3), a)
    # Pillow (hence read_image) decodes 16-bit colour as 8 bits: the high byte.
    b = read_image(path)
    assert b.dtype == np.uint8 and b.shape == a.shape
    np.testing.assert_array_equal(b, (a >> 8).astype(np.uint8))


@pytest.mark.parametrize("channels", [2, 4])
def test_uint16_alpha_png(tmp_path, channels):
    a = _u16(5, 4, channels)
    path = tmp_path / "a16.png"
    write_image(path, a)
    np.testing.assert_array_equal(_decode_own_png16(path.read_bytes(), channels), a)
    b = read_image(path)
    assert b.shape == a.shape
    np.testing.assert_array_equal(b, (a >> 8).astype(np.uint8))


def _decode_own_png16(raw: bytes, channels: int) -> np.ndarray:
    """Minimal decoder for what write_image emits: one IDAT, filter 0 or 1 rows."""
    width, height = struct.unpack(">II", raw[16:24])
    pos, idat = 8, b""
    while pos < len(raw):
        (length,) = struct.unpack(">I", raw[pos : pos + 4])
        kind = raw[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += raw[pos + 8 : pos + 8 + length]
        pos += 12 + length
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, -1)
    bpp = 2 * channels
    out = rows[:, 1:].copy()
    for y in range(height):
        assert rows[y, 0] in (0, 1)
        if rows[y, 0] == 1:
            for x in range(bpp, out.shape[1]):
                out[y, x] = (int(out[y, x]) + int(out[y, x - bpp])) & 0xFF
    return out.view(">u2").reshape(height, width, channels).astype(np.uint16)


@pytest.mark.parametrize("suffix", [".tif", ".bmp", ".webp"])
def test_uint16_colour_reduced_to_8_bits_with_rounding(tmp_path, suffix):
    levels = np.array([0, 128, 129, 257, 385, 386, 65535], dtype=np.uint16)
    a = np.repeat(np.repeat(levels[None, :, None], 4, axis=0), 3, axis=2)
    path = tmp_path / f"r{suffix}"
    write_image(path, a)
    b = read_image(path)
    assert b.dtype == np.uint8 and b.shape == a.shape
    np.testing.assert_array_equal(b[0, :, 0], [0, 0, 1, 1, 1, 2, 255])
    np.testing.assert_array_equal(b, ((a.astype(np.int64) + 128) // 257).astype(np.uint8))


def test_uint16_colour_to_jpeg(tmp_path):
    a = np.full((8, 8, 3), 257 * 77, dtype=np.uint16)
    write_image(tmp_path / "c.jpg", a)
    b = read_image(tmp_path / "c.jpg")
    assert b.dtype == np.uint8 and b.shape == a.shape
    assert np.abs(b.astype(int) - 77).max() <= 1


def test_uint16_grey_to_jpeg_is_8_bit(tmp_path):
    a = np.full((8, 8), 65535, dtype=np.uint16)
    write_image(tmp_path / "g.jpg", a)
    b = read_image(tmp_path / "g.jpg")
    assert b.dtype == np.uint8 and b.shape == (8, 8) and b.min() >= 254


# ------------------------------------------------------- reading other formats


def test_palette_reads_as_rgb(tmp_path):
    im = Image.new("P", (4, 3))
    im.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (256 * 3 - 9))
    im.putdata([0, 1, 2, 1] * 3)
    im.save(tmp_path / "p.png")
    b = read_image(tmp_path / "p.png")
    assert b.shape == (3, 4, 3) and b.dtype == np.uint8
    np.testing.assert_array_equal(b[0, 0], [255, 0, 0])
    np.testing.assert_array_equal(b[0, 1], [0, 255, 0])
    np.testing.assert_array_equal(b[0, 2], [0, 0, 255])


def test_palette_with_transparency_reads_as_rgba(tmp_path):
    im = Image.new("P", (2, 2))
    im.putpalette([10, 20, 30, 40, 50, 60] + [0] * (256 * 3 - 6))
    im.putdata([0, 1, 1, 0])
    im.save(tmp_path / "p.png", transparency=0)
    b = read_image(tmp_path / "p.png")
    assert b.shape == (2, 2, 4)
    np.testing.assert_array_equal(b[0, 0], [10, 20, 30, 0])
    np.testing.assert_array_equal(b[0, 1], [40, 50, 60, 255])


def test_gif_palette_reads_as_colour(tmp_path):
    im = Image.new("P", (3, 2))
    im.putpalette([0, 0, 0, 200, 100, 50] + [0] * (256 * 3 - 6))
    im.putdata([0, 1, 0, 1, 1, 0])
    im.save(tmp_path / "p.gif")
    b = read_image(tmp_path / "p.gif")
    assert b.shape[:2] == (2, 3) and b.shape[2] in (3, 4)
    np.testing.assert_array_equal(b[0, 1, :3], [200, 100, 50])


def test_one_bit_reads_as_0_255(tmp_path):
    im = Image.new("1", (3, 2))
    im.putdata([0, 1, 1, 0, 0, 1])
    im.save(tmp_path / "bits.png")
    b = read_image(tmp_path / "bits.png")
    assert b.dtype == np.uint8
    np.testing.assert_array_equal(b, [[0, 255, 255], [0, 0, 255]])


def test_cmyk_reads_as_rgb(tmp_path):
    Image.new("CMYK", (4, 4), (0, 255, 255, 0)).save(tmp_path / "k.tif")
    b = read_image(tmp_path / "k.tif")
    assert b.shape == (4, 4, 3)
    np.testing.assert_array_equal(b[0, 0], [255, 0, 0])


def test_lab_reads_as_rgb(tmp_path):
    Image.new("LAB", (2, 2), (255, 128, 128)).save(tmp_path / "lab.tif")
    b = read_image(tmp_path / "lab.tif")
    assert b.shape == (2, 2, 3) and b.min() >= 250


def test_big_endian_16_bit(tmp_path):
    a = _u16(5, 6)
    im = Image.frombytes("I;16B", (6, 5), a.astype(">u2").tobytes())
    im.save(tmp_path / "be.tif")
    b = read_image(tmp_path / "be.tif")
    assert b.dtype == np.uint16 and b.dtype.isnative
    np.testing.assert_array_equal(b, a)


def test_mode_I_with_16_bit_content(tmp_path):
    a = _u16(4, 5).astype(np.int32)
    Image.fromarray(a).save(tmp_path / "i.tif")
    assert Image.open(tmp_path / "i.tif").mode == "I"
    b = read_image(tmp_path / "i.tif")
    assert b.dtype == np.uint16
    np.testing.assert_array_equal(b, a)


def test_mode_I_out_of_range_rejected(tmp_path):
    a = np.full((2, 2), 70000, dtype=np.int32)
    Image.fromarray(a).save(tmp_path / "i.tif")
    with pytest.raises(ValueError, match=r"i\.tif"):
        read_image(tmp_path / "i.tif")


def test_exif_orientation_applied(tmp_path):
    a = np.zeros((2, 3), dtype=np.uint8)
    a[0, 0] = 255  # top-left marker
    im = Image.fromarray(a)
    exif = im.getexif()
    exif[0x0112] = 6  # stored image must be rotated 90° clockwise for display
    im.save(tmp_path / "o.png", exif=exif)
    b = read_image(tmp_path / "o.png")
    assert b.shape == (3, 2)
    np.testing.assert_array_equal(b, np.rot90(a, k=-1))


# ----------------------------------------------------------------- read errors


def test_missing_file(tmp_path):
    path = tmp_path / "nope.png"
    with pytest.raises(FileNotFoundError, match=r"nope\.png"):
        read_image(path)


def test_directory(tmp_path):
    with pytest.raises(ValueError, match="directory") as info:
        read_image(tmp_path)
    assert str(tmp_path) in str(info.value)


@pytest.mark.parametrize(
    "content",
    [b"", b"this is not an image\n" * 10, b"\x89PNG\r\n\x1a\n" + b"\x00" * 40],
    ids=["empty", "text", "bad-png-header"],
)
def test_non_image(tmp_path, content):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ValueError) as info:
        read_image(path)
    assert str(path) in str(info.value)


def test_truncated_png(tmp_path):
    raw = _png_bytes(_u8(64, 64, 3))
    path = tmp_path / "trunc.png"
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError) as info:
        read_image(path)
    assert str(path) in str(info.value)


def test_truncated_jpeg(tmp_path):
    write_image(tmp_path / "full.jpg", _u8(64, 64, 3))
    raw = (tmp_path / "full.jpg").read_bytes()
    path = tmp_path / "trunc.jpg"
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match=r"trunc\.jpg"):
        read_image(path)


def test_corrupt_png_data(tmp_path):
    raw = bytearray(_png_bytes(_u8(32, 32)))
    start = raw.index(b"IDAT") + 4
    raw[start + 2 : start + 40] = b"\xff" * 38
    path = tmp_path / "corrupt.png"
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"corrupt\.png"):
        read_image(path)


def test_decompression_bomb_warning_refused(tmp_path, monkeypatch):
    write_image(tmp_path / "big.png", _u8(12, 12))  # 144 px: above limit, below 2x
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(ValueError, match=r"big\.png"):
        read_image(tmp_path / "big.png")


def test_decompression_bomb_error_refused(tmp_path, monkeypatch):
    write_image(tmp_path / "big.png", _u8(20, 20))  # 400 px: above 2x the limit
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(ValueError, match=r"big\.png"):
        read_image(tmp_path / "big.png")


def test_own_pixel_limit(tmp_path, monkeypatch):
    write_image(tmp_path / "big.png", _u8(20, 20))
    monkeypatch.setattr(cio, "MAX_PIXELS", 399)
    with pytest.raises(ValueError, match="MAX_PIXELS"):
        read_image(tmp_path / "big.png")
    monkeypatch.setattr(cio, "MAX_PIXELS", 400)
    assert read_image(tmp_path / "big.png").shape == (20, 20)


# ---------------------------------------------------------------- write errors


@pytest.mark.parametrize("name", ["x.gif", "x.txt", "noext", "x.png.bak"])
def test_unknown_suffix(tmp_path, name):
    path = tmp_path / name
    with pytest.raises(ValueError, match="suffix") as info:
        write_image(path, _u8(3, 3))
    assert str(path) in str(info.value)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("suffix", [".jpg", ".jpeg", ".bmp"])
@pytest.mark.parametrize("channels", [2, 4])
def test_alpha_refused_where_unsupported(tmp_path, suffix, channels):
    path = tmp_path / f"a{suffix}"
    with pytest.raises(ValueError, match="alpha") as info:
        write_image(path, _u8(4, 4, channels))
    assert str(path) in str(info.value)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("shape", [(5,), (2, 3, 5), (2, 3, 4, 1), (0, 4), (4, 0, 3)])
def test_bad_shapes(tmp_path, shape):
    with pytest.raises(ValueError, match=r"x\.png"):
        write_image(tmp_path / "x.png", np.zeros(shape, np.uint8))


@pytest.mark.parametrize("dtype", [np.int32, np.int8, np.uint32, np.complex64])
def test_bad_dtypes(tmp_path, dtype):
    with pytest.raises(TypeError, match=r"x\.png"):
        write_image(tmp_path / "x.png", np.zeros((3, 3), dtype))


def test_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_image(tmp_path / "sub" / "x.png", _u8(3, 3))
    assert _leftovers(tmp_path) == []


# --------------------------------------------------------------- atomic writes


def test_failed_encode_leaves_nothing(tmp_path, monkeypatch):
    def broken_save(self, fp, *args, **kwargs):
        fp.write(b"\x89PNG partial data")
        raise OSError("disk on fire")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="disk on fire"):
        write_image(tmp_path / "out.png", _u8(8, 8, 3))
    assert _leftovers(tmp_path) == []


def test_failed_encode_keeps_existing_file(tmp_path, monkeypatch):
    path = tmp_path / "out.png"
    original = _u8(5, 5)
    write_image(path, original)
    before = path.read_bytes()

    def broken_save(self, fp, *args, **kwargs):
        fp.write(b"junk")
        raise KeyboardInterrupt

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(KeyboardInterrupt):
        write_image(path, _u8(5, 5))
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == ["out.png"]


def test_failed_16_bit_encode_leaves_nothing(tmp_path, monkeypatch):
    def broken(data):
        raise MemoryError

    monkeypatch.setattr(cio, "_png16", broken)
    with pytest.raises(MemoryError):
        write_image(tmp_path / "c16.png", _u16(3, 3, 3))
    assert _leftovers(tmp_path) == []


def test_failed_rename_leaves_no_temp(tmp_path, monkeypatch):
    def broken_replace(src, dst):
        raise PermissionError(13, "denied", str(dst))

    monkeypatch.setattr(cio.os, "replace", broken_replace)
    with pytest.raises(PermissionError):
        write_image(tmp_path / "out.png", _u8(3, 3))
    assert _leftovers(tmp_path) == []


def test_overwrite_and_no_temp_left(tmp_path):
    path = tmp_path / "out.tif"
    write_image(path, _u8(3, 3))
    b = _u8(4, 2)
    write_image(path, b)
    np.testing.assert_array_equal(read_image(path), b)
    assert _leftovers(tmp_path) == ["out.tif"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_written_file_honours_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_image(tmp_path / "perm.png", _u8(2, 2))
    finally:
        os.umask(old)
    assert (tmp_path / "perm.png").stat().st_mode & 0o777 == 0o644


def test_missing_pillow_message(tmp_path, monkeypatch):
    for mod in [m for m in sys.modules if m == "PIL" or m.startswith("PIL.")]:
        monkeypatch.setitem(sys.modules, mod, None)
    with pytest.raises(ImportError, match=r"pip install clearsight\[image\]"):
        read_image(tmp_path / "x.png")
    with pytest.raises(ImportError, match=r"pip install clearsight\[image\]"):
        write_image(tmp_path / "x.png", _u8(2, 2))
