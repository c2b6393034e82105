"""The report facts: one narrow row per document with what reports add up (table report_facts).

A report over a year of documents used to compute, for every document and at every report, its
local day, month, arrival day and seconds to delivery from the timestamps (SQLite's date functions
are slow) and to sort the whole year once per level for the percentiles. `report_facts` holds
those numbers once per document; database triggers (migrations 0012, 0013, 0016) rewrite a
document's row in the transaction that changes one of the columns it depends on, whoever writes it
(ORM, Core, SQL),
and an `events` row with the registry's refusal (02) marks it refused for good.

Days are Julian day numbers of the Vietnam calendar day on both databases (Mondays are multiples
of 7). `rebuild` recomputes every row from `documents` and `events` (after a bulk load that
bypassed the triggers, or to check them): `python -m documents.reports [--check]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from models.vocabulary import URGENT_SPELLINGS

# The epoch of Julian day numbers: date.toordinal() + JDN_OFFSET is the day's JDN.
JDN_OFFSET = 1721425
COLUMNS = ("document_id", "day", "month", "unit", "organ", "secrecy_level", "status", "digitised",
           "refused", "urgent", "arrived", "paper_day", "delivered_day", "ack_day", "to_delivery",
           "to_acknowledgement", "uploaded_at", "electronic", "signed", "duplicate_of",
           "agency_code", "copy_signed", "due_day", "handled_day", "registry_duplicate")


def jdn(day: dt.date) -> int:
    """The Julian day number of a calendar day (Mondays are multiples of 7)."""
    return day.toordinal() + JDN_OFFSET


def from_jdn(number: int) -> dt.date:
    return dt.date.fromordinal(int(number) - JDN_OFFSET)


def fact_select(dialect: str) -> str:
    """The fact row of every document `d` (migration 0016's triggers use the same text)."""
    urgent_sql = ", ".join(f"'{u}'" for u in URGENT_SPELLINGS)
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
        CASE WHEN d.urgency IN ({urgent_sql}) THEN 1 ELSE 0 END,
        {least}(COALESCE({paper}, {upload}), {upload}), {paper},
        {day('d.delivered_at')}, {day('d.acknowledged_at')},
        {seconds('d.uploaded_at', 'd.delivered_at')},
        {seconds('d.uploaded_at', 'd.acknowledged_at')}, d.uploaded_at,
        {electronic}, {signed}, d.possible_duplicate_of, {code},
        CASE WHEN d.sign_state = 'signed' THEN 1 ELSE 0 END, {due}, {day('d.handled_at')},
        CASE WHEN d.registry_duplicate_of IS NOT NULL THEN 1 ELSE 0 END
    FROM documents d"""


def rebuild(conn: Connection) -> int:
    """Recompute every fact from the documents (in the caller's transaction); rows written."""
    conn.execute(text("DELETE FROM report_facts"))
    result = conn.execute(text(f"INSERT INTO report_facts ({', '.join(COLUMNS)}) "
                               f"{fact_select(conn.dialect.name)}"))
    return int(result.rowcount or 0)


def differences(conn: Connection) -> list[dict[str, Any]]:
    """Facts that differ from what `rebuild` would write (empty when the triggers kept them)."""
    cols = ", ".join(COLUMNS)
    stored = {r[0]: tuple(r) for r in conn.execute(text(f"SELECT {cols} FROM report_facts"))}
    fresh = {r[0]: tuple(r) for r in conn.execute(text(fact_select(conn.dialect.name)))}
    out = []
    for doc_id in sorted(set(stored) | set(fresh)):
        a, b = stored.get(doc_id), fresh.get(doc_id)
        if a is None or b is None or not _same(a, b):
            out.append({"document_id": doc_id, "stored": a, "expected": b})
    return out


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    for x, y in zip(a, b, strict=True):
        if isinstance(x, float) and isinstance(y, float):
            if abs(x - y) > 1e-6:
                return False
        elif str(x) != str(y):
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    from infra.database import get_engine, migrate
    from models.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m documents.reports",
                                     description="Rebuild or check the report facts.")
    parser.add_argument("--check", action="store_true",
                        help="only compare the stored facts with the documents")
    args = parser.parse_args(argv)
    url = Settings().database
    migrate(url)
    with get_engine(url).begin() as conn:
        if args.check:
            diffs = differences(conn)
            print(f"{len(diffs)} facts differ from the documents")
            return 1 if diffs else 0
        print(f"{rebuild(conn)} facts written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
