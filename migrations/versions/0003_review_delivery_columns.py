"""Review and delivery columns: receiving unit, secrecy, review count, split note, timestamps, page origin, gazetteer.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("unit", sa.String(100), nullable=False, server_default=""))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("unit", sa.String(100), nullable=False, server_default=""))
        batch.create_index("ix_documents_unit", ["unit"])
        batch.add_column(sa.Column("secrecy", sa.String(20), nullable=True))
        batch.add_column(sa.Column("review_count", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("split", JSON, nullable=True))
        batch.add_column(sa.Column("registry_status", sa.String(2), nullable=True))
        batch.add_column(sa.Column("paper_arrived_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("confirmed_at", STAMP, nullable=True))
        batch.add_column(sa.Column("delivered_at", STAMP, nullable=True))
        batch.add_column(sa.Column("acknowledged_at", STAMP, nullable=True))
        batch.create_index("ix_documents_secrecy", ["secrecy"])
        batch.create_index("ix_documents_delivered_at", ["delivered_at"])
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("upload_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("source_page", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_pages_upload_id", "uploads", ["upload_id"], ["id"])
    op.create_table(
        "gazetteer_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("value", sa.String(300), nullable=False),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "value", name="uq_gazetteer_kind_value"),
    )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("gazetteer_entries")
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("unit")
    with op.batch_alter_table("pages") as batch:
        batch.drop_constraint("fk_pages_upload_id", type_="foreignkey")
        batch.drop_column("source_page")
        batch.drop_column("upload_id")
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_delivered_at")
        batch.drop_index("ix_documents_secrecy")
        batch.drop_index("ix_documents_unit")
        for name in ("unit", "acknowledged_at", "delivered_at", "confirmed_at", "paper_arrived_on",
                     "registry_status", "split", "review_count", "secrecy"):
            batch.drop_column(name)
