"""The SQL of the reports: the dialect fragments (SQLite and PostgreSQL) and the statements.

Everything is aggregated by SQL. Percentiles are `percentile_cont(0.9)` on PostgreSQL; SQLite has
no such aggregate, so the same interpolation (position 0.9 x (n - 1) in the sorted values, linear
between its two neighbours) is computed with ROW_NUMBER()/COUNT() window functions: both
databases give the same number for the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

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
          "registered_late", "urgent", "urgent_within_hour", "waiting", "restricted")
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


def _period_docs(query: ReportQuery, params: dict[str, Any]) -> str:
    """FROM and WHERE of the documents received in the period (deleted ones left out)."""
    params.update(start=query.start_utc, end=query.end_utc)
    return ("FROM documents d WHERE d.uploaded_at >= :start AND d.uploaded_at < :end "
            "AND d.status <> 'deleted'" + filters_sql(query, params))


def _group_expr(sq: Dialect, query: ReportQuery) -> str:
    if query.group == "none":
        return "''"
    return sq.text_key("COALESCE(d.organ, '')" if query.group == "organ" else "d.unit")


def cells_sql(sq: Dialect, query: ReportQuery, params: dict[str, Any]) -> str:
    """Counts and sums per (bucket, group): one pass over the period's documents.

    Coarser levels (per bucket, per group, total) are sums of these cells (exact: counts and
    sums of seconds, averages divided at the end), so only percentiles need a statement per level.
    """
    # Days as integers (Mondays are multiples of 7): the day the document arrived is the paper's
    # arrival day when the mailroom entered an earlier one, else the upload day.
    upload_day = sq.day_number("d.uploaded_at")
    arrived = f"{sq.least}(COALESCE({sq.date_number('d.paper_arrived_on')}, {upload_day}), {upload_day})"
    # The registration deadline in days after arrival: next working day (Fri +3, Sat +2, else +1).
    allowed = "CASE (a.arrived % 7 + 7) % 7 WHEN 4 THEN 3 WHEN 5 THEN 2 ELSE 1 END"
    ack_days = "(a.ack_day - a.arrived)"
    today_days = "(:today_number - a.arrived)"
    params["today_number"] = sq.python_day_number(params.pop("today"))
    urgent = ", ".join(f":urgent{i}" for i in range(len(URGENT)))
    waiting = ", ".join(f"'{s}'" for s in WAITING_STATUSES)
    params.update({f"urgent{i}": u for i, u in enumerate(URGENT)})
    params.update(refused=REFUSED)
    period = _period_docs(query, params)
    # A document refused at least once (02 stays in its history even after it was sent again
    # and accepted): an index seek on events (action, new, document_id).
    refused_events = (f"SELECT e.document_id FROM events e WHERE e.action = 'registry' "
                      f"AND {sq.json_equals('e.new', 'refused_json')}")
    params["refused_json"] = json.dumps(REFUSED)
    open_ = f"a.secrecy_level = {OPEN}"
    return f"""
    SELECT a.bucket, a.grp, COUNT(*) AS received,
        SUM(CASE WHEN a.recognised_at IS NOT NULL THEN 1 ELSE 0 END) AS digitised,
        COUNT(a.to_delivery) AS delivered,
        SUM(CASE WHEN a.registry_status = :refused OR a.id IN ({refused_events})
                 THEN 1 ELSE 0 END) AS refused,
        COUNT(a.to_acknowledgement) AS acknowledged,
        SUM(a.to_delivery) AS to_delivery_sum, COUNT(a.to_delivery) AS to_delivery_n,
        SUM(a.to_acknowledgement) AS to_acknowledgement_sum,
        COUNT(a.to_acknowledgement) AS to_acknowledgement_n,
        SUM(CASE WHEN {open_} AND a.ack_day IS NOT NULL AND {ack_days} <= {allowed}
                 THEN 1 ELSE 0 END) AS registered_on_time,
        SUM(CASE WHEN {open_} AND ((a.ack_day IS NOT NULL AND {ack_days} > {allowed})
                                   OR (a.ack_day IS NULL AND {today_days} > {allowed}))
                 THEN 1 ELSE 0 END) AS registered_late,
        SUM(CASE WHEN {open_} AND a.urgency IN ({urgent}) THEN 1 ELSE 0 END) AS urgent,
        SUM(CASE WHEN {open_} AND a.urgency IN ({urgent}) AND a.to_delivery <= 3600
                 THEN 1 ELSE 0 END) AS urgent_within_hour,
        SUM(CASE WHEN a.status IN ({waiting}) THEN 1 ELSE 0 END) AS waiting,
        SUM(CASE WHEN a.status IN ({waiting}) AND a.secrecy_level > {OPEN} THEN 1 ELSE 0 END)
            AS restricted,
        MIN(CASE WHEN a.status IN ({waiting}) THEN a.uploaded_at END) AS oldest_waiting
    FROM (
        SELECT d.id, d.uploaded_at, d.recognised_at, d.status, d.secrecy_level, d.urgency,
               d.registry_status, {sq.bucket('d.uploaded_at', query.by)} AS bucket,
               {_group_expr(sq, query)} AS grp, {arrived} AS arrived,
               {sq.day_number('d.acknowledged_at')} AS ack_day,
               {sq.seconds('d.uploaded_at', 'd.delivered_at')} AS to_delivery,
               {sq.seconds('d.uploaded_at', 'd.acknowledged_at')} AS to_acknowledgement
        {period}
    ) a
    GROUP BY a.bucket, a.grp"""


# The grouping levels of one report: (name, key columns).
_LEVELS = (("rows", ("bucket", "grp")), ("bucket", ("bucket",)), ("group", ("grp",)), ("total", ()))


def _levels(query: ReportQuery) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Without grouping, a (bucket, group) cell is its bucket and the one group is the total."""
    return _LEVELS if query.group != "none" else (_LEVELS[1], _LEVELS[3])


