"""Secrecy level: how restricted a document is, one integer column the SQL conditions read.

0 open, 1 uncertain (no mark read, not proven: the colour of the page was not searched, or a
stamp there could not be read), 2 MẬT, 3 TỐI MẬT, 4 TUYỆT MẬT (models.vocabulary.SecrecyLevel).
Existing rows are filled with the rule of documents.visibility.secrecy_level as it is at this
revision (written out here: a migration does not change when the code does). The report's
covering index gets the column.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

import unicodedata
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OLD_REPORT = ["uploaded_at", "status", "organ", "unit", "delivered_at", "acknowledged_at",
              "recognised_at", "urgency", "secrecy", "registry_status", "paper_arrived_on", "id"]
NEW_REPORT = [*OLD_REPORT[:-1], "secrecy_level", "id"]
_MARKS = {"MẬT": 2, "TỐI MẬT": 3, "TUYỆT MẬT": 4}
_CHUNK = 500

_documents = sa.table("documents", sa.column("id", sa.Integer()),
                      sa.column("secrecy", sa.String()), sa.column("fields", JSON),
                      sa.column("secrecy_level", sa.Integer()))


def _level(mark: str | None, field: Any) -> int:
    text = " ".join(unicodedata.normalize("NFC", mark or "").upper().split())
    if text:
        return _MARKS.get(text, 1)
    uncertain = (isinstance(field, dict) and field.get("value") in (None, "")
                 and bool(field.get("needs_review")))
    return 1 if uncertain else 0


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("secrecy_level", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.create_index("ix_documents_secrecy_level", ["secrecy_level"])
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(sa.select(_documents.c.id, _documents.c.secrecy, _documents.c.fields)
                            .where(_documents.c.id > last).order_by(_documents.c.id)
                            .limit(_CHUNK)).all()
        if not rows:
            break
        for doc_id, mark, fields in rows:
            level = _level(mark, (fields or {}).get("secrecy") if isinstance(fields, dict) else None)
            if level:
                conn.execute(sa.update(_documents).where(_documents.c.id == doc_id)
                             .values(secrecy_level=level))
        last = rows[-1][0]
    op.drop_index("ix_documents_report", table_name="documents")
    op.create_index("ix_documents_report", "documents", NEW_REPORT)


def downgrade() -> None:
    """Undo this revision."""
    op.drop_index("ix_documents_report", table_name="documents")
    op.create_index("ix_documents_report", "documents", OLD_REPORT)
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_secrecy_level")
        batch.drop_column("secrecy_level")
