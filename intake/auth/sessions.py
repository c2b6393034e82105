"""Server-side sessions of the pages: a random token in the cookie, its SHA-256 in the database.

A session ends when it is revoked (sign-out, password change, administrator), when it has not
been used for IDLE, or ABSOLUTE after sign-in whatever the activity. The database never holds
a usable credential: the row's id is the token's hash, and the CSRF token is an HMAC of the
session token with the row's seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.audit import Actor, AuditAction, record
from infra.tables import Account, AccountSession, utcnow
from intake.auth.digest import token_hash

IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=10)  # one working day
# last_seen_at is written at most this often (not on every request).
TOUCH_EVERY = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class NewSession:
    """A session just created: the raw token goes into the cookie and is never stored."""

    token: str
    csrf_token: str
    row: AccountSession


def create_session(session: Session, account: Account, *,
                   now: dt.datetime | None = None) -> NewSession:
    """Start a session for `account` (after a successful sign-in)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = AccountSession(id=token_hash(token), account_id=account.id, created_at=now,
                         last_seen_at=now, expires_at=now + ABSOLUTE,
                         csrf_seed=secrets.token_hex(32))
    session.add(row)
    session.flush()
    return NewSession(token=token, csrf_token=csrf_token(token, row), row=row)


def lookup(session: Session, token: str, *, now: dt.datetime | None = None) -> AccountSession | None:
    """The live session of a cookie's token, None when unknown, revoked, expired or idle.

    A disabled account has no live session. Use refreshes last_seen_at (the idle clock); an idle
    session found is ended (revoked_at set)."""
    now = now or utcnow()
    row = session.get(AccountSession, token_hash(token)) if token else None
    if row is None or row.revoked_at is not None or now >= row.expires_at:
        return None
    if now - row.last_seen_at >= IDLE:
        row.revoked_at = now  # ended for good: a later request with a skewed clock cannot revive it
        return None
    if row.account.disabled:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return row


def is_live(row: AccountSession, now: dt.datetime) -> bool:
    """What `lookup` would answer, read only: not revoked, expired or idle, account enabled."""
    return (row.revoked_at is None and now < row.expires_at and now - row.last_seen_at < IDLE
            and not row.account.disabled)


def needs_write(row: AccountSession, now: dt.datetime) -> bool:
    """Whether `lookup` would change the row (the idle end, or the last_seen_at touch): requests
    read sessions without the write lock and call `lookup` in a write transaction only then."""
    return (row.revoked_at is None and now < row.expires_at
            and now - row.last_seen_at >= TOUCH_EVERY)


def csrf_token(token: str, row: AccountSession) -> str:
    """The CSRF token of a session (put into forms; computed, never stored)."""
    return hmac.new(token.encode(), row.csrf_seed.encode(), hashlib.sha256).hexdigest()


def check_csrf(token: str, row: AccountSession, submitted: str) -> bool:
    """Whether a request's CSRF token belongs to its session (constant-time comparison)."""
    return hmac.compare_digest(csrf_token(token, row).encode(), (submitted or "").encode())


def revoke(session: Session, row: AccountSession, *, actor: Actor,
           now: dt.datetime | None = None) -> None:
    """End one session (sign-out, or an administrator ending it)."""
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        record(session, actor, AuditAction.SIGNOUT, object_kind="account",
               object_id=row.account_id, at=row.revoked_at)


def revoke_all(session: Session, account: Account, *, actor: Actor,
               now: dt.datetime | None = None) -> int:
    """End every live session of an account (password changed or set); returns how many."""
    now = now or utcnow()
    live = session.scalars(select(AccountSession).where(
        AccountSession.account_id == account.id, AccountSession.revoked_at.is_(None))).all()
    for row in live:
        row.revoked_at = now
    ended = len(live)
    if ended:
        record(session, actor, AuditAction.SESSIONS_REVOKED, object_kind="account",
               object_id=account.id, detail={"count": ended}, at=now)
    return ended

