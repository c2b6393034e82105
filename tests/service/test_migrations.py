"""The Alembic migrations build exactly the tables the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from infra.database import get_engine, migrate
from infra.tables import Base

# Search machinery made by migrations only (FTS5 table, tsvector columns and their indexes).
_SEARCH = ("search_", "document_search", "ix_documents_search")


def _relevant(diff: object) -> bool:
    text = repr(diff)
    return not any(name in text for name in _SEARCH)


def test_migrations_match_models(database_url: str) -> None:
    migrate(database_url)
    engine = get_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = [d for d in compare_metadata(context, Base.metadata) if _relevant(d)]
    assert diffs == [], f"models and migrations differ: {diffs}"


# The triggers the reports' counts and the append-only audit log depend on. SQLite drops a
# table's triggers when a migration recreates the table (`batch_alter_table`): a later
# migration that does so must create them again, or the monthly figures silently stop moving.
_TRIGGERS = {
    "sqlite": {"audit_log_no_delete", "audit_log_no_update", "report_facts_insert",
               "report_facts_update", "report_facts_delete", "report_facts_page_insert",
               "report_facts_page_update", "report_facts_refused"},
    "postgresql": {"audit_log_no_change", "audit_log_no_truncate", "report_facts_documents",
                   "report_facts_pages", "report_facts_refused"},
}
_LIST = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
    "postgresql": "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                  "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace",
}


def test_migrations_leave_the_triggers_in_place(database_url: str) -> None:
    migrate(database_url)
    engine = get_engine(database_url)
    with engine.connect() as conn:
        present = {r[0] for r in conn.execute(text(_LIST[engine.dialect.name]))}
    missing = _TRIGGERS[engine.dialect.name] - present
    assert not missing, f"triggers missing after the migrations: {sorted(missing)}"
