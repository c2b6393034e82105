"""Every route × every principal: who gets in, who is refused, who is told "not found".

`EXPECTED` names, for every route of the app, the principals its rule lets in and whether the route
reaches one document or batch (then principals of another unit are told 404, as if it did not
exist). The test fails when a route has no rule, more than one, or no row here: a new route cannot
ship without an access decision. The table it produces (route × principal → outcome) is written to
tests/artifacts/route_access.md for the issue's closing note.

Outcomes: `ok` the route ran (any answer but 401/403 and the "not found" of a hidden object —
a 409 or 422 for the test's empty body still proves the rule let it through); `401` no valid
credentials (pages: redirected to the sign-in page); `403` signed in but not allowed; `404` hidden
(another unit's document or batch).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from starlette.routing import Mount, Route

from infra.database import migrate, session_scope
from infra.storage import derived_key, open_store, original_key
from infra.tables import Account, Batch, Document, Outbox, Page, Subscription, utcnow
from intake.app import create_app
from intake.auth.access import COOKIE, CSRF_HEADER, Rule
from intake.auth.roles import Role, TokenScope
from intake.auth.sessions import create_session
from models.settings import Settings
from tests.intake.auth.principals import PASSWORD, account_headers, token_headers
from tests.service.conftest import database_url, make_settings, redis_url  # noqa: F401
from tests.service.helpers import TEST_UNIT, ready_document

OTHER_UNIT = "Phòng Tài chính"
ARTIFACT = Path(__file__).resolve().parents[1] / "artifacts" / "route_access.md"

# Principals: people (by role, in TEST_UNIT unless *_other), machines (tokens), nobody.
PEOPLE = {"mailroom": Role.MAILROOM, "clerk": Role.CLERK, "manager": Role.MANAGER,
          "administrator": Role.ADMINISTRATOR, "mailroom_other": Role.MAILROOM,
          "clerk_other": Role.CLERK}
TOKENS = {"upload": (TokenScope.UPLOAD, TEST_UNIT), "upload_other": (TokenScope.UPLOAD, OTHER_UNIT),
          "registry": (TokenScope.REGISTRY, TEST_UNIT),
          "registry_other": (TokenScope.REGISTRY, OTHER_UNIT)}
PRINCIPALS = ("anonymous", *PEOPLE, *TOKENS)

ANY_PERSON = {"mailroom", "clerk", "manager", "administrator", "mailroom_other", "clerk_other"}
UPLOADERS = {"mailroom", "clerk", "upload", "mailroom_other", "clerk_other", "upload_other"}
CLERKS = {"clerk", "clerk_other"}
FILES = CLERKS | {"registry", "registry_other"}
REGISTRY = {"registry", "registry_other"}
MANAGERS = {"manager"}
ADMINS = {"administrator"}
EVERYONE = set(PRINCIPALS)
OTHERS = {p for p in PRINCIPALS if p.endswith("_other")}  # of another unit: told "not found"
# A batch is followed by whoever uploaded it (here the mailroom account) and the clerks of its unit.
NOT_BATCH = OTHERS | {"upload"}

# (method, path) -> (who the rule lets in, whether the route reaches one document or batch: True
# when the principals of another unit are then told "not found", or the set of those who are).
EXPECTED: dict[tuple[str, str], tuple[set[str], bool | set[str]]] = {
    ("GET", "/healthz"): (EVERYONE, False),
    ("GET", "/docs"): (EVERYONE, False),
    ("GET", "/dang-nhap"): (EVERYONE, False),
    ("POST", "/dang-nhap"): (ANY_PERSON, False),  # with their password; others: 401
    ("POST", "/dang-xuat"): (ANY_PERSON, False),
    ("GET", "/doi-mat-khau"): (ANY_PERSON, False),
    ("POST", "/doi-mat-khau"): (ANY_PERSON, False),
    ("POST", "/api/batches"): (UPLOADERS, False),
    ("GET", "/api/batches"): (UPLOADERS, False),  # each sees the batches it may follow
    ("GET", "/api/batches/{batch_id}"): (UPLOADERS, NOT_BATCH),
    ("GET", "/api/batches/{batch_id}/events"): (UPLOADERS, NOT_BATCH),
    ("GET", "/api/documents"): (CLERKS, False),
    ("GET", "/api/review-queue"): (CLERKS, False),
    ("GET", "/api/documents/{doc_id}"): (CLERKS, True),
    ("PATCH", "/api/documents/{doc_id}"): (CLERKS, True),
    ("POST", "/api/documents/{doc_id}/confirm"): (CLERKS, True),
    ("POST", "/api/documents/{doc_id}/retry"): (CLERKS, True),
    ("POST", "/api/documents/{doc_id}/discard"): (CLERKS, True),
    ("POST", "/api/documents/{doc_id}/split"): (CLERKS, True),
    ("POST", "/api/documents/{doc_id}/merge"): (CLERKS, True),
    ("POST", "/api/documents/{doc_id}/pages/{index}/move"): (CLERKS, True),
    ("POST", "/api/documents/{doc_id}/pages/{index}/rotate"): (CLERKS, True),
    ("DELETE", "/api/documents/{doc_id}/pages/{index}"): (CLERKS, True),
    ("GET", "/api/documents/{doc_id}/pdf"): (FILES, True),
    ("GET", "/api/documents/{doc_id}/original"): (FILES, True),  # the registry: a whole file
    ("GET", "/api/documents/{doc_id}/pages/{index}/image"): (CLERKS, True),
    ("GET", "/api/documents/{doc_id}/edxml"): (FILES, True),
    ("GET", "/api/separator.pdf"): (UPLOADERS, False),
    ("GET", "/api/search"): (CLERKS, False),
    ("GET", "/api/registry/documents"): (REGISTRY, False),
    ("POST", "/api/registry/documents/{doc_id}/status"): (REGISTRY, True),
    ("GET", "/api/registry/restricted"): (CLERKS, False),
    ("POST", "/api/registry/subscriptions"): (ADMINS, False),
    ("GET", "/api/registry/subscriptions"): (ADMINS, False),
    ("DELETE", "/api/registry/subscriptions/{sub_id}"): (ADMINS, False),
    ("GET", "/api/registry/deliveries"): (ADMINS, False),
    ("POST", "/api/registry/deliveries/{delivery_id}/retry"): (ADMINS, False),
    ("GET", "/api/reports"): (MANAGERS, False),
    ("GET", "/api/reports/export.csv"): (MANAGERS, False),
    ("GET", "/api/reports/export.xlsx"): (MANAGERS, False),
    ("GET", "/api/reports/register.pdf"): (MANAGERS, False),
    ("GET", "/api/reports/charts/{name}.svg"): (MANAGERS, False),
    ("GET", "/api/reports/monthly.json"): (MANAGERS, False),
    ("GET", "/api/reports/monthly.pdf"): (MANAGERS, False),
    ("GET", "/api/reports/sends"): (MANAGERS, False),
    ("POST", "/api/reports/imports"): (MANAGERS, False),
    ("GET", "/api/reports/province"): (MANAGERS, False),
    ("GET", "/bao-cao"): (MANAGERS, False),
    ("GET", "/"): (ANY_PERSON, False),
    ("GET", "/tai-len"): (UPLOADERS, False),
    ("GET", "/lo-tai-len"): (UPLOADERS, False),
    ("GET", "/hang-doi"): (CLERKS, False),
    ("GET", "/van-ban/{doc_id}"): (CLERKS, True),
    ("GET", "/tim-kiem"): (CLERKS, False),
    ("GET", "/quan-tri"): (ADMINS, False),
    ("GET", "/quan-tri/tai-khoan"): (ADMINS, False),
    ("POST", "/quan-tri/tai-khoan"): (ADMINS, False),
    ("POST", "/quan-tri/tai-khoan/{account_id}"): (ADMINS, False),
    ("POST", "/quan-tri/tai-khoan/{account_id}/khoa"): (ADMINS, False),
    ("POST", "/quan-tri/tai-khoan/{account_id}/mo-khoa"): (ADMINS, False),
    ("POST", "/quan-tri/tai-khoan/{account_id}/dat-lai-mat-khau"): (ADMINS, False),
    ("POST", "/quan-tri/tai-khoan/{account_id}/ket-thuc-phien"): (ADMINS, False),
    ("GET", "/quan-tri/don-vi"): (ADMINS, False),
    ("POST", "/quan-tri/don-vi"): (ADMINS, False),
    ("GET", "/quan-tri/ma-truy-cap"): (ADMINS, False),
    ("POST", "/quan-tri/ma-truy-cap"): (ADMINS, False),
    ("POST", "/quan-tri/ma-truy-cap/{token_id}/thu-hoi"): (ADMINS, False),
    ("GET", "/quan-tri/webhook"): (ADMINS, False),
    ("POST", "/quan-tri/webhook"): (ADMINS, False),
    ("POST", "/quan-tri/webhook/{sub_id}/xoa"): (ADMINS, False),
    ("POST", "/quan-tri/webhook/lan-gui/{delivery_id}/gui-lai"): (ADMINS, False),
    ("GET", "/quan-tri/chu-ky-so"): (ADMINS, False),
    ("POST", "/quan-tri/chu-ky-so"): (ADMINS, False),
    ("POST", "/quan-tri/chu-ky-so/{cert_id}/bat-tat"): (ADMINS, False),
    ("POST", "/quan-tri/chu-ky-so/phan-cong"): (ADMINS, False),
    ("GET", "/quan-tri/cau-hinh"): (ADMINS, False),
    ("GET", "/quan-tri/nhat-ky"): (ADMINS, False),
    ("GET", "/quan-tri/nhat-ky.csv"): (ADMINS, False),
}
# FastAPI's own routes and the static files: public by nature (the schema, scripts, styles).
BUILTIN_PUBLIC = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/static",
                  "/docs/assets"}


def _routes(app: Any) -> Iterator[Any]:
    """Every route of the app, included routers unfolded."""
    stack = list(app.routes)
    while stack:
        route = stack.pop(0)
        inner = getattr(route, "original_router", None)
        if inner is not None:
            stack[:0] = list(inner.routes)
        else:
            yield route


def _rules(route: APIRoute) -> list[Rule]:
    """The access rules in a route's dependency tree."""
    found: list[Rule] = []
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Rule):
            found.append(dep.call)
        stack.extend(dep.dependencies)
    return found


