"""What the registry sees: the feed of ready documents, their metadata in its names, status codes.

Shared by the pull API (intake) and the push sender (worker): both send the same JSON per document.
A document enters the feed when it is confirmed and not restricted: it gets the next delivery
sequence number, taken under a lock on one counter row, so numbers increase in commit order and a
reader holding a cursor never misses a document confirmed later.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import re
from typing import Any

from sqlalchemy.orm import Session

from documents.incoming_signatures import signature_fields
from documents.lifecycle import add_event
from documents.signing import current_signature
from documents.visibility import is_secret
from infra.tables import DeliveryCounter, Document, DocumentStatus
from models.errors import RequestError
from models.vocabulary import MAX_LENGTH, priority

# Status codes the registry reports back (DOMAIN §7), with their Vietnamese names.
STATUS_CODES = {
    "01": "Đã đến", "02": "Từ chối tiếp nhận", "03": "Đã tiếp nhận", "04": "Phân công",
    "05": "Đang xử lý", "06": "Hoàn thành",
    # The revocation flow (DOMAIN §7): a request to revoke the document, agreed or refused.
    "13": "Đề nghị thu hồi", "15": "Đồng ý thu hồi", "16": "Từ chối thu hồi",
}
# Revocation codes are recorded and shown; they do not move the document along CHAIN.
REVOCATION = frozenset({"13", "15", "16"})
REFUSED = "02"
# Codes move forward along this chain (steps may be skipped); 02 only before 03.
CHAIN = ("01", "03", "04", "05", "06")
# The registry has registered the document: the first of these codes is its acknowledgement.
ACKNOWLEDGING = frozenset({"03", "04", "05", "06"})
# Phụ lục VI "Ngôn ngữ" of what we receive: the language of the text (fits the 30-character field).
LANGUAGE = "Tiếng Việt"
# Documents the registry may see (pull) or receive (push).
IN_FEED = (DocumentStatus.CONFIRMED, DocumentStatus.DELIVERED)


def is_restricted(doc: Document) -> bool:
    """A secrecy mark (MẬT, TỐI MẬT, TUYỆT MẬT, or one read uncertainly) or an uncertain "no
    mark" keeps it off the wire: the one rule of documents.visibility."""
    return is_secret(doc)


