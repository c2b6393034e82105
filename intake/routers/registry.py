"""The registry's side: pull feed, status reports, restricted queue, webhooks, edXML."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from documents import delivery
from documents.agency_codes import issuer_code, suggest
from documents.edxml import Organ, build_edxml, issuer_organ, parse_status
from documents.edxml_resend import business_of
from documents.edxml_sign import sign_edxml, signing_identity
from documents.registry import IN_FEED, is_restricted, registry_item
from documents.reports import LOCAL_TZ
from infra.database import session_scope
from infra.storage import open_store, original_key
from infra.tables import Document
from intake.auth.principal import Principal
from intake.deps import Administrator, Clerk, ClerkOrRegistry, Registry, SettingsDep
from intake.routers import ApiRouter
from intake.schemas import DbInt, DocumentList, IncomingSignature, Offset, binary, errors
from intake.services.access import original_alone, visible_document
from models.errors import ConflictError, NotFoundError
from models.settings import Settings
from models.vocabulary import DocumentStatus, OutboxState

router = ApiRouter(prefix="/api", tags=["registry"])


class StatusReport(BaseModel):
    """A status the registry reports for a document (DOMAIN §7)."""

    code: str = Field(..., description="01 arrived, 02 refused (reason required), 03 accepted, "
                      "04 assigned, 05 in progress, 06 done; 13 revocation requested, 15 "
                      "revocation agreed, 16 revocation refused", examples=["03"])
    reason: str | None = Field(None, max_length=2000,
                               description="why it was refused (02), or a note")
    staff: str | None = Field(None, max_length=80, description="who at the registry")
    at: dt.datetime | None = Field(None, description="when the registry did it, its own clock "
                                   "(ISO 8601; without an offset: Vietnam time); the "
                                   "acknowledgement time of 03-06 when given, and of 06 "
                                   "the end of handling")
    due_date: dt.date | None = Field(None, description="the due date (hạn xử lý, YYYY-MM-DD) "
                                     "the registry gave when it assigned the handling unit",
                                     examples=["2026-01-30"])
    duplicate_of: str | None = Field(
        None, max_length=200, description="the edXML DocumentId of the electronic copy the "
        "registry already received: this delivered document duplicates it",
        examples=["000.00.00.G22,2026/01/16,87/QĐ-VPCP"])


class NewSubscription(BaseModel):
    """A webhook that receives every ready document."""

    url: str = Field(..., max_length=1000, examples=["https://qlvb.example.gov.vn/hook"])
    secret: str | None = Field(None, max_length=200,
                               description="HMAC key; generated (and shown once) when empty")
    from_start: bool = Field(False, description="also send documents already in the feed")


# --- answers ----------------------------------------------------------------------------------

class RegistrySigner(BaseModel):
    Competence: str | None = Field(description="signing capacity, e.g. `KT. CHỦ TỊCH`")
    Position: str | None = Field(description="100 characters at most")
    FullName: str | None = Field(description="50 characters at most")


class RegistryLinks(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)

    self_: str = Field(alias="self")
    pdf: str
    edxml: str
    status: str = Field(description="where to report a status (POST)")
    original: str | None = Field(None, description="the file as it arrived, when it carries "
                                 "digital signatures (the copy with legal value)")


class RegistrySignature(BaseModel):
    """The agency's PAdES signature of the linked PDF (docs/SIGNING.md)."""

    Level: str = Field(description="B-B, B-T (timestamped) or B-LT (with validation data)")
    SignedAt: str = Field(json_schema_extra={"format": "date-time"})
    Certificate: str = Field(description="the name of the certificate used")
    Version: int = Field(description="1, then 2, ... when signed again after a correction")


