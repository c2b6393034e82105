"""What routes are given: the settings, a database session to read, and who asks.

Routes name these in their parameters (`settings: SettingsDep`, `session: ReadSession`,
`who: Clerk`) instead of reaching into `request.app.state`. Every route names exactly one of the
access rules below (the principal it answers is the current user); `RULES` lists them for the
route × role test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from infra.database import session_scope
from intake.auth.access import Rule
from intake.auth.principal import Principal
from intake.auth.roles import Role, TokenScope
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

# --- access rules (intake/auth/access.py): one per route ----------------------------------------
PEOPLE = tuple(Role)
PUBLIC = Rule("public", public=True)  # sign-in page, health, API description, static files
SIGNED_IN = Rule("signed_in", roles=PEOPLE)  # any person (home, sign-out)
PASSWORD = Rule("password", roles=PEOPLE, password_change=True)  # the password page
UPLOAD = Rule("upload", roles=(Role.MAILROOM, Role.CLERK), scopes=(TokenScope.UPLOAD,))
CLERK = Rule("clerk", roles=(Role.CLERK,))
DOCUMENT_FILE = Rule("document_file", roles=(Role.CLERK,), scopes=(TokenScope.REGISTRY,))
REGISTRY = Rule("registry", scopes=(TokenScope.REGISTRY,))
MANAGER = Rule("manager", roles=(Role.MANAGER,))
ADMINISTRATOR = Rule("administrator", roles=(Role.ADMINISTRATOR,))
RULES = (PUBLIC, SIGNED_IN, PASSWORD, UPLOAD, CLERK, DOCUMENT_FILE, REGISTRY, MANAGER,
         ADMINISTRATOR)

Public = Annotated[None, Depends(PUBLIC)]
SignedIn = Annotated[Principal, Depends(SIGNED_IN)]
PasswordPage = Annotated[Principal, Depends(PASSWORD)]
Uploader = Annotated[Principal, Depends(UPLOAD)]  # mailroom, clerk, upload token
Clerk = Annotated[Principal, Depends(CLERK)]
ClerkOrRegistry = Annotated[Principal, Depends(DOCUMENT_FILE)]
Registry = Annotated[Principal, Depends(REGISTRY)]
Manager = Annotated[Principal, Depends(MANAGER)]
Administrator = Annotated[Principal, Depends(ADMINISTRATOR)]
