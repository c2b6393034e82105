"""What the API answers, typed: the one error shape and the document shapes several routers share.

The services build plain dicts (intake/services/views.py); these models document them in the
OpenAPI description and check them on the way out. Routes drop the keys a service left out
(`intake.routers.ApiRouter`), so an optional key absent today stays absent: a model's default
never adds a key to an answer. Shapes of one resource only live beside its router.
"""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import Interval
from pydantic import BaseModel, ConfigDict, Field

from models.errors import error_classes
from models.metadata import FieldValue, Metadata
from models.result import Word
from models.vocabulary import DocumentStatus, PageStatus

# --- parameters -------------------------------------------------------------------------------

MAX_ID = 2**31 - 1  # the largest INTEGER of PostgreSQL (ids, page indexes); SQLite's is 2**63 - 1
DbInt = Annotated[int, Interval(ge=0, le=MAX_ID)]
"""An id or page index: never negative, never beyond the integer columns of both databases (a
larger one would overflow in the database driver, a 500, instead of being refused with 422)."""
MAX_OFFSET = 1_000_000_000  # far beyond any list; offset + limit still fits the databases
Offset = Annotated[int, Interval(ge=0, le=MAX_OFFSET)]
"""How many items of a list to skip."""
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"
"""`pattern=` of a text parameter: no control characters (PostgreSQL refuses NUL in text)."""

# --- errors -----------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    """What went wrong: a stable code and a message for people."""

    model_config = ConfigDict(extra="allow")  # errors stored by older versions keep their keys

    code: str = Field(description="stable: not_found, conflict, invalid_field, bad_request, ...")
    message: str
    details: dict[str, Any] | None = Field(None, description="only some errors: e.g. the "
                                                            "parameters FastAPI refused")


class ErrorResponse(BaseModel):
    """The one error shape of the API (and of the CLI and jobs)."""

    error: ErrorBody


# HTTP status -> what it means here; the codes are the error classes' (models/errors.py).
_MEANING = {
    400: "The request is malformed",
    401: "Not signed in, or the session or token is no longer valid",
    403: "This account or token may not do this",
    404: "The batch, document, file, webhook or delivery does not exist",
    409: "The request does not fit the current state",
    413: "Too large (files or their number)",
    415: "Not a file type the service reads",
    422: "A parameter, body or field value is not valid",
    503: "A program the service needs is missing",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route that can answer these error statuses, in the one error shape."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        codes = sorted({c.code for c in error_classes() if c.http_status == status}
                       | ({"bad_request"} if status == 422 else set()))
        out[status] = {"model": ErrorResponse,
                       "description": f"{_MEANING[status]} (`error.code`: {', '.join(codes)})"}
    return out


