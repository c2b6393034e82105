"""Input checks: real type by magic bytes, clear errors for bad input, every scan mode to RGB."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from models.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    NoPagesError,
    TooLargeError,
    UnsupportedTypeError,
)
from worker.stages.load import load_image_page, open_input, sniff, to_rgb

LIMITS = {"max_pixels": 50_000_000, "max_pages": 500, "max_bytes": 10**9}


def _pdf(path: Path, pages: int = 1, **save: object) -> Path:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.save(path, **save)  # type: ignore[arg-type]
    return path


def test_sniff_ignores_extension(tmp_path: Path) -> None:
    img = tmp_path / "scan.pdf"  # a PNG that says it is a PDF
    Image.new("RGB", (20, 20), "white").save(img, format="PNG")
    doc = open_input(img, **LIMITS)
    assert doc.kind == "png"
    assert sniff(b"%PDF-1.7\n") == "pdf"
    assert sniff(b"II*\x00....") == "tiff"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(EmptyFileError, match="empty"):
        open_input(path, **LIMITS)


def test_text_file_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "note.jpg"
    path.write_text("Kính gửi: Ủy ban nhân dân tỉnh\n", encoding="utf-8")
    with pytest.raises(UnsupportedTypeError, match="text file"):
        open_input(path, **LIMITS)


def test_truncated_pdf(tmp_path: Path) -> None:
    whole = _pdf(tmp_path / "whole.pdf", pages=3).read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(CorruptFileError, match="truncated"):
        open_input(cut, **LIMITS)


def test_user_password_pdf(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "locked.pdf", encryption=pikepdf.Encryption(user="u", owner="o"))
    with pytest.raises(EncryptedPdfError, match="password"):
        open_input(path, **LIMITS)


def test_owner_password_only_pdf_opens(tmp_path: Path) -> None:
    enc = pikepdf.Encryption(user="", owner="o", allow=pikepdf.Permissions(extract=False))
    path = _pdf(tmp_path / "restricted.pdf", pages=2, encryption=enc)
    assert len(open_input(path, **LIMITS).pages) == 2


def test_pdf_without_pages(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "none.pdf", pages=0)
    with pytest.raises(NoPagesError):
        open_input(path, **LIMITS)


def test_decompression_bomb_refused_from_header(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header(40_000, 40_000))
    with pytest.raises(TooLargeError, match="40000×40000"):
        open_input(path, **LIMITS)


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares a huge size: what a decompression bomb looks like before decoding."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (width * 3 + 1) * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_too_many_pages(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "many.pdf", pages=5)
    with pytest.raises(TooLargeError, match="5 pages"):
        open_input(path, max_pixels=10**8, max_pages=4, max_bytes=10**9)


def test_corrupt_image(tmp_path: Path) -> None:
    path = tmp_path / "broken.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (100, 100), "white").save(buf, format="JPEG")
    path.write_bytes(buf.getvalue()[:40])
    with pytest.raises(CorruptFileError):
        doc = open_input(path, **LIMITS)
        load_image_page(doc.pages[0], LIMITS["max_pixels"])


def test_sixteen_bit_grey_keeps_contrast() -> None:
    arr = np.full((10, 10), 65535, dtype=np.uint16)
    arr[:5] = 0
    rgb = np.asarray(to_rgb(Image.fromarray(arr)))
    assert rgb[0, 0].tolist() == [0, 0, 0]
    assert rgb[9, 9].tolist() == [255, 255, 255]


def test_alpha_is_composited_on_white() -> None:
    rgba = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    assert np.asarray(to_rgb(rgba))[0, 0].tolist() == [255, 255, 255]


def test_cmyk_converts(tmp_path: Path) -> None:
    path = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (50, 50), (0, 0, 0, 255)).save(path, format="JPEG")
    doc = open_input(path, **LIMITS)
    rgb, _ = load_image_page(doc.pages[0], LIMITS["max_pixels"])
    assert rgb.mode == "RGB"
    assert max(rgb.getpixel((25, 25))) < 60  # black stays black


def test_exif_rotation_applied(tmp_path: Path) -> None:
    path = tmp_path / "rot.jpg"
    img = Image.new("RGB", (200, 100), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW to display
    img.save(path, format="JPEG", exif=exif)
    doc = open_input(path, **LIMITS)
    rgb, _ = load_image_page(doc.pages[0], LIMITS["max_pixels"])
    assert rgb.size == (100, 200)


def test_multipage_tiff_counts_frames(tmp_path: Path) -> None:
    path = tmp_path / "stack.tif"
    frames = [Image.new("RGB", (60, 80), c) for c in ("white", "grey", "black")]
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_lzw")
    doc = open_input(path, **LIMITS)
    assert doc.kind == "tiff" and len(doc.pages) == 3
    rgb, _ = load_image_page(doc.pages[2], LIMITS["max_pixels"])
    assert rgb.getpixel((1, 1)) == (0, 0, 0)
