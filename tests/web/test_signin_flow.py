"""Signing in, working and signing out in a real browser against the real service (issue 13):
the sign-in form (a wrong password refused in Vietnamese, then the right one), an upload recognised
by a real RQ worker, its review and confirmation, sign-out after which the session's cookie opens
nothing; a clerk of another unit is told the document does not exist; a new account must change
its one-time password before anything else.

SQLite only, as the other browser tests."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from documents.audit import Actor
from infra.database import dispose_engines, session_scope
from intake.auth.access import COOKIE
from intake.auth.accounts import REFUSED, create_account
from intake.auth.roles import Role
from models.settings import Settings
from tests.intake.auth.principals import unit_rows
from tests.service.helpers import TEST_UNIT, scan
from tests.web.conftest import DESKTOP, PHONE, Console, check_page, shot, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.slow]

PASSWORD = "bản-quét-sáng-thứ-hai"
NEW_PASSWORD = "một câu dài dễ nhớ của tôi"
OTHER_UNIT = "Phòng Tài chính"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite only (see the module's docstring)."""
    yield f"sqlite:///{tmp_path / 'intake.db'}"
    dispose_engines()


def _account(settings: Settings, username: str, *, unit: str = TEST_UNIT,
             must_change: bool = False) -> None:
    """A clerk with PASSWORD, with the secret clearance (generated scans are often of uncertain
    secrecy, restricted until a person decides)."""
    with session_scope(settings.database, write=True) as session:
        create_account(session, username=username, password=PASSWORD, role=Role.CLERK,
                       actor=Actor.system("test"), display_name="Nguyễn Thị Lan",
                       units=unit_rows(session, (unit,)), secret_clearance=True,
                       must_change_password=must_change)


def _sign_in(page: Any, username: str, password: str) -> None:
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#signin")
    page.wait_for_load_state()


def _session_cookie(context: Any) -> dict[str, Any]:
    cookies = [c for c in context.cookies() if c["name"] == COOKIE]
    assert len(cookies) == 1, cookies
    return dict(cookies[0])


