"""PDF render bombs: a page whose size × dpi is too many pixels is refused before Poppler renders it.

INTAKE_MAX_IMAGE_PIXELS guards images from their header; a PDF page is a few bytes that say
"200 × 200 inches" (or a small box times a large /UserUnit), and at 300 dpi that is 3.6 billion
pixels. The page's size is read from its dictionary and the render refused with `too_large`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pikepdf
import pytest

from infra.tools import poppler
from models.errors import CorruptFileError, TooLargeError, ToolTimeoutError
from synth import make_document
from worker.options import PipelineOptions
from worker.pipeline import Pipeline

LIMIT = 200_000_000  # INTAKE_MAX_IMAGE_PIXELS's default


def _blank_pdf(path: Path, width_pt: float, height_pt: float, **entries: object) -> Path:
    """A one-page PDF with a blank page of this size (and extra page entries: /UserUnit...)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(width_pt, height_pt))
    for key, value in entries.items():
        pdf.pages[0].obj[f"/{key}"] = value
    pdf.save(path)
    return path


def _scan_pdf(path: Path) -> Path:
    """A generated A4 page, saved as a one-page PDF."""
    make_document(3, pages=1).pages[0].convert("RGB").save(path, format="PDF", resolution=300)
    return path


def test_a_200_inch_page_is_refused_before_rendering(tmp_path: Path) -> None:
    huge = _blank_pdf(tmp_path / "huge.pdf", 14400, 14400)  # 200 × 200 in: 60000² px at 300 dpi
    t0 = time.perf_counter()
    with pytest.raises(TooLargeError, match="60000×60000 pixels at 300 dpi") as info:
        poppler.render_page(huge, 1, 300, timeout=60, max_pixels=LIMIT)
    assert time.perf_counter() - t0 < 2
    assert info.value.code == "too_large" and not info.value.transient


def test_user_unit_and_rotate_count(tmp_path: Path) -> None:
    # A 10 × 10 inch box in units of 20 points each is 200 × 200 inches (PDF 1.6 /UserUnit).
    scaled = _blank_pdf(tmp_path / "unit.pdf", 720, 720, UserUnit=20)
    with pytest.raises(TooLargeError, match="60000×60000"):
        poppler.render_page(scaled, 1, 300, timeout=60, max_pixels=LIMIT)
    # A turned page is counted turned: 1 × 2 inches on its side is 600 × 300 pixels.
    turned = _blank_pdf(tmp_path / "turned.pdf", 72, 144, Rotate=90)
    assert poppler.page_pixels(turned, 1, 300) == (600, 300)
    assert poppler.render_page(turned, 1, 300, timeout=60, max_pixels=LIMIT).size == (600, 300)
    # The crop box counts when it is the larger box (a renderer asked for it would use it).
    cropped = _blank_pdf(tmp_path / "crop.pdf", 72, 72,
                         CropBox=pikepdf.Array([0, 0, 14400, 14400]))
    with pytest.raises(TooLargeError):
        poppler.render_page(cropped, 1, 300, timeout=60, max_pixels=LIMIT)


def test_an_unusable_page_box_is_a_corrupt_file(tmp_path: Path) -> None:
    broken = _blank_pdf(tmp_path / "box.pdf", 72, 72, UserUnit=0)
    with pytest.raises(CorruptFileError):
        poppler.render_page(broken, 1, 300, timeout=60, max_pixels=LIMIT)


def test_an_a4_page_still_renders_at_the_limit(tmp_path: Path) -> None:
    a4 = _scan_pdf(tmp_path / "a4.pdf")
    width, height = poppler.page_pixels(a4, 1, 300)
    assert (width, height) == (2480, 3508)
    image = poppler.render_page(a4, 1, 300, timeout=60, max_pixels=width * height)
    assert image.size == (2480, 3508) and image.mode == "RGB"
    with pytest.raises(TooLargeError):
        poppler.render_page(a4, 1, 300, timeout=60, max_pixels=width * height - 1)


def test_poppler_timeout_is_the_transient_timeout_error(tmp_path: Path) -> None:
    a4 = _scan_pdf(tmp_path / "a4.pdf")
    with pytest.raises(ToolTimeoutError) as info:
        poppler.render_page(a4, 1, 300, timeout=0.001, max_pixels=LIMIT)
    assert info.value.transient and info.value.code == "tool_timeout"


def test_the_pipeline_fails_the_document_with_too_large(tmp_path: Path) -> None:
    huge = _blank_pdf(tmp_path / "huge.pdf", 14400, 14400)
    t0 = time.perf_counter()
    with Pipeline(PipelineOptions(workers=1)) as pipeline:
        result = pipeline.process(huge, tmp_path / "out.pdf")
    assert time.perf_counter() - t0 < 30
    assert result.status == "failed"
    assert result.error is not None and result.error["code"] == "too_large", result.error
    assert not (tmp_path / "out.pdf").exists()
