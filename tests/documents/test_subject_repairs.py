"""Summaries repaired where OCR's errors are certain (place names, `thẩm quyền`, `về việc`), and
a type taken from `V/v` doubted when the symbol names another type, commas that are marks of
the next word (issue 16)."""

from __future__ import annotations

from documents.extract import extract_metadata
from documents.extract.layout import segments
from documents.extract.phrases import fix_phrase_accents, fix_place_names, fix_so_before_number
from models.result import Word
from tests.documents.test_extract import TODAY, header_rows, page, row


def test_province_and_city_names_spelled_as_the_gazetteer_spells_them() -> None:
    assert fix_place_names("trên địa bàn tỉnh Tiên Giang") == ("trên địa bàn tỉnh Tiền Giang", 1)
    # A garbled second word that is no syllable: the nearest name of that first word.
    assert fix_place_names("tỉnh Quảng Nøãi, năm 2025")[0] == "tỉnh Quảng Ngãi, năm 2025"
    # Lower case words are no names; an ambiguous garble stays as read.
    assert fix_place_names("tiên giang")[0] == "tiên giang"
    assert fix_place_names("Quảng Nxx")[0] == "Quảng Nxx"
    assert fix_phrase_accents("thuộc thấm quyền giải quyết của cấp huyện")[0] == \
        "thuộc thẩm quyền giải quyết của cấp huyện"
    assert fix_place_names("Sở Giao thông vận tải tính Bạc Liêu")[0] == \
        "Sở Giao thông vận tải tỉnh Bạc Liêu"
    assert fix_so_before_number("Nghị quyết sô 99/NQ-CP, Sô 12 và sô đo") == \
        ("Nghị quyết số 99/NQ-CP, Số 12 và sô đo", 2)


def test_summary_opening_ve_viec_in_lower_case_or_misread() -> None:
    for first in ("và việc", "về việc"):
        rows = header_rows()
        rows[4] = row(680, (700, f"{first} công bố thủ tục hành chính tỉnh Tiên Giang"))
        ex = extract_metadata([page(*rows)], today=TODAY)
        assert ex.metadata["subject"] == "Về việc công bố thủ tục hành chính tỉnh Tiền Giang"
        assert ex.fields["subject"]["needs_review"]  # repaired: a clerk looks


