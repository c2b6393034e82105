"""Delivery to the registry, the API side: pull feed, status reports, restricted queue, webhooks.

The sender that pushes (worker/daemons/sender.py) reads the same feed; documents/registry.py holds the shape
of a document and the status-code rules both follow.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, defer

from documents.audit import Actor, AuditAction, record
from documents.lifecycle import add_delivery_event, add_event, record_delivered, set_status
from documents.registry import (
    ACKNOWLEDGING,
    IN_FEED,
    REFUSED,
    REVOCATION,
    STATUS_CODES,
    check_transition,
    decode_cursor,
    encode_cursor,
    idempotency_key,
    is_restricted,
    registry_item,
)
from documents.summary import SUMMARY_COLUMNS, document_summary
from documents.visibility import (
    EVERYTHING,
    Viewer,
    can_see,
    conditions,
    open_condition,
    secret_condition,
)
from infra.database import session_scope
from infra.tables import (
    DeliveryCounter,
    Document,
    DocumentStatus,
    Event,
    Outbox,
    OutboxState,
    Subscription,
    utcnow,
)
from infra.webhook_policy import HostUnresolved, TargetRefused, check_url, webhook_policy
from models.errors import ConflictError, InvalidFieldError, NotFoundError
from models.settings import Settings

_LIGHT = [defer(Document.text), defer(Document.fields), defer(Document.search_text),
          defer(Document.search_folded)]
OPEN_STATES = (OutboxState.PENDING, OutboxState.SENDING)


def feed_condition() -> list[Any]:
    """Documents the registry may have: in the feed, confirmed or delivered, no secrecy mark."""
    return [Document.delivery_seq.is_not(None), Document.status.in_([str(s) for s in IN_FEED]),
            open_condition()]


def pull(settings: Settings, after: str | None, limit: int, base_url: str,
         viewer: Viewer = EVERYTHING, actor: str = "registry:pull") -> dict[str, Any]:
    """Ready documents after the cursor, in feed order, of the units `viewer` covers; the ones
    seen first are marked delivered (by `actor`)."""
    start = decode_cursor(after)
    with session_scope(settings.database) as session:
        docs = list(session.scalars(
            select(Document).where(Document.delivery_seq > start, *feed_condition(),
                                   *conditions(viewer))
            .order_by(Document.delivery_seq).limit(limit).options(*_LIGHT)
        ))
    fresh = [d.id for d in docs if d.delivered_at is None]
    if fresh:
        with session_scope(settings.database, write=True) as session:
            for doc_id in fresh:
                doc = session.get(Document, doc_id, with_for_update=True)
                if doc is not None:
                    record_delivered(session, doc, actor, "pulled by the registry")
            changed = {d.id: d for d in session.scalars(
                select(Document).where(Document.id.in_(fresh)).options(*_LIGHT))}
        docs = [changed.get(d.id, d) for d in docs]
    items = [registry_item(d, base_url) for d in docs]
    return {"items": items, "next": items[-1]["cursor"] if items else encode_cursor(start),
            "has_more": len(items) == limit, "limit": limit}


def report_status(settings: Settings, doc_id: int, code: str, reason: str | None,
                  staff: str | None, viewer: Viewer = EVERYTHING,
                  by: str = "registry", at: dt.datetime | None = None,
                  due_date: dt.date | None = None,
                  duplicate_of: str | None = None) -> dict[str, Any]:
    """Record a registry status code; 02 sends the document back to the clerk with the reason.
    The history names `by` (the token) and the registry's staff member when it gives one; `at`
    is the receiver's own time of the status (an edXML status packet's Timestamp), kept in the
    history and used as the acknowledgement time (bounded by delivery and now), and for 06
    (Hoàn thành) as the end of handling. `due_date` (hạn xử lý) and `duplicate_of` (the edXML
    DocumentId of the electronic copy the registry already had) are kept on the document when
    given (a repeated code with a new due date or duplicate still records them)."""
    code = (code or "").strip()
    duplicate_of = (duplicate_of or "").strip()[:200] or None
    actor = f"{by}" + (f" / {staff.strip()}" if staff and staff.strip() else "")
    actor = actor[:100]
    with session_scope(settings.database, write=True) as session:
        doc = session.get(Document, doc_id, with_for_update=True)
        if doc is None or not can_see(viewer, doc):
            raise NotFoundError(f"document {doc_id} not found")
        if code == doc.registry_status or (code in REVOCATION and code == _last_code(session, doc)):
            changed = _registry_says(session, doc, actor, due_date, duplicate_of)
            return _status_view(session, doc, changed=changed)  # a retry: nothing new
        if is_restricted(doc):
            raise ConflictError(f"document {doc_id} carries a secrecy mark ({doc.secrecy}); "
                                "it is not delivered electronically")
        if doc.delivery_seq is None or doc.status not in IN_FEED:
            raise ConflictError(f"document {doc_id} is {doc.status}, not delivered to the registry")
        check_transition(doc.registry_status, code, reason)
        detail = f"{code} {STATUS_CODES[code]}" + (f": {reason.strip()}" if reason else "")
        if at is not None:
            detail += f" (at the registry: {at.isoformat()})"
        add_event(session, doc, "registry", doc.registry_status, code, detail[:2000], actor=actor,
                  field="registry_status")
        record_delivered(session, doc, actor, f"registry reported {code}")
        _registry_says(session, doc, actor, due_date, duplicate_of)
        if code in REVOCATION:
            return _status_view(session, doc, changed=True)
        doc.registry_status = code
        if code in ACKNOWLEDGING and doc.acknowledged_at is None:
            doc.acknowledged_at = _acknowledged(doc, at)
        if code == DONE and doc.handled_at is None:
            doc.handled_at = _acknowledged(doc, at)
        if code == REFUSED:
            _send_back(session, doc, actor, (reason or "").strip())
        return _status_view(session, doc, changed=True)


DONE = "06"  # DOMAIN §7: Hoàn thành (the handling unit finished)


def _registry_says(session: Session, doc: Document, actor: str, due_date: dt.date | None,
                   duplicate_of: str | None) -> bool:
    """Keep the due date and the duplicate the registry gave (an event each when they change)."""
    changed = False
    if due_date is not None and due_date != doc.due_date:
        add_event(session, doc, "due_date", doc.due_date and doc.due_date.isoformat(),
                  due_date.isoformat(), "due date given by the registry", actor=actor,
                  field="due_date")
        doc.due_date = due_date
        changed = True
    if duplicate_of is not None and duplicate_of != doc.registry_duplicate_of:
        add_event(session, doc, "registry_duplicate", doc.registry_duplicate_of, duplicate_of,
                  "the registry already received this document electronically", actor=actor,
                  field="registry_duplicate_of")
        doc.registry_duplicate_of = duplicate_of
        changed = True
    return changed


def _acknowledged(doc: Document, at: dt.datetime | None) -> dt.datetime:
    """When the registry registered the document: its own time when it gave one, never before
    the document was delivered nor after now (clocks differ)."""
    now = utcnow()
    if at is None:
        return now
    floor = _utc(doc.delivered_at or doc.confirmed_at or at)
    return min(max(_utc(at), floor), now)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _last_code(session: Session, doc: Document) -> str | None:
    """The code of the registry's last report on the document."""
    return session.scalar(select(Event.new).where(Event.document_id == doc.id,
                                                  Event.action == "registry")
                          .order_by(Event.id.desc()).limit(1))


