"""Accounts: creation rules, sign-in throttling (lock after 5 failures, unlock after 15 minutes),
constant-time refusal of unknown names, password set and change, all audited."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.database import session_scope
from infra.tables import Account, AccountSession, Unit
from intake.auth.accounts import (
    LOCK_AFTER,
    LOCK_FOR,
    authenticate,
    change_password,
    set_password,
)
from intake.auth.passwords import hash_password, needs_rehash
from intake.auth.roles import Role
from intake.auth.sessions import create_session, lookup
from models.errors import ConflictError, InvalidFieldError
from tests.intake.auth.helpers import ADMIN, PASSWORD, T0, add_account, audit

NEW_PASSWORD = "mật-khẩu-mới-của-tôi"


def test_create_account_rules(write: Session) -> None:
    unit = Unit(code="Phòng Hành chính", name="Phòng Hành chính - Tổng hợp")
    write.add(unit)
    account = add_account(write, "  Van.Thu ", display_name="Nguyễn Văn Thư", units=[unit],
                          secret_clearance=True)
    assert (account.username, account.role, account.units) == ("van.thu", "clerk", [unit])
    assert account.secret_clearance and not account.must_change_password
    assert PASSWORD not in account.password_hash
    with pytest.raises(ConflictError):
        add_account(write, "VAN.THU")
    for bad in ("ab", "nguyễn", "has space", "-dash"):
        with pytest.raises(InvalidFieldError):
            add_account(write, bad)
    with pytest.raises(InvalidFieldError):
        add_account(write, "khac", password="ngắn")
    with pytest.raises(ValueError):
        add_account(write, "khac", role="registry")  # type: ignore[arg-type]
    [created] = audit(write, "account.created")
    assert created.actor_kind == "system" and created.object_id == str(account.id)
    assert created.detail["units"] == ["Phòng Hành chính"] and created.detail["secret_clearance"]


def test_lock_after_five_failures_and_unlock_after_the_period(db: str) -> None:
    with session_scope(db, write=True) as session:
        account_id = add_account(session).id

    def attempt(password: str, at: dt.datetime) -> str:
        with session_scope(db, write=True) as session:
            return authenticate(session, "van.thu", password, ip="10.0.0.7", now=at).reason

    assert attempt(PASSWORD, T0) == "ok"
    for n in range(LOCK_AFTER):
        assert attempt("sai-mật-khẩu-đấy", T0 + dt.timedelta(minutes=1, seconds=n)) == "password"
    locked_at = T0 + dt.timedelta(minutes=1, seconds=LOCK_AFTER - 1)
    # Locked: even the right password is refused, and tries while locked do not extend the lock.
    assert attempt(PASSWORD, locked_at + dt.timedelta(minutes=1)) == "locked"
    assert attempt("sai-mật-khẩu-đấy", locked_at + LOCK_FOR - dt.timedelta(seconds=1)) == "locked"
    assert attempt(PASSWORD, locked_at + LOCK_FOR) == "ok"
    with session_scope(db) as session:
        account = session.get(Account, account_id)
        assert account is not None
        assert (account.failed_signins, account.locked_until) == (0, None)
        failed = audit(session, "signin.failed")
        assert [e.detail["reason"] for e in failed] == ["password"] * LOCK_AFTER + ["locked"] * 2
        assert {(e.actor_kind, e.object_id, e.ip) for e in failed} == {
            ("anonymous", str(account_id), "10.0.0.7")}
        [lock] = audit(session, "account.locked")
        assert lock.detail["until"] == (locked_at + LOCK_FOR).isoformat()
        signins = audit(session, "signin")
        assert [(e.actor_kind, e.actor_name) for e in signins] == [("account", "van.thu")] * 2


def test_failures_count_in_a_row_only(write: Session) -> None:
    add_account(write)
    for _ in range(LOCK_AFTER - 1):
        assert authenticate(write, "van.thu", "sai-mật-khẩu-đấy", now=T0).reason == "password"
    assert authenticate(write, "van.thu", PASSWORD, now=T0).ok
    for _ in range(LOCK_AFTER - 1):
        assert authenticate(write, "van.thu", "sai-mật-khẩu-đấy", now=T0).reason == "password"
    assert authenticate(write, "VAN.THU", PASSWORD, now=T0).ok
    assert audit(write, "account.locked") == []


def test_unknown_and_disabled_names_are_refused_at_the_same_cost(write: Session) -> None:
    add_account(write)
    add_account(write, "nghi.viec").disabled = True

    def seconds(username: str, password: str) -> float:
        start = time.perf_counter()
        assert not authenticate(write, username, password, now=T0).ok
        return time.perf_counter() - start

    known = min(seconds("van.thu", f"sai-mật-khẩu-{n}") for n in range(3))
    unknown = min(seconds("khong.co.ai", f"sai-mật-khẩu-{n}") for n in range(3))
    # Without a verification for the unknown name it would answer ~100 times faster.
    assert unknown > 0.5 * known, (unknown, known)
    assert authenticate(write, "nghi.viec", PASSWORD, now=T0).reason == "disabled"
    unknown_entry = audit(write, "signin.failed")[3]
    assert (unknown_entry.actor_kind, unknown_entry.actor_name, unknown_entry.object_id) == (
        "anonymous", "", None)
    assert unknown_entry.detail == {"reason": "unknown", "username": "khong.co.ai"}


def test_sign_in_rehashes_older_parameters(write: Session) -> None:
    account = add_account(write)
    account.password_hash = hash_password(PASSWORD, PasswordHasher.from_parameters(CHEAPEST))
    assert not authenticate(write, "van.thu", "sai-mật-khẩu-đấy", now=T0).ok
    assert needs_rehash(account.password_hash)  # a failure does not touch the hash
    assert authenticate(write, "van.thu", PASSWORD, now=T0).ok
    assert not needs_rehash(account.password_hash)
    assert authenticate(write, "van.thu", PASSWORD, now=T0).ok


def test_change_password_needs_the_old_one_and_ends_sessions(write: Session) -> None:
    account = add_account(write, must_change_password=True)
    first = create_session(write, account, now=T0)
    second = create_session(write, account, now=T0)
    with pytest.raises(InvalidFieldError):
        change_password(write, account, PASSWORD, "van.thu", now=T0)
    assert not change_password(write, account, "sai-mật-khẩu-đấy", NEW_PASSWORD, now=T0)
    assert account.failed_signins == 1  # guessing through the change form counts too
    assert lookup(write, first.token, now=T0) is not None
    assert change_password(write, account, PASSWORD, NEW_PASSWORD, ip="10.0.0.9", now=T0)
    assert not account.must_change_password
    assert lookup(write, first.token, now=T0) is None
    assert lookup(write, second.token, now=T0) is None
    assert not authenticate(write, "van.thu", PASSWORD, now=T0).ok
    assert authenticate(write, "van.thu", NEW_PASSWORD, now=T0).ok
    [failed] = audit(write, "password.change_failed")
    assert failed.detail == {"reason": "password"}
    [changed] = audit(write, "password.changed")
    assert (changed.actor_kind, changed.actor_name, changed.ip) == ("account", "van.thu",
                                                                    "10.0.0.9")
    [revoked] = audit(write, "sessions.revoked")
    assert revoked.detail == {"count": 2}


def test_change_password_refused_while_locked(write: Session) -> None:
    account = add_account(write)
    for _ in range(LOCK_AFTER):
        authenticate(write, "van.thu", "sai-mật-khẩu-đấy", now=T0)
    assert not change_password(write, account, PASSWORD, NEW_PASSWORD, now=T0)
    assert audit(write, "password.change_failed")[0].detail == {"reason": "locked"}


def test_set_password_unlocks_and_ends_sessions(write: Session) -> None:
    account = add_account(write, role=Role.MAILROOM)
    session = create_session(write, account, now=T0)
    for _ in range(LOCK_AFTER):
        authenticate(write, "van.thu", "sai-mật-khẩu-đấy", now=T0)
    assert account.locked_until is not None
    set_password(write, account, NEW_PASSWORD, actor=ADMIN, must_change=True, now=T0)
    assert account.must_change_password and account.locked_until is None
    assert lookup(write, session.token, now=T0) is None
    assert write.scalar(select(AccountSession.revoked_at)) == T0
    assert authenticate(write, "van.thu", NEW_PASSWORD, now=T0).ok
    assert audit(write, "password.set")[0].detail == {"must_change": True}
