"""`python -m intake.cli.serve`: the whole service on one machine (what `make run` starts).

Starts Redis when the configured one is local and not running, applies the migrations, makes the
first administrator when there is none (its one-time password is printed once, here), then runs
the API (uvicorn), the workers (worker.daemons.supervisor) and, when INTAKE_WATCH_DIR is set, the watched
folder, as child processes; stops them all when one exits or on Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import signal
import subprocess
import sys
import time
from typing import TextIO
from urllib.parse import urlsplit, urlunsplit

from redis import Redis
from redis.exceptions import RedisError

from infra.database import migrate
from intake.auth.bootstrap import USERNAME, ensure_admin
from models.settings import Settings, get_settings

log = logging.getLogger("intake.cli.serve")

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def shown_url(url: str) -> str:
    """A URL as it may be printed: its password (user:password@, ?password=) hidden."""
    parts = urlsplit(url)
    if parts.password is not None:
        host = parts.netloc.rpartition("@")[2]
        user = f"{parts.username}:" if parts.username else ":"
        parts = parts._replace(netloc=f"{user}***@{host}")
    if "pass" in parts.query.lower():
        parts = parts._replace(query="***")
    return urlunsplit(parts)


def announce_admin(settings: Settings, out: TextIO) -> bool:
    """Make the first administrator when there is none and print its one-time password once
    (it is stored only as a hash, and the next start finds the administrator and prints nothing).
    Whether one was made."""
    password = ensure_admin(settings)
    if password is None:
        return False
    line = "=" * 72
    out.write(f"\n{line}\n"
              "First administrator created (no default password exists).\n"
              f"  username:           {USERNAME}\n"
              f"  one-time password:  {password}\n"
              "It is shown only this once (the database keeps only its hash) and must be\n"
              "changed at the first sign-in: /dang-nhap, then /doi-mat-khau.\n"
              f"{line}\n\n")
    out.flush()
    return True


def ensure_redis(url: str) -> None:
    """Start a local redis-server if the configured Redis is on this machine and not answering."""
    try:
        Redis.from_url(url, socket_connect_timeout=1).ping()
        return
    except RedisError:
        pass
    parts = urlsplit(url)
    binary = shutil.which("redis-server")
    if parts.hostname not in LOCAL_HOSTS or binary is None:
        raise SystemExit(f"Redis at {shown_url(url)} does not answer (install redis-server or "
                         "fix INTAKE_REDIS_URL)")
    port = str(parts.port or 6379)
    log.info("starting redis-server on port %s", port)
    # No persistence needed: the database holds the work and the workers re-queue it.
    subprocess.run([binary, "--daemonize", "yes", "--bind", "127.0.0.1", "--port", port,
                    "--save", "", "--appendonly", "no"], check=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            Redis.from_url(url, socket_connect_timeout=1).ping()
            return
        except RedisError:
            time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def _commands(settings: Settings, host: str, port: int) -> dict[str, list[str]]:
    py = sys.executable
    commands = {
        "api": [py, "-m", "intake.cli.http_server", "--host", host, "--port", str(port),
                "--workers", str(settings.api_workers)],
        "workers": [py, "-m", "worker.daemons.supervisor"],
    }
    if settings.watch_dir is not None:
        if not settings.watch_unit.strip():
            raise SystemExit("INTAKE_WATCH_DIR is set but INTAKE_WATCH_UNIT is not: name the "
                             "receiving unit of the watched folder's documents")
        commands["watch"] = [py, "-m", "intake.cli.main", "watch", str(settings.watch_dir)]
    return commands


def serve(settings: Settings, host: str, port: int) -> int:
    """Run the children until one exits or a stop signal comes; returns an exit code."""
    ensure_redis(settings.redis_url)
    migrate(settings.database)
    announce_admin(settings, sys.stdout)
    commands = _commands(settings, host, port)
    children = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
    log.info("started %s; API on http://%s:%d/", ", ".join(children), host, port)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                log.error("%s exited with %s; stopping the service", name, child.returncode)
                code, stopping = child.returncode or 1, True
                break
        time.sleep(0.5)
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children.values():
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m intake.cli.serve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return serve(get_settings(), args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
