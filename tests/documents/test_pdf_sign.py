"""The legal copy's PAdES signature (documents/signing): verified by pyHanko and by Poppler's
pdfsig, broken by one changed byte, the `SAO Y` box read back from the PDF's text positions in
the top-right corner of page 1 and off the header's words, still PDF/A; refused certificates."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from documents.pdfa import DocumentInfo, assemble_pdfa, check_pdfa
from documents.signing.box import MARGIN, PageGeometry, obstacles, place
from documents.signing.keys import Choice, SigningConfigError, open_signer, validation_context
from documents.signing.pdf import Signed, sign_pdf
from models.settings import Settings
from tests.pki import AGENCY_NAME, PKI, Identity

SERIF = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
HEADER = [(60, 40, "ỦY BAN NHÂN DÂN TỈNH"), (300, 40, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
          (340, 58, "Độc lập - Tự do - Hạnh phúc")]


def make_pdfa(path: Path) -> bytes:
    """A one-page PDF/A-2b with a real text layer: the header across the top, then lines."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.add_font("S", "", SERIF)
    pdf.set_font("S", size=13)
    for x, y, text in HEADER:
        pdf.text(x, y, text)
    for i in range(30):
        pdf.text(60, 120 + 20 * i, f"Dòng {i + 1} của văn bản thử nghiệm ký số")
    born = path.with_suffix(".born.pdf")
    pdf.output(str(born))
    assemble_pdfa([born], path, DocumentInfo(title="Văn bản thử nghiệm"))
    return path.read_bytes()


def words(data: bytes, tmp: Path) -> list[tuple[float, float, float, float, str]]:
    """Page 1's words (x0, top, x1, bottom in points, text) as Poppler reads them."""
    src = tmp / "words.pdf"
    src.write_bytes(data)
    out = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(src), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        out)]


def settings_for(pki: PKI, **extra: object) -> Settings:
    return Settings(signing_trust_roots=pki.root.cert_file, agency_name=AGENCY_NAME,
                    **extra)  # type: ignore[arg-type]


def p12(ident: Identity) -> Choice:
    return Choice(ident.name, "pkcs12", str(ident.pkcs12_file), secret=ident.pkcs12_password)


@pytest.fixture(scope="module")
def pdfa(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_pdfa(tmp_path_factory.mktemp("sign") / "copy.pdf")


@pytest.fixture(scope="module")
def signed_lt(pki: PKI, pdfa: bytes, tmp_path_factory: pytest.TempPathFactory) -> Signed:
    """The copy signed B-LT: timestamp from the loopback TSA, OCSP answers embedded; the box
    avoids the header words as the OCR gives them (here: the text layer's, at 72 'dpi')."""
    tmp = tmp_path_factory.mktemp("signed")
    geometry = PageGeometry(595.28, 841.89, 595, 842)
    evidence = {"words": [{"text": t, "bbox": [x0, y0, x1, y1]}
                          for x0, y0, x1, y1, t in words(pdfa, tmp)]}
    settings = settings_for(pki)
    with open_signer(p12(pki.agency), settings) as signer:
        return sign_pdf(pdfa, signer, agency=AGENCY_NAME, obstacles=obstacles(geometry, evidence),
                        tsa_url=pki.tsa_url, validation_context=validation_context(settings))


def _status(data: bytes, pki: PKI):  # noqa: ANN202 - pyHanko's status type
    root = asn1_x509.Certificate.load(pki.root.cert.public_bytes(Encoding.DER))
    sig = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    return validate_pdf_signature(sig, ValidationContext(trust_roots=[root]))


def _nss_db(pki: PKI, tmp: Path) -> list[str]:
    """pdfsig options for a trust store holding the test root (none without certutil)."""
    if shutil.which("certutil") is None:
        return []
    db = tmp / "nss"
    db.mkdir(exist_ok=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True,
                   capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{db}", "-n", "root", "-t", "C,C,C", "-i",
                    str(pki.root.cert_file)], check=True, capture_output=True)
    return ["-nssdir", f"sql:{db}"]


