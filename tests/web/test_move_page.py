"""Moving a page on the review page, in a real browser against the real service: a generated
three-page document and a one-page one, recognised by a real RQ worker; the clerk moves a page
within its document and into the other one, and is told in Vietnamese why an impossible move is
refused. The page order is checked through the API, by each page's recognised words.

SQLite only, as the other browser tests."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.database import dispose_engines
from models.settings import Settings
from tests.service.helpers import batch_documents, client, document_status, scan, wait_for
from tests.web.conftest import DESKTOP, PHONE, Console, check_page, shot, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite only (see the module's docstring)."""
    yield f"sqlite:///{tmp_path / 'intake.db'}"
    dispose_engines()


def _two_documents(settings: Settings) -> tuple[int, int]:
    """Upload a 3-page and a 1-page generated scan; (3-page id, 1-page id) once both are ready."""
    with client(settings, clearance=True) as api:
        r = api.post("/api/batches", files=[
            ("files", ("ba-trang.pdf", scan(11, 3), "application/pdf")),
            ("files", ("mot-trang.pdf", scan(12, 1), "application/pdf")),
        ])
        assert r.status_code == 202, r.text
        batch_id = r.json()["id"]

    def ready() -> list[int] | None:
        ids = sorted(batch_documents(settings, batch_id))
        statuses = [document_status(settings, i) for i in ids]
        assert "failed" not in statuses, statuses
        return ids if len(ids) == 2 and set(statuses) == {"ready_for_review"} else None

    ids = wait_for(ready, 360, "both documents ready for review")
    with client(settings, clearance=True) as api:
        sizes = {i: api.get(f"/api/documents/{i}").json()["pages_total"] for i in ids}
    assert sorted(sizes.values()) == [1, 3], sizes
    big = next(i for i, n in sizes.items() if n == 3)
    small = next(i for i, n in sizes.items() if n == 1)
    return big, small


def _pages(page: Any, base: str, doc_id: int) -> tuple[list[str], list[int]]:
    """Through the API: each page of a document named by its first recognised words, and the
    pages' places in the uploaded file (split.source_pages)."""
    r = page.request.get(f"{base}/api/documents/{doc_id}")
    assert r.ok, r.text()
    doc = r.json()
    names = [" ".join(w["text"] for w in p["words"][:25]) for p in doc["pages"]]
    assert len(names) == doc["pages_total"]
    return names, list((doc.get("split") or {}).get("source_pages") or [])


def _rendered(page: Any) -> None:
    wait_until(page, "performance.getEntriesByName('intake:rendered').length > 0")


def _toast(page: Any, text: str) -> str:
    """Wait for the toast to say `text` (whole message); returns it, checked to be NFC."""
    wait_until(page, "t => document.getElementById('toast').textContent.includes(t)", arg=text)
    said = page.inner_text("#toast")
    assert unicodedata.normalize("NFC", said) == said, said
    return said


def _show(page: Any, number: int) -> None:
    """Turn to a page (the review page opens on the page of the first field to check)."""
    total = page.inner_text("#page-no").split("/")[1]
    while page.inner_text("#page-no") != f"Trang {number}/{total}":
        current = int(page.inner_text("#page-no").split()[1].split("/")[0])
        page.click("#page-prev" if current > number else "#page-next")


def _move(page: Any, to: int | str, document: int | str = "") -> None:
    page.fill("#move-to", str(to))
    page.fill("#move-doc", str(document))
    page.click("#move-page")


