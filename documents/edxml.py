"""edXML packages (QCVN 102:2016, DOMAIN §7): build one for a ready document, read one back.

The form is the one real exchange software reads (docs/DELIVERY.md names the sources): `From` is
the issuing agency and `To` our agency, the PDF/A is the base64 text of `ContentTransferEncoded`,
trace times are local `yyyy/MM/dd HH:mm:ss`. `parse_edxml` reads real packages too (element order
and prefixes vary between producers); `validate` checks documents/data/edxml.xsd and then the
presence rules real validators apply. Signing is documents/edxml_sign.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from documents.agency_codes import Suggestion
from documents.reports.query import LOCAL_TZ
from models.errors import ConflictError, InvalidFieldError

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
XSD = Path(__file__).resolve().parent / "data" / "edxml.xsd"
MANIFEST_VERSION = "1.0"
CONTENT_LENGTH = 500  # MessageHeader/Content: a short summary (validators refuse longer)
_Q = f"{{{NS}}}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
# Document types only a legal normative act (văn bản quy phạm pháp luật) has: DocumentType/Type 2.
LEGAL_NORMATIVE = frozenset({"luật", "bộ luật", "pháp lệnh", "nghị định", "thông tư",
                             "thông tư liên tịch", "lệnh", "hiến pháp"})


@dataclass(frozen=True)
class Organ:
    """An agency in an edXML header: its code (mã định danh), name and contact block."""

    organ_id: str
    name: str
    in_charge: str = ""  # OrganizationInCharge: the agency above it, or itself
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class Staff:
    """StaffInfo: who handled the package at the sending end."""

    department: str = ""
    name: str = ""
    email: str = ""
    mobile: str = ""


class BusinessType(enum.IntEnum):
    """TraceHeaderList/Bussiness/BussinessDocType."""

    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3


REASONS = {BusinessType.NEW: "Văn bản điện tử mới", BusinessType.REVOKE: "Thu hồi văn bản",
           BusinessType.UPDATE: "Cập nhật văn bản điện tử",
           BusinessType.REPLACE: "Thay thế văn bản điện tử"}


@dataclass(frozen=True)
class Business:
    """The business block: a new package, or one that updates/replaces what was sent before."""

    kind: BusinessType = BusinessType.NEW
    reason: str = ""
    staff: Staff = field(default_factory=Staff)
    paper: bool = True  # digitised from paper: the paper original exists


def issuer_organ(organ_name: str | None, code: str | None,
                 suggestion: Suggestion | None = None) -> Organ:
    """From: the issuing agency as read from the paper, with its code (documents/agency_codes.py).

    DocumentId starts with this code, and a registry detects by it the same document arriving
    twice (on paper and electronically), so a package is never built without it: ConflictError
    (409) in Vietnamese, telling the clerk what to do; `suggestion` is an unsure code the list
    offers (placed by its order, or of a listed agency whose name is close to the one read): it
    is not trusted, the clerk checks it."""
    name = " ".join((organ_name or "").split())
    if not name:
        raise ConflictError("Văn bản chưa có cơ quan ban hành: bổ sung khi duyệt trước khi xuất "
                            "gói edXML.", missing=["organ_name"])
    if not code:
        hint = ""
        if suggestion is not None and suggestion.source == "near":
            hint = (f" Tên gần giống «{suggestion.agency}» trong danh sách: nếu đúng là cơ quan "
                    "này, sửa tên cho khớp.")
        elif suggestion is not None:
            hint = (f" Danh sách gợi ý mã {suggestion.code} nhưng mã này chưa được xác minh: "
                    "kiểm tra rồi chấp nhận ô «Mã định danh» khi duyệt.")
        raise ConflictError(f"Chưa biết mã định danh của cơ quan ban hành «{name}»: sửa tên cơ "
                            "quan cho đúng hoặc nhập mã định danh (organ_code) khi duyệt trước "
                            f"khi xuất gói edXML.{hint}", missing=["organ_code"])
    return Organ(code, name)


def _date(iso: str | None) -> str | None:
    """ISO date -> yyyy/MM/dd."""
    return iso.replace("-", "/") if iso else None


def timestamp(moment: dt.datetime) -> str:
    """A trace or status Timestamp: local time (Asia/Ho_Chi_Minh), yyyy/MM/dd HH:mm:ss."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(LOCAL_TZ).strftime("%Y/%m/%d %H:%M:%S")


