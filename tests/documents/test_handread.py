"""Handwritten numbers and days from the digit recogniser's second reading (no model here: the
readings are built by hand, one word per character as the page stage stores them)."""

from __future__ import annotations

from documents.extract import extract_metadata
from documents.extract.layout import reading_words
from models.result import PageResult, Reread, Word
from tests.documents.test_extract import TODAY, header_rows, page, signer_rows


def again(reason: str, text: str, conf: float = 99.0, digits: str | None = None,
          low: dict[int, float] | None = None) -> Reread:
    """A second reading of `text`: conf per character (`low` overrides by index), and the
    digit candidates (default: the character itself when a digit, else '?')."""
    cands = digits if digits is not None else "".join(c if c.isdigit() else "?" for c in text)
    words = [Word(text=c, bbox=(450 + 20 * i, 400, 470 + 20 * i, 470),
                  conf=(low or {}).get(i, conf)) for i, c in enumerate(text)]
    return Reread(bbox=(400, 380, 1100, 480), reason=reason, words=words, digits=cands,
                  digit_confs=[conf] * len(text))


def blank(reason: str, text: str, *confs: float) -> Reread:
    """A blank read alone (`<reason>_blank`): one word per character, `confs` per character
    (default 99)."""
    words = [Word(text=c, bbox=(500, 400, 560, 470), conf=confs[i] if i < len(confs) else 99.0)
             for i, c in enumerate(text)]
    return Reread(bbox=(500, 400, 560, 470), reason=f"{reason}_blank", words=words)


def doc(number: str = "Số: 4Ê /QĐ-UBND", day: str = "4Ê", *rereads: Reread,
        weak: str = "4Ê") -> PageResult:
    p = page(*header_rows(number=number, day=day, confs={weak: 20.0 if weak == "4Ê" else 60.0}),
             *signer_rows())
    return p.model_copy(update={"rereads": list(rereads)})


def fields(p: PageResult, second: bool = True) -> tuple[dict, dict]:
    ex = extract_metadata([p], today=TODAY, second_reading=second)
    return ex.metadata, ex.fields


def test_handwritten_number_read_again_is_confident_when_everything_agrees() -> None:
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", again("hand_number", "Só: 87 /QD-UBND"),
                         blank("hand_number", "87")))
    assert meta["number"] == "87/QĐ-UBND" and meta["code_number"] == "87"
    assert not f["number"]["needs_review"] and not f["code_number"]["needs_review"]
    # Read once only (the line, no blank): filled in, never confident.
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", again("hand_number", "Só: 87 /QD-UBND")))
    assert meta["number"] == "87/QĐ-UBND" and f["number"]["needs_review"]
    # The same page without the second reading: nothing read, for review (the eval's "before").
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", again("hand_number", "Só: 87 /QD-UBND")),
                     second=False)
    assert meta["number"] is None and f["number"]["needs_review"]


def test_inconsistent_or_doubtful_numbers_are_never_confident() -> None:
    cases = [
        again("hand_number", "Só: A7 /QD-UBND"),  # a letter mapped to a digit
        again("hand_number", "Só: 87 /QD-UBND", low={5: 70.0}),  # a weak digit
        again("hand_number", "Só: 87 /QD-KTTH"),  # the symbol read differently
    ]
    for reading in cases:
        meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", reading))
        assert meta["number"] in ("17/QĐ-UBND", "87/QĐ-UBND"), reading
        assert f["number"]["needs_review"], reading
    # The first reading found other digits that make a valid number: the readings disagree.
    first = doc("Số: 81 /QĐ-UBND", "05", weak="81")
    assert fields(first)[1]["number"]["needs_review"]  # weak: a second reading is due
    first.rereads = [again("hand_number", "Só: 87 /QD-UBND")]
    meta, f = fields(first)
    assert meta["number"] == "87/QĐ-UBND" and f["number"]["needs_review"]
    # A letter with no digit candidate at all: nothing is made up.
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", again("hand_number", "Só: 8K /QD-UBND")))
    assert meta["number"] is None and f["number"]["needs_review"]


def test_handwritten_day_checked_against_the_printed_month_and_year() -> None:
    meta, f = fields(doc("Số: 87/QĐ-UBND", "4Ê",
                         again("hand_date", "Quang Ngai, ngay 15 thang 03 nam 2020"),
                         blank("hand_date", "15")))
    assert meta["issued_date"] == "2020-03-15" and not f["issued_date"]["needs_review"]
    # Month read differently by the two recognisers: filled (the second's sure digits), for review.
    meta, f = fields(doc("Số: 87/QĐ-UBND", "4Ê",
                         again("hand_date", "Quang Ngai, ngay 15 thang 08 nam 2020")))
    assert meta["issued_date"] == "2020-08-15" and f["issued_date"]["needs_review"]
    # A day that makes no calendar date is not taken.
    meta, f = fields(doc("Số: 87/QĐ-UBND", "4Ê",
                         again("hand_date", "Quang Ngai, ngay 35 thang 03 nam 2020")))
    assert meta["issued_date"] is None and f["issued_date"]["needs_review"]


