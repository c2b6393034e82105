"""Which certificate signs, opening its key (PKCS#12, PEM, PKCS#11 token) and checking it.

A certificate comes from the table an administrator manages (`signing_certificates`) or, as the
agency default, from the settings (INTAKE_SIGNING_PKCS12_FILE + _PASSWORD, or
INTAKE_SIGNING_KEY_FILE + INTAKE_SIGNING_CERT_FILE, which edXML signing uses too). The account
that confirmed chooses: its own assignment, else its document's unit's default, else the agency's
default row, else the settings' certificate.

Passwords and PINs are never stored: a row names the environment variable of the signing
process that holds it (`secret_env`). Nothing here logs a key, a password or a PIN.

A certificate is refused before anything is signed (SigningConfigError, in Vietnamese for the
administrator's page): outside its dates, without digitalSignature/nonRepudiation, an RSA key
under 2048 bits or an EC key under 256, self-signed, or — when INTAKE_SIGNING_TRUST_ROOTS is set
— not chaining to those roots or revoked (OCSP/CRL asked when INTAKE_SIGNING_FETCH_REVOCATION).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InvalidCertificateError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.tables import Account, SigningAssignment, SigningCertificate
from models.errors import SigningConfigError
from models.settings import Settings

SETTINGS_NAME = "INTAKE_SIGNING"  # how the settings' certificate is named in records
KINDS = ("pkcs12", "pem", "pkcs11")


@dataclass(frozen=True)
class Choice:
    """A certificate to sign with, as configured (paths and names, never a secret)."""

    name: str
    kind: str  # pkcs12 | pem | pkcs11
    key_file: str | None = None  # .p12 (pkcs12) or key PEM (pem)
    cert_file: str | None = None  # PEM certificate (pem; optional for pkcs11)
    pkcs11_module: str | None = None
    pkcs11_token: str | None = None
    pkcs11_key: str | None = None
    secret_env: str | None = None  # the environment variable holding the password or PIN
    secret: str | None = None  # only for the settings' certificate (already in the environment)

    @classmethod
    def of_row(cls, row: SigningCertificate) -> Choice:
        return cls(row.name, row.kind, row.key_file, row.cert_file, row.pkcs11_module,
                   row.pkcs11_token, row.pkcs11_key, row.secret_env)


def settings_choice(settings: Settings) -> Choice | None:
    """The agency certificate of the settings, or None."""
    if settings.signing_pkcs12_file is not None:
        return Choice(SETTINGS_NAME, "pkcs12", str(settings.signing_pkcs12_file),
                      secret=settings.signing_pkcs12_password)
    if settings.signing_key_file is not None or settings.signing_cert_file is not None:
        return Choice(SETTINGS_NAME, "pem", str(settings.signing_key_file or ""),
                      str(settings.signing_cert_file or ""))
    return None


def choose(session: Session, settings: Settings, actor: str, unit: str) -> Choice | None:
    """The certificate `actor` (`user:<name>`, or a system actor) signs a document of `unit`
    with; None when none is configured."""
    enabled = SigningCertificate.disabled.is_(False)
    if actor.startswith("user:"):
        row = session.scalar(
            select(SigningCertificate)
            .join(SigningAssignment, SigningAssignment.certificate_id == SigningCertificate.id)
            .join(Account, Account.id == SigningAssignment.account_id)
            .where(Account.username == actor[5:], enabled))
        if row is not None:
            return Choice.of_row(row)
    for owner in ((unit,) if unit else ()) + ("",):
        row = session.scalar(select(SigningCertificate)
                             .where(SigningCertificate.unit == owner, enabled)
                             .order_by(SigningCertificate.id).limit(1))
        if row is not None:
            return Choice.of_row(row)
    return settings_choice(settings)


def _secret(choice: Choice) -> str | None:
    if choice.secret is not None:
        return choice.secret
    if choice.secret_env:
        value = os.environ.get(choice.secret_env)
        if value is None:
            raise SigningConfigError(f"Chứng thư số '{choice.name}': biến môi trường "
                                     f"{choice.secret_env} (mật khẩu/PIN) chưa được đặt")
        return value
    return None


def _file(path: str | None, what: str, name: str) -> str:
    if not path or not Path(path).is_file():
        raise SigningConfigError(f"Chứng thư số '{name}': không tìm thấy tệp {what} ({path or '—'})")
    return path


def _load_certs(path: str) -> list[asn1_x509.Certificate]:
    data = Path(path).read_bytes()
    if not asn1_pem.detect(data):
        return [asn1_x509.Certificate.load(data)]
    return [asn1_x509.Certificate.load(der) for _, _, der in asn1_pem.unarmor(data, multiple=True)]


@contextmanager
def open_signer(choice: Choice, settings: Settings) -> Iterator[Signer]:
    """A pyHanko signer for the certificate, checked (`check_certificate`); a token's session
    is closed on exit."""
    secret = _secret(choice)
    if choice.kind == "pkcs12":
        path = _file(choice.key_file, "PKCS#12", choice.name)
        signer = SimpleSigner.load_pkcs12(path, passphrase=secret.encode() if secret else None)
        if signer is None:  # pyHanko logs the reason (never the password) and returns None
            raise SigningConfigError(f"Chứng thư số '{choice.name}': không đọc được tệp PKCS#12 "
                                     "(sai mật khẩu hoặc tệp hỏng)")
        check_certificate(choice.name, signer, settings)
        yield signer
    elif choice.kind == "pem":
        key = _file(choice.key_file, "khóa PEM", choice.name)
        cert = _file(choice.cert_file, "chứng thư PEM", choice.name)
        loaded = SimpleSigner.load(key, cert, key_passphrase=secret.encode() if secret else None)
        if loaded is None:
            raise SigningConfigError(f"Chứng thư số '{choice.name}': không đọc được khóa hoặc "
                                     "chứng thư PEM")
        check_certificate(choice.name, loaded, settings)
        yield loaded
    elif choice.kind == "pkcs11":
        with _pkcs11_signer(choice, secret, settings) as token_signer:
            yield token_signer
    else:
        raise SigningConfigError(f"Chứng thư số '{choice.name}': loại {choice.kind!r} không hỗ trợ")


@contextmanager
def _pkcs11_signer(choice: Choice, pin: str | None, settings: Settings) -> Iterator[Signer]:
    from pkcs11.exceptions import PKCS11Error as LibError
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Error, PKCS11Signer, open_pkcs11_session

    module = _file(choice.pkcs11_module, "mô-đun PKCS#11", choice.name)
    try:
        session = open_pkcs11_session(module, token_criteria=TokenCriteria(
            label=choice.pkcs11_token or None), user_pin=pin)
    except (PKCS11Error, LibError) as exc:
        raise SigningConfigError(f"Chứng thư số '{choice.name}': không mở được thiết bị ký "
                                 f"(token '{choice.pkcs11_token}'): {type(exc).__name__}") from exc
    try:
        certs = _load_certs(choice.cert_file) if choice.cert_file else []
        try:
            signer = PKCS11Signer(session, key_label=choice.pkcs11_key,
                                  signing_cert=certs[0] if certs else None,
                                  ca_chain=certs[1:] or None,
                                  cert_label=None if certs else choice.pkcs11_key)
            signer.signing_cert  # noqa: B018 - reads the certificate now: errors here, not later
        except (PKCS11Error, LibError) as exc:
            raise SigningConfigError(f"Chứng thư số '{choice.name}': không tìm thấy khóa hoặc "
                                     f"chứng thư '{choice.pkcs11_key}' trên thiết bị ký") from exc
        check_certificate(choice.name, signer, settings)
        yield signer
    finally:
        session.close()


def _trust_roots(settings: Settings) -> list[asn1_x509.Certificate]:
    path = settings.signing_trust_roots
    if path is None:
        return []
    if not path.is_file():
        raise SigningConfigError(f"INTAKE_SIGNING_TRUST_ROOTS: không tìm thấy tệp {path}")
    return _load_certs(str(path))


def validation_context(settings: Settings) -> ValidationContext | None:
    """The context a signature's certificate is validated in (and whose OCSP/CRL answers are
    embedded for B-LT); None without configured trust roots."""
    roots = _trust_roots(settings)
    if not roots:
        return None
    fetch = settings.signing_fetch_revocation
    return ValidationContext(
        trust_roots=roots, allow_fetching=fetch, revocation_mode="soft-fail",
        fetcher_backend=RequestsFetcherBackend(per_request_timeout=settings.signing_timeout)
        if fetch else None)


def check_certificate(name: str, signer: Signer, settings: Settings,
                      now: dt.datetime | None = None) -> None:
    """Refuse a certificate that must not sign a legal copy (see the module's docstring)."""
    cert_a1 = signer.signing_cert
    if cert_a1 is None:
        raise SigningConfigError(f"Chứng thư số '{name}': không có chứng thư")
    cert = x509.load_der_x509_certificate(cert_a1.dump())
    now = now or dt.datetime.now(dt.UTC)
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if now > end:
        raise SigningConfigError(f"Chứng thư số '{name}' đã hết hạn ngày {end:%Y-%m-%d} "
                                 f"(hiệu lực {start:%Y-%m-%d} – {end:%Y-%m-%d}): không ký được")
    if now < start:
        raise SigningConfigError(f"Chứng thư số '{name}' chưa có hiệu lực (từ {start:%Y-%m-%d})")
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < 2048:
        raise SigningConfigError(f"Chứng thư số '{name}': khóa RSA {key.key_size} bit < 2048")
    if isinstance(key, ec.EllipticCurvePublicKey) and key.key_size < 256:
        raise SigningConfigError(f"Chứng thư số '{name}': khóa EC {key.key_size} bit < 256")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        usable = usage.digital_signature or usage.content_commitment
    except x509.ExtensionNotFound:
        usable = True
    if not usable:
        raise SigningConfigError(f"Chứng thư số '{name}' không dùng để ký (key usage)")
    context = validation_context(settings)
    if cert.issuer == cert.subject and (context is None or not _is_root(cert_a1, settings)):
        raise SigningConfigError(f"Chứng thư số '{name}' là chứng thư tự ký, không do tổ chức "
                                 "cung cấp dịch vụ chứng thực chữ ký số cấp: không tin cậy")
    if context is None:
        return
    chain = list(signer.cert_registry) if signer.cert_registry is not None else []
    validator = CertificateValidator(cert_a1, intermediate_certs=chain,
                                     validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage(set()))
    except RevokedError as exc:
        raise SigningConfigError(f"Chứng thư số '{name}' đã bị thu hồi: không ký được") from exc
    except ExpiredError as exc:
        raise SigningConfigError(f"Chứng thư số '{name}' (hoặc chứng thư cấp trên) đã hết "
                                 "hạn") from exc
    except (PathBuildingError, PathValidationError, InvalidCertificateError) as exc:
        raise SigningConfigError(f"Chứng thư số '{name}' không tin cậy: không xác thực được "
                                 "đến chứng thư gốc đã cấu hình (INTAKE_SIGNING_TRUST_ROOTS)"
                                 ) from exc


def _is_root(cert: asn1_x509.Certificate, settings: Settings) -> bool:
    return any(root.dump() == cert.dump() for root in _trust_roots(settings))