def test_move_a_page_within_and_between_documents(
    settings: Settings, start_worker: Any, live_api: Any, signed_in: Any
) -> None:
    start_worker(settings)
    big, small = _two_documents(settings)
    base = live_api(settings)
    console = Console()
    # With the secret clearance: generated scans are often of uncertain secrecy (restricted).
    context = signed_in(base, username="pham.thu.ha", clearance=True, viewport=DESKTOP)
    page = console.watch(context.new_page())

    before, sources = _pages(page, base, big)
    assert len(set(before)) == 3, before  # three pages told apart by their words
    assert sources == [0, 1, 2], sources
    (small_page,), _ = _pages(page, base, small)

    # The only page of a document cannot go to another one: the API's refusal, in Vietnamese.
    page.goto(f"{base}/van-ban/{small}")
    _rendered(page)
    _move(page, 1, big)
    _toast(page, "Không thể chuyển trang duy nhất của văn bản sang văn bản khác")
    assert _pages(page, base, small)[0] == [small_page]
    assert _pages(page, base, big)[0] == before

    # Within the document: page 1 to position 3. The view follows the page.
    page.goto(f"{base}/van-ban/{big}")
    _rendered(page)
    check_page(page)
    _show(page, 1)
    labels = page.inner_text("#page-actions")
    assert "Chuyển trang này đến vị trí" in labels and "sang văn bản số" in labels
    _move(page, 3)
    assert _toast(page, "Đã chuyển trang 1 đến vị trí 3.") == "Đã chuyển trang 1 đến vị trí 3."
    wait_until(page, "document.getElementById('page-no').textContent === 'Trang 3/3'")
    after, sources = _pages(page, base, big)
    assert after == [before[1], before[2], before[0]], (before, after)
    assert sources == [1, 2, 0]
    wait_until(page, "document.getElementById('history').innerText.includes('Chuyển trang')")
    row = page.locator("#history tbody tr", has_text="Chuyển trang").first.inner_text()
    assert "Trang 1 chuyển đến vị trí 3" in row and "pham.thu.ha" in row, row
    shot(page, "review-move-within", full=False)

    # A position the document does not have: refused, nothing changes.
    _move(page, 5)
    _toast(page, "Không có vị trí 5 trong văn bản này: chọn vị trí từ 1 đến 3.")
    assert _pages(page, base, big)[0] == after

    # Into the other document, at its end (position 2 of a one-page document): the page shown
    # (page 2, the file's third page) leaves this document.
    _show(page, 2)
    _move(page, 9, small)
    _toast(page, f"Không có vị trí 9 trong văn bản {small}: chọn vị trí từ 1 đến 2 (2 là cuối văn bản).")
    assert _pages(page, base, small)[0] == [small_page]
    _move(page, "", small)  # no position: at the end
    _toast(page, f"Đã chuyển trang 2 sang cuối văn bản {small}.")
    wait_until(page, "document.getElementById('page-no').textContent === 'Trang 2/2'")
    assert _pages(page, base, big)[0] == [before[1], before[0]]
    assert _pages(page, base, small)[0] == [small_page, before[2]]
    assert "· 2 trang" in page.inner_text("#doc-status")
    out = page.locator("#history tbody tr", has_text="chuyển sang").first
    assert f"Trang 2 chuyển sang văn bản {small}" in out.inner_text()
    assert out.locator("a").get_attribute("href") == f"/van-ban/{small}"
    shot(page, "review-move-out", full=False)

    # The other document tells where its new page came from.
    page.goto(f"{base}/van-ban/{small}")
    _rendered(page)
    assert page.inner_text("#page-no").endswith("/2")
    into = page.locator("#history tbody tr", has_text="Nhận trang").first
    assert f"Nhận trang 2 của văn bản {big}, đặt ở vị trí 2" in into.inner_text()
    assert into.locator("a").get_attribute("href") == f"/van-ban/{big}"
    history = page.inner_text("#history")
    assert unicodedata.normalize("NFC", history) == history
    context.close()

    # At a phone's width the move controls fit and are named.
    phone = signed_in(base, username="pham.thu.ha", viewport=PHONE, is_mobile=True,
                      has_touch=True)
    page = console.watch(phone.new_page())
    page.goto(f"{base}/van-ban/{big}")
    _rendered(page)
    check_page(page)
    page.locator("#move-page").scroll_into_view_if_needed()
    shot(page, "phone-review-move", full=False)
    phone.close()
    console.check(allowed=("status of 400",))  # the three refused moves, on purpose
