"""The webhook policy and the pinned client: allow-list, address rules, one lookup per connection,
the connection made to the checked address, Host/SNI/certificate for the name, no redirects.

Narrow unit tests: the resolver is a table (a real resolver cannot be made to change its answer
between two lookups); the servers are real, on loopback, plain HTTP and TLS.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from infra.pinned_client import pinned_client
from infra.webhook_policy import (
    HostUnresolved,
    TargetRefused,
    WebhookPolicy,
    check_url,
    refused_kind,
)

KINDS = {
    "127.0.0.1": "loopback", "::1": "loopback", "10.1.2.3": "private", "172.16.5.4": "private",
    "192.168.0.1": "private", "fc00::1": "private", "169.254.169.254": "cloud metadata",
    "fd00:ec2::254": "cloud metadata", "169.254.1.1": "link-local", "fe80::1": "link-local",
    "224.0.0.1": "multicast", "ff02::1": "multicast", "0.0.0.0": "unspecified",
    "::": "unspecified", "240.0.0.1": "reserved", "100.64.0.1": "non-public",
    # IPv6 forms that lead to an IPv4 address are judged by it.
    "::ffff:127.0.0.1": "loopback", "64:ff9b::a9fe:a9fe": "cloud metadata",
    "2002:0a00:0001::": "private",
    "8.8.8.8": None, "2001:4860:4860::8888": None, "::ffff:8.8.8.8": None,
}


@pytest.mark.parametrize(("address", "kind"), KINDS.items())
def test_address_kinds(address: str, kind: str | None) -> None:
    assert refused_kind(ipaddress.ip_address(address)) == kind


def test_host_allow_list_names_and_patterns() -> None:
    policy = WebhookPolicy.parse("*.qlvb.example.gov.vn, Registry.Example.org., bộnộivụ.vn", "")
    for host in ("a.qlvb.example.gov.vn", "b.a.qlvb.example.gov.vn", "registry.example.org",
                 "REGISTRY.example.org.", "xn--bniv-5y5ab0g.vn", "BộNộiVụ.vn"):
        policy.check_host(host)
    for host in ("qlvb.example.gov.vn", "registry.example.org.evil.test", "evilqlvb.example.gov.vn",
                 "example.org", "127.0.0.1"):
        with pytest.raises(TargetRefused, match="not on the webhook allow-list"):
            policy.check_host(host)
    with pytest.raises(TargetRefused, match="INTAKE_WEBHOOK_ALLOWED_HOSTS"):
        WebhookPolicy.parse("", "").check_host("registry.example.org")


def test_allowed_networks() -> None:
    policy = WebhookPolicy.parse("*", "10.20.0.0/16, 127.0.0.1, fd12::/16")
    for address in ("10.20.3.4", "127.0.0.1", "::ffff:127.0.0.1", "fd12::5", "8.8.8.8"):
        policy.check_address("h", address)
    for address, kind in (("10.21.0.1", "private"), ("127.0.0.2", "loopback"),
                          ("169.254.169.254", "cloud metadata"), ("fd13::1", "private")):
        with pytest.raises(TargetRefused, match=f"resolves to .*a {kind} address"):
            policy.check_address("h", address)
    with pytest.raises(ValueError, match="10.0.0.0/33"):
        WebhookPolicy.parse("*", "10.0.0.0/33")


def test_every_resolved_address_is_checked() -> None:
    policy = WebhookPolicy.parse("hook.test, 2130706433", "")
    table = {"hook.test": ["93.184.215.14", "10.0.0.7"]}
    with pytest.raises(TargetRefused, match="10.0.0.7, a private address"):
        check_url(policy, "https://hook.test/x", lambda host, port: table[host])
    with pytest.raises(HostUnresolved):
        check_url(policy, "https://hook.test/x", lambda host, port: [])
    # A decimal address is what the system resolver makes of it: 127.0.0.1, refused.
    with pytest.raises(TargetRefused, match="loopback"):
        check_url(policy, "http://2130706433/x")
    for url in ("ftp://hook.test/x", "hook.test/x", "http:///x"):
        with pytest.raises(TargetRefused, match="not an http"):
            check_url(policy, url)


class Resolver:
    """A DNS that changes its answer: one entry of `answers` per lookup, counted."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class Server:
    """A loopback HTTP(S) server recording the Host header and the TLS server name of each request."""

    def __init__(self, tls: ssl.SSLContext | None = None, redirect: bool = False) -> None:
        self.hosts: list[str] = []
        self.server_names: list[str | None] = []
        record = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                record.hosts.append(self.headers.get("Host", ""))
                self.send_response(302 if redirect and self.path == "/" else 200)
                if redirect:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            tls.sni_callback = lambda sock, name, ctx: record.server_names.append(name)  # type: ignore[assignment, misc]
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = int(self.httpd.server_address[1])
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


