"""What the registry says with a status (issue 17): the due date (hạn xử lý), the end of handling
(06) and the electronic copy a delivered document duplicates, from JSON and from edXML status
packets, kept on the document and counted by the report; our own copy's signature counted too."""

from __future__ import annotations

import datetime as dt

import pytest

from documents.reports import ReportQuery, run_report
from documents.reports.monthly import KIND, VERSION
from documents.reports.province import LATER_COUNTS, check
from documents.reports.query import local_date
from documents.reports.sql import COUNTS
from infra.database import get_engine, session_scope
from infra.tables import Document
from models.errors import ReportError
from models.settings import Settings
from tests.service.helpers import client
from tests.service.test_status_packets import XML, _delivered, packet

DUPLICATE = "000.00.00.G22,2026/01/16,87/QĐ-VPCP"


def _total(settings: Settings) -> dict[str, object]:
    today = local_date(dt.datetime.now(dt.UTC))
    with get_engine(settings.database).connect() as conn:
        return run_report(conn, ReportQuery(today, today)).as_dict()["total"]


def test_due_date_end_of_handling_and_duplicate_from_the_registry(settings: Settings) -> None:
    with client(settings) as c:
        doc_id = _delivered(settings, c)
        url = f"/api/registry/documents/{doc_id}/status"
        with session_scope(settings.database, write=True) as session:
            doc = session.get_one(Document, doc_id)
            doc.delivered_at = dt.datetime(2026, 1, 17, 1, 0, tzinfo=dt.UTC)
        assert _total(settings)["copy_unsigned"] == 1
        # Assigned with a due date and the word that it already came electronically (edXML).
        xml = packet("04", "2026/01/17 09:00:00").replace(
            b"<edXML:StatusCode>", f"<edXML:DueDate>2026/01/20</edXML:DueDate><edXML:DuplicateOf>"
            f"{DUPLICATE}</edXML:DuplicateOf><edXML:StatusCode>".encode())
        answer = c.post(url, content=xml, headers=XML).json()
        assert answer["due_date"] == "2026-01-20"
        assert answer["registry_duplicate_of"] == DUPLICATE and answer["handled_at"] is None
        total = _total(settings)
        assert (total["due_dated"], total["open_overdue"], total["open_within_time"]) == (1, 1, 0)
        assert total["paper_duplicates_registry"] == 1 and total["paper_duplicates"] == 1
        # A later due date with the same code is still kept; 06 at the registry's time ends it.
        assert c.post(url, json={"code": "04", "due_date": "2026-01-21"}).json()["changed"]
        answer = c.post(url, json={"code": "06", "at": "2026-01-22T16:00:00"}).json()
        assert answer["handled_at"].startswith("2026-01-22T09:00:00")
        with session_scope(settings.database, write=True) as session:
            session.get_one(Document, doc_id).sign_state = "signed"
        total = _total(settings)
        assert (total["handled_on_time"], total["handled_late"], total["open_overdue"]) == (0, 1, 0)
        assert (total["copy_signed"], total["copy_unsigned"]) == (1, 0)
        # A bad due date is refused, in both forms.
        assert c.post(url, json={"code": "06", "due_date": "20/01/2026"}).status_code == 422
        bad = xml.replace(b"2026/01/20", b"20-01-2026")
        assert c.post(url, content=bad, headers=XML).status_code == 422


def test_a_province_still_reads_a_units_report_without_the_later_counts() -> None:
    older = {c: 0 for c in COUNTS if c not in LATER_COUNTS}
    data = {"kind": KIND, "version": VERSION, "month": "2026-11", "agency": "Sở Nội vụ",
            "total": older}
    assert check(data) is data
    with pytest.raises(ReportError):  # a count every release sends is still required
        check({**data, "total": {k: v for k, v in older.items() if k != "received"}})
