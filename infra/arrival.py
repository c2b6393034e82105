"""The incoming register's numbers (số đến, Nghị định 30): one series per year, never renumbered.

Every document row gets the next number of the local calendar year (Asia/Ho_Chi_Minh) of its
receipt when it is first written, in the order rows are written, from one counter row per year
(`arrival_counter`) incremented by an UPDATE in the same transaction: PostgreSQL holds that row's
lock until commit (SQLite serialises writers), so two transactions never take the same number,
and a transaction that rolls back gives its numbers back. A number is never changed afterwards:
a failed or deleted document keeps its number (the register does not print it, nothing shifts).

The numbers are given in a `before_flush` hook on every Session, so no way of creating a
document (upload, the worker's split, a clerk's split, a test's seed) can miss one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, inspect, text
from sqlalchemy.orm import Session

from infra.tables import Document

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def arrival_year(received: dt.datetime | None) -> int:
    """The local calendar year of a receipt (now when not yet set)."""
    moment = received or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(LOCAL_TZ).year


def _take(session: Session, year: int, count: int) -> int:
    """Reserve `count` numbers of `year`; the last one reserved."""
    session.execute(text("INSERT INTO arrival_counter (year, value) VALUES (:year, 0) "
                         "ON CONFLICT (year) DO NOTHING"), {"year": year})
    last = session.execute(text("UPDATE arrival_counter SET value = value + :count "
                                "WHERE year = :year RETURNING value"),
                           {"year": year, "count": count}).scalar_one()
    return int(last)


@event.listens_for(Session, "before_flush")
def _number_new_documents(session: Session, _context: Any, _instances: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, Document) and obj.arrival_number is None]
    if not new:
        return
    new.sort(key=lambda obj: inspect(obj).insert_order or 0)
    by_year: dict[int, list[Document]] = {}
    for doc in new:
        by_year.setdefault(arrival_year(doc.uploaded_at), []).append(doc)
    with session.no_autoflush:
        for year, docs in sorted(by_year.items()):
            last = _take(session, year, len(docs))
            for offset, doc in enumerate(docs):
                doc.arrival_year = year
                doc.arrival_number = last - len(docs) + 1 + offset
