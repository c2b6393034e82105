"""Adapter for Poppler: page rendering (through pdf2image) and text-layer extraction with boxes."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pdf2image import convert_from_path
from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError
from PIL import Image

from infra.tools.run import run, which
from models.errors import CorruptFileError, ExternalToolError, ToolMissingError, ToolTimeoutError


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


def render_page(pdf: Path, page: int, dpi: int, *, timeout: float) -> Image.Image:
    """Render one page (1-based) to an RGB image at `dpi`, honouring the page's /Rotate."""
    try:
        images = convert_from_path(
            pdf, dpi=dpi, first_page=page, last_page=page, fmt="ppm", timeout=int(timeout)
        )
    except (PDFInfoNotInstalledError, FileNotFoundError) as exc:
        raise ToolMissingError("Poppler (pdftoppm) is not installed", program="pdftoppm") from exc
    except subprocess.TimeoutExpired as exc:
        raise ToolTimeoutError(f"page {page} did not render within {timeout:.0f} s") from exc
    except (PDFPageCountError, PDFSyntaxError) as exc:
        raise CorruptFileError(f"page {page} of the PDF cannot be read: {exc}") from exc
    if not images:
        raise ExternalToolError(f"pdftoppm rendered nothing for page {page}", program="pdftoppm")
    return images[0].convert("RGB")


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