def test_a_date_after_the_upload_is_never_taken() -> None:
    p = page(*header_rows(number="Số: 87/QĐ-UBND", day="4Ê", confs={"4Ê": 20.0}),
             *signer_rows())
    p.words = [w.model_copy(update={"text": "2026"}) if w.text == "2020" else w for w in p.words]
    p.rereads = [again("hand_date", "Quang Ngai, ngay 15 thang 03 nam 2026")]
    meta, f = fields(p)  # TODAY is 2026-01-01
    assert meta["issued_date"] is None and f["issued_date"]["needs_review"]


def test_second_readings_never_replace_the_first_readings_words() -> None:
    p = doc("Số: 4Ê /QĐ-UBND", "05", again("hand_number", "Só: 87 /QD-UBND"))
    assert [w.text for w in reading_words(p)] == [w.text for w in p.words]


def test_a_symbol_spelled_with_d_for_dd_is_confirmed_only_under_a_sure_title() -> None:
    # PP-OCR reads `Đ` as `D`: its agreement confirms the letters of `QD-UBND`, repaired to
    # `QĐ-UBND` by the title `QUYẾT ĐỊNH`; the `Đ` is the title's word, so only a sure title
    # makes the repaired symbol sure.
    p = page(*header_rows(number="Số: 4Ê /QD-UBND", day="05",
                          confs={"4Ê": 20.0, "/QD-UBND": 80.0}), *signer_rows())
    p.rereads = [again("hand_number", "Só: 87 /QD-UBND"), blank("hand_number", "87")]
    meta, f = fields(p)
    assert meta["number"] == "87/QĐ-UBND" and not f["type_name"]["needs_review"]
    assert not f["code_notation"]["needs_review"] and not f["number"]["needs_review"]
    p.words = [w.model_copy(update={"conf": 30.0}) if w.text in ("QUYẾT", "ĐỊNH") else w
               for w in p.words]
    meta, f = fields(p)
    assert meta["number"] == "87/QĐ-UBND" and f["type_name"]["needs_review"]
    assert f["code_notation"]["needs_review"] and f["number"]["needs_review"]


def test_a_group_that_may_be_a_type_with_d_for_dd_is_never_confirmed() -> None:
    # `HD` is hướng dẫn, `HĐ` hợp đồng: no title repairs it, and PP-OCR cannot tell them apart.
    p = page(*header_rows(number="Số: 4Ê /QĐ-HD", day="05",
                          confs={"4Ê": 20.0, "/QĐ-HD": 80.0}), *signer_rows())
    p.rereads = [again("hand_number", "Só: 87 /QD-HD"), blank("hand_number", "87")]
    meta, f = fields(p)
    assert meta["code_number"] == "87" and f["code_notation"]["needs_review"]
    assert f["number"]["needs_review"]


def test_two_readings_of_the_same_digits_take_the_surer_one() -> None:
    # The line read `349` surely, the blank alone the same digits at 71%: sure.
    line = again("hand_number", "Só: 349 /QD-UBND")
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", line, blank("hand_number", "349", 99, 71)))
    assert meta["code_number"] == "349" and not f["code_number"]["needs_review"]
    # As many digits, different ones: the reading whose weakest digit is surer, for review.
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", line, blank("hand_number", "319", 99, 71)))
    assert meta["code_number"] == "349" and f["code_number"]["needs_review"]
    weak_line = again("hand_number", "Só: 349 /QD-UBND", low={5: 56.0})
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", weak_line, blank("hand_number", "319", 99, 71)))
    assert meta["code_number"] == "319" and f["code_number"]["needs_review"]
    # Fewer digits in the surer reading: it lost one, the blank's value stands.
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", line, blank("hand_number", "3497", 80, 80)))
    assert meta["code_number"] == "3497" and f["code_number"]["needs_review"]


def test_a_month_only_the_second_reading_found_counts_when_sure() -> None:
    # Tesseract lost the printed month (`thángẫ`); PP-OCR read `03` surely and the same year.
    p = page(*header_rows(day="4Ê", confs={"4Ê": 20.0}), *signer_rows())
    p.words = [w.model_copy(update={"text": "ẫ"}) if w.text == "3" else w for w in p.words]
    p.rereads = [again("hand_date", "Quang Ngai, ngay 15 thang 03 nam 2020"),
                 blank("hand_date", "15")]
    meta, f = fields(p)
    assert meta["issued_date"] == "2020-03-15" and not f["issued_date"]["needs_review"]
    p.rereads = [again("hand_date", "Quang Ngai, ngay 15 thang 03 nam 2020", low={26: 60.0}),
                 blank("hand_date", "15")]
    meta, f = fields(p)  # the month's second digit read at 60%: for review
    assert meta["issued_date"] == "2020-03-15" and f["issued_date"]["needs_review"]


