"""HTTP routes for the registry: pull feed, status reports, restricted queue, webhooks, edXML."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from pydantic import Field as PydField
from starlette.concurrency import run_in_threadpool

from documents import delivery
from documents.edxml import Organ, build_edxml
from documents.registry import IN_FEED, is_restricted, registry_item
from infra.database import session_scope
from infra.storage import open_store
from infra.tables import Document
from intake.deps import User, actor
from models.errors import ConflictError, NotFoundError
from models.settings import Settings

router = APIRouter(prefix="/api")



def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


class StatusReport(BaseModel):
    """A status the registry reports for a document (DOMAIN §7)."""

    code: str = PydField(..., description="01 arrived, 02 refused (reason required), 03 accepted, "
                         "04 assigned, 05 in progress, 06 done", examples=["03"])
    reason: str | None = PydField(None, max_length=2000,
                                  description="why it was refused (02), or a note")
    staff: str | None = PydField(None, max_length=80, description="who at the registry")


class NewSubscription(BaseModel):
    """A webhook that receives every ready document."""

    url: str = PydField(..., max_length=1000, examples=["https://qlvb.example.gov.vn/hook"])
    secret: str | None = PydField(None, max_length=200,
                                  description="HMAC key; generated (and shown once) when empty")
    from_start: bool = PydField(False, description="also send documents already in the feed")


@router.get("/registry/documents", summary="Pull ready documents (cursor pagination)")
def get_feed(request: Request, after: str | None = Query(None, description="`next` of the "
             "previous page; empty: from the start"),
             limit: int = Query(50, ge=1, le=500)) -> dict[str, Any]:
    """Ready documents in feed order; documents confirmed later always come after the cursor."""
    return delivery.pull(_settings(request), after, limit, str(request.base_url))


@router.post("/registry/documents/{doc_id}/status", summary="Report a registry status")
def post_status(request: Request, doc_id: int, report: StatusReport) -> dict[str, Any]:
    """Record a status code; 02 (refused) sends the document back to the clerk with the reason."""
    return delivery.report_status(_settings(request), doc_id, report.code, report.reason,
                                  report.staff)


@router.get("/registry/restricted", summary="Restricted queue (secrecy marks)")
def get_restricted(request: Request, limit: int = Query(50, ge=1, le=500),
                   offset: int = Query(0, ge=0)) -> dict[str, Any]:
    """Confirmed documents marked MẬT / TỐI MẬT / TUYỆT MẬT: never delivered electronically."""
    return delivery.restricted(_settings(request), limit, offset)


@router.post("/registry/subscriptions", status_code=201, summary="Add a webhook")
def post_subscription(request: Request, body: NewSubscription, user: User = None) -> dict[str, Any]:
    """Register a webhook; the answer carries its secret, which is not shown again."""
    who = actor(user)
    return delivery.create_subscription(_settings(request), body.url, body.secret,
                                        body.from_start, who)


@router.get("/registry/subscriptions", summary="List webhooks")
def get_subscriptions(request: Request) -> dict[str, Any]:
    """Active webhooks with their delivery counts per state."""
    return delivery.list_subscriptions(_settings(request))


@router.delete("/registry/subscriptions/{sub_id}", status_code=204, summary="Delete a webhook")
def delete_subscription(request: Request, sub_id: int) -> Response:
    """Stop pushing to a webhook (its waiting deliveries are cancelled)."""
    delivery.delete_subscription(_settings(request), sub_id)
    return Response(status_code=204)


@router.get("/registry/deliveries", summary="Push deliveries (parked ones need a person)")
def get_deliveries(request: Request, state: str | None = Query(None, examples=["parked"]),
                   subscription_id: int | None = None, limit: int = Query(50, ge=1, le=500),
                   offset: int = Query(0, ge=0)) -> dict[str, Any]:
    """Deliveries, newest first, by state and webhook."""
    return delivery.list_deliveries(_settings(request), state, subscription_id, limit, offset)


@router.post("/registry/deliveries/{delivery_id}/retry", summary="Retry a parked delivery")
def post_retry_delivery(request: Request, delivery_id: int, user: User = None) -> dict[str, Any]:
    """Send a parked delivery again, with fresh attempts."""
    who = actor(user)
    return delivery.retry_delivery(_settings(request), delivery_id, who)


@router.get("/documents/{doc_id}/edxml", summary="edXML package (QCVN 102:2016)")
async def get_edxml(request: Request, doc_id: int) -> Response:
    """The document as an edXML package with its PDF/A attached (base64)."""
    data = await run_in_threadpool(edxml_package, _settings(request), doc_id)
    return Response(data, media_type="application/xml", headers={
        "Content-Disposition": f'attachment; filename="document-{doc_id}.edxml"'})


def edxml_package(settings: Settings, doc_id: int) -> bytes:
    """Build the package of a ready document (restricted ones are refused)."""
    if not settings.agency_code or not settings.agency_name:
        raise ConflictError("set INTAKE_AGENCY_CODE and INTAKE_AGENCY_NAME (the sender agency "
                            "of edXML packages) to export edXML")
    with session_scope(settings.database) as session:
        doc = session.get(Document, doc_id)
        if doc is None:
            raise NotFoundError(f"document {doc_id} not found")
        if is_restricted(doc):
            raise ConflictError(f"document {doc_id} carries a secrecy mark ({doc.secrecy}); it "
                                "is not exported electronically")
        if doc.status not in IN_FEED or not doc.pdf_key:
            raise ConflictError(f"document {doc_id} is {doc.status}; only a confirmed document "
                                "with its PDF/A is exported")
        item = registry_item(doc, settings.public_url)
        key, text, unit = doc.pdf_key, doc.text, doc.unit
    with open_store(settings).open(key) as stream:
        pdf = stream.read()
    sender = Organ(settings.agency_code, settings.agency_name)
    receiver = Organ(settings.agency_code, unit or settings.agency_name)
    return build_edxml(item, sender, receiver, pdf, content=text)
