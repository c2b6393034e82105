"""Management reports computed in the database (SQLite and PostgreSQL): counts, times, deadlines.

A report covers the documents *received* (uploaded) in a period of local days, Vietnam time
(UTC+7, no daylight saving), grouped by day, ISO week or month and optionally by issuing agency
(`organ`) or receiving unit (`unit`). Every figure describes that cohort: of the documents
received in the period, how many were digitised, delivered, refused, how fast. Deleted documents
(emptied by a correction) are left out. See docs/REPORTS.md for each definition.

Everything is aggregated by SQL. Percentiles are `percentile_cont(0.9)` on PostgreSQL; SQLite has
no such aggregate, so the same interpolation (position 0.9 x (n - 1) in the sorted values, linear
between its two neighbours) is computed with ROW_NUMBER()/COUNT() window functions: both
databases give the same number for the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from infra.tables import UtcDateTime
from models.errors import ReportError

# Vietnam has used UTC+7 without daylight saving since 1975: a fixed offset is exact.
LOCAL_OFFSET = dt.timedelta(hours=7)
LOCAL_TZ = dt.timezone(LOCAL_OFFSET, "ICT")
URGENT = ("KHẨN", "THƯỢNG KHẨN", "HỎA TỐC", "HOẢ TỐC", "HỎA TỐC HẸN GIỜ", "HOẢ TỐC HẸN GIỜ")
REFUSED = "02"  # DOMAIN §7: Từ chối tiếp nhận
PERCENTILE = 0.9
BUCKETS = ("day", "week", "month")
GROUPS = ("none", "organ", "unit")
MAX_BUCKETS = 1000
# A document not yet delivered (the delivered ones and the deleted ones are done).
WAITING_STATUSES = ("queued", "processing", "ready_for_review", "failed", "confirmed")

COUNTS = ("received", "digitised", "delivered", "refused", "acknowledged", "registered_on_time",
          "registered_late", "urgent", "urgent_within_hour", "waiting", "restricted")
TIMES = ("to_delivery", "to_acknowledgement")


@dataclass(frozen=True)
class ReportQuery:
    """What a report covers: local days `start`..`end` (inclusive), bucket size, grouping, filters."""

    start: dt.date
    end: dt.date
    by: str = "month"
    group: str = "none"
    organ: str | None = None
    unit: str | None = None

    def validate(self) -> ReportQuery:
        """Raise ReportError (in Vietnamese: managers read it) when the query is unusable."""
        if self.by not in BUCKETS:
            raise ReportError("Cách chia kỳ phải là day, week hoặc month.", by=self.by)
        if self.group not in GROUPS:
            raise ReportError("Nhóm theo phải là none, organ hoặc unit.", group=self.group)
        if self.end < self.start:
            raise ReportError("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.",
                              start=self.start.isoformat(), end=self.end.isoformat())
        if len(bucket_keys(self)) > MAX_BUCKETS:
            raise ReportError(f"Khoảng thời gian quá dài cho cách chia này (quá {MAX_BUCKETS} kỳ).",
                              by=self.by)
        return self

    @property
    def start_utc(self) -> dt.datetime:
        return local_midnight(self.start)

    @property
    def end_utc(self) -> dt.datetime:
        """The first instant after the period (exclusive bound)."""
        return local_midnight(self.end + dt.timedelta(days=1))


def local_midnight(day: dt.date) -> dt.datetime:
    """00:00 Vietnam time of `day`, as a UTC timestamp."""
    return dt.datetime.combine(day, dt.time(), LOCAL_TZ).astimezone(dt.UTC)


def local_date(moment: dt.datetime) -> dt.date:
    """The Vietnam calendar day of a timestamp."""
    return moment.astimezone(LOCAL_TZ).date()


def bucket_of(day: dt.date, by: str) -> str:
    """The key of the bucket a local day falls in: 'YYYY-MM-DD', Monday 'YYYY-MM-DD', 'YYYY-MM'."""
    if by == "day":
        return day.isoformat()
    if by == "week":
        return (day - dt.timedelta(days=day.weekday())).isoformat()
    return f"{day.year:04d}-{day.month:02d}"


def bucket_keys(query: ReportQuery) -> list[str]:
    """Every bucket of the period in order, empty ones included (charts show the gaps)."""
    keys: list[str] = []
    if query.by == "month":
        year, month = query.start.year, query.start.month
        while (year, month) <= (query.end.year, query.end.month):
            keys.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            if len(keys) > MAX_BUCKETS:
                break
        return keys
    step = dt.timedelta(days=1 if query.by == "day" else 7)
    day = dt.date.fromisoformat(bucket_of(query.start, query.by))
    while day <= query.end and len(keys) <= MAX_BUCKETS:
        keys.append(day.isoformat())
        day += step
    return keys


def next_working_day_deadline(day: dt.date) -> dt.date:
    """The last day a document arrived on `day` may be registered: the next working day.

    Working days are Monday to Friday; public holidays are not known (see docs/REPORTS.md).
    """
    return day + dt.timedelta(days={4: 3, 5: 2}.get(day.weekday(), 1))


# ---------------------------------------------------------------------------------------------
# Dialect fragments: the only place SQLite and PostgreSQL differ.


class _Dialect:
    name = ""

    def local(self, col: str) -> str:
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


class _Postgres(_Dialect):
    name = "postgresql"

    def local(self, col: str) -> str:
        return f"({col} AT TIME ZONE 'UTC' + interval '7 hours')"

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


class _Sqlite(_Dialect):
    name = "sqlite"

    def local(self, col: str) -> str:
        return f"datetime({col}, '+7 hours')"

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


def _dialect(conn: Connection) -> _Dialect:
    return _Postgres() if conn.dialect.name == "postgresql" else _Sqlite()


# ---------------------------------------------------------------------------------------------
# The statements.


def _filters(query: ReportQuery, params: dict[str, Any], alias: str = "d") -> str:
    sql = ""
    if query.organ is not None:
        sql += f" AND COALESCE({alias}.organ, '') = :organ"
        params["organ"] = query.organ
    if query.unit is not None:
        sql += f" AND {alias}.unit = :unit"
        params["unit"] = query.unit
    return sql


def _period_docs(sq: _Dialect, query: ReportQuery, params: dict[str, Any]) -> str:
    """FROM and WHERE of the documents received in the period (deleted ones left out)."""
    params.update(start=query.start_utc, end=query.end_utc)
    return ("FROM documents d WHERE d.uploaded_at >= :start AND d.uploaded_at < :end "
            "AND d.status <> 'deleted'" + _filters(query, params))


def _group_expr(sq: _Dialect, query: ReportQuery) -> str:
    if query.group == "none":
        return "''"
    return sq.text_key("COALESCE(d.organ, '')" if query.group == "organ" else "d.unit")


def bucket_key(value: Any, by: str) -> str:
    """The bucket key as the report shows it, from SQLite's text or PostgreSQL's timestamp."""
    if isinstance(value, dt.datetime | dt.date):
        return bucket_of(value if not isinstance(value, dt.datetime) else value.date(), by)
    return str(value)


def _cells_sql(sq: _Dialect, query: ReportQuery, params: dict[str, Any]) -> str:
    """Counts and sums per (bucket, group): one pass over the period's documents.

    Coarser levels (per bucket, per group, total) are sums of these cells (exact: counts and
    sums of seconds, averages divided at the end), so only percentiles need a statement per level.
    """
    # Days as integers (Mondays are multiples of 7): the day the document arrived is the paper's
    # arrival day when the mailroom entered an earlier one, else the upload day.
    least = "min" if sq.name == "sqlite" else "LEAST"
    upload_day = sq.day_number("d.uploaded_at")
    arrived = f"{least}(COALESCE({sq.date_number('d.paper_arrived_on')}, {upload_day}), {upload_day})"
    # The registration deadline in days after arrival: next working day (Fri +3, Sat +2, else +1).
    allowed = "CASE (a.arrived % 7 + 7) % 7 WHEN 4 THEN 3 WHEN 5 THEN 2 ELSE 1 END"
    ack_days = "(a.ack_day - a.arrived)"
    today_days = "(:today_number - a.arrived)"
    params["today_number"] = sq.python_day_number(params.pop("today"))
    urgent = ", ".join(f":urgent{i}" for i in range(len(URGENT)))
    waiting = ", ".join(f"'{s}'" for s in WAITING_STATUSES)
    params.update({f"urgent{i}": u for i, u in enumerate(URGENT)})
    params.update(refused=REFUSED)
    period = _period_docs(sq, query, params)
    # A document refused at least once (02 stays in its history even after it was sent again
    # and accepted): an index seek on events (action, new, document_id).
    refused_events = (f"SELECT e.document_id FROM events e WHERE e.action = 'registry' "
                      f"AND {sq.json_equals('e.new', 'refused_json')}")
    params["refused_json"] = json.dumps(REFUSED)
    open_ = "a.secrecy IS NULL"
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
        SUM(CASE WHEN a.status IN ({waiting}) AND a.secrecy IS NOT NULL THEN 1 ELSE 0 END)
            AS restricted,
        MIN(CASE WHEN a.status IN ({waiting}) THEN a.uploaded_at END) AS oldest_waiting
    FROM (
        SELECT d.id, d.uploaded_at, d.recognised_at, d.status, d.secrecy, d.urgency,
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


def _values_sql(sq: _Dialect, query: ReportQuery, params: dict[str, Any]) -> str:
    """The period's delivered or acknowledged documents: bucket, group and the two times."""
    return (f"SELECT {sq.bucket('d.uploaded_at', query.by)} AS bucket, {_group_expr(sq, query)} AS grp, "
            f"{sq.seconds('d.uploaded_at', 'd.delivered_at')} AS to_delivery, "
            f"{sq.seconds('d.uploaded_at', 'd.acknowledged_at')} AS to_acknowledgement "
            f"{_period_docs(sq, query, params)} "
            f"AND (d.delivered_at IS NOT NULL OR d.acknowledged_at IS NOT NULL)")


