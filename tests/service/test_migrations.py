"""The Alembic migrations build exactly the tables the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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
