"""Any browser, proven (issue 16): the review loop — open the queue, open the document, correct a
field with the keyboard, confirm — in Firefox ESR (WebDriver BiDi) and WebKitGTK (classic
WebDriver), Debian's own packages (`firefox-esr`, `webkit2gtk-driver`; Chromium is the rest of
tests/web through Playwright). One test, both engines, the API's state checked after each.

SQLite only, like the other page tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.database import dispose_engines
from intake.auth.access import COOKIE
from intake.auth.roles import Role
from models.settings import Settings
from tests.intake.auth.principals import account_headers
from tests.service.helpers import TEST_UNIT, client, ready_document
from tests.web.conftest import CLERK
from tests.web.webdriver import (
    FIREFOX,
    WEBKIT_DRIVER,
    XVFB,
    FirefoxBiDi,
    WebKitClassic,
    minibrowser,
)

pytestmark = [pytest.mark.browser]

META = {"number": "81/QĐ-UBND", "code_number": "81", "code_notation": "QĐ-UBND",
        "issued_date": "2026-03-02", "organ_name": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
        "type_name": "QUYẾT ĐỊNH", "subject": "Về việc phê duyệt kế hoạch", "urgency": None}


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'intake.db'}"
    dispose_engines()


def _wait(browser: Any, expression: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not browser.eval(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"{browser.name}: still false after {timeout} s: {expression}")
        time.sleep(0.1)


def test_review_loop_in_firefox_esr_and_webkitgtk(
    settings: Settings, live_api: Any, tmp_path: Path
) -> None:
    missing = [p for p in (FIREFOX, WEBKIT_DRIVER, XVFB) if not Path(p).exists()]
    if missing or minibrowser() is None:
        pytest.skip(f"apt-get install firefox-esr webkit2gtk-driver xvfb (missing: {missing})")
    docs = {engine: ready_document(settings, META, uncertain=("number",))
            for engine in (FirefoxBiDi, WebKitClassic)}
    base = live_api(settings)
    token = account_headers(settings, CLERK, Role.CLERK, (TEST_UNIT,), False)["cookie"]
    token = token.split("=", 1)[1]
    for engine, doc in docs.items():
        browser = engine(tmp_path)
        try:
            browser.cookie(base, COOKIE, token)
            browser.goto(f"{base}/hang-doi")
            _wait(browser, "performance.getEntriesByName('intake:rendered').length > 0")
            link = f"document.querySelector('#queue a[href=\"/van-ban/{doc}\"]')"
            assert browser.eval(f"{link} !== null"), browser.name
            browser.eval(f"{link}.click(), true")
            _wait(browser, f"location.pathname === '/van-ban/{doc}' && "
                           "performance.getEntriesByName('intake:rendered').length > 0")
            assert browser.eval("document.activeElement.id") == "f-number", browser.name
            browser.press("Control+a", "87/QĐ-UBND", "Enter")
            _wait(browser, "document.activeElement.id === 'confirm'")
            assert browser.eval("document.getElementById('f-number').value") == "87/QĐ-UBND"
            browser.press("Enter")
            _wait(browser, "document.getElementById('done-banner') !== null")
        finally:
            browser.close()
        with client(settings) as api:
            state = api.get(f"/api/documents/{doc}").json()
        assert state["status"] == "confirmed", browser.name
        assert state["metadata"]["number"] == "87/QĐ-UBND", browser.name
        assert state["fields"]["number"]["corrected_by"] == f"user:{CLERK}", browser.name