class RegistryItem(BaseModel):
    """One ready document in the registry's field names (Nghị định 30, Phụ lục VI; DOMAIN §5)."""

    id: int
    cursor: str = Field(description="`after` for the documents that follow this one")
    TypeName: str | None = Field(description="100 characters at most")
    CodeNumber: str | None = Field(description="11 characters at most")
    CodeNotation: str | None = Field(description="30 characters at most")
    IssuedDate: str | None = Field(json_schema_extra={"format": "date"})
    Place: str | None
    OrganName: str | None = Field(description="the issuing agency, 200 characters at most")
    Subject: str | None = Field(description="500 characters at most")
    Language: str = Field(description="Tiếng Việt")
    PageAmount: int
    ArrivalDate: str | None = Field(json_schema_extra={"format": "date"})
    ArrivalNumber: int | None = Field(description="Số đến: the number in the agency's yearly "
                                      "series of incoming documents (the printed register's)")
    ArrivalStampNumber: int | None = Field(description="the number read from the paper's "
                                           "arrival stamp, when there is one")
    SignerInfo: RegistrySigner
    Priority: str = Field(description="0 normal, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc")
    ToPlaces: list[str] = Field(description="the unit of the agency that receives the document "
                                "(Phụ lục VI: Đơn vị hoặc người nhận)")
    PrintedToPlaces: list[str] = Field(description="the printed Nơi nhận list of the paper")
    DueDate: str | None = Field(json_schema_extra={"format": "date"})
    Description: str | None
    Signature: RegistrySignature | None = Field(
        None, description="null: delivered unsigned (no signing certificate configured)")
    status: DocumentStatus = Field(description="confirmed or delivered")
    registry_status: str | None
    confirmed_at: str | None = Field(json_schema_extra={"format": "date-time"})
    delivered_at: str | None = Field(json_schema_extra={"format": "date-time"})
    signatures: list[IncomingSignature] | None = Field(
        None, description="the original PDF's own digital signatures as checked on arrival "
        "([]: none; null: not a PDF)")
    signatures_status: str | None = Field(None, description="the worst signature status")
    signatures_note: str | None = Field(None, description="the same in Vietnamese")
    copy_eligible: bool | None = Field(
        None, description="the scan's image meets Nghị định 30, Phụ lục I (colour, at least 200 "
        "dpi, known paper size at 100%); false: the paper is still needed; null: not a scan")
    copy_reasons: list[str] = Field(
        default_factory=list,
        description="why not: `low_resolution:150dpi`, `unknown_size`, `not_colour`")
    links: RegistryLinks


class Feed(BaseModel):
    """A page of the feed of ready documents."""

    items: list[RegistryItem]
    next: str = Field(description="`after` of the next page (the same cursor when none is new)")
    has_more: bool
    limit: int


class RegistryReport(BaseModel):
    """One status the registry reported."""

    at: str = Field(json_schema_extra={"format": "date-time"})
    code: Any = Field(description="01-06")
    name: str | None
    previous: Any
    by: str
    detail: str


class StatusAnswer(BaseModel):
    """The document after a status report; `changed` false when it repeated the last one."""

    id: int
    status: DocumentStatus
    registry_status: str | None
    registry_status_name: str | None
    refusal: str | None
    changed: bool
    delivered_at: str | None = Field(json_schema_extra={"format": "date-time"})
    acknowledged_at: str | None = Field(json_schema_extra={"format": "date-time"})
    due_date: str | None = Field(None, json_schema_extra={"format": "date"},
                                 description="the due date the registry gave (hạn xử lý)")
    handled_at: str | None = Field(None, json_schema_extra={"format": "date-time"},
                                   description="when handling finished (status 06)")
    registry_duplicate_of: str | None = Field(
        None, description="the DocumentId of the electronic copy the registry already had")
    history: list[RegistryReport]


class Subscription(BaseModel):
    """A webhook with its deliveries counted per state."""

    id: int
    url: str
    created_by: str
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    deleted_at: str | None = Field(json_schema_extra={"format": "date-time"})
    deliveries: dict[str, int] = Field(description="state -> count")


class NewSubscriptionAnswer(Subscription):
    secret: str = Field(description="the HMAC key: shown in this answer only")


class Subscriptions(BaseModel):
    items: list[Subscription]


class DeliveryLinks(BaseModel):
    retry: str
    document: str


class Delivery(BaseModel):
    """One push of a document to a webhook."""

    id: int
    subscription_id: int
    document_id: int
    state: OutboxState
    attempts: int
    last_status: int | None = Field(description="the webhook's last HTTP status")
    last_error: str | None = Field(description="the status (`HTTP 500`), the error's class "
                                   "(`ConnectTimeout`) or why the address was refused; never "
                                   "what the webhook answered")
    next_attempt_at: str | None = Field(json_schema_extra={"format": "date-time"})
    created_at: str | None = Field(json_schema_extra={"format": "date-time"})
    delivered_at: str | None = Field(json_schema_extra={"format": "date-time"})
    idempotency_key: str
    links: DeliveryLinks


