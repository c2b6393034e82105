"""The image of an electronic copy (issue 14; Nghị định 30, Phụ lục I, Phần II): coloured ink at
200 dpi or more, the page at 100% of its paper size, and scans that cannot meet it marked."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
from PIL import Image

from documents.pdfa import PlacedImage, placed_images
from synth import make_document
from worker.options import PipelineOptions
from worker.stages.cleanup import CleanOptions, clean_page
from worker.stages.compose import ComposeOptions, compose_page
from worker.stages.load import PageSource, guess_resolution
from worker.stages.page import load_page

A4_PT = (595.28, 841.89)
A5_PT = (419.53, 595.28)


def _layers(pdf: Path) -> tuple[tuple[float, float], list[PlacedImage]]:
    with pikepdf.open(pdf) as doc:
        page = doc.pages[0]
        box = tuple(float(v) for v in page.mediabox)
        return (box[2] - box[0], box[3] - box[1]), placed_images(page)


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(scope="module")
def signed_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int], Path]:
    """The last page of a generated document (red seal over a blue signature) as a tagged
    300-dpi PNG, and the seal's box in pixels."""
    doc = make_document(7, pages=1)
    page, *box = doc.truth["field_boxes"]["seal"]
    png = tmp_path_factory.mktemp("copy") / "signed.png"
    doc.pages[page].save(png, dpi=(doc.dpi, doc.dpi))
    return png, box, png.parent


def _compose(png: Path, out: Path, options: ComposeOptions | None = None,
             ) -> tuple[tuple[float, float], list[PlacedImage], list[str], float | None]:
    bgr, dpi, scan = load_page(PageSource(png, "png", 0), PipelineOptions())
    cleaned = clean_page(bgr, dpi, CleanOptions(detect_orientation=False))
    compose_page(cleaned.archive_image, cleaned.text_mask, dpi, None, out,
                 options or ComposeOptions(), scan_dpi=scan.dpi)
    size, layers = _layers(out)
    return size, layers, scan.reasons, scan.dpi


def test_seal_and_signature_are_at_least_200_dpi(signed_page: tuple[Path, list[int], Path]) -> None:
    """Every colour image over the seal has >= 200 dpi effective (pixels over the placed box),
    its mask too; the page is A4 at 100%; before issue 14 the seal was only in the 100-dpi JPEG."""
    png, (x0, y0, x1, y1), work = signed_page
    size, layers, reasons, scan_dpi = _compose(png, work / "new.pdf")
    assert reasons == [] and scan_dpi == 300
    assert abs(size[0] - A4_PT[0]) < 1 and abs(size[1] - A4_PT[1]) < 1
    h_pt = size[1]
    seal = (x0 * 0.24, h_pt - y1 * 0.24, x1 * 0.24, h_pt - y0 * 0.24)  # 72/300 pt per pixel
    colour = [p for p in layers if p.colour != "stencil" and _overlaps(p.box, seal)]
    fore = [p for p in colour if p.mask_dpi is not None]
    assert fore, layers
    assert all(p.dpi >= 200 and p.mask_dpi >= 200 for p in fore)  # type: ignore[operator]
    # The foreground covers the whole seal.
    assert min(p.box[0] for p in fore) <= seal[0] + 2 and max(p.box[2] for p in fore) >= seal[2] - 2
    assert min(p.box[1] for p in fore) <= seal[1] + 2 and max(p.box[3] for p in fore) >= seal[3] - 2
    # What only a low-resolution background could show is no longer needed for the seal: any
    # other colour image over it is the background, and the seal's pixels are in the foreground.
    _, old, _, _ = _compose(png, work / "old.pdf", ComposeOptions(foreground="none"))
    assert [p.dpi for p in old if p.colour != "stencil"] == [100.0]


def test_a_150_dpi_scan_is_marked_and_not_relabelled(
        signed_page: tuple[Path, list[int], Path]) -> None:
    """A 150-dpi scan is recognised upsampled but written at 150 dpi and marked low_resolution."""
    png, _, work = signed_page
    low = work / "low.png"
    with Image.open(png) as img:
        img.resize((img.width // 2, img.height // 2), Image.Resampling.LANCZOS).save(
            low, dpi=(150, 150))
    bgr, dpi, scan = load_page(PageSource(low, "png", 0), PipelineOptions())
    assert dpi == 300 and round(scan.dpi or 0) == 150 and scan.paper == "A4"  # upsampled for Tesseract only
    assert scan.reasons == ["low_resolution:150dpi"]
    pdf = work / "low.pdf"  # the same scan as a scanner's PDF: the image placed on an A4 page
    with Image.open(low) as img:
        img.save(pdf, format="PDF", resolution=150.0)
    _, _, from_pdf = load_page(PageSource(pdf, "pdf", 0), PipelineOptions())
    assert round(from_pdf.dpi or 0) == 150 and from_pdf.reasons == ["low_resolution:150dpi"]
    size, layers, _, _ = _compose(low, work / "low.pdf")
    assert abs(size[0] - A4_PT[0]) < 1 and abs(size[1] - A4_PT[1]) < 1
    assert layers and all(p.dpi <= 150.5 for p in layers)
    assert all(p.mask_dpi is None or p.mask_dpi <= 150.5 for p in layers)


def test_untagged_a5_is_unknown_or_detected(tmp_path: Path) -> None:
    """An A5 sheet without a resolution tag: at 300 dpi its pixels are also A3 at 150 dpi, so the
    size is unknown and said so; at 200 dpi only A5 fits and the page is A5 at 100%."""
    white = np.full((2480, 1748, 3), 250, np.uint8)
    cv2.putText(white, "A5", (300, 600), cv2.FONT_HERSHEY_SIMPLEX, 8, (20, 20, 20), 20)
    ambiguous = tmp_path / "a5-300.png"
    Image.fromarray(white).save(ambiguous)  # no dpi tag
    _, _, scan = load_page(PageSource(ambiguous, "png", 0), PipelineOptions())
    assert "unknown_size" in scan.reasons and scan.paper is None
    known = tmp_path / "a5-200.png"
    Image.fromarray(cv2.resize(white, (1165, 1654), interpolation=cv2.INTER_AREA)).save(known)
    bgr, dpi, scan = load_page(PageSource(known, "png", 0), PipelineOptions())
    assert (dpi, scan.paper) == (200, "A5") and "unknown_size" not in scan.reasons
    assert "not_colour" in scan.reasons  # grey pixels in an RGB file: not a colour scan
    mask = (cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY) < 128).astype(np.uint8) * 255
    compose_page(bgr, mask, dpi, None, tmp_path / "a5.pdf", ComposeOptions(), scan_dpi=scan.dpi)
    size, _ = _layers(tmp_path / "a5.pdf")
    assert abs(size[0] - A5_PT[0]) < 1.5 and abs(size[1] - A5_PT[1]) < 1.5
    assert guess_resolution(2480, 3508) == ("A4", 300) and guess_resolution(1000, 1000) is None
