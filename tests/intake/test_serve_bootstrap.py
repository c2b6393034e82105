"""`make run` (intake/cli/serve.py): the first administrator's one-time password is printed once,
after the migrations and before the service starts; no printed URL shows a password."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from infra.database import migrate, session_scope
from intake.auth.accounts import authenticate
from intake.cli import serve as serve_module
from intake.cli.serve import announce_admin, ensure_redis, shown_url
from models.settings import Settings
from tests.service.conftest import database_url, make_settings, redis_url  # noqa: F401

ONE_TIME = re.compile(r"one-time password:\s+(\S+)")


def test_the_one_time_password_is_printed_once_and_signs_in(tmp_path: Path, database_url: str,  # noqa: F811
                                                            redis_url: str) -> None:  # noqa: F811
    settings = make_settings(tmp_path, database_url, redis_url)
    migrate(settings.database)
    first = io.StringIO()
    assert announce_admin(settings, first)
    text = first.getvalue()
    assert "username:           admin" in text and "must be" in text and "changed" in text
    match = ONE_TIME.search(text)
    assert match, text
    again = io.StringIO()
    assert not announce_admin(settings, again) and again.getvalue() == ""  # never twice
    with session_scope(settings.database, write=True) as session:
        result = authenticate(session, "admin", match.group(1))
        assert result.account is not None and result.account.must_change_password


def test_serve_announces_after_the_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """serve() itself, with a child that exits at once instead of the API and the workers."""
    settings = Settings(data_dir=tmp_path / "var",  # type: ignore[call-arg]
                        database_url=f"sqlite:///{tmp_path / 'fresh.db'}")
    monkeypatch.setattr(serve_module, "ensure_redis", lambda url: None)
    monkeypatch.setattr(serve_module, "_commands",
                        lambda *_: {"api": [sys.executable, "-c", "pass"]})
    monkeypatch.setattr(serve_module.signal, "signal", lambda *_: None)  # pytest keeps its own
    assert serve_module.serve(settings, "127.0.0.1", 0) == 1  # a child ended: the service stops
    assert ONE_TIME.search(capsys.readouterr().out)


@pytest.mark.parametrize("url", ["redis://:s3cr3t-pa55@redis.invalid:6390/0",
                                 "redis://intake:s3cr3t-pa55@redis.invalid:6390/0",
                                 "redis://redis.invalid:6390/0?password=s3cr3t-pa55"])
def test_no_redis_password_is_printed(url: str) -> None:
    shown = shown_url(url)
    assert "s3cr3t-pa55" not in shown and "redis.invalid:6390" in shown
    with pytest.raises(SystemExit) as stopped:
        ensure_redis(url)  # not local and not answering: the message names the URL
    assert "redis.invalid" in str(stopped.value) and "s3cr3t-pa55" not in str(stopped.value)


def test_a_url_without_password_is_printed_as_it_is() -> None:
    assert shown_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
