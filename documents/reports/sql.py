"""The SQL of the reports: the dialect fragments (SQLite and PostgreSQL) and the statements.

Reports read `report_facts` (documents/reports/facts.py): one narrow row per document with its
days as integers and its times in seconds, kept by triggers. Counts and sums are aggregated by
SQL in one pass; the 90th percentiles are read from the period's values in ascending order
(`values_sql`) and picked at their ranks by figures.py, with `percentile_cont`'s interpolation
(position 0.9 x (n - 1), linear between its two neighbours): the same numbers on both databases.
The dialect fragments remain for the register, which reads the documents themselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from documents.reports.facts import jdn
from documents.reports.query import ReportQuery
from infra.tables import UtcDateTime
from models.vocabulary import URGENT_SPELLINGS, SecrecyLevel

URGENT = URGENT_SPELLINGS
OPEN = int(SecrecyLevel.NONE)  # documents.secrecy_level of a document that is not restricted
REFUSED = "02"  # DOMAIN §7: Từ chối tiếp nhận
PERCENTILE = 0.9
# A document not yet delivered (the delivered ones and the deleted ones are done).
WAITING_STATUSES = ("queued", "processing", "ready_for_review", "failed", "confirmed")

# The figures of a cell, as the columns of cells_sql name them.
COUNTS = ("received", "digitised", "delivered", "refused", "acknowledged", "registered_on_time",
          "registered_late", "urgent", "urgent_within_hour", "waiting", "restricted",
          # issue 17: how documents came, their signatures, paper duplicates, paper vs electronic
          "electronic", "signed", "unsigned", "paper_duplicates", "paper_compared",
          "electronic_first", "same_day_as_paper", "after_paper", "paper_lag_days_sum",
          "paper_ack_compared", "paper_ack_lag_days_sum",
          # our delivered copy's signature; handling against the registry's due date; the
          # paper duplicates by our own match and by the registry's word
          "copy_signed", "copy_unsigned", "due_dated", "handled_on_time", "handled_late",
          "open_overdue", "open_within_time", "paper_duplicates_matched",
          "paper_duplicates_registry")
TIMES = ("to_delivery", "to_acknowledgement")


# ---------------------------------------------------------------------------------------------
# Dialect fragments: the only place SQLite and PostgreSQL differ.


class Dialect:
    name = ""
    least = ""  # the scalar minimum of two values

    def tune(self, conn: Connection) -> None:
        """Set up the transaction for the report's statements."""

    def local(self, col: str) -> str:
        raise NotImplementedError

    def local_year(self, col: str) -> str:
        """The Vietnam calendar year of a timestamp, as text."""
        raise NotImplementedError

    def bucket(self, col: str, by: str) -> str:
        """The key of the period a timestamp falls in (text on SQLite, a timestamp on PostgreSQL)."""
        raise NotImplementedError

    def text_key(self, expr: str) -> str:
        """A text grouping key as the database sorts it fastest."""
        return expr

    def seconds(self, start: str, end: str) -> str:
        raise NotImplementedError

    def json_text(self, col: str) -> str:
        raise NotImplementedError

    def day_number(self, col: str) -> str:
        """The local calendar day of a timestamp as an integer; Mondays are multiples of 7."""
        raise NotImplementedError

    def date_number(self, col: str) -> str:
        """The same numbering for a DATE column."""
        raise NotImplementedError

    def python_day_number(self, day: dt.date) -> int:
        raise NotImplementedError

    def json_equals(self, col: str, param: str) -> str:
        """`col` (a JSON column) equals the JSON text bound to `param` (index-friendly)."""
        raise NotImplementedError


