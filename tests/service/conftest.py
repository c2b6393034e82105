"""Fixtures of the service tests: real SQLite and PostgreSQL, real Redis, real worker processes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
from sqlalchemy import create_engine, text

from infra.database import dispose_engines, normalise_url
from models.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("INTAKE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
POSTGRES_URL = os.environ.get(
    "INTAKE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _reachable(url: str, default_port: int) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1",
                                       parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'intake.db'}"
        dispose_engines()
        return
    if not _reachable(POSTGRES_URL, 5432):
        pytest.skip(f"no PostgreSQL at {POSTGRES_URL}: apt-get install postgresql, or set "
                    "INTAKE_TEST_POSTGRES_URL")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    dispose_engines()
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def redis_url() -> str:
    """The test Redis (a separate db number); each test uses a queue of its own."""
    if not _reachable(REDIS_URL, 6379):
        pytest.skip(f"no Redis at {REDIS_URL}: apt-get install redis-server, or set "
                    "INTAKE_TEST_REDIS_URL")
    return REDIS_URL


def make_settings(tmp_path: Path, database_url: str, redis_url: str, **extra: object) -> Settings:
    """Settings of one test: its own data folder, database and queue name."""
    values: dict[str, object] = {
        "data_dir": tmp_path / "var", "database_url": database_url, "redis_url": redis_url,
        "queue_name": f"test-{uuid.uuid4().hex[:10]}", "job_workers": 1, "workers": 2,
        "reconcile_seconds": 1.0, "lease_seconds": 6.0, "retry_backoff": 1.0,
    }
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_url: str) -> Iterator[Settings]:
    """Settings for a test using the parametrised database and the test Redis."""
    settings = make_settings(tmp_path, database_url, redis_url)
    yield settings
    forget_queue(settings)


def forget_queue(settings: Settings) -> None:
    """Remove the test's queue and jobs from the shared test Redis."""
    from redis import Redis

    try:
        conn = Redis.from_url(settings.redis_url, socket_connect_timeout=2)
        keys = list(conn.scan_iter(match=f"rq:*{settings.queue_name}*", count=1000))
        if keys:
            conn.delete(*keys)
    except Exception:  # noqa: BLE001 - the server may be gone (a private one, stopped)
        pass


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process the same settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    for name in ("data_dir", "database_url", "redis_url", "queue_name", "job_workers", "workers",
                 "reconcile_seconds", "lease_seconds", "retry_backoff", "job_attempts",
                 "tool_timeout", "webhook_allowed_hosts", "webhook_allowed_networks"):
        env[f"INTAKE_{name.upper()}"] = str(getattr(settings, name))
    env["PYTHONPATH"] = str(ROOT)
    return env


class WorkerProcess:
    """`python -m worker.daemons.supervisor` in its own process group (so it can be killed whole)."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.log = log
        self._out = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "worker.daemons.supervisor"], cwd=ROOT, env=settings_env(settings),
            stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to the supervisor and every descendant at once.

        RQ puts each work horse in a session of its own, so a process-group kill would miss it;
        the whole tree is what dies when a machine or container goes down.
        """
        try:
            tree = [psutil.Process(self.proc.pid)]
            tree += tree[0].children(recursive=True)
        except psutil.NoSuchProcess:
            tree = []
        for proc in tree:
            try:
                proc.send_signal(sig)
            except psutil.NoSuchProcess:
                pass
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        psutil.wait_procs(tree, timeout=30)
        self._out.close()

    def stop(self) -> None:
        """End the test's worker tree (tests need no warm shutdown)."""
        if self.proc.poll() is None:
            self.kill(signal.SIGKILL)


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[Settings], WorkerProcess]]:
    """Start worker services for a test; every one started is stopped at the end."""
    started: list[WorkerProcess] = []

    def start(settings: Settings) -> WorkerProcess:
        worker = WorkerProcess(settings, tmp_path / "worker.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """A Redis server of this test's own, that the test may restart with its data gone."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed: apt-get install redis-server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    procs: list[subprocess.Popen[bytes]] = []

    def restart(*options: str) -> str:
        """(Re)start the server empty: no snapshot, no append-only file; `options` are more
        redis-server options (e.g. `--requirepass`); the URL returned carries no credentials."""
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        procs.append(subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(tmp_path), *options],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))
        url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while not _reachable(url, port):
            if time.monotonic() > deadline:
                raise RuntimeError("private redis-server did not start")
            time.sleep(0.05)
        return url

    yield restart
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