class Deliveries(BaseModel):
    items: list[Delivery]
    total: int
    limit: int
    offset: int


# --- routes -----------------------------------------------------------------------------------

@router.get("/registry/documents", summary="Pull ready documents (cursor pagination)",
            response_model=Feed, responses=errors(400, 422))
def get_feed(request: Request, settings: SettingsDep, who: Registry,
             after: str | None = Query(None, description="`next` of the previous page; empty: "
                                       "from the start"),
             limit: int = Query(50, ge=1, le=500)) -> dict[str, Any]:
    """Ready documents in feed order; documents confirmed later always come after the cursor."""
    return delivery.pull(settings, after, limit, str(request.base_url), who.viewer, who.history)


_XML = ("application/xml", "text/xml")


@router.post("/registry/documents/{doc_id}/status", summary="Report a registry status",
             response_model=StatusAnswer, responses=errors(404, 409, 422),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": StatusReport.model_json_schema()},
                 "application/xml": {"schema": {"type": "string"},
                                     "description": "an edXML status packet (QCVN 102)"}}}})
async def post_status(settings: SettingsDep, who: Registry, doc_id: DbInt,
                      request: Request) -> dict[str, Any]:
    """Record a status code, as JSON (StatusReport) or as an edXML status packet (StatusCode,
    Description as the reason, StaffInfo, the receiver's Timestamp, DueDate, DuplicateOf); 02
    (refused) sends the document back to the clerk with the reason."""
    body = await request.body()
    if request.headers.get("content-type", "").split(";")[0].strip().lower() in _XML:
        packet = parse_status(body)
        code, reason, staff, at = packet.code, packet.description, packet.staff, packet.at
        due_date, duplicate_of = packet.due_date, packet.duplicate_of
    else:
        try:
            report = StatusReport.model_validate_json(body or b"null")
        except ValidationError as exc:
            raise RequestValidationError(exc.errors()) from exc
        code, reason, staff, at = report.code, report.reason, report.staff, report.at
        due_date, duplicate_of = report.due_date, report.duplicate_of
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=LOCAL_TZ)
    return await run_in_threadpool(delivery.report_status, settings, doc_id, code, reason,
                                   staff, who.viewer, who.history, at, due_date,
                                   duplicate_of)


@router.get("/registry/restricted", summary="Restricted queue (secrecy marks)",
            response_model=DocumentList, responses=errors(422))
def get_restricted(settings: SettingsDep, who: Clerk, limit: int = Query(50, ge=1, le=500),
                   offset: Offset = 0) -> dict[str, Any]:
    """Confirmed documents marked MẬT / TỐI MẬT / TUYỆT MẬT: never delivered electronically
    (only a clerk with the secret clearance sees them)."""
    return delivery.restricted(settings, limit, offset, who.viewer)


@router.post("/registry/subscriptions", status_code=201, summary="Add a webhook",
             response_model=NewSubscriptionAnswer, responses=errors(422))
def post_subscription(settings: SettingsDep, who: Administrator,
                      body: NewSubscription) -> dict[str, Any]:
    """Register a webhook; the answer carries its secret, which is not shown again. Refused (422,
    naming the host) when the host is not on the webhook allow-list or resolves to an address
    that is not public and not explicitly allowed."""
    return delivery.create_subscription(settings, body.url, body.secret, body.from_start,
                                        who.history, audit=who.actor)


@router.get("/registry/subscriptions", summary="List webhooks", response_model=Subscriptions)
def get_subscriptions(settings: SettingsDep, who: Administrator) -> dict[str, Any]:
    """Active webhooks with their delivery counts per state."""
    return delivery.list_subscriptions(settings)


@router.delete("/registry/subscriptions/{sub_id}", status_code=204, summary="Delete a webhook",
               response_class=Response, responses=errors(404, 422))
