"""A document's name from its metadata: PDF/A title, file name, Content-Disposition."""

from __future__ import annotations

from urllib.parse import unquote

from documents.naming import content_disposition, document_title, file_name

META = {"number": "87/QĐ-UBND", "code_number": "87", "code_notation": "QĐ-UBND",
        "subject": "Về việc phê duyệt kế hoạch chuyển đổi số tỉnh Quảng Ngãi giai đoạn 2026-2030 "
                   "và định hướng đến năm 2035"}


def test_title_and_file_name_come_from_number_and_subject() -> None:
    title = document_title(META)
    assert title is not None and title.startswith("87/QĐ-UBND — Về việc phê duyệt")
    assert title.endswith("…") and len(title) < 110  # a long subject is shortened on a word
    assert document_title({"type_name": "CÔNG VĂN", "organ_name": "BỘ NỘI VỤ"}) == \
        "Công văn — BỘ NỘI VỤ"
    assert document_title({"number": None, "subject": ""}) is None
    name = file_name(META, "scan-0001")
    assert name.startswith("87-QĐ-UBND Về việc") and name.endswith(".pdf") and "/" not in name
    assert file_name({}, "scan-0001") == "scan-0001.pdf"
    assert file_name({"subject": 'a/b: "c"?'}, "x") == "a-b- -c.pdf"


def test_content_disposition_is_inline_with_a_utf8_name() -> None:
    header = content_disposition("87-QĐ-UBND Về việc.pdf")
    kind, plain, utf8 = header.split("; ")
    assert kind == "inline" and plain == 'filename="87-QD-UBND Ve viec.pdf"'
    assert utf8.startswith("filename*=UTF-8''") and unquote(utf8.split("''")[1]) == \
        "87-QĐ-UBND Về việc.pdf"
