"""Fixtures of the web page tests: the real API in its own process, Debian's Chromium driven by
Playwright (never `playwright install`), browser contexts signed in as a clerk (a real session's
cookie), console errors collected, screenshots kept."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from intake.auth.access import COOKIE
from intake.auth.roles import Role
from models.settings import Settings
from tests.intake.auth.principals import account_headers
from tests.service.conftest import (  # noqa: F401 - fixtures used by these tests
    ROOT,
    database_url,
    redis_url,
    settings,
    settings_env,
    start_worker,
)
from tests.service.helpers import TEST_UNIT

CHROMIUM = os.environ.get("INTAKE_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
CLERK = "chuyen.vien"  # the clerk the pages are used as, in unit TEST_UNIT


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian (apt-get install chromium), one per test module: Playwright's
    sync API keeps an event loop running in the main thread while it is open, so a session-wide
    browser would break every later test that runs asyncio itself (and a second module that
    imports this fixture)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extras)")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_api(tmp_path: Path) -> Iterator[Callable[[Settings], str]]:
    """Start the API (uvicorn, as `make run` does) with a test's settings; yields its base URL."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(config: Settings) -> str:
        port = _free_port()
        log = (tmp_path / "api.log").open("ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "intake.app:app", "--host", "127.0.0.1", "--port",
             str(port), "--log-level", "warning"],
            cwd=ROOT, env=settings_env(config), stdout=log, stderr=subprocess.STDOUT,
        )
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    return base
            except urllib.error.HTTPError:  # it answers (503: a tool is missing): it is up
                return base
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log_text = (tmp_path / "api.log").read_text()
                    raise RuntimeError(f"the API did not start: {log_text}") from None
                time.sleep(0.1)

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def signed_in(browser: Any, settings: Settings) -> Iterator[Callable[..., Any]]:  # noqa: F811
    """`signed_in(base, viewport=..., ...)`: a new browser context holding the session cookie of
    an account (the clerk CLERK of TEST_UNIT unless `username`, `role`, `units`, `clearance` say
    otherwise; created with them when missing), as the sign-in form would have set it. Closed at
    the end."""
    contexts: list[Any] = []

    def new_context(base: str, *, username: str = CLERK, role: Role = Role.CLERK,
                    units: tuple[str, ...] = (TEST_UNIT,), clearance: bool = False,
                    **options: Any) -> Any:
        headers = account_headers(settings, username, role, units, clearance)
        token = headers["cookie"].split("=", 1)[1]
        context = browser.new_context(locale="vi-VN", **options)
        context.add_cookies([{"name": COOKIE, "value": token, "url": base, "httpOnly": True,
                              "sameSite": "Strict"}])
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        context.close()


def wait_until(page: Any, expression: str, arg: Any = None, timeout: float = 60.0) -> None:
    """Wait until `expression` (or the function `expression` called with `arg`) is true in the
    page. Playwright's own wait_for_function evaluates its text with eval() inside the page, which
    the service's Content-Security-Policy forbids (no 'unsafe-eval'); page.evaluate is not run by
    the page's scripts and is allowed, so the pages are tested under their real policy."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        assert time.monotonic() < deadline, f"still false after {timeout:.0f} s: {expression}"
        page.wait_for_timeout(50)


class Console:
    """Every console error, uncaught exception and failed request of a page."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: Any) -> Any:
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(
            f"request failed: {r.url} {r.failure}") if "/events" not in r.url else None)
        return page

    def check(self, allowed: tuple[str, ...] = ()) -> None:
        bad = [e for e in self.errors if not any(a in e for a in allowed)]
        assert not bad, "console errors:\n" + "\n".join(bad)


def shot(page: Any, name: str, full: bool = True) -> Path:
    """Keep a screenshot as a test artefact (tests/artifacts/screenshots/, gitignored)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    return path


# Controls without a name (label, aria-label, text) and horizontal overflow, in the page itself.
A11Y = """() => {
  const unnamed = [];
  for (const el of document.querySelectorAll("input, select, textarea, button, a[href]")) {
    if (el.type === "hidden" || el.closest("[hidden]")) continue;
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label")
      || el.getAttribute("aria-labelledby") || (el.textContent || "").trim() || el.title;
    if (!named) unnamed.push(el.outerHTML.slice(0, 120));
  }
  return {lang: document.documentElement.lang, unnamed,
          overflow: document.documentElement.scrollWidth - window.innerWidth};
}"""


def check_page(page: Any) -> None:
    """lang="vi", a name on every control, no horizontal scrolling."""
    facts = page.evaluate(A11Y)
    assert facts["lang"] == "vi"
    assert not facts["unnamed"], facts["unnamed"]
    assert facts["overflow"] <= 1, f"page wider than the viewport by {facts['overflow']} px"
