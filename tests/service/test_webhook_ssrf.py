"""Webhooks as an attack path (issue 13): who may be reached, what comes back, what can be replayed.

Real API, real sender process, real HTTP receiver on loopback. Loopback is refused by default, so
each test says which hosts and networks it allows.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from infra.database import session_scope
from infra.tables import Event, Outbox
from models.settings import Settings
from tests.service.helpers import client, wait_for
from tests.service.push_helpers import SenderProcess, confirmed, outbox_states, subscribe
from tests.service.receiver import ERROR_BODY, LOOPBACK_ONLY, MAX_AGE, Receiver

SECRET = "ssrf-secret-for-the-tests-0123"
FAST = {"delivery_timeout": 1.0, "delivery_backoff": 0.05, "delivery_max_backoff": 0.1,
        "delivery_attempts": 2, "delivery_poll_seconds": 0.1}


def test_subscription_refused_for_an_unlisted_host_or_a_refused_address(settings: Settings) -> None:
    listed = settings.model_copy(update={
        "webhook_allowed_hosts": "127.0.0.1, localhost, 10.1.2.3, 169.254.169.254, 2130706433, "
                                 "0.0.0.0, fd00:ec2::254, *.example.gov.vn",
        "webhook_allowed_networks": ""})
    refused = {
        "https://registry.example.org/hook": "'registry.example.org' is not on the webhook allow-list",
        "https://example.gov.vn/hook": "'example.gov.vn' is not on the webhook allow-list",
        "http://127.0.0.1:9/hook": "127.0.0.1, a loopback address",
        "http://localhost:9/hook": "'localhost' resolves to",
        "http://10.1.2.3/hook": "10.1.2.3, a private address",
        "http://169.254.169.254/latest/meta-data/": "169.254.169.254, a cloud metadata address",
        "http://[fd00:ec2::254]/latest/": "fd00:ec2::254, a cloud metadata address",
        "http://2130706433:9/hook": "127.0.0.1, a loopback address",  # decimal 127.0.0.1
        "http://0.0.0.0:9/hook": "0.0.0.0, an unspecified address",
        "ftp://127.0.0.1/hook": "not an http(s) URL",
    }
    with client(listed) as c:
        for url, why in refused.items():
            r = c.post("/api/registry/subscriptions", json={"url": url, "secret": SECRET})
            assert r.status_code == 422, (url, r.text)
            error = r.json()["error"]
            assert error["code"] == "invalid_field" and why in error["message"], (url, error)
        assert c.get("/api/registry/subscriptions").json()["items"] == []
    # Explicitly allowed, the same loopback webhook is accepted.
    with client(listed.model_copy(update={"webhook_allowed_networks": "127.0.0.1/32"})) as c:
        r = c.post("/api/registry/subscriptions", json={"url": "http://127.0.0.1:9/hook"})
        assert r.status_code == 201, r.text


@pytest.mark.redis
def test_host_resolving_to_a_refused_address_at_send_time_is_not_contacted(
        settings: Settings, tmp_path: Path) -> None:
    # Accepted while `localhost` was allowed to be loopback; the sender now refuses that address
    # (as it would a name whose DNS answer changed to an internal address since).
    then = settings.model_copy(update={"webhook_allowed_hosts": "localhost",
                                       "webhook_allowed_networks": "127.0.0.0/8, ::1/128"})
    now = then.model_copy(update={"webhook_allowed_networks": ""})
    receiver = Receiver(SECRET).start()
    sender = None
    try:
        (doc,) = confirmed(then, 1)
        subscribe(then, f"http://localhost:{receiver.port}/hook", SECRET)
        sender = SenderProcess(now, tmp_path / "sender.log", **FAST)
        wait_for(lambda: outbox_states(now).get("parked") == 1, 60,
                 f"the push parked (now {outbox_states(now)})")
        assert receiver.contacts == 0
        with client(then) as c:
            (delivery,) = c.get("/api/registry/deliveries").json()["items"]
            assert delivery["attempts"] == 1 and delivery["last_status"] is None
            assert "'localhost' resolves to" in delivery["last_error"]
            assert "a loopback address" in delivery["last_error"]
            assert c.get(f"/api/documents/{doc}").json()["status"] == "confirmed"
        sender.kill()
        # Control: the receiver was there all along; allowed again, the same push arrives.
        sender = SenderProcess(then, tmp_path / "sender.log", **FAST)
        with client(then) as c:
            assert c.post(f"/api/registry/deliveries/{delivery['id']}/retry").status_code == 200
        wait_for(lambda: outbox_states(now).get("delivered") == 1, 60, "the push delivered")
        assert receiver.contacts >= 1 and [v["id"] for v in receiver.accepted.values()] == [doc]
    finally:
        if sender is not None:
            sender.kill()
        receiver.stop()


@pytest.mark.redis
def test_the_receivers_answer_never_reaches_the_api(settings: Settings, tmp_path: Path) -> None:
    settings = settings.model_copy(update=LOOPBACK_ONLY)
    refused, failing = confirmed(settings, 2)

    def plan(key: str, attempt: int) -> str:
        return "400" if key.startswith(f"intake-{refused}-") else "500"

    receiver = Receiver(SECRET, plan).start()
    sender = None
    try:
        subscribe(settings, receiver.url, SECRET)
        sender = SenderProcess(settings, tmp_path / "sender.log", **FAST)
        wait_for(lambda: outbox_states(settings).get("parked") == 2, 60,
                 f"both parked (now {outbox_states(settings)})")
    finally:
        if sender is not None:
            sender.kill()
        receiver.stop()
    assert sum(receiver.attempts.values()) == 3  # each answered with the receiver's body
    leaked = [ERROR_BODY.decode()[:20], "hunter2", "/srv/registry"]
    with client(settings) as c:
        deliveries = c.get("/api/registry/deliveries")
        by_doc = {d["document_id"]: d for d in deliveries.json()["items"]}
        assert by_doc[refused]["last_error"] == "HTTP 400" and by_doc[refused]["last_status"] == 400
        assert by_doc[failing]["last_error"] == "HTTP 500" and by_doc[failing]["last_status"] == 500
        answers = [deliveries.text, c.get("/api/registry/subscriptions").text,
                   c.get("/api/registry/deliveries", params={"state": "parked"}).text,
                   *(c.get(f"/api/documents/{d}").text for d in (refused, failing))]
    with session_scope(settings.database) as session:
        answers += [str(e) for e in session.scalars(select(Outbox.last_error))]
        answers += [str(e) for e in session.scalars(select(Event.detail))]
    assert [(text[:80], part) for text in answers for part in leaked if part in text] == []


@pytest.mark.redis
def test_a_captured_push_cannot_be_replayed_with_another_timestamp(
        settings: Settings, tmp_path: Path) -> None:
    settings = settings.model_copy(update=LOOPBACK_ONLY)
    (doc,) = confirmed(settings, 1)
    receiver = Receiver(SECRET).start()
    sender = None
    try:
        subscribe(settings, receiver.url, SECRET)
        sender = SenderProcess(settings, tmp_path / "sender.log", **FAST)
        wait_for(lambda: receiver.accepted, 60, "the push")
        sender.kill()
        ((headers, body),) = receiver.pushes
        stamp, signature = headers["X-Intake-Timestamp"], headers["X-Intake-Signature"]
        assert abs(int(stamp) - time.time()) < 60
        # The MAC covers the timestamp: the body alone does not give the signature.
        assert signature != "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()

        def replay(**changed: str) -> int:
            return httpx.post(receiver.url, content=body, headers={**headers, **changed}).status_code

        assert replay() == 200 and receiver.duplicates == 1  # as captured: de-duplicated by key
        # Another timestamp, however plausible, breaks the signature.
        assert replay(**{"X-Intake-Timestamp": str(int(stamp) + 1)}) == 401
        assert replay(**{"X-Intake-Timestamp": str(int(stamp) - 30)}) == 401
        assert receiver.bad_signatures == 2
        receiver.clock = lambda: time.time() + MAX_AGE + 1  # the same push, 5 minutes later
        assert replay() == 401 and receiver.bad_signatures == 3
        assert [v["id"] for v in receiver.accepted.values()] == [doc]
    finally:
        if sender is not None:
            sender.kill()
        receiver.stop()
