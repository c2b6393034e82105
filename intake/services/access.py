"""Which documents and batches a principal may reach (after its route's rule let it in).

An object the principal may not see answers 404, as if it did not exist: counting ids tells an
outsider nothing. People see their units' documents (`documents.visibility`); the mailroom sees
the batches it uploaded; an upload token the batches it uploaded; a registry token the documents
of its unit (every unit when it has none).
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from documents.audit import AuditAction, record
from documents.visibility import can_see, is_secret, secret_condition
from infra.database import session_scope
from infra.tables import Batch, Document, Page, Upload
from intake.auth.principal import Principal
from intake.auth.roles import Role
from models.errors import InvalidFieldError, NotFoundError
from models.settings import Settings
from models.vocabulary import DocumentStatus


def visible_document(session: Session, who: Principal, doc_id: int) -> Document:
    """The document when `who` may see it; NotFoundError otherwise (unknown or not theirs)."""
    doc = session.get(Document, doc_id)
    if doc is None or not can_see(who.viewer, doc):
        raise NotFoundError(f"document {doc_id} not found")
    return doc


def served_document(session: Session, who: Principal, doc_id: int) -> Document:
    """A document whose files may be served: visible to `who` and not emptied by a correction
    (a merged-away document serves nothing: its pages and their mark are in another one)."""
    doc = visible_document(session, who, doc_id)
    if doc.status == DocumentStatus.DELETED:
        raise NotFoundError(f"document {doc_id} was emptied by a correction; see its history")
    return doc


def original_restricted(session: Session, doc: Document) -> bool:
    """Whether the uploaded file `doc` was cut from holds a restricted document: the original
    is then restricted like it. Counted: every document cut from the same file (any upload of
    it, emptied ones included) and every document now holding one of its pages."""
    pages_of_file = (select(Page.document_id).join(Upload, Page.upload_id == Upload.id)
                     .where(Upload.sha256 == doc.sha256))
    return is_secret(doc) or session.scalar(
        select(Document.id).where(secret_condition(),
                                  or_(Document.sha256 == doc.sha256,
                                      Document.id.in_(pages_of_file))).limit(1)) is not None


def original_alone(session: Session, doc: Document) -> bool:
    """Whether the file `doc` was uploaded as holds `doc` alone: no other document was cut from
    that upload, nor holds one of its pages (the registry may then have the original)."""
    pages_elsewhere = select(Page.id).where(Page.upload_id == doc.upload_id,
                                            Page.document_id != doc.id)
    others = select(Document.id).where(Document.upload_id == doc.upload_id, Document.id != doc.id,
                                       Document.status != DocumentStatus.DELETED)
    return session.scalar(pages_elsewhere.limit(1)) is None and \
        session.scalar(others.limit(1)) is None


def audit_secret(settings: Settings, request: Request, who: Principal, doc: Document,
                 action: AuditAction, what: str, restricted: bool | None = None) -> None:
    """Write a view or download of a restricted document to the audit log (nothing for an
    open one; `restricted` overrides the document's own level, e.g. for its original)."""
    if not (is_secret(doc) if restricted is None else restricted):
        return
    ip = request.client.host if request.client else None
    with session_scope(settings.database, write=True) as session:
        record(session, who.actor, action, object_kind="document", object_id=doc.id, ip=ip,
               detail={"what": what, "secrecy": doc.secrecy, "level": doc.secrecy_level})


def check_documents(session: Session, who: Principal, *doc_ids: int | None) -> None:
    """Every document a change touches must be visible to `who` (404 otherwise). The check's
    read transaction then ends, so the change writes in its own (SQLite allows one writer)."""
    for doc_id in doc_ids:
        if doc_id is not None:
            visible_document(session, who, doc_id)
    session.rollback()


def visible_batch(session: Session, who: Principal, batch_id: int) -> Batch:
    """The batch when `who` may follow it: its own upload (mailroom, upload token) or one of its
    units (clerk); NotFoundError otherwise."""
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFoundError(f"batch {batch_id} not found")
    own = batch.created_by == who.history
    if who.role is Role.CLERK:
        allowed = own or who.sees_unit(batch.unit)
    else:
        allowed = own and who.sees_unit(batch.unit)
    if not allowed:
        raise NotFoundError(f"batch {batch_id} not found")
    return batch


def batch_conditions(who: Principal) -> list[ColumnElement[bool]]:
    """`visible_batch` as SQL, for the list of batches: the same rule, every batch at once."""
    own = Batch.created_by == who.history
    unit: ColumnElement[bool] = true() if who.units is None else Batch.unit.in_(sorted(who.units))
    return [or_(own, unit) if who.role is Role.CLERK else and_(own, unit)]


def upload_unit(who: Principal, asked: str) -> str:
    """The receiving unit of an upload: the token's own, or one of the person's units (the
    first when none is asked)."""
    asked = " ".join(asked.split())
    if who.units is None:  # not for upload tokens (always one unit); kept total
        return asked
    units = sorted(who.units)
    if not asked:
        if not units:
            raise InvalidFieldError("Tài khoản này chưa thuộc đơn vị nào; hãy nhờ quản trị "
                                    "viên gán đơn vị.", field="unit")
        return units[0]
    if asked not in who.units:
        raise InvalidFieldError(f"Không được tải lên cho đơn vị «{asked}».", field="unit")
    return asked
