"""Adapter for Poppler: page rendering (pdftoppm) and text-layer extraction with boxes (pdftotext).

Both run through `infra.tools.run` (limits, minimal environment). Rendering used to go through
pdf2image, which starts pdfinfo and pdftoppm itself with the whole service environment and no
limits; calling pdftoppm directly gives the same image (PPM on stdout) under the same rules as
every other tool, and a timeout is the project's transient ToolTimeoutError.
"""

from __future__ import annotations

import html
import io
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pikepdf
from PIL import Image, UnidentifiedImageError

from infra.tools.run import run, which
from models.errors import CorruptFileError, ExternalToolError, TooLargeError

PDFTOPPM_CANNOT_OPEN = 1  # pdftoppm's exit code for a PDF it cannot open or parse
OUT_OF_MEMORY = b"Out of memory"  # what Poppler prints when an allocation fails


@lru_cache(maxsize=1)
def version() -> str:
    """Return pdftoppm's version string."""
    proc = run([which("pdftoppm"), "-v"], timeout=30)
    text = (proc.stderr or proc.stdout).decode()
    match = re.search(r"version\s+([\d.]+)", text)
    return match.group(1) if match else text.strip()


def check() -> str:
    """Fail clearly when Poppler (pdftoppm, pdftotext) is missing; return the version."""
    which("pdftotext")
    return version()


def _box_size(box: pikepdf.Object, what: str) -> tuple[float, float]:
    """Width and height of a page box ([x0 y0 x1 y1]) in its units; CorruptFileError if unusable."""
    try:
        x0, y0, x1, y1 = (float(v) for v in box)  # type: ignore[attr-defined]
    except (TypeError, ValueError) as exc:
        raise CorruptFileError(f"the PDF's {what} is not four numbers") from exc
    size = (abs(x1 - x0), abs(y1 - y0))
    if not all(math.isfinite(v) for v in size):
        raise CorruptFileError(f"the PDF's {what} is not four finite numbers")
    return size


def page_pixels(pdf: Path, page: int, dpi: float) -> tuple[int, int]:
    """Width and height in pixels of page `page` (1-based) rendered at `dpi`, from the PDF's
    page dictionary alone: the larger of /MediaBox (what pdftoppm renders) and /CropBox (what a
    crop-box renderer would), in points times /UserUnit (points of 1/72 inch unless the page
    says otherwise; Poppler 22 ignores it, a newer one may not), turned by /Rotate."""
    try:
        with pikepdf.open(pdf) as doc:
            if not 1 <= page <= len(doc.pages):
                raise CorruptFileError(f"the PDF has no page {page}")
            p = doc.pages[page - 1]
            media = _box_size(p.mediabox, "MediaBox")
            crop = _box_size(p.cropbox, "CropBox")
            unit = float(p.obj.get("/UserUnit", 1))
            rotation = int(p.rotation)
    except (pikepdf.PdfError, TypeError, ValueError) as exc:
        raise CorruptFileError(f"page {page} of the PDF cannot be read: {exc}") from exc
    if not math.isfinite(unit) or unit <= 0:
        raise CorruptFileError(f"page {page} of the PDF has an unusable /UserUnit {unit}")
    w, h = max(media, crop, key=lambda s: s[0] * s[1])
    width, height = math.ceil(w * unit * dpi / 72.0), math.ceil(h * unit * dpi / 72.0)
    return (height, width) if rotation % 180 else (width, height)


def render_page(pdf: Path, page: int, dpi: float, *, timeout: float, max_pixels: int,
                crop: tuple[int, int, int, int] | None = None) -> Image.Image:
    """Render one page (1-based) to an RGB image at `dpi`, honouring the page's /Rotate.
    `crop` (x, y, width, height in pixels of the rendered page) renders only that region.

    The page's size in pixels is worked out first (`page_pixels`): a page larger than
    `max_pixels` at this dpi (INTAKE_MAX_IMAGE_PIXELS, the images' decompression-bomb guard) is
    refused with TooLargeError before Poppler is started, as an image of that size is."""
    width, height = page_pixels(pdf, page, dpi)
    if width * height > max_pixels:
        raise TooLargeError(
            f"page {page} of {pdf.name} would be {width}×{height} pixels at {dpi} dpi; "
            f"the limit is {max_pixels} pixels"
        )
    args = [which("pdftoppm"), "-r", str(dpi), "-f", str(page), "-l", str(page)]
    if crop is not None:
        args += ["-x", str(crop[0]), "-y", str(crop[1]), "-W", str(crop[2]), "-H", str(crop[3])]
    args.append(str(pdf))
    try:
        proc = run(args, timeout=timeout)  # one PPM image on stdout
    except ExternalToolError as exc:
        if exc.details.get("returncode") == PDFTOPPM_CANNOT_OPEN:
            raise CorruptFileError(f"page {page} of the PDF cannot be read: {exc.message}") from exc
        raise
    if OUT_OF_MEMORY in proc.stderr:  # pdftoppm says so and still exits 0, image cut short
        raise ExternalToolError(
            f"pdftoppm ran out of memory rendering page {page} (INTAKE_TOOL_MEMORY_BYTES)",
            program="pdftoppm",
        )
    try:
        image = Image.open(io.BytesIO(proc.stdout))
        if image.width * image.height > max_pixels:  # from the header, before decoding
            raise TooLargeError(f"page {page} of {pdf.name} rendered as {image.width}×"
                                f"{image.height} pixels; the limit is {max_pixels} pixels")
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ExternalToolError(f"pdftoppm wrote no image for page {page}: {exc}",
                                program="pdftoppm") from exc
    return image if image.mode == "RGB" else image.convert("RGB")


@dataclass(frozen=True)
class LayerWord:
    """A word of a PDF's existing text layer, its box in points from the top-left corner."""

    text: str
    bbox: tuple[float, float, float, float]


@dataclass(frozen=True)
class LayerPage:
    """The text layer of one page: its size in points and its words in reading order."""

    width: float
    height: float
    words: list[LayerWord]


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>', re.S
)


def text_layer(pdf: Path, *, timeout: float) -> list[LayerPage]:
    """Return every page's existing text layer with word boxes (one pdftotext run)."""
    proc = run(
        [which("pdftotext"), "-bbox", "-enc", "UTF-8", str(pdf), "-"],
        timeout=timeout,
    )
    out = proc.stdout.decode("utf-8", "replace")
    pages: list[LayerPage] = []
    for width, height, body in _PAGE.findall(out):
        words = [
            LayerWord(html.unescape(t), (float(a), float(b), float(c), float(d)))
            for a, b, c, d, t in _WORD.findall(body)
        ]
        pages.append(LayerPage(float(width), float(height), words))
    return pages
