"""Agency names checked against the gazetteer, symbols repaired against the issuer's
abbreviation, and header lines that OCR glued together (issue 16). Pages are built from word
lists, as in test_extract.py (no OCR)."""

from __future__ import annotations

from documents.extract import Gazetteer, extract_metadata
from documents.extract.gazetteer import default_gazetteer
from tests.documents.test_extract import TODAY, header_rows, page, row

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def _with_agency(*lines: str, number: str = "Số: 87/QĐ-UBND"):
    """A decision whose agency block holds `lines` (one row each) over the `Số:` line."""
    rows = header_rows(number)
    rows[0] = row(250, (450, lines[0]), (1150, MOTTO))
    rows[1] = row(300, *([(470, lines[1])] if len(lines) > 1 else []),
                  (1300, "Độc lập - Tự do - Hạnh phúc"))
    return extract_metadata([page(*rows)], today=TODAY)


def test_garbled_agency_names_are_repaired_against_the_names_that_exist() -> None:
    cases = [
        (("TRƯỜNG ĐẠI HỌC ĐỎNG NAI",), "TRƯỜNG ĐẠI HỌC ĐỒNG NAI"),
        (("HỘI NGƯỜI CAO TUÔI VIỆT NAM",), "HỘI NGƯỜI CAO TUỔI VIỆT NAM"),
        (("CHÍNHPHỦ",), "CHÍNH PHỦ"),  # the word space lost
        (("ỦY BAN NHÂN DÂN", "TINH QUANG NGAÀI"), "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"),
        (("BỘ NỘI VỤ", "CỤC VĂN THU VA LƯU TRU NHÀ NƯỚC"), "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC"),
    ]
    for lines, want in cases:
        ex = _with_agency(*lines)
        assert ex.metadata["organ_name"] == want, lines
        # Same letters up to accents, spaces and a doubled letter: one name only, so confident.
        assert not ex.fields["organ_name"]["needs_review"], lines


def test_a_name_close_to_two_entries_needs_review() -> None:
    gaz = Gazetteer({"central_organs": [["BAN QUẢN LÝ KHU MỘT", "A"], ["BAN QUẢN LÝ KHU HAI", "B"]],
                     "organ_heads": ["BAN"]})
    hit = gaz.lookup("organ", "BAN QUẢN LÝ KHU MAI")
    assert hit is not None and hit.distance == 1 and hit.ambiguous
    rows = header_rows()
    rows[0] = row(250, (450, "BAN QUẢN LÝ KHU MAI"), (1150, MOTTO))
    rows[1] = row(300, (1300, "Độc lập - Tự do - Hạnh phúc"))
    ex = extract_metadata([page(*rows)], today=TODAY, gazetteer=gaz)
    assert ex.fields["organ_name"]["confidence"] <= 0.6


def test_symbol_group_repaired_against_the_issuer_abbreviation_and_flagged() -> None:
    ex = _with_agency("BỘ KHOA HỌC VÀ CÔNG NGHỆ", "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA",
                      number="Số: 15/QĐ-CĐĐSQG")
    assert ex.metadata["code_notation"] == "QĐ-CĐSQG"  # the doubled letter dropped
    assert ex.metadata["number"] == "15/QĐ-CĐSQG"
    assert ex.fields["code_notation"]["needs_review"] and ex.fields["number"]["needs_review"]
    ex = _with_agency("BỘ NỘI VỤ", "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC",
                      number="Số: 15/QĐ-VTLUTNN")
    assert ex.metadata["code_notation"] == "QĐ-VTLTNN"  # the stray letter dropped
    assert ex.fields["code_notation"]["needs_review"]


