"""Alembic environment: the database URL comes from the settings (or the engine handed in)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from infra.database import get_engine
from infra.tables import Base
from models.settings import get_settings

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run the migrations on the engine given by infra.database.migrate, or the settings' URL."""
    engine: Engine = config.attributes.get("engine") or get_engine(get_settings().database)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