class _Postgres(Dialect):
    name = "postgresql"
    least = "LEAST"

    def tune(self, conn: Connection) -> None:
        # The sorts of a year of documents fit in memory; JIT costs more than it saves here.
        conn.execute(text("SET LOCAL work_mem = '64MB'"))
        conn.execute(text("SET LOCAL jit = off"))

    def local(self, col: str) -> str:
        return f"({col} AT TIME ZONE 'UTC' + interval '7 hours')"

    def local_year(self, col: str) -> str:
        return f"to_char({self.local(col)}, 'YYYY')"

    def bucket(self, col: str, by: str) -> str:
        # A timestamp key (fast to sort and hash); Python formats it (bucket_key).
        return f"date_trunc('{by}', {self.local(col)})"

    def text_key(self, expr: str) -> str:
        return f"({expr}) COLLATE \"C\""  # byte order: sorting names needs no locale rules

    def seconds(self, start: str, end: str) -> str:
        return f"date_part('epoch', {end} - {start})"  # double precision (EXTRACT gives numeric)

    def json_text(self, col: str) -> str:
        return f"({col} #>> '{{}}')"

    def json_equals(self, col: str, param: str) -> str:
        return f"{col} = CAST(:{param} AS jsonb)"

    def day_number(self, col: str) -> str:  # days since Monday 2000-01-03
        return f"(CAST({self.local(col)} AS date) - DATE '2000-01-03')"

    def date_number(self, col: str) -> str:
        return f"({col} - DATE '2000-01-03')"

    def python_day_number(self, day: dt.date) -> int:
        return (day - dt.date(2000, 1, 3)).days


class _Sqlite(Dialect):
    name = "sqlite"
    least = "min"

    def local(self, col: str) -> str:
        return f"datetime({col}, '+7 hours')"

    def local_year(self, col: str) -> str:
        return f"strftime('%Y', {col}, '+7 hours')"

    def bucket(self, col: str, by: str) -> str:
        if by == "day":
            return f"date({col}, '+7 hours')"
        if by == "week":  # 'weekday 0' = the coming Sunday (or today), -6 days = its Monday
            return f"date({col}, '+7 hours', 'weekday 0', '-6 days')"
        return f"strftime('%Y-%m', {col}, '+7 hours')"

    def seconds(self, start: str, end: str) -> str:
        return f"((julianday({end}) - julianday({start})) * 86400.0)"

    def json_text(self, col: str) -> str:
        return f"json_extract({col}, '$')"

    def json_equals(self, col: str, param: str) -> str:
        return f"{col} = :{param}"  # the JSON text as SQLAlchemy stores it (json.dumps)

    def day_number(self, col: str) -> str:
        # The Julian day number (JDN % 7 == 0 on Mondays). SQLite keeps times as integer
        # milliseconds inside julianday(), so local midnight is exactly x.5: no rounding slip.
        return f"CAST(julianday({col}, '+7 hours') + 0.5 AS INTEGER)"

    def date_number(self, col: str) -> str:
        return f"CAST(julianday({col}) + 0.5 AS INTEGER)"

    def python_day_number(self, day: dt.date) -> int:
        return day.toordinal() + 1721425


def dialect_of(conn: Connection) -> Dialect:
    return _Postgres() if conn.dialect.name == "postgresql" else _Sqlite()


# ---------------------------------------------------------------------------------------------
# The statements.


def filters_sql(query: ReportQuery, params: dict[str, Any], alias: str = "d") -> str:
    """The query's filters (issuing agency, receiving unit) and what its viewer may see (the
    rule of documents.visibility.conditions: its units; restricted documents only with the
    clearance) as `AND ...` conditions."""
    sql = ""
    if query.organ is not None:
        sql += f" AND COALESCE({alias}.organ, '') = :organ"
        params["organ"] = query.organ
    if query.unit is not None:
        sql += f" AND {alias}.unit = :unit"
        params["unit"] = query.unit
    viewer = query.viewer
    if viewer.units is not None:
        names = [f"viewer_unit{i}" for i in range(len(viewer.units))]
        params.update(zip(names, sorted(viewer.units), strict=True))
        sql += (f" AND {alias}.unit IN ({', '.join(':' + n for n in names)})" if names
                else " AND 1 = 0")
    if not viewer.clearance:
        sql += f" AND {alias}.secrecy_level = {OPEN}"
    return sql


def bucket_expr(by: str) -> str:
    """The period a fact falls in, as an integer: its day, its week's Monday (JDN multiples of
    7 are Mondays) or YYYYMM."""
    return {"day": "f.day", "week": "(f.day - f.day % 7)", "month": "f.month"}[by]


def group_expr(query: ReportQuery) -> str:
    return {"none": "''", "organ": "f.organ", "unit": "f.unit",
            "agency": "COALESCE(f.agency_code, f.organ)"}[query.group]


