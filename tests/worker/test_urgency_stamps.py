"""Urgency stamps in red and black, straight and tilted, framed or not: found and read by the page
stage (worker/stages/marks.py) and taken by extraction (documents/extract/stamps.py)."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from documents.extract import extract_metadata
from documents.extract.stamps import mark_rows, read_region
from models.result import Mark, PageResult, Word
from synth import make_document
from synth.stamps import restrike_urgency
from worker.options import PipelineOptions
from worker.stages.load import PageSource
from worker.stages.marks import erase_frames
from worker.stages.page import recognise_page

TODAY = date(2030, 1, 1)
BLACK = (35, 35, 45)


def _top_of_page(img: Image.Image, work: Path) -> PageResult:
    """The top of a generated first page (header, number, stamp row, title: a document with a
    title, where marks are looked for above it) through the real page stage: a third of the time
    of a whole page."""
    top = img.crop((0, 0, img.width, int(img.height * 0.42)))
    png = work / "top.png"
    top.save(png, dpi=(300, 300))
    return recognise_page(PageSource(png, "png", 0), PipelineOptions(workers=1), work).result


@pytest.mark.parametrize(("seed", "urgency", "ink", "angle", "frame"), [
    (7203, "HỎA TỐC", None, 10.0, "arrow"),  # red, tilted, in an arrow: read nothing before
    (7211, "KHẨN", BLACK, 0.0, "rect"),  # black, straight, framed
    (7222, "THƯỢNG KHẨN", BLACK, -9.0, "none"),  # black words alone, tilted
])
def test_urgency_stamp_is_read(tmp_path: Path, seed: int, urgency: str,
                               ink: tuple[int, int, int] | None, angle: float,
                               frame: str) -> None:
    doc = make_document(seed, pages=1, kind="quyet_dinh", urgency=urgency)
    page = _top_of_page(restrike_urgency(doc, random.Random(seed), ink=ink, angle=angle,
                                         frame=frame), tmp_path)
    # The stamp is read apart, as a mark of its own ink.
    colour = "red" if ink is None else "black"
    read = [" ".join(w.text for w in m.words) for m in page.marks if m.colour == colour and m.read]
    assert urgency in read, page.marks
    assert extract_metadata([page], today=TODAY).fields["urgency"]["value"] == urgency


def test_page_without_urgency_stamp_has_no_mark(tmp_path: Path) -> None:
    # A red MẬT stamp where the urgency one would be, nothing else: no urgency, confidently, and
    # no black stamp found in the header's black text.
    doc = make_document(7231, pages=1, kind="quyet_dinh", secrecy="MẬT")
    page = _top_of_page(doc.pages[0], tmp_path)
    assert not [m for m in page.marks if m.colour == "black"]
    fields = extract_metadata([page], today=TODAY).fields
    assert fields["secrecy"]["value"] == "MẬT"
    assert fields["urgency"]["value"] is None
    assert not fields["urgency"]["needs_review"]


# --- Without OCR ----------------------------------------------------------------------------

def test_outline_is_erased_and_words_kept() -> None:
    img = np.full((300, 900), 255, np.uint8)
    cv2.rectangle(img, (20, 20), (880, 280), 0, 8)
    cv2.putText(img, "HOA TOC", (120, 200), cv2.FONT_HERSHEY_SIMPLEX, 4, 0, 14)
    out = erase_frames(img)
    assert out[20, 450] == 255 and out[150, 20] == 255  # the outline is gone
    words = img[60:240, 100:800] < 128
    assert np.array_equal(out[60:240, 100:800] < 128, words)  # the words are all there


def _mark(*words: tuple[str, tuple[int, int, int, int], float, int]) -> Mark:
    return Mark(bbox=(180, 600, 500, 900), colour="red", words=[
        Word(text=t, bbox=b, conf=c, block=1, par=1, line=line) for t, b, c, line in words])


def test_tilted_stamp_words_are_one_line() -> None:
    # Struck at 40°: the page boxes of its two words are staggered, but Tesseract read them on
    # one line of the upright crop.
    mark = _mark(("HỎA", (205, 732, 353, 871), 93, 1), ("TỐC", (324, 636, 466, 771), 96, 1))
    assert [r.text for r in mark_rows(mark, 0)] == ["HỎA TỐC"]
    region = read_region(mark, 0, TODAY)
    assert [(m.value, m.conf >= 0.9) for m in region.marks] == [("HỎA TỐC", True)]


def test_a_letter_off_is_offered_for_review_only() -> None:
    guess = read_region(_mark(("HOA", (150, 600, 300, 680), 90, 1),
                              ("TOG", (320, 600, 470, 680), 90, 1)), 0, TODAY)
    assert [(m.value, m.conf <= 0.6) for m in guess.marks] == [("HỎA TỐC", True)]
    # Short words are not guessed: MAY is no MẬT, KHAI no KHẨN... and THAN no KHẨN either.
    for text in ("MAY", "THAN"):
        region = read_region(_mark((text, (150, 600, 350, 680), 95, 1)), 0, TODAY)
        assert region.marks == []
