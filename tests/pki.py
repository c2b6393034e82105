"""A test PKI made with `cryptography`, offline, once per test session.

    root CA ─ intermediate CA ─┬─ agency      (RSA 2048, SHA-256, digitalSignature+nonRepudiation)
                               ├─ expired     (same, valid until yesterday)
                               ├─ revoked     (same, listed in the intermediate's CRL and OCSP)
                               ├─ tsa         (extended key usage timeStamping, critical)
    untrusted (self-signed, not under the root)

Every signing certificate names the loopback server of this module in its CRL distribution point
and its OCSP access location, so a validator can fetch revocation data for real: the server
(`PKI.base_url`) answers `/crl/intermediate.crl` (DER CRL), `/ocsp` (RFC 6960, responses signed by
the intermediate itself) and `/tsa` (RFC 3161, pyHanko's DummyTimeStamper with the `tsa`
certificate). Files in `PKI.dir`: `<name>.key.pem`, `<name>.cert.pem`, `<name>.p12` (password
`PKCS12_PASSWORD`, chain included) for each identity, `root.cert.pem`, `intermediate.cert.pem`,
`chain.pem` (intermediate + root), `intermediate.crl`.

Use the session fixture `pki` (registered for all tests through tests/conftest.py), or
`build_pki(directory)` outside pytest (benchmarks).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PKCS12_PASSWORD = "test-pass"  # noqa: S105 - a test fixture's password, printed on purpose
AGENCY_NAME = "Văn phòng UBND tỉnh Thử nghiệm"


@dataclass(frozen=True)
class Identity:
    """A certificate with its key, in memory and on disk."""

    name: str
    cert: x509.Certificate
    key: rsa.RSAPrivateKey
    key_file: Path
    cert_file: Path
    pkcs12_file: Path
    pkcs12_password: str = PKCS12_PASSWORD

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())


@dataclass
class PKI:
    dir: Path
    base_url: str
    root: Identity
    intermediate: Identity
    agency: Identity
    expired: Identity
    revoked: Identity
    tsa: Identity
    untrusted: Identity
    crl_file: Path
    chain_file: Path
    revoked_serials: set[int] = field(default_factory=set)

    @property
    def crl_url(self) -> str:
        return f"{self.base_url}/crl/intermediate.crl"

    @property
    def ocsp_url(self) -> str:
        return f"{self.base_url}/ocsp"

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/tsa"


def _name(common: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Intake test PKI"),
        x509.NameAttribute(NameOID.COMMON_NAME, common),
    ])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write(directory: Path, name: str, cert: x509.Certificate, key: rsa.RSAPrivateKey,
           chain: list[x509.Certificate]) -> Identity:
    key_file, cert_file = directory / f"{name}.key.pem", directory / f"{name}.cert.pem"
    p12_file = directory / f"{name}.p12"
    ident = Identity(name, cert, key, key_file, cert_file, p12_file)
    key_file.write_bytes(ident.key_pem)
    key_file.chmod(0o600)
    cert_file.write_bytes(ident.cert_pem)
    p12_file.write_bytes(pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, chain or None,
        serialization.BestAvailableEncryption(PKCS12_PASSWORD.encode())))
    return ident


def _cert(subject: str, key: rsa.RSAPrivateKey, issuer: x509.Certificate | None,
          issuer_key: rsa.RSAPrivateKey | None, *, ca: bool, not_before: dt.datetime,
          not_after: dt.datetime, base_url: str | None = None, tsa: bool = False,
          ) -> x509.Certificate:
    issuer_name = issuer.subject if issuer is not None else _name(subject)
    builder = (x509.CertificateBuilder()
               .subject_name(_name(subject)).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False))
    if issuer_key is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False)
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=not tsa, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    if base_url is not None and not ca:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier(f"{base_url}/crl/intermediate.crl")],
            None, None, None)]), critical=False)
        builder = builder.add_extension(x509.AuthorityInformationAccess([
            x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.OCSP,
                                   x509.UniformResourceIdentifier(f"{base_url}/ocsp"))]),
            critical=False)
    sign_key = issuer_key if issuer_key is not None else key
    return builder.sign(sign_key, hashes.SHA256())


def build_pki(directory: Path, base_url: str = "http://127.0.0.1:9") -> PKI:
    """Make the PKI's keys, certificates, CRL and files in `directory` (about 1 s: 7 RSA keys).

    `base_url` is the address the certificates name for CRL, OCSP (give the loopback server's
    address to make them reachable; the default points at the discard port: unreachable)."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    day = dt.timedelta(days=1)
    root_key, inter_key = _key(), _key()
    root_cert = _cert("Intake Test Root CA", root_key, None, None, ca=True,
                      not_before=now - 30 * day, not_after=now + 3650 * day)
    inter_cert = _cert("Intake Test Issuing CA", inter_key, root_cert, root_key, ca=True,
                       not_before=now - 30 * day, not_after=now + 1825 * day)
    chain = [inter_cert, root_cert]

    def leaf(name: str, subject: str, not_before: dt.datetime, not_after: dt.datetime,
             tsa: bool = False) -> Identity:
        key = _key()
        cert = _cert(subject, key, inter_cert, inter_key, ca=False, not_before=not_before,
                     not_after=not_after, base_url=base_url, tsa=tsa)
        return _write(directory, name, cert, key, chain)

    root = _write(directory, "root", root_cert, root_key, [])
    inter = _write(directory, "intermediate", inter_cert, inter_key, [root_cert])
    agency = leaf("agency", AGENCY_NAME, now - day, now + 730 * day)
    expired = leaf("expired", "Chứng thư hết hạn", now - 400 * day, now - day)
    revoked = leaf("revoked", "Chứng thư bị thu hồi", now - 10 * day, now + 365 * day)
    tsa = leaf("tsa", "Intake Test TSA", now - day, now + 730 * day, tsa=True)
    untrusted_key = _key()
    untrusted = _write(directory, "untrusted", _cert(
        "Chứng thư tự ký", untrusted_key, None, None, ca=False, not_before=now - day,
        not_after=now + 365 * day), untrusted_key, [])

    crl = (x509.CertificateRevocationListBuilder().issuer_name(inter_cert.subject)
           .last_update(now - dt.timedelta(hours=1)).next_update(now + 7 * day)
           .add_revoked_certificate(x509.RevokedCertificateBuilder()
                                    .serial_number(revoked.cert.serial_number)
                                    .revocation_date(now - 2 * day)
                                    .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise),
                                                   critical=False).build())
           .add_extension(x509.CRLNumber(1), critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
               inter_key.public_key()), critical=False)
           .sign(inter_key, hashes.SHA256()))
    crl_file = directory / "intermediate.crl"
    crl_file.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    chain_file = directory / "chain.pem"
    chain_file.write_bytes(inter.cert_pem + root.cert_pem)
    return PKI(directory, base_url, root, inter, agency, expired, revoked, tsa, untrusted,
               crl_file, chain_file, {revoked.cert.serial_number})


