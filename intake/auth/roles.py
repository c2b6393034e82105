"""The vocabulary of identity: what a person's role is, what a machine's token may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A person's role (issue 13); the clearance for secret documents is separate."""

    MAILROOM = "mailroom"  # uploads, sees its own batches
    CLERK = "clerk"  # reviews, corrects, confirms the documents of its units
    MANAGER = "manager"  # aggregate reports of its units
    ADMINISTRATOR = "administrator"  # accounts, units, tokens, webhooks, settings


class TokenScope(StrEnum):
    """What an API token may do."""

    UPLOAD = "upload"  # scanners, the watched folder: upload into one unit
    REGISTRY = "registry"  # pull ready documents, send status