def encode_cursor(seq: int) -> str:
    """An opaque cursor for the position after `seq`."""
    return base64.urlsafe_b64encode(f"v1:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The delivery sequence a cursor stands for (0: the start)."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _, seq = raw.partition(":")
        if version != "v1" or not seq.isdigit():
            raise ValueError(raw)
        return int(seq)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise RequestError(f"after: {cursor!r} is not a cursor this service gave out") from exc


def mark_ready(session: Session, doc: Document, actor: str) -> bool:
    """Put a just-confirmed document in the registry feed; False (and an event) when restricted."""
    if is_restricted(doc):
        add_event(session, doc, "restricted", None, doc.secrecy or "uncertain",
                  "secrecy mark: not delivered electronically (restricted queue)", actor=actor)
        doc.delivery_seq = None
        return False
    counter = session.get(DeliveryCounter, 1, with_for_update=True)
    if counter is None:
        counter = DeliveryCounter(id=1, value=0)
        session.add(counter)
    counter.value += 1
    doc.delivery_seq = counter.value
    doc.registry_status = None
    doc.refusal = None
    add_event(session, doc, "delivery", None, counter.value, "ready for delivery to the registry",
              actor=actor)
    return True


def _cut(name: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value[: MAX_LENGTH[name]] if name in MAX_LENGTH else value
    return value


def _meta(meta: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = meta.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def arrival_number(value: Any) -> int | None:
    """The number of an arrival stamp (`Số: 215`, `215/ĐẾN`) as a number, None when it has none or
    it is longer than the registry's field (10 digits)."""
    digits = re.search(r"[0-9]+", str(value or ""))
    if digits is None or len(digits.group().lstrip("0") or "0") > MAX_LENGTH["ArrivalNumber"]:
        return None
    return int(digits.group())


def _signature(doc: Document) -> dict[str, Any] | None:
    version = current_signature(doc)
    if version is None:
        return None
    return {"Level": version.get("level"), "SignedAt": version.get("signed_at"),
            "Certificate": version.get("certificate"), "Version": version.get("version")}


def registry_item(doc: Document, base_url: str = "") -> dict[str, Any]:
    """One document in the registry's field names (DOMAIN §5), with links to its files."""
    meta = doc.meta or {}
    signer: dict[str, Any] = meta.get("signer") or {}
    stamp: dict[str, Any] = meta.get("arrival_stamp") or {}
    if not isinstance(signer, dict):
        signer = {}
    if not isinstance(stamp, dict):
        stamp = {}
    places = meta.get("to_places") or []
    if isinstance(places, str):
        places = [places]
    arrival = stamp.get("date") or _iso(doc.paper_arrived_on)
    base = f"{base_url.rstrip('/')}/api"
    item: dict[str, Any] = {
        "id": doc.id,
        "cursor": encode_cursor(doc.delivery_seq or 0),
        "TypeName": _cut("TypeName", doc.doc_type),
        "CodeNumber": _cut("CodeNumber", doc.number),
        "CodeNotation": _cut("CodeNotation", doc.notation),
        "IssuedDate": _iso(doc.issued_date),
        "Place": _cut("Place", _meta(meta, "place")),
        "OrganName": _cut("OrganName", doc.organ),
        "Subject": _cut("Subject", _meta(meta, "subject", "Subject")),
        "Language": LANGUAGE,
        "PageAmount": doc.pages_total,
        "ArrivalDate": arrival,
        # Số đến: the document's number in the agency's yearly series (the printed register's);
        # the number read from the paper's arrival stamp is sent apart, not mixed in.
        "ArrivalNumber": doc.arrival_number,
        "ArrivalStampNumber": arrival_number(stamp.get("number")),
        "SignerInfo": {
            "Competence": signer.get("competence"),
            "Position": _cut("Position", signer.get("position")),
            "FullName": _cut("FullName", signer.get("full_name")),
        },
        "Priority": priority(doc.urgency),
        # Phụ lục VI "Đơn vị hoặc người nhận": the unit inside the agency that receives it; the
        # printed "Nơi nhận" list goes under its own name.
        "ToPlaces": [doc.unit] if doc.unit else [],
        "PrintedToPlaces": [str(p) for p in places],
        "DueDate": None,
        "Description": None,
        "status": doc.status,
        "registry_status": doc.registry_status,
        # The agency's PAdES signature of the linked PDF (docs/SIGNING.md); null: unsigned (no
        # certificate configured when it was confirmed).
        "Signature": _signature(doc),
        "confirmed_at": _iso(doc.confirmed_at),
        "delivered_at": _iso(doc.delivered_at),
        # The scan's image against Nghị định 30, Phụ lục I (colour, >= 200 dpi, paper size known);
        # None: not a scan. Not eligible: the paper is still needed (copy_reasons say why).
        **copy_fields(doc),
        # The original file's own digital signatures, checked on arrival (docs/DELIVERY.md).
        **signature_fields(doc.incoming_signatures),
        "links": {
            "self": f"{base}/documents/{doc.id}",
            "pdf": f"{base}/documents/{doc.id}/pdf",
            "edxml": f"{base}/documents/{doc.id}/edxml",
            "status": f"{base}/registry/documents/{doc.id}/status",
        },
    }
    # The signed original is the copy with legal value: linked when the file holds this document
    # alone (the download checks it again: pages may have moved since).
    if doc.incoming_signatures and (doc.split or {}).get("documents_in_file", 1) == 1:
        item["links"]["original"] = f"{base}/documents/{doc.id}/original"
    return item


def copy_fields(doc: Document) -> dict[str, Any]:
    """`copy_eligible` (None: not a scan) and `copy_reasons` of a document's image."""
    reasons = doc.copy_reasons
    return {"copy_eligible": None if reasons is None else not reasons,
            "copy_reasons": list(reasons or [])}


def check_transition(current: str | None, code: str, reason: str | None) -> None:
    """Raise a RequestError/ConflictError naming why `current -> code` is not allowed."""
    from models.errors import ConflictError, InvalidFieldError

    if code not in STATUS_CODES:
        raise InvalidFieldError(f"code: {code!r} is not a registry status code "
                                f"({', '.join(f'{k} {v}' for k, v in STATUS_CODES.items())})")
    if code in REVOCATION:
        return
    if code == REFUSED:
        if not (reason or "").strip():
            raise InvalidFieldError("code 02 (Từ chối tiếp nhận) needs a reason")
        if current not in (None, "01"):
            raise ConflictError(f"the registry already reported {current} "
                                f"({STATUS_CODES[current or '']}); it can no longer refuse")
        return
    if current == REFUSED:
        raise ConflictError("the document was refused (02) and is back with the clerk")
    if current is not None and CHAIN.index(code) < CHAIN.index(current):
        raise ConflictError(f"status cannot go back from {current} ({STATUS_CODES[current]}) "
                            f"to {code} ({STATUS_CODES[code]})")


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The X-Intake-Signature header value: sha256=<hex HMAC-SHA256 of `<timestamp>.<body>`>.

    The timestamp (unix seconds, sent as X-Intake-Timestamp) is inside the MAC, so a receiver that
    refuses old timestamps cannot be fed a captured push again later (docs/DELIVERY.md)."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def idempotency_key(document_id: int, subscription_id: int, delivery_seq: int) -> str:
    """Stable for one document x webhook x readiness (a re-confirmed document gets a new one)."""
    return f"intake-{document_id}-{subscription_id}-{delivery_seq}"
