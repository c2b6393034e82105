"""The first administrator: created once with a one-time password, never a second time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import select

from infra.database import session_scope
from infra.tables import Account
from intake.auth.accounts import authenticate
from intake.auth.bootstrap import ensure_admin
from intake.auth.roles import Role
from models.settings import Settings
from tests.intake.auth.helpers import add_account, audit


def _admins(db: str) -> list[Account]:
    with session_scope(db) as session:
        return list(session.scalars(select(Account).where(Account.role == Role.ADMINISTRATOR)))


def test_creates_exactly_one_admin_once(db: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=db)
    with session_scope(db, write=True) as session:
        add_account(session, "van.thu")  # other accounts do not count
    password = ensure_admin(settings)
    assert password is not None and len(password) >= 12
    assert ensure_admin(settings) is None
    [admin] = _admins(db)
    assert (admin.username, admin.must_change_password, admin.disabled) == ("admin", True, False)
    assert password not in admin.password_hash
    with session_scope(db, write=True) as session:
        assert authenticate(session, "admin", password).ok
        [created] = audit(session, "account.created")[1:]
        assert (created.actor_kind, created.actor_name) == ("system", "bootstrap")


def test_processes_starting_together_make_one_admin(db: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=db)
    with ThreadPoolExecutor(4) as pool:
        passwords = list(pool.map(lambda _: ensure_admin(settings), range(4)))
    assert len([p for p in passwords if p is not None]) == 1
    assert len(_admins(db)) == 1


def test_disabled_admin_is_restored_with_a_new_password(db: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=db)
    first = ensure_admin(settings)
    with session_scope(db, write=True) as session:
        account = session.scalars(select(Account)).one()
        account.disabled = True
    second = ensure_admin(settings)
    assert second is not None and second != first
    assert ensure_admin(settings) is None
    [admin] = _admins(db)
    assert not admin.disabled and admin.must_change_password
    with session_scope(db, write=True) as session:
        assert authenticate(session, "admin", second).ok
        assert not authenticate(session, "admin", str(first)).ok
