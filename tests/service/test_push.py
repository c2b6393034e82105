"""Push delivery to a real HTTP receiver: failures injected, nothing lost, de-duplicable, signed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from infra.database import session_scope
from infra.tables import Document, Outbox, OutboxState
from models.settings import Settings
from tests.service.helpers import client, wait_for
from tests.service.push_helpers import SenderProcess, confirmed, outbox_states, subscribe
from tests.service.receiver import LOOPBACK_ONLY, Receiver
from worker.daemons.sender import Sender

SECRET = "s3cret-for-the-tests-0123456789"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The parametrised settings, with the receivers on loopback allowed as webhooks."""
    return settings.model_copy(update=LOOPBACK_ONLY)


@pytest.fixture
def senders(tmp_path: Path) -> Iterator[list[SenderProcess]]:
    started: list[SenderProcess] = []
    yield started
    for sender in started:
        sender.kill()


FAST = {"delivery_timeout": 0.5, "delivery_backoff": 0.1, "delivery_max_backoff": 0.5,
        "delivery_attempts": 30, "delivery_concurrency": 4, "delivery_poll_seconds": 0.1}


@pytest.mark.redis
def test_every_document_delivered_through_500s_timeouts_and_refused_connections(
        settings: Settings, tmp_path: Path, senders: list[SenderProcess]) -> None:
    docs = confirmed(settings, 30)
    secret_doc = confirmed(settings, 1, secrecy="MẬT")[0]

    def plan(key: str, attempt: int) -> str:
        n = int(key.split("-")[1])
        if attempt == 1:
            return "500"
        if attempt == 2 and n % 3 == 0:
            return "slow"  # processed, but answered after the sender's timeout
        return "ok"

    receiver = Receiver(SECRET, plan, slow_seconds=1.0).start()
    sub = subscribe(settings, receiver.url, SECRET)
    senders.append(SenderProcess(settings, tmp_path / "sender.log", **FAST))
    wait_for(lambda: len(receiver.attempts) >= 10, 30, "first attempts")
    receiver.stop()  # the registry goes down: refused connections for a while
    time.sleep(1.5)
    receiver.start()
    more = confirmed(settings, 5)  # confirmed while deliveries are under way
    wait_for(lambda: outbox_states(settings).get("delivered") == 35, 90,
             f"35 delivered (now {outbox_states(settings)})")
    assert receiver.bad_signatures == 0
    expected = {f"intake-{d}-{sub}-" for d in docs + more}
    assert {k.rsplit("-", 1)[0] + "-" for k in receiver.accepted} == expected
    assert {v["id"] for v in receiver.accepted.values()} == set(docs + more)
    assert secret_doc not in {v["id"] for v in receiver.accepted.values()}
    assert receiver.duplicates >= 1  # the slow ones came twice: the key lets the receiver see it
    sample = next(iter(receiver.accepted.values()))
    assert sample["OrganName"] == "BỘ NỘI VỤ" and sample["links"]["pdf"].endswith("/pdf")
    with session_scope(settings.database) as session:
        statuses = dict(session.execute(select(Document.id, Document.status)).all())
        assert {statuses[d] for d in docs + more} == {"delivered"}
        assert statuses[secret_doc] == "confirmed"
        assert session.scalar(select(func.count()).select_from(Outbox)) == 35  # no duplicates rows


@pytest.mark.redis
def test_sender_killed_mid_send_loses_nothing(settings: Settings, tmp_path: Path,
                                              senders: list[SenderProcess]) -> None:
    docs = confirmed(settings, 12)
    receiver = Receiver(SECRET, lambda key, attempt: "slow" if attempt == 1 else "ok",
                        slow_seconds=0.6).start()
    subscribe(settings, receiver.url, SECRET)
    options = {**FAST, "delivery_timeout": 1.0}
    senders.append(SenderProcess(settings, tmp_path / "sender.log", **options))
    wait_for(lambda: receiver.attempts, 30, "a send in flight")
    senders[0].kill()  # SIGKILL while requests are open: claimed rows keep their lease
    assert outbox_states(settings).get("delivered", 0) < 12
    senders.append(SenderProcess(settings, tmp_path / "sender.log", **options))
    wait_for(lambda: outbox_states(settings).get("delivered") == 12, 90,
             f"12 delivered (now {outbox_states(settings)})")
    assert {v["id"] for v in receiver.accepted.values()} == set(docs)
    assert receiver.bad_signatures == 0