def period_facts(query: ReportQuery, params: dict[str, Any], dialect: str = "") -> str:
    """FROM and WHERE of the facts of the documents received in the period (deleted left out).

    On SQLite a period longer than a quarter reads the table in order (NOT INDEXED): reading most
    rows through the day index costs a lookup per row (2-3x slower measured); PostgreSQL's planner
    chooses by itself."""
    params.update(day0=jdn(query.start), day1=jdn(query.end))
    scan = " NOT INDEXED" if dialect == "sqlite" and (query.end - query.start).days > 92 else ""
    return (f"FROM report_facts f{scan} WHERE f.day BETWEEN :day0 AND :day1 "
            f"AND f.status <> 'deleted'" + filters_sql(query, params, alias="f"))


def allowed_sql(col: str, exceptions: dict[int, int]) -> str:
    """Days allowed between arrival (`col`, a JDN) and registration: the next working day.

    Monday-Thursday +1, Friday +3, Saturday +2, Sunday +1 (JDN % 7: 0 is Monday), except the
    days `exceptions` names (public holidays and swapped days: documents.reports.workdays)."""
    weekday = f"CASE {col} % 7 WHEN 4 THEN 3 WHEN 5 THEN 2 ELSE 1 END"
    if not exceptions:
        return weekday
    # The membership test (a binary search) first: most days are not exceptions.
    days = ", ".join(str(int(d)) for d in sorted(exceptions))
    whens = " ".join(f"WHEN {int(d)} THEN {int(n)}" for d, n in sorted(exceptions.items()))
    return f"CASE WHEN {col} IN ({days}) THEN CASE {col} {whens} END ELSE {weekday} END"


def cells_sql(query: ReportQuery, params: dict[str, Any],
              exceptions: dict[int, int] | None = None, dialect: str = "") -> str:
    """Counts and sums per (bucket, group): one pass over the period's report facts.

    Coarser levels (per bucket, per group, total) are sums of these cells (exact: counts and
    sums of seconds, averages divided at the end); percentiles are computed apart (percentiles).
    """
    allowed = allowed_sql("f.arrived", exceptions or {})
    params["today_number"] = jdn(params.pop("today"))
    waiting = ", ".join(f"'{s}'" for s in WAITING_STATUSES)
    open_ = f"f.secrecy_level = {OPEN}"
    bucket, grp = bucket_expr(query.by), group_expr(query)
    # The day the paper was in hand: the mailroom's date, else the upload day of a scan (an
    # electronic file without a paper date has no paper to compare with).
    paper = "(CASE WHEN f.paper_day IS NOT NULL THEN f.paper_day WHEN f.electronic = 0 THEN f.day END)"
    # A scan our own match found to be the same as a document that came electronically.
    matched = ("(f.duplicate_of IS NOT NULL AND f.electronic = 0 AND EXISTS ("
               "SELECT 1 FROM report_facts o WHERE o.document_id = f.duplicate_of "
               "AND o.electronic = 1))")
    return f"""
    SELECT {bucket} AS bucket, {grp} AS grp, COUNT(*) AS received,
        SUM(f.digitised) AS digitised, COUNT(f.to_delivery) AS delivered,
        SUM(f.refused) AS refused, COUNT(f.to_acknowledgement) AS acknowledged,
        SUM(f.to_delivery) AS to_delivery_sum, COUNT(f.to_delivery) AS to_delivery_n,
        SUM(f.to_acknowledgement) AS to_acknowledgement_sum,
        COUNT(f.to_acknowledgement) AS to_acknowledgement_n,
        SUM(CASE WHEN {open_} AND f.ack_day - f.arrived <= {allowed} THEN 1 ELSE 0 END)
            AS registered_on_time,
        SUM(CASE WHEN {open_} AND (f.ack_day - f.arrived > {allowed}
                                   OR (f.ack_day IS NULL AND :today_number - f.arrived > {allowed}))
                 THEN 1 ELSE 0 END) AS registered_late,
        SUM(CASE WHEN {open_} THEN f.urgent ELSE 0 END) AS urgent,
        SUM(CASE WHEN {open_} AND f.urgent = 1 AND f.to_delivery <= 3600 THEN 1 ELSE 0 END)
            AS urgent_within_hour,
        SUM(CASE WHEN f.status IN ({waiting}) THEN 1 ELSE 0 END) AS waiting,
        SUM(CASE WHEN f.status IN ({waiting}) AND f.secrecy_level > {OPEN} THEN 1 ELSE 0 END)
            AS restricted,
        MIN(CASE WHEN f.status IN ({waiting}) THEN f.uploaded_at END) AS oldest_waiting,
        SUM(f.electronic) AS electronic,
        SUM(CASE WHEN f.signed = 1 THEN 1 ELSE 0 END) AS signed,
        SUM(CASE WHEN f.signed = 0 THEN 1 ELSE 0 END) AS unsigned,
        SUM(CASE WHEN f.registry_duplicate = 1 OR {matched} THEN 1 ELSE 0 END)
            AS paper_duplicates,
        SUM(CASE WHEN {matched} THEN 1 ELSE 0 END) AS paper_duplicates_matched,
        SUM(f.registry_duplicate) AS paper_duplicates_registry,
        SUM(CASE WHEN f.to_delivery IS NOT NULL AND f.copy_signed = 1 THEN 1 ELSE 0 END)
            AS copy_signed,
        SUM(CASE WHEN f.to_delivery IS NOT NULL AND f.copy_signed = 0 THEN 1 ELSE 0 END)
            AS copy_unsigned,
        COUNT(f.due_day) AS due_dated,
        SUM(CASE WHEN f.handled_day <= f.due_day THEN 1 ELSE 0 END) AS handled_on_time,
        SUM(CASE WHEN f.handled_day > f.due_day THEN 1 ELSE 0 END) AS handled_late,
        SUM(CASE WHEN f.handled_day IS NULL AND :today_number > f.due_day THEN 1 ELSE 0 END)
            AS open_overdue,
        SUM(CASE WHEN f.handled_day IS NULL AND :today_number <= f.due_day THEN 1 ELSE 0 END)
            AS open_within_time,
        COUNT(f.delivered_day - {paper}) AS paper_compared,
        SUM(CASE WHEN f.delivered_day < {paper} THEN 1 ELSE 0 END) AS electronic_first,
        SUM(CASE WHEN f.delivered_day = {paper} THEN 1 ELSE 0 END) AS same_day_as_paper,
        SUM(CASE WHEN f.delivered_day > {paper} THEN 1 ELSE 0 END) AS after_paper,
        SUM(f.delivered_day - {paper}) AS paper_lag_days_sum,
        COUNT(f.ack_day - {paper}) AS paper_ack_compared,
        SUM(f.ack_day - {paper}) AS paper_ack_lag_days_sum
    {period_facts(query, params, dialect)}
    GROUP BY {bucket}{'' if query.group == 'none' else ', ' + grp}"""


