"""edXML packages: built from a registry item, valid against the project's XSD, read back intact."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from documents.edxml import NS, Organ, build_edxml, parse_edxml, validate

ITEM = {
    "id": 7, "TypeName": "Quyết định", "CodeNumber": "87", "CodeNotation": "QĐ-UBND",
    "IssuedDate": "2024-03-05", "Place": "Quảng Ngãi", "OrganName": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
    "Subject": "Về việc phê duyệt kế hoạch", "PageAmount": 2, "Priority": "2",
    "SignerInfo": {"Competence": "KT. CHỦ TỊCH", "Position": "PHÓ CHỦ TỊCH",
                   "FullName": "Trần Phước Hiền"},
    "ToPlaces": ["Như Điều 3;", "Lưu: VT."],
}
SENDER = Organ("000.00.00.H49", "Văn phòng UBND tỉnh Quảng Ngãi")
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def test_round_trip_and_schema() -> None:
    data = build_edxml(ITEM, SENDER, Organ("000.00.00.H49", "Phòng Hành chính"), PDF,
                       content="Điều 1. Phê duyệt", now=dt.datetime(2024, 3, 6, tzinfo=dt.UTC))
    assert validate(data) == []
    back = parse_edxml(data)
    assert back["from"] == {"id": "000.00.00.H49", "name": "Văn phòng UBND tỉnh Quảng Ngãi"}
    assert back["to"]["name"] == "Phòng Hành chính"
    assert back["document_id"] == "000.00.00.H49,2024/03/05,87/QĐ-UBND"
    assert (back["code_number"], back["code_notation"]) == ("87", "QĐ-UBND")
    assert back["promulgation_date"] == "2024/03/05" and back["place"] == "Quảng Ngãi"
    assert back["organ_name"] == ITEM["OrganName"] and back["type_name"] == "Quyết định"
    assert back["subject"] == ITEM["Subject"] and back["content"] == "Điều 1. Phê duyệt"
    assert back["signer"] == {"competence": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH",
                              "full_name": "Trần Phước Hiền"}
    assert back["to_places"] == ITEM["ToPlaces"] and back["priority"] == "2"
    assert back["page_amount"] == 2 and back["paper"] == "1" and back["business_type"] == "0"
    (attachment,) = back["attachments"]
    assert attachment["content"] == PDF and attachment["content_type"] == "application/pdf"
    assert back["references"] == [attachment["content_id"]]
    root = etree.fromstring(data)
    assert root.tag == f"{{{NS}}}edXML"
    assert [etree.QName(c).localname for c in root] == ["edXMLEnvelope", "AttachmentEncoded"]


def test_missing_values_still_valid_and_schema_catches_breakage() -> None:
    bare = {"id": 1, "PageAmount": 1}
    data = build_edxml(bare, SENDER, SENDER, b"%PDF-1.4\n%%EOF\n")
    assert validate(data) == []
    assert parse_edxml(data)["promulgation_date"] is None
    broken = data.replace(b"<edXML:Priority>0</edXML:Priority>", b"<edXML:Priority>9</edXML:Priority>")
    assert broken != data and any("Priority" in e for e in validate(broken))
    too_long = build_edxml({**bare, "CodeNumber": "1" * 12}, SENDER, SENDER, b"x")
    assert any("CodeNumber" in e for e in validate(too_long))
