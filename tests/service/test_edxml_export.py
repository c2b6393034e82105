"""GET /api/documents/{id}/edxml as the registry gets it: From the issuing agency, To our agency,
signed with the agency certificate when one is configured (verified; altered, refused), sent
again after a refusal and a correction as an update; an empty number refused before export."""

from __future__ import annotations

from pathlib import Path

import pytest

from documents.edxml import parse_edxml, validate
from documents.edxml_sign import verify_edxml
from infra.database import session_scope
from infra.storage import open_store
from infra.tables import Document
from models.errors import InputError
from models.settings import Settings
from tests.documents.test_edxml_sign import _identity, _pem
from tests.service.helpers import client, ready_document

META = {"number": "87/QĐ-UBND", "code_number": "87", "code_notation": "QĐ-UBND",
        "organ_name": "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", "type_name": "CÔNG VĂN",
        "subject": "V/v lịch tiếp công dân tháng 1", "issued_date": "2026-01-16",
        "place": "Nghệ An", "urgency": "HỎA TỐC HẸN GIỜ"}
PDF = b"%PDF-1.7\n" + b"0123456789" * 300 + b"\n%%EOF\n"


def _ready(settings: Settings, meta: dict[str, object]) -> int:
    doc_id = ready_document(settings, meta)
    path = settings.data_dir / f"doc-{doc_id}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)
    key = open_store(settings).put_file(f"documents/{doc_id}/document.pdf", path)
    with session_scope(settings.database, write=True) as session:
        session.get_one(Document, doc_id).pdf_key = key
    return doc_id


def test_export_signed_and_sent_again_as_update(settings: Settings, tmp_path: Path) -> None:
    pem = _pem(*_identity())
    (tmp_path / "agency.key").write_bytes(pem.key_pem)
    (tmp_path / "agency.crt").write_bytes(pem.cert_pem)
    settings = settings.model_copy(update={
        "agency_code": "000.00.00.H41", "agency_name": "Văn phòng UBND tỉnh Nghệ An",
        "agency_in_charge": "UBND tỉnh Nghệ An", "agency_address": "16 Trường Thi, Vinh",
        "agency_email": "vanthu@nghean.gov.vn", "agency_telephone": "0238 3844 000",
        "signing_key_file": tmp_path / "agency.key", "signing_cert_file": tmp_path / "agency.crt"})
    doc_id = _ready(settings, META)
    with client(settings) as c:
        c.post(f"/api/documents/{doc_id}/confirm")
        first = c.get(f"/api/documents/{doc_id}/edxml").content
        status = (lambda code, **kw: c.post(f"/api/registry/documents/{doc_id}/status",  # noqa: E731
                                            json={"code": code, **kw}))
        assert status("01").status_code == 200
        assert status("02", reason="Sai trích yếu").status_code == 200  # back to the clerk
        c.patch(f"/api/documents/{doc_id}", json={"fields": {
            "subject": "V/v lịch tiếp công dân tháng 02"}})
        assert c.post(f"/api/documents/{doc_id}/confirm").status_code == 200
        again = c.get(f"/api/documents/{doc_id}/edxml").content
    for package in (first, again):
        assert validate(package) == [] and verify_edxml(package, pem.cert_pem)
    back = parse_edxml(first)
    assert back["signed"] and back["attachments"][0]["content"] == PDF
    assert back["from"]["name"] == META["organ_name"]
    assert back["to"][0] == {  # our agency with its contact block from the settings
        "id": "000.00.00.H41", "name": "Văn phòng UBND tỉnh Nghệ An",
        "in_charge": "UBND tỉnh Nghệ An", "address": "16 Trường Thi, Vinh",
        "email": "vanthu@nghean.gov.vn", "telephone": "0238 3844 000", "fax": "",
        "website": ""}
    assert back["priority"] == "4" and back["business_type"] == "0"
    resent = parse_edxml(again)
    assert resent["business_type"] == "2" and resent["subject"].endswith("tháng 02")
    assert resent["document_id"] == back["document_id"]
    altered = first.replace("tháng 1<".encode(), "tháng 3<".encode())
    assert altered != first
    with pytest.raises(InputError):
        verify_edxml(altered, pem.cert_pem)


def test_empty_number_refused_before_export(settings: Settings) -> None:
    settings = settings.model_copy(update={"agency_code": "000.00.00.H41",
                                           "agency_name": "Văn phòng UBND tỉnh Nghệ An"})
    doc_id = _ready(settings, {k: v for k, v in META.items()
                               if k not in ("number", "code_number")})
    with client(settings) as c:
        c.post(f"/api/documents/{doc_id}/confirm")
        refused = c.get(f"/api/documents/{doc_id}/edxml")
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["missing"] == ["số"]


