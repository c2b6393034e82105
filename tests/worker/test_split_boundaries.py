"""Boundary scoring and batch planning on constructed page results (no OCR, no images)."""

from __future__ import annotations

from models.result import PageResult, Word
from worker.split.boundaries import page_features, score_start
from worker.split.plan import plan_batch

W, H = 2480, 3508
BODY = ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015 của xã hội Việt Nam tự do "
        "các cơ quan đơn vị triển khai thực hiện nghiêm túc nội dung kế hoạch này")


def _line(text: str, x: int, y: int, line: int, word_w: int = 60) -> list[Word]:
    out = []
    for k, tok in enumerate(text.split()):
        left = x + k * (word_w + 15)
        out.append(Word(text=tok, bbox=(left, y, left + word_w, y + 45), conf=90.0, block=line, line=line))
    return out


def _page(index: int, *, header: str | None = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
          motto: str | None = "Độc lập - Tự do - Hạnh phúc", number: bool = True,
          page_no: str | None = None, closing: bool = False, body_lines: int = 20) -> PageResult:
    words: list[Word] = []
    n = 0
    if page_no:
        words += _line(page_no, W // 2 - 20, 150, n, 40)
        n += 1
    if header:
        words += _line("ỦY BAN NHÂN DÂN", 300, 250, n)
        words += _line(header, 1150, 250, n + 1, 100)
        n += 2
    if motto:
        words += _line(motto, 1300, 320, n, 80)
        n += 1
    if number:
        words += _line("Số: 15/QĐ-UBND", 300, 450, n)
        n += 1
    y = 700 if header or number else 300
    for k in range(body_lines):
        words += _line(" ".join(BODY.split()[k % 7:k % 7 + 14]), 350, y + 70 * k, n)
        n += 1
    if closing:
        words += _line("Nơi nhận: KT. CHỦ TỊCH", 350, y + 70 * body_lines + 60, n)
        words += _line("- Lưu: VT, KTTH.", 350, y + 70 * body_lines + 160, n + 1)
    return PageResult(index=index, source="ocr", width=W, height=H, dpi=300, words=words)


def test_first_page_and_continuation_features() -> None:
    first = page_features(_page(0))
    assert first.header == 1.0 and first.number_line and not first.page_number
    cont = page_features(_page(1, header=None, motto=None, number=False, page_no="2", closing=True))
    assert cont.header == 0.0 and cont.page_number and cont.closing and not cont.number_line


def test_body_words_of_the_header_do_not_count_as_a_header() -> None:
    text = "nước Cộng hòa xã hội chủ nghĩa Việt Nam về quyền tự do và hạnh phúc của nhân dân trong"
    page = _page(0, header=None, motto=None, number=False)
    page.words = _line(text, 350, 300, 99) + page.words
    assert page_features(page).header < 0.3


def test_ocr_errors_and_a_stamp_over_the_header_still_count() -> None:
    # No diacritics, one letter wrong, the motto missing and the header cut in two by a stamp.
    page = _page(0, header="CONG HOA XA HOl", motto=None)
    page.words += _line("CHU NGHIA VlET NAM", 1700, 260, 50, 100)
    feats = page_features(page)
    assert feats.header >= 0.5
    prev = page_features(_page(0, closing=True))
    assert score_start(feats, prev).probability > 0.9


def test_scores_order_the_cases() -> None:
    closed = page_features(_page(0, closing=True))
    open_ = page_features(_page(0, closing=False))
    start = page_features(_page(1))
    cont = page_features(_page(1, header=None, motto=None, number=False, page_no="2"))
    unnumbered = page_features(_page(1, header=None, motto=None, number=False))
    assert score_start(start, open_).probability > 0.9
    assert score_start(cont, closed).probability < 0.1
    assert score_start(unnumbered, open_).probability < 0.1
    # A start page whose header is unreadable, after a page closing a document: uncertain.
    hidden = page_features(_page(1, header=None, motto=None, number=False))
    assert 0.15 < score_start(hidden, closed).probability < 0.85


def _kinds(pages: list[PageResult]) -> list[list[int]]:
    return [d.pages for d in plan_batch(pages).documents]


def test_plan_cuts_at_first_pages_and_drops_blanks() -> None:
    pages = [
        _page(0), _page(1, header=None, motto=None, number=False, page_no="2", closing=True),
        PageResult(index=2, source="ocr", width=W, height=H, blank=True),
        _page(3, closing=True),
        _page(4), _page(5, header=None, motto=None, number=False, closing=True),
    ]
    plan = plan_batch(pages)
    assert [d.pages for d in plan.documents] == [[0, 1], [3], [4, 5]]
    assert plan.blank_pages == [2] and plan.separator_pages == []
    assert not any(d.needs_review for d in plan.documents)
    assert [d.boundary for d in plan.documents] == ["start", "auto", "auto"]


def test_separators_cut_and_a_missing_one_is_cut_and_flagged() -> None:
    sep = PageResult(index=0, source="ocr", separator=True)
    pages = [
        sep, _page(1), _page(2, header=None, motto=None, number=False, page_no="2", closing=True),
        sep.model_copy(update={"index": 3}), _page(4, closing=True), _page(5, closing=True),
    ]
    plan = plan_batch(pages)
    assert [d.pages for d in plan.documents] == [[1, 2], [4], [5]]
    assert plan.separator_pages == [0, 3]
    assert [d.boundary for d in plan.documents] == ["separator", "separator", "auto"]
    assert not any(d.needs_review for d in plan.documents[:2])
    assert plan.documents[2].needs_review and "no separator sheet" in plan.documents[2].reasons[0]


def test_uncertain_boundary_is_flagged_not_guessed() -> None:
    pages = [_page(0, closing=True), _page(1, header=None, motto=None, number=False)]
    plan = plan_batch(pages)
    assert len(plan.documents) == 1
    assert plan.documents[0].needs_review
    assert "may start a new document" in plan.documents[0].reasons[0]


def test_header_on_the_agency_line_with_ocr_noise_between() -> None:
    # Tesseract joined `UBND TỈNH THANH HÓA` and the header into one line, a stray mark between.
    page = _page(0, header=None, motto=None)
    joined = [("UBND", 435, 585), ("TỈNH", 601, 727), ("THANH", 744, 930), ("HÓA", 946, 1062),
              ("ˆ", 1108, 1135), ("CỘNG", 1150, 1301), ("HÒA", 1317, 1434), ("XÃ", 1445, 1519),
              ("HỘI", 1534, 1631), ("CHỦ", 1650, 1761), ("NGHĨA", 1776, 1951), ("VIỆT", 1963, 2088),
              ("NAM", 2102, 2224)]
    page.words += [Word(text=t, bbox=(x0, 225, x1, 289), conf=90.0, block=77, line=77)
                   for t, x0, x1 in joined]
    assert page_features(page).header >= 0.5
