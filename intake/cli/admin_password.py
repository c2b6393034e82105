"""`intake admin-password [--username admin]`: a new one-time password for an administrator whose
password is lost, set from the server's shell (whoever can run this can read the database anyway).

The account must change it at the next sign-in; its sessions end and a locked account is unlocked
(intake.auth.accounts.set_password); the audit log names the actor `system:cli`. The password is
printed once and stored only as a hash."""

from __future__ import annotations

from typing import TextIO

from documents.audit import Actor
from infra.database import migrate, session_scope
from intake.auth.accounts import find_account, normalise_username, set_password
from intake.auth.bootstrap import USERNAME
from intake.auth.passwords import generate_password
from intake.auth.roles import Role
from models.errors import ConflictError, NotFoundError
from models.settings import Settings

CLI = Actor.system("cli")


def reset_admin_password(settings: Settings, username: str = USERNAME) -> str:
    """Give the enabled administrator `username` a new one-time password and return it.
    NotFoundError without such an account, ConflictError when it is not an enabled administrator
    (the administration pages set the passwords of other accounts)."""
    migrate(settings.database)
    password = generate_password()
    with session_scope(settings.database, write=True) as session:
        account = find_account(session, username, lock=True)
        if account is None:
            raise NotFoundError(f"no account {username!r}", username=username)
        if account.role != Role.ADMINISTRATOR:
            raise ConflictError(f"account {account.username!r} is not an administrator (role "
                                f"{account.role}): an administrator sets its password at "
                                "/quan-tri/tai-khoan", username=account.username)
        if account.disabled:
            raise ConflictError(f"administrator {account.username!r} is disabled: another "
                                "administrator can enable it at /quan-tri/tai-khoan",
                                username=account.username)
        set_password(session, account, password, actor=CLI, must_change=True)
    return password


def run_admin_password(settings: Settings, username: str, out: TextIO) -> int:
    """The command: set the password and print it once."""
    password = reset_admin_password(settings, username)
    line = "=" * 72
    out.write(f"{line}\n"
              f"New one-time password of the administrator {normalise_username(username)}:\n"
              f"  {password}\n"
              "It is shown only this once (the database keeps only its hash). Its sessions are\n"
              "ended; it must be changed at the next sign-in: /dang-nhap, then /doi-mat-khau.\n"
              f"{line}\n")
    out.flush()
    return 0
