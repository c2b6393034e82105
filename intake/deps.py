"""What routes are given: the settings, a database session to read, and who acts.

Routes name these in their parameters (`settings: SettingsDep`, `session: ReadSession`,
`who: Actor`) instead of reaching into `request.app.state`. The acting person is today the
`X-Intake-User` header (a stand-in for the agency's login); a login will be read here instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from infra.database import session_scope
from models.settings import Settings


def app_settings(request: Request) -> Settings:
    """The settings the app was built with (read at startup when not given)."""
    return request.app.state.settings  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(app_settings)]


def read_session(settings: SettingsDep) -> Iterator[Session]:
    """A session for reading, closed as soon as the route returns.

    Writes go through the document layer's own `session_scope(..., write=True)`; a route that
    writes and then answers with a view reads here afterwards (the session starts its transaction
    at its first query)."""
    with session_scope(settings.database) as session:
        yield session


ReadSession = Annotated[Session, Depends(read_session, scope="function")]

User = Annotated[str | None, Header(alias="X-Intake-User", description="who acts (history)")]


def actor(user: str | None) -> str:
    """The history's name of a person: `user:<name>`.

    Header values are Latin-1: pages send a Vietnamese name percent-encoded (UTF-8)."""
    return f"user:{unquote(user or 'anonymous').strip()[:90]}"


def acting_person(user: User = None) -> str:
    """Who acts, as the history names them."""
    return actor(user)


Actor = Annotated[str, Depends(acting_person)]
