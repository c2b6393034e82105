"""The agency's XML-DSig signature of an edXML package: a throwaway key and certificate sign, the
signature verifies, sits after TraceHeaderList in the XML-DSig namespace, passes our XSD, and a
package altered anywhere (header or attachment) or signed by another key is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from lxml import etree

from documents.edxml import DSIG_NS, NS, Organ, build_edxml, parse_edxml, validate
from documents.edxml_sign import (
    SigningIdentity,
    sign_edxml,
    signing_identity,
    verify_edxml,
)
from models.errors import ConflictError, InputError
from models.settings import Settings

ITEM = {"id": 3, "TypeName": "Công văn", "CodeNumber": "15", "CodeNotation": "UBND-VP",
        "IssuedDate": "2026-01-16", "Place": "Vinh", "Subject": "V/v lịch tiếp công dân",
        "PageAmount": 1, "Priority": "0", "SignerInfo": {"FullName": "Hồ Văn Dũng"}}
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"


def _identity(name: str = "Văn phòng UBND tỉnh Nghệ An") -> tuple[rsa.RSAPrivateKey,
                                                                 x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    return key, cert


def _pem(key: rsa.RSAPrivateKey, cert: x509.Certificate) -> SigningIdentity:
    return SigningIdentity(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()),
        cert.public_bytes(serialization.Encoding.PEM))


@pytest.fixture(scope="module")
def identity() -> SigningIdentity:
    return _pem(*_identity())


@pytest.fixture(scope="module")
def package() -> bytes:
    ours = Organ("000.00.00.H41", "UBND tỉnh Nghệ An")
    return build_edxml(ITEM, ours, ours, PDF, tracer=ours.organ_id)


def test_signed_package_verifies_and_stays_valid(identity: SigningIdentity,
                                                  package: bytes) -> None:
    signed = sign_edxml(package, identity)
    assert validate(signed) == []
    header = etree.fromstring(signed).find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    assert header is not None
    assert [etree.QName(c).text for c in header] == [
        f"{{{NS}}}MessageHeader", f"{{{NS}}}TraceHeaderList", f"{{{DSIG_NS}}}Signature"]
    verified = etree.fromstring(verify_edxml(signed, identity.cert_pem))
    assert etree.QName(verified).localname == "edXML"
    back = parse_edxml(signed)
    assert back["signed"] and back["attachments"][0]["content"] == PDF


def test_tampered_or_foreign_package_refused(identity: SigningIdentity, package: bytes) -> None:
    signed = sign_edxml(package, identity)
    header = signed.replace(b"<edXML:CodeNumber>15<", b"<edXML:CodeNumber>16<")
    text = etree.fromstring(signed).findtext(f".//{{{NS}}}ContentTransferEncoded") or ""
    flipped = ("B" if text[100] != "B" else "C")
    attachment = signed.replace(text.encode(), (text[:100] + flipped + text[101:]).encode())
    for altered in (header, attachment):
        assert altered != signed
        with pytest.raises(InputError):
            verify_edxml(altered, identity.cert_pem)
    other = _pem(*_identity("Kẻ mạo danh"))
    with pytest.raises(InputError):
        verify_edxml(sign_edxml(package, other), identity.cert_pem)
    with pytest.raises(InputError):
        verify_edxml(package, identity.cert_pem)


def test_identity_from_settings(tmp_path: Path) -> None:
    key, cert = _identity()
    pem = _pem(key, cert)
    assert signing_identity(Settings(data_dir=tmp_path)) is None
    (tmp_path / "agency.key").write_bytes(pem.key_pem)
    (tmp_path / "agency.crt").write_bytes(pem.cert_pem)
    settings = Settings(data_dir=tmp_path, signing_key_file=tmp_path / "agency.key",
                        signing_cert_file=tmp_path / "agency.crt")
    assert signing_identity(settings) == pem
    with pytest.raises(ConflictError):
        signing_identity(Settings(data_dir=tmp_path, signing_key_file=tmp_path / "agency.key"))
    bundle = pkcs12.serialize_key_and_certificates(
        b"agency", key, cert, None, serialization.BestAvailableEncryption("mật-khẩu".encode()))
    (tmp_path / "agency.p12").write_bytes(bundle)
    from_p12 = signing_identity(Settings(data_dir=tmp_path,
                                         signing_pkcs12_file=tmp_path / "agency.p12",
                                         signing_pkcs12_password="mật-khẩu"))
    assert from_p12 is not None and from_p12.cert_pem == pem.cert_pem
    ours = Organ("000.00.00.H41", "UBND tỉnh Nghệ An")
    signed = sign_edxml(build_edxml(ITEM, ours, ours, PDF, tracer=ours.organ_id), from_p12)
    assert verify_edxml(signed, pem.cert_pem)
