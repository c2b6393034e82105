"""Accounts: create, set or change a password, and sign in with throttling.

Sign-in: LOCK_AFTER failed passwords in a row lock the account for LOCK_FOR (attempts while it is
locked are refused without counting, so an attacker cannot extend the lock); every attempt is
audited. An unknown username costs the same argon2 verification as a known one and is refused with
the same answer, so the answer does not tell which usernames exist.
Functions that refuse a sign-in return a result instead of raising, so the caller's transaction
commits the failure count and the audit entry.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.audit import ANONYMOUS, Actor, AuditAction, record
from infra.tables import Account, Unit, utcnow
from intake.auth.passwords import (
    burn_verification,
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from intake.auth.roles import Role
from intake.auth.sessions import revoke_all
from models.errors import ConflictError, InvalidFieldError

LOCK_AFTER = 5
LOCK_FOR = dt.timedelta(minutes=15)
# The one answer to every refused sign-in (shown on the sign-in page).
REFUSED = "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa."
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")


def normalise_username(username: str) -> str:
    """The stored form of a username: NFC, trimmed, lower-case."""
    return unicodedata.normalize("NFC", username).strip().lower()


def find_account(session: Session, username: str, *, lock: bool = False) -> Account | None:
    """The account of a username (any case), None when there is none."""
    query = select(Account).where(Account.username == normalise_username(username))
    return session.scalar(query.with_for_update() if lock else query)


def create_account(session: Session, *, username: str, password: str, role: Role, actor: Actor,
                   display_name: str = "", units: Sequence[Unit] = (),
                   secret_clearance: bool = False, must_change_password: bool = False,
                   now: dt.datetime | None = None) -> Account:
    """Add an account; the password must pass the policy (passwords.check_policy)."""
    username = normalise_username(username)
    if not _USERNAME.fullmatch(username):
        raise InvalidFieldError(
            "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch dưới "
            "hoặc gạch ngang.", field="username")
    role = Role(role)
    check_policy(password, username)
    if find_account(session, username) is not None:
        raise ConflictError(f"Tên đăng nhập «{username}» đã có.", username=username)
    account = Account(username=username,
                      display_name=unicodedata.normalize("NFC", display_name).strip()[:200],
                      password_hash=hash_password(password), role=role,
                      secret_clearance=secret_clearance,
                      must_change_password=must_change_password, created_at=now or utcnow(),
                      units=list(units))
    session.add(account)
    session.flush()
    record(session, actor, AuditAction.ACCOUNT_CREATED, object_kind="account",
           object_id=account.id, at=account.created_at,
           detail={"username": username, "role": str(role), "units": [u.code for u in units],
                   "secret_clearance": secret_clearance})
    return account


def set_password(session: Session, account: Account, password: str, *, actor: Actor,
                 must_change: bool = False, now: dt.datetime | None = None) -> None:
    """Give an account a new password (administrator or first start): unlocks it and ends
    its sessions; `must_change`: the person must choose their own at the next sign-in."""
    check_policy(password, account.username)
    now = now or utcnow()
    account.password_hash = hash_password(password)
    account.must_change_password = must_change
    account.failed_signins = 0
    account.locked_until = None
    revoke_all(session, account, actor=actor, now=now)
    record(session, actor, AuditAction.PASSWORD_SET, object_kind="account", object_id=account.id,
           detail={"must_change": must_change}, at=now)


def change_password(session: Session, account: Account, old_password: str, new_password: str, *,
                    ip: str | None = None, now: dt.datetime | None = None) -> bool:
    """The account changes its own password, proving the old one; ends all its sessions (the
    caller starts a new one). False, audited and counted as a failed sign-in, when the old
    password is wrong or the account is locked; InvalidFieldError when the new one breaks the
    policy."""
    check_policy(new_password, account.username)
    now = now or utcnow()
    if _locked(account, now):
        burn_verification(old_password)
        ok, reason = False, "locked"
    else:
        ok, reason = verify_password(account.password_hash, old_password), "password"
    actor = Actor.of_account(account)
    if not ok:
        if reason == "password":
            _count_failure(session, account, now, ip)
        record(session, actor, AuditAction.PASSWORD_CHANGE_FAILED, object_kind="account",
               object_id=account.id, detail={"reason": reason}, ip=ip, at=now)
        return False
    account.password_hash = hash_password(new_password)
    account.must_change_password = False
    revoke_all(session, account, actor=actor, now=now)
    record(session, actor, AuditAction.PASSWORD_CHANGED, object_kind="account",
           object_id=account.id, ip=ip, at=now)
    return True


def set_disabled(session: Session, account: Account, disabled: bool, *, actor: Actor,
                 now: dt.datetime | None = None) -> bool:
    """Disable an account (no sign-in, every session ended) or enable it again; False when it
    already was so (nothing recorded)."""
    if account.disabled == disabled:
        return False
    now = now or utcnow()
    account.disabled = disabled
    if disabled:
        revoke_all(session, account, actor=actor, now=now)
    record(session, actor, AuditAction.ACCOUNT_DISABLED if disabled else AuditAction.ACCOUNT_ENABLED,
           object_kind="account", object_id=account.id, detail={"username": account.username},
           at=now)
    return True


def update_account(session: Session, account: Account, *, actor: Actor, role: Role,
                   units: Sequence[Unit], secret_clearance: bool, display_name: str,
                   now: dt.datetime | None = None) -> bool:
    """Change an account's role, units, clearance or name; audited with what changed (before and
    after). The change holds from that person's next request (the rules read the account at every
    request). False when nothing changed."""
    now = now or utcnow()
    name = unicodedata.normalize("NFC", display_name).strip()[:200]
    after = {"role": str(Role(role)), "units": sorted(u.code for u in units),
             "secret_clearance": secret_clearance, "display_name": name}
    before = {"role": account.role, "units": sorted(u.code for u in account.units),
              "secret_clearance": account.secret_clearance, "display_name": account.display_name}
    changed = {k: {"before": before[k], "after": v} for k, v in after.items() if before[k] != v}
    if not changed:
        return False
    account.role = str(Role(role))
    account.units = sorted(units, key=lambda u: u.code)
    account.secret_clearance = secret_clearance
    account.display_name = name
    record(session, actor, AuditAction.ACCOUNT_UPDATED, object_kind="account",
           object_id=account.id, detail={"username": account.username, **changed}, at=now)
    return True


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the account, or why not (for the audit and tests only: the
    person is shown REFUSED whatever the reason)."""

    account: Account | None
    reason: str  # ok | unknown | password | locked | disabled

    @property
    def ok(self) -> bool:
        return self.account is not None