def _postgres_percentiles_sql(sq: _Dialect, query: ReportQuery, params: dict[str, Any]) -> str:
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


def _sqlite_percentiles_sql(sq: _Dialect, query: ReportQuery, params: dict[str, Any]) -> str:
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


def _bind(sql: str) -> Any:
    stmt = text(sql)
    names = set(stmt._bindparams)  # noqa: SLF001 - the parameters the statement uses
    typed = [bindparam(n, type_=UtcDateTime()) for n in ("start", "end", "year_start")
             if n in names]
    return stmt.bindparams(*typed)


@dataclass
class Figures:
    """The figures of one cell of a report (a bucket, a group, both, or the whole period)."""

    bucket: str | None = None
    group: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TIMES, 0.0))
    n: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TIMES, 0))
    p90: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(TIMES))
    oldest_waiting: dt.datetime | None = None

    def add(self, other: Figures) -> None:
        """Roll a finer cell into this one (counts and sums add; the oldest is the minimum)."""
        for c in COUNTS:
            self.counts[c] += other.counts[c]
        for t in TIMES:
            self.sums[t] += other.sums[t]
            self.n[t] += other.n[t]
        if other.oldest_waiting is not None and (self.oldest_waiting is None
                                                 or other.oldest_waiting < self.oldest_waiting):
            self.oldest_waiting = other.oldest_waiting

    def as_dict(self) -> dict[str, Any]:
        c = self.counts
        decided = c["registered_on_time"] + c["registered_late"]
        out: dict[str, Any] = {}
        if self.bucket is not None:
            out["bucket"] = self.bucket
        if self.group is not None:
            out["group"] = self.group
        out.update(c)
        out["on_time_share"] = round(c["registered_on_time"] / decided, 4) if decided else None
        out["urgent_within_hour_share"] = (round(c["urgent_within_hour"] / c["urgent"], 4)
                                           if c["urgent"] else None)
        for t in TIMES:
            out[t] = {"n": self.n[t], "avg_s": _round(self.sums[t] / self.n[t]) if self.n[t] else None,
                      "p90_s": _round(self.p90[t])}
        out["oldest_waiting_uploaded_at"] = (self.oldest_waiting.isoformat()
                                             if self.oldest_waiting else None)
        return out