def _endpoints(app: Any) -> dict[tuple[str, str], list[Rule]]:
    out: dict[tuple[str, str], list[Rule]] = {}
    for route in _routes(app):
        if isinstance(route, APIRoute):
            for method in route.methods - {"HEAD"}:
                out[(method, route.path)] = _rules(route)
        elif isinstance(route, (Route, Mount)) and route.path not in BUILTIN_PUBLIC:
            out[("?", route.path)] = []  # a bare Starlette route: it has no rule
    return out


def test_every_route_has_exactly_one_rule_and_a_row() -> None:
    """A route without a rule, with two, or missing from EXPECTED fails here."""
    endpoints = _endpoints(create_app(Settings()))
    without = sorted(k for k, rules in endpoints.items() if len(rules) != 1)
    assert not without, f"routes without exactly one access rule: {without}"
    missing = sorted(set(endpoints) - set(EXPECTED))
    assert not missing, f"routes with no row in EXPECTED (decide who may call them): {missing}"
    stale = sorted(set(EXPECTED) - set(endpoints))
    assert not stale, f"rows of EXPECTED for routes that no longer exist: {stale}"


# --- calling every route as every principal -----------------------------------------------------

def _pdf(pages: int, mark: bytes) -> bytes:
    """A small real PDF of blank A4 pages (`mark` makes its hash its own)."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Subject"] = mark.decode()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _seed(settings: Settings) -> dict[str, Any]:
    """Credentials of every principal and one object of each kind, in TEST_UNIT."""
    migrate(settings.database)
    creds: dict[str, dict[str, str]] = {"anonymous": {}}
    for name, role in PEOPLE.items():
        unit = OTHER_UNIT if name.endswith("_other") else TEST_UNIT
        creds[name] = account_headers(settings, name.replace("_", "."), role,
                                      () if role is Role.ADMINISTRATOR else (unit,))
    for name, (scope, unit) in TOKENS.items():
        creds[name] = token_headers(settings, name, scope, unit)
    doc_id = ready_document(settings, {"number": "87/QĐ-UBND", "type_name": "Quyết định",
                                       "subject": "Về việc thử quyền truy cập"})
    store = open_store(settings)
    with session_scope(settings.database, write=True) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        pdf = store.put_stream([_pdf(2, b"pdf/a")])
        doc.pdf_key = pdf.key
        for index in range(2):
            image = derived_key("documents", doc_id, f"page-{index}.jpg")
            src = settings.data_dir / f"page-{index}.jpg"
            src.parent.mkdir(parents=True, exist_ok=True)
            Image.new("L", (210, 297), 255).save(src, "JPEG")
            store.put_file(image, src)
            session.add(Page(document_id=doc_id, index=index, status="done", image_key=image))
        doc.pages_total = 2
        original = store.put_stream([_pdf(2, doc.sha256.encode())])
        doc.sha256 = original.sha256
        batch = session.get(Batch, doc.batch_id)
        assert batch is not None
        batch.created_by = "user:mailroom"  # the mailroom account uploaded it
        batch.planned_at = utcnow()  # split into its documents: the live stream ends at once
        sub = Subscription(url="https://qlvb.example.gov.vn/hook", secret="s")
        session.add(sub)
        session.flush()
        session.add(Outbox(subscription_id=sub.id, document_id=doc_id, delivery_seq=1,
                           state="parked"))
        session.flush()
        delivery_id = session.scalar(select(Outbox.id))
        sub_id = sub.id
        batch_id = batch.id
    assert store.exists(original_key(original.sha256))
    return {"creds": creds, "doc_id": doc_id, "batch_id": batch_id, "sub_id": sub_id,
            "delivery_id": delivery_id}


def _outcome(response: Any, hidden: set[str]) -> str:
    status = response.status_code
    location = response.headers.get("location", "")
    if status == 303 and location.startswith("/dang-nhap"):
        # a page asked, or a form sent, without a session goes to the sign-in page; signing out
        # ends there too, with a session
        signed_out = response.request.url.path == "/dang-xuat" and not location.count("?")
        return "ok" if signed_out and "cookie" in response.request.headers else "401"
    if status in (401, 403):
        return str(status)
    if status == 404 and response.headers.get("content-type", "").startswith("text/html"):
        return "404"  # a page of a document one may not see
    if status == 404:
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = ""
        if message in hidden:
            return "404"
    return "ok"


def _body(method: str, path: str, principal: str, doc_id: int) -> dict[str, Any]:
    """A body that gets past validation (so the route's own checks run) without changing much:
    the allowed principal then meets a 409 or a harmless change."""
    if path == "/dang-nhap" and method == "POST":
        return {"data": {"username": principal.replace("_", "."), "password": PASSWORD}}
    if path in ("/dang-xuat", "/doi-mat-khau"):
        return {"data": {}}
    special = {"/api/batches": {}, "/api/documents/{doc_id}/split": {"json": {"at": 99}},
               "/api/documents/{doc_id}/merge": {"json": {"other": doc_id}},
               "/api/documents/{doc_id}/pages/{index}/rotate": {"json": {"degrees": 45}},
               "/api/documents/{doc_id}/pages/{index}/move": {"json": {"to": 99}},
               "/api/registry/documents/{doc_id}/status": {"json": {"code": "01"}}}
    if path in special:
        return special[path]
    return {"json": {}} if method in ("POST", "PATCH") else {}


def _expected(principal: str, allowed: set[str], scoped: bool | set[str],
              route: tuple[str, str]) -> str:
    if principal in allowed:
        hidden = scoped if isinstance(scoped, set) else OTHERS if scoped else set()
        return "404" if principal in hidden else "ok"
    if principal == "anonymous" or route == ("POST", "/dang-nhap"):
        return "401"
    return "403"


@pytest.fixture
def seeded(tmp_path: Path, database_url: str, redis_url: str) -> Iterator[tuple[Settings, Any]]:  # noqa: F811
    settings = make_settings(tmp_path, database_url, redis_url)
    yield settings, _seed(settings)


def _new_session(settings: Settings, headers: dict[str, str]) -> dict[str, str]:
    """The account's headers with a session of its own for one call."""
    token = headers.get("cookie", "").removeprefix(f"{COOKIE}=")
    if not token:
        return headers
    from infra.tables import AccountSession
    from intake.auth.digest import token_hash

    with session_scope(settings.database, write=True) as session:
        row = session.get(AccountSession, token_hash(token))
        assert row is not None
        account = session.get(Account, row.account_id)
        assert account is not None
        new = create_session(session, account)
        return {"cookie": f"{COOKIE}={new.token}", CSRF_HEADER: new.csrf_token}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the rules, not the SQL
def test_route_by_principal_table(seeded: tuple[Settings, dict[str, Any]]) -> None:
    """Call every route as every principal; compare with EXPECTED; write the table."""
    settings, seed = seeded
    app = create_app(settings)
    values = {"doc_id": seed["doc_id"], "batch_id": seed["batch_id"], "index": 0,
              "sub_id": seed["sub_id"], "delivery_id": seed["delivery_id"], "name": "volume",
              # no such account or token: the administrators' actions refuse, nobody is changed
              "account_id": 999_999, "token_id": 999_999, "cert_id": 999_999}
    hidden = {f"document {seed['doc_id']} not found", f"batch {seed['batch_id']} not found"}
    rows: list[tuple[str, dict[str, str]]] = []
    wrong: list[str] = []
    with TestClient(app, follow_redirects=False) as client:
        # Routes that change or remove what others read run last.
        order = sorted(EXPECTED, key=lambda k: (k[0] == "DELETE", "confirm" in k[1], k))
        for method, path in order:
            allowed, scoped = EXPECTED[(method, path)]
            url = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
            if path == "/api/search":
                url += "?q=87"
            got: dict[str, str] = {}
            for principal in PRINCIPALS:
                headers = _new_session(settings, seed["creds"][principal])
                body = _body(method, path, principal, seed["doc_id"])
                client.cookies.clear()  # a sign-in above must not sign this call
                response = client.request(method, url, headers=headers, **body)
                got[principal] = _outcome(response, hidden)
                want = _expected(principal, allowed, scoped, (method, path))
                if got[principal] != want:
                    wrong.append(f"{method} {path} as {principal}: {got[principal]} "
                                 f"(HTTP {response.status_code} {response.text[:160]!r}), "
                                 f"expected {want}")
            rows.append((f"{method} {path}", got))
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    head = "| route | " + " | ".join(PRINCIPALS) + " |\n|---|" + "---|" * len(PRINCIPALS) + "\n"
    ARTIFACT.write_text(head + "".join(
        f"| `{route}` | " + " | ".join(got[p] for p in PRINCIPALS) + " |\n"
        for route, got in sorted(rows)), encoding="utf-8")
    assert not wrong, "\n".join(wrong)


def test_lists_show_only_the_units_documents(seeded: tuple[Settings, dict[str, Any]]) -> None:
    """A clerk of another unit gets the lists, without the document of this unit in them."""
    settings, seed = seeded
    doc_id = seed["doc_id"]
    with TestClient(create_app(settings)) as client:
        for url in ("/api/documents", "/api/review-queue", "/api/search?q=quyền"):
            for principal, present in (("clerk", True), ("clerk_other", False)):
                response = client.get(url, headers=seed["creds"][principal])
                assert response.status_code == 200, (url, principal, response.text)
                ids = [item["id"] for item in response.json()["items"]]
                assert (doc_id in ids) is present, (url, principal, ids)
