"""Who the push sender may reach: the webhook host allow-list and the address rules (issue 13).

A webhook URL is accepted, and later contacted, only when
1. its host is on the allow-list (exact names, or shell patterns such as `*.qlvb.example.gov.vn`;
   an IP literal is listed as itself), and
2. every address the host resolves to is public: loopback, link-local, private, multicast,
   reserved, unspecified, other non-global ranges and the cloud metadata addresses are refused,
   unless the address lies in an explicitly allowed network.

The same check runs when a webhook is added (documents/delivery.py) and at each new connection of
the sender (infra/pinned_client.py connects to the address it checked, so a DNS answer that
changes between check and connection cannot point the push at an internal address).
`webhook_policy` is the one place the lists come from: today the settings, later the
administrators' page.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
import idna

from models.settings import Settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

# Instance metadata services (AWS, GCP, Azure, OpenStack at 169.254.169.254; AWS over IPv6):
# named on their own because reaching one hands out the machine's cloud credentials.
METADATA = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# The kinds of address refused, checked in this order (the first that applies is named).
REFUSED_KINDS: tuple[tuple[str, Callable[[Address], bool]], ...] = (
    ("cloud metadata", lambda a: a in METADATA),
    ("unspecified", lambda a: a.is_unspecified),
    ("loopback", lambda a: a.is_loopback),
    ("link-local", lambda a: a.is_link_local),
    ("multicast", lambda a: a.is_multicast),
    ("reserved", lambda a: a.is_reserved),
    ("private", lambda a: a.is_private),
    ("non-public", lambda a: not a.is_global),  # e.g. 100.64.0.0/10 (carrier-grade NAT)
)


class TargetRefused(Exception):
    """The webhook's host is not allowed, or resolves to an address that is not (message says which)."""


class HostUnresolved(Exception):
    """The webhook's host has no address right now (DNS failure: may pass later)."""


def system_resolve(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver, in the order it gives them, once each."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def normalise_host(host: str) -> str:
    """Lower-case ASCII (IDNA) form without the trailing dot, as hosts and patterns are compared."""
    host = host.strip().lower().rstrip(".")
    return ".".join(label if label.isascii() else idna.encode(label, uts46=True).decode("ascii")
                    for label in host.split("."))


def _embedded_v4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64): checked like the IPv4 one."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refused_kind(address: Address) -> str | None:
    """Why an address may not be reached without an explicit allowance (None: it is public).

    An IPv6 address that carries an IPv4 one is judged by the IPv4 address it leads to."""
    embedded = _embedded_v4(address)
    candidate = address if embedded is None else embedded
    for kind, applies in REFUSED_KINDS:
        if applies(candidate):
            return kind
    return None


@dataclass(frozen=True)
class WebhookPolicy:
    """The allow-list of hosts and the networks allowed although not public."""

    hosts: tuple[str, ...]
    networks: tuple[Network, ...]
    # Where the lists are changed, named in refusals (a setting today).
    hosts_source: str = "INTAKE_WEBHOOK_ALLOWED_HOSTS"
    networks_source: str = "INTAKE_WEBHOOK_ALLOWED_NETWORKS"

    @classmethod
    def parse(cls, hosts: str | Sequence[str], networks: str | Sequence[str]) -> WebhookPolicy:
        """From comma-separated lists (or sequences); a malformed network raises ValueError."""
        def items(value: str | Sequence[str]) -> list[str]:
            parts = value.split(",") if isinstance(value, str) else list(value)
            return [p.strip() for p in parts if p.strip()]

        parsed = []
        for item in items(networks):
            try:
                parsed.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise ValueError(f"webhook allowed networks: {item!r} is not an address or "
                                 f"network ({exc})") from None
        return cls(tuple(normalise_host(h) for h in items(hosts)), tuple(parsed))

    def check_host(self, host: str) -> str:
        """The host, normalised, if it is on the allow-list; else TargetRefused naming it."""
        name = normalise_host(host)
        if not any(fnmatch.fnmatchcase(name, pattern) for pattern in self.hosts):
            raise TargetRefused(f"host {name!r} is not on the webhook allow-list "
                                f"({self.hosts_source})")
        return name

    def check_address(self, host: str, address: str) -> None:
        """TargetRefused when the address is not public and not in an allowed network."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
        forms = [a for a in (ip, _embedded_v4(ip)) if a is not None]
        if any(a in net for net in self.networks for a in forms):
            return
        kind = refused_kind(ip)
        if kind is not None:
            article = "an" if kind[0] in "aeiou" else "a"
            raise TargetRefused(f"host {host!r} resolves to {ip}, {article} {kind} address, which "
                                f"is not in an allowed network ({self.networks_source})")

    def resolve(self, host: str, port: int, resolver: Resolver = system_resolve) -> list[str]:
        """The addresses to connect to: the host allowed, resolved once, every address checked."""
        name = self.check_host(host)
        try:
            addresses = resolver(name, port)
        except (OSError, UnicodeError) as exc:
            raise HostUnresolved(f"host {name!r} cannot be resolved ({type(exc).__name__})") from None
        if not addresses:
            raise HostUnresolved(f"host {name!r} has no address")
        for address in addresses:
            self.check_address(name, address)
        return addresses


def target_of(url: str) -> tuple[str, int]:
    """Host and port of a webhook URL, parsed as the HTTP client parses it (http and https only)."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, UnicodeError) as exc:
        raise TargetRefused(f"{url!r} is not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise TargetRefused(f"{url!r} is not an http(s) URL")
    return parsed.raw_host.decode("ascii"), parsed.port or (443 if parsed.scheme == "https" else 80)


def check_url(policy: WebhookPolicy, url: str, resolver: Resolver = system_resolve) -> list[str]:
    """Check a webhook URL now (host on the list, every resolved address allowed); its addresses."""
    host, port = target_of(url)
    return policy.resolve(host, port, resolver)


def webhook_policy(settings: Settings) -> WebhookPolicy:
    """The policy in force. The one source of the lists: the settings today (the administrators'
    page will replace this function's body, nothing else)."""
    return WebhookPolicy.parse(settings.webhook_allowed_hosts, settings.webhook_allowed_networks)