def test_issuer_code_from_the_list_else_refused_until_a_clerk_gives_it(settings: Settings) -> None:
    settings = settings.model_copy(update={"agency_code": "000.00.00.G09",
                                           "agency_name": "Bộ Nội vụ"})
    listed = _ready(settings, META)
    district = {**META, "organ_name": "ỦY BAN NHÂN DÂN HUYỆN NGHI LỘC", "place": "Nghi Lộc"}
    unknown = _ready(settings, district)
    later = _ready(settings, {**district, "number": "90/QĐ-UBND", "code_number": "90"})
    with client(settings) as c:
        c.post(f"/api/documents/{listed}/confirm")
        back = parse_edxml(c.get(f"/api/documents/{listed}/edxml").content)
        # From and DocumentId carry the issuing agency's code (Nghệ An), not ours (Bộ Nội vụ).
        assert back["from"]["id"] == "000.00.00.H41"
        assert back["document_id"] == "000.00.00.H41,2026/01/16,87/QĐ-UBND"
        c.post(f"/api/documents/{unknown}/confirm")
        refused = c.get(f"/api/documents/{unknown}/edxml")
        assert refused.status_code == 409
        error = refused.json()["error"]
        assert error["details"]["missing"] == ["organ_code"]
        assert "mã định danh của cơ quan ban hành «ỦY BAN NHÂN DÂN HUYỆN NGHI LỘC»" in \
            error["message"]
        misread = _ready(settings, {**META, "organ_name": "ỦY BAN NHÂN DÂN TỈNH NGHỆ AM"})
        field = c.get(f"/api/documents/{misread}").json()["fields"]["organ_code"]
        assert (field["value"], field["needs_review"], field["source"]) == \
            ("000.00.00.H41", True, "near")
        # The clerk doubts it and clears the code before confirming.
        assert c.patch(f"/api/documents/{misread}", json={"fields": {
            "organ_code": ""}}).status_code == 200
        c.post(f"/api/documents/{misread}/confirm")
        close = c.get(f"/api/documents/{misread}/edxml")
        assert close.status_code == 409  # a close name is not trusted, only suggested
        assert "gần giống «Ủy ban nhân dân tỉnh Nghệ An»" in close.json()["error"]["message"]
        bad = c.patch(f"/api/documents/{later}", json={"fields": {"organ_code": "H41-NL"}})
        assert bad.status_code == 422
        # The clerk gives the code while reviewing the next document of that agency: it is
        # learned, and the first one (already confirmed) is exported with it too.
        assert c.patch(f"/api/documents/{later}", json={"fields": {
            "organ_code": "000.21.32.h41"}}).status_code == 200
        c.post(f"/api/documents/{later}/confirm")
        for doc_id, number in ((later, "90"), (unknown, "87")):
            answer = c.get(f"/api/documents/{doc_id}/edxml")
            assert answer.status_code == 200
            assert parse_edxml(answer.content)["document_id"] == \
                f"000.21.32.H41,2026/01/16,{number}/QĐ-UBND"


def test_a_code_placed_by_the_lists_order_waits_for_a_clerk(settings: Settings) -> None:
    """Bình Định's code is only placed by the list's order: it is offered in the organ_code
    field marked for review, the export is refused naming it until a clerk accepts it; then it
    is the document's code and learned for the agency's next documents."""
    settings = settings.model_copy(update={"agency_code": "000.00.00.G09",
                                           "agency_name": "Bộ Nội vụ"})
    binh_dinh = {**META, "organ_name": "ỦY BAN NHÂN DÂN TỈNH BÌNH ĐỊNH", "place": "Bình Định"}
    first = _ready(settings, binh_dinh)
    with client(settings) as c:
        field = c.get(f"/api/documents/{first}").json()["fields"]["organ_code"]
        assert (field["value"], field["needs_review"], field["source"]) == \
            ("000.00.00.H08", True, "list_order")
        assert c.post(f"/api/documents/{first}/confirm").status_code == 409  # to review
        c.patch(f"/api/documents/{first}", json={"fields": {"organ_code": ""}})  # unsure: cleared
        c.post(f"/api/documents/{first}/confirm")
        refused = c.get(f"/api/documents/{first}/edxml")
        assert refused.status_code == 409
        assert "gợi ý mã 000.00.00.H08" in refused.json()["error"]["message"]
        # The clerk checks the suggestion and confirms the next document accepting the rest.
        second = _ready(settings, {**binh_dinh, "number": "88/QĐ-UBND", "code_number": "88"})
        assert c.post(f"/api/documents/{second}/confirm",
                      json={"accept_remaining": True}).status_code == 200
        assert parse_edxml(c.get(f"/api/documents/{second}/edxml").content)["from"]["id"] == \
            "000.00.00.H08"
        # Learned: a new document arrives with it confident, and confirming with the remaining
        # fields accepted exports it.
        third = _ready(settings, {**binh_dinh, "number": "89/QĐ-UBND", "code_number": "89"})
        field = c.get(f"/api/documents/{third}").json()["fields"]["organ_code"]
        assert (field["value"], field["needs_review"], field["source"]) == \
            ("000.00.00.H08", False, "learned")
        c.post(f"/api/documents/{third}/confirm")
        assert c.get(f"/api/documents/{third}/edxml").status_code == 200
