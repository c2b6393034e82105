"""Body lines that look like header lines: `chủ nghĩa Việt Nam` in a paragraph is no national
motto, and `Nghị quyết số 03/2021/UBTVQH15 ngày 24 tháng 9 năm 2021` is no `place, ngày` line."""

from __future__ import annotations

from documents.extract import extract_metadata
from documents.extract.dates import read_date_line
from documents.extract.gazetteer import default_gazetteer
from documents.extract.layout import find_motto, segments
from tests.documents.test_extract import TODAY, header_rows, page, row, signer_rows


def test_a_paragraph_in_small_letters_is_no_motto() -> None:
    body = page(row(300, (400, "Thực hiện quyền làm chủ của nhân dân, xây dựng nhà nước")),
                row(360, (400, "chủ nghĩa Việt Nam theo Hiến pháp năm 2013,")),
                row(420, (400, "Ủy ban Thường vụ Quốc hội quyết định:")))
    assert find_motto(segments(body, 0))[0] is None
    # The motto itself, in capitals (or with its second line right under it), still is one.
    first = page(*header_rows())
    assert find_motto(segments(first, 0))[0] is not None


def test_a_citation_is_no_date_line() -> None:
    from tests.documents.test_extract import row as make_row

    gaz = default_gazetteer()
    citation = make_row(900, (400, "Nghị quyết số 03/2021/UBTVQH15 ngày 24 tháng 9 năm 2021"))
    assert read_date_line(citation, TODAY, gaz) is None
    header = make_row(420, (1250, "Hà Nội, ngày 11 tháng 8 năm 2022"))
    got = read_date_line(header, TODAY, gaz)
    assert got is not None and got.iso == "2022-08-11" and got.place == "Hà Nội"


def test_a_two_page_resolution_is_one_document_with_its_own_date() -> None:
    first = page(*header_rows())
    second = page(row(300, (400, "chủ nghĩa Việt Nam theo Hiến pháp năm 2013,")),
                  row(360, (400, "Nghị quyết số 03/2021/UBTVQH15 ngày 24 tháng 9 năm 2021")),
                  *signer_rows(), index=1)
    ex = extract_metadata([first, second], today=TODAY)
    assert ex.metadata["issued_date"] == "2020-03-05"
    assert ex.metadata["signer"]["full_name"] == "Đỗ Thị Hiền"