def document_id(issuer_id: str, issued: str | None, number: str, notation: str) -> str:
    """`<issuing agency code>,<yyyy/MM/dd>,<number>/<notation>` (DocumentId)."""
    return f"{issuer_id},{_date(issued) or ''},{number}/{notation}"


def type_code(type_name: str | None) -> int:
    """DocumentType/Type: 2 for a legal normative act, 1 for every administrative document."""
    return 2 if " ".join((type_name or "").lower().split()) in LEGAL_NORMATIVE else 1


def summary(item: dict[str, Any]) -> str:
    """MessageHeader/Content: the description or the subject, at most 500 characters."""
    text = " ".join(str(item.get("Description") or item.get("Subject") or "").split())
    if len(text) <= CONTENT_LENGTH:
        return text
    cut = text[: CONTENT_LENGTH - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


def check_exportable(item: dict[str, Any]) -> None:
    """Refuse (409) a document real validators would refuse for an empty required value."""
    missing = [label for key, label in (("Subject", "trích yếu"), ("CodeNumber", "số"),
                                        ("CodeNotation", "ký hiệu"))
               if not str(item.get(key) or "").strip()]
    if missing:
        raise ConflictError(f"Văn bản {item.get('id')} chưa có {', '.join(missing)}: bổ sung khi "
                            "duyệt trước khi xuất gói edXML.", missing=missing)


def _sub(parent: etree._Element, name: str, text: Any = None) -> etree._Element:
    node = etree.SubElement(parent, _Q + name)
    if text is not None:
        node.text = str(text)
    return node


def _organ(parent: etree._Element, tag: str, organ: Organ) -> None:
    node = _sub(parent, tag)
    for name, value in (("OrganId", organ.organ_id), ("OrganizationInCharge",
                                                      organ.in_charge or organ.name),
                        ("OrganName", organ.name), ("OrganAdd", organ.address),
                        ("Email", organ.email), ("Telephone", organ.telephone),
                        ("Fax", organ.fax), ("Website", organ.website)):
        _sub(node, name, value)


def _staff(parent: etree._Element, staff: Staff) -> None:
    node = _sub(parent, "StaffInfo")
    for name, value in (("Department", staff.department), ("Staff", staff.name),
                        ("Email", staff.email), ("Mobile", staff.mobile)):
        _sub(node, name, value)


def _message(header: etree._Element, item: dict[str, Any], issuer: Organ,
             receivers: Sequence[Organ]) -> str:
    message = _sub(header, "MessageHeader")
    _organ(message, "From", issuer)
    for receiver in receivers:
        _organ(message, "To", receiver)
    number, notation = item.get("CodeNumber") or "", item.get("CodeNotation") or ""
    doc_id = document_id(issuer.organ_id, item.get("IssuedDate"), number, notation)
    _sub(message, "DocumentId", doc_id)
    code = _sub(message, "Code")
    _sub(code, "CodeNumber", number)
    _sub(code, "CodeNotation", notation)
    promulgation = _sub(message, "PromulgationInfo")
    _sub(promulgation, "Place", item.get("Place") or "")
    _sub(promulgation, "PromulgationDate", _date(item.get("IssuedDate")) or "")
    doc_type = _sub(message, "DocumentType")
    _sub(doc_type, "Type", type_code(item.get("TypeName")))
    _sub(doc_type, "TypeDetail", 0)  # the detailed catalogue is not settled (DOMAIN §7)
    _sub(doc_type, "TypeName", item.get("TypeName") or "")
    _sub(message, "Subject", item.get("Subject") or "")
    _sub(message, "Content", summary(item))
    signer = item.get("SignerInfo") or {}
    signer_node = _sub(message, "SignerInfo")
    _sub(signer_node, "Competence", signer.get("Competence") or "")
    _sub(signer_node, "Position", signer.get("Position") or "")
    _sub(signer_node, "FullName", signer.get("FullName") or "")
    if item.get("DueDate"):
        _sub(message, "DueDate", _date(item["DueDate"]))
    other = _sub(message, "OtherInfo")
    _sub(other, "Priority", item.get("Priority") or "0")
    _sub(other, "SphereOfPromulgation", "")
    _sub(other, "TyperNotation", "")
    _sub(other, "PromulgationAmount", 0)  # not printed on incoming paper: unknown
    _sub(other, "PageAmount", int(item.get("PageAmount") or 0))
    _sub(other, "Direction", "false")
    _sub(other, "Appendixes")
    for answered in item.get("ResponseFor") or []:
        node = _sub(message, "ResponseFor")
        for name in ("OrganId", "Code", "PromulgationDate", "DocumentId"):
            _sub(node, name, answered.get(name) or "")
    _sub(message, "SteeringType", 0)
    places = _sub(message, "ToPlaces")
    for place in item.get("PrintedToPlaces") or []:
        _sub(places, "Place", str(place)[:200])
    return doc_id


# The second attachment's description: the signed file as it arrived, which has legal value.
ORIGINAL_DESCRIPTION = "Văn bản gốc có chữ ký số"


def build_edxml(item: dict[str, Any], issuer: Organ, receivers: Organ | Sequence[Organ],
                pdf: bytes, *, tracer: str, business: Business | None = None,
                now: dt.datetime | None = None,
                original: tuple[str, bytes] | None = None) -> bytes:
    """The edXML package (UTF-8 bytes) of one document in its registry shape (registry_item).

    `issuer` is the issuing agency (From, the start of DocumentId), `receivers` our agency (To),
    `tracer` the code of the agency that produced the package (TraceHeader). `original` (file
    name, bytes): the digitally signed file as it arrived, attached second as it is (the copy
    with legal value, docs/DELIVERY.md). Raises ConflictError when a value real validators
    require is empty (check_exportable)."""
    check_exportable(item)
    business = business or Business()
    receivers = [receivers] if isinstance(receivers, Organ) else list(receivers)
    root = etree.Element(_Q + "edXML", nsmap={None: NS})
    envelope = etree.SubElement(root, _Q + "edXMLEnvelope", nsmap={"edXML": NS})
    header = _sub(envelope, "edXMLHeader")
    doc_id = _message(header, item, issuer, receivers)
    trace = _sub(header, "TraceHeaderList")
    hop = _sub(trace, "TraceHeader")
    _sub(hop, "OrganId", tracer)
    _sub(hop, "Timestamp", timestamp(now or dt.datetime.now(dt.UTC)))
    block = _sub(trace, "Bussiness")
    _sub(block, "DocumentId", doc_id)
    _sub(block, "BussinessDocType", int(business.kind))
    _sub(block, "BussinessDocReason", business.reason or REASONS[business.kind])
    _sub(block, "Paper", int(business.paper))
    _staff(block, business.staff)
    manifest = _sub(_sub(envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", MANIFEST_VERSION)
    name = re.sub(r"[/\\]", "-", f"{item.get('CodeNumber')}-{item.get('CodeNotation')}.pdf")
    files = [(f"cid:document-{item['id']}", name, "PDF/A", pdf)]
    if original is not None:
        files.append((f"cid:original-{item['id']}", re.sub(r"[/\\]", "-", original[0]),
                      ORIGINAL_DESCRIPTION, original[1]))
    encoded = _sub(root, "AttachmentEncoded")
    for cid, file_name, description, data in files:
        ref = _sub(manifest, "Reference")
        for tag, value in (("ContentId", cid), ("ContentType", "application/pdf"),
                           ("Description", description), ("AttachmentName", file_name)):
            _sub(ref, tag, value)
        attachment = _sub(encoded, "Attachment")
        for tag, value in (("ContentId", cid), ("AttachmentName", file_name),
                           ("Description", description), ("ContentType", "application/pdf"),
                           ("ContentTransferEncoded", base64.b64encode(data).decode("ascii"))):
            _sub(attachment, tag, value)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


# Reading: producers differ in prefixes, order and namespaces, so children are found by local name.

def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _kids(node: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if node is None else [c for c in node if _local(c) == name]


def _find(node: etree._Element | None, *path: str) -> etree._Element | None:
    for name in path:
        found = _kids(node, name)
        node = found[0] if found else None
    return node


def _val(node: etree._Element | None, *path: str) -> str | None:
    found = _find(node, *path)
    return (found.text or "").strip() if found is not None else None


def _organ_dict(node: etree._Element | None) -> dict[str, str | None]:
    return {key: _val(node, tag) for key, tag in (
        ("id", "OrganId"), ("name", "OrganName"), ("in_charge", "OrganizationInCharge"),
        ("address", "OrganAdd"), ("email", "Email"), ("telephone", "Telephone"), ("fax", "Fax"),
        ("website", "Website"))}


def _attachment(node: etree._Element) -> dict[str, Any]:
    encoded = "".join((_val(node, "ContentTransferEncoded") or "").split())
    return {"content_id": _val(node, "ContentId"), "content_type": _val(node, "ContentType"),
            "name": _val(node, "AttachmentName"), "description": _val(node, "Description"),
            "content": base64.b64decode(encoded, validate=True)}


def parse_edxml(data: bytes) -> dict[str, Any]:
    """Read a package (ours or another producer's): header values and decoded attachments."""
    root = etree.fromstring(data, parser=_PARSER)
    header = _find(root, "edXMLEnvelope", "edXMLHeader")
    message, trace = _find(header, "MessageHeader"), _find(header, "TraceHeaderList")
    business = _find(trace, "Bussiness")
    signer = _find(message, "SignerInfo")
    other = _find(message, "OtherInfo")
    manifest = _find(root, "edXMLEnvelope", "edXMLBody", "edXMLManifest")
    return {
        "from": _organ_dict(_find(message, "From")),
        "to": [_organ_dict(node) for node in _kids(message, "To")],
        "document_id": _val(message, "DocumentId"),
        "code_number": _val(message, "Code", "CodeNumber"),
        "code_notation": _val(message, "Code", "CodeNotation"),
        "place": _val(message, "PromulgationInfo", "Place"),
        "promulgation_date": _val(message, "PromulgationInfo", "PromulgationDate") or None,
        "type": _val(message, "DocumentType", "Type"),
        "type_name": _val(message, "DocumentType", "TypeName"),
        "subject": _val(message, "Subject"), "content": _val(message, "Content"),
        "signer": {"competence": _val(signer, "Competence"), "position": _val(signer, "Position"),
                   "full_name": _val(signer, "FullName")},
        "due_date": _val(message, "DueDate"),
        "to_places": [p.text or "" for p in _kids(_find(message, "ToPlaces"), "Place")],
        "priority": _val(other, "Priority"),
        "page_amount": int(_val(other, "PageAmount") or 0),
        "direction": _val(other, "Direction"),
        "response_for": [{key: _val(node, key) for key in
                          ("OrganId", "Code", "PromulgationDate", "DocumentId")}
                         for node in _kids(message, "ResponseFor")],
        "steering_type": _val(message, "SteeringType"),
        "trace": [{"organ_id": _val(hop, "OrganId"), "timestamp": _val(hop, "Timestamp")}
                  for hop in _kids(trace, "TraceHeader")],
        "business_document_id": _val(business, "DocumentId"),
        "business_type": _val(business, "BussinessDocType"),
        "business_reason": _val(business, "BussinessDocReason"),
        "paper": _val(business, "Paper"),
        "staff": {key: _val(business, "StaffInfo", key)
                  for key in ("Department", "Staff", "Email", "Mobile")},
        "signed": bool(_kids(header, "Signature")),
        "manifest_version": manifest.get("version") if manifest is not None else None,
        "references": [_val(r, "ContentId") for r in _kids(manifest, "Reference")],
        "attachments": [_attachment(a) for a in _kids(_find(root, "AttachmentEncoded"),
                                                      "Attachment")],
    }


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


# What a document packet / a status packet must carry (the presence checks of real validators).
_DOCUMENT_NEEDS = (("From",), ("To",), ("DocumentId",), ("Code", "CodeNumber"),
                   ("Code", "CodeNotation"), ("PromulgationInfo", "Place"),
                   ("PromulgationInfo", "PromulgationDate"), ("DocumentType", "Type"),
                   ("DocumentType", "TypeName"), ("Subject",), ("Content",), ("SignerInfo",),
                   ("OtherInfo", "Priority"), ("OtherInfo", "PageAmount"))
_NOT_EMPTY = (("Subject",), ("Code", "CodeNumber"), ("Code", "CodeNotation"))
_STATUS_NEEDS = (("From",), ("ResponseFor",), ("StatusCode",), ("Timestamp",))
_ORGAN_NEEDS = ("OrganId", "OrganName", "OrganAdd", "Email", "Telephone", "Fax", "Website")
_REPEATABLE = frozenset({"To", "ResponseFor"})


def _presence(message: etree._Element) -> Iterable[str]:
    status = bool(_kids(message, "StatusCode"))
    for path in _STATUS_NEEDS if status else _DOCUMENT_NEEDS:
        if _find(message, *path) is None:
            yield f"MessageHeader/{'/'.join(path)} is missing"
    if status:
        return
    for path in _NOT_EMPTY:
        if _find(message, *path) is not None and not _val(message, *path):
            yield f"MessageHeader/{'/'.join(path)} is empty"
    for tag in ("From", "To"):
        for node in _kids(message, tag):
            for name in _ORGAN_NEEDS:
                if _find(node, name) is None:
                    yield f"MessageHeader/{tag}/{name} is missing"
    seen: dict[str, int] = {}
    for child in message:
        seen[_local(child)] = seen.get(_local(child), 0) + 1
    for name, count in seen.items():
        if count > 1 and name not in _REPEATABLE:
            yield f"MessageHeader/{name} occurs {count} times"


def _attachments_match(root: etree._Element) -> Iterable[str]:
    refs = {_val(r, "ContentId") for r in _kids(
        _find(root, "edXMLEnvelope", "edXMLBody", "edXMLManifest"), "Reference")}
    for node in _kids(_find(root, "AttachmentEncoded"), "Attachment"):
        if _val(node, "ContentId") not in refs:
            yield f"Attachment {_val(node, 'ContentId')} is not in edXMLManifest"
        if not _val(node, "ContentTransferEncoded"):
            yield f"Attachment {_val(node, 'ContentId')} has no ContentTransferEncoded data"


def validate(data: bytes) -> list[str]:
    """Problems found by the project's XSD and the presence rules (empty when valid)."""
    schema = _schema()
    doc = etree.fromstring(data, parser=_PARSER)
    if not schema.validate(doc):
        return [f"line {e.line}: {e.message}" for e in schema.error_log]
    message = _find(doc, "edXMLEnvelope", "edXMLHeader", "MessageHeader")
    problems = list(_presence(message)) if message is not None else ["no MessageHeader"]
    return problems + list(_attachments_match(doc))


@dataclass(frozen=True)
class StatusPacket:
    """A status packet the registry sends back (DOMAIN §7): what it answers and how far it got."""

    code: str
    description: str | None
    at: dt.datetime | None  # the receiver's Timestamp (its local time), aware
    staff: str | None  # StaffInfo: "<Staff> (<Department>)"
    response_for: list[dict[str, str | None]]
    # The due date (DueDate, hạn xử lý) when the registry gives one with the assignment, and the
    # DocumentId of the electronic copy it already had (DuplicateOf, our extension).
    due_date: dt.date | None = None
    duplicate_of: str | None = None


def _local_time(text: str | None) -> dt.datetime | None:
    """A status or trace Timestamp (`yyyy/MM/dd HH:mm:ss`, local time) as an aware datetime."""
    if not text:
        return None
    for pattern in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d"):
        try:
            moment = dt.datetime.strptime(text.strip()[:19], pattern)
        except ValueError:
            continue
        return moment.replace(tzinfo=LOCAL_TZ)
    raise InvalidFieldError(f"Timestamp: {text!r} is not yyyy/MM/dd HH:mm:ss")


def parse_status(data: bytes) -> StatusPacket:
    """Read a status packet (ours or another producer's); InvalidFieldError when it is not one."""
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise InvalidFieldError(f"not well-formed XML: {exc}") from exc
    message = _find(root, "edXMLEnvelope", "edXMLHeader", "MessageHeader")
    code = _val(message, "StatusCode")
    if message is None or not code:
        raise InvalidFieldError("not an edXML status packet (no MessageHeader/StatusCode)")
    staff_node = _find(message, "StaffInfo")
    name, department = _val(staff_node, "Staff"), _val(staff_node, "Department")
    staff = (f"{name} ({department})" if name and department else name or department) or None
    return StatusPacket(
        code=code, description=_val(message, "Description") or None,
        at=_local_time(_val(message, "Timestamp")), staff=staff,
        response_for=[{key: _val(node, key) for key in
                       ("OrganId", "Code", "PromulgationDate", "DocumentId")}
                      for node in _kids(message, "ResponseFor")],
        due_date=_due_date(_val(message, "DueDate")),
        duplicate_of=_val(message, "DuplicateOf") or None)


def _due_date(text: str | None) -> dt.date | None:
    """A DueDate (`yyyy/MM/dd` as edXML writes dates, or `yyyy-MM-dd`)."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10].replace("/", "-"))
    except ValueError as exc:
        raise InvalidFieldError(f"DueDate: {text!r} is not yyyy/MM/dd") from exc
