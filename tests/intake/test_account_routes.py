"""Sign-in, sign-out and password change over HTTP (intake/routers/account.py), SQLite and
PostgreSQL: the cookie's attributes, where a sign-in leads, the one refusal, login CSRF, per-address
throttling, the session ending at sign-out, the forced password change, the pages' header."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from documents.audit import Actor
from infra.database import migrate, session_scope
from infra.tables import Account, AccountSession, AuditEntry
from intake.app import create_app
from intake.auth.access import COOKIE
from intake.auth.accounts import REFUSED, create_account
from intake.auth.roles import Role
from intake.auth.throttle import Throttle
from intake.routers import account as account_routes
from intake.routers.account import NOT_REPEATED, SAME_AS_OLD, THROTTLED, WRONG_OLD, safe_next
from models.settings import Settings
from tests.intake.auth.principals import unit_rows
from tests.service.conftest import database_url, make_settings, redis_url  # noqa: F401

PASSWORD = "mật-khẩu-đủ-dài-2026"
NEW_PASSWORD = "một câu dễ nhớ về văn thư"
SAME_SITE = {"Origin": "http://testserver"}


@pytest.fixture
def app_settings(tmp_path: Path, database_url: str, redis_url: str) -> Settings:  # noqa: F811
    settings = make_settings(tmp_path, database_url, redis_url)
    migrate(settings.database)
    return settings


def _account(settings: Settings, username: str, role: Role = Role.CLERK, *,
             must_change: bool = False, display_name: str = "") -> None:
    with session_scope(settings.database, write=True) as session:
        create_account(session, username=username, password=PASSWORD, role=role,
                       actor=Actor.system("test"), display_name=display_name,
                       units=unit_rows(session, ("Văn phòng",)),
                       must_change_password=must_change)


@pytest.fixture
def web(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings)) as client:
        yield client


def _sign_in(web: TestClient, username: str, password: str = PASSWORD, next_: str = "",
             **headers: str) -> object:
    return web.post("/dang-nhap", data={"username": username, "password": password,
                                        "next": next_},
                    headers={**SAME_SITE, **headers}, follow_redirects=False)


def _cookie_header(response: object) -> str:
    cookies = [c for c in response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
               if c.startswith(f"{COOKIE}=")]
    assert len(cookies) == 1, cookies
    return cookies[0]


def _csrf(page_html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', page_html)
    assert match, "no CSRF meta tag"
    return match.group(1)


def test_safe_next_keeps_only_local_paths() -> None:
    assert safe_next("/van-ban/12?tab=lich-su") == "/van-ban/12?tab=lich-su"
    for bad in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "evil",
                "/dang-xuat", "/dang-nhap?next=/x", "/x\r\nSet-Cookie: a=b", "", "/%0a" * 700):
        assert safe_next(bad) == "", bad


def test_sign_in_sets_a_strict_cookie_and_leads_to_next(app_settings: Settings,
                                                        web: TestClient) -> None:
    _account(app_settings, "lan", display_name="Nguyễn Thị Lan")
    asked = web.get("/van-ban/5?x=1", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/dang-nhap?next=%2Fvan-ban%2F5%3Fx%3D1"
    form = web.get(asked.headers["location"])
    assert form.status_code == 200 and 'name="next" value="/van-ban/5?x=1"' in form.text
    assert 'autocomplete="current-password"' in form.text and "csrf-token" not in form.text

    signed = _sign_in(web, "LAN", next_="/van-ban/5?x=1")  # the username in any case
    assert signed.status_code == 303 and signed.headers["location"] == "/van-ban/5?x=1"
    cookie = _cookie_header(signed)
    attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
    assert attributes == {"httponly", "path", "samesite"}, cookie  # no Max-Age, no Secure on http
    assert "SameSite=strict" in cookie and "Path=/" in cookie

    queue = web.get("/hang-doi")
    assert queue.status_code == 200
    header = queue.text.split("<main", 1)[0]
    assert "Nguyễn Thị Lan" in header and "Chuyên viên" in header and "Người dùng" not in header
    assert 'href="/hang-doi"' in header and 'href="/tim-kiem"' in header
    assert 'href="/bao-cao"' not in header and 'href="/quan-tri"' not in header
    assert 'action="/dang-xuat"' in header and f'value="{_csrf(queue.text)}"' in header


def test_signing_in_again_ends_the_browsers_earlier_session(app_settings: Settings,
                                                            web: TestClient) -> None:
    _account(app_settings, "lan")
    _account(app_settings, "hoa")
    first = _cookie_header(_sign_in(web, "lan")).split(";")[0]
    second = _cookie_header(_sign_in(web, "hoa")).split(";")[0]  # the client sends `first`
    web.cookies.clear()
    assert web.get("/api/review-queue", headers={"cookie": first}).status_code == 401
    assert web.get("/api/review-queue", headers={"cookie": second}).status_code == 200


def test_a_sign_in_without_next_goes_to_the_roles_start(app_settings: Settings,
                                                        web: TestClient) -> None:
    for username, role, start in (("van.thu", Role.MAILROOM, "/tai-len"),
                                  ("chuyen.vien", Role.CLERK, "/hang-doi"),
                                  ("lanh.dao", Role.MANAGER, "/bao-cao")):
        _account(app_settings, username, role)
        assert _sign_in(web, username).headers["location"] == start
        assert _sign_in(web, username, next_="//evil.example/").headers["location"] == start
    manager = web.get("/bao-cao").text.split("<main", 1)[0]  # the manager's cookie is the last
    assert "Lãnh đạo" in manager and 'href="/bao-cao"' in manager
    assert 'href="/hang-doi"' not in manager and 'href="/tai-len"' not in manager
    _sign_in(web, "chuyen.vien")
    other_role = web.get("/bao-cao")  # a page of another role: said in Vietnamese, not in JSON
    assert other_role.status_code == 403
    assert 'id="forbidden-message"' in other_role.text
    assert "Tài khoản này không có quyền" in other_role.text
    assert web.get("/api/reports").json()["error"]["code"] == "forbidden"  # the API stays JSON


def test_the_cookie_is_secure_over_tls(tmp_path: Path, database_url: str,  # noqa: F811
                                       redis_url: str) -> None:  # noqa: F811
    proxied = make_settings(tmp_path, database_url, redis_url,
                            public_url="https://van-ban.example.gov.vn")
    migrate(proxied.database)
    _account(proxied, "lan")
    with TestClient(create_app(proxied)) as web:
        assert "; Secure" in _cookie_header(_sign_in(web, "lan"))
    plain = make_settings(tmp_path, database_url, redis_url)
    with TestClient(create_app(plain), base_url="https://testserver") as web:
        signed = _sign_in(web, "lan", Origin="https://testserver")
        assert "; Secure" in _cookie_header(signed)


def test_every_refusal_says_the_same_and_sets_no_cookie(app_settings: Settings,
                                                         web: TestClient) -> None:
    _account(app_settings, "lan")
    for username, password in (("lan", "sai-mat-khau-roi"), ("khong.co", PASSWORD)):
        refused = _sign_in(web, username, password)
        assert refused.status_code == 401 and REFUSED in refused.text
        assert "set-cookie" not in refused.headers
        assert f'value="{username}"' in refused.text  # the username stays typed


def test_a_sign_in_posted_from_another_site_is_refused(app_settings: Settings,
                                                       web: TestClient) -> None:
    _account(app_settings, "lan")
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                    {"Origin": "", "Referer": "https://evil.example/page"}):
        refused = _sign_in(web, "lan", **headers)
        assert refused.status_code == 403 and "set-cookie" not in refused.headers
    with session_scope(app_settings.database) as session:
        assert session.scalar(select(func.count()).select_from(AccountSession)) == 0


def test_an_address_with_too_many_failures_is_held_off(app_settings: Settings, web: TestClient,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _account(app_settings, "lan")
    monkeypatch.setattr(account_routes, "SIGNINS", Throttle(limit=3))
    for name in ("a.b.c", "d.e.f", "g.h.i"):  # guesses spread over several usernames
        assert _sign_in(web, name, "doan-thu-mat-khau").status_code == 401
    held = _sign_in(web, "lan")  # even the right password, from this address
    assert held.status_code == 429 and THROTTLED in held.text
    assert "set-cookie" not in held.headers
    with session_scope(app_settings.database) as session:
        reasons = [e.detail.get("reason") for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "signin.failed"))]
        account = session.scalar(select(Account).where(Account.username == "lan"))
        assert account is not None and account.failed_signins == 0  # no password was checked
    assert reasons.count("throttled") == 1 and reasons.count("unknown") == 3


def test_sign_out_ends_the_session(app_settings: Settings, web: TestClient) -> None:
    _account(app_settings, "lan")
    cookie = _cookie_header(_sign_in(web, "lan")).split(";")[0]
    token = _csrf(web.get("/hang-doi").text)
    no_token = web.post("/dang-xuat", headers=SAME_SITE)
    assert no_token.status_code == 403 and "CSRF" in no_token.text  # a page says why
    out = web.post("/dang-xuat", data={"csrf_token": token}, headers=SAME_SITE,
                   follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/dang-nhap"
    assert "Max-Age=0" in _cookie_header(out)
    web.cookies.clear()
    stolen = {"cookie": cookie}  # the old cookie, replayed
    assert web.get("/api/review-queue", headers=stolen).status_code == 401
    page = web.get("/hang-doi", headers=stolen, follow_redirects=False)
    assert page.headers["location"] == "/dang-nhap?next=%2Fhang-doi"
    again = web.post("/dang-xuat", data={"csrf_token": token}, headers=stolen,
                     follow_redirects=False)  # a form sent after the session ended
    assert again.status_code == 303 and again.headers["location"] == "/dang-nhap"


def test_a_forced_password_change(app_settings: Settings, web: TestClient) -> None:
    _account(app_settings, "moi.vao", must_change=True)
    signed = _sign_in(web, "moi.vao", next_="/hang-doi")
    assert signed.headers["location"] == "/doi-mat-khau"
    old_cookie = _cookie_header(signed).split(";")[0]
    assert web.get("/hang-doi", follow_redirects=False).headers["location"] == "/doi-mat-khau"
    assert web.get("/api/review-queue").status_code == 403
    form = web.get("/doi-mat-khau")
    assert form.status_code == 200 and 'id="password-forced"' in form.text
    assert "<nav" not in form.text.split("<main", 1)[0]  # nothing else to open yet
    token = _csrf(form.text)

    def change(old: str, new: str, repeat: str) -> object:
        return web.post("/doi-mat-khau", headers=SAME_SITE, follow_redirects=False,
                        data={"csrf_token": token, "old_password": old, "new_password": new,
                              "repeat_password": repeat})

    assert NOT_REPEATED in change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x").text
    assert SAME_AS_OLD in change(PASSWORD, PASSWORD, PASSWORD).text
    assert "ít nhất 12 ký tự" in change(PASSWORD, "ngắn quá", "ngắn quá").text
    wrong = change("khong-phai-mat-khau", NEW_PASSWORD, NEW_PASSWORD)
    assert wrong.status_code == 422 and WRONG_OLD in wrong.text
    done = change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/hang-doi"
    new_cookie = _cookie_header(done).split(";")[0]
    assert new_cookie != old_cookie
    assert web.get("/hang-doi").status_code == 200  # the new session works
    web.cookies.clear()
    assert web.get("/api/review-queue", headers={"cookie": old_cookie}).status_code == 401
    with session_scope(app_settings.database) as session:
        account = session.scalar(select(Account).where(Account.username == "moi.vao"))
        assert account is not None and not account.must_change_password
    assert _sign_in(web, "moi.vao", NEW_PASSWORD).headers["location"] == "/hang-doi"
    assert _sign_in(web, "moi.vao").status_code == 401  # the old password is gone