def delete_subscription(settings: SettingsDep, who: Administrator, sub_id: DbInt) -> Response:
    """Stop pushing to a webhook (its waiting deliveries are cancelled)."""
    delivery.delete_subscription(settings, sub_id, audit=who.actor)
    return Response(status_code=204)


@router.get("/registry/deliveries", summary="Push deliveries (parked ones need a person)",
            response_model=Deliveries, responses=errors(422))
def get_deliveries(settings: SettingsDep, who: Administrator,
                   state: str | None = Query(None, examples=["parked"]),
                   subscription_id: DbInt | None = None, limit: int = Query(50, ge=1, le=500),
                   offset: Offset = 0) -> dict[str, Any]:
    """Deliveries, newest first, by state and webhook."""
    return delivery.list_deliveries(settings, state, subscription_id, limit, offset)


@router.post("/registry/deliveries/{delivery_id}/retry", summary="Retry a parked delivery",
             response_model=Delivery, responses=errors(404, 409, 422))
def post_retry_delivery(settings: SettingsDep, who: Administrator,
                        delivery_id: DbInt) -> dict[str, Any]:
    """Send a parked delivery again, with fresh attempts."""
    return delivery.retry_delivery(settings, delivery_id, who.history, audit=who.actor)


@router.get("/documents/{doc_id}/edxml", summary="edXML package (QCVN 102:2016)",
            response_class=Response,
            responses={**binary("application/xml", "The edXML package, its PDF/A attached"),
                       **errors(404, 409, 422)})
async def get_edxml(settings: SettingsDep, who: ClerkOrRegistry, doc_id: DbInt) -> Response:
    """The document as an edXML package with its PDF/A attached (base64), signed with the agency
    certificate when one is configured."""
    data = await run_in_threadpool(edxml_package, settings, doc_id, who)
    return Response(data, media_type="application/xml", headers={
        "Content-Disposition": f'attachment; filename="document-{doc_id}.edxml"'})


def edxml_package(settings: Settings, doc_id: int, who: Principal | None = None) -> bytes:
    """Build the package of a ready document (restricted ones are refused); `who`, when given,
    must see the document."""
    with session_scope(settings.database) as session:
        doc = (visible_document(session, who, doc_id) if who is not None
               else session.get(Document, doc_id))
        if doc is None:
            raise NotFoundError(f"document {doc_id} not found")
        if not settings.agency_code or not settings.agency_name:
            raise ConflictError("set INTAKE_AGENCY_CODE and INTAKE_AGENCY_NAME (the sender "
                                "agency of edXML packages) to export edXML")
        if is_restricted(doc):
            raise ConflictError(f"document {doc_id} carries a secrecy mark ({doc.secrecy}); it "
                                "is not exported electronically")
        if doc.status not in IN_FEED or not doc.pdf_key:
            raise ConflictError(f"document {doc_id} is {doc.status}; only a confirmed document "
                                "with its PDF/A is exported")
        item = registry_item(doc, settings.public_url)
        key = doc.pdf_key
        # The signed original goes along (second attachment) when the file is this document's.
        upload = doc.upload
        original = (upload.filename, doc.sha256) if doc.incoming_signatures and upload \
            and original_alone(session, doc) else None
        business = business_of(session, doc)
        organ_name = str(item.get("OrganName") or "")
        code = issuer_code(session, organ_name, (doc.meta or {}).get("organ_code"))
        issuer = issuer_organ(organ_name, code,
                              suggest(session, organ_name) if code is None else None)
    with open_store(settings).open(key) as stream:
        pdf = stream.read()
    ours = Organ(settings.agency_code, settings.agency_name,
                 in_charge=settings.agency_in_charge or settings.agency_name,
                 address=settings.agency_address, email=settings.agency_email,
                 telephone=settings.agency_telephone, fax=settings.agency_fax,
                 website=settings.agency_website)
    signed: tuple[str, bytes] | None = None
    if original is not None:
        with open_store(settings).open(original_key(original[1])) as stream:
            signed = (original[0], stream.read())
    package = build_edxml(item, issuer, ours, pdf,
                          tracer=ours.organ_id, business=business, original=signed)
    identity = signing_identity(settings)
    return sign_edxml(package, identity) if identity is not None else package
