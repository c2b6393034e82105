"""Every answer carries the security headers; only versioned assets may be cached; the API docs
page loads nothing from another site and runs no inline code (intake/middleware/headers.py,
intake/routers/api_docs.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from intake.app import create_app
from intake.middleware.headers import CONTENT_SECURITY_POLICY
from models.settings import Settings
from tests.service.conftest import database_url, redis_url, settings  # noqa: F401 - fixtures
from tests.service.helpers import client, ready_document
from tests.web.conftest import browser, live_api, signed_in  # noqa: F401 - fixtures

WEB = Path(__file__).resolve().parents[2] / "intake" / "web"


def _secure(answer: object) -> None:
    headers = answer.headers  # type: ignore[attr-defined]
    csp = headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'",
                      "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"


@pytest.mark.redis
def test_json_documents_images_pages_and_errors_are_never_stored(
        settings: Settings,  # noqa: F811 - the fixture
) -> None:
    doc_id = ready_document(settings, {"subject": "Về việc thử"})
    with client(settings) as api:
        answers = {
            "json": api.get(f"/api/documents/{doc_id}"),
            "list": api.get("/api/documents"),
            "pdf": api.get("/api/separator.pdf"),
            "missing page image": api.get(f"/api/documents/{doc_id}/pages/0/image"),
            "unknown": api.get("/api/nothing-here"),
            "unauthenticated": TestClient(api.app).get("/api/documents"),
            "page": api.get("/tim-kiem"),
            "docs": api.get("/docs"),
            "openapi": api.get("/openapi.json"),
        }
    assert answers["json"].status_code == 200
    assert answers["pdf"].headers["content-type"] == "application/pdf"
    assert answers["unauthenticated"].status_code == 401
    for name, answer in answers.items():
        _secure(answer)
        assert answer.headers["cache-control"] == "no-store", name


def test_versioned_assets_keep_their_long_cache() -> None:
    api = TestClient(create_app())
    versioned = api.get("/static/app.css?v=1")
    assert versioned.status_code == 200
    _secure(versioned)
    assert "max-age=31536000" in versioned.headers["cache-control"]
    swagger = api.get("/docs/assets/swagger-ui-bundle.js")
    assert swagger.status_code == 200 and "no-store" not in swagger.headers.get("cache-control", "")


def test_wrong_methods_name_the_allowed_ones() -> None:
    answer = TestClient(create_app()).put("/api/batches")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.json()["error"]["code"] == "method_not_allowed"
    _secure(answer)


class _Page(HTMLParser):
    """What a page loads and whether it holds inline code or style."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.inline: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.sources += [v for k, v in attrs if k in ("src", "href") and v]
        self.inline += [f"{tag} {k}=" for k, _ in attrs if k == "style" or k.startswith("on")]
        if tag == "style":
            self.inline.append("<style>")
        self._script = tag == "script" and not values.get("src") \
            and values.get("type") != "application/json"

    def handle_data(self, data: str) -> None:
        if self._script and data.strip():
            self.inline.append(f"<script>{data[:40]}")

    def handle_endtag(self, tag: str) -> None:
        self._script = False


def test_the_api_docs_page_loads_only_this_service_and_runs_no_inline_code() -> None:
    api = TestClient(create_app())
    page = api.get("/docs")
    assert page.status_code == 200
    parsed = _Page()
    parsed.feed(page.text)
    assert parsed.inline == []
    scripts = [s for s in parsed.sources if s.endswith(".js") or ".js?" in s]
    assert any("swagger-ui-bundle.js" in s for s in scripts)
    for source in parsed.sources:
        assert source.startswith("/") or source == "data:,", source  # nothing from another site
        if source.startswith("/"):
            assert api.get(source).status_code == 200, source
    init = api.get(next(s for s in scripts if "api-docs.js" in s)).text
    assert "SwaggerUIBundle" in init and "validatorUrl: null" in init
    assert api.get("/redoc").status_code == 404  # FastAPI's CDN pages are off
    assert api.get("/openapi.json").json()["openapi"].startswith("3.")


def test_templates_hold_no_inline_script_or_style() -> None:
    problems = []
    for template in sorted((WEB / "templates").glob("*.html")):
        source = re.sub(r"{#.*?#}", "", template.read_text(), flags=re.S)  # Jinja comments
        parsed = _Page()
        parsed.feed(source)
        problems += [f"{template.name}: {what}" for what in parsed.inline]
    assert problems == []


# --- in a browser: nothing the pages or the API docs do is blocked by the policy -----------------

REPORT = ("document.addEventListener('securitypolicyviolation', e => console.error("
          "'CSP-VIOLATION ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile));")


@pytest.mark.browser
def test_pages_and_the_api_docs_run_under_the_policy(
        settings: Settings, live_api: Any, signed_in: Any,  # noqa: F811 - fixtures
) -> None:
    doc_id = ready_document(settings, {"subject": "Về việc thử", "organ": "UBND tỉnh"})
    base = live_api(settings)
    context = signed_in(base)  # a clerk: the pages with scripts
    context.add_init_script(REPORT)
    blocked: list[str] = []
    for path in ("/docs", "/hang-doi", "/tai-len", "/tim-kiem", f"/van-ban/{doc_id}"):
        page = context.new_page()
        page.on("console", lambda m, path=path: blocked.append(f"{path}: {m.text}")
                if "CSP-VIOLATION" in m.text or "Content Security Policy" in m.text else None)
        assert page.goto(base + path, wait_until="networkidle").status == 200
        if path == "/docs":
            page.wait_for_selector(".opblock")
            assert page.locator(".opblock").count() > 20  # Swagger UI drew every operation
        page.close()
    assert blocked == []
    # The report works: an inline style is blocked and reported.
    page = context.new_page()
    page.goto(base + "/tim-kiem", wait_until="networkidle")
    with page.expect_console_message(lambda m: "CSP-VIOLATION" in m.text) as message:
        page.evaluate("document.body.setAttribute('style', 'color: red')")
    assert "style-src-attr" in message.value.text
    page.close()
