"""Push delivery: the outbox sender (`python -m worker.daemons.sender`, also run by the supervisor).

Each round: (1) every active webhook gets one outbox row per document that entered the feed since
its last round (unique per document x webhook x readiness, so rescanning never duplicates);
(2) due rows are claimed with a lease in the database (a sender killed mid-send leaves a row whose
lease runs out and another round sends it again: at least once); (3) each is POSTed, signed over a
timestamp and the body, with a stable Idempotency-Key, to an address checked by the webhook policy
(infra/pinned_client.py); (4) 2xx delivers, 5xx/408/429/timeouts/refused connections retry with
exponential backoff, other statuses, a refused address or too many failures park the row for a
person. Only the status or the error's class is kept, never what the receiver answered.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, defer

from documents.confirm import auto_confirm
from documents.lifecycle import add_delivery_event, record_delivered
from documents.registry import (
    IN_FEED,
    idempotency_key,
    is_restricted,
    registry_item,
    sign,
)
from documents.signing.run import sign_pending
from documents.visibility import open_condition
from infra.database import session_scope
from infra.pinned_client import pinned_client
from infra.storage import open_store
from infra.tables import Document, Outbox, OutboxState, Subscription, utcnow
from infra.webhook_policy import TargetRefused, WebhookPolicy, target_of, webhook_policy
from models.settings import Settings, get_settings

log = logging.getLogger(__name__)

ACTOR = "system:sender"
RETRY_STATUSES = {408, 425, 429}
ENQUEUE_BATCH = 500
PER_THREAD = 8  # deliveries per sending thread and round (fewer database round trips)
DRAIN_BYTES = 64 * 1024  # of an answer read (and dropped) to keep its connection alive


@dataclass(frozen=True)
class Job:
    """One claimed delivery, with what is needed to send it (None body: cancel it)."""

    outbox_id: int
    url: str
    secret: str
    key: str
    attempt: int
    body: bytes | None


@dataclass(frozen=True)
class Outcome:
    """How one POST went: delivered, to retry, or to park (4xx), with the status and reason."""

    outbox_id: int
    verdict: str  # delivered | retry | park | cancel
    status: int | None = None
    error: str | None = None


def enqueue(session: Session) -> int:
    """Give every active webhook its rows for documents new in the feed; returns rows added."""
    added = 0
    subs = list(session.scalars(select(Subscription).where(Subscription.deleted_at.is_(None))
                                .with_for_update(skip_locked=True)))
    for sub in subs:
        rows: list[Any] = list(session.execute(
            select(Document.id, Document.delivery_seq)
            .where(Document.delivery_seq > sub.enqueued_seq, Document.delivery_seq.is_not(None),
                   Document.status.in_([str(s) for s in IN_FEED]),
                   open_condition())
            .order_by(Document.delivery_seq).limit(ENQUEUE_BATCH)
        ).all())
        if not rows:
            continue
        existing = set(session.execute(
            select(Outbox.document_id, Outbox.delivery_seq).where(
                Outbox.subscription_id == sub.id,
                Outbox.document_id.in_([r[0] for r in rows]))
        ).all())
        for doc_id, seq in rows:
            if (doc_id, seq) not in existing:
                session.add(Outbox(subscription_id=sub.id, document_id=doc_id, delivery_seq=seq))
                added += 1
        sub.enqueued_seq = int(rows[-1][1])
    return added


def claim(session: Session, limit: int, lease: float, public_url: str) -> list[Job]:
    """Take up to `limit` due rows (or rows whose sender died) and build their signed bodies."""
    now = utcnow()
    rows = list(session.scalars(
        select(Outbox).where(or_(
            (Outbox.state == OutboxState.PENDING) & (Outbox.next_attempt_at <= now),
            (Outbox.state == OutboxState.SENDING) & (Outbox.lease_until <= now),
        )).order_by(Outbox.next_attempt_at, Outbox.id).limit(limit)
        .with_for_update(skip_locked=True)
    ))
    if not rows:
        return []
    subs = {s.id: s for s in session.scalars(
        select(Subscription).where(Subscription.id.in_({r.subscription_id for r in rows})))}
    docs = {d.id: d for d in session.scalars(
        select(Document).where(Document.id.in_({r.document_id for r in rows}))
        .options(defer(Document.text), defer(Document.fields), defer(Document.search_text),
                 defer(Document.search_folded)))}
    jobs = []
    for row in rows:
        sub, doc = subs.get(row.subscription_id), docs.get(row.document_id)
        row.state = OutboxState.SENDING
        row.lease_until = now + dt.timedelta(seconds=lease)
        row.attempts += 1
        body = None
        # The document may have left the feed since (refused, or secrecy set): do not send it.
        if (sub is not None and sub.deleted_at is None and doc is not None
                and doc.delivery_seq == row.delivery_seq and doc.status in IN_FEED
                and not is_restricted(doc)):
            item = registry_item(doc, public_url)
            body = json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        jobs.append(Job(row.id, sub.url if sub else "", sub.secret if sub else "",
                        idempotency_key(row.document_id, row.subscription_id, row.delivery_seq),
                        row.attempts, body))
    return jobs


def send(client: httpx.Client, policy: WebhookPolicy, job: Job) -> Outcome:
    """POST one delivery; classify the answer (its body is neither read into the outcome nor kept)."""
    if job.body is None:
        return Outcome(job.outbox_id, "cancel", error="the document left the feed")
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json; charset=utf-8",
               "X-Intake-Timestamp": str(timestamp),
               "X-Intake-Signature": sign(job.secret, job.body, timestamp),
               "Idempotency-Key": job.key, "X-Intake-Attempt": str(job.attempt),
               "User-Agent": "intake-sender/1"}
    try:
        policy.check_host(target_of(job.url)[0])  # a kept-alive connection skips the backend
        with client.stream("POST", job.url, content=job.body, headers=headers) as response:
            status = response.status_code
            _drain(response, client.timeout.read or 10.0)
    except TargetRefused as exc:  # our own words: the host or the address it resolved to
        log.warning("push %s refused: %s", job.outbox_id, exc)
        return Outcome(job.outbox_id, "park", error=f"refused: {exc}"[:500])
    except httpx.HTTPError as exc:  # timeouts, refused connection, reset, DNS, protocol errors
        return Outcome(job.outbox_id, "retry", error=type(exc).__name__)
    if 200 <= status < 300:
        return Outcome(job.outbox_id, "delivered", status)
    reason = f"HTTP {status}"
    if status >= 500 or status in RETRY_STATUSES:
        return Outcome(job.outbox_id, "retry", status, reason)
    return Outcome(job.outbox_id, "park", status, reason)


def _drain(response: httpx.Response, seconds: float) -> None:
    """Read and drop a little of the answer, so its connection can carry the next push; a large or
    slow answer just closes the connection (nothing of it is kept or decompressed)."""
    read, deadline = 0, time.monotonic() + seconds
    try:
        for chunk in response.iter_raw():
            read += len(chunk)
            if read > DRAIN_BYTES or time.monotonic() > deadline:
                return
    except httpx.HTTPError:
        return  # the status is what counts


def record(session: Session, outcomes: list[Outcome], settings: Settings) -> None:
    """Store how a round's deliveries went; a delivered push marks its document delivered."""
    ids = [o.outbox_id for o in outcomes]
    rows = {r.id: r for r in session.scalars(
        select(Outbox).where(Outbox.id.in_(ids)).order_by(Outbox.id).with_for_update())}
    delivered = {rows[o.outbox_id].document_id for o in outcomes
                 if o.verdict == "delivered" and o.outbox_id in rows}
    docs = {d.id: d for d in session.scalars(
        select(Document).where(Document.id.in_(delivered)).order_by(Document.id)
        .options(defer(Document.text), defer(Document.fields), defer(Document.search_text),
                 defer(Document.search_folded)).with_for_update())} if delivered else {}
    for outcome in outcomes:
        row = rows.get(outcome.outbox_id)
        if row is not None:
            _record_one(session, row, docs.get(row.document_id), outcome, settings)


