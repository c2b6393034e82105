"""The administrators' pages in a real browser against the real service (issue 13): an administrator
(session cookie injected) adds a unit, creates a clerk whose one-time password is shown once and
works at the sign-in form, creates an upload token shown once that the API accepts until it is
revoked, disables the clerk, and finds all of it in the audit log and its CSV export. The pages
run under the service's CSP (no inline script or style): any violation is a console error.

SQLite only, as the other browser tests."""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.database import dispose_engines
from intake.auth.roles import Role
from models.settings import Settings
from tests.web.conftest import DESKTOP, PHONE, Console, check_page, shot

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.slow]

UNIT = "Phòng Hành chính"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite only (see the module's docstring)."""
    yield f"sqlite:///{tmp_path / 'intake.db'}"
    dispose_engines()


def _submit(page: Any, button: str) -> str:
    """Press a form's button, wait for the page it redirects to; the message shown."""
    with page.expect_navigation():
        page.click(button)
    assert "?thong-bao=" in page.url
    return str(page.inner_text("#flash p >> nth=0"))


def _status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_administrator_manages_accounts_tokens_and_reads_the_audit_log(
    settings: Settings, live_api: Any, signed_in: Any, browser: Any
) -> None:
    base = live_api(settings)
    console = Console()
    context = signed_in(base, username="quan.tri", role=Role.ADMINISTRATOR, units=(),
                        viewport=DESKTOP, accept_downloads=True)
    page = console.watch(context.new_page())

    page.goto(f"{base}/")
    assert page.url == f"{base}/quan-tri"  # the administrator's start page
    check_page(page)
    assert page.inner_text("h1") == "Quản trị hệ thống"
    shot(page, "admin-overview")

    # A unit, then a clerk in it with the secret clearance.
    page.click("nav.admin-menu >> text=Đơn vị")
    page.fill("#u-code", UNIT)
    page.fill("#u-name", "Phòng Hành chính - Tổng hợp")
    assert _submit(page, "form[action='/quan-tri/don-vi'] button") == f"Đã thêm đơn vị «{UNIT}»."
    assert "Phòng Hành chính - Tổng hợp" in page.inner_text("#units")

    page.click("nav.admin-menu >> text=Tài khoản")
    check_page(page)
    page.fill("#n-username", "tran.thi.hoa")
    page.fill("#n-display", "Trần Thị Hoa")
    page.select_option("#n-role", "clerk")
    page.check("#n-unit-1")
    page.check("#n-clearance")
    assert _submit(page, "form[action='/quan-tri/tai-khoan'] button") == "Đã tạo tài khoản «tran.thi.hoa»."
    password = page.input_value("#secret")
    assert len(password) == 19  # four groups of four
    row = page.locator("#account-tran\\.thi\\.hoa")
    assert "Chuyên viên" in row.inner_text() and UNIT in row.inner_text()
    assert "Chờ đổi mật khẩu" in row.inner_text()
    shot(page, "admin-account-created")
    page.reload()  # shown once
    assert page.locator("#secret").count() == 0 and password not in page.content()

    # The one-time password works at the real sign-in form and asks for a new password.
    clerk_context = browser.new_context(locale="vi-VN")
    clerk = console.watch(clerk_context.new_page())
    clerk.goto(f"{base}/dang-nhap")
    clerk.fill("#username", "tran.thi.hoa")
    clerk.fill("#password", password)
    with clerk.expect_navigation():
        clerk.click("#signin")
    assert clerk.url.startswith(f"{base}/doi-mat-khau")
    clerk_context.close()

    # An upload token for the unit: shown once, accepted by the API, refused once revoked.
    page.click("nav.admin-menu >> text=Mã truy cập")
    check_page(page)
    page.fill("#t-name", "Máy quét tầng 1")
    page.select_option("#t-scope", "upload")
    page.select_option("#t-unit", UNIT)
    page.fill("#t-days", "90")
    assert _submit(page, "form[action='/quan-tri/ma-truy-cap'] button").startswith(
        "Đã tạo mã truy cập «Máy quét tầng 1»")
    token = page.input_value("#secret")
    assert token.startswith("itk_") and token[:12] in page.inner_text("#tokens")
    assert _status(f"{base}/api/separator.pdf", token) == 200
    page.reload()
    assert "Chưa dùng" not in page.inner_text("#tokens") and token not in page.content()
    shot(page, "admin-tokens")
    assert _submit(page, "button:has-text('Thu hồi «Máy quét tầng 1»')").startswith("Đã thu hồi")
    assert _status(f"{base}/api/separator.pdf", token) == 401

    # Edit the clerk in its row: a manager of the same unit, without the clearance.
    page.click("nav.admin-menu >> text=Tài khoản")
    page.click("#account-tran\\.thi\\.hoa summary")
    edit = page.locator("#account-tran\\.thi\\.hoa details form")
    edit.locator("select[name=role]").select_option("manager")
    edit.locator("input[name=clearance]").uncheck()
    shot(page, "admin-account-edit")
    assert _submit(page, "button:has-text('Lưu «tran.thi.hoa»')") == "Đã lưu tài khoản «tran.thi.hoa»."
    assert "Lãnh đạo" in page.inner_text("#account-tran\\.thi\\.hoa")

    # Disable the clerk: the row says so, the button now enables.
    message = _submit(page, "button:has-text('Khóa «tran.thi.hoa»')")
    assert message.startswith("Đã khóa tài khoản «tran.thi.hoa»")
    assert "Đã khóa" in page.inner_text("#account-tran\\.thi\\.hoa .state")
    assert page.locator("button:has-text('Mở khóa «tran.thi.hoa»')").count() == 1

    # Settings: read-only, the database URL in use shown.
    page.click("nav.admin-menu >> text=Cấu hình")
    assert "INTAKE_WEBHOOK_ALLOWED_HOSTS" in page.inner_text("#settings")
    shot(page, "admin-settings", full=False)

    # The audit log: filter by action and actor, then the CSV of that filter.
    with page.expect_navigation():
        page.click("nav.admin-menu >> text=Nhật ký")
    check_page(page)
    page.select_option("#l-action", "account.disabled")
    page.fill("#l-actor", "quan.tri")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    assert "1 mục" in page.inner_text("#audit-summary")
    assert "Khóa tài khoản" in page.inner_text("#audit")
    shot(page, "admin-audit")
    with page.expect_download() as event:
        page.click("#export")
    content = Path(event.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert [r[3] for r in rows[1:]] == ["account.disabled"] and rows[1][5] == "quan.tri"
    page.goto(f"{base}/quan-tri/nhat-ky?action=audit.exported")
    assert "1 mục" in page.inner_text("#audit-summary")

    # On a phone: no sideways scrolling of the page (wide tables scroll in their own box).
    phone = console.watch(signed_in(base, username="quan.tri", role=Role.ADMINISTRATOR, units=(),
                                    viewport=PHONE).new_page())
    for path in ("/quan-tri", "/quan-tri/tai-khoan", "/quan-tri/nhat-ky"):
        phone.goto(f"{base}{path}")
        check_page(phone)
    shot(phone, "admin-accounts-phone")
    console.check()
