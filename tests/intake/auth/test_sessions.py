"""Server-side sessions: only the token's hash stored, idle and absolute expiry, revocation, CSRF."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.audit import Actor
from infra.tables import AccountSession
from intake.auth.sessions import (
    ABSOLUTE,
    IDLE,
    TOUCH_EVERY,
    check_csrf,
    create_session,
    lookup,
    revoke,
    revoke_all,
)
from tests.intake.auth.helpers import T0, add_account, audit


def test_only_the_hash_is_stored(write: Session) -> None:
    new = create_session(write, add_account(write), now=T0)
    assert len(new.token) >= 43 and new.token != new.csrf_token
    row = write.scalars(select(AccountSession)).one()
    assert row.id == hashlib.sha256(new.token.encode()).hexdigest()
    stored = [getattr(row, c.key) for c in AccountSession.__table__.columns]
    assert not any(new.token in str(v) or new.csrf_token in str(v) for v in stored)
    assert (row.created_at, row.last_seen_at, row.expires_at) == (T0, T0, T0 + ABSOLUTE)
    assert lookup(write, new.token, now=T0) is row
    assert lookup(write, new.token[:-1], now=T0) is None
    assert lookup(write, "", now=T0) is None
    assert create_session(write, row.account, now=T0).token != new.token


def test_idle_expiry_and_use_keeps_it_alive(write: Session) -> None:
    account = add_account(write)
    idle = create_session(write, account, now=T0)
    used = create_session(write, account, now=T0)
    assert lookup(write, idle.token, now=T0 + TOUCH_EVERY / 2) is not None  # not touched
    assert lookup(write, idle.token, now=T0 + IDLE) is None
    assert lookup(write, idle.token, now=T0 + IDLE - dt.timedelta(seconds=1)) is None  # stays ended
    # A use refreshes last_seen_at (at most every TOUCH_EVERY): then the idle clock restarts.
    at = T0
    while at + IDLE / 2 < T0 + ABSOLUTE:
        at += IDLE / 2
        assert lookup(write, used.token, now=at) is not None
    assert used.row.last_seen_at == at
    assert lookup(write, used.token, now=at + TOUCH_EVERY / 2) is not None
    assert used.row.last_seen_at == at  # not written on every request


def test_absolute_expiry_whatever_the_activity(write: Session) -> None:
    new = create_session(write, add_account(write), now=T0)
    at = T0
    while at + IDLE / 2 < T0 + ABSOLUTE:
        at += IDLE / 2
        assert lookup(write, new.token, now=at) is not None
    assert lookup(write, new.token, now=T0 + ABSOLUTE) is None


def test_revoke_one_and_all(write: Session) -> None:
    account = add_account(write)
    other = add_account(write, "nguoi.khac")
    one, two, three = (create_session(write, account, now=T0) for _ in range(3))
    theirs = create_session(write, other, now=T0)
    actor = Actor.of_account(account)
    revoke(write, one.row, actor=actor, now=T0 + dt.timedelta(minutes=5))
    assert one.row.revoked_at == T0 + dt.timedelta(minutes=5)
    assert lookup(write, one.token, now=T0) is None
    assert lookup(write, two.token, now=T0) is not None
    assert revoke_all(write, account, actor=actor, now=T0) == 2
    assert lookup(write, two.token, now=T0) is None and lookup(write, three.token, now=T0) is None
    assert lookup(write, theirs.token, now=T0) is not None
    assert revoke_all(write, account, actor=actor, now=T0) == 0
    [signout] = audit(write, "signout")
    assert (signout.actor_name, signout.object_id) == ("van.thu", str(account.id))


def test_disabled_account_has_no_live_session(write: Session) -> None:
    account = add_account(write)
    new = create_session(write, account, now=T0)
    account.disabled = True
    assert lookup(write, new.token, now=T0) is None


def test_csrf_token_belongs_to_its_session(write: Session) -> None:
    account = add_account(write)
    one, two = create_session(write, account, now=T0), create_session(write, account, now=T0)
    assert check_csrf(one.token, one.row, one.csrf_token)
    assert not check_csrf(one.token, one.row, two.csrf_token)
    assert not check_csrf(one.token, one.row, "")
    assert not check_csrf(one.token, one.row, "đ" + one.csrf_token[1:])
