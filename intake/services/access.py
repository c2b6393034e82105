"""Which documents and batches a principal may reach (after its route's rule let it in).

An object the principal may not see answers 404, as if it did not exist: counting ids tells an
outsider nothing. People see their units' documents (`documents.visibility`); the mailroom sees
the batches it uploaded; an upload token the batches it uploaded; a registry token the documents
of its unit (every unit when it has none).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from documents.visibility import can_see
from infra.tables import Batch, Document
from intake.auth.principal import Principal
from intake.auth.roles import Role
from models.errors import InvalidFieldError, NotFoundError


def visible_document(session: Session, who: Principal, doc_id: int) -> Document:
    """The document when `who` may see it; NotFoundError otherwise (unknown or not theirs)."""
    doc = session.get(Document, doc_id)
    if doc is None or not can_see(who.viewer, doc):
        raise NotFoundError(f"document {doc_id} not found")
    return doc


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
