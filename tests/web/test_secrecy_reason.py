"""Secret documents on the pages, in a real browser: lowering or clearing a secrecy mark asks for
the reason the API requires (refused in Vietnamese without it, kept in the history and the audit
log with it), and the queue and the review page name a restricted document, an uncertain one too.

Browser tests run on SQLite only (see tests/web/test_review_page.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from documents.audit import AuditAction
from infra.database import dispose_engines, session_scope
from infra.tables import AuditEntry, Document
from models.settings import Settings
from tests.service.helpers import ready_document
from tests.web.conftest import DESKTOP, Console, check_page, shot, wait_until

pytestmark = [pytest.mark.browser]

META = {
    "number": "45/UBND-NC", "code_number": "45", "code_notation": "UBND-NC",
    "issued_date": "2026-03-02", "organ_name": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
    "type_name": "CÔNG VĂN", "subject": "Về việc bảo đảm an ninh trật tự dịp lễ",
    "secrecy": "MẬT", "urgency": None,
}
REASON = "Dấu của bản sao khác, văn bản này không mật"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite only (see the module's docstring)."""
    yield f"sqlite:///{tmp_path / 'intake.db'}"
    dispose_engines()


def _rendered(page: Any) -> None:
    wait_until(page, "performance.getEntriesByName('intake:rendered').length > 0")


def _secrecy(settings: Settings, doc_id: int) -> tuple[str | None, int]:
    with session_scope(settings.database) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        return doc.secrecy, doc.secrecy_level


def test_clearing_a_mark_asks_for_the_reason_and_keeps_it(
    settings: Settings, live_api: Any, signed_in: Any
) -> None:
    doc = ready_document(settings, META)
    base = live_api(settings)
    console = Console()
    context = signed_in(base, username="can.bo.mat", clearance=True, viewport=DESKTOP)
    page = console.watch(context.new_page())
    page.goto(f"{base}/van-ban/{doc}")
    _rendered(page)
    assert "Mật" in page.inner_text("#secret-banner")
    assert page.locator("#doc-status .badge.secret").inner_text() == "Mật"
    # No reason asked while the mark is kept or raised; asked when it is cleared.
    assert page.is_hidden("#f-secrecy-reason-box")
    page.select_option("#f-secrecy", "TỐI MẬT")
    assert page.is_hidden("#f-secrecy-reason-box")
    page.select_option("#f-secrecy", "")
    assert page.is_visible("#f-secrecy-reason-box")
    assert page.inner_text("#f-secrecy-reason-box label") == "Lý do hạ/bỏ độ mật"
    check_page(page)
    # Without a reason the API refuses, said in Vietnamese; the mark stays.
    page.focus("#f-secrecy-reason")
    page.keyboard.press("Enter")
    wait_until(page, "document.getElementById('f-secrecy-err').textContent.length > 0")
    assert page.inner_text("#f-secrecy-err") == "Hạ hoặc bỏ độ mật phải ghi lý do."
    assert page.evaluate("document.activeElement.id") == "f-secrecy-reason"
    assert _secrecy(settings, doc) == ("MẬT", 2)
    shot(page, "review-secrecy-reason")
    # With the reason: cleared, the restriction gone from the page, the reason in the history.
    page.fill("#f-secrecy-reason", REASON)
    page.keyboard.press("Enter")
    wait_until(page, "!document.getElementById('secret-banner')")
    assert _secrecy(settings, doc) == (None, 0)
    assert page.locator("#doc-status .badge.secret").count() == 0
    assert page.is_hidden("#f-secrecy-reason-box")
    assert page.inner_text("#f-secrecy-err") == ""
    row = page.locator("#history tbody tr", has_text=REASON)
    assert row.count() == 1
    assert "Độ mật" in row.inner_text() and "Mật → (trống)" in row.inner_text()
    assert "can.bo.mat" in row.inner_text()
    with session_scope(settings.database) as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.SECRECY_CHANGED)).one()
        assert entry.object_id == str(doc) and entry.actor_name == "can.bo.mat"
        assert entry.detail == {"from": "MẬT", "to": "none", "reason": REASON}
    console.check(allowed=("422",))  # the refused PATCH is logged by the browser
    context.close()


def test_queue_and_review_name_a_restricted_document(
    settings: Settings, live_api: Any, signed_in: Any
) -> None:
    open_doc = ready_document(settings, {**META, "secrecy": None, "number": "46/UBND-NC",
                                         "code_number": "46"})
    unsure = ready_document(settings, {**META, "secrecy": None, "number": "47/UBND-NC",
                                       "code_number": "47"}, uncertain=("secrecy",))
    secret = ready_document(settings, {**META, "secrecy": "TỐI MẬT", "number": "48/UBND-NC",
                                       "code_number": "48"})
    base = live_api(settings)
    console = Console()
    context = signed_in(base, username="can.bo.mat", clearance=True, viewport=DESKTOP)
    page = console.watch(context.new_page())
    page.goto(f"{base}/hang-doi")
    _rendered(page)

    def badge(doc_id: int) -> str:
        row = page.locator("#queue tbody tr", has=page.locator(f"a[href='/van-ban/{doc_id}']"))
        marks = row.locator(".badge.secret")
        return marks.inner_text() if marks.count() else ""

    assert (badge(open_doc), badge(unsure), badge(secret)) == ("", "Chưa rõ độ mật", "Tối mật")
    check_page(page)
    shot(page, "queue-restricted")
    page.goto(f"{base}/van-ban/{unsure}")
    _rendered(page)
    assert "Chưa rõ độ mật" in page.inner_text("#secret-banner")
    assert page.locator("#doc-status .badge.secret").inner_text() == "Chưa rõ độ mật"
    # Deciding there is no mark lowers an uncertain level: no reason is asked for that.
    page.select_option("#f-secrecy", "")
    assert page.is_hidden("#f-secrecy-reason-box")
    page.focus("#f-secrecy")
    page.keyboard.press("Enter")
    wait_until(page, "!document.getElementById('secret-banner')")
    assert _secrecy(settings, unsure) == (None, 0)
    console.check()
    context.close()