def test_vv_type_named_by_the_symbol_when_it_names_a_decision() -> None:
    def doc(symbol: str, x: int = 420) -> dict:
        rows = [
            row(250, (450, "HỌC VIỆN CÔNG NGHỆ"), (1150, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
            row(300, (470, "BƯU CHÍNH VIỄN THÔNG"), (1300, "Độc lập - Tự do - Hạnh phúc")),
            row(420, (450, f"Số: 756/{symbol}"), (1250, "Hà Nội, ngày 24 tháng 9 năm 2024")),
            row(520, (x, "V/v cử cán bộ tham gia khóa đào tạo")),
            row(700, (800, "Kính gửi: Các đơn vị")),
        ]
        return extract_metadata([page(*rows)], today=TODAY).fields
    centred = 1240 - 11 * len("V/v cử cán bộ tham gia khóa đào tạo")
    for symbol in ("QĐ-HV", "QD-HV"):
        # Under the number, as a công văn's: the symbol casts doubt on the type (`CT-CS` is
        # the tax department's, not CHỈ THỊ), it does not name it.
        f = doc(symbol)
        assert f["type_name"]["value"] == "CÔNG VĂN" and f["type_name"]["needs_review"], symbol
        assert f["subject"]["value"] == "cử cán bộ tham gia khóa đào tạo", symbol
        assert f["subject"]["needs_review"], symbol
        # Centred, as under the title `QUYẾT ĐỊNH` lost under a frame: a decision, whose
        # summary is printed with its `V/v`.
        f = doc(symbol, centred)
        assert f["type_name"]["value"] == "QUYẾT ĐỊNH" and f["type_name"]["needs_review"], symbol
        assert f["subject"]["value"] == "V/v cử cán bộ tham gia khóa đào tạo", symbol
        assert f["subject"]["needs_review"], symbol
    # `HD` fits HƯỚNG DẪN as read; `HĐ` read without its stroke would be HỢP ĐỒNG: as read.
    assert doc("HD-HV", centred)["type_name"]["value"] == "HƯỚNG DẪN"
    # A công văn's symbol starts with the issuer: the type stays confident.
    assert not doc("HV-TCCB")["type_name"]["needs_review"]


def test_a_five_line_summary_is_read_whole() -> None:
    lines = ["Về việc công bố Danh mục thủ tục hành chính mới ban hành",
             "thuộc thẩm quyền giải quyết của Sở Giao thông vận tải;",
             "Sở Xây dựng; Ủy ban nhân dân cấp huyện;",
             "Ủy ban nhân dân cấp xã trên địa bàn tỉnh Bạc Liêu",
             "(Lĩnh vực: Đường bộ)"]
    rows = header_rows()[:4]
    rows += [row(680 + 52 * i, (1240 - 11 * len(t), t)) for i, t in enumerate(lines)]
    rows.append(row(1100, (400, "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;")))
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["subject"] == " ".join(lines)


def test_vv_read_as_vw_or_with_an_odd_slash_still_opens_a_cong_van() -> None:
    for opening in ("VW", "V¿v'", "V\\v"):
        rows = [
            row(250, (450, "THỦ TƯỚNG CHÍNH PHỦ"), (1150, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
            row(300, (1300, "Độc lập - Tự do - Hạnh phúc")),
            row(420, (450, "Số: 464/TTg-CĐS"), (1250, "Hà Nội, ngày 30 tháng 4 năm 2026")),
            row(480, (420, f"{opening} triển khai các Nghị quyết cắt giảm,")),
            row(530, (440, "đơn giản hóa thủ tục hành chính")),
            row(700, (800, "Kính gửi: Các bộ, cơ quan ngang bộ")),
        ]
        ex = extract_metadata([page(*rows)], today=TODAY)
        assert ex.metadata["type_name"] == "CÔNG VĂN", opening
        assert ex.metadata["subject"] == \
            "triển khai các Nghị quyết cắt giảm, đơn giản hóa thủ tục hành chính", opening


def _touching(words: list[Word], first: str) -> list[Word]:
    """The row with the word `first` stretched to touch the next one (its comma glued to it)."""
    out = list(words)
    i = next(i for i, w in enumerate(out) if w.text == first)
    box = out[i].bbox
    out[i] = out[i].model_copy(update={"bbox": (box[0], box[1], out[i + 1].bbox[0] - 1, box[3])})
    return out


def test_a_comma_touching_the_next_word_is_a_mark_of_that_word() -> None:
    rows = header_rows()
    rows[4] = _touching(row(680, (700, "Về việc ứng phó, sự cố và sửa đổi, bổ sung, trong năm")),
                        "sung,")
    rows[4] = _touching(rows[4], "phó,")
    ex = extract_metadata([page(*rows)], today=TODAY)
    # The real comma after `đổi` is followed by a word space and stays.
    assert ex.metadata["subject"] == "Về việc ứng phó sự cố và sửa đổi, bổ sung trong năm"
    # A text layer's commas are the document's own: kept however close the next word is.
    layer = page(*rows).model_copy(update={"source": "text_layer"})
    text = " ".join(s.text for s in segments(layer, 0))
    assert "phó, sự" in text and "sung, trong" in text


def test_longer_phrases_settle_pairs_with_two_spellings() -> None:
    assert fix_phrase_accents("lĩnh vực ứng phó sự cố tràn dâu thuộc")[0] == \
        "lĩnh vực ứng phó sự cố tràn dầu thuộc"
    assert fix_phrase_accents("trong dịp kỳ thị THPT quốc gia")[0] == \
        "trong dịp kỳ thi THPT quốc gia"
    # Alone, each pair keeps the spelling read: both are words.
    for text in ("tổ chức trận đấu bóng đá", "xóa bỏ kỳ thị giới", "nước tràn dâu"):
        assert fix_phrase_accents(text) == (text, 0)


def test_a_routing_note_run_into_the_summary_line_is_left_out() -> None:
    vv = "V/v bảo đảm trật tự cho HS, SV"
    note = "1. Cô Hương gửi văn bản đến các đơn vị"
    rows = [
        row(250, (450, "SỞ GIÁO DỤC VÀ ĐÀO TẠO"), (1150, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
        row(300, (1300, "Độc lập - Tự do - Hạnh phúc")),
        row(420, (450, "Số: 1535/SGDĐT-CTrTT"), (1250, "Đà Nẵng, ngày 31 tháng 5 năm 2019")),
        row(480, (400, vv), (1002, note)),  # the note 12 px after the summary run
        row(532, (420, "trong dịp nghỉ hè năm 2019")),
        row(700, (800, "Kính gửi: Các trường")),
    ]
    ex = extract_metadata([page(*rows)], today=TODAY)
    assert ex.metadata["subject"] == "bảo đảm trật tự cho HS, SV trong dịp nghỉ hè năm 2019"
