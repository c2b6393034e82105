"""Coloured stamps: found in the colour page, read apart from the black text, used by extraction."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from documents.extract import extract_metadata
from models.result import Mark, PageResult, Word
from synth import degrade, make_document
from worker.options import PipelineOptions
from worker.stages.load import PageSource
from worker.stages.marks import find_regions
from worker.stages.page import recognise_page

TODAY = date(2030, 1, 1)
RED = (40, 40, 210)  # BGR
BLUE = (150, 45, 25)


def _page(img: Image.Image, work: Path) -> PageResult:
    """One page through the real page stage (load, clean, OCR, colour marks)."""
    png = work / "page.png"
    img.save(png, dpi=(300, 300))
    return recognise_page(PageSource(png, "png", 0), PipelineOptions(workers=1), work).result


def _extract(doc_seed: int, work: Path, kind: str = "clean", **features: object) -> tuple[
        dict, PageResult]:
    doc = make_document(doc_seed, pages=1, **features)  # type: ignore[arg-type]
    img = degrade(doc.pages[0], kind, random.Random(doc_seed))
    page = _page(img, work)
    return extract_metadata([page], today=TODAY).fields, page


# --- Region selection on drawn pages (no OCR) ---------------------------------------------------

def _blank(dpi: int = 300) -> np.ndarray:
    return np.full((int(11.69 * dpi), int(8.27 * dpi), 3), 250, np.uint8)


def _mm(v: float, dpi: int = 300) -> int:
    return int(round(v * dpi / 25.4))


def test_regions_keep_stamps_and_drop_seal_signature_and_handwriting() -> None:
    img = _blank()
    # Black text lines: no colour, never a region.
    for y in range(_mm(20), _mm(60), _mm(6)):
        cv2.putText(img, "CONG HOA XA HOI", (_mm(20), y), cv2.FONT_HERSHEY_SIMPLEX, 2, (20, 20, 20), 5)
    # A red framed stamp with text, 40 x 12 mm, under the number.
    x0, y0 = _mm(20), _mm(70)
    cv2.rectangle(img, (x0, y0), (x0 + _mm(40), y0 + _mm(12)), RED, _mm(0.6))
    cv2.putText(img, "MAT", (x0 + _mm(8), y0 + _mm(10)), cv2.FONT_HERSHEY_SIMPLEX, 3, RED, 8)
    # A red round seal, 36 mm across, near the signature.
    cx, cy = _mm(140), _mm(240)
    cv2.circle(img, (cx, cy), _mm(18), RED, _mm(0.9))
    cv2.circle(img, (cx, cy), _mm(12), RED, _mm(0.5))
    # Its star, 13 mm across: inside the seal, not a stamp of its own.
    star = [(cx + _mm(6.5 if i % 2 == 0 else 2.6) * np.sin(i * np.pi / 5),
             cy - _mm(6.5 if i % 2 == 0 else 2.6) * np.cos(i * np.pi / 5)) for i in range(10)]
    cv2.fillPoly(img, [np.array(star, np.int32)], RED)
    # A blue signature (a scribble without a frame) beside it.
    pts = np.array([[_mm(150 + 4 * i), _mm(235 + (8 if i % 2 else 0))] for i in range(9)], np.int32)
    cv2.polylines(img, [pts], False, BLUE, _mm(0.5))
    # A small blue handwritten number in the header.
    cv2.putText(img, "87", (_mm(35), _mm(64)), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.5, BLUE, 4)
    regions, checked = find_regions(img, 300)
    assert checked
    read = [r for r in regions if r.read]
    assert len(read) == 1, regions
    r = read[0]
    assert r.colour == "red" and r.frame
    assert abs(r.bbox[0] - x0) < _mm(3) and abs(r.bbox[1] - y0) < _mm(3)
    assert abs(r.bbox[2] - (x0 + _mm(40))) < _mm(3)
    # The signature is only reported (a blue cluster of stamp size, not read); seal, star and the
    # handwritten number are not.
    assert [(u.colour, u.bbox[1] > _mm(200)) for u in regions if not u.read] == [("blue", True)]


def test_faint_purple_stamp_is_reported_unread() -> None:
    img = _blank()
    x0, y0 = _mm(110), _mm(15)
    faint = (200, 175, 215)  # BGR: worn purple ink, chroma about 40
    cv2.rectangle(img, (x0, y0), (x0 + _mm(50), y0 + _mm(24)), faint, _mm(0.6))
    cv2.putText(img, "CONG VAN DEN", (x0 + _mm(4), y0 + _mm(10)), cv2.FONT_HERSHEY_SIMPLEX, 1.6,
                faint, 4)
    regions, checked = find_regions(img, 300)
    assert checked
    assert [(r.read, r.bbox[1] < _mm(20)) for r in regions] == [(False, True)]


def test_grey_page_is_not_checked_and_plain_colour_page_is() -> None:
    grey = _blank()
    cv2.putText(grey, "KHAN", (_mm(20), _mm(40)), cv2.FONT_HERSHEY_SIMPLEX, 3, (90, 90, 90), 8)
    assert find_regions(grey, 300) == ([], False)
    colour = grey.copy()
    colour[:, :, 2] = np.clip(colour[:, :, 2].astype(int) + 20, 0, 255).astype(np.uint8)  # warm scan
    regions, checked = find_regions(colour, 300)
    assert checked and regions == []


def test_blue_framed_register_box_is_kept_with_its_handwriting() -> None:
    img = _blank()
    x0, y0 = _mm(30), _mm(40)
    cv2.rectangle(img, (x0, y0), (x0 + _mm(52), y0 + _mm(25)), BLUE, _mm(0.6))
    cv2.putText(img, "CONG VAN DEN", (x0 + _mm(4), y0 + _mm(10)), cv2.FONT_HERSHEY_SIMPLEX, 1.6,
                BLUE, 4)
    cv2.putText(img, "123", (x0 + _mm(20), y0 + _mm(20)), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.2,
                BLUE, 3)
    regions, _ = find_regions(img, 300)
    assert [(r.colour, r.frame) for r in regions] == [("blue", True)]


# --- Extraction from mark words (no OCR) --------------------------------------------------------

def _word(text: str, box: tuple[int, int, int, int], conf: float = 95.0, line: int = 0) -> Word:
    return Word(text=text, bbox=box, conf=conf, line=line)


def _header_page(marks: list[Mark], checked: bool = True) -> PageResult:
    words = [
        _word("ỦY", (100, 100, 160, 140)), _word("BAN", (170, 100, 240, 140)),
        _word("NHÂN", (250, 100, 340, 140)), _word("DÂN", (350, 100, 420, 140)),
        _word("CỘNG", (1300, 100, 1400, 140), line=1), _word("HÒA", (1410, 100, 1490, 140), line=1),
        _word("XÃ", (1500, 100, 1550, 140), line=1), _word("HỘI", (1560, 100, 1630, 140), line=1),
        _word("CHỦ", (1640, 100, 1720, 140), line=1), _word("NGHĨA", (1730, 100, 1850, 140), line=1),
        _word("VIỆT", (1860, 100, 1950, 140), line=1), _word("NAM", (1960, 100, 2040, 140), line=1),
        _word("Số:", (100, 300, 160, 340), line=2), _word("12/QĐ-UBND", (170, 300, 400, 340), line=2),
        _word("QUYẾT", (1000, 700, 1150, 750), line=3), _word("ĐỊNH", (1160, 700, 1280, 750), line=3),
    ]
    return PageResult(index=0, source="ocr", width=2480, height=3508, dpi=300, words=words,
                      marks=marks, marks_checked=checked)


def test_mark_words_give_confident_secrecy_and_none_elsewhere() -> None:
    mark = Mark(bbox=(100, 400, 330, 520), colour="red", frame=True,
                words=[_word("MẬT", (130, 420, 300, 500), 93.0)])
    ex = extract_metadata([_header_page([mark])], today=TODAY)
    assert ex.metadata["secrecy"] == "MẬT" and not ex.fields["secrecy"]["needs_review"]
    assert ex.metadata["urgency"] is None and not ex.fields["urgency"]["needs_review"]


def test_unreadable_colour_region_in_header_keeps_none_for_review() -> None:
    mark = Mark(bbox=(100, 400, 330, 520), colour="red", frame=True,
                words=[_word("ÁỊ", (130, 420, 300, 500), 20.0)])
    ex = extract_metadata([_header_page([mark])], today=TODAY)
    for key in ("secrecy", "urgency"):
        assert ex.metadata[key] is None and ex.fields[key]["needs_review"], key
    # 19 x 10 mm: a mark's size, too small for a register stamp's lines.
    assert not ex.fields["arrival_stamp"]["needs_review"]


def test_partly_read_mark_needs_review() -> None:
    # `TỐI MẬT` with `TỐI` unread: the reading covers a third of the stamp.
    mark = Mark(bbox=(100, 400, 700, 520), colour="red", frame=True,
                words=[_word("MẬT", (480, 420, 650, 500), 93.0)])
    ex = extract_metadata([_header_page([mark])], today=TODAY)
    assert ex.fields["secrecy"]["needs_review"]


def test_unchecked_page_never_confident_none() -> None:
    ex = extract_metadata([_header_page([], checked=False)], today=TODAY)
    for key in ("secrecy", "urgency", "arrival_stamp"):
        assert ex.fields[key]["needs_review"], key


def test_black_stamp_fragment_blocks_confident_none() -> None:
    page = _header_page([])
    page.words += [_word("ĐẾN", (100, 500, 180, 540), 60.0, line=4),
                   _word("Chuyển:", (200, 500, 330, 540), 80.0, line=4)]
    ex = extract_metadata([page], today=TODAY)
    assert ex.fields["arrival_stamp"]["needs_review"]


# --- Generated documents through the real page stage (slow) -------------------------------------

@pytest.mark.slow
def test_red_secret_and_flash_marks_read_confidently(tmp_path: Path) -> None:
    fields, page = _extract(3, tmp_path, secrecy="MẬT", urgency="HỎA TỐC")
    assert page.marks_checked
    assert fields["secrecy"]["value"] == "MẬT" and not fields["secrecy"]["needs_review"]
    assert fields["urgency"]["value"] == "HỎA TỐC" and not fields["urgency"]["needs_review"]
    # The marks are not in the black text: words, text and the PDF text layer are unchanged.
    assert "MẬT" not in page.text.split()


@pytest.mark.slow
def test_noisy_scan_with_red_urgent_mark(tmp_path: Path) -> None:
    fields, _ = _extract(21, tmp_path, kind="noise", urgency="KHẨN")
    assert fields["urgency"]["value"] == "KHẨN" or fields["urgency"]["needs_review"]
    assert fields["secrecy"]["value"] is None


@pytest.mark.slow
def test_document_without_stamps_is_confidently_unmarked(tmp_path: Path) -> None:
    # Every generated document carries a red round seal and a blue signature: neither is a mark.
    fields, page = _extract(4, tmp_path, kind="noise")
    assert page.marks_checked
    assert all(m.colour == "red" or m.frame or not m.read for m in page.marks)
    for key in ("secrecy", "urgency", "arrival_stamp"):
        assert fields[key]["value"] is None, key
        assert not fields[key]["needs_review"], key


@pytest.mark.slow
def test_seal_only_invents_no_mark(tmp_path: Path) -> None:
    for seed in (7, 8):
        fields, _ = _extract(seed, tmp_path, kind="paper")
        for key in ("secrecy", "urgency", "arrival_stamp"):
            assert fields[key]["value"] is None, (seed, key)


@pytest.mark.slow
def test_register_stamp_in_colour_is_never_confident_none(tmp_path: Path) -> None:
    fields, _ = _extract(5, tmp_path, incoming_stamp=True)
    f = fields["arrival_stamp"]
    assert f["value"] is not None or f["needs_review"]
    # Its handwritten number and date are for the clerk to confirm.
    assert f["needs_review"]