def test_parked_after_failures_then_retried_by_a_person(settings: Settings) -> None:
    retried_ok = threading.Event()

    def plan(key: str, attempt: int) -> str:
        if key.startswith(f"intake-{rejected}-"):
            return "ok" if retried_ok.is_set() else "400"
        return "ok" if retried_ok.is_set() else "500"

    rejected, failing = confirmed(settings, 2)
    receiver = Receiver(SECRET, plan).start()
    subscribe(settings, receiver.url, SECRET)
    fast = settings.model_copy(update={**FAST, "delivery_attempts": 3, "delivery_backoff": 0.01,
                                       "delivery_max_backoff": 0.01})
    sender = Sender(fast)
    try:
        wait_for(lambda: sender.run_once() == 0 and outbox_states(settings).get("parked") == 2, 30,
                 "both parked", step=0.05)
        with client(settings) as c:
            parked = c.get("/api/registry/deliveries", params={"state": "parked"}).json()
            by_doc = {d["document_id"]: d for d in parked["items"]}
            assert by_doc[rejected]["attempts"] == 1 and by_doc[rejected]["last_status"] == 400
            assert by_doc[failing]["attempts"] == 3 and by_doc[failing]["last_status"] == 500
            subs = c.get("/api/registry/subscriptions").json()["items"]
            assert subs[0]["deliveries"]["parked"] == 2 and "secret" not in subs[0]
            history = c.get(f"/api/documents/{failing}").json()["history"]
            assert any("parked after 3 attempt(s)" in h["detail"] for h in history)
            assert c.get(f"/api/documents/{failing}").json()["status"] == "confirmed"
            retried_ok.set()
            for delivery in parked["items"]:
                r = c.post(f"/api/registry/deliveries/{delivery['id']}/retry")
                assert r.status_code == 200 and r.json()["state"] == "pending"
            retried = [h for h in c.get(f"/api/documents/{failing}").json()["history"]
                       if h["actor"] == "user:quan.tri"]  # the administrator who retried it
            assert len(retried) == 1, retried
            again = c.post(f"/api/registry/deliveries/{parked['items'][0]['id']}/retry")
            assert again.status_code == 409
        wait_for(lambda: sender.run_once() == 0 and outbox_states(settings).get("delivered") == 2, 30,
                 "both delivered", step=0.05)
        assert {v["id"] for v in receiver.accepted.values()} == {rejected, failing}
    finally:
        sender.close()
        receiver.stop()


def test_subscriptions_api_and_new_subscription_gets_only_new_documents(settings: Settings) -> None:
    old = confirmed(settings, 2)
    with client(settings) as c:
        bad = c.post("/api/registry/subscriptions", json={"url": "ftp://x"})
        assert bad.status_code == 422
        created = c.post("/api/registry/subscriptions", json={"url": "http://127.0.0.1:9/h"})
        assert created.status_code == 201 and len(created.json()["secret"]) >= 32
        sub = created.json()["id"]
    new = confirmed(settings, 1)
    sender = Sender(settings.model_copy(update={"delivery_timeout": 0.2}))
    try:
        sender.run_once()
    finally:
        sender.close()
    with session_scope(settings.database) as session:
        queued = set(session.scalars(select(Outbox.document_id)))
    assert queued == set(new) and not queued & set(old)
    with client(settings) as c:
        assert c.delete(f"/api/registry/subscriptions/{sub}").status_code == 204
        assert c.get("/api/registry/subscriptions").json()["items"] == []
        assert c.delete(f"/api/registry/subscriptions/{sub}").status_code == 404
    assert set(outbox_states(settings)) == {str(OutboxState.CANCELLED)}