def _send_back(session: Session, doc: Document, actor: str, reason: str) -> None:
    """A refused document leaves the feed and returns to the clerk's review queue."""
    set_status(session, doc, DocumentStatus.READY_FOR_REVIEW,
               f"refused by the registry: {reason}"[:2000], actor=actor)
    doc.refusal = reason[:500]
    doc.delivery_seq = None
    session.execute(
        update(Outbox).where(Outbox.document_id == doc.id, Outbox.state.in_(OPEN_STATES))
        .values(state=OutboxState.CANCELLED, last_error="refused by the registry")
    )


def registry_history(session: Session, doc_id: int) -> list[dict[str, Any]]:
    """The registry's status reports on a document, oldest first."""
    rows = session.scalars(select(Event).where(Event.document_id == doc_id,
                                               Event.action == "registry").order_by(Event.id))
    return [{"at": e.at.isoformat(), "code": e.new, "name": STATUS_CODES.get(str(e.new)),
             "previous": e.old, "by": e.actor, "detail": e.detail} for e in rows]


def _status_view(session: Session, doc: Document, changed: bool) -> dict[str, Any]:
    return {"id": doc.id, "status": doc.status, "registry_status": doc.registry_status,
            "registry_status_name": STATUS_CODES.get(doc.registry_status or ""),
            "refusal": doc.refusal, "changed": changed,
            "delivered_at": doc.delivered_at.isoformat() if doc.delivered_at else None,
            "acknowledged_at": doc.acknowledged_at.isoformat() if doc.acknowledged_at else None,
            "due_date": doc.due_date.isoformat() if doc.due_date else None,
            "handled_at": doc.handled_at.isoformat() if doc.handled_at else None,
            "registry_duplicate_of": doc.registry_duplicate_of,
            "history": registry_history(session, doc.id)}


