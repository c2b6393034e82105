"""A real webhook receiver for the delivery tests: a threaded http.server with injected failures.

It verifies each signature and its timestamp as docs/DELIVERY.md tells a registry to
(`verify_push`), de-duplicates by Idempotency-Key, and follows a plan per (key, attempt): "ok",
"500" (with a body the sender must not keep), "slow" (processes, then answers after
`slow_seconds`, so the sender times out and sends it again), "400". `stop()` closes the port
(refused connections). It counts every connection (`contacts`) and keeps each signed push as
received (`pushes`), so a test can replay one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Plan = Callable[[str, int], str]
MAX_AGE = 300  # seconds a push's timestamp may differ from the receiver's clock
ERROR_BODY = b"receiver internals: db password hunter2, stack trace at /srv/registry/app.py:42"
# The settings that let the sender reach a receiver on loopback (refused by default).
LOOPBACK_ONLY = {"webhook_allowed_hosts": "127.0.0.1", "webhook_allowed_networks": "127.0.0.1/32"}


def verify_push(secret: bytes, body: bytes, timestamp: str, signature: str, now: float) -> bool:
    """A registry's check of a push: a fresh timestamp, and the HMAC over `<timestamp>.<body>`."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_AGE:
        return False
    expected = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, signature)


def free_port() -> int:
    """A TCP port nobody listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Receiver:
    """Records what arrives: every attempt, the first body per key, duplicates, bad signatures."""

    def __init__(self, secret: str, plan: Plan | None = None, slow_seconds: float = 1.0) -> None:
        self.secret = secret.encode()
        self.plan: Plan = plan or (lambda key, attempt: "ok")
        self.slow_seconds = slow_seconds
        self.port = free_port()
        self.lock = threading.Lock()
        self.attempts: dict[str, int] = {}
        self.accepted: dict[str, dict[str, Any]] = {}
        self.duplicates = 0
        self.bad_signatures = 0
        self.contacts = 0
        self.pushes: list[tuple[dict[str, str], bytes]] = []
        self.clock: Callable[[], float] = time.time
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        """Listen (again) on the same port."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.handle(self, body)

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True

            def verify_request(self, request: object, client_address: object) -> bool:
                with receiver.lock:
                    receiver.contacts += 1
                return True

        self._server = Server(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until start()."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def handle(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        key = request.headers.get("Idempotency-Key", "")
        with self.lock:
            if not verify_push(self.secret, body, request.headers.get("X-Intake-Timestamp", ""),
                               request.headers.get("X-Intake-Signature", ""), self.clock()):
                self.bad_signatures += 1
                self._answer(request, 401)
                return
            self.pushes.append((dict(request.headers.items()), body))
            self.attempts[key] = attempt = self.attempts.get(key, 0) + 1
        action = self.plan(key, attempt)
        if action in ("500", "400"):
            self._answer(request, int(action), ERROR_BODY)
            return
        with self.lock:  # processed once per key, however often it comes
            if key in self.accepted:
                self.duplicates += 1
            else:
                self.accepted[key] = json.loads(body)
        if action == "slow":
            time.sleep(self.slow_seconds)
        self._answer(request, 200)

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, body: bytes = b"") -> None:
        try:
            request.send_response(status)
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except OSError:
            pass  # the sender gave up waiting
