"""The one access decision of a route: who asks (session cookie or API token) and whether they may.

Every route names exactly one `Rule` among its parameters (through the aliases in `intake.deps`);
`tests/intake/test_route_access.py` fails on a route without one and calls every route with every
role. A rule:

1. finds the credentials: `Authorization: Bearer itk_…` (machines), else the session cookie
   (people); none → 401 (pages: to the sign-in page);
2. for a cookie and a state-changing method, checks CSRF: the `Origin` (or `Referer`) when the
   browser sends one must be this site, and the session's token must come in the `X-CSRF-Token`
   header or the `csrf_token` form field → 403 otherwise;
3. refuses a person who must change their password anywhere but the password page (403; pages:
   to that page), and a role or token scope the rule does not name (403).

Which documents, batches and units the principal then sees is decided per object by the routes'
services (`intake.services.access`, `documents.visibility`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from infra.database import session_scope
from infra.tables import AccountSession, utcnow
from intake.auth.digest import token_hash
from intake.auth.principal import Principal
from intake.auth.roles import Role, TokenScope
from intake.auth.sessions import check_csrf, csrf_token, is_live, lookup, needs_write
from intake.auth.tokens import check_token, find_token, token_reason, use_due
from models.errors import AuthenticationError, ForbiddenError
from models.settings import Settings

COOKIE = "intake_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PASSWORD_CHANGE = "password_change"  # ForbiddenError.details["reason"] sending pages there


@dataclass(frozen=True)
class _Outcome:
    principal: Principal | None
    error: str | None = None  # unauthenticated | forbidden
    message: str = ""
    reason: str = ""


class Rule:
    """Who may call a route: the roles of people, the scopes of tokens, or everyone (`public`).

    Used as a FastAPI dependency; answers the `Principal` (None on a public route)."""

    def __init__(self, name: str, *, roles: Iterable[Role] = (),
                 scopes: Iterable[TokenScope] = (), public: bool = False,
                 password_change: bool = False) -> None:
        self.name = name
        self.roles = frozenset(roles)
        self.scopes = frozenset(scopes)
        self.public = public
        self.password_change = password_change  # the one page open before a password change

    def __repr__(self) -> str:
        return f"Rule({self.name})"

    async def __call__(self, request: Request) -> Principal | None:
        if self.public:
            return None
        submitted = request.headers.get(CSRF_HEADER, "")
        if (request.method not in SAFE_METHODS and not submitted
                and "authorization" not in request.headers
                and request.headers.get("content-type", "").startswith(
                    ("application/x-www-form-urlencoded", "multipart/form-data"))):
            form = await request.form()  # cached: the route's own form fields read it again
            value = form.get(CSRF_FIELD)
            submitted = value if isinstance(value, str) else ""
        outcome = await run_in_threadpool(self._decide, request, submitted)
        if outcome.error == "unauthenticated":
            raise AuthenticationError(outcome.message)
        if outcome.error == "forbidden":
            details = {"reason": outcome.reason} if outcome.reason else {}
            raise ForbiddenError(outcome.message, **details)
        request.state.principal = outcome.principal
        return outcome.principal

    def _decide(self, request: Request, submitted_csrf: str) -> _Outcome:
        """Read the credentials without the database's write lock (on SQLite one writer at a
        time: the workers' writes must not hold up every page and list); write only when a
        token's use is due to be recorded, a token is refused, or a session is due its
        last-seen touch or idle end."""
        settings: Settings = request.app.state.settings
        ip = request.client.host if request.client else None
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        bearer = bearer.strip()
        now = utcnow()
        if scheme and (scheme.lower() != "bearer" or not bearer):
            return _Outcome(None, "unauthenticated", "Cần mã truy cập dạng Bearer.")
        cookie = "" if scheme else request.cookies.get(COOKIE, "")
        principal: Principal | None = None
        csrf_ok = True
        with session_scope(settings.database) as session:
            if scheme:
                token_row = find_token(session, bearer)
                reason = token_reason(token_row, self.scopes, now)
                due = reason != "ok" or (token_row is not None and use_due(token_row, now))
                if reason == "ok" and token_row is not None:
                    principal = Principal.of_token(token_row)
            else:
                row = session.get(AccountSession, token_hash(cookie)) if cookie else None
                due = row is not None and needs_write(row, now)
                if row is not None and is_live(row, now):
                    principal = Principal.of_account(row.account, csrf_token(cookie, row))
                    if request.method not in SAFE_METHODS:
                        csrf_ok = same_origin(request) and check_csrf(cookie, row, submitted_csrf)
        if due:
            with session_scope(settings.database, write=True) as session:
                if scheme:
                    check_token(session, bearer, self.scopes, ip=ip, now=now)
                else:
                    lookup(session, cookie, now=now)
        if scheme and principal is None:
            if reason == "scope":
                return _Outcome(None, "forbidden",
                                "Mã truy cập này không được dùng cho chức năng này.")
            return _Outcome(None, "unauthenticated",
                            "Mã truy cập không đúng, đã thu hồi hoặc đã hết hạn.")
        if principal is None:
            return _Outcome(None, "unauthenticated",
                            "Chưa đăng nhập hoặc phiên làm việc đã kết thúc.")
        if not csrf_ok:
            return _Outcome(None, "forbidden",
                            "Yêu cầu không kèm mã chống giả mạo (CSRF) hợp lệ; hãy tải lại "
                            "trang.", reason="csrf")
        if principal.must_change_password and not self.password_change:
            return _Outcome(None, "forbidden", "Cần đổi mật khẩu trước khi làm việc.",
                            reason=PASSWORD_CHANGE)
        if principal.kind == "account" and principal.role not in self.roles:
            return _Outcome(None, "forbidden", "Tài khoản này không có quyền làm việc này.")
        return _Outcome(principal)


def same_origin(request: Request) -> bool:
    """The browser's `Origin` (else `Referer`), when it sends one, names this site."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return True  # not a browser, or one that sends neither: the CSRF token still decides
    if source == "null":
        return False
    return urlsplit(source).netloc.lower() == request.headers.get("host", "").lower()
