"""Signature widgets on scanned PDF pages (issue 14): the fast path keeps the scan's pixels and
paints the visible annotations over them; a page without annotations never starts Poppler."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pikepdf
import pytest

from infra.tools import poppler
from tests.pki import PKI
from tests.signed_incoming import SCAN_DPI, WIDGET_BOX, scan_pdf, signed_scan_pdf
from worker.stages import pdfimage

_MAX_PIXELS = 50_000_000


def _box_pixels(img: np.ndarray, box: tuple[float, float, float, float], page_h: float,
                dpi: float) -> np.ndarray:
    """The image pixels inside a PDF rectangle (points from the bottom-left) of an unturned page."""
    k = dpi / 72.0
    x0, y0, x1, y1 = box
    return img[round((page_h - y1) * k) + 3: round((page_h - y0) * k) - 3,
               round(x0 * k) + 3: round(x1 * k) - 3]


def _never_render(*args: object, **kwargs: object) -> None:
    raise AssertionError("Poppler was started for a page without annotations")


def test_scan_without_annotations_keeps_the_fast_path(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = scan_pdf(tmp_path / "scan.pdf")
    monkeypatch.setattr(poppler, "render_page", _never_render)
    found = pdfimage.page_image(pdf, 0, _MAX_PIXELS)
    assert found is not None and round(found[1]) == SCAN_DPI
    blank = _box_pixels(np.asarray(found[0].convert("L")), WIDGET_BOX, 842, found[1])
    assert blank.min() > 200  # the scan's own top-right corner is paper


def test_signature_widget_is_painted_over_the_scan(tmp_path: Path, pki: PKI) -> None:
    signed = signed_scan_pdf(tmp_path / "signed.pdf", pki.agency)
    found = pdfimage.page_image(signed, 0, _MAX_PIXELS)
    assert found is not None and round(found[1]) == SCAN_DPI  # still the scan's own resolution
    img = np.asarray(found[0].convert("L"))
    widget = _box_pixels(img, WIDGET_BOX, 842, found[1])
    assert (widget < 128).sum() > 200  # the box's border and "Ky boi ..." text are drawn
    # The rest of the page is the scan's pixels: equal to the unsigned scan outside the box.
    plain = pdfimage.page_image(scan_pdf(tmp_path / "plain.pdf"), 0, _MAX_PIXELS)
    assert plain is not None
    below = round((842 - WIDGET_BOX[1]) * SCAN_DPI / 72) + 5
    assert np.array_equal(img[below:], np.asarray(plain[0].convert("L"))[below:])


def test_widget_lands_in_place_on_a_turned_page(tmp_path: Path, pki: PKI) -> None:
    signed = signed_scan_pdf(tmp_path / "signed.pdf", pki.agency)
    with pikepdf.open(signed, allow_overwriting_input=True) as pdf:
        pdf.pages[0].obj.Rotate = 90
        pdf.save(signed)
    found = pdfimage.page_image(signed, 0, _MAX_PIXELS)
    assert found is not None
    img = np.asarray(found[0].convert("L"))
    assert img.shape[1] > img.shape[0]  # landscape: turned clockwise
    # Turned 90° clockwise, the page's top-right corner is the image's bottom-right corner.
    k = found[1] / 72.0
    x0, y0, x1, y1 = WIDGET_BOX
    right = img.shape[1]
    turned = img[round(x0 * k) + 3: round(x1 * k) - 3,
                 right - round((842 - y0) * k) + 3: right - round((842 - y1) * k) - 3]
    assert (turned < 128).sum() > 200
