"""Signatures of an incoming signed PDF, as the worker checked them (issue 14).

One JSON column on the document: the list of the original file's digital signatures (signer,
signing time, integrity, certificate status; documents/incoming_signatures.py); NULL when the
source is not a PDF or was processed before this revision.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("incoming_signatures",
                                   sa.JSON().with_variant(JSONB(), "postgresql"), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("incoming_signatures")