def test_signed_copy_verifies_with_pyhanko_and_pdfsig(pki: PKI, pdfa: bytes, signed_lt: Signed,
                                                      tmp_path: Path) -> None:
    assert signed_lt.level == "B-LT"
    assert signed_lt.data.startswith(pdfa)  # an incremental update: the PDF/A's bytes kept
    status = _status(signed_lt.data, pki)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_lt.data)
    nss = _nss_db(pki, tmp_path)
    out = subprocess.run(["pdfsig", *nss, str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in out, out
    assert "ETSI.CAdES.detached" in out and "SHA-256" in out
    if nss:
        assert "Certificate is Trusted." in out, out
    assert check_pdfa(path) == []  # the project's PDF/A structure checks still pass
    subprocess.run(["qpdf", "--check", str(path)], capture_output=True, check=True)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"\+LiberationSerif\S*\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes", fonts)


def test_one_changed_byte_breaks_the_signature(pki: PKI, pdfa: bytes, signed_lt: Signed,
                                                tmp_path: Path) -> None:
    data = bytearray(signed_lt.data)
    at = data.index(b"pdfaid:part")  # a letter of the PDF/A's XMP metadata: signed bytes
    assert at < len(pdfa)
    data[at] ^= 0x01  # p -> q: the file still parses
    status = _status(bytes(data), pki)
    assert not status.intact
    path = tmp_path / "tampered.pdf"
    path.write_bytes(bytes(data))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." not in out and "Digest Mismatch." in out, out


def test_box_text_and_position_on_page_one(pdfa: bytes, signed_lt: Signed, tmp_path: Path) -> None:
    before = {w for w in words(pdfa, tmp_path)}
    added = [w for w in words(signed_lt.data, tmp_path) if w not in before]
    text = " ".join(w[4] for w in added)
    assert text.startswith("SAO Y ") and AGENCY_NAME in text and signed_lt.signed_at in text
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", signed_lt.signed_at)
    x0, top = min(w[0] for w in added), min(w[1] for w in added)
    x1, bottom = max(w[2] for w in added), max(w[3] for w in added)
    assert x0 > 595 / 2 and x1 <= 595 - MARGIN + 1 and bottom < 842 / 4  # top-right corner
    lines = sorted({round(w[1]) for w in added})
    assert len(lines) == 3 and all(11 <= b - a <= 13 for a, b in zip(lines, lines[1:], strict=False))  # 10 pt
    header = [w for w in before if w[1] < 70]
    assert header and not any(w[0] < x1 and x0 < w[2] and w[1] < bottom and top < w[3]
                              for w in header), "the box covers the header"


def test_placement_goes_down_or_left_and_falls_back_to_the_margin() -> None:
    page = PageGeometry(595, 842)
    size = (150.0, 42.0)
    assert place(page, size, []) == (595 - MARGIN - 150, MARGIN, 595 - MARGIN, MARGIN + 42)
    corner = [(400.0, 10.0, 590.0, 60.0)]
    x0, top, _x1, _b = place(page, size, corner)
    assert top > 60 and x0 == 595 - MARGIN - 150  # below the words, still right-aligned
    full = [(0.0, 0.0, 595.0, 842 / 4)]
    assert place(page, size, full)[1] == MARGIN  # nowhere free: the top margin


@pytest.mark.parametrize(("name", "message"), [
    ("expired", "đã hết hạn"), ("revoked", "đã bị thu hồi"), ("untrusted", "tự ký"),
])
def test_refused_certificates(pki: PKI, name: str, message: str) -> None:
    ident: Identity = getattr(pki, name)
    with pytest.raises(SigningConfigError, match=message), \
            open_signer(p12(ident), settings_for(pki)):
        pass


def test_wrong_password_and_missing_secret(pki: PKI) -> None:
    wrong = Choice("agency", "pkcs12", str(pki.agency.pkcs12_file), secret="nope")
    with pytest.raises(SigningConfigError, match="sai mật khẩu"), \
            open_signer(wrong, settings_for(pki)):
        pass
    unset = Choice("agency", "pkcs12", str(pki.agency.pkcs12_file),
                   secret_env="INTAKE_TEST_UNSET_PIN_VARIABLE")
    with pytest.raises(SigningConfigError, match="INTAKE_TEST_UNSET_PIN_VARIABLE"), \
            open_signer(unset, settings_for(pki)):
        pass


@pytest.mark.skipif(not Path("/usr/lib/softhsm/libsofthsm2.so").exists(),
                    reason="softhsm2 is not installed (Makefile APT_PACKAGES)")
def test_pkcs11_token_signs(pki: PKI, pdfa: bytes, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The agency key on a SoftHSM2 token (a real PKCS#11 module), PIN from the environment."""
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    monkeypatch.setenv("INTAKE_TEST_TOKEN_PIN", "1234")
    run = ["softhsm2-util"]
    subprocess.run([*run, "--init-token", "--free", "--label", "van-thu", "--pin", "1234",
                    "--so-pin", "5678"], check=True, capture_output=True)
    subprocess.run([*run, "--import", str(pki.agency.key_file), "--token", "van-thu",
                    "--label", "agency", "--id", "01", "--pin", "1234"], check=True,
                   capture_output=True)
    bundle = tmp_path / "agency-chain.pem"  # the certificate with its issuing CA, as delivered
    bundle.write_bytes(pki.agency.cert_pem + pki.intermediate.cert_pem)
    choice = Choice("token", "pkcs11", cert_file=str(bundle),
                    pkcs11_module="/usr/lib/softhsm/libsofthsm2.so", pkcs11_token="van-thu",
                    pkcs11_key="agency", secret_env="INTAKE_TEST_TOKEN_PIN")
    with open_signer(choice, settings_for(pki, signing_fetch_revocation=False)) as signer:
        signed = sign_pdf(pdfa, signer, agency=AGENCY_NAME)
    assert signed.level == "B-B"
    status = _status(signed.data, pki)
    assert status.intact and status.valid and status.trusted
    monkeypatch.setenv("INTAKE_TEST_TOKEN_PIN", "0000")
    with pytest.raises(SigningConfigError, match="thiết bị ký"), \
            open_signer(choice, settings_for(pki, signing_fetch_revocation=False)):
        pass
