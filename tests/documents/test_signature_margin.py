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


def test_the_same_ink_under_the_number_could_be_a_mark() -> None:
    ex = extract_metadata([_header_page([_seal(top=380)])], today=TODAY)
    for key in ("secrecy", "urgency"):
        assert ex.metadata[key] is None and ex.fields[key]["needs_review"], key
