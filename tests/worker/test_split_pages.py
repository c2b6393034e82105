"""Separator sheets and blank pages on rendered pages (no OCR): detection must be right both ways."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from bench.split_pages import blank_back, few_words, stamp_only
from documents.separator import PREFIX, separator_pdf, write_separator_pdf
from infra.tools import poppler
from synth import degrade, make_document
from worker.split.blank import measure_ink
from worker.split.separator import find_separator
from worker.stages.cleanup import CleanOptions, clean_page


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Image.Image:
    path = write_separator_pdf(tmp_path_factory.mktemp("sep") / "sep.pdf", "test42")
    img = poppler.render_page(path, 1, 300, timeout=60, max_pixels=10**8).convert("RGB")
    img.info["dpi"] = (300, 300)
    return img


def _bgr(img: Image.Image) -> tuple[np.ndarray, int]:
    dpi = int(img.info.get("dpi", (300, 300))[0])
    return cv2.cvtColor(np.asarray(img.convert("RGB")), cv2.COLOR_RGB2BGR), dpi


def test_separator_pdf_is_one_a4_page(tmp_path: Path) -> None:
    data = separator_pdf("x")
    assert data.startswith(b"%PDF")
    path = tmp_path / "s.pdf"
    path.write_bytes(data)
    img = poppler.render_page(path, 1, 72, timeout=60, max_pixels=10**8)
    assert abs(img.width - 595) <= 2 and abs(img.height - 842) <= 2


def test_separator_found_upright_upside_down_and_as_fax(sheet: Image.Image) -> None:
    rng = random.Random(3)
    for kind in ("clean", "upside_down", "fax", "skew+noise"):
        bgr, dpi = _bgr(degrade(sheet, kind, rng))
        assert find_separator(bgr, dpi) == PREFIX + "test42", kind


def test_separator_not_found_on_letters_or_foreign_qr() -> None:
    import zxingcpp

    page = make_document(5, pages=1, incoming_stamp=True).pages[0]
    bgr, dpi = _bgr(page)
    assert find_separator(bgr, dpi) is None
    # Another QR code (a payment slip, a link) is not a separator.
    qr = np.asarray(zxingcpp.create_barcode("https://example.vn/x", zxingcpp.BarcodeFormat.QRCode)
                    .to_image(scale=12))
    page.paste(Image.fromarray(qr).convert("RGB"), (1500, 2800))
    bgr, dpi = _bgr(page)
    assert find_separator(bgr, dpi) is None


def _ink(img: Image.Image) -> bool:
    bgr, dpi = _bgr(img)
    cleaned = clean_page(bgr, dpi, CleanOptions(use_osd=False))
    return measure_ink(cleaned.ocr_image, cleaned.archive_image, dpi).blank


def test_blank_backs_are_blank() -> None:
    rng = random.Random(11)
    front = make_document(8, pages=1).pages[0]
    for _ in range(6):
        assert _ink(blank_back(rng, front))


def test_stamp_only_and_few_words_are_not_blank() -> None:
    rng = random.Random(12)
    for _ in range(4):
        assert not _ink(stamp_only(rng))
        assert not _ink(few_words(rng))
    # A single short word in blue, and the same page as a 200-dpi bitonal fax (black now).
    note = few_words(rng, words="Lưu")
    assert not _ink(note)
    assert not _ink(degrade(note, "fax", rng))


def test_text_page_is_not_blank() -> None:
    page = make_document(9, pages=1).pages[0]
    assert not _ink(page)


def test_api_serves_the_separator_sheet() -> None:
    from intake.auth.principal import Principal
    from intake.auth.roles import Role
    from intake.routers.downloads import separator_sheet

    # The route's rule (Uploader: mailroom, clerk, upload token) is checked with every role in
    # tests/intake/test_route_access.py; here the sheet a mailroom clerk gets.
    mailroom = Principal("account", 1, "van.thu", Role.MAILROOM, None, frozenset({"Văn phòng"}))
    response = separator_sheet(mailroom)
    assert response.media_type == "application/pdf" and bytes(response.body).startswith(b"%PDF")
