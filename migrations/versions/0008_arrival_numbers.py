"""Arrival numbers (số đến): one series per local calendar year, kept on the document.

Until now the incoming register counted documents when printing (ROW_NUMBER over the year), so a
deleted document renumbered every later one. Existing rows are numbered here in the order the
register used (time of receipt, then id) within each local year (Asia/Ho_Chi_Minh), every row
included (a failed or deleted one keeps a number it will never print); the counters continue from
there (infra/arrival.py gives the next ones).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_documents = sa.table("documents", sa.column("id", sa.Integer()),
                      sa.column("uploaded_at", sa.DateTime()),
                      sa.column("arrival_year", sa.Integer()),
                      sa.column("arrival_number", sa.Integer()))
_counter = sa.table("arrival_counter", sa.column("year", sa.Integer()),
                    sa.column("value", sa.Integer()))


def _year(moment: dt.datetime | str) -> int:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(LOCAL_TZ).year


def upgrade() -> None:
    """Apply this revision."""
    op.create_table("arrival_counter",
                    sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column("value", sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint("year"))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("arrival_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("arrival_number", sa.Integer(), nullable=True))
    conn = op.get_bind()
    last: dict[int, int] = {}
    rows = conn.execute(sa.select(_documents.c.id, _documents.c.uploaded_at)
                        .order_by(_documents.c.uploaded_at, _documents.c.id))
    for doc_id, uploaded in rows.all():
        year = _year(uploaded)
        last[year] = last.get(year, 0) + 1
        conn.execute(sa.update(_documents).where(_documents.c.id == doc_id)
                     .values(arrival_year=year, arrival_number=last[year]))
    for year, value in last.items():
        conn.execute(sa.insert(_counter).values(year=year, value=value))
    with op.batch_alter_table("documents") as batch:
        batch.create_unique_constraint("uq_documents_arrival", ["arrival_year", "arrival_number"])


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("uq_documents_arrival", type_="unique")
        batch.drop_column("arrival_number")
        batch.drop_column("arrival_year")
    op.drop_table("arrival_counter")
