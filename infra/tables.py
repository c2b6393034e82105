"""Database tables (SQLAlchemy 2): batches, files, uploads, documents, pages and their history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from models.vocabulary import DocumentStatus, OutboxState, PageStatus


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC (the only clock the tables use)."""
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


# JSONB on PostgreSQL (indexable, compact), plain JSON text on SQLite.
Json = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map = {dt.datetime: UtcDateTime(), dict[str, Any]: Json}


class Batch(Base):
    """One upload request (or one file from the watched folder): a set of files."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16), default="api")  # api | watch
    created_by: Mapped[str] = mapped_column(String(100), default="")
    # The receiving unit (phòng/ban) the mailroom scanned for; reports group by it.
    unit: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Set once the batch job has turned every upload into documents (splitting happens there).
    planned_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    uploads: Mapped[list[Upload]] = relationship(back_populates="batch", order_by="Upload.id")


class StoredFile(Base):
    """A file in the store, once per content: the SHA-256 is the key and the duplicate check."""

    __tablename__ = "files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    stored_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Upload(Base):
    """One file received in a batch; a repeated content points at the first upload of it."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("files.sha256"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"), default=None)

    batch: Mapped[Batch] = relationship(back_populates="uploads")
    documents: Mapped[list[Document]] = relationship(
        back_populates="upload", order_by="Document.page_start", foreign_keys="Document.upload_id"
    )


