"""Monthly reports that send themselves: due on the first working day of the next month, delivered
to the configured destinations, recorded, retried like document pushes.

Destinations (models/settings.py): `INTAKE_REPORT_SEND_URL`, a webhook that receives the month's
report as JSON (documents/reports/monthly.py) signed like document pushes (X-Intake-Timestamp and
X-Intake-Signature: HMAC-SHA256 of `<timestamp>.<body>` with `INTAKE_REPORT_SEND_SECRET`,
documents.registry.sign), through the same webhook policy and pinned client as the push sender;
and `INTAKE_REPORT_SEND_DIR`, a folder that receives `bao-cao-YYYY-MM.json` and `.pdf` (written
to a temporary name, then renamed). Both may be set.

`report_sends` has one row per month and destination (unique): `schedule` writes it once, from
the first working day of the next month on (documents/reports/workdays.py: Tết and the swapped
days count), so a supervisor started late still sends, and two supervisors do not send twice.
`send_due` tries the rows that are due: a failure waits (delivery_backoff doubling up to
delivery_max_backoff) and the row is parked after delivery_attempts failures; the error is kept.
The supervisor (worker/daemons/supervisor.py) runs both every reconcile period.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.registry import sign
from documents.reports.monthly import monthly_data, monthly_pdf, previous_month
from documents.reports.query import local_date
from documents.reports.workdays import calendar
from infra.database import get_engine, insert_ignoring_conflicts, session_scope
from infra.tables import ReportSend
from models.settings import Settings

log = logging.getLogger(__name__)

Post = Callable[[str, bytes, dict[str, str]], int]  # url, body, headers -> HTTP status


def destinations(settings: Settings) -> list[str]:
    out = []
    if settings.report_send_url:
        out.append("url:" + settings.report_send_url)
    if settings.report_send_dir:
        out.append("dir:" + str(settings.report_send_dir))
    return out


def first_working_day(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 1)
    cal = calendar(year, year)
    return day if cal.is_working(day) else cal.next_working_day(day)


def due_month(today: dt.date) -> str | None:
    """The month whose report is due today ('YYYY-MM'), or None before this month's first
    working day."""
    if today < first_working_day(today.year, today.month):
        return None
    year, month = previous_month(today)
    return f"{year:04d}-{month:02d}"


def schedule(session: Session, settings: Settings, now: dt.datetime) -> int:
    """Record the due month's report for each destination, once (unique month x destination)."""
    month = due_month(local_date(now))
    if month is None:
        return 0
    added = 0
    for destination in destinations(settings):
        result = insert_ignoring_conflicts(
            session, ReportSend, month=month, destination=destination, state="pending",
            attempts=0, next_attempt_at=now, created_at=now)
        added += int(getattr(result, "rowcount", 0) or 0)
    return added


def render(settings: Settings, month: str, now: dt.datetime) -> tuple[bytes, bytes]:
    """The month's report as JSON (every unit, every document counted) and its PDF."""
    year, mon = (int(x) for x in month.split("-"))
    with get_engine(settings.database).connect() as conn:
        data = monthly_data(conn, year, mon, agency=settings.agency_name,
                            agency_code=settings.agency_code, now=now)
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    pdf = monthly_pdf(data, parent=settings.agency_in_charge, today=local_date(now))
    return body, pdf


def deliver(destination: str, month: str, body: bytes, pdf: bytes, settings: Settings,
            post: Post) -> None:
    """Send or write one report; raises on failure (the caller records and retries)."""
    kind, _, target = destination.partition(":")
    if kind == "dir":
        folder = Path(target)
        folder.mkdir(parents=True, exist_ok=True)
        for ext, content in (("json", body), ("pdf", pdf)):
            final = folder / f"bao-cao-{month}.{ext}"
            tmp = folder / f".{final.name}.tmp"
            tmp.write_bytes(content)
            os.replace(tmp, final)
        return
    stamp = int(time.time())
    headers = {"Content-Type": "application/json; charset=utf-8",
               "X-Intake-Timestamp": str(stamp), "X-Intake-Event": "monthly-report",
               "Idempotency-Key": f"intake-report-{month}",
               "X-Intake-Signature": sign(settings.report_send_secret, body, stamp)}
    status = post(target, body, headers)
    if not 200 <= status < 300:
        raise RuntimeError(f"HTTP {status}")


def send_due(settings: Settings, now: dt.datetime, post: Post | None = None) -> dict[str, int]:
    """Try every report row that is due now; returns how many were sent, retried, parked."""
    url = settings.database
    month = due_month(local_date(now))
    if month is not None:
        with session_scope(url) as session:  # a read first: the write lock only when needed
            known = set(session.scalars(select(ReportSend.destination)
                                        .where(ReportSend.month == month)))
        if set(destinations(settings)) - known:
            with session_scope(url, write=True) as session:
                schedule(session, settings, now)
    with session_scope(url) as session:
        due = [(r.id, r.month, r.destination) for r in session.scalars(
            select(ReportSend).where(ReportSend.state == "pending",
                                     ReportSend.next_attempt_at <= now)
            .order_by(ReportSend.id))]
    counts = {"sent": 0, "retry": 0, "parked": 0}
    rendered: dict[str, tuple[bytes, bytes]] = {}
    for row_id, month, destination in due:
        error: str | None = None
        try:
            if month not in rendered:
                rendered[month] = render(settings, month, now)
            deliver(destination, month, *rendered[month], settings, post or _http_post(settings))
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
            error = f"{type(exc).__name__}: {exc}"[:1000]
            log.warning("monthly report %s to %s failed: %s", month, destination, error)
        with session_scope(url, write=True) as session:
            row = session.get(ReportSend, row_id)
            if row is None or row.state != "pending":
                continue
            row.attempts += 1
            if error is None:
                row.state, row.sent_at, row.last_error = "sent", now, None
                counts["sent"] += 1
            else:
                row.last_error = error
                if row.attempts >= settings.delivery_attempts:
                    row.state = "parked"
                    counts["parked"] += 1
                else:
                    wait = min(settings.delivery_backoff * 2 ** (row.attempts - 1),
                               settings.delivery_max_backoff)
                    row.next_attempt_at = now + dt.timedelta(seconds=wait)
                    counts["retry"] += 1
    return counts


def _http_post(settings: Settings) -> Post:
    """POST through the push sender's pinned client (webhook policy, no redirects)."""
    from infra.pinned_client import pinned_client
    from infra.webhook_policy import webhook_policy

    def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        policy = webhook_policy(settings)
        with pinned_client(lambda: policy, settings.delivery_timeout, 1) as client:
            return client.post(url, content=body, headers=headers).status_code
    return post


def sends(session: Session) -> list[dict[str, Any]]:
    """The recorded monthly reports, newest first."""
    return [{"month": r.month, "destination": r.destination, "state": r.state,
             "attempts": r.attempts, "last_error": r.last_error,
             "sent_at": r.sent_at.isoformat() if r.sent_at else None}
            for r in session.scalars(select(ReportSend).order_by(ReportSend.id.desc()))]
