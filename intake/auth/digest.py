"""The stored form of a random credential (session or API token): its SHA-256."""

from __future__ import annotations

import hashlib


def token_hash(token: str) -> str:
    """SHA-256 hex of a random token; sessions and API tokens are looked up by it."""
    return hashlib.sha256(token.encode()).hexdigest()
