"""Body lines that look like header lines: `chủ nghĩa Việt Nam` in a paragraph is no national
motto, and `Nghị quyết số 03/2021/UBTVQH15 ngày 24 tháng 9 năm 2021` is no `place, ngày` line."""

from __future__ import annotations

from documents.extract import extract_metadata
from documents.extract.dates import read_date_line
from documents.extract.gazetteer import default_gazetteer
from documents.extract.layout import find_motto, segments
from models.result import Word
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


def _resolution(*summary: str) -> list[list]:
    """A Standing Committee resolution's first page: no place/date line in its header (the day
    of adoption closes the text), its title, then the summary lines given."""
    rows = [row(250, (290, "ỦY BAN THƯỜNG VỤ QUỐC HỘI"), (1150, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
            row(310, (1340, "Độc lập - Tự do - Hạnh phúc")),
            row(440, (290, "Nghị quyết số: 24/2022/UBTVQH15")),
            row(530, (1050, "NGHỊ QUYẾT"))]
    y = 590
    for text in summary:
        rows.append(row(y, (1240 - 11 * len(text), text)))
        y += 60
    rows.append(row(y + 160, (360, "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;")))
    return rows


def test_a_cited_date_under_the_title_is_not_the_header_date() -> None:
    # The summary cites an earlier resolution with its date: that line is no `ngày ... tháng`
    # line of the header (taking it put the title above the header and lost title and summary).
    summary = ("Tiếp tục chi trả hỗ trợ đối với người lao động theo",
               "Nghị quyết số 03/2021/UBTVQH15 ngày 24 tháng 9 năm 2021",
               "của Ủy ban Thường vụ Quốc hội")
    last = page(row(1700, (270, "Nghị quyết này được Ủy ban Thường vụ Quốc hội thông qua ngày "
                                "11 tháng 8 năm 2022./.")),
                row(1900, (1100, "TM. ỦY BAN THƯỜNG VỤ QUỐC HỘI")), row(1960, (1450, "CHỦ TỊCH")),
                row(2090, (1380, "Vương Đình Huệ")), index=1)
    ex = extract_metadata([page(*_resolution(*summary)), last], today=TODAY)
    assert ex.metadata["type_name"] == "NGHỊ QUYẾT"
    assert ex.metadata["subject"] == " ".join(summary)
    assert ex.metadata["issued_date"] == "2022-08-11"  # the day of adoption, for review
    assert ex.fields["issued_date"]["needs_review"]


def test_a_long_summary_full_of_citations_is_taken_whole() -> None:
    # Gazette texts cite laws by number: a line of numbers has fewer letters than digits yet
    # continues the summary, and a summary of nine lines is not cut at six.
    summary = ("Sửa đổi, bổ sung một số điều của Nghị định số 85/2024/NĐ-CP",
               "ngày 10 tháng 7 năm 2024 của Chính phủ quy định chi tiết",
               "một số điều của Luật Giá số 16/2023/QH15 được sửa đổi,",
               "bổ sung bởi Luật số 44/2024/QH15,",
               "Luật số 61/2024/QH15, Luật số 95/2025/QH15 và Luật số 140/2025/QH15",
               "và hướng dẫn thi hành đối với mức thuế suất thuế nhập khẩu",
               "ưu đãi đối với một số mặt hàng xăng, dầu, nguyên liệu",
               "sản xuất xăng, dầu tại Biểu thuế nhập khẩu ưu đãi",
               "của một số mặt hàng nguyên liệu sản xuất xăng, dầu")
    ex = extract_metadata([page(*_resolution(*summary))], today=TODAY)
    assert ex.metadata["subject"] == " ".join(summary)


def test_seal_fragments_beside_the_summary_are_left_out() -> None:
    # A seal's edge read as `Ả _- vs .A z` and `L- Á`, lower and fainter than the summary's first
    # line it sits beside, is no line of the summary (it was glued in front of it).
    rows = header_rows()[:4]
    noise = [Word(text=t, bbox=(x, 668, x + 30, 696), conf=c, line=900)
             for t, x, c in (("Ả", 560, 31.7), ("_-", 600, 25.2), ("vs", 640, 0.0),
                             (".A", 700, 27.6), ("z", 760, 10.8))]
    noise += [Word(text=t, bbox=(x, 664, x + 25, 700), conf=c, line=901)
              for t, x, c in (("L-", 1500, 0.0), ("Á", 1560, 91.1))]
    rows += [noise, row(680, (700, "Về việc điều ước quốc tế có hiệu lực")),
             row(900, (400, "Thực hiện quy định tại Điều 56 của Luật Điều ước quốc tế năm 2016,"))]
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["subject"] == "Về việc điều ước quốc tế có hiệu lực"


def test_specks_under_the_title_are_no_summary_line() -> None:
    # Specks of the rule under `BÁO CÁO`, read as `ˆ Ẩ` and `k4` in letters half the title's
    # height, just above the summary: the summary is the line under them.
    rows = header_rows()[:4]
    specks = [Word(text=t, bbox=(x, 655, x + 40, 675), conf=59.0, line=910)
              for t, x in (("ˆ", 1450), ("Ẩ", 1500), ("k4", 730))]
    rows += [specks, row(680, (400, "Về việc điều chỉnh dự toán ngân sách của một số đơn vị")),
             row(900, (480, "Thực hiện quy định tại khoản 3 Điều 52 Luật Ngân sách nhà nước"))]
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["subject"] == "Về việc điều chỉnh dự toán ngân sách của một số đơn vị"


def test_a_consolidated_text_without_its_authentication_names_the_agency_of_its_heading() -> None:
    # The Official Gazette heads a consolidated text with the agency that consolidated it; when
    # the file ends before the authentication block, that heading is the only place it is
    # named: taken, for review.
    rows = [row(220, (725, "CÔNG BÁO/Số 505 + 506/Ngày 02-7-2022")),
            row(520, (885, "VĂN BẢN HỢP NHẤT -")),
            row(600, (530, "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI")),
            row(770, (1070, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
            row(830, (1300, "Độc lập - Tự do - Hạnh phúc")),
            row(1000, (1090, "NGHỊ ĐỊNH")),
            row(1080, (600, "Quy định chi tiết một số điều và biện pháp thi hành")),
            row(1160, (900, "Luật Giáo dục nghề nghiệp")),
            row(1400, (400, "Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;"))]
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["organ_name"] == "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"
    assert ex.fields["organ_name"]["needs_review"]
    assert ex.metadata["type_name"] == "NGHỊ ĐỊNH"
