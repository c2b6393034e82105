"""The dates electronic signatures and the Official Gazette print at the top of a first page:
the document cannot be dated after them (issue 16)."""

from __future__ import annotations

from datetime import date

from documents.extract import extract_metadata
from documents.extract.layout import segments
from documents.extract.signed_on import dated_by
from models.result import PageResult
from tests.documents.test_extract import TODAY, header_rows, page, row, signer_rows
from tests.documents.test_handread import again, blank


def _signed_page(box: str | None, month: str = "08", day: str = "4Ê") -> PageResult:
    """A decision dated by hand (day unread by Tesseract, month read `month`), with an
    e-signature's box `box` in the top margin."""
    rows = header_rows(day=day, confs={"4Ê": 20.0})
    rows[2] = [w.model_copy(update={"text": month}) if w.text == "3" else w for w in rows[2]]
    if box is not None:
        rows.insert(0, row(40, (1700, box)))
    return page(*rows, *signer_rows())


def test_signature_and_gazette_dates_at_the_top_bound_the_documents_date() -> None:
    p = _signed_page("Giờ ký: 19/02/2020 07:55:13")
    assert dated_by(segments(p, 0), p.height) == date(2020, 2, 20)  # a day of slack (UTC)
    for text, want in (("Thời gian ký: 08.04.2026 17:35 +07:00", date(2026, 4, 9)),
                       ("Ngày ký: 2026-04-21 14:20:47", date(2026, 4, 22)),
                       ("CÔNG BÁO/Số 285 + 286/Ngày 04-4-2022", date(2022, 4, 5))):
        q = page(row(40, (1500, text)))
        assert dated_by(segments(q, 0), q.height) == want, text
    # A date without a time of day is a citation; anything under the top band is the body.
    for y, text in ((40, "theo Quyết định ngày 19/02/2020"), (900, "Giờ ký: 19/02/2020 07:55")):
        q = page(row(y, (1500, text)))
        assert dated_by(segments(q, 0), q.height) is None, text


def test_a_month_that_would_date_the_document_after_its_signature_is_the_other_reading() -> None:
    # Tesseract read the handwritten month `08`; PP-OCR `02` with its 2 unsure (a stroke `.`).
    text = "Quang Ngai, ngay 18 thang 02 nam 2020"
    line = again("hand_date", text, low={text.index("02") + 1: 40.0})
    p = _signed_page("Giờ ký: 19/02/2020 07:55:13")
    p.rereads = [line, blank("hand_date", "18")]
    ex = extract_metadata([p], today=TODAY)
    assert ex.metadata["issued_date"] == "2020-02-18" and ex.fields["issued_date"]["needs_review"]
    # Without the signature's date the first reading's month stands (for review).
    p = _signed_page(None)
    p.rereads = [line, blank("hand_date", "18")]
    ex = extract_metadata([p], today=TODAY)
    assert ex.metadata["issued_date"] == "2020-08-18" and ex.fields["issued_date"]["needs_review"]


def test_a_printed_date_after_the_signature_is_never_confident() -> None:
    p = _signed_page("Giờ ký: 19/02/2020 07:55:13", month="3", day="05")
    ex = extract_metadata([p], today=TODAY)
    assert ex.fields["issued_date"]["needs_review"]
    p = _signed_page("Giờ ký: 19/03/2020 07:55:13", month="3", day="05")
    ex = extract_metadata([p], today=TODAY)
    assert ex.metadata["issued_date"] == "2020-03-05"
    assert not ex.fields["issued_date"]["needs_review"]
