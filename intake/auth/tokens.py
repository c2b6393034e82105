"""API tokens for machines: random, shown once, stored as SHA-256, scoped, expiring, revocable.

A token reads `itk_` + 43 URL-safe characters (256 random bits). Its first PREFIX_LENGTH
characters are kept in clear so an administrator can tell tokens apart; the rest is known only to
the machine that holds it. A SHA-256 suffices (no slow hash): the secret is random, not chosen by
a person, so there is nothing to guess from the hash.
"""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.audit import ANONYMOUS, Actor, AuditAction, record
from infra.tables import Account, ApiToken, Unit, utcnow
from intake.auth.digest import token_hash
from intake.auth.roles import TokenScope
from models.errors import InvalidFieldError

MARK = "itk_"
PREFIX_LENGTH = 12  # MARK and 8 random characters
DEFAULT_LIFETIME = dt.timedelta(days=365)
MAX_LIFETIME = dt.timedelta(days=2 * 365)
USE_RECORDED_EVERY = dt.timedelta(seconds=60)  # successful uses: audited at most this often


@dataclass(frozen=True)
class NewToken:
    """A token just created: `token` is shown to the administrator once and never stored."""

    token: str
    row: ApiToken


def create_token(session: Session, *, name: str, scope: TokenScope, created_by: Account,
                 unit: Unit | None = None, lifetime: dt.timedelta = DEFAULT_LIFETIME,
                 now: dt.datetime | None = None) -> NewToken:
    """Issue a token. `upload` needs the unit it uploads into; `registry` may name the unit it
    pulls (None: every unit)."""
    scope = TokenScope(scope)
    name = unicodedata.normalize("NFC", name).strip()
    if not name or len(name) > 100:
        raise InvalidFieldError("Tên mã truy cập phải có từ 1 đến 100 ký tự.", field="name")
    if scope is TokenScope.UPLOAD and unit is None:
        raise InvalidFieldError("Mã truy cập tải lên phải thuộc một đơn vị.", field="unit")
    if not dt.timedelta(0) < lifetime <= MAX_LIFETIME:
        raise InvalidFieldError("Thời hạn của mã truy cập phải từ 1 giây đến 2 năm.",
                                field="lifetime")
    now = now or utcnow()
    token = MARK + secrets.token_urlsafe(32)
    row = ApiToken(token_hash=token_hash(token), prefix=token[:PREFIX_LENGTH], name=name,
                   scope=scope, unit=unit, created_by=created_by.id, created_at=now,
                   expires_at=now + lifetime)
    session.add(row)
    session.flush()
    record(session, Actor.of_account(created_by), AuditAction.TOKEN_CREATED, object_kind="token",
           object_id=row.id, at=now,
           detail={"name": name, "prefix": row.prefix, "scope": str(scope),
                   "unit": unit.code if unit else None, "expires_at": row.expires_at.isoformat()})
    return NewToken(token=token, row=row)


def find_token(session: Session, token: str) -> ApiToken | None:
    """The row of a presented token, None when it is not one of ours (read only)."""
    if not token.startswith(MARK):
        return None
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))


def token_reason(row: ApiToken | None, scopes: Collection[TokenScope], now: dt.datetime) -> str:
    """ok, or why a token is refused: unknown | revoked | expired | scope (read only)."""
    if row is None:
        return "unknown"
    return ("revoked" if row.revoked_at is not None else "expired" if now >= row.expires_at
            else "scope" if row.scope not in scopes else "ok")


def use_due(row: ApiToken, now: dt.datetime) -> bool:
    """Whether a successful use is to be recorded (last_used_at and the audit entry): at most
    once per USE_RECORDED_EVERY per token, so a registry polling every second neither fills the
    audit log nor takes the database's write lock on every request."""
    return row.last_used_at is None or now - row.last_used_at >= USE_RECORDED_EVERY


def check_token(session: Session, token: str, scopes: Collection[TokenScope], *,
                ip: str | None = None, now: dt.datetime | None = None) -> tuple[ApiToken | None, str]:
    """The token's row and "ok" when it is live and has one of `scopes`; otherwise the row (None
    when unknown) and why not: unknown | revoked | expired | scope. Records the use or the
    refusal (last_used_at, audit); the access rule calls it when `use_due` or refused."""
    now = now or utcnow()
    wanted = ",".join(sorted(str(s) for s in scopes))
    row = find_token(session, token)
    if row is None:
        record(session, ANONYMOUS, AuditAction.TOKEN_REFUSED, ip=ip, at=now,
               detail={"reason": "unknown", "scope": wanted})
        return None, "unknown"
    reason = token_reason(row, scopes, now)
    if reason != "ok":
        record(session, Actor.of_token(row), AuditAction.TOKEN_REFUSED, object_kind="token",
               object_id=row.id, ip=ip, at=now, detail={"reason": reason, "scope": wanted})
        return row, reason
    row.last_used_at = now
    record(session, Actor.of_token(row), AuditAction.TOKEN_USED, object_kind="token",
           object_id=row.id, ip=ip, at=now, detail={"scope": str(row.scope)})
    return row, reason


def verify_token(session: Session, token: str, scope: TokenScope, *, ip: str | None = None,
                 now: dt.datetime | None = None) -> ApiToken | None:
    """The token's row when it is live and has `scope`, else None; every use is audited."""
    row, reason = check_token(session, token, (scope,), ip=ip, now=now)
    return row if reason == "ok" else None


def revoke_token(session: Session, row: ApiToken, *, actor: Actor,
                 now: dt.datetime | None = None) -> None:
    """End a token for good (a revoked token is never live again)."""
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        record(session, actor, AuditAction.TOKEN_REVOKED, object_kind="token", object_id=row.id,
               at=row.revoked_at, detail={"name": row.name, "prefix": row.prefix})
