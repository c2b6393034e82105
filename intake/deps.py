"""Who acts: the `X-Intake-User` header (a stand-in for the agency's login) and its history name."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from fastapi import Header

User = Annotated[str | None, Header(alias="X-Intake-User", description="who acts (history)")]


def actor(user: str | None) -> str:
    """The history's name of a person: `user:<name>`.

    Header values are Latin-1: pages send a Vietnamese name percent-encoded (UTF-8)."""
    return f"user:{unquote(user or 'anonymous').strip()[:90]}"
