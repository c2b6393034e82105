"""Unit tests of metadata extraction on pages built from word lists (no OCR)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from documents.extract import Gazetteer, extract_metadata
from documents.extract.layout import find_motto, segments
from documents.extract.numbers import consistent_with_type, parse_number
from models.result import PageResult, Word
from models.text import fold

H = 40  # text height in pixels at 300 dpi
_line_no = [0]


def row(y: int, *runs: tuple[int, str], conf: float = 96.0, confs: dict[str, float] | None = None
        ) -> list[Word]:
    """Words of one printed row: each run starts at x and is split into words."""
    _line_no[0] += 1
    out: list[Word] = []
    for x, text in runs:
        for token in text.split():
            w = 22 * len(token)
            c = (confs or {}).get(token, conf)
            out.append(Word(text=token, bbox=(x, y, x + w, y + H), conf=c, block=1, par=1,
                            line=_line_no[0]))
            x += w + 12
    return out


def page(*rows: list[Word], index: int = 0) -> PageResult:
    """A 300-dpi A4 page from rows."""
    return PageResult(index=index, source="ocr", width=2480, height=3508, dpi=300,
                      words=[w for r in rows for w in r])


def header_rows(number: str = "Số: 87/QĐ-UBND", day: str = "05",
                confs: dict[str, float] | None = None) -> list[list[Word]]:
    """A decision's header: agency block, motto, number and date line, title, summary."""
    return [
        row(250, (450, "ỦY BAN NHÂN DÂN"), (1150, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
        row(300, (470, "TỈNH QUẢNG NGÃI"), (1300, "Độc lập - Tự do - Hạnh phúc")),
        row(420, (450, number), (1250, f"Quảng Ngãi, ngày {day} tháng 3 năm 2020"), confs=confs),
        row(600, (1100, "QUYẾT ĐỊNH")),
        row(680, (700, "Về việc phê duyệt kế hoạch cải cách hành chính năm 2020")),
        row(850, (400, "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;")),
    ]


def signer_rows(top: int = 2700) -> list[list[Word]]:
    """Recipients on the left, the signer block on the right."""
    return [
        row(top, (400, "Nơi nhận:"), (1500, "TM. ỦY BAN NHÂN DÂN")),
        row(top + 60, (400, "- Như Điều 3;"), (1550, "KT. CHỦ TỊCH")),
        row(top + 120, (400, "- Lưu: VT."), (1540, "PHÓ CHỦ TỊCH")),
        row(top + 420, (1500, "Đỗ Thị Hiền")),
    ]


TODAY = date(2026, 1, 1)


def test_number_grammar_and_parts() -> None:
    p = parse_number("Số: 87 / QĐ-UBND")
    assert p is not None and p.number == "87/QĐ-UBND" and p.code_number == "87"
    assert p.code_notation == "QĐ-UBND"
    legal = parse_number("30/2020/NĐ-CP")
    assert legal is not None and legal.code_notation == "2020/NĐ-CP" and not legal.problems
    assert parse_number("Số: ð† /QĐ-UBND") is None
    dotted = parse_number("Số: 66.17/2026/NQ-CP")  # the Government's numbering since 2025
    assert dotted is not None and dotted.code_number == "66.17" and not dotted.problems
    assert dotted.code_notation == "2026/NQ-CP"
    assert parse_number("Số: 8.7/QĐ-UBND") is None  # no year: a speck inside the digits
    assert parse_number("12/UBND-VX") is not None
    bad = parse_number("12/123-45")
    assert bad is not None and bad.problems


def test_eth_is_read_as_d_with_stroke() -> None:
    p = parse_number("Số: 15/QÐ-BNV")  # Icelandic eth from OCR
    assert p is not None and p.code_notation == "QĐ-BNV"
    assert fold("QÐ", upper=True) == fold("QĐ", upper=True) == "QD"


def test_hd_is_not_hđ_and_da_is_not_đa() -> None:
    assert consistent_with_type("HD-UBND", "HƯỚNG DẪN") is True
    assert consistent_with_type("HĐ-UBND", "HƯỚNG DẪN") is False
    assert consistent_with_type("HĐ-UBND", "HỢP ĐỒNG") is True
    assert consistent_with_type("DA-UBND", "ĐỀ ÁN") is False
    assert consistent_with_type("UBND-VX", "CÔNG VĂN") is True


def test_full_document_fields() -> None:
    ex = extract_metadata([page(*header_rows(), *signer_rows())], today=TODAY)
    m = ex.metadata
    assert m["number"] == "87/QĐ-UBND" and m["code_number"] == "87"
    assert m["issued_date"] == "2020-03-05" and m["place"] == "Quảng Ngãi"
    assert m["organ_name"] == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" and m["parent_organ"] is None
    assert m["type_name"] == "QUYẾT ĐỊNH"
    assert m["subject"] == "Về việc phê duyệt kế hoạch cải cách hành chính năm 2020"
    assert m["signer"] == {"competence": "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH",
                           "position": "PHÓ CHỦ TỊCH", "full_name": "Đỗ Thị Hiền"}
    assert m["arrival_stamp"] is None
    for key in ("number", "issued_date", "organ_name", "type_name"):
        assert not ex.fields[key]["needs_review"], key
        assert ex.fields[key]["page"] == 0 and ex.fields[key]["bbox"] is not None


def test_date_without_leading_zero() -> None:
    ex = extract_metadata([page(*header_rows(day="5"))], today=TODAY)
    assert ex.metadata["issued_date"] == "2020-03-05"


def test_future_date_rejected() -> None:
    ex = extract_metadata([page(*header_rows())], today=date(2019, 12, 31))
    assert ex.metadata["issued_date"] is None
    assert ex.fields["issued_date"]["needs_review"]


def test_handwritten_number_is_not_confident_garbage() -> None:
    rows = header_rows(number="Số: ð† /QĐ-UBND", confs={"ð†": 40.0})
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["number"] is None and ex.fields["number"]["needs_review"]
    assert ex.metadata["code_notation"] == "QĐ-UBND"
    rows = header_rows(number="Số: 04 /QĐ-UBND", confs={"04": 64.0})
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.fields["number"]["needs_review"] and ex.fields["code_number"]["confidence"] < 0.9


def test_incoming_stamp_is_not_the_number() -> None:
    rows = header_rows()
    stamp = [row(200, (1700, "CÔNG VĂN ĐẾN")), row(250, (1650, "Số: 2352")),
             row(300, (1650, "Ngày: 21/3/2018"))]
    # The stamp sits over the motto; put the motto lower so they do not overlap.
    rows[0] = row(350, (450, "ỦY BAN NHÂN DÂN"), (1150, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    rows[1] = row(400, (470, "TỈNH QUẢNG NGÃI"), (1300, "Độc lập - Tự do - Hạnh phúc"))
    rows[2] = row(520, (450, "Số: 87/QĐ-UBND"), (1250, "Quảng Ngãi, ngày 05 tháng 3 năm 2020"))
    ex = extract_metadata([page(*stamp, *rows)], today=TODAY)
    assert ex.metadata["number"] == "87/QĐ-UBND"
    assert ex.metadata["arrival_stamp"] == {"number": "2352", "date": "2018-03-21"}
    assert ex.metadata["issued_date"] == "2020-03-05"


def test_cong_van_subject_after_vv() -> None:
    rows = [
        row(250, (450, "ỦY BAN NHÂN DÂN"), (1150, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
        row(300, (470, "TỈNH QUẢNG NGÃI"), (1300, "Độc lập - Tự do - Hạnh phúc")),
        row(420, (450, "Số: 575/UBND-KTTH"), (1250, "Quảng Ngãi, ngày 10 tháng 02 năm 2025")),
        row(480, (420, "V/v triển khai kế hoạch")),
        row(530, (420, "chuyển đổi số năm 2025")),
        row(700, (800, "Kính gửi: Sở Nội vụ")),
    ]
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["type_name"] == "CÔNG VĂN"
    assert ex.metadata["subject"] == "triển khai kế hoạch chuyển đổi số năm 2025"
    assert ex.metadata["number"] == "575/UBND-KTTH"


def test_wrapped_agency_with_parent_and_ocr_accents_fixed() -> None:
    rows = header_rows()
    rows[0] = row(250, (450, "UBND TỈNH QUẢNG NGÃI"), (1150, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    rows[1] = row(300, (470, "SỞ THÔNG TIN VÀ"), (1300, "Độc lập - Tự do - Hạnh phúc"))
    extra = row(350, (470, "TRUYÊN THÔNG"))
    ex = extract_metadata([page(*rows, extra)], today=TODAY)
    assert ex.metadata["organ_name"] == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    assert ex.metadata["parent_organ"] == "UBND TỈNH QUẢNG NGÃI"


def test_signer_on_last_page_with_competence() -> None:
    last = page(row(300, (400, "Điều 3. Tổ chức thực hiện.")), *signer_rows(800), index=1)
    ex = extract_metadata([page(*header_rows()), last], today=TODAY)
    signer = ex.fields["signer"]
    assert signer["page"] == 1
    assert ex.metadata["signer"]["position"] == "PHÓ CHỦ TỊCH"
    assert ex.metadata["to_places"] == ["Như Điều 3"]


def test_type_abbreviation_disagreeing_with_title_needs_review() -> None:
    ex = extract_metadata([page(*header_rows(number="Số: 87/HD-UBND"))], today=TODAY)
    assert ex.fields["code_notation"]["needs_review"]


def test_a_faint_title_is_confirmed_by_the_symbols_type_group_read_as_printed() -> None:
    def type_review(number: str, symbol_conf: float = 96.0) -> bool:
        p = page(*header_rows(number=number, confs={number.split()[-1]: symbol_conf}))
        p.words = [w.model_copy(update={"conf": 40.0}) if w.text in ("QUYẾT", "ĐỊNH") else w
                   for w in p.words]
        ex = extract_metadata([p], today=TODAY)
        assert ex.metadata["type_name"] == "QUYẾT ĐỊNH"
        return bool(ex.fields["type_name"]["needs_review"])

    assert not type_review("Số: 87/QĐ-UBND")
    assert type_review("Số: 87/QD-UBND")  # the group repaired from the title: no second reading
    assert type_review("Số: 87/QĐ-UBND", 60.0)  # the symbol read unsurely


def test_gazetteer_overlay_persists(tmp_path: Path) -> None:
    overlay = tmp_path / "gaz.json"
    gaz = Gazetteer.load(overlay)
    assert gaz.lookup("organ", "BAN QUẢN LÝ DỰ ÁN ĐẦU TƯ XÂY DỰNG TỈNH") is None
    gaz.add("organ", "BAN QUẢN LÝ DỰ ÁN ĐẦU TƯ XÂY DỰNG TỈNH")
    again = Gazetteer.load(overlay)
    hit = again.lookup("organ", "BAN QUAN LÝ DỰ ÁN ĐÂU TƯ XÂY DỰNG TỈNH")
    assert hit is not None and hit.value == "BAN QUẢN LÝ DỰ ÁN ĐẦU TƯ XÂY DỰNG TỈNH"


# --- rules added for precision (each test fails without its rule) ---


def test_blank_number_label_is_not_part_of_the_agency_block() -> None:
    rows = header_rows()
    rows[0] = row(250, (450, "BỘ TƯ PHÁP"), (1150, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    rows[1] = row(300, (1300, "Độc lập - Tự do - Hạnh phúc"))
    rows[2] = row(420, (430, "Số:"), (700, "/GM-BTP"), (1250, "Hà Nội, ngày tháng 7 năm 2020"))
    rows[3] = row(600, (1100, "GIẤY MỜI"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["organ_name"] == "BỘ TƯ PHÁP"
    assert ex.metadata["parent_organ"] is None
    assert ex.metadata["code_notation"] == "GM-BTP" and ex.metadata["number"] is None


def test_date_line_with_glued_handwritten_day_is_still_the_date_row() -> None:
    rows = header_rows()
    rows[2] = row(420, (450, "Số: 09 /TTr-UBND"), (1250, "Quảng Ngãi, ngày&Ôtháng 01 năm 2025"))
    rows[3] = row(600, (1100, "TỜ TRÌNH"))
    # A body line citing a date just under the title must not be taken for the date row.
    rows.insert(5, row(740, (700, "ngày 12/12/2011, số 27/2017/NQ-HĐND ngày 14/7/2017")))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["type_name"] == "TỜ TRÌNH"
    assert ex.metadata["place"] == "Quảng Ngãi" and ex.fields["issued_date"]["needs_review"]


def test_joint_issuers_joined_by_dashes_and_wrapped_symbol() -> None:
    rows = [
        row(250, (300, "VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO -"), (1250, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
        row(300, (350, "TÒA ÁN NHÂN DÂN TỐI CAO -"), (1400, "Độc lập - Tự do - Hạnh phúc")),
        row(350, (350, "BỘ CÔNG AN")),
        row(450, (360, "Số: 01/2022/TTLT-VKSNDTC-"), (1300, "Hà Nội, ngày 18 tháng 02 năm 2022")),
        row(500, (360, "TANDTC-BCA")),
        row(650, (1000, "THÔNG TƯ LIÊN TỊCH")),
    ]
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["organ_name"] == ("VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO - TÒA ÁN NHÂN DÂN TỐI CAO"
                                         " - BỘ CÔNG AN")
    assert ex.metadata["parent_organ"] is None
    assert ex.metadata["number"] == "01/2022/TTLT-VKSNDTC-TANDTC-BCA"


def test_summary_continues_on_a_lower_case_line_that_opens_like_body_text() -> None:
    rows = header_rows()
    rows[4] = row(680, (700, "Ban hành Chương trình hành động của Chính phủ"))
    rows.insert(5, row(740, (600, "thực hiện Chỉ thị số 49-CT/TW của Ban Bí thư")))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["subject"] == ("Ban hành Chương trình hành động của Chính phủ "
                                      "thực hiện Chỉ thị số 49-CT/TW của Ban Bí thư")


def _signed(*block: list[Word], index: int = 0) -> PageResult:
    return page(*header_rows(), *block, index=index)


def test_kt_over_a_head_position_needs_review() -> None:
    ex = extract_metadata([_signed(row(2700, (400, "Nơi nhận:"), (1550, "KT. CHỦ TỊCH")),
                                   row(2760, (400, "- Lưu: VT."), (1600, "CHỦ TỊCH")),
                                   row(3100, (1500, "Đỗ Thị Hiền")))], today=TODAY)
    assert ex.fields["signer"]["parts"]["position"]["needs_review"]


def test_two_syllable_name_needs_review() -> None:
    ex = extract_metadata([_signed(row(2700, (1600, "CHỦ TỊCH")), row(3100, (1550, "Văn Phúc")))],
                          today=TODAY)
    assert ex.metadata["signer"]["full_name"] == "Văn Phúc"
    assert ex.fields["signer"]["parts"]["full_name"]["needs_review"]


def test_seal_fragment_does_not_split_the_signer_block() -> None:
    tiny = [Word(text="TỶ", bbox=(1630, 2752, 1672, 2760), conf=87.0, block=9, par=1, line=1)]
    ex = extract_metadata([_signed(row(2700, (1500, "TM. ỦY BAN NHÂN DÂN")), tiny,
                                   row(2765, (1600, "CHỦ TỊCH")),
                                   row(3100, (1500, "Đỗ Thị Hiền")))], today=TODAY)
    assert ex.metadata["signer"]["competence"] == "TM. ỦY BAN NHÂN DÂN"


def test_signer_of_an_attached_document_is_not_taken() -> None:
    draft = page(*header_rows(), row(2700, (1600, "CHỦ TỊCH")), row(2900, (1500, "Bùi Thị Vân")),
                 index=1)
    ex = extract_metadata([page(*header_rows()), draft], today=TODAY)
    assert ex.metadata["signer"] is None


def test_several_signer_blocks_need_review() -> None:
    ex = extract_metadata([_signed(row(2500, (400, "KT. CHÁNH ÁN"), (1450, "KT. VIỆN TRƯỞNG")),
                                   row(2560, (400, "PHÓ CHÁNH ÁN"), (1450, "PHÓ VIỆN TRƯỞNG")),
                                   row(2800, (400, "Nguyễn Trí Tuệ"), (1450, "Nguyễn Duy Giảng")),
                                   row(3000, (1050, "KT. BỘ TRƯỞNG")),
                                   row(3060, (1050, "THỨ TRƯỞNG")),
                                   row(3300, (1050, "Nguyễn Thị Hà")))], today=TODAY)
    parts = ex.fields["signer"]["parts"]
    assert all(parts[k]["needs_review"] for k in ("competence", "position", "full_name"))


def test_phrase_accents_repaired_and_summary_flagged() -> None:
    from documents.extract.phrases import fix_phrase_accents

    assert fix_phrase_accents("Quy định chỉ tiết một số điều") == ("Quy định chi tiết một số điều", 1)
    assert fix_phrase_accents("Ủy viên Uy ban nhân dân")[0] == "Ủy viên Ủy ban nhân dân"
    assert fix_phrase_accents("giao chỉ tiêu năm 2020") == ("giao chỉ tiêu năm 2020", 0)
    rows = header_rows()
    rows[4] = row(680, (700, "Quy định chỉ tiết một số điều"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["subject"] == "Quy định chi tiết một số điều"
    assert ex.fields["subject"]["needs_review"]
    # A born-digital page's own text is never repaired: nothing was misread.
    layer = page(*rows).model_copy(update={"source": "text_layer"})
    ex = extract_metadata([layer], today=TODAY)
    assert ex.metadata["subject"] == "Quy định chỉ tiết một số điều"


def test_pairs_with_two_real_spellings_or_spanning_two_phrases_stay_as_read() -> None:
    from documents.extract.phrases import fix_phrase_accents

    for text in ("trong lĩnh vực năng lượng nguyên tử", "tổ chức đánh giá chất lượng",
                 "cần bổ sung hồ sơ", "thuế của hàng hóa nhập khẩu", "bắt đầu từ ngày 01",
                 "giữ gìn truyền thống", "lưu trú của người nước ngoài", "sự có mặt"):
        assert fix_phrase_accents(text) == (text, 0), text


def test_recipients_wrapped_lines_joined_and_unclosed_list_flagged() -> None:
    def block(last: str) -> PageResult:
        return _signed(row(2700, (400, "Nơi nhận:"), (1600, "CHỦ TỊCH")),
                       row(2750, (400, "- Trung tâm Phục vụ hành chính")),
                       row(2800, (430, "công;")),
                       row(2850, (400, "- Bộ Nội vụ (để b/c);")),
                       row(2900, (400, last)),
                       row(3100, (1500, "Đỗ Thị Hiền")))
    ex = extract_metadata([block("- Lưu: VT.")], today=TODAY)
    assert ex.metadata["to_places"] == ["Trung tâm Phục vụ hành chính công", "Bộ Nội vụ (để b/c)"]
    assert not ex.fields["to_places"]["needs_review"]
    ex = extract_metadata([block("- Sở Tài chính;")], today=TODAY)
    assert ex.fields["to_places"]["needs_review"]


def test_a_born_digital_text_without_nơi_nhận_has_no_recipients() -> None:
    # The Official Gazette's version of a decree leaves its recipients list out: when a
    # document's own text (every page a kept text layer) never says `Nơi nhận`, "no list" is as
    # sure as the text. A scan without a list read, or a text that names the list, still asks.
    rows = [*header_rows(), row(2700, (1500, "TM. ỦY BAN NHÂN DÂN")),
            row(2760, (1550, "CHỦ TỊCH")), row(3000, (1500, "Đỗ Thị Hiền"))]

    def doc(source: str, *extra: list[Word]) -> dict:
        words = [w for r in (*rows, *extra) for w in r]
        p = PageResult(index=0, source=source, width=2480, height=3508, dpi=300, words=words,
                       text=" ".join(w.text for w in words))
        return extract_metadata([p], today=TODAY).fields["to_places"]

    born_digital = doc("text_layer")
    assert born_digital["value"] is None and not born_digital["needs_review"]
    assert doc("ocr")["needs_review"]
    # The label is there but no list was read under it: for review.
    assert doc("text_layer", row(2700, (400, "Nơi nhận:")))["needs_review"]


# --- rules added for accuracy ---


def test_at_sign_in_a_handwritten_day_does_not_drop_the_date_line() -> None:
    rows = header_rows()
    rows[2] = row(420, (450, "Số: 239 /TTr-UBND"), (1250, "Quảng Ngãi, ngày®@0 tháng 12 năm 2024"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["place"] == "Quảng Ngãi" and ex.fields["issued_date"]["needs_review"]


def test_date_word_missing_its_g_and_month_glued() -> None:
    rows = header_rows()
    rows[2] = row(420, (450, "Số: 87/QĐ-UBND"), (1250, "Hà Nội, này 24 tháng9 năm 2025"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["issued_date"] == "2025-09-24" and ex.metadata["place"] == "Hà Nội"


def test_surname_accent_repaired_but_reviewed() -> None:
    ex = extract_metadata([_signed(row(2700, (1600, "CHỦ TỊCH")),
                                   row(3100, (1500, "Nguyên Hoàng Giang")))], today=TODAY)
    assert ex.metadata["signer"]["full_name"] == "Nguyễn Hoàng Giang"
    assert ex.fields["signer"]["parts"]["full_name"]["needs_review"]


def test_garbled_type_group_repaired_from_the_title() -> None:
    from documents.extract.numbers import repair_type_group

    assert repair_type_group("QĐĐ-UBND", "QUYẾT ĐỊNH") == "QĐ-UBND"
    assert repair_type_group("2020/ND-CP", "NGHỊ ĐỊNH") == "2020/NĐ-CP"
    assert repair_type_group("HD-UBND", "HƯỚNG DẪN") is None
    assert repair_type_group("HD-UBND", "QUYẾT ĐỊNH") is None
    ex = extract_metadata([page(*header_rows(number="Số: 87/QD-UBND"))], today=TODAY)
    assert ex.metadata["number"] == "87/QĐ-UBND" and ex.fields["number"]["needs_review"]


def test_summary_line_of_a_citation_continues_despite_its_digits() -> None:
    rows = header_rows()
    rows[4] = row(680, (500, "Về việc bãi bỏ các Nghị quyết: Số 39/2011/NQ-HĐND"))
    rows.insert(5, row(740, (650, "ngày 12/12/2011, số 27/2017/NQ-HĐND ngày 14/7/2017")))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["subject"].endswith("số 27/2017/NQ-HĐND ngày 14/7/2017")


def test_lower_case_vv_and_old_title_with_author() -> None:
    rows = header_rows()
    rows[3] = row(600, (700, "QUYẾT ĐỊNH CỦA UỶ BAN NHÂN DÂN TỈNH"))
    rows[4] = row(680, (700, "Vêviệc giao đất ở"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["type_name"] == "QUYẾT ĐỊNH"
    assert ex.metadata["subject"] == "Về việc giao đất ở" and ex.fields["subject"]["needs_review"]
    rows = header_rows(number="Số: 115/PA09-ĐCT")
    rows[3] = row(480, (420, "v/v thông báo hoạt động"))
    ex = extract_metadata([page(*rows[:4])], today=TODAY)
    assert ex.metadata["type_name"] == "CÔNG VĂN" and ex.metadata["subject"] == "thông báo hoạt động"


def test_centred_summary_opening_like_body_text() -> None:
    rows = header_rows()
    rows[3] = row(600, (1050, "KẾ HOẠCH"))
    rows[4] = row(680, (760, "Thực hiện cải cách hành chính năm 2024"))
    rows[5] = row(740, (950, "Kính gửi: Sở Nội vụ"))
    rows.append(row(850, (520, "Thực hiện Quyết định số 840/QĐ-VPCP ngày 30/10/2020 của Văn phòng")))
    rows.append(row(910, (380, "Chính phủ về việc quản lý, sử dụng tài sản công, Sở Y tế có ý kiến")))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["subject"] == "Thực hiện cải cách hành chính năm 2024"


def test_recipients_found_from_the_filing_line_when_the_label_is_unread() -> None:
    ex = extract_metadata([_signed(row(2700, (400, "An TH n, hi nã"), (1600, "CHỦ TỊCH")),
                                   row(2750, (400, "- Sở Tài chính;")),
                                   row(2800, (400, "- Công an tỉnh;")),
                                   row(2850, (400, "- Lưu: VT.")),
                                   row(3100, (1500, "Đỗ Thị Hiền")))], today=TODAY)
    assert ex.metadata["to_places"] == ["Sở Tài chính", "Công an tỉnh"]
    assert ex.fields["to_places"]["needs_review"]


def test_rule_fragment_between_agency_and_motto_still_splits_them() -> None:
    rows = header_rows()
    rows[0] = row(250, (450, "UỶ BAN NHÂN DÂN _"), (800, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["organ_name"] == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"


def test_consolidated_text_reads_issuer_number_and_date_from_the_certification_block() -> None:
    first = page(row(250, (1150, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
                 row(300, (1300, "Độc lập - Tự do - Hạnh phúc")),
                 row(600, (1100, "THÔNG TƯ")),
                 row(680, (700, "Quy định về lập và phê duyệt kế hoạch")))
    last = page(row(900, (400, "Điều 5. Hiệu lực thi hành.")),
                row(1000, (500, "BỘ CÔNG THƯƠNG"), (1300, "XÁC THỰC VĂN BẢN HỢP NHẤT")),
                row(1120, (550, "Số: 38/VBHN-BCT"), (1340, "Hà Nội, ngày 26 tháng 5 năm 2025")),
                row(1210, (1520, "KT. BỘ TRƯỞNG")), row(1280, (1550, "THỨ TRƯỞNG")),
                row(1480, (1500, "Trương Thanh Hoài")), index=5)
    ex = extract_metadata([first, last], today=TODAY)
    m = ex.metadata
    assert m["number"] == "38/VBHN-BCT" and m["organ_name"] == "BỘ CÔNG THƯƠNG"
    assert m["issued_date"] == "2025-05-26" and m["type_name"] == "THÔNG TƯ"
    assert m["signer"]["full_name"] == "Trương Thanh Hoài"


def test_certification_block_low_on_its_page_or_worded_xac_nhan() -> None:
    first = page(row(250, (1150, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
                 row(300, (1300, "Độc lập - Tự do - Hạnh phúc")),
                 row(600, (1100, "THÔNG TƯ")),
                 row(680, (700, "Hướng dẫn thực hiện quản lý lao động")))
    for top, words in ((2330, "XÁC THỰC VĂN BẢN HỢP NHẤT"), (1000, "XÁC NHẬN VĂN BẢN HỢP NHẤT")):
        last = page(row(top - 100, (400, "Điều 5. Hiệu lực thi hành./.")),
                    row(top, (320, "BỘ LAO ĐỘNG - THƯƠNG BINH"), (1280, words)),
                    row(top + 60, (580, "VÀ XÃ HỘI")),
                    row(top + 180, (420, "Số: 470/VBHN-BLĐTBXH"),
                        (1300, "Hà Nội, ngày 10 tháng 02 năm 2025")),
                    row(top + 250, (1480, "KT. BỘ TRƯỞNG")), row(top + 310, (1510, "THỨ TRƯỞNG")),
                    row(top + 440, (1520, "Lê Văn Thanh")), index=7)
        m = extract_metadata([first, last], today=TODAY).metadata
        assert m["number"] == "470/VBHN-BLĐTBXH" and m["issued_date"] == "2025-02-10", top
        assert m["organ_name"] == "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", top
    # The agency's first line reaching past the middle of the page (left of the block's title).
    last = page(row(900, (400, "Điều 5. Hiệu lực thi hành./.")),
                row(1000, (700, "BỘ LAO ĐỘNG - THƯƠNG BINH"), (1450, "XÁC THỰC VĂN BẢN HỢP NHẤT")),
                row(1060, (830, "VÀ XÃ HỘI")),
                row(1180, (620, "Số: 2007/VBHN-BLĐTBXH"), (1500, "Hà Nội, ngày 14 tháng 5 năm 2024")),
                index=7)
    ex = extract_metadata([first, last], today=TODAY)
    assert ex.metadata["organ_name"] == "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"


def test_an_agency_read_from_its_second_line_only_needs_review() -> None:
    rows = header_rows()
    rows[0] = row(250, (1150, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    rows[1] = row(300, (470, "VÀ XÃ HỘI"), (1300, "Độc lập - Tự do - Hạnh phúc"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["organ_name"] == "VÀ XÃ HỘI" and ex.fields["organ_name"]["needs_review"]


def test_summary_continued_by_a_cited_symbol_on_its_own_line() -> None:
    def read(*lines: str) -> tuple[str, bool]:
        rows = header_rows()[:3] + [row(600, (1100, "THÔNG TƯ"))]
        rows += [row(680 + 67 * i, (1240 - 11 * len(t), t)) for i, t in enumerate(lines)]
        rows.append(row(680 + 67 * len(lines) + 200, (400, "Căn cứ Luật Hải quan;")))
        ex = extract_metadata([page(*rows)], today=TODAY)
        return ex.metadata["subject"], ex.fields["subject"]["needs_review"]

    subject, review = read("Sửa đổi một số điều của Thông tư về hải quan được sửa đổi,",
                           "bổ sung bởi Thông tư số", "13/2020/TT-BTC")
    assert subject.endswith("bổ sung bởi Thông tư số 13/2020/TT-BTC") and not review
    subject, review = read("Sửa đổi một số điều của Thông tư về hải quan được sửa đổi,",
                           "bổ sung bởi Thông tư số")
    assert subject.endswith("Thông tư số") and review  # cut: a number must follow `số`
    subject, review = read("Ban hành Quy chế chuyển đổi số")  # a phrase, not a citation
    assert subject == "Ban hành Quy chế chuyển đổi số" and not review


def test_a_footnote_number_glued_to_the_year_is_left_out_for_review() -> None:
    rows = header_rows()
    rows[2] = row(420, (450, "Số: 87/QĐ-UBND"), (1250, "Hà Nội, ngày 05 tháng 3 năm 20204"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["issued_date"] == "2020-03-05" and ex.fields["issued_date"]["needs_review"]


def test_number_without_colon_and_digit_lookalikes_in_the_date() -> None:
    rows = header_rows()
    rows[2] = row(420, (450, "Số2624 /QĐ-UBND"), (1250, "Hà Nội, ngàyl6 tháng I0 năm 2025"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["number"] == "2624/QĐ-UBND"
    assert ex.metadata["issued_date"] == "2025-10-16" and ex.fields["issued_date"]["needs_review"]
    rows[2] = row(420, (450, "Só:2750 /QĐ-UBND"), (1250, "Hà Nội, ngày 03 tháng 10 năm 2025"))
    assert extract_metadata([page(*rows)], today=TODAY).metadata["number"] == "2750/QĐ-UBND"


def test_law_without_date_line_takes_the_adoption_date_for_review() -> None:
    rows = header_rows(number="Luật số: 51/2024/QH15")
    rows[2] = row(420, (450, "Luật số: 51/2024/QH15"))
    end = page(row(400, (400, "Luật này được Quốc hội khóa XV, Kỳ họp thứ 8 thông qua ngày 27 tháng"
                                  " 11 năm 2024.")), index=3)
    ex = extract_metadata([page(*rows), end], today=TODAY)
    assert ex.metadata["issued_date"] == "2024-11-27" and ex.fields["issued_date"]["needs_review"]


def test_agency_cut_short_or_read_without_the_motto_needs_review() -> None:
    rows = header_rows()
    rows[0] = row(250, (450, "SỞ TÀI NGUYÊN"), (1150, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    rows[1] = row(300, (1300, "Độc lập - Tự do - Hạnh phúc"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["organ_name"] == "SỞ TÀI NGUYÊN" and ex.fields["organ_name"]["needs_review"]
    rows = header_rows()
    rows[0] = row(250, (450, "ỦY BAN NHÂN DÂN"), (1150, "CỘNG HÒAOGXHØi #wĐÑbmi VIỆT NAM"))
    rows[1] = row(300, (470, "TỈNH QUẢNG NGÃI"), (1300, "Độc tộc Kế Tự Tu do"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["organ_name"] == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"
    assert ex.fields["organ_name"]["needs_review"] and ex.fields["parent_organ"]["needs_review"]


def test_urgency_mark_read_with_frame_strokes() -> None:
    rows = [*header_rows(), row(500, (450, "| THƯỢNG KHẨN |"))]
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["urgency"] == "THƯỢNG KHẨN"


def test_stamp_text_joined_before_the_summary_is_cut() -> None:
    rows = header_rows()
    rows[4] = row(680, (200, "TRUNG TÂM CÔNG BÁO & Tìn HỌC"), (820, "Về việc tăng cường công tác"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["subject"] == "Về việc tăng cường công tác"
    assert ex.fields["subject"]["needs_review"]


def _words(*texts: str, conf: float = 95.0) -> list[Word]:
    out, x = [], 1500
    for t in texts:
        out.append(Word(text=t, bbox=(x, 3000, x + 22 * len(t), 3000 + H), conf=conf))
        x += 22 * len(t) + 12
    return out


def test_signer_name_repairs_are_flagged_and_general() -> None:
    from documents.extract.gazetteer import default_gazetteer
    from documents.extract.names import correct_name, read_name

    gaz = default_gazetteer()
    # A military rank before the name is not part of it.
    r = read_name(_words("Thượng", "tướng", "Nguyễn", "Văn", "An"), gaz)
    assert r is not None and r.value == "Nguyễn Văn An" and not r.repaired
    # The seal garbled the surname's tail, or ate its first letter.
    r = read_name(_words("Nguy°+", "Văn", "Hùng"), gaz)
    assert r is not None and r.value == "Nguyễn Văn Hùng" and r.surname_guessed
    r = read_name(_words("hạm", "Quốc", "Bảo"), gaz)
    assert r is not None and r.value == "Phạm Quốc Bảo"
    # One misread letter in a syllable that is no syllable.
    r = read_name(_words("Plam:", "Xgọc", "Lan"), gaz)
    assert r is not None and r.value == "Phạm Ngọc Lan" and r.repaired
    # A lost tone mark: the common given name wins, and the clerk is asked to confirm.
    value, conf = correct_name("Đỗ Thị Hiên", [96.0, 96.0, 96.0], gaz)
    assert value == "Đỗ Thị Hiền" and conf < 0.9
    # A rarer spelling read as printed stays (marks are seldom swapped).
    value, _ = correct_name("Đỗ Văn Khái", [96.0, 96.0, 96.0], gaz)
    assert value == "Đỗ Văn Khái"
    # Born-digital text is exact.
    assert correct_name("Lê Văn Tuân", [100.0] * 3, gaz, exact=True)[0] == "Lê Văn Tuân"


def test_summary_syllables_that_do_not_exist_are_repaired() -> None:
    from documents.extract.phrases import fix_phrase_accents, fix_unattested

    text, n = fix_unattested("bổ nhiệm và xêp lương dịp Têt, trong địp hè TTHC")
    assert text == "bổ nhiệm và xếp lương dịp Tết, trong dịp hè TTHC" and n == 3
    assert fix_phrase_accents("trung học phố thông tại thị trần")[0] == \
        "trung học phổ thông tại thị trấn"


def test_text_layer_line_holding_two_printed_rows_is_split() -> None:
    from documents.extract.layout import segments

    words = [Word(text=t, bbox=(x, y, x + 80, y + 60), conf=100.0, line=5)
             for t, x, y in (("Hà", 1300, 470), ("Độc", 1380, 320), ("Nội,", 1400, 470),
                             ("lập", 1490, 320), ("ngày", 1510, 470))]
    texts = [s.text for s in segments(PageResult(index=0, source="text_layer", width=2480,
                                                 height=3508, words=words), 0)]
    assert texts == ["Độc lập", "Hà Nội, ngày"]


def test_summary_year_names_and_a_lost_initial_consonant() -> None:
    from documents.extract.phrases import fix_phrase_accents

    assert fix_phrase_accents("đón Tết Canh Ty và năm Binh Ngọ")[0] == "đón Tết Canh Tý và năm Bính Ngọ"
    # The breve of `Ất` read as a second letter.
    assert fix_phrase_accents("Tết nguyên đán ÁAt Ty - năm 2025")[0] == "Tết nguyên đán Ất Tỵ - năm 2025"
    # A year name only after `năm`, `Tết`, `Xuân` or `nguyên đán`: a place keeps its spelling.
    assert fix_phrase_accents("xã Tân Hội, huyện Đông")[0] == "xã Tân Hội, huyện Đông"
    assert fix_phrase_accents("nâng cao năng lực quản ý về đôi tên đơn vị")[0] == \
        "nâng cao năng lực quản lý về đổi tên đơn vị"
    # A real pair whose second word starts with a vowel is left alone.
    assert fix_phrase_accents("phối hợp với công an tỉnh về nhà ở")[0] == \
        "phối hợp với công an tỉnh về nhà ở"


def test_seal_cut_letters_of_a_short_surname_and_a_middle_name() -> None:
    from documents.extract.gazetteer import default_gazetteer
    from documents.extract.names import read_name

    gaz = default_gazetteer()
    # The seal changed the surname's first letter: one surname only has these marks and letters.
    r = read_name(_words("xê", "Quân"), gaz)
    assert r is not None and r.value == "Lê Quân" and r.surname_guessed
    # ...but a fragment that fits no surname is not made into one.
    assert read_name(_words("xq", "Quân"), gaz) is None
    # The seal ate a middle name's first letter: `Tấn`, not `Tuấn` (one letter more, not two).
    r = read_name(_words("Lê", "+ấn", "Dũng"), gaz)
    assert r is not None and r.value == "Lê Tấn Dũng" and r.repaired
    # A garbled word that fits no common middle name ends the name instead.
    assert read_name(_words("Lê", "+qz", "Dũng"), gaz) is None


def test_stray_stroke_before_the_digits_is_dropped_for_review() -> None:
    p = parse_number("Số: I157/QĐ-NĐ-UB")
    assert p is not None and p.number == "157/QĐ-NĐ-UB" and p.problems
    assert parse_number("Số: 157/QĐ-NĐ-UB").problems == ()  # type: ignore[union-attr]
    # A letter inside the digits is not a stray stroke.
    assert parse_number("Số: 1I57/QĐ-UBND") is None


def test_recipients_label_with_a_stray_glyph_still_anchors_a_lone_name() -> None:
    rows = [*header_rows(),
            row(2700, (400, "ệNơi nhận:"), (1600, "1ï. BỘ TRƯỞNG")),
            row(2760, (400, "- Như Điều 3;"), (1650, "I H+ TRƯƠNG"), conf=20.0),
            row(2820, (400, "- Lưu: VT.")),
            row(3100, (1700, "Lê Tấn Dũng"))]
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["signer"]["full_name"] == "Lê Tấn Dũng"
    assert ex.fields["signer"]["needs_review"]
    assert ex.metadata["to_places"] == ["Như Điều 3"]



def _long_summary(last: str | None, *extra: str) -> PageResult:
    """A decision with a long summary (gazette style) over lines 62 px apart, then the body."""
    lines = ["Sửa đổi, bổ sung một số điều của Nghị định số 85/2024/NĐ-CP",
             "ngày 10 tháng 7 năm 2024 của Chính phủ quy định chi tiết",
             "một số điều của Luật Giá được sửa đổi, bổ sung năm 2024"]
    lines += [t for t in (last, *extra) if t]
    rows = header_rows()[:4]
    rows += [row(680 + 62 * i, (560, text)) for i, text in enumerate(lines)]
    rows.append(row(680 + 62 * len(lines) + 120,
                    (400, "Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;")))
    return page(*rows)


def test_long_summary_is_confident_only_when_its_block_is_whole() -> None:
    whole = extract_metadata([_long_summary("về việc tổ chức thực hiện trên toàn quốc")],
                             today=TODAY)
    assert whole.metadata["subject"].endswith("trên toàn quốc")
    assert whole.fields["subject"]["needs_review"] is False
    # Five lines are read whole (gazette summaries run to four lines and more).
    five = extract_metadata([_long_summary("về việc tổ chức thực hiện trên toàn quốc",
                                           "và các địa phương có liên quan")], today=TODAY)
    assert five.metadata["subject"].endswith("có liên quan")
    assert five.fields["subject"]["needs_review"] is False
    # A citation line (more digits than letters) continues the summary.
    cited = extract_metadata([_long_summary("Luật số 61/2024/QH15, 95/2025/QH15 và 140/2025/QH15")],
                             today=TODAY)
    assert cited.metadata["subject"].endswith("và 140/2025/QH15")
    assert cited.fields["subject"]["needs_review"] is False
    # A fifteenth line, past the limit of a summary's lines: the best reading, for review.
    for cut in (_long_summary(*(f"và nội dung thứ {n} có liên quan" for n in range(12))),):
        ex = extract_metadata([cut], today=TODAY)
        assert ex.metadata["subject"].startswith("Sửa đổi, bổ sung")
        assert ex.fields["subject"]["needs_review"] is True


def test_a_speck_between_the_agency_and_the_motto_does_not_join_them() -> None:
    # A speck read `ˆ` between `ĐÀO TẠO` and `CỘNG HÒA`, at word spacing: the two columns are
    # still two, the motto is found and the agency read.
    rows = header_rows()
    rows[0] = row(250, (300, "BỘ GIÁO DỤC VÀ ĐÀO TẠO ˆ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    rows[1] = row(300, (1300, "Độc lập - Tự do - Hạnh phúc"))
    p = page(*rows, *signer_rows())
    assert find_motto(segments(p, 0))[0] is not None
    ex = extract_metadata([p], today=TODAY)
    assert ex.metadata["organ_name"] == "BỘ GIÁO DỤC VÀ ĐÀO TẠO"
    assert "ˆ" not in " ".join(s.text for s in segments(p, 0))