def _record_one(session: Session, row: Outbox, doc: Document | None, outcome: Outcome,
                settings: Settings) -> None:
    if row.state in (OutboxState.DELIVERED, OutboxState.CANCELLED):
        return  # another sender (lease ran out) or a person got there first
    row.lease_until = None
    row.last_status = outcome.status
    row.last_error = outcome.error
    now = utcnow()
    if outcome.verdict == "delivered":
        row.state = OutboxState.DELIVERED
        row.delivered_at = now
        if doc is not None:
            record_delivered(session, doc, ACTOR, f"pushed to webhook {row.subscription_id}")
        return
    if outcome.verdict == "cancel":
        row.state = OutboxState.CANCELLED
        return
    if outcome.verdict == "park" or row.attempts >= settings.delivery_attempts:
        row.state = OutboxState.PARKED
        add_delivery_event(session, row.document_id, str(OutboxState.SENDING),
                           str(OutboxState.PARKED),
                           f"push to webhook {row.subscription_id} parked after "
                           f"{row.attempts} attempt(s): {outcome.error}"[:2000], actor=ACTOR)
        return
    delay = min(settings.delivery_max_backoff,
                settings.delivery_backoff * 2 ** max(0, row.attempts - 1))
    row.state = OutboxState.PENDING
    row.next_attempt_at = now + dt.timedelta(seconds=delay)


