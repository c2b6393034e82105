"""Report indexes: a covering index for the report over a period, refusals found by an index seek.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 23:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Every column the report reads, after the period's bound: the report reads the index only
# (documents rows carry the OCR text and search strings, tens of kilobytes each).
REPORT_COLUMNS = ["uploaded_at", "status", "organ", "unit", "delivered_at", "acknowledged_at",
                  "recognised_at", "urgency", "secrecy", "registry_status", "paper_arrived_on", "id"]


def upgrade() -> None:
    """Apply this revision."""
    op.create_index("ix_documents_report", "documents", REPORT_COLUMNS)
    op.create_index("ix_events_action_new", "events", ["action", "new", "document_id"])


def downgrade() -> None:
    """Undo this revision."""
    op.drop_index("ix_events_action_new", table_name="events")
    op.drop_index("ix_documents_report", table_name="documents")
