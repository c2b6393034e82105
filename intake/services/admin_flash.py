"""What an administrators' page says after a POST: the message, and a secret to show once.

After a POST the page redirects (303) to `…?thong-bao=<id>`; the message waits in Redis under
that id and the administrator's account for FLASH_TTL and is taken (GETDEL) by the first page that
shows it. A one-time password, an API token or a webhook's HMAC key is shown this way exactly once:
it never goes into an address (browser history, proxy logs), a cookie or the database, and every
API process reads the same Redis.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass

from infra.queue import connect
from intake.auth.principal import Principal
from models.settings import Settings

FLASH_TTL = 300  # seconds a message waits for its page
PARAM = "thong-bao"  # the query parameter naming the message
_ID = re.compile(r"[A-Za-z0-9_-]{22}")


@dataclass(frozen=True)
class Flash:
    """A message for the next page: good news or a refusal, with an optional secret."""

    message: str
    ok: bool = True
    secret: str = ""  # shown once, with secret_label
    secret_label: str = ""


def _key(who: Principal, flash_id: str) -> str:
    return f"intake:admin-flash:{who.id}:{flash_id}"


def put(settings: Settings, who: Principal, flash: Flash) -> str:
    """Keep `flash` for `who`'s next page; the id goes into the redirect's address."""
    flash_id = secrets.token_urlsafe(16)
    connect(settings.redis_url).set(_key(who, flash_id), json.dumps(flash.__dict__),
                                    ex=FLASH_TTL)
    return flash_id


def take(settings: Settings, who: Principal, flash_id: str | None) -> Flash | None:
    """The message of `flash_id` for `who`, removed as it is read (None: unknown, taken,
    expired or someone else's)."""
    if not flash_id or not _ID.fullmatch(flash_id) or who.kind != "account":
        return None
    raw = connect(settings.redis_url).getdel(_key(who, flash_id))
    return Flash(**json.loads(raw)) if raw else None


def target(path: str, flash_id: str) -> str:
    """The address a POST redirects to."""
    return f"{path}?{PARAM}={flash_id}"
