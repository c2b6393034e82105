"""The scanned-PDF fast path (worker.stages.pdfimage): a page that only draws its scan gives the scan's
own image; a page that draws anything else is rendered instead."""

from __future__ import annotations

from pathlib import Path

import pikepdf
from PIL import Image

from worker.stages.pdfimage import page_image

_MAX_PIXELS = 10_000_000


def _scan_pdf(path: Path) -> Path:
    """A one-page PDF as a scanner writes it: one full-page image, nothing else."""
    Image.new("L", (850, 1100), 255).save(path, "PDF", resolution=100.0)
    return path


def _append(path: Path, content: bytes) -> None:
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        page.contents_add(pdf.make_stream(content), prepend=False)
        pdf.save(path)


def test_scan_page_gives_its_image(tmp_path: Path) -> None:
    found = page_image(_scan_pdf(tmp_path / "scan.pdf"), 0, _MAX_PIXELS)
    assert found is not None
    img, dpi = found
    assert img.size == (850, 1100)
    assert round(dpi) == 100


def test_inline_image_over_the_scan_is_rendered(tmp_path: Path) -> None:
    # An inline image (a signature or a logo stamped over the scan, BI ... ID ... EI) is content
    # the scan alone does not have: the page must be rendered, not replaced by the scan image.
    pdf = _scan_pdf(tmp_path / "scan.pdf")
    _append(pdf, b"q 100 0 0 50 400 100 cm BI /W 2 /H 1 /BPC 8 /CS /G ID \x00\x00 EI Q")
    assert page_image(pdf, 0, _MAX_PIXELS) is None


def test_vector_drawing_over_the_scan_is_rendered(tmp_path: Path) -> None:
    pdf = _scan_pdf(tmp_path / "scan.pdf")
    _append(pdf, b"0 0 1 rg 10 10 50 50 re f")
    assert page_image(pdf, 0, _MAX_PIXELS) is None
