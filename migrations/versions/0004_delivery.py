"""Delivery to the registry: feed sequence and refusal on documents, counter, webhooks, outbox.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("delivery_seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("refusal", sa.String(500), nullable=True))
        batch.create_unique_constraint("uq_documents_delivery_seq", ["delivery_seq"])
    counter = op.create_table(
        "delivery_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(counter, [{"id": 1, "value": 0}])
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("deleted_at", STAMP, nullable=True),
        sa.Column("enqueued_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), sa.ForeignKey("subscriptions.id"),
                  nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("delivery_seq", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", STAMP, nullable=False),
        sa.Column("lease_until", STAMP, nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("delivered_at", STAMP, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscription_id", "document_id", "delivery_seq",
                            name="uq_outbox_delivery"),
    )
    op.create_index("ix_outbox_subscription_id", "outbox", ["subscription_id"])
    op.create_index("ix_outbox_document_id", "outbox", ["document_id"])
    op.create_index("ix_outbox_state_due", "outbox", ["state", "next_attempt_at"])


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("outbox")
    op.drop_table("subscriptions")
    op.drop_table("delivery_counter")
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("uq_documents_delivery_seq", type_="unique")
        batch.drop_column("refusal")
        batch.drop_column("delivery_seq")
