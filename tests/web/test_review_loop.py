"""The review loop of issue 16 in Chromium, on seeded documents (no OCR): a number whose digits
were not read comes pre-filled with its symbol, the cursor before it; Enter on an empty number or
date accepts nothing, the clerk says the document has none (Alt+K); the confirm button is in view
on a laptop screen without scrolling past the fields; failed documents are seen in the queue and
the batch list (times in Vietnam time), discarded and retried. One test: one API, one browser.

SQLite only, like the other page tests (the API is covered on both databases elsewhere)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.database import dispose_engines
from models.settings import Settings
from tests.service.helpers import TEST_UNIT, client, ready_document
from tests.web.conftest import Console, check_page, shot, wait_until

pytestmark = [pytest.mark.browser]

LAPTOP = {"width": 1366, "height": 768}
META = {
    "number": None, "code_number": None, "code_notation": "UBND-KTTH", "issued_date": None,
    "place": "Quảng Ngãi", "organ_name": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "parent_organ": None,
    "type_name": "CÔNG VĂN", "subject": "V/v tăng cường công tác phòng chống thiên tai",
    "signer": {"competence": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH",
               "full_name": "Trần Phước Hiền"},
    "to_places": ["Như trên", "Lưu: VT"], "secrecy": None, "urgency": None, "arrival_stamp": None,
}


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'intake.db'}"
    dispose_engines()


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id"))


def _in_view(page: Any, selector: str) -> bool:
    """The element is inside the viewport and is what the browser would click at its centre."""
    return bool(page.evaluate("""(sel) => {
        const el = document.querySelector(sel);
        const r = el.getBoundingClientRect();
        if (r.top < 0 || r.bottom > innerHeight || r.left < 0 || r.right > innerWidth) return false;
        return el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
    }""", selector))


def test_review_loop_on_a_laptop(settings: Settings, live_api: Any, signed_in: Any) -> None:
    doc = ready_document(settings, META, uncertain=("number", "code_number", "issued_date"))
    batch, (kept, dropped) = _failed_batch(settings, 2)
    base = live_api(settings)
    console = Console()
    # A browser set to another zone still shows Vietnam time (02:12 UTC is 09:12 there).
    context = signed_in(base, viewport=LAPTOP, timezone_id="America/New_York")
    page = console.watch(context.new_page())
    page.goto(f"{base}/van-ban/{doc}")
    wait_until(page, "performance.getEntriesByName('intake:rendered').length > 0")
    check_page(page)
    # The symbol read, the digits not: the box holds it and the cursor stands before it.
    assert _focused(page) == "f-number"
    assert page.input_value("#f-number") == "/UBND-KTTH"
    assert page.evaluate("document.activeElement.selectionStart") == 0
    # The confirm action is reachable without scrolling past the fields.
    assert page.evaluate("scrollY") == 0 and _in_view(page, "#confirm")
    shot(page, "review-laptop-missing-number", full=False)
    # Enter on the symbol alone (no digits): nothing accepted, the clerk is told what to do.
    page.keyboard.press("Enter")
    wait_until(page, "document.getElementById('f-number-err').textContent.length > 0")
    assert "Alt+K" in page.inner_text("#f-number-err") and _focused(page) == "f-number"
    page.keyboard.type("575")
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement.id === 'f-issued_date'")
    assert page.input_value("#f-number") == "575/UBND-KTTH"
    # Enter on the empty date, twice: still not accepted; confirming is refused too.
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert "Không có" in page.inner_text("#f-issued_date-err")
    page.keyboard.press("Control+Enter")
    assert _focused(page) == "f-issued_date"
    with client(settings) as api:
        assert api.get(f"/api/documents/{doc}").json()["status"] == "ready_for_review"
    # The clerk says the document has no date: recorded, then one Enter confirms.
    page.keyboard.press("Alt+K")
    wait_until(page, "document.activeElement.id === 'confirm'")
    assert "Không có" in page.locator(".field[data-key=issued_date]").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_selector("#done-banner")
    with client(settings) as api:
        state = api.get(f"/api/documents/{doc}").json()
    assert state["status"] == "confirmed" and state["metadata"]["number"] == "575/UBND-KTTH"
    assert state["fields"]["issued_date"]["none"] is True
    assert "Văn bản không có" in page.inner_text("#history")
    _failures(settings, base, page, batch, kept, dropped)
    console.check()
    context.close()


def _failed_batch(settings: Settings, files: int) -> tuple[int, list[int]]:
    """A batch the mailroom uploaded at 02:12 UTC on 16/01/2026, every document of it failed."""
    import datetime as dt

    from infra.database import migrate, session_scope
    from infra.tables import Batch, Document, DocumentStatus, StoredFile, Upload

    migrate(settings.database)
    at = dt.datetime(2026, 1, 16, 2, 12, tzinfo=dt.UTC)
    with session_scope(settings.database, write=True) as session:
        batch = Batch(source="api", unit=TEST_UNIT, created_by="user:van.thu", created_at=at,
                      planned_at=at)
        session.add(batch)
        session.flush()
        ids = []
        for i in range(files):
            sha = f"{batch.id:032x}{i:032x}"
            session.add(StoredFile(sha256=sha, size=2048))
            upload = Upload(batch_id=batch.id, sha256=sha, filename=f"cong-van-{i}.pdf", size=2048)
            session.add(upload)
            session.flush()
            doc = Document(batch_id=batch.id, upload_id=upload.id, sha256=sha,
                           title=f"cong-van-{i}.pdf", unit=TEST_UNIT, status=DocumentStatus.FAILED,
                           pages_total=1, uploaded_at=at,
                           error={"code": "corrupt_file", "message": "no %%EOF"})
            session.add(doc)
            session.flush()
            ids.append(doc.id)
        return batch.id, ids


def _failures(settings: Settings, base: str, page: Any, batch: int, kept: int,
              dropped: int) -> None:
    """Failures seen in the queue and the batch list, discarded there, retried on their page."""
    page.on("dialog", lambda dialog: dialog.accept())
    # The queue says there are failures and leads to them.
    page.goto(f"{base}/hang-doi")
    wait_until(page, "performance.getEntriesByName('intake:rendered').length > 0")
    assert "2 văn bản không xử lý được" in page.inner_text("#failed-note")
    # The list of batches, in Vietnam time, survives a reload; a failure is discarded there.
    page.goto(f"{base}/lo-tai-len")
    wait_until(page, "performance.getEntriesByName('intake:rendered').length > 0")
    check_page(page)
    row = page.locator(f"tr[data-batch='{batch}']")
    text = row.inner_text()
    assert "16/01/2026 09:12" in text and "van.thu" in text and TEST_UNIT in text
    assert "2 tệp" in text and "Tệp bị hỏng" in text
    shot(page, "batches-failed", full=False)
    row.locator(f"li[data-doc='{dropped}'] button.discard").click()
    wait_until(page, f"!document.querySelector(\"li[data-doc='{dropped}']\")")
    # The other one is retried from its own page.
    page.goto(f"{base}/van-ban/{kept}")
    wait_until(page, "performance.getEntriesByName('intake:rendered').length > 0")
    page.click("#retry-doc")
    wait_until(page, "!document.getElementById('retry-doc')")
    with client(settings) as api:
        assert api.get(f"/api/documents/{kept}").json()["status"] == "queued"
        assert api.get(f"/api/documents/{dropped}").json()["status"] == "deleted"
