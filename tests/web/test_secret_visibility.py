"""A secret document in the browser: invisible to a clerk without the clearance (queue, search,
review page, page image), visible to a clerk with it, and every view of it in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from infra.database import session_scope
from infra.tables import AuditEntry
from models.settings import Settings
from tests.service.helpers import ready_document
from tests.web.conftest import DESKTOP, Console, wait_until

# The pages are the subject here; both databases are covered by the API tests
# (tests/service/test_secret.py).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

META = {"number": "15/UBND-NC", "code_number": "15", "code_notation": "UBND-NC",
        "organ_name": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "type_name": "CÔNG VĂN",
        "issued_date": "2026-11-20"}
SECRET = "Về việc bảo vệ bí mật nhà nước năm 2027"
OPEN = "Về việc tổ chức hội nghị tổng kết năm 2026"


def _views(settings: Settings, doc_id: int) -> list[str]:
    """Who viewed the secret document, as the audit log names them."""
    with session_scope(settings.database) as session:
        return [e.actor_name for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "secret.viewed",
                                     AuditEntry.object_id == str(doc_id)).order_by(AuditEntry.id))]


def test_secret_document_needs_the_clearance(settings: Settings, live_api: Any,
                                             signed_in: Any) -> None:
    secret = ready_document(settings, {**META, "subject": SECRET, "secrecy": "MẬT"},
                            text=SECRET)
    public = ready_document(settings, {**META, "subject": OPEN}, text=OPEN)
    base = live_api(settings)
    console = Console()

    # Without the clearance: the queue and the search hold only the open document, and the
    # secret one's page, API record and page image answer "not found".
    plain = signed_in(base, username="chuyen.vien.thuong", viewport=DESKTOP)
    page = console.watch(plain.new_page())
    page.goto(f"{base}/hang-doi")
    wait_until(page, "document.querySelectorAll('#queue a[href^=\"/van-ban/\"]').length > 0")
    text = page.inner_text("main")
    assert OPEN in text and SECRET not in text
    assert f'href="/van-ban/{secret}"' not in page.content()
    found = page.request.get(f"{base}/api/search", params={"q": "năm"}).json()["items"]
    assert [d["id"] for d in found] == [public]
    page.goto(f"{base}/van-ban/{secret}")
    wait_until(page, "document.getElementById('doc-status').textContent.startsWith('Không')")
    assert page.inner_text("#doc-status") == f"Không tìm thấy văn bản số {secret}."
    assert SECRET not in page.content()
    assert page.request.get(f"{base}/api/documents/{secret}").status == 404
    assert page.request.get(f"{base}/api/documents/{secret}/pages/0/image").status == 404
    assert _views(settings, secret) == []

    # With the clearance: listed, opened, and the view is in the audit log under that account.
    cleared = signed_in(base, username="chuyen.vien.mat", clearance=True, viewport=DESKTOP)
    page = console.watch(cleared.new_page())
    page.goto(f"{base}/hang-doi")
    wait_until(page, "document.querySelectorAll('#queue a[href^=\"/van-ban/\"]').length > 1")
    assert SECRET in page.inner_text("main") and OPEN in page.inner_text("main")
    page.goto(f"{base}/van-ban/{secret}")
    wait_until(page, "performance.getEntriesByName('intake:rendered').length > 0")
    values = page.evaluate("[...document.querySelectorAll('main input, main textarea')]"
                           ".map(e => e.value).join(' | ')")
    assert SECRET in values and "Văn bản Mật" in page.inner_text("main")
    assert "chuyen.vien.mat" in _views(settings, secret)
    # On purpose: the refused page and API calls of the clerk without the clearance.
    console.check(allowed=("status of 404",))
