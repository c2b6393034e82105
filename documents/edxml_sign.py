"""The agency's XML-DSig signature of an edXML package (signxml), and its verification.

The signature is enveloped (Reference URI="": the whole package, attachments included, minus the
signature itself) and sits in the XML-DSig namespace right after TraceHeaderList, where real
packages carry it. The key and certificate come from the agency certificate settings
(INTAKE_SIGNING_KEY_FILE + INTAKE_SIGNING_CERT_FILE, or INTAKE_SIGNING_PKCS12_FILE with its
password), which the legal copy's PDF signature uses as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree
from signxml import CanonicalizationMethod, XMLSigner, XMLVerifier
from signxml.exceptions import InvalidInput, InvalidSignature

from documents.edxml import DSIG_NS, NS
from models.errors import ConflictError, InputError
from models.settings import Settings

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


@dataclass(frozen=True)
class SigningIdentity:
    """The agency's private key and certificate, both PEM."""

    key_pem: bytes
    cert_pem: bytes


def signing_identity(settings: Settings) -> SigningIdentity | None:
    """The configured agency certificate, or None when none is configured."""
    if settings.signing_pkcs12_file is not None:
        password = settings.signing_pkcs12_password.encode() or None
        key, cert, _chain = pkcs12.load_key_and_certificates(
            settings.signing_pkcs12_file.read_bytes(), password)
        if key is None or cert is None:
            raise ConflictError("INTAKE_SIGNING_PKCS12_FILE holds no key and certificate")
        key_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        return SigningIdentity(key_pem, cert.public_bytes(serialization.Encoding.PEM))
    if settings.signing_key_file is None and settings.signing_cert_file is None:
        return None
    if settings.signing_key_file is None or settings.signing_cert_file is None:
        raise ConflictError("set both INTAKE_SIGNING_KEY_FILE and INTAKE_SIGNING_CERT_FILE")
    return SigningIdentity(settings.signing_key_file.read_bytes(),
                           settings.signing_cert_file.read_bytes())


def sign_edxml(data: bytes, identity: SigningIdentity) -> bytes:
    """The package with the agency's enveloped signature after TraceHeaderList."""
    root = etree.fromstring(data, parser=_PARSER)
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    trace = header.find(f"{{{NS}}}TraceHeaderList") if header is not None else None
    if trace is None:
        raise ConflictError("the package has no TraceHeaderList to sign after")
    # signxml puts the signature where a placeholder stands.
    trace.addnext(etree.Element(f"{{{DSIG_NS}}}Signature", Id="placeholder",
                                nsmap={None: DSIG_NS}))
    signer = XMLSigner(c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0)
    signed = signer.sign(root, key=identity.key_pem, cert=identity.cert_pem.decode())
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


def verify_edxml(data: bytes, cert_pem: bytes) -> bytes:
    """The signed package as verified against the agency certificate; InputError (422) when it
    is unsigned, altered or signed by another key."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    try:
        result = XMLVerifier().verify(data, x509_cert=cert, parser=_PARSER)
    except (InvalidSignature, InvalidInput) as exc:
        raise InputError(f"the edXML package signature does not verify: {exc}") from exc
    verified = result[0] if isinstance(result, list) else result
    return bytes(verified.signed_data)