def _ocsp_response(pki: PKI, body: bytes) -> bytes:
    request = ocsp.load_der_ocsp_request(body)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    inter = pki.intermediate
    leaves = {i.cert.serial_number: i for i in (pki.agency, pki.expired, pki.revoked, pki.tsa)}
    ident = leaves.get(request.serial_number)
    if ident is None:
        return ocsp.OCSPResponseBuilder.build_unsuccessful(
            ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(serialization.Encoding.DER)
    revoked = request.serial_number in pki.revoked_serials
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=ident.cert, issuer=inter.cert, algorithm=request.hash_algorithm,
        cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
        this_update=now - dt.timedelta(minutes=5), next_update=now + dt.timedelta(days=1),
        revocation_time=now - dt.timedelta(days=2) if revoked else None,
        revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
    ).responder_id(ocsp.OCSPResponderEncoding.HASH, inter.cert)
    nonce = next((e.value for e in request.extensions if isinstance(e.value, x509.OCSPNonce)),
                 None)
    if nonce is not None:
        builder = builder.add_extension(nonce, critical=False)
    return builder.sign(inter.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _tsa_response(pki: PKI, body: bytes) -> bytes:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    def a1(ident: Identity) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(ident.cert.public_bytes(serialization.Encoding.DER))

    stamper = DummyTimeStamper(
        tsa_cert=a1(pki.tsa),
        tsa_key=asn1_keys.PrivateKeyInfo.load(pki.tsa.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
        certs_to_embed=SimpleCertificateStore.from_certs([a1(pki.intermediate), a1(pki.root)]))
    response = asyncio.run(stamper.async_request_tsa_response(tsp.TimeStampReq.load(body)))
    return bytes(response.dump())


class _Handler(BaseHTTPRequestHandler):
    pki: PKI
    counts: dict[str, int]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass

    def _answer(self, content_type: str, data: bytes) -> None:
        self.counts[self.path] = self.counts.get(self.path, 0) + 1
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/crl/intermediate.crl":
            self._answer("application/pkix-crl", self.pki.crl_file.read_bytes())
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/ocsp":
            self._answer("application/ocsp-response", _ocsp_response(self.pki, body))
        elif self.path == "/tsa":
            self._answer("application/timestamp-reply", _tsa_response(self.pki, body))
        else:
            self.send_error(404)


class PKIServer:
    """The loopback CRL/OCSP/TSA server; `counts` holds how often each path was asked."""

    def __init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.counts: dict[str, int] = {}
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                        daemon=True)

    def start(self, pki: PKI) -> None:
        handler = type("Handler", (_Handler,), {"pki": pki, "counts": self.counts})
        self.httpd.RequestHandlerClass = handler
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve_pki(directory: Path) -> tuple[PKI, PKIServer]:
    """Build a PKI whose URLs point at a new loopback server, and start the server."""
    server = PKIServer()
    pki = build_pki(directory, server.base_url)
    server.start(pki)
    return pki, server


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PKI]:
    """The session's test PKI, served on loopback (CRL, OCSP, TSA) for the whole session."""
    built, server = serve_pki(tmp_path_factory.mktemp("pki"))
    try:
        yield built
    finally:
        server.stop()
