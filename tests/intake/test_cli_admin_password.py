"""`intake admin-password`: an administrator who lost the one-time (or own) password gets a new
one-time password from the server's shell, printed once; the old password and the sessions stop
working, a lock-out ends, the audit log names the CLI; other accounts are refused."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from documents.audit import AuditAction
from infra.database import migrate, session_scope
from infra.tables import AuditEntry, utcnow
from intake.auth.accounts import authenticate, create_account, find_account
from intake.auth.bootstrap import BOOTSTRAP, ensure_admin
from intake.auth.roles import Role
from intake.auth.sessions import create_session, lookup
from intake.cli.main import main
from models.settings import Settings, get_settings
from tests.service.conftest import (  # noqa: F401 - fixtures
    database_url,
    redis_url,
    settings,
    settings_env,
)

PRINTED = re.compile(r"^  (\S{4}-\S{4}-\S{4}-\S{4})$", re.MULTILINE)


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:  # noqa: F811
    """The command reads its settings from the environment, as on the server."""
    for name, value in settings_env(settings).items():
        if name.startswith("INTAKE_"):
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def _audit(config: Settings, action: str, account_id: int) -> list[AuditEntry]:
    with session_scope(config.database) as session:
        return list(session.scalars(select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.object_id == str(account_id))))


def test_a_new_one_time_password_replaces_the_lost_one(
    environment: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    config = environment
    migrate(config.database)
    lost = ensure_admin(config)
    assert lost is not None
    with session_scope(config.database, write=True) as session:
        admin = find_account(session, "admin")
        assert admin is not None
        admin_id = admin.id
        token = create_session(session, admin).token
        admin.locked_until = utcnow() + dt.timedelta(minutes=15)  # locked out by wrong tries
        admin.failed_signins = 5
    assert main(["admin-password"]) == 0
    out = capsys.readouterr().out
    printed = PRINTED.findall(out)
    assert len(printed) == 1 and printed[0] != lost, out
    assert out.count(printed[0]) == 1 and "admin" in out and "/doi-mat-khau" in out
    with session_scope(config.database, write=True) as session:
        assert lookup(session, token) is None  # its sessions ended
        assert authenticate(session, "admin", lost).account is None
    with session_scope(config.database, write=True) as session:
        signed = authenticate(session, "admin", printed[0])  # unlocked, with the new password
        assert signed.account is not None and signed.account.must_change_password
    [entry] = _audit(config, AuditAction.PASSWORD_SET, admin_id)
    assert (entry.actor_kind, entry.actor_name) == ("system", "cli")
    assert entry.detail == {"must_change": True}
    [ended] = _audit(config, AuditAction.SESSIONS_REVOKED, admin_id)
    assert ended.actor_name == "cli" and ended.detail == {"count": 1}


def test_only_an_enabled_administrator(environment: Settings,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    config = environment
    migrate(config.database)
    with session_scope(config.database, write=True) as session:
        create_account(session, username="chuyen.vien", password="mat-khau-cu-du-dai",
                       role=Role.CLERK, actor=BOOTSTRAP)
        create_account(session, username="quan.tri.cu", password="mat-khau-cu-du-dai",
                       role=Role.ADMINISTRATOR, actor=BOOTSTRAP).disabled = True
    assert main(["admin-password", "--username", "chuyen.vien"]) == 75
    assert main(["admin-password", "--username", "quan.tri.cu"]) == 75
    assert main(["admin-password", "--username", "khong.co"]) == 66
    captured = capsys.readouterr()
    assert captured.out == ""  # no password printed
    assert "not an administrator" in captured.err and "disabled" in captured.err
    assert "khong.co" in captured.err
    with session_scope(config.database, write=True) as session:
        # the clerk's password is unchanged
        assert authenticate(session, "chuyen.vien", "mat-khau-cu-du-dai").account is not None
        assert not session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.PASSWORD_SET)).all()
