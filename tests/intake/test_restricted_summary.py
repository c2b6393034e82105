"""The document JSON says outright whether a document is restricted and at which secrecy level,
in the detail, the lists and the review queue, and follows a clerk's change of the mark."""

from __future__ import annotations

from models.settings import Settings
from tests.service.conftest import database_url, redis_url, settings  # noqa: F401 - fixtures
from tests.service.helpers import client, ready_document

META = {"number": "12/UBND-VX", "code_number": "12", "code_notation": "UBND-VX",
        "organ_name": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "type_name": "CÔNG VĂN",
        "subject": "Về việc tăng cường phòng chống thiên tai", "issued_date": "2026-03-02"}


def test_summary_names_the_restriction_and_the_level(settings: Settings) -> None:  # noqa: F811
    plain = ready_document(settings, {**META, "secrecy": None})
    uncertain = ready_document(settings, {**META, "secrecy": None}, uncertain=("secrecy",))
    mat = ready_document(settings, {**META, "secrecy": "MẬT"})
    toi_mat = ready_document(settings, {**META, "secrecy": "TỐI MẬT"})
    expected = {plain: (0, False), uncertain: (1, True), mat: (2, True), toi_mat: (3, True)}
    with client(settings, clearance=True) as api:
        for doc, answer in expected.items():
            body = api.get(f"/api/documents/{doc}").json()
            assert (body["secrecy_level"], body["restricted"]) == answer, doc
        listed = {d["id"]: (d["secrecy_level"], d["restricted"])
                  for d in api.get("/api/documents").json()["items"]}
        assert listed == expected
        queued = {d["id"]: (d["secrecy_level"], d["restricted"])
                  for d in api.get("/api/review-queue").json()["items"]}
        assert queued == expected
        # The mark lowered (with the reason it needs), then cleared: the summary follows.
        lowered = api.patch(f"/api/documents/{toi_mat}", json={
            "fields": {"secrecy": "MẬT"}, "reason": "Đóng dấu nhầm độ mật"})
        assert lowered.status_code == 200
        assert (lowered.json()["secrecy_level"], lowered.json()["restricted"]) == (2, True)
        cleared = api.patch(f"/api/documents/{toi_mat}", json={
            "fields": {"secrecy": None}, "reason": "Văn bản thường, dấu của bản sao khác"})
        assert (cleared.json()["secrecy_level"], cleared.json()["restricted"]) == (0, False)
    # Without the clearance the restricted ones are not listed at all; the open one says so.
    with client(settings) as api:
        items = api.get("/api/documents").json()["items"]
        assert sorted((d["id"], d["restricted"]) for d in items) == [(plain, False), (toi_mat, False)]
