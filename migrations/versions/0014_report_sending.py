"""Monthly reports that send themselves, and the units' reports a province imports (issue 17).

`report_sends`: one row per month and destination (a webhook URL or a folder), written once
when the month's report is first due (the first working day of the next month) and retried like
document pushes until it is delivered or parked. `report_imports`: a unit's monthly report
(documents/reports/monthly.py, JSON) as a province-level installation received it, one per
month and agency (a newer one replaces it).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "report_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("destination", sa.String(500), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", STAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", STAMP, nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month", "destination", name="uq_report_sends_month_destination"),
    )
    op.create_table(
        "report_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("agency_code", sa.String(30), nullable=False),
        sa.Column("agency", sa.String(300), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("imported_at", STAMP, nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month", "agency_code", "agency", name="uq_report_imports_month_agency"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("report_imports")
    op.drop_table("report_sends")
