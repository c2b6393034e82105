"""Migration 0006 (identity and audit tables, audit trigger) goes down and up again cleanly."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from infra.database import MIGRATIONS_DIR, get_engine, migrate, normalise_url

TABLES = {"units", "accounts", "account_units", "sessions", "api_tokens", "audit_log"}


def _alembic(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    config.attributes["engine"] = get_engine(url)
    return config


def _triggers(url: str) -> set[str]:
    engine = get_engine(url)
    query = ("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
             if engine.dialect.name == "sqlite"
             else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                  "AND tgrelid::regclass::text = 'audit_log'")
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text(query))}


def test_downgrade_and_upgrade_again(database_url: str) -> None:
    migrate(database_url)
    engine = get_engine(database_url)
    triggers = ({"audit_log_no_update", "audit_log_no_delete"} if engine.dialect.name == "sqlite"
                else {"audit_log_no_change", "audit_log_no_truncate"})
    assert TABLES <= set(inspect(engine).get_table_names())
    assert _triggers(database_url) == triggers
    command.downgrade(_alembic(database_url), "0005")
    assert not TABLES & set(inspect(engine).get_table_names())
    assert _triggers(database_url) == set()
    command.upgrade(_alembic(database_url), "head")
    assert TABLES <= set(inspect(engine).get_table_names())
    assert _triggers(database_url) == triggers
