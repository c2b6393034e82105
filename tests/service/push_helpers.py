"""What the push tests share: confirmed documents, a webhook, outbox counts, a sender process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from infra.database import session_scope
from infra.tables import Outbox
from models.settings import Settings
from tests.service.conftest import ROOT, settings_env
from tests.service.helpers import client, ready_document

META: dict[str, Any] = {"organ_name": "BỘ NỘI VỤ", "type_name": "CÔNG VĂN",
                        "subject": "Về việc báo cáo số liệu", "issued_date": "2024-05-02"}


def confirmed(settings: Settings, n: int, **extra: Any) -> list[int]:
    """N documents confirmed through the API (in the feed), numbered 1..N."""
    ids = [ready_document(settings, {**META, "number": f"{i + 1}/BNV-VP", "code_number": str(i + 1),
                                     "code_notation": "BNV-VP", **extra}) for i in range(n)]
    with client(settings, clearance=True) as c:  # may confirm documents under a secrecy mark
        for doc_id in ids:
            assert c.post(f"/api/documents/{doc_id}/confirm").status_code == 200
    return ids


def subscribe(settings: Settings, url: str, secret: str) -> int:
    """A webhook that receives the whole feed; its id."""
    with client(settings) as c:
        r = c.post("/api/registry/subscriptions", json={"url": url, "secret": secret,
                                                        "from_start": True})
        assert r.status_code == 201 and r.json()["secret"] == secret, r.text
        return int(r.json()["id"])


def outbox_states(settings: Settings) -> dict[str, int]:
    """Outbox rows per state."""
    with session_scope(settings.database) as session:
        return dict(session.execute(select(Outbox.state, func.count()).group_by(Outbox.state)).all())


class SenderProcess:
    """`python -m worker.daemons.sender` with the test's settings (killed whole at the end)."""

    def __init__(self, settings: Settings, log: Path, **delivery: object) -> None:
        env = settings_env(settings)
        for name, value in delivery.items():
            env[f"INTAKE_{name.upper()}"] = str(value)
        self._out = log.open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "worker.daemons.sender"], cwd=ROOT, env=env,
                                     stdout=self._out, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        self._out.close()
