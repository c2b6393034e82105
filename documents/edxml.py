"""edXML packages (QCVN 102:2016, DOMAIN §7): build one for a ready document, read one back.

The header comes from the registry view of the document (documents/registry.py) and the configured
sender agency; the PDF/A travels base64-encoded as the one attachment. documents/data/edxml.xsd is
the schema written from DOMAIN §7 that `validate` checks against.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
XSD = Path(__file__).resolve().parent / "data" / "edxml.xsd"
_Q = f"{{{NS}}}"


@dataclass(frozen=True)
class Organ:
    """An agency in an edXML header: its code (mã định danh) and name."""

    organ_id: str
    name: str


def _date(iso: str | None) -> str | None:
    """ISO date -> the YYYY/MM/DD form of the public samples."""
    return iso.replace("-", "/") if iso else None


def _sub(parent: etree._Element, name: str, text: Any = None) -> etree._Element:
    node = etree.SubElement(parent, _Q + name)
    if text is not None:
        node.text = str(text)
    return node


def _organ(parent: etree._Element, tag: str, organ: Organ) -> None:
    node = _sub(parent, tag)
    _sub(node, "OrganId", organ.organ_id)
    _sub(node, "OrganName", organ.name)


def build_edxml(item: dict[str, Any], sender: Organ, receiver: Organ, pdf: bytes,
                content: str = "", now: dt.datetime | None = None) -> bytes:
    """The edXML package (UTF-8 bytes) of one document in its registry shape (registry_item)."""
    now = now or dt.datetime.now(dt.UTC)
    root = etree.Element(_Q + "edXML", nsmap={"edXML": NS})
    header = _sub(_sub(root, "edXMLEnvelope"), "edXMLHeader")
    message = _sub(header, "MessageHeader")
    _organ(message, "From", sender)
    _organ(message, "To", receiver)
    number, notation = item.get("CodeNumber") or "", item.get("CodeNotation") or ""
    issued = _date(item.get("IssuedDate"))
    _sub(message, "DocumentId", f"{sender.organ_id},{issued or ''},{number}/{notation}")
    code = _sub(message, "Code")
    _sub(code, "CodeNumber", number)
    _sub(code, "CodeNotation", notation)
    promulgation = _sub(message, "PromulgationInfo")
    _sub(promulgation, "Place", item.get("Place") or "")
    if issued:
        _sub(promulgation, "PromulgationDate", issued)
    if item.get("OrganName"):
        _sub(promulgation, "OrganName", item["OrganName"])
    doc_type = _sub(message, "DocumentType")
    _sub(doc_type, "Type", 0)  # the numeric catalogue is not settled (DOMAIN §7): the name rules
    _sub(doc_type, "TypeDetail", 0)
    _sub(doc_type, "TypeName", item.get("TypeName") or "")
    _sub(message, "Subject", item.get("Subject") or "")
    if content:
        _sub(message, "Content", content)
    signer = item.get("SignerInfo") or {}
    signer_node = _sub(message, "SignerInfo")
    if signer.get("Competence"):
        _sub(signer_node, "Competence", signer["Competence"])
    _sub(signer_node, "Position", signer.get("Position") or "")
    _sub(signer_node, "FullName", signer.get("FullName") or "")
    if item.get("DueDate"):
        _sub(message, "DueDate", _date(item["DueDate"]))
    places = _sub(message, "ToPlaces")
    for place in item.get("ToPlaces") or []:
        _sub(places, "Place", str(place)[:200])
    other = _sub(message, "OtherInfo")
    _sub(other, "Priority", item.get("Priority") or "0")
    _sub(other, "PageAmount", int(item.get("PageAmount") or 0))
    _sub(message, "SteeringType", 0)
    trace = _sub(header, "TraceHeaderList")
    hop = _sub(trace, "TraceHeader")
    _sub(hop, "OrganId", sender.organ_id)
    _sub(hop, "Timestamp", now.isoformat(timespec="seconds"))
    business = _sub(trace, "Bussiness")
    _sub(business, "BussinessDocType", 0)  # a new document
    _sub(business, "Paper", 1)  # digitised from paper: the paper copy exists
    body = root[0]
    manifest = _sub(_sub(body, "edXMLBody"), "edXMLManifest")
    cid = f"cid:document-{item['id']}"
    name = f"{number or item['id']}-{notation}.pdf".replace("/", "-") if notation else \
        f"document-{item['id']}.pdf"
    ref = _sub(manifest, "Reference")
    for tag, value in (("ContentId", cid), ("ContentType", "application/pdf"),
                       ("Description", "PDF/A"), ("AttachmentName", name)):
        _sub(ref, tag, value)
    attachment = _sub(_sub(root, "AttachmentEncoded"), "Attachment")
    for tag, value in (("ContentId", cid), ("ContentType", "application/pdf"),
                       ("Description", "PDF/A"), ("AttachmentName", name),
                       ("ContentTransferEncoded", "base64"),
                       ("Content", base64.b64encode(pdf).decode("ascii"))):
        _sub(attachment, tag, value)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _find(node: etree._Element | None, *names: str) -> etree._Element | None:
    for name in names:
        if node is None:
            return None
        node = node.find(_Q + name)
    return node


def _children(node: etree._Element | None) -> list[etree._Element]:
    return list(node) if node is not None else []


def _val(node: etree._Element | None, *names: str) -> str | None:
    found = _find(node, *names) if node is not None else None
    return found.text if found is not None else None


def parse_edxml(data: bytes) -> dict[str, Any]:
    """Read a package back: header values and attachments (content decoded)."""
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
    message = _find(root, "edXMLEnvelope", "edXMLHeader", "MessageHeader")
    trace = _find(root, "edXMLEnvelope", "edXMLHeader", "TraceHeaderList")
    signer = _find(message, "SignerInfo")
    organ = (lambda tag: {"id": _val(message, tag, "OrganId"),  # noqa: E731
                          "name": _val(message, tag, "OrganName")})
    places = _find(message, "ToPlaces")
    attachments = [
        {"content_id": _val(a, "ContentId"), "content_type": _val(a, "ContentType"),
         "name": _val(a, "AttachmentName"),
         "content": base64.b64decode(_val(a, "Content") or "")}
        for a in _children(_find(root, "AttachmentEncoded"))
    ]
    return {
        "from": organ("From"), "to": organ("To"),
        "document_id": _val(message, "DocumentId"),
        "code_number": _val(message, "Code", "CodeNumber"),
        "code_notation": _val(message, "Code", "CodeNotation"),
        "place": _val(message, "PromulgationInfo", "Place"),
        "promulgation_date": _val(message, "PromulgationInfo", "PromulgationDate"),
        "organ_name": _val(message, "PromulgationInfo", "OrganName"),
        "type_name": _val(message, "DocumentType", "TypeName"),
        "subject": _val(message, "Subject"), "content": _val(message, "Content"),
        "signer": {"competence": _val(signer, "Competence"), "position": _val(signer, "Position"),
                   "full_name": _val(signer, "FullName")},
        "to_places": [p.text for p in _children(places)],
        "priority": _val(message, "OtherInfo", "Priority"),
        "page_amount": int(_val(message, "OtherInfo", "PageAmount") or 0),
        "business_type": _val(trace, "Bussiness", "BussinessDocType"),
        "paper": _val(trace, "Bussiness", "Paper"),
        "references": [_val(r, "ContentId") for r in
                       _children(_find(root, "edXMLEnvelope", "edXMLBody", "edXMLManifest"))],
        "attachments": attachments,
    }


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def validate(data: bytes) -> list[str]:
    """Problems found by the project's XSD (empty when the package is valid)."""
    schema = _schema()
    doc = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