class Document(Base):
    """A document cut from an upload (today the whole file), its processing state and results."""

    __tablename__ = "documents"
    __table_args__ = (
        # The batch job may run twice: (upload, first page) makes creating documents idempotent.
        UniqueConstraint("upload_id", "page_start", name="uq_documents_upload_page"),
        Index("ix_documents_status_updated", "status", "updated_at"),
        Index("ix_documents_identity", "number", "notation", "organ"),
        # Covering index of the reports (documents/reports.py): the period, then every column read.
        Index("ix_documents_report", "uploaded_at", "status", "organ", "unit", "delivered_at",
              "acknowledged_at", "recognised_at", "urgency", "secrecy", "registry_status",
              "paper_arrived_on", "secrecy_level", "id"),
        UniqueConstraint("delivery_seq", name="uq_documents_delivery_seq"),
        UniqueConstraint("arrival_year", "arrival_number", name="uq_documents_arrival"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of the source file
    page_start: Mapped[int] = mapped_column(Integer, default=0)
    page_count: Mapped[int | None] = mapped_column(Integer, default=None)  # None: to the end
    title: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(32), default=DocumentStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    retry_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    error: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    text: Mapped[str] = mapped_column(Text, default="")
    pages_total: Mapped[int] = mapped_column(Integer, default=0)
    pdf_key: Mapped[str | None] = mapped_column(String(200), default=None)
    # Registry identity (DOMAIN §5): CodeNumber, CodeNotation, OrganName; duplicates are flagged.
    number: Mapped[str | None] = mapped_column(String(11), default=None)
    notation: Mapped[str | None] = mapped_column(String(30), default=None)
    organ: Mapped[str | None] = mapped_column(String(200), default=None)
    organ_folded: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    doc_type: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    urgency: Mapped[str | None] = mapped_column(String(20), default=None, index=True)
    issued_date: Mapped[dt.date | None] = mapped_column(default=None)
    unit: Mapped[str] = mapped_column(String(100), default="", index=True)  # from its batch
    # MẬT / TỐI MẬT / TUYỆT MẬT: never delivered electronically by automation (restricted queue).
    secrecy: Mapped[str | None] = mapped_column(String(20), default=None, index=True)
    # models.vocabulary.SecrecyLevel, derived from the mark and its field (documents.visibility):
    # 0 open; 1 uncertain (no mark proven), 2-4 MẬT..TUYỆT MẬT. Not 0: seen only with clearance.
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0, index=True)
    # Fields still marked needs_review (the review queue shows and sorts by it).
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    # How the batch was cut here: {"confidence", "needs_review", "reason"} (None: whole file).
    split: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # Latest registry status code (DOMAIN §7: 01 arrived ... 06 done), None before delivery.
    registry_status: Mapped[str | None] = mapped_column(String(2), default=None)
    # The paper's arrival date, entered by the mailroom (reports compare it with delivery).
    paper_arrived_on: Mapped[dt.date | None] = mapped_column(default=None)
    # Position in the registry feed (pull cursor, push outbox); set when the document becomes
    # ready for delivery, cleared when the registry refuses it. Increases in commit order.
    delivery_seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # The incoming register's number (số đến): one series per local calendar year of receipt,
    # given when the row is created, in that order, never changed (infra/arrival.py).
    arrival_year: Mapped[int | None] = mapped_column(Integer, default=None)
    arrival_number: Mapped[int | None] = mapped_column(Integer, default=None)
    # The registry's reason for refusing it (status 02), shown to the clerk until re-confirmed.
    refusal: Mapped[str | None] = mapped_column(String(500), default=None)
    # The source PDF's own digital signatures as the worker checked them (None: not a PDF, or
    # processed before they were checked): documents/incoming_signatures.py, issue 14.
    incoming_signatures: Mapped[list[dict[str, Any]] | None] = mapped_column(Json, default=None)
    # The agency's PAdES signature of this copy (documents/signing): None (not to be signed),
    # pending, signed, failed; `signing` holds who asked, the error and the signed versions.
    sign_state: Mapped[str | None] = mapped_column(String(16), default=None, index=True)
    signing: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)
    # Why its scanned image is not an eligible electronic copy (Nghị định 30, Phụ lục I):
    # ['low_resolution:150dpi', 'unknown_size', 'not_colour']; [] eligible; None: not a scan.
    copy_reasons: Mapped[list[str] | None] = mapped_column(Json, default=None)
    possible_duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id"), default=None
    )
    # What the registry says (issue 17, migration 0015): the due date it gave (hạn xử lý), its
    # time of status 06 (handling finished), the DocumentId of the electronic copy it already had.
    due_date: Mapped[dt.date | None] = mapped_column(default=None)
    handled_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    registry_duplicate_of: Mapped[str | None] = mapped_column(String(200), default=None)
    # Search columns: text and metadata lower-cased (exact) and without diacritics (folded).
    search_text: Mapped[str] = mapped_column(Text, default="")
    search_folded: Mapped[str] = mapped_column(Text, default="")
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    recognised_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(default=None, index=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    upload: Mapped[Upload] = relationship(back_populates="documents", foreign_keys=[upload_id])
    pages: Mapped[list[Page]] = relationship(
        back_populates="document", order_by="Page.index", cascade="all, delete-orphan"
    )


class Page(Base):
    """Progress and result of one page of a document (words kept for the review screen)."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "index", name="uq_pages_document_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    index: Mapped[int] = mapped_column(Integer)  # 0-based within the document
    # The uploaded file and its 0-based page this page came from (kept through corrections).
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"), default=None)
    source_page: Mapped[int | None] = mapped_column(Integer, default=None)
    status: Mapped[str] = mapped_column(String(16), default=PageStatus.PENDING)
    source: Mapped[str | None] = mapped_column(String(16), default=None)  # ocr | text_layer
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    mean_confidence: Mapped[float | None] = mapped_column(Float, default=None)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    dpi: Mapped[int] = mapped_column(Integer, default=0)
    words: Mapped[dict[str, Any]] = mapped_column(default=dict)  # result.page_evidence
    image_key: Mapped[str | None] = mapped_column(String(200), default=None)
    error: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    document: Mapped[Document] = relationship(back_populates="pages")


class Event(Base):
    """Append-only history: who did what, when, to which field, old value -> new value."""

    __tablename__ = "events"
    # Reports find the documents the registry refused (action "registry", new "02") by a seek.
    __table_args__ = (Index("ix_events_action_new", "action", "new", "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # "system:worker", "user:<name>", ...
    action: Mapped[str] = mapped_column(String(50))  # status, field, upload, duplicate, retry
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True, default=None)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id"), index=True, default=None
    )
    field: Mapped[str | None] = mapped_column(String(100), default=None)
    old: Mapped[Any] = mapped_column(Json, nullable=True, default=None)
    new: Mapped[Any] = mapped_column(Json, nullable=True, default=None)
    detail: Mapped[str] = mapped_column(Text, default="")

    # Marks events that are a person's correction, so reports can count them.
    by_person: Mapped[bool] = mapped_column(Boolean, default=False)


class GazetteerEntry(Base):
    """A clerk's corrected agency name, parent line or position, or a confirmed document's
    signer: extraction learns it."""

    __tablename__ = "gazetteer_entries"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_gazetteer_kind_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # organ | parent | position | place | organ_code | signer (documents/extract/known_signers)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(300))
    added_by: Mapped[str] = mapped_column(String(100), default="")
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DeliveryCounter(Base):
    """One row: the last delivery sequence number handed out (locked while taking the next)."""

    __tablename__ = "delivery_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class ArrivalCounter(Base):
    """One row per year: the last arrival number (số đến) given that year."""

    __tablename__ = "arrival_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Subscription(Base):
    """A webhook the registry registered: every ready document is POSTed to it, signed."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(1000))
    secret: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Documents up to this delivery sequence already have their outbox row for this webhook.
    enqueued_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class Outbox(Base):
    """One push of one ready document to one webhook: claimed with a lease, retried, parked."""

    __tablename__ = "outbox"
    __table_args__ = (
        # One row per document x webhook x readiness: re-scanning the feed never duplicates it.
        UniqueConstraint("subscription_id", "document_id", "delivery_seq", name="uq_outbox_delivery"),
        Index("ix_outbox_state_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    delivery_seq: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)  # HTTP status
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(default=None)


# --- Identity and audit (docs/SECURITY.md) -----------------------------------------------------
# Roles and token scopes are plain strings here; their vocabulary is intake/auth/roles.py.


class Unit(Base):
    """A receiving unit (phòng/ban): documents, accounts and upload tokens belong to units."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)  # as in batches/documents.unit
    name: Mapped[str] = mapped_column(String(200), default="")


class AccountUnit(Base):
    """Which units an account works for (many to many)."""

    __tablename__ = "account_units"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)


class Account(Base):
    """A person who signs in: a role, units, a clearance for secret documents, a password hash."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # lower-case ASCII
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, PHC string
    role: Mapped[str] = mapped_column(String(16))  # mailroom | clerk | manager | administrator
    # May see MẬT / TỐI MẬT / TUYỆT MẬT documents (an attribute, not a role).
    secret_clearance: Mapped[bool] = mapped_column(Boolean, default=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Consecutive failed sign-ins; reaching the limit sets locked_until and starts again at 0.
    failed_signins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    units: Mapped[list[Unit]] = relationship(secondary="account_units", order_by="Unit.code")


class AccountSession(Base):
    """A signed-in browser: the cookie holds a random token, the row only its SHA-256."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 hex of the token
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]  # absolute end, whatever the activity
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The CSRF token is HMAC(session token, seed): the row alone does not give it.
    csrf_seed: Mapped[str] = mapped_column(String(64))

    account: Mapped[Account] = relationship()


class ApiToken(Base):
    """A machine's credential (scanner, watched folder, registry): scoped, expiring, revocable."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex of the token
    prefix: Mapped[str] = mapped_column(String(16))  # the token's first characters, to recognise it
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(16))  # upload | registry
    # upload: the one unit it uploads into; registry: the unit it pulls (None: every unit).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None)
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    unit: Mapped[Unit | None] = relationship()


class AuditEntry(Base):
    """Append-only audit log: sign-ins, token use, secret views, changes, deliveries.

    Written only by documents/audit.py; on PostgreSQL and SQLite a trigger refuses UPDATE and
    DELETE (migration 0006)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_action_at", "action", "at"),
        Index("ix_audit_log_actor", "actor_kind", "actor_id", "at"),
        Index("ix_audit_log_object", "object_kind", "object_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_kind: Mapped[str] = mapped_column(String(16))  # account | token | system | anonymous
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    actor_name: Mapped[str] = mapped_column(String(100), default="")  # as it was at the time
    action: Mapped[str] = mapped_column(String(50))
    object_kind: Mapped[str | None] = mapped_column(String(30), default=None)
    object_id: Mapped[str | None] = mapped_column(String(100), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ip: Mapped[str | None] = mapped_column(String(45), default=None)


class SigningCertificate(Base):
    """A certificate the agency signs legal copies with (documents/signing). Its password or PIN
    is never stored: `secret_env` names the environment variable of the signing process that
    holds it. `unit` '' is the agency default, a unit's code that unit's default."""

    __tablename__ = "signing_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    unit: Mapped[str] = mapped_column(String(100), default="", index=True)
    kind: Mapped[str] = mapped_column(String(16))  # pkcs12 | pem | pkcs11
    key_file: Mapped[str | None] = mapped_column(String(500), default=None)  # .p12 or key PEM
    cert_file: Mapped[str | None] = mapped_column(String(500), default=None)  # PEM certificate
    pkcs11_module: Mapped[str | None] = mapped_column(String(500), default=None)
    pkcs11_token: Mapped[str | None] = mapped_column(String(100), default=None)
    pkcs11_key: Mapped[str | None] = mapped_column(String(100), default=None)
    secret_env: Mapped[str | None] = mapped_column(String(100), default=None)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SigningAssignment(Base):
    """The certificate an account signs with when it confirms a document."""

    __tablename__ = "signing_assignments"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"),
                                            primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("signing_certificates.id", ondelete="CASCADE"), index=True)


class ReportFact(Base):
    """One narrow row per document with what the reports add up (documents/reports/facts.py).

    Written only by database triggers (migration 0012) in the transaction that writes the
    document, so every writer keeps it; days are Julian day numbers of the Vietnam calendar day.
    """

    __tablename__ = "report_facts"
    __table_args__ = (Index("ix_report_facts_day", "day", "unit"),)

    document_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    day: Mapped[int] = mapped_column(Integer)  # the local day of upload
    month: Mapped[int] = mapped_column(Integer)  # YYYYMM of that day
    unit: Mapped[str] = mapped_column(String(100))
    organ: Mapped[str] = mapped_column(String(200))  # '' when unknown
    secrecy_level: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    digitised: Mapped[int] = mapped_column(Integer)
    refused: Mapped[int] = mapped_column(Integer)  # refused (02) at least once
    urgent: Mapped[int] = mapped_column(Integer)
    arrived: Mapped[int] = mapped_column(Integer)  # the paper's day when earlier, else upload day
    paper_day: Mapped[int | None] = mapped_column(Integer, default=None)
    delivered_day: Mapped[int | None] = mapped_column(Integer, default=None)
    ack_day: Mapped[int | None] = mapped_column(Integer, default=None)
    to_delivery: Mapped[float | None] = mapped_column(Float, default=None)  # seconds
    to_acknowledgement: Mapped[float | None] = mapped_column(Float, default=None)
    uploaded_at: Mapped[dt.datetime] = mapped_column()
    # Migration 0013: received as an electronic file (1) or a scan of paper (0); its PDF's own
    # signatures (1 some, 0 none, None not checked); the document it may duplicate; the issuing
    # agency's code a person gave or accepted.
    electronic: Mapped[int] = mapped_column(Integer, default=0)
    signed: Mapped[int | None] = mapped_column(Integer, default=None)
    duplicate_of: Mapped[int | None] = mapped_column(Integer, default=None)
    agency_code: Mapped[str | None] = mapped_column(String(30), default=None)
    # Migration 0016: our delivered copy carries the agency's PAdES signature (sign_state
    # signed), the due date and the day handling finished (JDN), the registry said duplicate.
    copy_signed: Mapped[int] = mapped_column(Integer, default=0)
    due_day: Mapped[int | None] = mapped_column(Integer, default=None)
    handled_day: Mapped[int | None] = mapped_column(Integer, default=None)
    registry_duplicate: Mapped[int] = mapped_column(Integer, default=0)


class ReportSend(Base):
    """A monthly report due to one destination (documents/reports/sending.py, migration 0014)."""

    __tablename__ = "report_sends"
    __table_args__ = (UniqueConstraint("month", "destination",
                                       name="uq_report_sends_month_destination"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    destination: Mapped[str] = mapped_column(String(500))  # url:https://... | dir:/path
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|parked
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReportImport(Base):
    """A unit's monthly report a province-level installation imported (documents/reports/province.py)."""

    __tablename__ = "report_imports"
    __table_args__ = (UniqueConstraint("month", "agency_code", "agency",
                                       name="uq_report_imports_month_agency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    agency_code: Mapped[str] = mapped_column(String(30))  # '' when the unit has none
    agency: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(100))
