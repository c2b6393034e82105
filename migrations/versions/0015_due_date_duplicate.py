"""What the registry says about a delivered document (issue 17): its due date, when handling
finished, and the electronic document it duplicates.

`documents.due_date` (hạn xử lý, the day the registry gives when it assigns the document to the
handling unit), `documents.handled_at` (the registry's time of status 06 Hoàn thành: handling
finished) and `documents.registry_duplicate_of` (the edXML DocumentId of the electronic copy the
registry already received, when it says this delivered document duplicates it).

Plain ALTER TABLE ADD COLUMN on both databases: a batch recreate of `documents` on SQLite would
drop the report_facts triggers (migrations 0012, 0013).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    op.add_column("documents", sa.Column("due_date", sa.Date(), nullable=True))
    op.add_column("documents", sa.Column("handled_at", STAMP, nullable=True))
    op.add_column("documents", sa.Column("registry_duplicate_of", sa.String(200), nullable=True))


def downgrade() -> None:
    """Revert this revision (SQLite 3.35+ drops a column in place)."""
    for name in ("registry_duplicate_of", "handled_at", "due_date"):
        op.drop_column("documents", name)
