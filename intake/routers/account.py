"""Signing in and out, and changing one's password: the pages of a person's own account.

The session lives in the `intake_session` cookie (HttpOnly, SameSite=Strict, Path=/, Secure when
the service is reached over TLS; no Max-Age: it ends with the browser, and the server ends the
session after 30 minutes idle or 10 hours whatever happens, intake/auth/sessions.py). Every
refused sign-in gets the same Vietnamese answer (accounts.REFUSED); an address with too many
failed sign-ins is refused for a while before any password is checked (intake/auth/throttle.py).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from documents.audit import ANONYMOUS, Actor, AuditAction, record
from infra.database import session_scope
from infra.tables import Account
from intake.auth.access import COOKIE, same_origin
from intake.auth.accounts import REFUSED, authenticate, change_password, normalise_username
from intake.auth.passwords import MIN_LENGTH
from intake.auth.principal import Principal
from intake.auth.roles import Role
from intake.auth.sessions import create_session, lookup, revoke
from intake.auth.throttle import SIGNINS
from intake.deps import PasswordPage, Public, SettingsDep
from intake.render.pages import START, render
from models.errors import InvalidFieldError
from models.settings import Settings

SIGN_IN = "/dang-nhap"
SIGN_OUT = "/dang-xuat"
PASSWORD_PAGE = "/doi-mat-khau"

THROTTLED = ("Có quá nhiều lần đăng nhập không thành công từ máy này: hãy đợi 15 phút rồi thử "
             "lại, hoặc nhờ quản trị hệ thống.")
FOREIGN = "Yêu cầu đăng nhập không xuất phát từ trang này: hãy mở lại trang đăng nhập."
WRONG_OLD = ("Mật khẩu hiện tại không đúng, hoặc tài khoản đang tạm khóa do nhập sai nhiều lần. "
             "Mật khẩu chưa được đổi.")
NOT_REPEATED = "Hai lần nhập mật khẩu mới không giống nhau."
SAME_AS_OLD = "Mật khẩu mới phải khác mật khẩu hiện tại."

Field = Annotated[str, Form()]

router = APIRouter(include_in_schema=False)


def safe_next(value: str) -> str:
    """A local address to go to after signing in, or "" when `value` is not one: only a path
    starting with a single "/" (no scheme, no host, no backslash or control character), never
    the sign-in or sign-out address itself."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return ""
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return ""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path in (SIGN_IN, SIGN_OUT):
        return ""
    return value


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _secure(request: Request, settings: Settings) -> bool:
    """Whether the cookie is marked Secure: the request came over TLS, or the service's public
    address is https (behind a proxy that ends TLS)."""
    return request.url.scheme == "https" or settings.public_url.lower().startswith("https://")


def _set_session_cookie(response: Response, request: Request, settings: Settings,
                        token: str) -> None:
    response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="strict",
                        secure=_secure(request, settings))


def _page(template: str, user: Principal | None, status: int = 200, **context: object) -> HTMLResponse:
    return HTMLResponse(render(template, user=user, **context), status_code=status,
                        headers={"Cache-Control": "no-store"})


def forbidden_page(message: str) -> HTMLResponse:
    """What a person sees instead of a page their role may not open, or after a form was refused
    (no valid CSRF token): the reason in Vietnamese and the way back (403; intake/app.py)."""
    return _page("forbidden.html", None, 403, message=message)


def _signin_page(next_: str, *, error: str = "", username: str = "",
                 status: int = 200) -> HTMLResponse:
    return _page("signin.html", None, status, next=safe_next(next_), error=error,
                 username=username)


@router.get(SIGN_IN)
def signin_form(_: Public, next_: Annotated[str, Query(alias="next")] = "") -> HTMLResponse:
    """The sign-in form; `next` is where to go afterwards (a local address)."""
    return _signin_page(next_)


@router.post(SIGN_IN)
def sign_in(request: Request, _: Public, settings: SettingsDep, username: Field = "",
            password: Field = "", next_: Annotated[str, Form(alias="next")] = "") -> Response:
    """Check the username and password; on success a new session cookie and off to `next` (or
    the role's start page, or the password page when the password must be changed)."""
    typed = normalise_username(username)[:64]
    if not same_origin(request):  # login CSRF: another site signing the browser in
        return _signin_page(next_, error=FOREIGN, username=typed, status=403)
    ip = _client(request)
    with session_scope(settings.database, write=True) as session:
        if SIGNINS.blocked(ip):
            record(session, ANONYMOUS, AuditAction.SIGNIN_FAILED, ip=ip,
                   detail={"reason": "throttled", "username": typed})
            return _signin_page(next_, error=THROTTLED, username=typed, status=429)
        result = authenticate(session, username, password, ip=ip)
        if result.account is None:
            SIGNINS.failed(ip)
            return _signin_page(next_, error=REFUSED, username=typed, status=401)
        previous = lookup(session, request.cookies.get(COOKIE, ""))
        if previous is not None:  # this browser's earlier session (maybe another account's)
            revoke(session, previous, actor=Actor.of_account(previous.account))
        new = create_session(session, result.account)
        must_change = result.account.must_change_password
        role = Role(result.account.role)
    target = PASSWORD_PAGE if must_change else (safe_next(next_) or START[role])
    response = RedirectResponse(target, status_code=303)
    _set_session_cookie(response, request, settings, new.token)
    return response


@router.post(SIGN_OUT)
def sign_out(request: Request, who: PasswordPage, settings: SettingsDep) -> RedirectResponse:
    """End this session (also open before a required password change) and go to the sign-in
    page."""
    with session_scope(settings.database, write=True) as session:
        row = lookup(session, request.cookies.get(COOKIE, ""))
        if row is not None:
            revoke(session, row, actor=who.actor)
    response = RedirectResponse(SIGN_IN, status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=_secure(request, settings))
    return response


@router.get(PASSWORD_PAGE)
def password_form(who: PasswordPage) -> HTMLResponse:
    """The password change form (the only page open while the password must be changed)."""
    return _page("password.html", who, forced=who.must_change_password, error="",
                 min_length=MIN_LENGTH)


@router.post(PASSWORD_PAGE)
def password_change(request: Request, who: PasswordPage, settings: SettingsDep,
                    old_password: Field = "", new_password: Field = "",
                    repeat_password: Field = "") -> Response:
    """Change the password, proving the current one. Every session of the account ends (other
    browsers are signed out); this browser gets a new one and goes to the role's start page."""
    if new_password != repeat_password:
        error = NOT_REPEATED
    elif new_password == old_password:
        error = SAME_AS_OLD
    else:
        error, token, role = _change(settings, who, old_password, new_password, _client(request))
        if not error:
            response = RedirectResponse(START[role], status_code=303)
            _set_session_cookie(response, request, settings, token)
            return response
    return _page("password.html", who, 422, forced=who.must_change_password, error=error,
                 min_length=MIN_LENGTH)


def _change(settings: Settings, who: Principal, old: str, new: str,
            ip: str) -> tuple[str, str, Role]:
    """(why refused or "", the new session's token, the role) of a password change."""
    with session_scope(settings.database, write=True) as session:
        account = session.get(Account, who.id)
        assert account is not None  # the rule has just read it
        role = Role(account.role)
        try:
            if not change_password(session, account, old, new, ip=ip):
                return WRONG_OLD, "", role  # the failure is counted and audited: commit it
        except InvalidFieldError as exc:  # the policy (length, not the username)
            return exc.message, "", role
        return "", create_session(session, account).token, role
