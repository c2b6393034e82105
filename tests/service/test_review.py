"""A clerk corrects, accepts and confirms through the API; every change lands in the history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from documents.metadata import learned_gazetteer
from infra.database import session_scope
from infra.tables import GazetteerEntry
from models.settings import Settings
from tests.service.helpers import CLERK, client, ready_document

META = {
    "number": "87/QĐ-UBND", "code_number": "87", "code_notation": "QĐ-UBND",
    "issued_date": "2026-03-02", "place": "Quảng Ngãi",
    "organ_name": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "parent_organ": None,
    "type_name": "QUYẾT ĐỊNH", "subject": "Về việc phê duyệt kế hoạch",
    "signer": {"competence": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH",
               "full_name": "Trần Phước Hiền"},
    "to_places": ["Như Điều 3"], "secrecy": None, "urgency": "KHẨN", "arrival_stamp": None,
}


def _misread(settings: Settings, pdf: Path) -> int:
    """A document read as number 81 (uncertain) whose PDF/A is `pdf`."""
    from infra.storage import open_store
    from infra.tables import Document

    doc_id = ready_document(settings, {**META, "number": "81/QĐ-UBND", "code_number": "81"},
                            uncertain=("number",))
    key = open_store(settings).put_file(f"documents/{doc_id}/doc.pdf", pdf)
    with session_scope(settings.database, write=True) as session:
        session.get_one(Document, doc_id).pdf_key = key
    return doc_id


def test_correct_accept_and_confirm(settings: Settings) -> None:
    doc_id = ready_document(settings, {**META, "number": "81/QĐ-UBND", "code_number": "81"},
                            uncertain=("number", "subject"))
    with client(settings) as api:
        before = api.get(f"/api/documents/{doc_id}").json()
        assert before["review_count"] == 2
        # Uncertain fields left: confirming is refused, naming them.
        refused = api.post(f"/api/documents/{doc_id}/confirm")
        assert refused.status_code == 409 and "number" in refused.json()["error"]["message"]

        fixed = api.patch(f"/api/documents/{doc_id}",
                          json={"fields": {"number": "87 / QĐ-UBND",
                                           "subject": META["subject"],
                                           "signer.full_name": "Trần Phước Hiển"},
                                "paper_arrived_on": "2026-03-03"},
                          headers={"X-Intake-User": "lan"})  # a client's name: ignored
        assert fixed.status_code == 200, fixed.text
        doc = fixed.json()
        assert doc["number"] == "87" and doc["notation"] == "QĐ-UBND"
        assert doc["metadata"]["number"] == "87/QĐ-UBND"
        assert doc["metadata"]["signer"]["full_name"] == "Trần Phước Hiển"
        assert doc["fields"]["number"]["needs_review"] is False
        assert doc["fields"]["number"]["corrected_by"] == CLERK  # the signed-in account
        assert doc["review_count"] == 0 and doc["paper_arrived_on"] == "2026-03-03"
        changes = {(e["action"], e["field"]): e for e in doc["history"] if e["actor"] == CLERK}
        assert changes[("field", "number")]["old"] == "81/QĐ-UBND"
        assert changes[("field", "number")]["new"] == "87/QĐ-UBND"
        assert ("accept", "subject") in changes  # same value: accepted, not changed
        assert changes[("field", "signer.full_name")]["old"] == "Trần Phước Hiền"
        assert not [e for e in doc["history"] if "lan" in (e["actor"] or "")]

        confirmed = api.post(f"/api/documents/{doc_id}/confirm")
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["status"] == "confirmed" and confirmed.json()["confirmed_at"]
        assert [e["actor"] for e in api.get(f"/api/documents/{doc_id}").json()["history"]
                if e["action"] == "status" and e["new"] == "confirmed"] == [CLERK]
        # A confirmed document is no longer edited through the review.
        late = api.patch(f"/api/documents/{doc_id}", json={"fields": {"place": "Huế"}})
        assert late.status_code == 409


def test_bad_values_are_refused_with_the_reason(settings: Settings) -> None:
    doc_id = ready_document(settings, META)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    with client(settings) as api:
        for fields, words in [
            ({"number": "QĐ-UBND"}, "number"),
            ({"issued_date": "2026-02-30"}, "not a date"),
            ({"issued_date": tomorrow}, "future"),
            ({"secrecy": "BÍ MẬT"}, "secrecy"),
            ({"colour": "xanh"}, "not a field"),
            ({"subject": "x" * 1001}, "longer"),
        ]:
            r = api.patch(f"/api/documents/{doc_id}", json={"fields": fields})
            assert r.status_code == 422, (fields, r.text)
            assert r.json()["error"]["code"] == "invalid_field"
            assert words in r.json()["error"]["message"], r.text
        # Nothing was changed by the refused requests.
        doc = api.get(f"/api/documents/{doc_id}").json()
        assert doc["metadata"] == META
        assert not [e for e in doc["history"] if e["actor"].startswith("user:")]


def test_corrected_agency_and_position_teach_the_gazetteer(settings: Settings) -> None:
    doc_id = ready_document(settings, META, uncertain=("organ_name",))
    organ = "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH QUẢNG NGÃI"
    with client(settings) as api:
        r = api.patch(f"/api/documents/{doc_id}",
                      json={"fields": {"organ_name": organ,
                                       "signer": {"position": "GIÁM ĐỐC SỞ"}}})
        assert r.status_code == 200, r.text
        assert r.json()["organ"] == organ
        listed = api.get("/api/documents", params={"agency": "so khoa hoc"}).json()
        assert [d["id"] for d in listed["items"]] == [doc_id]
    with session_scope(settings.database) as session:
        learned = learned_gazetteer(session)
        assert ("organ", organ) in learned and ("position", "GIÁM ĐỐC SỞ") in learned
        assert session.query(GazetteerEntry).filter_by(added_by=CLERK).count() == 2


def test_a_confirmed_signer_is_known_to_the_next_documents_reading(settings: Settings) -> None:
    """Issue 16: confirming a document records its agency's signer as a person confirmed it
    (documents/extract/known_signers.py); never from a document with a secrecy mark."""
    from documents.extract.gazetteer import gazetteer_for
    from documents.extract.known_signers import KIND

    corrected = {"competence": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH",
                 "full_name": "Trần Phước Hiển"}
    doc_id = ready_document(settings, META, uncertain=("signer",))
    secret = ready_document(settings, {**META, "secrecy": "MẬT", "signer": {
        **corrected, "full_name": "Võ Văn Mật"}})
    with client(settings) as api:
        r = api.patch(f"/api/documents/{doc_id}", json={"fields": {"signer": corrected}})
        assert r.status_code == 200, r.text
        assert api.post(f"/api/documents/{doc_id}/confirm").status_code == 200
    from types import SimpleNamespace

    from documents.audit import Actor
    from documents.review import confirm_document
    from documents.visibility import level_of
    from infra.tables import Document

    with session_scope(settings.database) as session:
        assert level_of(session.get_one(Document, secret)) > 0
    who = SimpleNamespace(history="user:mat", actor=Actor("account", 9, "mat"), clearance=True)
    confirm_document(settings, secret, who)
    with session_scope(settings.database) as session:
        signers = [v for k, v in learned_gazetteer(session) if k == KIND]
    assert signers == [f"{META['organ_name']} | KT. CHỦ TỊCH | PHÓ CHỦ TỊCH | Trần Phước Hiển"]
    known = gazetteer_for(((KIND, signers[0]),)).signers_of(str(META["organ_name"]))
    assert [k.name for k in known] == ["Trần Phước Hiển"]


def test_learned_entries_reach_the_extraction_gazetteer() -> None:
    from documents.extract.gazetteer import default_gazetteer, gazetteer_for

    organ = "BAN QUẢN LÝ KHU KINH TẾ DUNG QUẤT THỬ NGHIỆM"
    assert ("organ", organ) not in default_gazetteer()
    assert ("organ", organ) in gazetteer_for((("organ", organ),))
    assert gazetteer_for(()) is default_gazetteer()


def test_an_empty_required_field_is_never_accepted_only_marked_none(settings: Settings) -> None:
    """Enter on an empty number does not accept it: the clerk says the document has none."""
    doc_id = ready_document(settings, {**META, "number": None, "code_number": None,
                                       "code_notation": "QĐ-UBND", "issued_date": None},
                            uncertain=("number", "issued_date"))
    with client(settings) as api:
        empty = api.patch(f"/api/documents/{doc_id}", json={"fields": {"number": ""}})
        assert empty.status_code == 422 and "none" in empty.json()["error"]["message"]
        # Accepting the rest as read does not accept a missing number or date either.
        r = api.post(f"/api/documents/{doc_id}/confirm", json={"accept_remaining": True})
        assert r.status_code == 409 and "issued_date" in r.json()["error"]["message"], r.text
        assert api.patch(f"/api/documents/{doc_id}", json={"none": ["place"]}).status_code == 422
        r = api.patch(f"/api/documents/{doc_id}", json={"fields": {"number": "5/QĐ-UBND"},
                                                        "none": ["issued_date"]})
        assert r.status_code == 200, r.text
        date = r.json()["fields"]["issued_date"]
        assert date["none"] is True and date["value"] is None and not date["needs_review"]
        assert [e["action"] for e in r.json()["history"] if e["field"] == "issued_date"] == ["none"]
        # A value typed later replaces the explicit none.
        r = api.patch(f"/api/documents/{doc_id}", json={"fields": {"issued_date": "2026-03-02"}})
        assert "none" not in r.json()["fields"]["issued_date"]
        assert api.post(f"/api/documents/{doc_id}/confirm").status_code == 200


def test_pdf_named_by_its_corrected_number_opens_inline_and_is_found(
        settings: Settings, tmp_path: Path) -> None:
    """Issue 16: the download is named by the number and subject, shown in the browser; search
    finds the document by the number a clerk corrected."""
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    doc_id = _misread(settings, pdf)
    with client(settings) as api:
        assert api.patch(f"/api/documents/{doc_id}",
                         json={"fields": {"number": "575/QĐ-UBND"}}).status_code == 200
        r = api.get(f"/api/documents/{doc_id}/pdf")
        disposition = r.headers["content-disposition"]
        assert r.status_code == 200 and disposition.startswith("inline; filename=\"575-QD-UBND Ve")
        assert "filename*=UTF-8''575-Q%C4%90-UBND%20V%E1%BB%81%20vi%E1%BB%87c" in disposition
        found = api.get("/api/search", params={"q": "575/QĐ-UBND"}).json()
        assert [d["id"] for d in found["items"]][:1] == [doc_id]
        assert not api.get("/api/search", params={"q": "81/QĐ-UBND"}).json()["items"]


def test_confirming_a_corrected_number_retitles_the_pdfa(settings: Settings, tmp_path: Path) -> None:
    """Issue 16: the PDF/A's XMP title (and Info /Title) follows the clerk's correction, so the
    file the registry imports and signing takes names the number the clerk typed; the file stays
    a PDF/A, and the change is in the history."""
    import pikepdf

    from documents.naming import document_title
    from documents.pdfa import DocumentInfo, assemble_pdfa, check_pdfa
    from documents.retitle import retitle
    from infra.storage import open_store
    from infra.tables import Document

    wrong = {**META, "number": "81/QĐ-UBND", "code_number": "81"}
    page, built = tmp_path / "page.pdf", tmp_path / "doc.pdf"
    with pikepdf.new() as one:
        one.add_blank_page(page_size=(595, 842))
        one.save(page)
    assemble_pdfa([page], built, DocumentInfo(title=str(document_title(wrong))))
    doc_id = _misread(settings, built)
    store = open_store(settings)
    with session_scope(settings.database) as session:
        key = session.get_one(Document, doc_id).pdf_key
    with client(settings) as api:
        assert api.patch(f"/api/documents/{doc_id}",
                         json={"fields": {"number": "575/QĐ-UBND"}}).status_code == 200
        assert api.post(f"/api/documents/{doc_id}/confirm").status_code == 200
        got = tmp_path / "got.pdf"
        got.write_bytes(api.get(f"/api/documents/{doc_id}/pdf").content)
        history = api.get(f"/api/documents/{doc_id}").json()["history"]
    with pikepdf.open(got) as pdf:
        title = str(pdf.open_metadata()["dc:title"])
        assert title == "575/QĐ-UBND — Về việc phê duyệt kế hoạch"
        assert str(pdf.docinfo["/Title"]) == title
        assert str(pdf.docinfo["/CreationDate"]).endswith("'")  # the full PDF date form kept
        assert len(pdf.pages) == 1
    assert check_pdfa(got) == []
    assert [(e["old"], e["new"]) for e in history if e["action"] == "retitled"] == [
        ("81/QĐ-UBND — Về việc phê duyệt kế hoạch", title)]
    with session_scope(settings.database, write=True) as session:
        doc = session.get_one(Document, doc_id)
        assert doc.pdf_key != key and store.open(key).read() == built.read_bytes()  # old kept
        assert retitle(session, store, doc, CLERK) is False  # already right: not rewritten


def test_one_part_of_a_signer_not_read_leaves_the_other_two_to_review(settings: Settings) -> None:
    """No signer block was read: typing the competence does not settle the position and the
    name (they stay to review); the page's one-key "no signer" sends all three at once."""
    doc_id = ready_document(settings, {**META, "signer": None}, uncertain=("signer",))
    with client(settings) as api:
        r = api.patch(f"/api/documents/{doc_id}", json={"fields": {
            "signer.competence": "KT. CHỦ TỊCH"}})
        assert r.status_code == 200, r.text
        signer = r.json()["fields"]["signer"]
        assert signer["needs_review"]
        assert {k: p["needs_review"] for k, p in signer["parts"].items()} == {
            "competence": False, "position": True, "full_name": True}
        refused = api.post(f"/api/documents/{doc_id}/confirm")
        assert refused.status_code == 409 and "signer" in refused.text
        other = ready_document(settings, {**META, "signer": None}, uncertain=("signer",))
        r = api.patch(f"/api/documents/{other}", json={"fields": {"signer": {
            "competence": None, "position": None, "full_name": None}}})
        assert r.status_code == 200 and not r.json()["fields"]["signer"]["needs_review"]
        assert api.post(f"/api/documents/{other}/confirm").status_code == 200


def test_a_pdf_that_cannot_be_retitled_does_not_stop_the_confirmation(
        settings: Settings, tmp_path: Path) -> None:
    from infra.tables import Document

    broken = tmp_path / "doc.pdf"
    broken.write_bytes(b"%PDF-1.7\n%%EOF\n")  # no pages, no trailer: pikepdf refuses it
    doc_id = _misread(settings, broken)
    with session_scope(settings.database) as session:
        key = session.get_one(Document, doc_id).pdf_key
    with client(settings) as api:
        assert api.patch(f"/api/documents/{doc_id}",
                         json={"fields": {"number": "575/QĐ-UBND"}}).status_code == 200
        r = api.post(f"/api/documents/{doc_id}/confirm")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "confirmed"
    with session_scope(settings.database) as session:
        assert session.get_one(Document, doc_id).pdf_key == key
