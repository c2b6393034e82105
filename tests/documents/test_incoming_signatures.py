"""Signatures of incoming signed PDFs (documents.incoming_signatures, issue 14): signer, time,
integrity and certificate status read by pyHanko against the roots an administrator configures."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from documents.incoming_signatures import (
    TrustSettings,
    check_signatures,
    summary_vi,
    worst_status,
)
from tests.pki import AGENCY_NAME, PKI
from tests.signed_incoming import past_timestamper, scan_pdf, signed_scan_pdf


@pytest.fixture(scope="module")
def signed(pki: PKI, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One signed scan per test identity, and the roots folder an administrator would set up
    (the root certificate and the issuing CA's CRL)."""
    folder = tmp_path_factory.mktemp("incoming")
    roots = folder / "roots"
    roots.mkdir()
    shutil.copy(pki.root.cert_file, roots / "root.pem")
    shutil.copy(pki.crl_file, roots / "issuing.crl")
    out = {"roots": roots}
    for name in ("agency", "expired", "revoked", "untrusted"):
        out[name] = signed_scan_pdf(folder / f"{name}.pdf", getattr(pki, name))
    return out


def _check(path: Path, roots: Path | None) -> list[dict]:
    found = check_signatures(path, TrustSettings(roots_dir=roots))
    assert found is not None
    return found


def test_intact_trusted_signature_is_reported_valid(signed: dict[str, Path]) -> None:
    [sig] = _check(signed["agency"], signed["roots"])
    assert sig["signer"] == AGENCY_NAME
    assert sig["organization"] == "Intake test PKI"
    assert sig["issuer"] == "Intake Test Issuing CA"
    when = dt.datetime.fromisoformat(sig["signed_at"])
    assert abs((dt.datetime.now(dt.UTC) - when).total_seconds()) < 600
    assert (sig["integrity"], sig["changes_after"], sig["certificate"], sig["status"]) == \
        ("intact", "none", "trusted", "valid")
    assert sig["page"] == 0 and sig["weak_hash"] is False
    assert sig["message"].startswith(f"{sig['signer']}, ký lúc ")
    assert sig["message"].endswith("— Hợp lệ")
    assert summary_vi([sig]) == f"Văn bản có chữ ký số: {sig['message']}"


def test_without_configured_roots_nothing_is_trusted(signed: dict[str, Path]) -> None:
    [sig] = _check(signed["agency"], None)
    assert (sig["integrity"], sig["certificate"], sig["status"]) == ("intact", "untrusted", "untrusted")
    assert sig["message"].endswith("— Không tin cậy")


@pytest.mark.parametrize(("name", "status", "words"), [
    ("expired", "expired", "Chứng thư hết hạn"),
    ("revoked", "revoked", "Chứng thư bị thu hồi"),
    ("untrusted", "untrusted", "Không tin cậy"),
])
def test_bad_certificates_are_reported_as_such(signed: dict[str, Path], name: str, status: str,
                                               words: str) -> None:
    [sig] = _check(signed[name], signed["roots"])
    assert sig["integrity"] == "intact"
    assert (sig["certificate"], sig["status"]) == (status, status)
    assert words in sig["message"]


def test_revocation_fetched_when_allowed(signed: dict[str, Path], tmp_path: Path) -> None:
    # Roots without the CRL: offline (the default) nothing says the certificate was revoked
    # (soft-fail); INTAKE_TRUST_FETCH asks the certificate's OCSP responder (the test PKI's,
    # on loopback) and finds it revoked.
    roots = tmp_path / "roots"
    roots.mkdir()
    shutil.copy(signed["roots"] / "root.pem", roots / "root.pem")
    [offline] = _check(signed["revoked"], roots)
    assert offline["status"] == "valid"
    fetched = check_signatures(signed["revoked"], TrustSettings(roots_dir=roots,
                                                                allow_fetching=True))
    assert fetched is not None and fetched[0]["status"] == "revoked"


def test_expired_since_a_timestamped_signing_is_valid(signed: dict[str, Path], pki: PKI,
                                                       tmp_path: Path) -> None:
    # The `expired` certificate ended yesterday; a trusted timestamp says it signed 10 days ago.
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=10)
    path = signed_scan_pdf(tmp_path / "old.pdf", pki.expired,
                           timestamper=past_timestamper(pki, when))
    [sig] = _check(path, signed["roots"])
    assert (sig["time_source"], dt.datetime.fromisoformat(sig["signed_at"])) == ("timestamp", when)
    assert (sig["certificate"], sig["status"], sig["expired_since_signing"]) == \
        ("trusted", "valid", True)
    assert "sau thời điểm ký có dấu thời gian" in sig["message"]