def authenticate(session: Session, username: str, password: str, *, ip: str | None = None,
                 now: dt.datetime | None = None) -> SignIn:
    """Check a username and password (open `session` for writing: the attempt is recorded)."""
    now = now or utcnow()
    account = find_account(session, username, lock=True)
    if account is None:
        burn_verification(password)
        record(session, ANONYMOUS, AuditAction.SIGNIN_FAILED, ip=ip, at=now,
               detail={"reason": "unknown", "username": normalise_username(username)[:64]})
        return SignIn(None, "unknown")
    if account.disabled or _locked(account, now):
        burn_verification(password)
        reason = "disabled" if account.disabled else "locked"
    elif not verify_password(account.password_hash, password):
        reason = "password"
        _count_failure(session, account, now, ip)
    else:
        account.failed_signins = 0
        account.locked_until = None
        if needs_rehash(account.password_hash):
            account.password_hash = hash_password(password)
        record(session, Actor.of_account(account), AuditAction.SIGNIN, object_kind="account",
               object_id=account.id, ip=ip, at=now)
        return SignIn(account, "ok")
    record(session, ANONYMOUS, AuditAction.SIGNIN_FAILED, object_kind="account",
           object_id=account.id, ip=ip, at=now,
           detail={"reason": reason, "username": account.username})
    return SignIn(None, reason)


def _locked(account: Account, now: dt.datetime) -> bool:
    return account.locked_until is not None and now < account.locked_until


def _count_failure(session: Session, account: Account, now: dt.datetime, ip: str | None) -> None:
    """One more wrong password in a row; the LOCK_AFTER-th locks the account for LOCK_FOR."""
    account.failed_signins += 1
    if account.failed_signins >= LOCK_AFTER:
        account.failed_signins = 0
        account.locked_until = now + LOCK_FOR
        record(session, ANONYMOUS, AuditAction.ACCOUNT_LOCKED, object_kind="account",
               object_id=account.id, ip=ip, at=now,
               detail={"until": account.locked_until.isoformat(), "after": LOCK_AFTER})
