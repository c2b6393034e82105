"""Report facts: one narrow row per document with the numbers the reports add up (issue 17).

`report_facts` holds, per document, the local days (Julian day numbers on both databases, so
Mondays are multiples of 7), the month, unit, agency, secrecy level, status, the flags and the
seconds the reports need, computed once when the document changes instead of at every report
(docs/REPORTS.md, "How it is computed"). Triggers keep it in the same transaction as the
document row, whatever writes it (ORM, Core, SQL); an `events` row with the registry's refusal
(02) marks it refused for good. `python -m documents.reports.facts --rebuild` rebuilds it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 12:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)
COLUMNS = ("document_id, day, month, unit, organ, secrecy_level, status, digitised, refused, "
           "urgent, arrived, paper_day, delivered_day, ack_day, to_delivery, to_acknowledgement, "
           "uploaded_at")
# The document columns a fact depends on (an UPDATE of other columns leaves the fact alone).
WATCHED = ("status, organ, unit, secrecy_level, recognised_at, registry_status, urgency, "
           "paper_arrived_on, delivered_at, acknowledged_at, uploaded_at")
URGENT = ("KHẨN", "THƯỢNG KHẨN", "HỎA TỐC", "HOẢ TỐC", "HỎA TỐC HẸN GIỜ", "HOẢ TỐC HẸN GIỜ")
_URGENT_SQL = ", ".join(f"'{u}'" for u in URGENT)


def _select(dialect: str) -> str:
    """The fact row of every document `d` (frozen copy of documents/reports/facts.py)."""
    if dialect == "postgresql":
        def day(col: str) -> str:
            return (f"(CAST(({col} AT TIME ZONE 'UTC' + interval '7 hours') AS date) "
                    f"- DATE '2000-01-03' + 2451547)")
        paper = "(d.paper_arrived_on - DATE '2000-01-03' + 2451547)"
        month = "CAST(to_char(d.uploaded_at AT TIME ZONE 'UTC' + interval '7 hours', 'YYYYMM') AS integer)"

        def seconds(start: str, end: str) -> str:
            return f"date_part('epoch', {end} - {start})"
        refused_json, least = "CAST('\"02\"' AS jsonb)", "LEAST"
    else:
        def day(col: str) -> str:
            return f"CAST(julianday({col}, '+7 hours') + 0.5 AS INTEGER)"
        paper = "CAST(julianday(d.paper_arrived_on) + 0.5 AS INTEGER)"
        month = "CAST(strftime('%Y%m', d.uploaded_at, '+7 hours') AS INTEGER)"

        def seconds(start: str, end: str) -> str:
            return f"((julianday({end}) - julianday({start})) * 86400.0)"
        refused_json, least = "'\"02\"'", "min"
    upload = day("d.uploaded_at")
    return f"""SELECT d.id, {upload}, {month}, d.unit, COALESCE(d.organ, ''), d.secrecy_level,
        d.status, CASE WHEN d.recognised_at IS NOT NULL THEN 1 ELSE 0 END,
        CASE WHEN d.registry_status = '02' OR EXISTS (
            SELECT 1 FROM events e WHERE e.action = 'registry' AND e.new = {refused_json}
            AND e.document_id = d.id) THEN 1 ELSE 0 END,
        CASE WHEN d.urgency IN ({_URGENT_SQL}) THEN 1 ELSE 0 END,
        {least}(COALESCE({paper}, {upload}), {upload}), {paper},
        {day('d.delivered_at')}, {day('d.acknowledged_at')},
        {seconds('d.uploaded_at', 'd.delivered_at')},
        {seconds('d.uploaded_at', 'd.acknowledged_at')}, d.uploaded_at
    FROM documents d"""


def _sqlite_triggers() -> list[str]:
    refresh = f"INSERT OR REPLACE INTO report_facts ({COLUMNS}) {_select('sqlite')} WHERE d.id = NEW.id;"
    refused = ("UPDATE report_facts SET refused = 1 WHERE document_id = NEW.document_id "
               "AND NEW.new = '\"02\"';")
    return [
        f"CREATE TRIGGER report_facts_insert AFTER INSERT ON documents BEGIN {refresh} END",
        f"CREATE TRIGGER report_facts_update AFTER UPDATE OF {WATCHED} ON documents "
        f"BEGIN {refresh} END",
        "CREATE TRIGGER report_facts_delete AFTER DELETE ON documents "
        "BEGIN DELETE FROM report_facts WHERE document_id = OLD.id; END",
        "CREATE TRIGGER report_facts_refused AFTER INSERT ON events "
        f"WHEN NEW.action = 'registry' AND NEW.document_id IS NOT NULL BEGIN {refused} END",
    ]


def _postgres_triggers() -> list[str]:
    return [
        f"""CREATE FUNCTION report_facts_documents() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM report_facts WHERE document_id = OLD.id;
                RETURN OLD;
            END IF;
            DELETE FROM report_facts WHERE document_id = NEW.id;
            INSERT INTO report_facts ({COLUMNS}) {_select('postgresql')} WHERE d.id = NEW.id;
            RETURN NEW;
        END $$""",
        f"""CREATE TRIGGER report_facts_documents AFTER INSERT OR DELETE OR UPDATE OF {WATCHED}
        ON documents FOR EACH ROW EXECUTE FUNCTION report_facts_documents()""",
        """CREATE FUNCTION report_facts_refused() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.new = CAST('"02"' AS jsonb) THEN
                UPDATE report_facts SET refused = 1 WHERE document_id = NEW.document_id;
            END IF;
            RETURN NEW;
        END $$""",
        """CREATE TRIGGER report_facts_refused AFTER INSERT ON events FOR EACH ROW
        WHEN (NEW.action = 'registry' AND NEW.document_id IS NOT NULL)
        EXECUTE FUNCTION report_facts_refused()""",
    ]


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "report_facts",
        sa.Column("document_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.Column("organ", sa.String(200), nullable=False),
        sa.Column("secrecy_level", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("digitised", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("urgent", sa.Integer(), nullable=False),
        sa.Column("arrived", sa.Integer(), nullable=False),
        sa.Column("paper_day", sa.Integer(), nullable=True),
        sa.Column("delivered_day", sa.Integer(), nullable=True),
        sa.Column("ack_day", sa.Integer(), nullable=True),
        sa.Column("to_delivery", sa.Float(), nullable=True),
        sa.Column("to_acknowledgement", sa.Float(), nullable=True),
        sa.Column("uploaded_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.create_index("ix_report_facts_day", "report_facts", ["day", "unit"])
    dialect = op.get_bind().dialect.name
    op.execute(f"INSERT INTO report_facts ({COLUMNS}) {_select(dialect)}")
    for statement in _postgres_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS report_facts_documents ON documents")
        op.execute("DROP TRIGGER IF EXISTS report_facts_refused ON events")
        op.execute("DROP FUNCTION IF EXISTS report_facts_documents()")
        op.execute("DROP FUNCTION IF EXISTS report_facts_refused()")
    else:
        for name in ("insert", "update", "delete", "refused"):
            op.execute(f"DROP TRIGGER IF EXISTS report_facts_{name}")
    op.drop_table("report_facts")