def _values_sql(sq: Dialect, query: ReportQuery, params: dict[str, Any]) -> str:
    """The period's delivered or acknowledged documents: bucket, group and the two times."""
    return (f"SELECT {sq.bucket('d.uploaded_at', query.by)} AS bucket, {_group_expr(sq, query)} AS grp, "
            f"{sq.seconds('d.uploaded_at', 'd.delivered_at')} AS to_delivery, "
            f"{sq.seconds('d.uploaded_at', 'd.acknowledged_at')} AS to_acknowledgement "
            f"{_period_docs(query, params)} "
            f"AND (d.delivered_at IS NOT NULL OR d.acknowledged_at IS NOT NULL)")


def postgres_percentiles_sql(sq: Dialect, query: ReportQuery, params: dict[str, Any]) -> str:
    """percentile_cont at every level in one statement (GROUPING SETS)."""
    level = ("CASE GROUPING(bucket) * 2 + GROUPING(grp) WHEN 0 THEN 'rows' WHEN 1 THEN 'bucket' "
             "WHEN 2 THEN 'group' ELSE 'total' END")
    p90 = ", ".join(f"percentile_cont({PERCENTILE}) WITHIN GROUP (ORDER BY {t}) AS {t}"
                    for t in TIMES)
    sets = ", ".join(f"({', '.join(keys)})" for _, keys in _levels(query))
    grp = "grp"
    if query.group == "none":
        level, grp = "CASE GROUPING(bucket) WHEN 0 THEN 'bucket' ELSE 'total' END", "NULL"
    return (f"SELECT {level} AS level, bucket, {grp} AS grp, {p90} "
            f"FROM ({_values_sql(sq, query, params)}) v GROUP BY GROUPING SETS ({sets})")


def sqlite_percentiles_sql(sq: Dialect, query: ReportQuery, params: dict[str, Any]) -> str:
    """percentile_cont(0.9) per level and per time, from ranks (the PostgreSQL definition):
    position p = 0.9 x (n - 1) in the sorted values, x[floor p] + (p - floor p) x (next - it)."""
    p = PERCENTILE
    pos = f"({p} * (n - 1))"
    low = f"CAST({pos} AS INTEGER)"  # floor: the position is never negative
    parts = []
    for level, keys in _levels(query):
        part = ", ".join(("metric",) + keys)
        parts.append(f"""
        SELECT '{level}' AS level, {_select_keys(keys)}, metric,
               SUM(CASE WHEN i = {low} THEN v * (1 - ({pos} - {low}))
                        ELSE v * ({pos} - {low}) END) AS p90
        FROM (SELECT metric, bucket, grp, v, ROW_NUMBER() OVER w - 1 AS i, COUNT(*) OVER w AS n
              FROM vals WINDOW w AS (PARTITION BY {part} ORDER BY v
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) r
        WHERE i = {low} OR i = {low} + 1
        GROUP BY {part}""")
    vals = " UNION ALL ".join(
        f"SELECT '{t}' AS metric, bucket, grp, {t} AS v FROM docs WHERE {t} IS NOT NULL"
        for t in TIMES)
    return (f"WITH docs AS MATERIALIZED ({_values_sql(sq, query, params)}), "
            f"vals AS MATERIALIZED ({vals})\n" + "\nUNION ALL\n".join(parts))


def _select_keys(keys: tuple[str, ...]) -> str:
    bucket = "bucket" if "bucket" in keys else "NULL"
    grp = "grp" if "grp" in keys else "NULL"
    return f"{bucket} AS bucket, {grp} AS grp"


def bind(sql: str) -> Any:
    """The statement with its timestamp parameters typed (stored as UTC on both databases)."""
    stmt = text(sql)
    names = set(stmt._bindparams)  # noqa: SLF001 - the parameters the statement uses
    typed = [bindparam(n, type_=UtcDateTime()) for n in ("start", "end", "year_start")
             if n in names]
    return stmt.bindparams(*typed)


def percentiles(conn: Connection, sq: Dialect,
                query: ReportQuery) -> Iterator[tuple[str, Any, Any, dict[str, Any]]]:
    """The 90th percentiles of the times: (level, bucket, group, {time: p90}) per row."""
    params: dict[str, Any] = {}
    if sq.name == "postgresql":
        for row in conn.execute(bind(postgres_percentiles_sql(sq, query, params)), params).mappings():
            yield row["level"], row["bucket"], row["grp"], {t: row[t] for t in TIMES}
    else:
        for row in conn.execute(bind(sqlite_percentiles_sql(sq, query, params)), params).mappings():
            yield row["level"], row["bucket"], row["grp"], {row["metric"]: row["p90"]}


def timestamp(value: Any) -> dt.datetime | None:
    """A timestamp read back from either database, as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite gives MIN() over a CASE back as its stored text
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

