"""The test PKI itself: chain, revocation data and timestamps are served on loopback."""

from __future__ import annotations

import httpx
from cryptography import x509

from tests.pki import PKI


def test_pki_files_and_crl(pki: PKI) -> None:
    assert pki.agency.cert.issuer == pki.intermediate.cert.subject
    crl = x509.load_der_x509_crl(httpx.get(pki.crl_url).content)
    assert crl.get_revoked_certificate_by_serial_number(pki.revoked.cert.serial_number)
    assert crl.get_revoked_certificate_by_serial_number(pki.agency.cert.serial_number) is None
    assert pki.agency.pkcs12_file.stat().st_size > 0 and pki.chain_file.exists()
