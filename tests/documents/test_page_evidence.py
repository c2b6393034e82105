"""A page row keeps the whole reading of a page (words, stamps, second looks) and turns it whole."""

from __future__ import annotations

from documents.corrections import _turn_boxes
from models.result import Mark, PageResult, Reread, Word, page_evidence


def _page() -> PageResult:
    w = Word(text="Phúc", bbox=(100, 200, 180, 240), conf=96.0)
    return PageResult(
        index=0, source="ocr", width=1000, height=2000, dpi=300, words=[w],
        marks=[Mark(bbox=(10, 20, 110, 60), colour="red", words=[w])], marks_checked=True,
        rereads=[Reread(bbox=(90, 190, 190, 250), reason="signer_name", words=[w])])


def test_evidence_round_trip_keeps_stamps_and_second_looks() -> None:
    ev = page_evidence(_page())
    assert set(ev) == {"words", "marks", "marks_checked", "rereads", "scan_dpi", "paper",
                       "copy_reasons"}
    back = PageResult.model_validate({**ev, "index": 0, "source": "ocr"})
    assert back.rereads[0].words[0].text == "Phúc" and back.marks[0].colour == "red"
    assert back.marks_checked


def test_every_box_turns_with_the_page() -> None:
    ev = page_evidence(_page())
    turned = _turn_boxes(ev, 1000, 2000, 90)
    # A quarter turn clockwise: (x0, y0, x1, y1) -> (h - y1, x0, h - y0, x1).
    assert turned["words"][0]["bbox"] == [1760, 100, 1800, 180]
    assert turned["marks"][0]["bbox"] == [1940, 10, 1980, 110]
    assert turned["marks"][0]["words"][0]["bbox"] == [1760, 100, 1800, 180]
    assert turned["rereads"][0]["bbox"] == [1750, 90, 1810, 190]
    assert turned["marks_checked"] is True and turned["rereads"][0]["reason"] == "signer_name"
    # Half a turn twice is where it started.
    twice = _turn_boxes(_turn_boxes(ev, 1000, 2000, 180), 1000, 2000, 180)
    assert [list(b) for b in (twice["words"][0]["bbox"],)] == [[100, 200, 180, 240]]
