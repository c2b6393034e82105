"""The first administrator: no default password, a one-time one printed once by `make run`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from documents.audit import Actor
from infra.database import session_scope
from infra.tables import Account
from intake.auth.accounts import create_account, find_account, set_password
from intake.auth.passwords import generate_password
from intake.auth.roles import Role
from models.settings import Settings

USERNAME = "admin"
BOOTSTRAP = Actor.system("bootstrap")


def ensure_admin(settings: Settings) -> str | None:
    """When no enabled administrator exists, make `admin` one with a random one-time password
    (must_change_password) and return that password to be shown once; otherwise None.

    Idempotent, and safe when several processes start at once. An existing `admin` account
    (disabled or demoted) is restored as administrator with a new one-time password."""
    password = generate_password()
    try:
        with session_scope(settings.database, write=True) as session:
            if session.scalar(select(Account.id).where(Account.role == Role.ADMINISTRATOR,
                                                       Account.disabled.is_(False)).limit(1)):
                return None
            account = find_account(session, USERNAME, lock=True)
            if account is None:
                create_account(session, username=USERNAME, password=password,
                               role=Role.ADMINISTRATOR, actor=BOOTSTRAP,
                               display_name="Quản trị hệ thống", must_change_password=True)
            else:
                account.role = Role.ADMINISTRATOR
                account.disabled = False
                set_password(session, account, password, actor=BOOTSTRAP, must_change=True)
    except IntegrityError:  # another process created it at the same moment
        return None
    return password
