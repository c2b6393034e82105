"""Incoming signed PDFs for tests (issue 14): a synthetic scanned page as a one-image PDF, signed
with pyHanko by a certificate of the test PKI (tests/pki.py) with a visible signature widget in
the top-right corner, as the provincial e-office systems sign what they send."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image

from synth import make_document
from tests.pki import PKCS12_PASSWORD, PKI, Identity

SCAN_DPI = 200  # recognised as it is (no upsampling to 300 dpi): the quickest OCR of a real scan resolution
WIDGET_BOX = (380, 782, 580, 836)  # PDF points: the top-right margin of an A4 page (595 × 842)


@lru_cache(maxsize=1)
def _page() -> Image.Image:
    return make_document(7, pages=1, dpi=SCAN_DPI).pages[0].convert("RGB")


def scan_pdf(path: Path) -> Path:
    """An unsigned scanned PDF: one full-page JPEG image, as a scanner writes it."""
    _page().save(path, "PDF", resolution=float(SCAN_DPI), quality=80)
    return path


def past_timestamper(pki: PKI, at: dt.datetime) -> Any:
    """An RFC 3161 time-stamper of the test PKI (a TSA certificate under its issuing CA, valid
    from 60 days ago) whose tokens say `at`: a signature made back then."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    now = dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer = pki.intermediate
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Intake Test TSA 2")]))
            .issuer_name(issuer.cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=60)).not_valid_after(now + dt.timedelta(days=600))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer.key.public_key()), critical=False)
            .sign(issuer.key, hashes.SHA256()))

    def der(c: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))

    return DummyTimeStamper(
        tsa_cert=der(cert),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
        certs_to_embed=SimpleCertificateStore.from_certs([der(issuer.cert), der(pki.root.cert)]),
        fixed_dt=at)


def signed_scan_pdf(path: Path, signer: Identity, *, field: str = "Signature1",
                    timestamper: Any = None) -> Path:
    """The scan of `scan_pdf`, signed by `signer` (its PKCS#12 file, chain included) as an
    incremental update with a visible widget at WIDGET_BOX on page 1 (with a signature
    timestamp from `timestamper` when given)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    unsigned = scan_pdf(path.with_suffix(".unsigned.pdf"))
    p12 = signers.SimpleSigner.load_pkcs12(str(signer.pkcs12_file),
                                           passphrase=PKCS12_PASSWORD.encode())
    assert p12 is not None
    style = TextStampStyle(stamp_text="Ky boi: %(signer)s\nThoi gian ky: %(ts)s", border_width=2)
    with unsigned.open("rb") as src, path.open("wb") as out:
        writer = IncrementalPdfFileWriter(src, strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec(field, on_page=0, box=WIDGET_BOX))
        pdf_signer = signers.PdfSigner(signers.PdfSignatureMetadata(field_name=field), p12,
                                       stamp_style=style, timestamper=timestamper)
        pdf_signer.sign_pdf(writer, output=out)
    unsigned.unlink()
    return path