def test_a_byte_changed_after_signing_is_reported_modified(signed: dict[str, Path],
                                                           tmp_path: Path) -> None:
    data = bytearray(signed["agency"].read_bytes())
    at = data.index(b"stream", data.index(b"/DCTDecode")) + 500  # inside the scan's JPEG data
    data[at] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    [sig] = _check(changed, signed["roots"])
    assert (sig["integrity"], sig["status"]) == ("modified", "modified")
    assert sig["message"].endswith("— Đã bị sửa sau khi ký")
    assert worst_status([sig, *_check(signed["agency"], signed["roots"])]) == "modified"


def test_page_content_replaced_in_a_later_update_is_not_allowed(signed: dict[str, Path],
                                                                 tmp_path: Path) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    out = tmp_path / "updated.pdf"
    with signed["agency"].open("rb") as src, out.open("wb") as dst:
        writer = IncrementalPdfFileWriter(src, strict=False)
        page_ref = writer.find_page_for_modification(0)[0]
        stream = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 0 0 595 842 re f"))
        page_ref.get_object()["/Contents"] = stream
        writer.update_container(page_ref.get_object())
        writer.write(dst)
    [sig] = _check(out, signed["roots"])
    assert sig["integrity"] == "intact"  # the signed revision is unchanged...
    assert (sig["changes_after"], sig["status"]) == ("not_allowed", "modified")  # ...not the page


def test_unsigned_pdf_and_other_files(tmp_path: Path) -> None:
    assert check_signatures(scan_pdf(tmp_path / "scan.pdf"), TrustSettings()) == []
    png = tmp_path / "scan.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert check_signatures(png, TrustSettings()) is None
    assert summary_vi([]) is None and worst_status(None) is None


def test_edxml_carries_the_signed_original_second_byte_for_byte(signed: dict[str, Path]) -> None:
    from documents.edxml import ORIGINAL_DESCRIPTION, build_edxml, parse_edxml, validate
    from tests.documents.test_edxml import ISSUER, ITEM, OURS, PDF

    original = signed["agency"].read_bytes()
    data = build_edxml(ITEM, ISSUER, OURS, PDF, tracer=OURS.organ_id,
                       original=("87 QĐ UB.signed.pdf", original))
    assert validate(data) == []
    back = parse_edxml(data)
    first, second = back["attachments"]
    assert back["references"] == [first["content_id"], second["content_id"]]
    assert (first["description"], first["content"]) == ("PDF/A", PDF)
    assert (second["description"], second["name"]) == (ORIGINAL_DESCRIPTION, "87 QĐ UB.signed.pdf")
    assert second["content"] == original
    # Without a signed original the package is as before: one attachment.
    assert len(parse_edxml(build_edxml(ITEM, ISSUER, OURS, PDF, tracer=OURS.organ_id))
               ["attachments"]) == 1


def test_kept_page_gets_its_widgets_drawn_into_our_pdfa(tmp_path: Path) -> None:
    # A page copied as it is (a born-digital page without PDF/A problems) keeps its signature
    # box as page content, without the original's signature field: our PDF/A is not what was
    # signed. (pyHanko's own stamps use an unembedded Courier: Ghostscript's conversion, which
    # draws annotations itself, would hide the difference, so the widget is made here.)
    import subprocess

    import numpy as np
    import pikepdf
    from PIL import Image

    from documents.pdfa import DocumentInfo, assemble_pdfa, check_pdfa, page_problems
    from tests.signed_incoming import WIDGET_BOX

    src = scan_pdf(tmp_path / "signed.pdf")
    x0, y0, x1, y1 = WIDGET_BOX
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        look = pdf.make_stream(b"0 0 0 rg 4 4 40 20 re f",
                               BBox=[0, 0, x1 - x0, y1 - y0], Subtype=pikepdf.Name.Form)
        widget = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Sig,
            T=pikepdf.String("Signature1"), Rect=list(WIDGET_BOX), F=132,
            AP=pikepdf.Dictionary(N=look)))
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([widget]))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[widget], SigFlags=3)
        assert page_problems(pdf.pages[0]) == []  # copied as it is
        pdf.save(src)
    out = tmp_path / "out.pdf"
    assemble_pdfa([(src, 0)], out, DocumentInfo(title="kept"))
    assert check_pdfa(out) == []
    with pikepdf.open(out) as pdf:
        assert "/Annots" not in pdf.pages[0].obj and "/AcroForm" not in pdf.Root
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-hide-annotations", "-singlefile", "-png",
                    str(out), str(png)], check=True)
    box = np.asarray(Image.open(f"{png}.png"))[842 - y1: 842 - y0, x0: x1]
    assert (box < 128).sum() > 300  # the 40 x 20 pt black mark, drawn in the page
