"""Registry delivery over the API: pull feed and cursor, status codes, refusal, restricted, edXML."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from documents.edxml import parse_edxml, validate
from infra.database import session_scope
from infra.storage import open_store
from infra.tables import Document
from intake.auth.roles import TokenScope
from models.settings import Settings
from tests.intake.auth.principals import token_headers
from tests.service.helpers import client, ready_document, token_prefix

META: dict[str, Any] = {
    "number": "87/QĐ-UBND", "code_number": "87", "code_notation": "QĐ-UBND",
    "organ_name": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "type_name": "QUYẾT ĐỊNH",
    "subject": "Về việc phê duyệt kế hoạch", "issued_date": "2024-03-05", "place": "Quảng Ngãi",
    "signer": {"competence": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH",
               "full_name": "Trần Phước Hiền"},
    "to_places": ["Như Điều 3;", "Lưu: VT."], "urgency": "THƯỢNG KHẨN",
}


def _doc(settings: Settings, n: int = 0, **extra: Any) -> int:
    meta = {**META, "number": f"{n + 1}/QĐ-UBND", "code_number": str(n + 1), **extra}
    return ready_document(settings, meta)


def _pull_all(c: Any, after: str | None = None, limit: int = 2) -> tuple[list[int], str | None]:
    ids: list[int] = []
    while True:
        page = c.get("/api/registry/documents", params={"after": after, "limit": limit} if after
                     else {"limit": limit}).json()
        ids += [i["id"] for i in page["items"]]
        after = page["next"]
        if not page["has_more"]:
            return ids, after


def test_pull_feed_names_links_and_delivery(settings: Settings) -> None:
    docs = [_doc(settings, n) for n in range(5)]
    secret = _doc(settings, 9, secrecy="TỐI MẬT")
    with client(settings, clearance=True) as c:  # a clerk who may confirm the secret one too
        for doc_id in [docs[3], docs[0], secret, docs[4], docs[1]]:  # docs[2] stays in review
            assert c.post(f"/api/documents/{doc_id}/confirm").status_code == 200
        first = c.get("/api/registry/documents", params={"limit": 2}).json()
        item = first["items"][0]
        assert item["id"] == docs[3] and first["has_more"]
        assert {k: item[k] for k in ("TypeName", "CodeNumber", "CodeNotation", "IssuedDate",
                                     "OrganName", "Subject", "PageAmount", "Priority")} == {
            "TypeName": "Quyết định", "CodeNumber": "4", "CodeNotation": "QĐ-UBND",
            "IssuedDate": "2024-03-05", "OrganName": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
            "Subject": "Về việc phê duyệt kế hoạch", "PageAmount": 1, "Priority": "2"}
        assert item["SignerInfo"] == {"Competence": "KT. CHỦ TỊCH", "Position": "PHÓ CHỦ TỊCH",
                                      "FullName": "Trần Phước Hiền"}
        # Phụ lục VI: ToPlaces is the receiving unit; the printed list goes under its own name.
        assert item["ToPlaces"] == ["Văn phòng"]
        assert item["PrintedToPlaces"] == ["Như Điều 3;", "Lưu: VT."]
        assert item["Language"] == "Tiếng Việt" and item["ArrivalStampNumber"] is None
        with session_scope(settings.database) as session:  # the register's number (số đến)
            assert item["ArrivalNumber"] == session.get_one(Document, docs[3]).arrival_number
        assert isinstance(item["ArrivalNumber"], int)
        assert item["links"]["pdf"].endswith(f"/api/documents/{docs[3]}/pdf")
        assert item["links"]["edxml"].endswith(f"/api/documents/{docs[3]}/edxml")
        assert item["status"] == "delivered" and item["delivered_at"]
        history = c.get(f"/api/documents/{docs[3]}").json()["history"]
        assert [h["actor"] for h in history if h["new"] == "delivered"] == [
            f"token:phần mềm QLVB ({token_prefix(c, 'registry')})"]  # who pulled it
        rest, cursor = _pull_all(c, first["next"])
        assert [i["id"] for i in first["items"]] + rest == [docs[3], docs[0], docs[4], docs[1]]
        assert c.get("/api/registry/documents", params={"after": cursor}).json()["items"] == []
        # A document confirmed later comes after the cursor the registry holds.
        c.post(f"/api/documents/{docs[2]}/confirm")
        assert _pull_all(c, cursor)[0] == [docs[2]]
        # The secret one was never in the feed; it waits in the restricted queue.
        restricted = c.get("/api/registry/restricted").json()
        assert [d["id"] for d in restricted["items"]] == [secret]
        assert restricted["items"][0]["delivery"]["state"] == "restricted"
        assert c.get(f"/api/documents/{secret}").json()["status"] == "confirmed"
        # The registry's token does not see it at all: a status report finds no such document.
        assert c.post(f"/api/registry/documents/{secret}/status",
                      json={"code": "01"}).status_code == 404
        assert c.get(f"/api/documents/{secret}/edxml").status_code == 409
        bad = c.get("/api/registry/documents", params={"after": "not-a-cursor"})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
        # A registry token of another unit: an empty feed, and the documents do not exist for it.
        other = token_headers(settings, "QLVB Phòng Tài chính", TokenScope.REGISTRY,
                              "Phòng Tài chính")
        assert c.get("/api/registry/documents", headers=other).json()["items"] == []
        assert c.post(f"/api/registry/documents/{docs[0]}/status", json={"code": "03"},
                      headers=other).status_code == 404
        assert c.get(f"/api/documents/{docs[0]}/pdf", headers=other).status_code == 404


def test_status_codes_history_and_refusal_back_to_clerk(settings: Settings) -> None:
    doc_id = _doc(settings)
    with client(settings) as c:
        status = (lambda code, **kw: c.post(f"/api/registry/documents/{doc_id}/status",  # noqa: E731
                                            json={"code": code, **kw}))
        assert status("01").status_code == 409  # not confirmed yet
        c.post(f"/api/documents/{doc_id}/confirm")
        assert status("07").json()["error"]["code"] == "invalid_field"
        assert status("02").status_code == 422  # a refusal needs its reason
        arrived = status("01", staff="Nguyễn Văn An").json()
        assert arrived["status"] == "delivered" and arrived["delivered_at"]
        # The report names the registry's token (never a name it sends) and its staff member.
        token = f"token:phần mềm QLVB ({token_prefix(c, 'registry')})"
        assert [h["by"] for h in arrived["history"]] == [f"{token} / Nguyễn Văn An"]
        assert arrived["acknowledged_at"] is None
        assert status("01").json()["changed"] is False  # a repeated report adds nothing
        refused = status("02", reason="Thiếu trang 2, đề nghị quét lại").json()
        assert refused["status"] == "ready_for_review" and refused["registry_status"] == "02"
        view = c.get(f"/api/documents/{doc_id}").json()
        assert view["delivery"]["state"] == "refused"
        assert view["delivery"]["refusal"] == "Thiếu trang 2, đề nghị quét lại"
        assert doc_id not in _pull_all(c)[0]
        assert status("03").status_code == 409  # back with the clerk
        # The clerk confirms again: a new place in the feed, status history starts again.
        _, cursor = _pull_all(c)
        c.post(f"/api/documents/{doc_id}/confirm")
        assert _pull_all(c, cursor)[0] == [doc_id]
        accepted = status("03", staff="Lê Thị Bình").json()
        assert accepted["acknowledged_at"] and accepted["registry_status_name"] == "Đã tiếp nhận"
        assert status("05").status_code == 200
        back = status("04")
        assert back.status_code == 409 and "cannot go back" in back.json()["error"]["message"]
        assert status("02", reason="muộn").status_code == 409
        done = status("06").json()
        assert [h["code"] for h in done["history"]] == ["01", "02", "03", "05", "06"]
        assert [h["by"] for h in done["history"]] == [
            f"{token} / Nguyễn Văn An", token, f"{token} / Lê Thị Bình", token, token]
        assert done["history"][1]["detail"] == "02 Từ chối tiếp nhận: Thiếu trang 2, đề nghị quét lại"
        history = c.get(f"/api/documents/{doc_id}").json()["history"]
        assert [h["new"] for h in history if h["action"] == "registry"] == ["01", "02", "03", "05",
                                                                           "06"]


def test_pull_is_stable_under_concurrent_confirmations(settings: Settings) -> None:
    docs = [_doc(settings, n) for n in range(40)]
    seen: list[int] = []
    with client(settings) as c:
        def confirm(part: list[int]) -> None:
            for doc_id in part:
                assert c.post(f"/api/documents/{doc_id}/confirm").status_code == 200

        # Two clerks confirm at once while the registry pages through the feed.
        threads = [threading.Thread(target=confirm, args=(docs[i::2],)) for i in range(2)]
        for thread in threads:
            thread.start()
        cursor = None
        while True:
            finished = not any(t.is_alive() for t in threads)
            page, cursor = _pull_all(c, cursor, limit=3)
            seen += page
            if finished:
                break
        for thread in threads:
            thread.join()
    assert sorted(seen) == sorted(docs) and len(seen) == len(set(seen))  # none missed, no repeat
    with session_scope(settings.database) as session:
        seq = {d.id: d.delivery_seq or 0 for d in session.query(Document)}
    assert [seq[i] for i in seen] == sorted(seq[i] for i in seen)


def test_edxml_export_validates_and_round_trips(settings: Settings) -> None:
    settings = settings.model_copy(update={"agency_code": "000.00.00.H49",
                                           "agency_name": "Văn phòng UBND tỉnh Quảng Ngãi"})
    doc_id = _doc(settings)
    pdf = b"%PDF-1.7\n" + b"0123456789" * 500 + b"\n%%EOF\n"
    path = settings.data_dir / "doc.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    key = open_store(settings).put_file(f"documents/{doc_id}/document.pdf", path)
    with session_scope(settings.database, write=True) as session:
        session.get_one(Document, doc_id).pdf_key = key
    with client(settings) as c:
        assert c.get(f"/api/documents/{doc_id}/edxml").status_code == 409  # not confirmed
        c.post(f"/api/documents/{doc_id}/confirm")
        response = c.get(f"/api/documents/{doc_id}/edxml")
    assert response.status_code == 200 and response.headers["content-type"] == "application/xml"
    assert validate(response.content) == []
    back = parse_edxml(response.content)
    assert back["attachments"][0]["content"] == pdf
    # DocumentId starts with the issuing agency's code (Quảng Ngãi), not ours (documents/agency_codes)
    assert back["document_id"] == "000.00.00.H48,2024/03/05,1/QĐ-UBND"
    assert back["from"]["id"] == "000.00.00.H48"
    assert back["signer"]["full_name"] == "Trần Phước Hiền" and back["priority"] == "2"


@pytest.mark.parametrize("code", ["01", "03"])
def test_unknown_document_is_404(settings: Settings, code: str) -> None:
    with client(settings) as c:
        r = c.post("/api/registry/documents/999/status", json={"code": code})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