def binary(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry of a route answering a file rather than JSON."""
    text = media_type.startswith("text/") or media_type.endswith(("/xml", "+xml"))
    schema = {"type": "string"} if text else {"type": "string", "format": "binary"}
    return {200: {"description": description, "content": {media_type: {"schema": schema}}}}


# --- documents --------------------------------------------------------------------------------


class DocumentLinks(BaseModel):
    """Where to read more: `pdf` once there is a PDF/A, `edxml` once it is in the registry feed."""

    model_config = ConfigDict(serialize_by_alias=True)

    self_: str = Field(alias="self")
    original: str
    pdf: str | None = None
    edxml: str | None = None


class DeliveryState(BaseModel):
    """Where the document is on its way to the registry (docs/DELIVERY.md)."""

    state: str = Field(description="not_ready, confirmed, delivered, restricted or refused")
    in_feed: bool
    registry_status: str | None = Field(description="the registry's last status code (01-06)")
    registry_status_name: str | None
    refusal: str | None = Field(description="why the registry refused it (code 02)")


class SplitInfo(BaseModel):
    """How the document was cut from its file (split) or corrected by a clerk."""

    model_config = ConfigDict(extra="allow")

    boundary: str | None = Field(None, description="start, separator or auto")
    confidence: float | None = Field(None, description="that its first page starts a document")
    needs_review: bool | None = None
    reasons: list[str] | None = None
    source_pages: list[int | None] | None = Field(None, description="0-based pages of the file")
    blank_pages: list[int] | None = None
    separator_pages: list[int] | None = None
    documents_in_file: int | None = None
    corrected: bool | None = Field(None, description="a clerk corrected the pages")


class DocumentSummary(BaseModel):
    """A document as lists show it."""

    id: int
    batch_id: int
    title: str
    status: DocumentStatus
    number: str | None = Field(description="CodeNumber")
    notation: str | None = Field(description="CodeNotation")
    organ: str | None = Field(description="OrganName: the issuing agency")
    type: str | None = Field(description="TypeName, e.g. `Quyết định`")
    urgency: str | None
    secrecy: str | None
    secrecy_level: int = Field(ge=0, le=4, description="0 none, 1 uncertain (a mark not read "
                               "with certainty, or no mark without proof), 2 MẬT, 3 TỐI MẬT, "
                               "4 TUYỆT MẬT")
    restricted: bool = Field(description="secrecy_level above 0: seen only with the secret "
                             "clearance, never delivered to the registry")
    issued_date: str | None = Field(json_schema_extra={"format": "date"})
    review_count: int = Field(description="fields a clerk still has to look at")
    pages_total: int
    pages_done: int
    attempts: int
    error: ErrorBody | None = Field(description="why processing failed (or was partial)")
    possible_duplicate_of: int | None = Field(description="a document with the same number, "
                                                          "symbol and agency")
    uploaded_at: str | None = Field(json_schema_extra={"format": "date-time"})
    recognised_at: str | None = Field(json_schema_extra={"format": "date-time"})
    confirmed_at: str | None = Field(json_schema_extra={"format": "date-time"})
    delivered_at: str | None = Field(json_schema_extra={"format": "date-time"})
    acknowledged_at: str | None = Field(json_schema_extra={"format": "date-time"})
    registry_status: str | None
    paper_arrived_on: str | None = Field(json_schema_extra={"format": "date"})
    unit: str | None = Field(description="the receiving unit of its batch")
    split: SplitInfo | None
    updated_at: str | None = Field(json_schema_extra={"format": "date-time"})
    links: DocumentLinks
    delivery: DeliveryState


class DocumentList(BaseModel):
    """A page of documents with the total for the filters."""

    items: list[DocumentSummary]
    total: int
    limit: int
    offset: int


class QueueItem(DocumentSummary):
    """A document waiting for a clerk, with its summary line."""

    subject: str | None


class ReviewQueue(BaseModel):
    """Documents waiting for a clerk, urgent first; how many of them are urgent."""

    items: list[QueueItem]
    total: int
    urgent: int
    failed: int = Field(0, description="documents that could not be processed (status `failed`), "
                        "whatever the list's filters: to retry or discard")
    limit: int
    offset: int


class PageView(BaseModel):
    """One page of a document as the review screen shows it."""

    index: int = Field(description="0-based")
    status: PageStatus
    source: str | None = Field(description="ocr or text_layer")
    rotation: int
    mean_confidence: float | None
    width: int
    height: int
    dpi: int
    error: ErrorBody | None
    words: list[Word] = Field(description="recognised words with boxes in page pixels")
    image: str | None = Field(description="the page image (JPEG), if there is one")


class HistoryEvent(BaseModel):
    """One entry of a document's history."""

    at: str | None = Field(json_schema_extra={"format": "date-time"})
    actor: str = Field(description="`user:<name>`, `system:<part>` or `registry:<staff>`")
    action: str
    field: str | None
    old: Any
    new: Any
    detail: str


class IncomingSignature(BaseModel):
    """One digital signature the incoming PDF carried, checked when it was processed
    (documents/incoming_signatures.py, docs/DELIVERY.md)."""

    model_config = ConfigDict(extra="allow")

    field: str = Field(description="the signature field's name in the PDF")
    signer: str | None = Field(None, description="certificate subject CN")
    organization: str | None = Field(None, description="certificate subject O")
    subject: str | None = None
    issuer: str | None = Field(None, description="issuing CA's CN")
    signed_at: str | None = Field(None, json_schema_extra={"format": "date-time"})
    time_source: str | None = Field(None, description="`timestamp` (a valid signature "
                                    "timestamp) or `signer` (the signer's own clock)")
    integrity: str = Field(description="`intact` or `modified` (the signed bytes changed)")
    changes_after: str | None = Field(None, description="later updates: `none`, `allowed` "
                                      "(form filling, signatures, validation data), `not_allowed`")
    certificate: str = Field(description="`trusted`, `untrusted`, `expired`, `not_yet_valid`, "
                             "`revoked` (`unknown`: no certificate)")
    status: str = Field(description="the worst that applies: `invalid`, `modified`, `revoked`, "
                        "`expired`, `not_yet_valid`, `untrusted`, `valid`")
    status_vi: str | None = None
    message: str | None = Field(None, description="one Vietnamese line for the clerk")
    weak_hash: bool | None = Field(None, description="signed with SHA-1 (or MD5)")
    expired_since_signing: bool | None = Field(
        None, description="the certificate expired after a signing a trusted timestamp proves")


class AgencySignature(BaseModel):
    """The agency's signature of the legal copy (docs/SIGNING.md)."""

    state: str = Field(description="pending | signed | failed")
    level: str | None = Field(None, description="B-B, B-T or B-LT")
    signed_at: str | None = Field(None, json_schema_extra={"format": "date-time"})
    certificate: str | None = Field(None, description="the name of the certificate used")
    version: int | None = Field(None, description="1, then 2, ... after corrections")
    error: str | None = Field(None, description="why it could not be signed (failed)")


class DocumentDetail(DocumentSummary):
    """Everything about a document: metadata, fields with evidence, pages, text, history."""

    filename: str | None
    sha256: str
    copy_eligible: bool | None = Field(
        None, description="the scan's image meets Nghị định 30, Phụ lục I (colour, at least 200 "
        "dpi, known paper size at 100%); null: not a scan. Signing is separate.")
    copy_reasons: list[str] = Field(
        default_factory=list,
        description="why not: `low_resolution:150dpi`, `unknown_size`, `not_colour`")
    copy_note: str | None = Field(None, description="the same in Vietnamese, for the clerk")
    signatures: list[IncomingSignature] | None = Field(
        None, description="the original PDF's digital signatures ([]: none; null: not a PDF, "
        "or processed before they were checked)")
    signatures_status: str | None = Field(None, description="the worst signature status")
    signatures_note: str | None = Field(None, description="the same in Vietnamese, e.g. "
                                        "'Văn bản có chữ ký số: …, ký lúc … — Hợp lệ'")
    agency_signature: AgencySignature | None = Field(
        None, description="the agency's PAdES signature of the PDF/A (docs/SIGNING.md); null: "
        "not to be signed (no certificate configured when it was confirmed)")
    agency_signature_note: str | None = Field(None, description="the same in Vietnamese")
    metadata: Metadata
    fields: dict[str, FieldValue] = Field(description="per metadata key: value and evidence")
    text: str
    pages: list[PageView]
    history: list[HistoryEvent]
