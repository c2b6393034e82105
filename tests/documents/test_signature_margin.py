"""The top margin's e-signature stamps (a round seal image, a `Ký bởi` box) are not secrecy or
urgency marks: those go under the number (Nghị định 30, Phụ lục I, boxes 10a/10b)."""

from __future__ import annotations

from documents.extract import extract_metadata
from models.result import Mark
from tests.worker.test_marks import TODAY, _header_page, _word


def _seal(top: int) -> Mark:
    """A red round seal image with its ring text read as garbage (the header's motto is at
    y 100-140 on this page)."""
    return Mark(bbox=(1000, top, 1090, top + 90), colour="red", frame=False,
                words=[_word("QẬN", (1010, top + 20, 1040, top + 60), 40.0),
                       _word("“PDN", (1045, top + 20, 1085, top + 60), 30.0)])


def test_seal_above_the_header_leaves_no_mark_confidently() -> None:
    ex = extract_metadata([_header_page([_seal(top=5)])], today=TODAY)
    for key in ("secrecy", "urgency"):
        assert ex.metadata[key] is None and not ex.fields[key]["needs_review"], key


def test_unread_rectangular_ink_under_the_number_could_be_a_mark() -> None:
    # Secrecy and urgency stamps are rectangles wider than tall (30 x 10 mm here).
    stamp = Mark(bbox=(150, 380, 500, 500), colour="red", frame=False,
                 words=[_word("QẬN", (160, 400, 260, 480), 40.0),
                        _word("“PDN", (300, 400, 480, 480), 30.0)])
    ex = extract_metadata([_header_page([stamp])], today=TODAY)
    for key in ("secrecy", "urgency"):
        assert ex.metadata[key] is None and ex.fields[key]["needs_review"], key


def test_round_ink_under_the_number_is_a_seal_not_a_mark() -> None:
    # As tall as wide, nothing readable: the agency's seal showing through from the back of
    # the sheet, or an e-signature's seal image reaching down over the motto.
    for seal in (_seal(top=380), Mark(bbox=(700, 640, 1020, 990), colour="red", frame=False,
                                      read=False)):
        ex = extract_metadata([_header_page([seal])], today=TODAY)
        for key in ("secrecy", "urgency"):
            assert ex.metadata[key] is None and not ex.fields[key]["needs_review"], key


def test_handwriting_in_the_number_blank_is_no_stamp() -> None:
    # The number `24` written in blue into the blank of `Số: .../QĐ-UBND` (row y 300-340).
    hand = Mark(bbox=(160, 290, 240, 350), colour="blue", frame=False,
                words=[_word("j4", (165, 295, 235, 345), 30.0)])
    ex = extract_metadata([_header_page([hand])], today=TODAY)
    for key in ("secrecy", "urgency", "arrival_stamp"):
        assert ex.metadata[key] is None and not ex.fields[key]["needs_review"], key
    # Twice the row's height below it: could be a stamp under the number.
    low = hand.model_copy(update={"bbox": (160, 420, 240, 480)})
    ex = extract_metadata([_header_page([low])], today=TODAY)
    assert ex.fields["urgency"]["needs_review"]


def test_only_ink_of_a_register_stamps_size_could_be_an_unread_one() -> None:
    # An e-signature's one-line box (38 x 8 mm) and its seal image (16 mm) at the top.
    box = Mark(bbox=(1972, 0, 2420, 92), colour="blue", frame=False, read=False)
    ex = extract_metadata([_header_page([box, _seal(top=5)])], today=TODAY)
    assert ex.metadata["arrival_stamp"] is None
    assert not ex.fields["arrival_stamp"]["needs_review"]
    # Unread ink of 45 x 25 mm in the top half: a register stamp could be there.
    stamp = Mark(bbox=(1500, 500, 2030, 800), colour="blue", frame=True, read=False)
    ex = extract_metadata([_header_page([stamp])], today=TODAY)
    assert ex.fields["arrival_stamp"]["needs_review"]
