"""Confirm → signed → in the feed → pushed, in that order; corrected and confirmed again → a new
signed version (the older ones kept); a refused certificate holds the document; no certificate
→ delivered unsigned at once. SQLite, the local store, the sender's signing round and enqueue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from documents.confirm import confirm
from documents.lifecycle import set_status
from documents.registry import registry_item
from documents.signing import FAILED, PENDING, SIGNED, source_key
from documents.signing.run import sign_pending
from infra.database import dispose_engines, migrate, session_scope
from infra.storage import derived_key, open_store
from infra.tables import (
    Account,
    Document,
    DocumentStatus,
    Event,
    Outbox,
    SigningAssignment,
    SigningCertificate,
    Subscription,
)
from intake.services.views import document_view
from models.settings import Settings
from tests.documents.test_pdf_sign import make_pdfa
from tests.pki import AGENCY_NAME, PKI, Identity
from tests.service.helpers import ready_document
from worker.daemons.sender import enqueue

META: dict[str, object] = {"number": "12", "notation": "QĐ-UBND", "organ": "UBND tỉnh Thử nghiệm"}


@pytest.fixture
def base(tmp_path: Path) -> Iterator[Settings]:
    yield Settings(data_dir=tmp_path / "var", database_url=f"sqlite:///{tmp_path / 'intake.db'}",
                   agency_name=AGENCY_NAME)
    dispose_engines()


def _with(settings: Settings, pki: PKI, ident: Identity, monkeypatch: pytest.MonkeyPatch,
          assign_to: str | None = None) -> Settings:
    """Register `ident` as the agency's certificate (the administrator's table; the password in
    an environment variable), optionally assigned to an account; trust the test root."""
    migrate(settings.database)
    monkeypatch.setenv("INTAKE_TEST_P12_PASSWORD", ident.pkcs12_password)
    with session_scope(settings.database, write=True) as session:
        session.add(SigningCertificate(name="Văn thư chung", unit="", kind="pkcs12",
                                       key_file=str(pki.agency.pkcs12_file),
                                       secret_env="INTAKE_TEST_P12_PASSWORD"))
        cert = SigningCertificate(name=f"Văn thư {ident.name}", unit="", kind="pkcs12",
                                  key_file=str(ident.pkcs12_file),
                                  secret_env="INTAKE_TEST_P12_PASSWORD")
        session.add(cert)
        session.flush()
        if assign_to is not None:
            account = Account(username=assign_to, password_hash="-", role="clerk")
            session.add(account)
            session.flush()
            session.add(SigningAssignment(account_id=account.id, certificate_id=cert.id))
    return settings.model_copy(update={"signing_trust_roots": pki.root.cert_file,
                                       "signing_fetch_revocation": False})


def _document(settings: Settings, tmp_path: Path) -> int:
    doc_id = ready_document(settings, META)
    pdf = tmp_path / f"copy-{doc_id}.pdf"
    make_pdfa(pdf)
    key = open_store(settings).put_file(derived_key("documents", doc_id, "document.pdf"), pdf)
    with session_scope(settings.database, write=True) as session:
        session.get_one(Document, doc_id).pdf_key = key
        session.add(Subscription(url="https://registry.example/hook", secret="s"))
    return doc_id


def _confirm(settings: Settings, doc_id: int) -> None:
    with session_scope(settings.database, write=True) as session:
        doc = session.get_one(Document, doc_id)
        if doc.status != DocumentStatus.READY_FOR_REVIEW:
            set_status(session, doc, DocumentStatus.READY_FOR_REVIEW, "corrected",
                       actor="user:lan")
        confirm(session, doc, "user:lan")


def _outbox(settings: Settings) -> int:
    with session_scope(settings.database, write=True) as session:
        enqueue(session)
        return len(session.scalars(select(Outbox)).all())


def test_confirm_sign_deliver_and_sign_again(base: Settings, pki: PKI, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _with(base, pki, pki.agency, monkeypatch, assign_to="lan")
    store = open_store(settings)
    doc_id = _document(settings, tmp_path)
    _confirm(settings, doc_id)
    with session_scope(settings.database) as session:
        doc = session.get_one(Document, doc_id)
        assert doc.status == DocumentStatus.CONFIRMED and doc.sign_state == PENDING
        assert doc.delivery_seq is None and registry_item(doc)["Signature"] is None
        assert document_view(session, doc_id)["agency_signature_note"].startswith(
            "Đang chờ ký số sao y")
        unsigned = doc.pdf_key
        assert unsigned is not None
    assert _outbox(settings) == 0  # not in the feed, nothing pushed before the signature

    assert sign_pending(settings, store) == [doc_id]
    with session_scope(settings.database) as session:
        doc = session.get_one(Document, doc_id)
        assert doc.sign_state == SIGNED and doc.delivery_seq is not None
        first = doc.pdf_key
        assert first is not None and first != unsigned and source_key(doc) == unsigned
        item = registry_item(doc)["Signature"]
        assert item["Version"] == 1 and item["Level"] == "B-B"
        assert item["Certificate"] == "Văn thư agency"  # the confirming account's certificate
        view = document_view(session, doc_id)
        assert view["agency_signature"]["state"] == SIGNED
        assert view["agency_signature_note"] == (
            f"Đã ký số sao y (PAdES B-B) lúc {item['SignedAt']} bằng chứng thư «Văn thư agency», "
            "phiên bản 1.")
        history = [(e.action, e.new) for e in session.scalars(
            select(Event).where(Event.document_id == doc_id).order_by(Event.id))]
    steps = [history.index(s) for s in (("status", "confirmed"), ("signing", PENDING),
                                        ("signing", SIGNED), ("delivery", doc.delivery_seq))]
    assert steps == sorted(steps)
    assert _outbox(settings) == 1
    with store.open(first) as fh:
        signed = fh.read()
    with store.open(unsigned) as fh:
        assert signed.startswith(fh.read()) and b"/ByteRange" in signed

    _confirm(settings, doc_id)  # corrected after signing: confirmed again
    assert sign_pending(settings, store) == [doc_id]
    with session_scope(settings.database) as session:
        doc = session.get_one(Document, doc_id)
        versions = (doc.signing or {})["versions"]
        assert [v["version"] for v in versions] == [1, 2] and doc.pdf_key == versions[1]["key"]
        assert versions[1]["source_key"] == unsigned and doc.pdf_key != first
        assert registry_item(doc)["Signature"]["Version"] == 2
    assert store.exists(first) and store.exists(unsigned)  # the versions are kept
    assert _outbox(settings) == 2  # the new version is pushed again (new readiness)


def test_refused_certificate_holds_the_document(base: Settings, pki: PKI, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _with(base, pki, pki.expired, monkeypatch, assign_to="lan")
    doc_id = _document(settings, tmp_path)
    _confirm(settings, doc_id)
    assert sign_pending(settings, open_store(settings)) == []
    with session_scope(settings.database) as session:
        doc = session.get_one(Document, doc_id)
        assert doc.sign_state == FAILED and doc.delivery_seq is None
        assert "đã hết hạn" in (doc.signing or {})["error"]
        assert document_view(session, doc_id)["agency_signature_note"].startswith(
            "Chưa ký số được nên văn bản chưa được chuyển đi: Chứng thư số")
        event = session.scalars(select(Event).where(Event.document_id == doc_id,
                                                    Event.action == "signing")
                                .order_by(Event.id.desc())).first()
        assert event is not None and event.new == FAILED and "hết hạn" in event.detail
    assert _outbox(settings) == 0


def test_without_a_certificate_delivered_unsigned(base: Settings, tmp_path: Path) -> None:
    doc_id = _document(base, tmp_path)
    _confirm(base, doc_id)
    with session_scope(base.database) as session:
        doc = session.get_one(Document, doc_id)
        assert doc.sign_state is None and doc.delivery_seq is not None
        assert registry_item(doc)["Signature"] is None
        assert document_view(session, doc_id)["agency_signature"] is None
