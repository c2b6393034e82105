"""Recognised text and file names stay text wherever the pages show them (issue 13).

A scanned page can read anything, `<script>` included, and a file name is whatever the sender
chose. The document below carries markup in its recognised text, its subject and its file name;
the queue, the review page and the search page must show it as text and run none of it (no
dialog, no global set by the planted code)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.database import session_scope
from infra.tables import Document, Upload
from models.settings import Settings
from tests.service.helpers import ready_document
from tests.web.conftest import DESKTOP, Console, wait_until

# The pages are the subject here; both databases are covered by the API tests.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PLANT = "window.__pwned = (window.__pwned || 0) + 1"
SUBJECT = f"<script>{PLANT}</script>Về việc kiểm tra nội dung lạ"
TEXT = (f'NGHỊ ĐỊNH <img src=x onerror="{PLANT}"> <script>{PLANT}</script> '
        "về việc kiểm tra nội dung lạ")
FILENAME = f'<img src=x onerror="{PLANT}">.pdf'


def test_markup_in_text_subject_and_file_name_is_shown_not_run(
        settings: Settings, live_api: Any, signed_in: Any) -> None:
    doc_id = ready_document(settings, {"number": "7/NĐ-CP", "type_name": "Nghị định",
                                       "subject": SUBJECT}, text=TEXT)
    with session_scope(settings.database, write=True) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        doc.title = FILENAME
        upload = session.get(Upload, doc.upload_id)
        assert upload is not None
        upload.filename = FILENAME
    base = live_api(settings)
    context = signed_in(base, viewport=DESKTOP)
    console = Console()
    page = console.watch(context.new_page())
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    page.goto(f"{base}/hang-doi")
    wait_until(page, "document.querySelectorAll('#queue a[href^=\"/van-ban/\"]').length > 0")
    assert "<script>" in page.inner_text("#queue")

    page.goto(f"{base}/van-ban/{doc_id}")
    wait_until(page, "performance.getEntriesByName('intake:rendered').length > 0")
    values = page.evaluate("[...document.querySelectorAll('main input, main textarea')]"
                           ".map(e => e.value).join(' | ')")
    assert SUBJECT in values
    assert FILENAME in page.inner_text("main")

    page.goto(f"{base}/tim-kiem?q=kiem+tra+noi+dung")
    wait_until(page, "document.querySelectorAll('main a[href^=\"/van-ban/\"]').length > 0")
    assert "<script>" in page.inner_text("main")

    assert page.evaluate("window.__pwned") is None
    assert not dialogs
    assert page.locator("main img[src='x']").count() == 0
    console.check()
