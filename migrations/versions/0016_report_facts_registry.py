"""Report facts, third part (issue 17): our copy's signature, the due date, the registry's duplicate.

Adds to `report_facts`: `copy_signed` (1: the copy we deliver carries the agency's PAdES
signature, documents.sign_state = 'signed', issue 14), `due_day` (the due date the registry gave,
documents.due_date, as a Julian day number), `handled_day` (the local day of the registry's
status 06, documents.handled_at) and `registry_duplicate` (1: the registry said it duplicates a
document it received electronically, documents.registry_duplicate_of). The triggers of 0013 are
replaced by ones that also watch those columns. Columns are added with plain ALTER TABLE.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 13:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

COLUMNS = ("document_id, day, month, unit, organ, secrecy_level, status, digitised, refused, "
           "urgent, arrived, paper_day, delivered_day, ack_day, to_delivery, to_acknowledgement, "
           "uploaded_at, electronic, signed, duplicate_of, agency_code, copy_signed, due_day, "
           "handled_day, registry_duplicate")
WATCHED = ("status, organ, unit, secrecy_level, recognised_at, registry_status, urgency, "
           "paper_arrived_on, delivered_at, acknowledged_at, uploaded_at, incoming_signatures, "
           "possible_duplicate_of, fields, sign_state, due_date, handled_at, "
           "registry_duplicate_of")
URGENT = ("KHẨN", "THƯỢNG KHẨN", "HỎA TỐC", "HOẢ TỐC", "HỎA TỐC HẸN GIỜ", "HOẢ TỐC HẸN GIỜ")
_URGENT_SQL = ", ".join(f"'{u}'" for u in URGENT)


def _select(dialect: str) -> str:
    """The fact row of every document `d` (frozen copy of documents/reports/facts.py)."""
    if dialect == "postgresql":
        def day(col: str) -> str:
            return (f"(CAST(({col} AT TIME ZONE 'UTC' + interval '7 hours') AS date) "
                    f"- DATE '2000-01-03' + 2451547)")
        paper = "(d.paper_arrived_on - DATE '2000-01-03' + 2451547)"
        due = "(d.due_date - DATE '2000-01-03' + 2451547)"
        month = ("CAST(to_char(d.uploaded_at AT TIME ZONE 'UTC' + interval '7 hours', 'YYYYMM') "
                 "AS integer)")

        def seconds(start: str, end: str) -> str:
            return f"date_part('epoch', {end} - {start})"
        refused_json, least = "CAST('\"02\"' AS jsonb)", "LEAST"
        signed = ("CASE WHEN d.incoming_signatures IS NULL "
                  "OR jsonb_typeof(d.incoming_signatures) <> 'array' THEN NULL "
                  "WHEN jsonb_array_length(d.incoming_signatures) > 0 THEN 1 ELSE 0 END")
        code = ("CASE WHEN COALESCE(d.fields -> 'organ_code' ->> 'needs_review', 'false') = 'false' "
                "THEN d.fields -> 'organ_code' ->> 'value' END")
    else:
        def day(col: str) -> str:
            return f"CAST(julianday({col}, '+7 hours') + 0.5 AS INTEGER)"
        paper = "CAST(julianday(d.paper_arrived_on) + 0.5 AS INTEGER)"
        due = "CAST(julianday(d.due_date) + 0.5 AS INTEGER)"
        month = "CAST(strftime('%Y%m', d.uploaded_at, '+7 hours') AS INTEGER)"

        def seconds(start: str, end: str) -> str:
            return f"((julianday({end}) - julianday({start})) * 86400.0)"
        refused_json, least = "'\"02\"'", "min"
        signed = ("CASE WHEN d.incoming_signatures IS NULL "
                  "OR json_type(d.incoming_signatures) <> 'array' THEN NULL "
                  "WHEN json_array_length(d.incoming_signatures) > 0 THEN 1 ELSE 0 END")
        code = ("CASE WHEN COALESCE(json_extract(d.fields, '$.organ_code.needs_review'), 0) = 0 "
                "THEN json_extract(d.fields, '$.organ_code.value') END")
    upload = day("d.uploaded_at")
    electronic = (f"CASE WHEN COALESCE({signed}, 0) = 1 THEN 1 "
                  "WHEN EXISTS (SELECT 1 FROM pages p WHERE p.document_id = d.id) AND NOT EXISTS ("
                  "SELECT 1 FROM pages p WHERE p.document_id = d.id "
                  "AND (p.source IS NULL OR p.source <> 'text_layer')) THEN 1 ELSE 0 END")
    return f"""SELECT d.id, {upload}, {month}, d.unit, COALESCE(d.organ, ''), d.secrecy_level,
        d.status, CASE WHEN d.recognised_at IS NOT NULL THEN 1 ELSE 0 END,
        CASE WHEN d.registry_status = '02' OR EXISTS (
            SELECT 1 FROM events e WHERE e.action = 'registry' AND e.new = {refused_json}
            AND e.document_id = d.id) THEN 1 ELSE 0 END,
        CASE WHEN d.urgency IN ({_URGENT_SQL}) THEN 1 ELSE 0 END,
        {least}(COALESCE({paper}, {upload}), {upload}), {paper},
        {day('d.delivered_at')}, {day('d.acknowledged_at')},
        {seconds('d.uploaded_at', 'd.delivered_at')},
        {seconds('d.uploaded_at', 'd.acknowledged_at')}, d.uploaded_at,
        {electronic}, {signed}, d.possible_duplicate_of, {code},
        CASE WHEN d.sign_state = 'signed' THEN 1 ELSE 0 END, {due}, {day('d.handled_at')},
        CASE WHEN d.registry_duplicate_of IS NOT NULL THEN 1 ELSE 0 END
    FROM documents d"""


def _drop_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS report_facts_documents ON documents")
        op.execute("DROP TRIGGER IF EXISTS report_facts_pages ON pages")
        op.execute("DROP TRIGGER IF EXISTS report_facts_refused ON events")
        op.execute("DROP FUNCTION IF EXISTS report_facts_documents()")
        op.execute("DROP FUNCTION IF EXISTS report_facts_pages()")
        op.execute("DROP FUNCTION IF EXISTS report_facts_refused()")
    else:
        for name in ("insert", "update", "delete", "refused", "page_insert", "page_update"):
            op.execute(f"DROP TRIGGER IF EXISTS report_facts_{name}")


def _sqlite_triggers() -> list[str]:
    refresh = f"INSERT OR REPLACE INTO report_facts ({COLUMNS}) {_select('sqlite')}"
    refused = ("UPDATE report_facts SET refused = 1 WHERE document_id = NEW.document_id "
               "AND NEW.new = '\"02\"';")
    return [
        f"CREATE TRIGGER report_facts_insert AFTER INSERT ON documents "
        f"BEGIN {refresh} WHERE d.id = NEW.id; END",
        f"CREATE TRIGGER report_facts_update AFTER UPDATE OF {WATCHED} ON documents "
        f"BEGIN {refresh} WHERE d.id = NEW.id; END",
        "CREATE TRIGGER report_facts_delete AFTER DELETE ON documents "
        "BEGIN DELETE FROM report_facts WHERE document_id = OLD.id; END",
        "CREATE TRIGGER report_facts_refused AFTER INSERT ON events "
        f"WHEN NEW.action = 'registry' AND NEW.document_id IS NOT NULL BEGIN {refused} END",
        f"CREATE TRIGGER report_facts_page_insert AFTER INSERT ON pages "
        f"BEGIN {refresh} WHERE d.id = NEW.document_id; END",
        f"CREATE TRIGGER report_facts_page_update AFTER UPDATE OF source, document_id ON pages "
        f"BEGIN {refresh} WHERE d.id = NEW.document_id; END",
    ]


def _postgres_triggers() -> list[str]:
    select = _select("postgresql")
    return [
        f"""CREATE FUNCTION report_facts_documents() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM report_facts WHERE document_id = OLD.id;
                RETURN OLD;
            END IF;
            DELETE FROM report_facts WHERE document_id = NEW.id;
            INSERT INTO report_facts ({COLUMNS}) {select} WHERE d.id = NEW.id;
            RETURN NEW;
        END $$""",
        f"""CREATE TRIGGER report_facts_documents AFTER INSERT OR DELETE OR UPDATE OF {WATCHED}
        ON documents FOR EACH ROW EXECUTE FUNCTION report_facts_documents()""",
        f"""CREATE FUNCTION report_facts_pages() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM report_facts WHERE document_id = NEW.document_id;
            INSERT INTO report_facts ({COLUMNS}) {select} WHERE d.id = NEW.document_id;
            RETURN NEW;
        END $$""",
        """CREATE TRIGGER report_facts_pages AFTER INSERT OR UPDATE OF source, document_id
        ON pages FOR EACH ROW EXECUTE FUNCTION report_facts_pages()""",
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
    dialect = op.get_bind().dialect.name
    _drop_triggers(dialect)
    op.add_column("report_facts", sa.Column("copy_signed", sa.Integer(), nullable=False,
                                            server_default="0"))
    op.add_column("report_facts", sa.Column("due_day", sa.Integer(), nullable=True))
    op.add_column("report_facts", sa.Column("handled_day", sa.Integer(), nullable=True))
    op.add_column("report_facts", sa.Column("registry_duplicate", sa.Integer(), nullable=False,
                                            server_default="0"))
    op.execute("DELETE FROM report_facts")
    op.execute(f"INSERT INTO report_facts ({COLUMNS}) {_select(dialect)}")
    for statement in _postgres_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    """Revert this revision: the new columns go, the triggers of 0013 come back."""
    import importlib.util
    from pathlib import Path

    dialect = op.get_bind().dialect.name
    _drop_triggers(dialect)
    for name in ("registry_duplicate", "handled_day", "due_day", "copy_signed"):
        op.drop_column("report_facts", name)
    spec = importlib.util.spec_from_file_location(
        "migration_0013", Path(__file__).with_name("0013_report_facts_channels.py"))
    assert spec is not None and spec.loader is not None
    previous = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(previous)
    triggers = (previous._postgres_triggers() if dialect == "postgresql"  # noqa: SLF001
                else previous._sqlite_triggers())  # noqa: SLF001
    for statement in triggers:
        op.execute(statement)
