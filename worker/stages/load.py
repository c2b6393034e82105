"""Open an input file: recognise its real type, refuse bad input clearly, list its pages."""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image, ImageOps, UnidentifiedImageError

from models.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    NoPagesError,
    TooLargeError,
    UnsupportedTypeError,
)

# Pillow's own bomb guard is replaced by our explicit pixel check before decoding.
Image.MAX_IMAGE_PIXELS = None

KINDS = ("pdf", "tiff", "jpeg", "png")


@dataclass(frozen=True)
class PageSource:
    """Where one page comes from; small and picklable so a worker process can load it itself."""

    path: Path
    kind: str  # one of KINDS
    index: int  # 0-based page / frame number


@dataclass(frozen=True)
class InputDocument:
    """A checked input: its real type, hash and pages."""

    path: Path
    kind: str
    sha256: str
    pages: list[PageSource]


def sniff(head: bytes) -> str | None:
    """Return the real file type from its first bytes, whatever the extension says."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return None


def _describe_unknown(head: bytes) -> str:
    """Say what an unsupported file looks like, for the error message."""
    try:
        head.decode("utf-8")
        return "a text file"
    except UnicodeDecodeError:
        return "an unknown binary format"


def sha256_of(path: Path) -> str:
    """Hash a file in chunks."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def open_input(path: Path, *, max_pixels: int, max_pages: int, max_bytes: int) -> InputDocument:
    """Check `path` and list its pages; raise an InputError subclass naming the problem."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(2048)
    except IsADirectoryError as exc:
        raise UnsupportedTypeError(f"{path.name} is a folder, not a file") from exc
    except OSError as exc:
        raise CorruptFileError(f"{path.name} cannot be read: {exc.strerror}") from exc
    if size == 0:
        raise EmptyFileError(f"{path.name} is empty (0 bytes)")
    if size > max_bytes:
        raise TooLargeError(f"{path.name} is {size} bytes; the limit is {max_bytes}")
    kind = sniff(head)
    if kind is None:
        raise UnsupportedTypeError(
            f"{path.name} is {_describe_unknown(head)}, not a PDF, TIFF, JPEG or PNG scan"
        )
    if kind == "pdf":
        count = _pdf_page_count(path, size)
    else:
        count = _image_frame_count(path, kind, max_pixels)
    if count == 0:
        raise NoPagesError(f"{path.name} has no pages")
    if count > max_pages:
        raise TooLargeError(f"{path.name} has {count} pages; the limit is {max_pages}")
    pages = [PageSource(path, kind, i) for i in range(count)]
    return InputDocument(path, kind, sha256_of(path), pages)


def _pdf_page_count(path: Path, size: int) -> int:
    """Open a PDF just enough to count its pages, refusing encrypted and truncated files."""
    with path.open("rb") as fh:
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise CorruptFileError(f"{path.name} is a truncated PDF (no end-of-file marker)")
    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted and not pdf.allow.extract:
                # Owner password only: readable, and the owner's restriction does not stop OCR
                # of a document the agency received; noted, not refused.
                pass
            return len(pdf.pages)
    except pikepdf.PasswordError as exc:
        raise EncryptedPdfError(
            f"{path.name} is protected by a password; send an unprotected copy"
        ) from exc
    except pikepdf.PdfError as exc:
        raise CorruptFileError(f"{path.name} is a damaged PDF: {exc}") from exc


def _image_frame_count(path: Path, kind: str, max_pixels: int) -> int:
    """Check an image's header (size, decodability) and count its frames."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                frames = getattr(img, "n_frames", 1)
                for i in range(frames):
                    img.seek(i)
                    w, h = img.size
                    if w * h > max_pixels:
                        raise TooLargeError(
                            f"{path.name} is {w}×{h} pixels; the limit is {max_pixels} pixels",
                        )
                return int(frames)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise CorruptFileError(f"{path.name} is a damaged {kind.upper()} image: {exc}") from exc


def load_image_page(source: PageSource, max_pixels: int) -> tuple[Image.Image, float | None]:
    """Decode one image page to RGB (EXIF rotation applied); return it and its dpi if known."""
    try:
        with Image.open(source.path) as img:
            img.seek(source.index)
            w, h = img.size
            if w * h > max_pixels:
                raise TooLargeError(f"{source.path.name} is {w}×{h} pixels; too large")
            dpi = _dpi_of(img)
            img.load()
            rgb = to_rgb(ImageOps.exif_transpose(img) if source.index == 0 else img)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise CorruptFileError(
            f"{source.path.name}: page {source.index + 1} cannot be decoded: {exc}"
        ) from exc
    return rgb, dpi


def _dpi_of(img: Image.Image) -> float | None:
    """The resolution an image declares, if it is plausible for a scan."""
    dpi = img.info.get("dpi")
    if not dpi:
        return None
    try:
        value = round(float(dpi[0]), 1)  # PNG stores pixels per metre: 300 dpi reads 299.9994
    except (TypeError, ValueError, IndexError):
        return None
    return value if 50 <= value <= 1200 else None


# Paper sizes a mailroom receives (ISO 216 A3-A5; Letter and Legal from abroad), mm.
PAPER_SIZES_MM = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "A3": (297.0, 420.0),
                  "Letter": (215.9, 279.4), "Legal": (215.9, 355.6)}
# Resolutions scanners offer; an untagged image is matched against these only.
SCANNER_DPI = (150, 200, 240, 300, 400, 600)
_SIZE_TOLERANCE = 0.02


def paper_of(width_in: float, height_in: float) -> str | None:
    """The paper size (either orientation) that `width_in` x `height_in` inches is, if any."""
    short, long = sorted((width_in, height_in))
    for name, (a, b) in PAPER_SIZES_MM.items():
        if abs(short * 25.4 / a - 1) <= _SIZE_TOLERANCE and abs(long * 25.4 / b - 1) <= _SIZE_TOLERANCE:
            return name
    return None


def guess_resolution(width_px: int, height_px: int) -> tuple[str, int] | None:
    """The one (paper, scanner dpi) that an untagged image's pixel size fits, or None.

    A4 and A5 have the same shape, so the shape alone says nothing: only a pixel size that is
    a known paper at a resolution scanners offer counts, and only when one such pair fits
    (A5 at 300 dpi is also A3 at 150 dpi: that is unknown, not guessed).
    """
    fits = []
    for dpi in SCANNER_DPI:
        name = paper_of(width_px / dpi, height_px / dpi)
        if name is not None:
            fits.append((name, dpi))
    return fits[0] if len(fits) == 1 else None


def to_rgb(img: Image.Image) -> Image.Image:
    """Convert any scan mode (1, L, P, I;16, CMYK, RGBA, LA...) to 8-bit RGB on white."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        import numpy as np

        arr = np.asarray(img, dtype=np.uint32)
        peak = int(arr.max()) or 1
        shift = 8 if peak > 255 else 0
        grey = (arr >> shift).clip(0, 255).astype("uint8")
        return Image.fromarray(grey, "L").convert("RGB")
    if img.mode == "F":
        return img.convert("L").convert("RGB")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img.convert("RGB")
