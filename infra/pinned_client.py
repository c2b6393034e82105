"""The push sender's HTTP client: every connection goes to an address checked a moment before.

httpx normally resolves the host itself when it connects, after any check we could make: a DNS
answer that changes in between (DNS rebinding) would send the push to an internal address. Here
the connection pool's network backend resolves the host once, checks the host and every address
with the webhook policy (infra/webhook_policy.py) and connects to a checked address. Everything
else stays httpx's: the URL keeps its host name, so the `Host` header, TLS SNI and the
certificate check are for the name. Redirects are not followed and proxy variables are ignored
(a proxy would resolve the name itself).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterable

import httpcore
import httpx

from infra.webhook_policy import HostUnresolved, Resolver, WebhookPolicy, system_resolve


class PinnedBackend(httpcore.NetworkBackend):
    """Resolves and checks the host, then connects to the checked addresses, in order."""

    def __init__(self, policy: Callable[[], WebhookPolicy],
                 resolve: Resolver = system_resolve) -> None:
        self.policy = policy
        self.resolve = resolve
        self.tcp = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                    ) -> httpcore.NetworkStream:
        try:  # TargetRefused passes through: the caller parks the delivery
            addresses = self.policy().resolve(host, port, self.resolve)
        except HostUnresolved as exc:
            raise httpcore.ConnectError(str(exc)) from None
        failure: Exception | None = None
        for address in addresses:
            try:
                return self.tcp.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                            ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("webhooks are reached over TCP only")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """httpx's transport (request and error mapping) over a pool on the pinned backend."""

    def __init__(self, backend: PinnedBackend, ssl_context: ssl.SSLContext,
                 limits: httpx.Limits) -> None:
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, network_backend=backend)


def pinned_client(policy: Callable[[], WebhookPolicy], timeout: float, max_connections: int,
                  ssl_context: ssl.SSLContext | None = None,
                  resolve: Resolver = system_resolve) -> httpx.Client:
    """A client whose connections are checked by `policy()` and pinned; no redirects, no proxy."""
    context = ssl_context or httpx.create_ssl_context(trust_env=False)
    transport = PinnedTransport(PinnedBackend(policy, resolve), context,
                                httpx.Limits(max_connections=max_connections))
    return httpx.Client(transport=transport, timeout=timeout, follow_redirects=False,
                        trust_env=False)
