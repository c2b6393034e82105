"""GIN index on the exact (with diacritics) search vector: the exact tier of search is indexed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision (PostgreSQL only; SQLite's FTS table indexes both columns)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_documents_search_exact "
            "ON documents USING gin (search_exact_vector)"
        )


def downgrade() -> None:
    """Undo this revision."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_documents_search_exact")