def test_symbol_repair_leaves_the_units_and_unknown_groups_alone() -> None:
    from documents.extract.issuer import repair_symbol

    gaz = default_gazetteer()
    edu = "BỘ GIÁO DỤC VÀ ĐÀO TẠO"
    # The issuer's group is there: the next one names its unit (Vụ Giáo dục Đại học).
    assert repair_symbol("BGDĐT-GDĐH", edu, None, gaz) is None
    assert repair_symbol("BGDDT-GDĐH", edu, None, gaz) == "BGDĐT-GDĐH"
    assert repair_symbol("QĐ-BCĐI38", "BAN CHỈ ĐẠO 138", "UBND TỈNH QUẢNG NGÃI",
                         gaz) == "QĐ-BCĐ138"
    # Two abbreviations one edit away: no repair.
    assert repair_symbol("QĐ-SYTT", "SỞ Y TẾ", None, gaz) is None
    assert repair_symbol("QĐ-KTTH", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", None, gaz) is None


def test_agency_named_by_the_symbol_when_its_header_line_is_lost() -> None:
    rows = header_rows("Số: 2676/QĐ-BGDĐT")
    rows[0] = row(250, (1150, MOTTO))
    rows[1] = row(300, (1300, "Độc lập - Tự do - Hạnh phúc"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["organ_name"] == "BỘ GIÁO DỤC VÀ ĐÀO TẠO"
    assert ex.fields["organ_name"]["needs_review"]  # inferred, not read
    from documents.extract.issuer import agency_from_symbol

    gaz = default_gazetteer()
    assert agency_from_symbol("VBHN-BLĐTBXH", gaz) == "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"
    # Only the issuer's group names the issuer: `TNMT` after `UBND` is the drafting unit, and a
    # Sở's abbreviation does not say which province's.
    assert agency_from_symbol("UBND-TNMT", gaz) is None
    assert agency_from_symbol("QĐ-SGDĐT", gaz) is None


def test_agency_line_glued_to_the_motto_is_cut_before_it() -> None:
    rows = header_rows("Số: 2676/QĐ-BGDĐT")
    # A mark between the columns and a narrow gap: OCR reads agency and motto as one line.
    rows[0] = row(250, (300, f"BỘ GIÁO DỤC VÀ ĐÀO TẠO ˆ {MOTTO}"))
    rows[1] = row(300, (1300, "Độc lập - Tự do - Hạnh phúc"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["organ_name"] == "BỘ GIÁO DỤC VÀ ĐÀO TẠO"
    assert not ex.fields["organ_name"]["needs_review"]


def test_number_line_glued_to_the_agency_is_cut_from_it() -> None:
    rows = header_rows()
    rows[0] = row(250, (450, "UBND TỈNH QUẢNG NGÃI"), (1150, MOTTO))
    rows[1] = row(300, (470, "SỞ Y TẾ Số: 125/SYT-NV"), (1300, "Độc lập - Tự do - Hạnh phúc"))
    rows[2] = row(420, (1250, "Quảng Ngãi, ngày 05 tháng 3 năm 2020"))
    rows[3] = row(600, (1100, "CÔNG VĂN"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["organ_name"] == "SỞ Y TẾ"
    assert ex.metadata["parent_organ"] == "UBND TỈNH QUẢNG NGÃI"
    assert ex.metadata["number"] == "125/SYT-NV"
    ex = _with_agency("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", number="SỐ: /QĐ-UBND")
    # An upper-case `SỐ:` label with the number left blank is the number line, not the agency.
    assert ex.metadata["organ_name"] == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"
    assert ex.metadata["code_notation"] == "QĐ-UBND"


def test_every_province_of_the_agency_code_list_is_in_the_gazetteer() -> None:
    from documents.agency_codes import agencies

    gaz = default_gazetteer()
    provinces = {a.name for a in agencies().values() if a.code.split(".")[-1].startswith("H")}
    for name in provinces:
        assert ("organ", name.upper()) in gaz, name


def test_number_label_glued_to_a_handwritten_number_still_starts_the_number_line() -> None:
    # `Số` with no colon, the ink read as letters, then the printed symbol.
    ex = _with_agency("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", number="Sôz⁄tT /QĐ-UBND")
    assert ex.metadata["code_notation"] == "QĐ-UBND"
    assert ex.metadata["number"] is None and ex.fields["number"]["needs_review"]
    assert ex.metadata["organ_name"] == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"


def test_type_group_with_a_lost_stroke_is_repaired_only_when_one_type_fits() -> None:
    from documents.extract.issuer import repair_symbol

    gaz = default_gazetteer()
    # No title to say the type (it was lost): `QD` can only be QĐ, `ND` only NĐ...
    assert repair_symbol("QD-HV", "HỌC VIỆN CÔNG NGHỆ BƯU CHÍNH VIỄN THÔNG", None, gaz) == "QĐ-HV"
    assert repair_symbol("2020/ND-CP", "CHÍNH PHỦ", None, gaz) == "2020/NĐ-CP"
    # ... but HD (hướng dẫn) is a type of its own, not HĐ (hợp đồng).
    assert repair_symbol("HD-UBND", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", None, gaz) is None


def test_symbol_printed_a_little_above_a_blank_number_label_is_not_the_agency() -> None:
    rows = header_rows()
    rows[0] = row(250, (450, "UBND TỈNH ĐẮK LẮK"), (1150, MOTTO))
    rows[1] = row(300, (470, "SỞ Y TẾ"), (1300, "Độc lập - Tự do - Hạnh phúc"))
    # The number left blank for the pen; the symbol after the blank sits 5 px higher.
    rows[2] = row(420, (430, "Số:"), (1250, "Đắk Lắk, ngày 18 tháng 9 năm 2021"))
    extra = row(415, (700, "/TB-SYT"))
    rows[3] = row(600, (1100, "THÔNG BÁO"))
    ex = extract_metadata([page(*rows, extra)], today=TODAY)
    assert ex.metadata["organ_name"] == "SỞ Y TẾ"
    assert ex.metadata["parent_organ"] == "UBND TỈNH ĐẮK LẮK"
    assert ex.metadata["code_notation"] == "TB-SYT"


def test_number_line_read_together_with_the_date_line_is_cut_before_the_place() -> None:
    rows = header_rows()
    # The two columns' lines close together: OCR reads `Số:` and the date line as one line.
    rows[2] = row(420, (430, "số: 19 /2025/QĐ-UBND Quảng Ngãi, ngày 05 tháng 3 năm 2020"))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["code_notation"] == "2025/QĐ-UBND"
    assert ex.metadata["issued_date"] == "2020-03-05"
    assert ex.metadata["organ_name"] == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"


def test_symbol_after_a_bracket_read_in_the_blank_is_still_read() -> None:
    ex = _with_agency("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", number="Số: ö† /(QĐĐ-UBND")
    assert ex.metadata["code_notation"] == "QĐ-UBND"
    assert ex.fields["code_notation"]["needs_review"]
