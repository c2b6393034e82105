"""edXML packages in the form real exchange software reads: built from a registry item, valid
against the project's XSD and presence rules, read back intact (docs/DELIVERY.md, edXML)."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from lxml import etree

from documents.agency_codes import Suggestion
from documents.edxml import (
    NS,
    Business,
    BusinessType,
    Organ,
    Staff,
    build_edxml,
    issuer_organ,
    parse_edxml,
    validate,
)
from models.errors import ConflictError
from models.vocabulary import priority

ITEM = {
    "id": 7, "TypeName": "Quyết định", "CodeNumber": "87", "CodeNotation": "QĐ-UBND",
    "IssuedDate": "2024-03-05", "Place": "Quảng Ngãi", "OrganName": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
    "Subject": "Về việc phê duyệt kế hoạch", "PageAmount": 2, "Priority": "2",
    "SignerInfo": {"Competence": "KT. CHỦ TỊCH", "Position": "PHÓ CHỦ TỊCH",
                   "FullName": "Trần Phước Hiền"},
    "ToPlaces": ["Văn phòng"], "PrintedToPlaces": ["Như Điều 3;", "Lưu: VT."],
}
ISSUER = Organ("000.00.00.H55", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI")
OURS = Organ("000.00.00.H49", "Văn phòng UBND tỉnh Quảng Ngãi")
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
Q = f"{{{NS}}}"


def _build(item: dict[str, object] | None = None, **kw: object) -> bytes:
    return build_edxml(item or ITEM, ISSUER, OURS, PDF, tracer=OURS.organ_id,  # type: ignore[arg-type]
                       now=dt.datetime(2024, 3, 6, 1, 2, 3, tzinfo=dt.UTC), **kw)


def _text(data: bytes, path: str) -> list[str]:
    return [n.text or "" for n in etree.fromstring(data).iterfind(path, {"e": NS})]


def test_round_trip_and_schema() -> None:
    data = _build()
    assert validate(data) == []
    back = parse_edxml(data)
    assert back["from"]["id"] == "000.00.00.H55" and back["from"]["name"] == ISSUER.name
    assert [t["id"] for t in back["to"]] == ["000.00.00.H49"]
    assert back["document_id"] == "000.00.00.H55,2024/03/05,87/QĐ-UBND"
    assert (back["code_number"], back["code_notation"]) == ("87", "QĐ-UBND")
    assert back["promulgation_date"] == "2024/03/05" and back["place"] == "Quảng Ngãi"
    assert back["type"] == "1" and back["type_name"] == "Quyết định"
    assert back["subject"] == ITEM["Subject"] and back["content"] == ITEM["Subject"]
    assert back["signer"] == {"competence": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH",
                              "full_name": "Trần Phước Hiền"}
    assert back["to_places"] == ITEM["PrintedToPlaces"] and back["priority"] == "2"
    assert back["page_amount"] == 2 and back["paper"] == "1" and back["business_type"] == "0"
    assert back["business_document_id"] == back["document_id"]
    assert back["business_reason"] == "Văn bản điện tử mới" and back["direction"] == "false"
    assert back["manifest_version"] == "1.0" and not back["signed"]
    (attachment,) = back["attachments"]
    assert attachment["content"] == PDF and attachment["content_type"] == "application/pdf"
    assert back["references"] == [attachment["content_id"]]
    root = etree.fromstring(data)
    assert root.tag == f"{Q}edXML"
    assert [etree.QName(c).localname for c in root] == ["edXMLEnvelope", "AttachmentEncoded"]


def test_attachment_is_the_text_of_content_transfer_encoded() -> None:
    data = _build()
    (encoded,) = _text(data, "e:AttachmentEncoded/e:Attachment/e:ContentTransferEncoded")
    assert base64.b64decode(encoded) == PDF
    names = [etree.QName(n).localname for n in
             etree.fromstring(data).iterfind("e:AttachmentEncoded/e:Attachment/*", {"e": NS})]
    assert "Content" not in names


def test_real_header_form() -> None:
    data = _build()
    header = "e:edXMLEnvelope/e:edXMLHeader/"
    (stamp,) = _text(data, header + "e:TraceHeaderList/e:TraceHeader/e:Timestamp")
    assert stamp == "2024/03/06 08:02:03"  # 01:02:03 UTC is 08:02:03 in Hà Nội
    assert _text(data, header + "e:MessageHeader/e:DocumentType/e:Type") == ["1"]
    for tag in ("From", "To"):
        block = header + f"e:MessageHeader/e:{tag}/e:"
        for name in ("OrganizationInCharge", "OrganAdd", "Email", "Telephone", "Fax", "Website"):
            assert len(_text(data, block + name)) == 1, (tag, name)
    business = header + "e:TraceHeaderList/e:Bussiness/e:"
    for name in ("DocumentId", "BussinessDocReason", "StaffInfo"):
        assert len(_text(data, business + name)) == 1, name
    assert _text(data, header + "e:MessageHeader/e:OtherInfo/e:Direction") == ["false"]
    assert etree.fromstring(data).find(
        "e:edXMLEnvelope/e:edXMLBody/e:edXMLManifest", {"e": NS}).get("version") == "1.0"


def test_legal_normative_type_and_priority_4() -> None:
    data = _build({**ITEM, "TypeName": "Thông tư", "Priority": priority("Hỏa tốc hẹn giờ")})
    assert validate(data) == []
    back = parse_edxml(data)
    assert back["type"] == "2" and back["priority"] == "4"


def test_content_is_a_short_summary() -> None:
    long = " ".join(["Điều khoản"] * 300)
    data = _build({**ITEM, "Description": long})
    (content,) = _text(data, "e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader/e:Content")
    assert 0 < len(content) <= 500 and long.startswith(content.rstrip("…"))
    assert validate(data) == []


@pytest.mark.parametrize(("key", "label"), [("Subject", "trích yếu"), ("CodeNumber", "số"),
                                          ("CodeNotation", "ký hiệu")])
def test_empty_required_value_refused_before_export(key: str, label: str) -> None:
    with pytest.raises(ConflictError) as refused:
        _build({**ITEM, key: "  "})
    assert refused.value.details["missing"] == [label]
    assert "edXML" in refused.value.message and "bổ sung" in refused.value.message


def test_update_and_replace_are_told() -> None:
    again = parse_edxml(_build(business=Business(BusinessType.UPDATE, staff=Staff("Văn thư"))))
    assert again["business_type"] == "2" and again["business_reason"] == "Cập nhật văn bản điện tử"
    assert again["staff"]["Department"] == "Văn thư"
    replaced = parse_edxml(_build(business=Business(BusinessType.REPLACE, "Thay thế bản quét")))
    assert (replaced["business_type"], replaced["business_reason"]) == ("3", "Thay thế bản quét")


def test_issuer_code_required() -> None:
    known = issuer_organ("ỦY BAN NHÂN DÂN  TỈNH NGHỆ AN", "000.00.00.H41")
    assert known == Organ("000.00.00.H41", "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN")
    with pytest.raises(ConflictError, match="mã định danh của cơ quan ban hành «Sở Nội vụ»"):
        issuer_organ("Sở  Nội vụ", None)
    with pytest.raises(ConflictError, match="gần giống «Ủy ban nhân dân tỉnh Nghệ An»"):
        issuer_organ("UBND TỈNH NGHỆ AM", None,
                     Suggestion("000.00.00.H41", "near", "Ủy ban nhân dân tỉnh Nghệ An"))
    with pytest.raises(ConflictError, match="gợi ý mã 000.00.00.H08 nhưng mã này chưa được"):
        issuer_organ("UBND TỈNH BÌNH ĐỊNH", None,
                     Suggestion("000.00.00.H08", "list_order", "Ủy ban nhân dân tỉnh Bình Định"))
    with pytest.raises(ConflictError, match="chưa có cơ quan ban hành"):
        issuer_organ(" ", "000.00.00.H41")


def test_schema_and_rules_catch_breakage() -> None:
    data = _build()
    tag = "<edXML:{0}>{1}</edXML:{0}>"
    for name, good, bad in (("Priority", "2", "9"), ("Type", "1", "0"),
                            ("CodeNumber", "87", "1" * 12),
                            ("Timestamp", "2024/03/06 08:02:03", "2024-03-06T01:02:03+00:00")):
        broken = data.replace(tag.format(name, good).encode(), tag.format(name, bad).encode())
        assert broken != data and any(name in e for e in validate(broken)), name
    no_address = re.sub(rb"<edXML:To>(.*?)<edXML:OrganAdd></edXML:OrganAdd>", rb"<edXML:To>\1",
                        data)
    assert no_address != data and "MessageHeader/To/OrganAdd is missing" in validate(no_address)
    old_form = data.replace(b"</ContentTransferEncoded>", b"</Content>").replace(
        b"<ContentTransferEncoded>", b"<ContentTransferEncoded>base64</ContentTransferEncoded>"
        b"<Content>")
    assert any("Content" in e for e in validate(old_form))
    foreign = data.replace(b"<ContentId>cid:document-7</ContentId>",
                           b"<ContentId>cid:other</ContentId>")
    assert "Attachment cid:other is not in edXMLManifest" in validate(foreign)
