"""Delivery end to end: a real upload recognised by a real worker, confirmed, pushed and pulled."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from documents.edxml import parse_edxml, validate
from infra.database import session_scope
from infra.tables import Document, Event, utcnow
from models.settings import Settings
from tests.service.helpers import (
    CLERK,
    batch_documents,
    client,
    document_status,
    ready_document,
    scan,
    wait_for,
)
from tests.service.receiver import LOOPBACK_ONLY, Receiver
from worker.daemons.sender import Sender

SECRET = "e2e-secret-0123456789abcdef"


@pytest.mark.redis
@pytest.mark.slow
def test_upload_to_registry(settings: Settings, start_worker: Any) -> None:
    settings = settings.model_copy(update=LOOPBACK_ONLY)
    receiver = Receiver(SECRET).start()
    try:
        start_worker(settings)  # RQ workers and the delivery sender
        with client(settings) as c:
            assert c.post("/api/registry/subscriptions",
                          json={"url": receiver.url, "secret": SECRET}).status_code == 201
            r = c.post("/api/batches", files=[("files", ("scan-5.pdf", scan(5), "application/pdf"))])
            batch_id = r.json()["id"]
            doc_id = wait_for(lambda: next(iter(batch_documents(settings, batch_id)), None), 60,
                              "doc")
            wait_for(lambda: document_status(settings, doc_id) == "ready_for_review", 240, "ready")
            # HĐND Bắc Ninh is not in the agency-code list: the clerk gives its code in review.
            assert c.patch(f"/api/documents/{doc_id}", json={"fields": {
                "organ_code": "000.00.00.K06"}}).status_code == 200
            confirm = c.post(f"/api/documents/{doc_id}/confirm", json={"accept_remaining": True})
            assert confirm.status_code == 200 and confirm.json()["status"] == "confirmed"
            wait_for(lambda: receiver.accepted, 60, "the push")
            (pushed,) = receiver.accepted.values()
            assert pushed["id"] == doc_id and pushed["PageAmount"] == 1
            wait_for(lambda: document_status(settings, doc_id) == "delivered", 30, "delivered")
            pulled = c.get("/api/registry/documents").json()["items"]
            assert [p["id"] for p in pulled] == [doc_id]
            assert {k: v for k, v in pulled[0].items() if k not in ("status", "delivered_at",
                                                                     "links")} == \
                {k: v for k, v in pushed.items() if k not in ("status", "delivered_at", "links")}
            # The registry fetches the PDF/A with its own token.
            assert c.request("GET", pulled[0]["links"]["pdf"],
                             as_role="registry").content.startswith(b"%PDF")
            c.post(f"/api/registry/documents/{doc_id}/status", json={"code": "03"})
            view = c.get(f"/api/documents/{doc_id}").json()
            assert view["registry_status"] == "03" and view["acknowledged_at"]
            assert [h["actor"] for h in view["history"] if h["new"] == "confirmed"] == [CLERK]
            assert view["delivered_at"] >= view["confirmed_at"] >= view["recognised_at"]
        with_agency = settings.model_copy(update={"agency_code": "000.00.00.G09",
                                                  "agency_name": "Bộ Nội vụ"})
        with client(with_agency) as c:
            package = c.get(f"/api/documents/{doc_id}/edxml").content
        assert validate(package) == []
        back = parse_edxml(package)
        pdf = (settings.store_dir / "documents" / str(doc_id) / "document.pdf").read_bytes()
        assert back["attachments"][0]["content"] == pdf
        # To is our agency; From is the issuing agency read from the paper (docs/DELIVERY.md)
        assert (back["to"][0]["id"], back["to"][0]["name"]) == ("000.00.00.G09", "Bộ Nội vụ")
        assert back["from"]["id"] == "000.00.00.K06"
        assert back["document_id"].startswith("000.00.00.K06,")
    finally:
        receiver.stop()


def test_auto_confirm_only_confident_untouched_unrestricted(settings: Settings) -> None:
    meta: dict[str, object] = {"number": "5/UBND-VX", "code_number": "5", "code_notation": "UBND-VX",
            "organ_name": "ỦY BAN NHÂN DÂN HUYỆN A", "subject": "Về việc lịch họp"}
    sure = ready_document(settings, meta)
    unsure = ready_document(settings, {**meta, "code_number": "6"}, uncertain=("subject",))
    secret = ready_document(settings, {**meta, "code_number": "7", "secrecy": "MẬT"})
    touched = ready_document(settings, {**meta, "code_number": "8"})
    with session_scope(settings.database, write=True) as session:
        for doc in session.scalars(select(Document)):
            doc.recognised_at = utcnow()
    with client(settings) as c:
        c.patch(f"/api/documents/{touched}", json={"fields": {"subject": "Về việc lịch họp"}})
    for auto in (False, True):
        sender = Sender(settings.model_copy(update={"auto_confirm": auto}))
        try:
            sender.run_once()
        finally:
            sender.close()
        if not auto:
            assert document_status(settings, sure) == "ready_for_review"
    assert [document_status(settings, d) for d in (sure, unsure, secret, touched)] == [
        "confirmed", "ready_for_review", "ready_for_review", "ready_for_review"]
    with session_scope(settings.database) as session:
        (event,) = [e for e in session.scalars(select(Event).where(Event.document_id == sure))
                    if e.new == "confirmed"]
        assert event.actor == "system:auto-confirm" and not event.by_person
        assert session.get_one(Document, sure).delivery_seq is not None
