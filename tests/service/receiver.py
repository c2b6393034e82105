"""A real webhook receiver for the delivery tests: a threaded http.server with injected failures.

It verifies each signature, de-duplicates by Idempotency-Key as a registry should, and follows a
plan per (key, attempt): "ok", "500", "slow" (processes, then answers after `slow_seconds`, so the
sender times out and sends it again), "400". `stop()` closes the port (refused connections).
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

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
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
        expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        with self.lock:
            if not hmac.compare_digest(expected, request.headers.get("X-Intake-Signature", "")):
                self.bad_signatures += 1
                self._answer(request, 401)
                return
            self.attempts[key] = attempt = self.attempts.get(key, 0) + 1
        action = self.plan(key, attempt)
        if action in ("500", "400"):
            self._answer(request, int(action))
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
    def _answer(request: BaseHTTPRequestHandler, status: int) -> None:
        try:
            request.send_response(status)
            request.send_header("Content-Length", "0")
            request.end_headers()
        except OSError:
            pass  # the sender gave up waiting
