"""Signed-in principals for API tests: one account per role with a live session, and an upload
and a registry token, as request headers (cookie + CSRF token, or Bearer)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import select

from infra.database import session_scope
from infra.tables import Account, Unit
from intake.auth.access import COOKIE, CSRF_HEADER
from intake.auth.passwords import hash_password
from intake.auth.roles import Role, TokenScope
from intake.auth.sessions import create_session
from intake.auth.tokens import create_token
from models.settings import Settings

PASSWORD = "đúng-mật-khẩu-2026"


def unit_rows(session: object, codes: tuple[str, ...]) -> list[Unit]:
    """The units of these codes, created when missing."""
    out = []
    for code in codes:
        unit = session.scalar(select(Unit).where(Unit.code == code))  # type: ignore[attr-defined]
        if unit is None:
            unit = Unit(code=code, name=code)
            session.add(unit)  # type: ignore[attr-defined]
            session.flush()  # type: ignore[attr-defined]
        out.append(unit)
    return out


@cache
def _password_hash() -> str:
    """PASSWORD hashed once per test run: argon2id costs 0.1 s a hash by design, and most service
    tests make four accounts (tests/intake/auth/ test create_account itself)."""
    return hash_password(PASSWORD)


def _add_account(session: Any, username: str, role: Role, units: list[Unit],
                 clearance: bool) -> Account:
    account = Account(username=username, display_name=username, password_hash=_password_hash(),
                      role=role, secret_clearance=clearance, units=units)
    session.add(account)
    session.flush()
    return account


def account_headers(settings: Settings, username: str, role: Role,
                    units: tuple[str, ...] = (), clearance: bool = False) -> dict[str, str]:
    """A new (or existing) account with a fresh session: its cookie and CSRF headers."""
    with session_scope(settings.database, write=True) as session:
        account = session.scalar(select(Account).where(Account.username == username))
        if account is None:
            account = _add_account(session, username, role, unit_rows(session, units), clearance)
        new = create_session(session, account)
        return {"cookie": f"{COOKIE}={new.token}", CSRF_HEADER: new.csrf_token}


def token_headers(settings: Settings, name: str, scope: TokenScope,
                  unit: str | None) -> dict[str, str]:
    """A new API token: its Authorization header."""
    with session_scope(settings.database, write=True) as session:
        admin = session.scalar(select(Account).where(Account.role == Role.ADMINISTRATOR))
        if admin is None:
            admin = _add_account(session, "quan.tri", Role.ADMINISTRATOR, [], False)
        unit_row = unit_rows(session, (unit,))[0] if unit else None
        new = create_token(session, name=name, scope=scope, created_by=admin, unit=unit_row)
        return {"Authorization": f"Bearer {new.token}"}


def make_principals(settings: Settings, units: tuple[str, ...],
                    clearance: bool = False) -> dict[str, dict[str, str]]:
    """Headers per role name: clerk, mailroom, manager, administrator, registry, upload."""
    suffix = "-mat" if clearance else ""
    return {
        "administrator": account_headers(settings, "quan.tri", Role.ADMINISTRATOR),
        "clerk": account_headers(settings, f"chuyen.vien{suffix}", Role.CLERK, units, clearance),
        "mailroom": account_headers(settings, f"van.thu{suffix}", Role.MAILROOM, units,
                                    clearance),
        "manager": account_headers(settings, f"lanh.dao{suffix}", Role.MANAGER, units, clearance),
        "registry": token_headers(settings, "phần mềm QLVB", TokenScope.REGISTRY, None),
        "upload": token_headers(settings, "máy quét", TokenScope.UPLOAD, units[0]),
    }