def values_sql(query: ReportQuery, params: dict[str, Any], dialect: str = "") -> str:
    """The period's times (seconds) with their bucket and group, in no order."""
    return (f"SELECT {bucket_expr(query.by)} AS bucket, {group_expr(query)} AS grp, "
            f"{', '.join('f.' + t for t in TIMES)} {period_facts(query, params, dialect)} "
            f"AND (f.to_delivery IS NOT NULL OR f.to_acknowledgement IS NOT NULL)")


def postgres_percentiles_sql(query: ReportQuery, params: dict[str, Any]) -> str:
    """PostgreSQL: percentile_cont(0.9) of both times at every level in one statement
    (GROUPING SETS), over the period's facts."""
    grouped = query.group != "none"
    sets = "(bucket, grp), (bucket), (grp), ()" if grouped else "(bucket), ()"
    level = ("CASE GROUPING(bucket) * 2 + GROUPING(grp) WHEN 0 THEN 'rows' WHEN 1 THEN 'bucket' "
             "WHEN 2 THEN 'group' ELSE 'total' END" if grouped
             else "CASE GROUPING(bucket) WHEN 0 THEN 'bucket' ELSE 'total' END")
    p90 = ", ".join(f"percentile_cont({PERCENTILE}) WITHIN GROUP (ORDER BY {t}) AS {t}"
                    for t in TIMES)
    return (f"SELECT {level} AS level, bucket, {'grp' if grouped else 'NULL'} AS grp, {p90} "
            f"FROM ({values_sql(query, params, 'postgresql')}) v "
            f"GROUP BY GROUPING SETS ({sets})")


def bind(sql: str) -> Any:
    """The statement with its timestamp parameters typed (stored as UTC on both databases)."""
    stmt = text(sql)
    names = set(stmt._bindparams)  # noqa: SLF001 - the parameters the statement uses
    typed = [bindparam(n, type_=UtcDateTime()) for n in ("start", "end", "year_start")
             if n in names]
    return stmt.bindparams(*typed)


def timestamp(value: Any) -> dt.datetime | None:
    """A timestamp read back from either database, as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite gives MIN() over a CASE back as its stored text
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

