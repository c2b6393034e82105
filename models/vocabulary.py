"""The product's words, defined once: statuses, secrecy and urgency marks, field lengths.

Statuses are `StrEnum`s: a member is its string, so the tables keep plain `String` columns (the
migrations are unchanged) and a value read back from the database compares equal to a member.
"""

from __future__ import annotations

import re
import unicodedata
from enum import IntEnum, StrEnum


class DocumentStatus(StrEnum):
    """Where a document is in its life."""

    QUEUED = "queued"
    PROCESSING = "processing"
    READY_FOR_REVIEW = "ready_for_review"
    FAILED = "failed"
    CONFIRMED = "confirmed"  # checked by a clerk (or auto-confirmed): ready for delivery
    DELIVERED = "delivered"  # handed to the registry (pulled or pushed)
    DELETED = "deleted"  # emptied by a correction (all its pages moved or deleted); kept for history


class PageStatus(StrEnum):
    """Progress of one page."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class BatchStatus(StrEnum):
    """Progress of a batch, derived from its documents (not stored)."""

    RECEIVED = "received"  # the batch job has not cut its files into documents yet
    PROCESSING = "processing"  # some document is still queued or being recognised
    DONE = "done"
    FAILED = "failed"  # every document failed


class OutboxState(StrEnum):
    """Where one push delivery is."""

    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a sender until lease_until
    DELIVERED = "delivered"  # the receiver answered 2xx
    PARKED = "parked"  # gave up after the allowed attempts (or a 4xx): a person may retry it
    CANCELLED = "cancelled"  # the document left the feed (refused) or the webhook was deleted


class Secrecy(StrEnum):
    """Secrecy marks (độ mật), stored and shown in these spellings. A marked document is never
    delivered electronically by automation (restricted queue)."""

    MAT = "MẬT"
    TOI_MAT = "TỐI MẬT"
    TUYET_MAT = "TUYỆT MẬT"


class SecrecyLevel(IntEnum):
    """How restricted a document is, in order (the strictest of several parts is the maximum).

    `UNCERTAIN`: no mark was read, but that is no proof (the page's colour was not searched, or a
    stamp there could not be read): restricted like a mark until a person decides."""

    NONE = 0
    UNCERTAIN = 1
    MAT = 2
    TOI_MAT = 3
    TUYET_MAT = 4

    @classmethod
    def of_mark(cls, mark: str | None) -> SecrecyLevel:
        """The level of a stored mark: NONE when empty, UNCERTAIN when it is not a known mark."""
        if not (mark or "").strip():
            return cls.NONE
        parsed = parse_secrecy(mark)
        return cls[parsed.name] if parsed is not None else cls.UNCERTAIN

    @property
    def mark(self) -> Secrecy | None:
        """The secrecy mark of this level (None for NONE and UNCERTAIN)."""
        return Secrecy[self.name] if self.name in Secrecy.__members__ else None


class Urgency(StrEnum):
    """Urgency marks (độ khẩn, Nghị định 30/2020 Điều 4, 23: handled at once), stored and shown in
    these spellings; `priority` is the registry's code for it (edXML OtherInfo/Priority)."""

    KHAN = "KHẨN"
    THUONG_KHAN = "THƯỢNG KHẨN"
    HOA_TOC = "HỎA TỐC"
    HOA_TOC_HEN_GIO = "HỎA TỐC HẸN GIỜ"

    @property
    def priority(self) -> str:
        """The registry's Priority code (DOMAIN §7)."""
        return _PRIORITY[self]


# edXML OtherInfo/Priority: 0 normal, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc, 4 Hỏa tốc hẹn giờ.
PRIORITY_NORMAL = "0"
_PRIORITY = {Urgency.KHAN: "1", Urgency.THUONG_KHAN: "2", Urgency.HOA_TOC: "3",
             Urgency.HOA_TOC_HEN_GIO: "4"}
# Older tone placement (hoả) seen in documents, read as the spelling above.
_URGENCY_VARIANTS = {"HOẢ TỐC": Urgency.HOA_TOC, "HOẢ TỐC HẸN GIỜ": Urgency.HOA_TOC_HEN_GIO}
# Every spelling of an urgency mark a stored document may carry, each mark then its variants
# (reports count them all as urgent).
URGENT_SPELLINGS: tuple[str, ...] = tuple(
    spelling for mark in Urgency
    for spelling in (str(mark), *(v for v, m in _URGENCY_VARIANTS.items() if m is mark))
)


def _mark_text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).upper().split())


def parse_secrecy(value: str | None) -> Secrecy | None:
    """The secrecy mark written in `value` (any case and spacing), None when it is not one."""
    text = _mark_text(value or "")
    return next((m for m in Secrecy if m == text), None)


def parse_urgency(value: str | None) -> Urgency | None:
    """The urgency mark written in `value` (any case and spacing, `HOẢ` or `HỎA`), None when it is
    not one."""
    text = _mark_text(value or "")
    return _URGENCY_VARIANTS.get(text) or next((m for m in Urgency if m == text), None)


def priority(urgency: str | None) -> str:
    """The registry's Priority code of a stored urgency mark ("0" when none or not a mark)."""
    mark = parse_urgency(urgency)
    return mark.priority if mark is not None else PRIORITY_NORMAL


# The longest value of each field, in the registry's names (Nghị định 30/2020, Phụ lục VI; DOMAIN
# §5). Extraction rejects longer readings, a clerk's longer value is refused, the registry feed
# cuts to it and the table columns are this wide.
MAX_LENGTH: dict[str, int] = {
    "DocOrdinal": 3,
    "TypeName": 100,
    "CodeNumber": 11,
    "CodeNotation": 30,
    "OrganName": 200,  # the issuing agency, and the parent agency line above it
    "Subject": 500,
    "Language": 30,
    "PageAmount": 3,
    "Description": 500,
    "ArrivalNumber": 10,
    "Position": 100,
    "FullName": 50,
    "Priority": 1,
    "ToPlaces": 1000,
    "Place": 100,  # PromulgationInfo/Place (not in Phụ lục VI): the place before the date
    "Mark": 20,  # ours: a secrecy or urgency mark as stored (the registry gets Priority)
}


# An agency code (mã định danh, Quyết định 20/2020/QĐ-TTg): 3 digits, 2, 2, the level-1 letter and
# 2 digits (13 characters, `000.00.00.H41`); codes of units below add segments, up to 35.
AGENCY_CODE = re.compile(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}(\.[0-9A-Z]{1,5})*")
AGENCY_CODE_MAX = 35


def is_agency_code(value: str) -> bool:
    """True for a well-formed agency code."""
    return len(value) <= AGENCY_CODE_MAX and AGENCY_CODE.fullmatch(value) is not None