def _timestamp(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite gives MIN() over a CASE back as its stored text
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


@dataclass
class Report:
    """A whole report: the query, its cells at each level, the backlog now."""

    query: ReportQuery
    today: dt.date
    rows: list[Figures]
    by_bucket: list[Figures]
    by_group: list[Figures]
    total: Figures
    backlog: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        q = self.query
        return {
            "period": {"from": q.start.isoformat(), "to": q.end.isoformat(), "by": q.by,
                       "group": q.group, "timezone": "+07:00", "today": self.today.isoformat()},
            "filters": {"organ": q.organ, "unit": q.unit},
            "total": self.total.as_dict(),
            "by_bucket": [f.as_dict() for f in self.by_bucket],
            "by_group": [f.as_dict() for f in self.by_group] if q.group != "none" else [],
            "rows": [f.as_dict() for f in self.rows] if q.group != "none" else [],
            "backlog": self.backlog,
        }


def run_report(conn: Connection, query: ReportQuery, now: dt.datetime | None = None) -> Report:
    """Compute a report: counts and sums per (bucket, group), percentiles per level, backlog."""
    query.validate()
    now = now or dt.datetime.now(dt.UTC)
    today = local_date(now)
    sq = _dialect(conn)
    if sq.name == "postgresql":
        # The sorts of a year of documents fit in memory; JIT costs more than it saves here.
        conn.execute(text("SET LOCAL work_mem = '64MB'"))
        conn.execute(text("SET LOCAL jit = off"))
    params: dict[str, Any] = {"today": today}
    cells: dict[tuple[str, str | None, str | None], Figures] = {}
    total = Figures()
    for row in conn.execute(_bind(_cells_sql(sq, query, params)), params).mappings():
        fig = Figures(bucket_key(row["bucket"], query.by), row["grp"])
        fig.counts = {c: int(row[c] or 0) for c in COUNTS}
        fig.sums = {t: float(row[f"{t}_sum"] or 0) for t in TIMES}
        fig.n = {t: int(row[f"{t}_n"] or 0) for t in TIMES}
        fig.oldest_waiting = _timestamp(row["oldest_waiting"])
        cells[("rows", fig.bucket, fig.group)] = fig
        for key in (("bucket", fig.bucket, None), ("group", None, fig.group)):
            if key not in cells:
                cells[key] = Figures(key[1], key[2])
            cells[key].add(fig)
        total.add(fig)
    cells[("total", None, None)] = total
    params = {}
    if sq.name == "postgresql":
        for row in conn.execute(_bind(_postgres_percentiles_sql(sq, query, params)),
                                params).mappings():
            bucket = None if row["bucket"] is None else bucket_key(row["bucket"], query.by)
            cell = cells.get((row["level"], bucket, row["grp"]))
            if cell is not None:
                cell.p90 = {t: row[t] for t in TIMES}
    else:
        for row in conn.execute(_bind(_sqlite_percentiles_sql(sq, query, params)),
                                params).mappings():
            bucket = None if row["bucket"] is None else bucket_key(row["bucket"], query.by)
            cell = cells.get((row["level"], bucket, row["grp"]))
            if cell is not None:
                cell.p90[row["metric"]] = row["p90"]
    if query.group == "none":  # the percentiles of the levels that were not computed again
        for (lvl, bucket, _), fig in cells.items():
            same = cells.get(("bucket", bucket, None) if lvl == "rows" else ("total", None, None))
            if lvl in ("rows", "group") and same is not None:
                fig.p90 = dict(same.p90)
    by_bucket = [cells.get(("bucket", k, None)) or Figures(bucket=k) for k in bucket_keys(query)]
    by_group = sorted((f for (lvl, _, _), f in cells.items() if lvl == "group"),
                      key=lambda f: (-f.counts["received"], f.group or ""))
    rows = sorted((f for (lvl, _, _), f in cells.items() if lvl == "rows"),
                  key=lambda f: (f.bucket or "", -f.counts["received"], f.group or ""))
    return Report(query, today, rows, by_bucket, by_group, total, backlog(conn, query, now))


def backlog(conn: Connection, query: ReportQuery, now: dt.datetime) -> dict[str, Any]:
    """Documents not delivered yet, whatever the period (with the filters), and the oldest one."""
    params: dict[str, Any] = {}
    where = (f"d.status IN ({', '.join(repr(s) for s in WAITING_STATUSES)})"
             + _filters(query, params))
    by_status = dict.fromkeys(WAITING_STATUSES, 0)
    restricted = 0
    for status, secret, n in conn.execute(text(
            f"SELECT d.status, CASE WHEN d.secrecy IS NULL THEN 0 ELSE 1 END, COUNT(*) "
            f"FROM documents d WHERE {where} GROUP BY d.status, "
            f"CASE WHEN d.secrecy IS NULL THEN 0 ELSE 1 END"), params):
        by_status[status] = by_status.get(status, 0) + int(n)
        restricted += int(n) if secret else 0
    oldest = conn.execute(_bind(
        f"SELECT d.id, d.title, d.organ, d.unit, d.status, d.uploaded_at, d.number, d.notation "
        f"FROM documents d WHERE {where} ORDER BY d.uploaded_at, d.id LIMIT 1"), params).first()
    out: dict[str, Any] = {"total": sum(by_status.values()), "by_status": by_status,
                           "restricted": restricted, "oldest": None}
    if oldest is not None:
        uploaded = _timestamp(oldest.uploaded_at)
        assert uploaded is not None
        out["oldest"] = {
            "id": oldest.id, "title": oldest.title, "organ": oldest.organ, "unit": oldest.unit,
            "status": oldest.status, "number": oldest.number, "notation": oldest.notation,
            "uploaded_at": uploaded.isoformat(),
            "age_hours": round((now - uploaded).total_seconds() / 3600, 1),
            "link": f"/api/documents/{oldest.id}",
        }
    return out


# ---------------------------------------------------------------------------------------------
# The incoming register (sổ đăng ký văn bản đến, DOMAIN §8).

MAX_REGISTER_ROWS = 2000  # fpdf2 lays out about 200 lines a second here: ~10 s at most


@dataclass(frozen=True)
class RegisterEntry:
    """One line of the incoming register."""

    arrival_number: str  # the registry's ArrivalNumber when it sent one, else our yearly series
    arrived_on: dt.date
    author: str  # issuing agency (tác giả)
    code: str  # số, ký hiệu
    issued_date: dt.date | None
    type_and_subject: str  # tên loại và trích yếu nội dung
    recipient: str  # đơn vị hoặc người nhận
    forwarded_on: dt.date | None  # ngày chuyển: the electronic delivery
    note: str
    document_id: int


def _date_value(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def register_entries(conn: Connection, query: ReportQuery) -> list[RegisterEntry]:
    """The register lines of the documents received in the period, in arrival order.

    The arrival number is one series per calendar year, counted over every document received
    that year (not only those shown), so printing a month gives the same numbers as printing
    the year. Documents under state secrecy are left out: they go in the separate secret register.
    """
    from documents.metadata import meta_value

    query.validate()
    sq = _dialect(conn)
    params: dict[str, Any] = {"start": query.start_utc, "end": query.end_utc,
                              "year_start": local_midnight(dt.date(query.start.year, 1, 1)),
                              "refused": REFUSED, "limit": MAX_REGISTER_ROWS + 1}
    year = (f"to_char({sq.local('d.uploaded_at')}, 'YYYY')" if sq.name == "postgresql"
            else "strftime('%Y', d.uploaded_at, '+7 hours')")
    filters = _filters(query, params, alias="n")
    sql = f"""
    WITH numbered AS (
        SELECT d.id, d.uploaded_at, d.paper_arrived_on, d.organ, d.number, d.notation,
               d.issued_date, d.doc_type, d.unit, d.delivered_at, d.acknowledged_at, d.urgency,
               d.registry_status, d.status, d.title, d.metadata AS meta,
               ROW_NUMBER() OVER (PARTITION BY {year} ORDER BY d.uploaded_at, d.id) AS seq
        FROM documents d
        WHERE d.uploaded_at >= :year_start AND d.uploaded_at < :end AND d.status <> 'deleted'
              AND d.secrecy IS NULL
    )
    SELECT n.*, (SELECT e.detail FROM events e
                 WHERE e.document_id = n.id AND e.action = 'registry'
                       AND {sq.json_text('e.new')} = :refused
                 ORDER BY e.at DESC, e.id DESC LIMIT 1) AS refusal
    FROM numbered n WHERE n.uploaded_at >= :start {filters}
    ORDER BY n.uploaded_at, n.id LIMIT :limit"""
    rows = conn.execute(_bind(sql), params).mappings().all()
    if len(rows) > MAX_REGISTER_ROWS:
        raise ReportError(f"Kỳ này có hơn {MAX_REGISTER_ROWS} văn bản: hãy in sổ theo từng khoảng "
                          "ngắn hơn hoặc theo từng đơn vị.", limit=MAX_REGISTER_ROWS)
    out = []
    for r in rows:
        meta = r["meta"] if isinstance(r["meta"], dict) else _json(r["meta"])
        uploaded = _timestamp(r["uploaded_at"])
        assert uploaded is not None
        upload_day = local_date(uploaded)
        paper = _date_value(r["paper_arrived_on"])
        arrived = min(paper, upload_day) if paper else upload_day
        code = "/".join(str(x) for x in (r["number"], r["notation"]) if x)
        subject = str(meta_value(meta, "subject") or "")
        kind = r["doc_type"] or ""
        type_and_subject = f"{kind}: {subject}" if kind and subject else (kind or subject
                                                                          or r["title"] or "")
        notes = []
        if r["urgency"]:
            notes.append(str(r["urgency"]))
        if r["refusal"] is not None or r["registry_status"] == REFUSED:
            # documents.delivery writes "02 Từ chối tiếp nhận: <reason>"; the reason is what counts.
            reason = str(r["refusal"] or "").split(": ", 1)[-1].strip()
            notes.append(f"Bị từ chối: {reason}" if reason else "Bị từ chối")
        ack = _timestamp(r["acknowledged_at"])
        if ack is not None:
            notes.append(f"Đã tiếp nhận {local_date(ack).strftime('%d/%m/%Y')}")
        delivered = _timestamp(r["delivered_at"])
        read_stamp = meta.get("arrival_stamp")
        stamp = read_stamp if isinstance(read_stamp, dict) else {}
        arrival_number = meta.get("ArrivalNumber") or stamp.get("number") or r["seq"]
        out.append(RegisterEntry(
            arrival_number=str(arrival_number), arrived_on=arrived, author=r["organ"] or "",
            code=code, issued_date=_date_value(r["issued_date"]),
            type_and_subject=type_and_subject, recipient=r["unit"] or "",
            forwarded_on=local_date(delivered) if delivered else None,
            note="; ".join(notes), document_id=int(r["id"])))
    return out


def _json(value: Any) -> dict[str, Any]:
    import json

    if not value:
        return {}
    loaded = json.loads(value) if isinstance(value, str) else value
    return loaded if isinstance(loaded, dict) else {}
