"""The signing round: sign confirmed documents waiting for the agency's signature, then let them
into the registry feed. Run by the sender (worker/daemons/sender.py) at the start of each round,
before it enqueues deliveries, so nothing is delivered before it is signed.

Why there and not in the request or an RQ job: the database row (`sign_state = 'pending'`) is the
queue, so nothing is lost when Redis or a process goes away (no job to enqueue after commit, no
reconciler); the sender is the one process that delivers, so "signed, then in the feed, then
pushed" happens in that order in one place; and a time-stamping service or a token that is slow
or down delays only deliveries, never a clerk's confirmation. Signing itself takes ~0.1–0.4 s
per document (docs/SIGNING.md).

Each document is read in one short transaction, signed outside any transaction (no lock is held
while a token or a TSA answers), and recorded in a second one that checks that the request is
still the same (a clerk may have corrected and confirmed it again meanwhile; then the file just
made is not used and the new request is signed in a later round).

A refused certificate (expired, revoked, untrusted, wrong PIN: SigningConfigError) fails the
document at once (`failed`, an event with the reason); changing the certificates on the
administrator's page puts failed documents back in line. Other errors (the TSA or OCSP down)
are tried again with a growing wait (30 s doubling to 30 min), at most MAX_ATTEMPTS times.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from documents.lifecycle import add_event
from documents.registry import mark_ready
from documents.signing import FAILED, PENDING, SIGNED, unsigned_key
from documents.signing.box import obstacles
from documents.signing.keys import SigningConfigError, choose, open_signer, validation_context
from infra.database import session_scope
from infra.storage import Store, derived_key
from infra.tables import Document, Page
from models.settings import Settings

log = logging.getLogger(__name__)

ACTOR = "system:signer"
BATCH = 20
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class _Work:
    doc_id: int
    request: str
    actor: str
    unit: str
    source: str
    evidence: dict[str, Any] | None
    image_size: tuple[int, int]


def _due(signing: dict[str, Any], now: dt.datetime) -> bool:
    retry_at = signing.get("retry_at")
    return not retry_at or dt.datetime.fromisoformat(retry_at) <= now


def _pending(settings: Settings, now: dt.datetime, limit: int) -> list[_Work]:
    work = []
    with session_scope(settings.database) as session:
        rows = session.execute(
            select(Document.id, Document.signing, Document.pdf_key, Document.unit)
            .where(Document.sign_state == PENDING).order_by(Document.id).limit(limit * 5)).all()
        for doc_id, signing_value, pdf_key, unit in rows:
            signing = signing_value or {}
            request = signing.get("request") or {}
            source = unsigned_key(pdf_key, signing)
            if not _due(signing, now) or not source or not request.get("id"):
                continue
            page = session.scalar(select(Page).where(Page.document_id == doc_id,
                                                     Page.index == 0))
            work.append(_Work(doc_id, str(request["id"]), str(request.get("actor") or ACTOR),
                              unit or "", source, page.words if page else None,
                              (page.width, page.height) if page else (0, 0)))
            if len(work) >= limit:
                break
    return work


def _agency(settings: Settings, signer_name: str) -> str:
    return settings.agency_name.strip() or signer_name


def sign_one(settings: Settings, store: Store, work: _Work) -> dict[str, Any]:
    """Sign the document's unsigned PDF/A; returns the version record (the file is stored)."""
    from documents.signing.pdf import page_geometry, sign_pdf

    with session_scope(settings.database) as session:
        choice = choose(session, settings, work.actor, work.unit)
    if choice is None:
        raise SigningConfigError("Chưa cấu hình chứng thư số để ký")
    with store.open(work.source) as src:
        data = src.read()
    geometry = page_geometry(data, *work.image_size)
    with open_signer(choice, settings) as signer:
        subject = signer.signing_cert.subject.native if signer.signing_cert else {}
        signed = sign_pdf(
            data, signer, agency=_agency(settings, str(subject.get("organization_name")
                                                       or subject.get("common_name") or "")),
            obstacles=obstacles(geometry, work.evidence), geometry=geometry,
            tsa_url=settings.signing_tsa_url, timeout=settings.signing_timeout,
            validation_context=validation_context(settings))
        serial = signer.signing_cert.serial_number if signer.signing_cert else None
    with tempfile.TemporaryDirectory(prefix="intake-sign-") as tmp:
        path = Path(tmp) / "signed.pdf"
        path.write_bytes(signed.data)
        token = work.request[:10]
        key = store.put_file(derived_key("documents", work.doc_id, f"signed-{token}.pdf"), path)
    return {"key": key, "source_key": work.source, "certificate": choice.name,
            "serial": f"{serial:x}" if serial is not None else None, "level": signed.level,
            "signed_at": signed.signed_at, "box": list(signed.box),
            "bytes_added": signed.bytes_added, "seconds": round(signed.seconds, 3),
            "request": work.request}


def _record(settings: Settings, work: _Work, version: dict[str, Any] | None,
            error: Exception | None, now: dt.datetime) -> None:
    with session_scope(settings.database, write=True) as session:
        doc = session.get(Document, work.doc_id, with_for_update=True)
        if doc is None or doc.sign_state != PENDING:
            return
        signing = dict(doc.signing or {})
        if (signing.get("request") or {}).get("id") != work.request:
            return  # confirmed again meanwhile: the new request is signed next round
        actor = work.actor
        if version is not None:
            version["version"] = len(signing.get("versions") or []) + 1
            signing["versions"] = [*(signing.get("versions") or []), version]
            for stale in ("error", "attempts", "retry_at"):
                signing.pop(stale, None)
            doc.signing = signing
            doc.sign_state = SIGNED
            doc.pdf_key = version["key"]
            add_event(session, doc, "signing", PENDING, SIGNED,
                      f"signed ({version['level']}, certificate {version['certificate']}, "
                      f"version {version['version']})", actor=ACTOR)
            mark_ready(session, doc, actor)
            return
        attempts = int(signing.get("attempts") or 0) + 1
        signing["attempts"] = attempts
        signing["error"] = str(error)[:500]
        if isinstance(error, SigningConfigError) or attempts >= MAX_ATTEMPTS:
            doc.sign_state = FAILED
            signing.pop("retry_at", None)
            add_event(session, doc, "signing", PENDING, FAILED,
                      f"not signed, not delivered: {error}", actor=ACTOR)
        else:
            wait = min(30 * 2 ** (attempts - 1), 1800)
            signing["retry_at"] = (now + dt.timedelta(seconds=wait)).isoformat()
        doc.signing = signing


def sign_pending(settings: Settings, store: Store, limit: int = BATCH) -> list[int]:
    """Sign up to `limit` documents waiting for their signature; returns the ids signed."""
    now = dt.datetime.now(dt.UTC)
    done = []
    for work in _pending(settings, now, limit):
        try:
            version = sign_one(settings, store, work)
        except Exception as exc:  # noqa: BLE001 - recorded on the document, retried or failed
            log.warning("document %s not signed: %s", work.doc_id, type(exc).__name__)
            _record(settings, work, None, exc, now)
            continue
        _record(settings, work, version, None, now)
        done.append(work.doc_id)
    return done