LOOPBACK = WebhookPolicy.parse("hook.test, other.test", "127.0.0.1/32")


def test_connection_pinned_to_the_checked_address_one_lookup_each(server: Server) -> None:
    # The first lookup answers loopback (allowed here), the next a private address: the second
    # connection (http.server closes each one) is refused before anything is sent.
    dns = Resolver(["127.0.0.1"], ["10.0.0.1"])
    with pinned_client(lambda: LOOPBACK, 5, 4, resolve=dns) as client:
        url = f"http://hook.test:{server.port}/"
        assert client.get(url).status_code == 200
        assert dns.lookups == ["hook.test"] and server.hosts == [f"hook.test:{server.port}"]
        with pytest.raises(TargetRefused, match="10.0.0.1, a private address"):
            client.get(url)
    assert dns.lookups == ["hook.test", "hook.test"] and len(server.hosts) == 1


def test_one_refused_address_refuses_the_host(server: Server) -> None:
    dns = Resolver(["127.0.0.1", "169.254.169.254"])
    with pinned_client(lambda: LOOPBACK, 5, 4, resolve=dns) as client, \
            pytest.raises(TargetRefused, match="cloud metadata"):
        client.get(f"http://hook.test:{server.port}/")
    assert server.hosts == []


def test_unresolvable_host_is_a_connection_error(server: Server) -> None:
    def fail(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    with pinned_client(lambda: LOOPBACK, 5, 4, resolve=fail) as client, \
            pytest.raises(httpx.ConnectError, match="cannot be resolved"):
        client.get(f"http://hook.test:{server.port}/")


def test_redirects_not_followed() -> None:
    server = Server(redirect=True)
    try:
        with pinned_client(lambda: LOOPBACK, 5, 4, resolve=Resolver(["127.0.0.1"])) as client:
            assert client.get(f"http://hook.test:{server.port}/").status_code == 302
        assert len(server.hosts) == 1
    finally:
        server.close()


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path, str]:
    """A self-signed certificate for `name`: certificate file, key file, PEM to trust."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "cert.pem").write_bytes(pem)
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return tmp_path / "cert.pem", tmp_path / "key.pem", pem.decode()


def test_tls_server_name_and_certificate_are_checked_for_the_host_name(tmp_path: Path) -> None:
    cert, key, pem = _certificate(tmp_path, "hook.test")
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server = Server(tls)
    trust = ssl.create_default_context(cadata=pem)
    try:
        dns = Resolver(["127.0.0.1"])
        with pinned_client(lambda: LOOPBACK, 5, 4, ssl_context=trust, resolve=dns) as client:
            assert client.get(f"https://hook.test:{server.port}/").status_code == 200
            assert server.server_names == ["hook.test"]
            assert server.hosts == [f"hook.test:{server.port}"]
            # Same address, another name: the certificate (for hook.test) does not match it.
            with pytest.raises(httpx.ConnectError, match="certificate"):
                client.get(f"https://other.test:{server.port}/")
        assert server.hosts == [f"hook.test:{server.port}"]
    finally:
        server.close()