def test_the_blank_read_alone_is_preferred_and_must_agree_with_the_line() -> None:
    line = again("hand_number", "Só: 35/QD-UBND")
    # The line lost a digit the blank has: the blank's value, for review (they disagree).
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", line, blank("hand_number", "358")))
    assert meta["number"] == "358/QĐ-UBND" and f["number"]["needs_review"]
    # A last 1 the line read as the slash (`157/`): the slash's stroke, the line is right.
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", again("hand_number", "Só: 157/QD-UBND"),
                         blank("hand_number", "1571")))
    assert meta["number"] == "157/QĐ-UBND" and f["number"]["needs_review"]
    # The blank's own reading stops at the slash; a smudge (a digit under 10%) is left out and
    # makes the value unsure even when the rest agrees with the line.
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", again("hand_number", "Só: 21/QD-UBND"),
                         blank("hand_number", "21/1", 99, 99, 99, 99)))
    assert meta["number"] == "21/QĐ-UBND" and not f["number"]["needs_review"]
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", again("hand_number", "Só: 21/QD-UBND"),
                         blank("hand_number", "211", 99, 99, 2)))
    assert meta["number"] == "21/QĐ-UBND" and f["number"]["needs_review"]


def test_two_ones_written_together_read_as_m_are_eleven_for_review() -> None:
    meta, f = fields(doc("Số: 87/QĐ-UBND", "4Ê",
                         again("hand_date", "Quang Ngai, ngay M thang 03 nam 2020")))
    assert meta["issued_date"] == "2020-03-11" and f["issued_date"]["needs_review"]


def test_a_blank_that_lost_a_smudge_gives_way_to_the_line_s_longer_reading() -> None:
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", again("hand_number", "Só: 2M/QD-UBND"),
                         blank("hand_number", "21", 99, 2)))
    assert meta["number"] == "211/QĐ-UBND" and f["number"]["needs_review"]


def test_a_day_of_two_ones_is_not_taken_for_a_slash() -> None:
    meta, f = fields(doc("Số: 87/QĐ-UBND", "4Ê",
                         again("hand_date", "Quang Ngai, ngay1 thang 03 nam 2020"),
                         blank("hand_date", "11")))
    assert meta["issued_date"] == "2020-03-11" and f["issued_date"]["needs_review"]


def test_a_day_over_31_loses_its_weakest_unsure_digit_for_review() -> None:
    date_line = again("hand_date", "Quang Ngai, ngay 24 thang 03 nam 2020")
    meta, f = fields(doc("Số: 87/QĐ-UBND", "4Ê", date_line,
                         blank("hand_date", "241", 98, 99, 58)))
    assert meta["issued_date"] == "2020-03-24" and f["issued_date"]["needs_review"]
    # Every digit sure yet no calendar day: nothing is dropped, the line's day is not trusted
    # either (the blank says otherwise), for review.
    meta, f = fields(doc("Số: 87/QĐ-UBND", "4Ê", date_line,
                         blank("hand_date", "241", 98, 99, 97)))
    assert f["issued_date"]["needs_review"]


def test_nothing_read_on_a_page_under_120_dpi_is_sure() -> None:
    p = doc("Số: 4Ê /QĐ-UBND", "05", again("hand_number", "Só: 87 /QD-UBND"),
            blank("hand_number", "87"))
    assert not fields(p)[1]["number"]["needs_review"]
    p.scan_dpi = 94.0
    meta, f = fields(p)
    assert meta["number"] == "87/QĐ-UBND" and f["number"]["needs_review"]


def test_a_letter_in_the_line_agrees_only_with_a_sure_blank() -> None:
    # The line read `1B9` (a letter, its likeliest digit 8); the blank alone read 189 surely.
    line = again("hand_number", "Só: 1B9 /QD-UBND")
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", line, blank("hand_number", "189")))
    assert meta["code_number"] == "189" and not f["code_number"]["needs_review"]
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", line, blank("hand_number", "189", 99, 80)))
    assert meta["code_number"] == "189" and f["code_number"]["needs_review"]
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", line, blank("hand_number", "169")))
    assert meta["code_number"] == "169" and f["code_number"]["needs_review"]
    meta, f = fields(doc("Số: 4Ê /QĐ-UBND", "05", line))  # the line alone: never sure
    assert meta["code_number"] == "189" and f["code_number"]["needs_review"]


def test_a_faint_mark_where_the_recogniser_saw_a_digit_is_that_digit_for_review() -> None:
    # Tesseract lost the month; PP-OCR read `0.`, the `.` at 24% where its digits say 3.
    p = page(*header_rows(day="4Ê", confs={"4Ê": 20.0}), *signer_rows())
    p.words = [w.model_copy(update={"text": "ẫ"}) if w.text == "3" else w for w in p.words]
    text = "Quang Ngai, ngay 15 thang 0. nam 2020"
    at = text.index("0.") + 1
    digits = "".join(c if c.isdigit() else "?" for c in text)
    p.rereads = [again("hand_date", text, low={at: 24.0},
                       digits=digits[:at] + "3" + digits[at + 1:]), blank("hand_date", "15")]
    meta, f = fields(p)
    assert meta["issued_date"] == "2020-03-15" and f["issued_date"]["needs_review"]
    # A full stop read surely is punctuation: month 0, no date.
    p.rereads = [again("hand_date", text, digits=digits[:at] + "3" + digits[at + 1:]),
                 blank("hand_date", "15")]
    meta, _ = fields(p)
    assert meta["issued_date"] is None