class Sender:
    """The loop: enqueue, claim, send in parallel, record; sleeps when there is nothing to do."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = open_store(settings)
        self.batch = max(1, settings.delivery_concurrency) * PER_THREAD
        # A claimed row must outlive its sends: each thread sends PER_THREAD of them in a round.
        self.lease = settings.delivery_timeout * PER_THREAD + 5
        # The policy is read again each round (its source may change while the sender runs).
        self.policy = webhook_policy(settings)
        self.client = pinned_client(lambda: self.policy, settings.delivery_timeout, self.batch)
        self.pool = ThreadPoolExecutor(max(1, settings.delivery_concurrency),
                                       thread_name_prefix="sender")

    def run_once(self) -> int:
        """One round; returns how many deliveries were attempted."""
        url = self.settings.database
        if self.settings.auto_confirm:
            with session_scope(url, write=True) as session:
                auto_confirm(session)
        sign_pending(self.settings, self.store)  # before enqueue: a signed copy or nothing
        with session_scope(url, write=True) as session:
            enqueue(session)
        with session_scope(url, write=True) as session:
            jobs = claim(session, self.batch, self.lease, self.settings.public_url)
        if not jobs:
            return 0
        policy = self.policy = webhook_policy(self.settings)
        outcomes = list(self.pool.map(lambda j: send(self.client, policy, j), jobs))
        with session_scope(url, write=True) as session:
            record(session, outcomes, self.settings)
        return len(jobs)

    def run_forever(self, stop: threading.Event) -> None:
        """Rounds until `stop` is set; database hiccups are logged and retried."""
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # noqa: BLE001 - the database may be briefly down; rows wait
                log.warning("delivery round failed", exc_info=True)
                busy = 0
            if not busy:
                stop.wait(self.settings.delivery_poll_seconds)

    def close(self) -> None:
        """Release the HTTP connections and threads."""
        self.pool.shutdown(wait=True)
        self.client.close()


def run(settings: Settings) -> None:
    """Run a sender until SIGTERM/SIGINT."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    sender = Sender(settings)
    try:
        sender.run_forever(stop)
    finally:
        sender.close()


def main(argv: list[str] | None = None) -> None:
    """Entry point: `python -m worker.daemons.sender`."""
    argparse.ArgumentParser(prog="python -m worker.daemons.sender", description=__doc__).parse_args(argv)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from infra.database import migrate

    settings = get_settings()
    migrate(settings.database)
    run(settings)


if __name__ == "__main__":
    main()
