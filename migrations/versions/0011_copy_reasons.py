"""The image check of an electronic copy (issue 14): documents.copy_reasons.

JSON list of why a scanned document's image is not an eligible electronic copy under Nghị định
30, Phụ lục I, Phần II ('low_resolution:150dpi', 'unknown_size', 'not_colour'); [] eligible;
NULL when no page is a scan (born-digital) or the document was processed before this revision.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 12:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("copy_reasons", sa.JSON().with_variant(JSONB(), "postgresql"),
                                   nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("copy_reasons")
