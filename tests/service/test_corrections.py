"""A person corrects the cut of a stack: merge, split, rotate, move, delete; extraction follows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image

from intake.auth.roles import Role
from models.settings import Settings
from synth import make_document
from tests.intake.auth.principals import account_headers
from tests.service.helpers import batch_documents, client, document_status, wait_for
from tests.service.test_split_upload import _stack

pytestmark = [pytest.mark.redis, pytest.mark.slow]


def _two_documents(settings: Settings, start_worker: Any, tmp_path: Path) -> tuple[int, int]:
    start_worker(settings)
    with client(settings, clearance=True) as api:
        r = api.post("/api/batches", files=[("files", ("stack.pdf", _stack(tmp_path / "s.pdf"),
                                                       "application/pdf"))])
        batch_id = r.json()["id"]

    def ready() -> list[int] | None:
        ids = sorted(batch_documents(settings, batch_id))
        ok = len(ids) == 2 and all(document_status(settings, i) == "ready_for_review" for i in ids)
        return ids if ok else None

    a, b = wait_for(ready, 300, "two documents ready")
    return a, b


def _pdf_pages(api: Any, doc_id: int) -> list[int]:
    """The /Rotate of each page of the document's PDF/A."""
    import io

    with pikepdf.open(io.BytesIO(api.get(f"/api/documents/{doc_id}/pdf").content)) as pdf:
        return [int(p.obj.get("/Rotate", 0)) for p in pdf.pages]


def test_merge_split_rotate_move_delete(settings: Settings, start_worker: Any,
                                        tmp_path: Path) -> None:
    a, b = _two_documents(settings, start_worker, tmp_path)
    number_a = make_document(41, pages=2).truth["fields"]["number"]
    number_b = make_document(42, pages=1).truth["fields"]["number"]
    with client(settings, clearance=True) as api:
        # Merge: B's page appended to A; B is emptied; A keeps its own number.
        r = api.post(f"/api/documents/{a}/merge", json={"other": b})
        assert r.status_code == 200, r.text
        doc = r.json()
        assert doc["pages_total"] == 3 and [p["index"] for p in doc["pages"]] == [0, 1, 2]
        assert doc["metadata"]["number"] == number_a and _pdf_pages(api, a) == [0, 0, 0]
        assert api.get(f"/api/documents/{b}").json()["status"] == "deleted"

        # Split before the third page: the page of B becomes a document again (B's row revived)
        # and extraction reads B's number from it.
        r = api.post(f"/api/documents/{a}/split", json={"at": 2})
        assert r.status_code == 200, r.text
        new = r.json()["new_document"]
        assert new["id"] == b and new["status"] == "ready_for_review"
        assert new["metadata"]["number"] == number_b and new["pages_total"] == 1
        assert new["copy_eligible"] is True  # judged again from its page's stored scan check
        assert r.json()["document"]["pages_total"] == 2

        # Rotate A's second page: PDF page, image and word boxes turn together.
        before = api.get(f"/api/documents/{a}").json()["pages"][1]
        img_before = Image.open(_bytes(api, before["image"]))
        r = api.post(f"/api/documents/{a}/pages/1/rotate", json={"degrees": 90})
        assert r.status_code == 200, r.text
        after = r.json()["pages"][1]
        assert (after["width"], after["height"]) == (before["height"], before["width"])
        w0, w1 = before["words"][0]["bbox"], after["words"][0]["bbox"]
        assert w1 == [before["height"] - w0[3], w0[0], before["height"] - w0[1], w0[2]]
        img_after = Image.open(_bytes(api, after["image"]))
        assert img_after.size == (img_before.size[1], img_before.size[0])
        assert _pdf_pages(api, a) == [0, 90]
        assert r.json()["metadata"]["number"] == number_a  # first page unchanged

        # Move A's first page to the end (behind its second), then back; then delete the second.
        r = api.post(f"/api/documents/{a}/pages/0/move", json={})  # to the end
        assert r.status_code == 200 and _pdf_pages(api, a) == [90, 0]
        r = api.post(f"/api/documents/{a}/pages/1/move", json={"to": 0})
        assert r.status_code == 200 and _pdf_pages(api, a) == [0, 90]
        r = api.delete(f"/api/documents/{a}/pages/1")
        assert r.status_code == 200, r.text
        doc = r.json()
        assert doc["pages_total"] == 1 and doc["metadata"]["number"] == number_a
        assert doc["split"]["source_pages"] == [0]

        # Every correction is in the history, by the person.
        actions = [e["action"] for e in doc["history"] if e["actor"] == "user:chuyen.vien-mat"]
        assert actions == ["merge", "split", "rotate", "move", "move", "delete_page"]

        # A clerk of another unit (even with the clearance) finds no such documents; nothing moves.
        other = account_headers(settings, "chuyen.vien.khac", Role.CLERK, ("Phòng Tài chính",),
                                clearance=True)
        for url, body in [(f"/api/documents/{a}/pages/0/rotate", {"degrees": 90}),
                          (f"/api/documents/{a}/split", {"at": 1})]:
            assert api.post(url, json=body, headers=other).status_code == 404, url
        assert api.get(f"/api/documents/{a}").json()["pages_total"] == 1

        # Refused with the reason: bad page, bad angle, self-merge, last page, confirmed document.
        for method, url, body, code in [
            ("post", f"/api/documents/{a}/split", {"at": 0}, 400),
            ("post", f"/api/documents/{a}/pages/0/rotate", {"degrees": 45}, 400),
            ("post", f"/api/documents/{a}/merge", {"other": a}, 400),
            ("delete", f"/api/documents/{a}/pages/0", None, 400),
            ("delete", f"/api/documents/{a}/pages/7", None, 400),
        ]:
            kwargs = {"json": body} if body is not None else {}
            r = getattr(api, method)(url, **kwargs)
            assert r.status_code == code, (url, r.text)
            assert r.json()["error"]["message"]
        # A grey scan's "no mark" is uncertain (restricted) until a person with clearance decides.
        r = api.patch(f"/api/documents/{b}", json={"fields": {"secrecy": None},
                                                   "reason": "Bản giấy không có dấu mật"})
        assert r.status_code == 200, r.text
        api.post(f"/api/documents/{b}/confirm", json={"accept_remaining": True})
        r = api.post(f"/api/documents/{a}/merge", json={"other": b})
        assert r.status_code == 409 and "confirmed" in r.json()["error"]["message"]


def _bytes(api: Any, url: str) -> Any:
    import io

    return io.BytesIO(api.get(url).content)