def restricted(settings: Settings, limit: int, offset: int,
               viewer: Viewer = EVERYTHING) -> dict[str, Any]:
    """Confirmed documents with a secrecy mark that `viewer` may see: handled on paper, oldest
    first."""
    where = [Document.status.in_([str(s) for s in IN_FEED]), secret_condition(),
             *conditions(viewer)]
    with session_scope(settings.database) as session:
        total = session.scalar(select(func.count()).select_from(Document).where(*where)) or 0
        rows = session.execute(select(*SUMMARY_COLUMNS).where(*where)
                               .order_by(Document.confirmed_at, Document.id)
                               .limit(limit).offset(offset)).all()
        items = [document_summary(r, r.pages_total) for r in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


# --- webhooks and their deliveries ---------------------------------------------------------

def create_subscription(settings: Settings, url: str, secret: str | None, from_start: bool,
                        actor: str, *, audit: Actor) -> dict[str, Any]:
    """Register a webhook; the secret (given or generated) is shown once, in this answer.
    Audited (`webhook.created`) as `audit`; `actor` is how the webhook's row names its creator.

    Refused (422 naming the host) unless the webhook policy (infra/webhook_policy.py) allows it."""
    try:  # the host on the allow-list, every address it resolves to allowed (sender: again)
        check_url(webhook_policy(settings), url)
    except (TargetRefused, HostUnresolved) as exc:
        raise InvalidFieldError(f"url: {exc}") from None
    secret = (secret or "").strip() or secrets.token_urlsafe(32)
    if len(secret) < 16:
        raise InvalidFieldError("secret: at least 16 characters")
    with session_scope(settings.database, write=True) as session:
        counter = session.get(DeliveryCounter, 1)
        sub = Subscription(url=url.strip(), secret=secret, created_by=actor,
                           enqueued_seq=0 if from_start or counter is None else counter.value)
        session.add(sub)
        session.flush()
        record(session, audit, AuditAction.WEBHOOK_CREATED, object_kind="webhook",
               object_id=sub.id, detail={"url": sub.url, "from_start": from_start})
        view = _subscription_view(session, sub)
    view["secret"] = secret
    return view


def _subscription_view(session: Session, sub: Subscription) -> dict[str, Any]:
    states = dict(session.execute(
        select(Outbox.state, func.count()).where(Outbox.subscription_id == sub.id)
        .group_by(Outbox.state)).all())
    return {"id": sub.id, "url": sub.url, "created_by": sub.created_by,
            "created_at": sub.created_at.isoformat(),
            "deleted_at": sub.deleted_at.isoformat() if sub.deleted_at else None,
            "deliveries": {str(s): int(states.get(str(s), 0)) for s in OutboxState}}


def list_subscriptions(settings: Settings) -> dict[str, Any]:
    """Active webhooks with their delivery counts (secrets are never shown again)."""
    with session_scope(settings.database) as session:
        subs = session.scalars(select(Subscription).where(Subscription.deleted_at.is_(None))
                               .order_by(Subscription.id))
        return {"items": [_subscription_view(session, s) for s in subs]}


def delete_subscription(settings: Settings, sub_id: int, *, audit: Actor) -> None:
    """Stop a webhook: its waiting deliveries are cancelled; the history stays. Audited."""
    with session_scope(settings.database, write=True) as session:
        sub = session.get(Subscription, sub_id, with_for_update=True)
        if sub is None or sub.deleted_at is not None:
            raise NotFoundError(f"subscription {sub_id} not found")
        sub.deleted_at = utcnow()
        record(session, audit, AuditAction.WEBHOOK_DELETED, object_kind="webhook",
               object_id=sub.id, detail={"url": sub.url})
        session.execute(
            update(Outbox).where(Outbox.subscription_id == sub_id,
                                 Outbox.state.in_([*OPEN_STATES, OutboxState.PARKED]))
            .values(state=OutboxState.CANCELLED, last_error="webhook deleted")
        )


def _delivery_view(row: Outbox) -> dict[str, Any]:
    iso = (lambda v: v.isoformat() if v else None)  # noqa: E731
    return {"id": row.id, "subscription_id": row.subscription_id, "document_id": row.document_id,
            "state": row.state, "attempts": row.attempts, "last_status": row.last_status,
            "last_error": row.last_error, "next_attempt_at": iso(row.next_attempt_at),
            "created_at": iso(row.created_at), "delivered_at": iso(row.delivered_at),
            "idempotency_key": idempotency_key(row.document_id, row.subscription_id,
                                                               row.delivery_seq),
            "links": {"retry": f"/api/registry/deliveries/{row.id}/retry",
                      "document": f"/api/documents/{row.document_id}"}}


def list_deliveries(settings: Settings, state: str | None, subscription_id: int | None,
                    limit: int, offset: int) -> dict[str, Any]:
    """Push deliveries, newest first; `state=parked` is what needs a person."""
    if state is not None and state not in {str(s) for s in OutboxState}:
        raise InvalidFieldError(f"state: {state!r} is not one of "
                                f"{', '.join(str(s) for s in OutboxState)}")
    where = []
    if state:
        where.append(Outbox.state == state)
    if subscription_id is not None:
        where.append(Outbox.subscription_id == subscription_id)
    with session_scope(settings.database) as session:
        total = session.scalar(select(func.count()).select_from(Outbox).where(*where)) or 0
        rows = session.scalars(select(Outbox).where(*where).order_by(Outbox.id.desc())
                               .limit(limit).offset(offset))
        return {"items": [_delivery_view(r) for r in rows], "total": total, "limit": limit,
                "offset": offset}


def retry_delivery(settings: Settings, delivery_id: int, actor: str, *,
                   audit: Actor) -> dict[str, Any]:
    """A person sends a parked delivery again: fresh attempts, due now (in the document's history
    as `actor`; audited as `audit`)."""
    with session_scope(settings.database, write=True) as session:
        row = session.get(Outbox, delivery_id, with_for_update=True)
        if row is None:
            raise NotFoundError(f"delivery {delivery_id} not found")
        if row.state != OutboxState.PARKED:
            raise ConflictError(f"delivery {delivery_id} is {row.state}; only a parked one is "
                                "retried")
        sub = session.get(Subscription, row.subscription_id)
        if sub is None or sub.deleted_at is not None:
            raise ConflictError(f"the webhook of delivery {delivery_id} was deleted")
        row.state = OutboxState.PENDING
        row.attempts = 0
        row.next_attempt_at = utcnow()
        row.lease_until = None
        add_delivery_event(session, row.document_id, str(OutboxState.PARKED),
                           str(OutboxState.PENDING),
                           f"push to webhook {row.subscription_id} retried by a person",
                           actor=actor)
        record(session, audit, AuditAction.DELIVERY_RETRIED, object_kind="delivery",
               object_id=row.id, detail={"document_id": row.document_id,
                                         "subscription_id": row.subscription_id})
        session.flush()
        return _delivery_view(row)