def test_sign_in_upload_review_sign_out(settings: Settings, start_worker: Any, live_api: Any,
                                        browser: Any, tmp_path: Path) -> None:
    start_worker(settings)
    base = live_api(settings)
    _account(settings, "lan.nt")
    _account(settings, "tai.chinh", unit=OTHER_UNIT)
    upload = tmp_path / "cong-van.pdf"
    upload.write_bytes(scan(1, 1))
    console = Console()
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = console.watch(context.new_page())

    # A page asked without a session leads to the sign-in form, which comes back to it.
    page.goto(f"{base}/tai-len")
    assert page.url == f"{base}/dang-nhap?next=%2Ftai-len"
    check_page(page)
    assert page.locator("nav").count() == 0 and page.locator("#sign-out").count() == 0
    shot(page, "signin")
    _sign_in(page, "lan.nt", "không phải mật khẩu")
    assert page.inner_text("#signin-error") == REFUSED
    assert page.input_value("#username") == "lan.nt" and page.input_value("#password") == ""
    shot(page, "signin-refused")
    _sign_in(page, "lan.nt", PASSWORD)
    assert page.url == f"{base}/tai-len"
    cookie = _session_cookie(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]
    assert cookie["expires"] == -1  # a browser-session cookie: no Max-Age
    assert page.inner_text("#who-name") == "Nguyễn Thị Lan"
    assert page.locator("nav a").all_inner_texts() == ["Tải lên", "Các lô", "Chờ kiểm tra", "Tìm kiếm"]
    check_page(page)

    # Upload one scan; the worker recognises it.
    page.set_input_files("#files", [str(upload)])
    page.click("#send")
    card = page.locator(".batch").first
    deadline = time.monotonic() + 240
    while "đã xử lý xong" not in card.locator("h2").inner_text():
        assert time.monotonic() < deadline, f"batch not done: {card.inner_text()}"
        page.wait_for_timeout(200)
    assert "Sẵn sàng kiểm tra" in card.inner_text(), card.inner_text()

    # Review and confirm: the scripts send the session's CSRF token with every change.
    card.get_by_role("link", name="Kiểm tra ngay").click()
    page.wait_for_url(re.compile(r"/van-ban/\d+$"))
    doc_id = int(page.url.rsplit("/", 1)[1])
    wait_until(page, "performance.getEntriesByName('intake:rendered').length > 0")
    page.keyboard.press("Control+Enter")
    if page.locator("#confirm-all").is_visible():  # fields OCR was unsure of, accepted as read
        page.click("#confirm-all")
    page.wait_for_selector("#done-banner")
    history = page.inner_text("#history")
    assert "lan.nt" in history and "Đã xác nhận" in history
    refused = page.request.post(f"{base}/api/documents/{doc_id}/retry")  # no CSRF token
    assert refused.status == 403

    # A clerk of another unit: the document does not exist for them, page and API alike.
    other = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    stranger = console.watch(other.new_page())
    stranger.goto(f"{base}/van-ban/{doc_id}")
    _sign_in(stranger, "tai.chinh", PASSWORD)
    assert stranger.url == f"{base}/van-ban/{doc_id}"
    wait_until(stranger, "document.getElementById('doc-status').textContent.startsWith('Không')")
    assert stranger.inner_text("#doc-status") == f"Không tìm thấy văn bản số {doc_id}."
    assert stranger.request.get(f"{base}/api/documents/{doc_id}").status == 404
    check_page(stranger)
    shot(stranger, "phone-review-other-unit")
    other.close()

    # Sign out: back at the sign-in form, and the old cookie opens nothing any more.
    search = console.watch(context.new_page())  # a second tab, open before signing out
    search.goto(f"{base}/tim-kiem")
    page.click("#sign-out")
    page.wait_for_url(f"{base}/dang-nhap")
    assert not [c for c in context.cookies() if c["name"] == COOKIE]
    search.fill("#q", "nghi dinh")  # its script's next call is refused: to the sign-in form
    search.keyboard.press("Enter")
    search.wait_for_url(f"{base}/dang-nhap?next=%2Ftim-kiem%3Fq%3Dnghi%2Bdinh")  # and back
    replay = browser.new_context(locale="vi-VN")
    replay.add_cookies([cookie])
    again = replay.new_page()
    again.goto(f"{base}/hang-doi")
    assert again.url == f"{base}/dang-nhap?next=%2Fhang-doi"
    assert again.request.get(f"{base}/api/review-queue").status == 401
    replay.close()
    context.close()
    # On purpose: the refused sign-in (401), the other unit's 404, the retry without CSRF (403).
    console.check(allowed=("status of 401", "status of 404", "status of 403"))


def test_a_new_account_changes_its_password_first(settings: Settings, live_api: Any,
                                                  browser: Any) -> None:
    base = live_api(settings)
    _account(settings, "moi.vao", must_change=True)
    console = Console()
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = console.watch(context.new_page())
    page.goto(f"{base}/dang-nhap")
    _sign_in(page, "moi.vao", PASSWORD)
    assert page.url == f"{base}/doi-mat-khau"
    assert page.locator("#password-forced").is_visible()
    assert page.locator("nav").count() == 0  # nothing else to open yet
    check_page(page)
    shot(page, "phone-password-forced")
    page.goto(f"{base}/hang-doi")  # every other page leads back here
    assert page.url == f"{base}/doi-mat-khau"

    page.fill("#old-password", PASSWORD)
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#repeat-password", NEW_PASSWORD + " nữa")
    page.click("#change-password")
    page.wait_for_load_state()
    assert page.inner_text("#password-error") == "Hai lần nhập mật khẩu mới không giống nhau."
    page.fill("#old-password", PASSWORD)
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#repeat-password", NEW_PASSWORD)
    page.click("#change-password")
    page.wait_for_url(f"{base}/hang-doi")
    wait_until(page, "performance.getEntriesByName('intake:rendered').length > 0")
    assert page.locator("nav a").count() == 4
    check_page(page)
    context.close()

    fresh = browser.new_context(locale="vi-VN")
    page = console.watch(fresh.new_page())
    page.goto(f"{base}/dang-nhap")
    _sign_in(page, "moi.vao", PASSWORD)  # the one-time password is gone
    assert page.inner_text("#signin-error") == REFUSED
    _sign_in(page, "moi.vao", NEW_PASSWORD)
    assert page.url == f"{base}/hang-doi"
    fresh.close()
    console.check(allowed=("status of 422", "status of 401"))  # the refused attempts
