"""Live progress as server-sent events: workers publish a wake-up, the stream reads the database."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio

from documents.visibility import EVERYTHING, Viewer
from infra.database import session_scope
from infra.queue import connect_async, progress_channel
from intake.services.views import batch_view
from models.errors import IntakeError
from models.settings import Settings
from models.vocabulary import BatchStatus

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 15.0
WAKE_SECONDS = 2.0  # without a wake-up from Redis the database is read this often
FINAL = {BatchStatus.DONE, BatchStatus.FAILED}


def _snapshot(url: str, batch_id: int, viewer: Viewer) -> dict[str, Any]:
    with session_scope(url) as session:
        return batch_view(session, batch_id, viewer)


def _event(name: str, data: dict[str, Any]) -> str:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {name}\ndata: {payload}\n\n"


async def _subscribe(settings: Settings, batch_id: int) -> Any:
    """A pub/sub subscription, or None when Redis is down (the stream then reads on a timer)."""
    try:
        client = connect_async(settings.redis_url)
        pubsub = client.pubsub()
        await pubsub.subscribe(progress_channel(batch_id))
        return pubsub
    except Exception:  # noqa: BLE001 - progress still flows from the database
        log.info("no Redis for batch %s events; reading the database on a timer", batch_id)
        return None


async def _wait(pubsub: Any) -> None:
    if pubsub is None:
        await anyio.sleep(WAKE_SECONDS)
        return
    try:
        await pubsub.get_message(ignore_subscribe_messages=True, timeout=WAKE_SECONDS)
    except Exception:  # noqa: BLE001 - fall back to the timer if Redis went away mid-stream
        await anyio.sleep(WAKE_SECONDS)


async def batch_events(settings: Settings, batch_id: int,
                       viewer: Viewer = EVERYTHING) -> AsyncIterator[str]:
    """`progress` events whenever the batch changes, then one `done` event; comments keep alive.
    Documents `viewer` may not see are left out of every event."""
    pubsub = await _subscribe(settings, batch_id)
    last: dict[str, Any] | None = None
    last_sent = time.monotonic()
    try:
        while True:
            try:
                snap = await anyio.to_thread.run_sync(_snapshot, settings.database, batch_id,
                                                   viewer)
            except IntakeError as exc:
                yield _event("error", {"error": exc.to_dict()})
                return
            if snap != last:
                yield _event("progress", snap)
                last, last_sent = snap, time.monotonic()
            if snap["status"] in FINAL:
                yield _event("done", {"id": batch_id, "status": snap["status"]})
                return
            if time.monotonic() - last_sent > KEEPALIVE_SECONDS:
                yield ": keep-alive\n\n"
                last_sent = time.monotonic()
            await _wait(pubsub)
    finally:
        if pubsub is not None:
            with anyio.CancelScope(shield=True):
                try:
                    await pubsub.aclose()
                except Exception:  # noqa: BLE001 - closing a dead connection may fail
                    pass
