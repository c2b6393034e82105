"""Database connection: one engine per URL, SQLite tuned for concurrency, migrations at start."""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import infra.arrival  # noqa: F401  (registers the arrival-number hook on every Session)

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs (psycopg2 is not installed)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL lets readers work while a writer commits; busy_timeout makes writers wait, not fail."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    """Writers take the lock at BEGIN so they queue (busy_timeout) instead of failing on upgrade."""
    immediate = conn.get_execution_options().get("intake_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def insert_ignoring_conflicts(session: Session, table: Any, **values: Any) -> Any:
    """`INSERT ... ON CONFLICT DO NOTHING` in the session's dialect (PostgreSQL or SQLite): a row
    another transaction inserted meanwhile is not an error. Returns the statement's result
    (`rowcount` 0 when nothing was inserted)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return session.execute(insert(table).values(**values).on_conflict_do_nothing())


def get_engine(url: str) -> Engine:
    """The process-wide engine for `url` (created once, shared by threads)."""
    url = normalise_url(url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create(url)
            _engines[url] = engine
        return engine


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20
        )
        # pysqlite's own transaction handling is turned off so BEGIN IMMEDIATE is ours.
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(
            engine, "connect", lambda c, _r: setattr(c, "isolation_level", None), insert=True
        )
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def dispose_engines() -> None:
    """Close every pooled connection (after fork, and in tests)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(url: str, *, write: bool = False) -> Iterator[Session]:
    """A session committed on success, rolled back on error; `write=True` if it will write."""
    session = Session(get_engine(url), expire_on_commit=False)
    if write:
        session.connection(execution_options={"intake_write": True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def migrate(url: str) -> None:
    """Bring the database schema to the newest Alembic revision (run at every start)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    config.attributes["engine"] = get_engine(url)
    with _lock_for_migrations(url):
        command.upgrade(config, "head")


@contextmanager
def _lock_for_migrations(url: str) -> Iterator[None]:
    """Two processes starting at once must not both create tables (advisory lock / file lock)."""
    engine = get_engine(url)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            yield
            return
        with open(f"{database}.migrate.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT pg_advisory_lock(724001)")
        conn.commit()
        try:
            yield
        finally:
            conn.exec_driver_sql("SELECT pg_advisory_unlock(724001)")
            conn.commit()
