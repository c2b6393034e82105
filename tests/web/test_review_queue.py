"""The review queue the pages read: urgent first (Hỏa tốc, Thượng khẩn, Khẩn), then oldest."""

from __future__ import annotations

from models.settings import Settings
from tests.service.helpers import client, ready_document

META = {"number": "12/UBND-VX", "code_number": "12", "code_notation": "UBND-VX",
        "organ_name": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "type_name": "CÔNG VĂN",
        "subject": "Về việc tăng cường phòng chống thiên tai", "issued_date": "2026-03-02"}


def test_queue_is_urgent_first_then_oldest_with_filters(settings: Settings) -> None:
    plain_old = ready_document(settings, {**META, "urgency": None}, uncertain=("number",))
    khan = ready_document(settings, {**META, "urgency": "KHẨN"})
    plain_new = ready_document(settings, {**META, "urgency": None, "organ_name": "BỘ NỘI VỤ"})
    hoa_toc = ready_document(settings, {**META, "urgency": "HỎA TỐC"})
    thuong = ready_document(settings, {**META, "urgency": "THƯỢNG KHẨN"})
    with client(settings) as api:
        body = api.get("/api/review-queue").json()
        assert [d["id"] for d in body["items"]] == [hoa_toc, thuong, khan, plain_old, plain_new]
        assert body["total"] == 5 and body["urgent"] == 3
        first = body["items"][3]
        assert first["review_count"] == 1 and first["subject"] == META["subject"]
        # Filters: agency without diacritics, urgency, status (confirmed leave the queue).
        bo = api.get("/api/review-queue", params={"agency": "bo noi vu"}).json()
        assert [d["id"] for d in bo["items"]] == [plain_new]
        khan_only = api.get("/api/review-queue", params={"urgency": "KHẨN"}).json()
        assert [d["id"] for d in khan_only["items"]] == [khan]
        assert api.post(f"/api/documents/{khan}/confirm").status_code == 200
        left = api.get("/api/review-queue", params={"limit": 2, "offset": 1}).json()
        assert [d["id"] for d in left["items"]] == [thuong, plain_old] and left["total"] == 4
        done = api.get("/api/review-queue", params={"status": "confirmed"}).json()
        assert [d["id"] for d in done["items"]] == [khan]


def test_search_results_carry_the_subject(settings: Settings) -> None:
    doc = ready_document(settings, META, text="Về việc tăng cường phòng chống thiên tai mùa mưa")
    with client(settings) as api:
        items = api.get("/api/search", params={"q": "phong chong thien tai"}).json()["items"]
        assert [d["id"] for d in items] == [doc] and items[0]["subject"] == META["subject"]


def test_pages_carry_their_first_data_safely(settings: Settings) -> None:
    doc = ready_document(settings, {**META, "subject": "Về việc </script><!-- thử"})
    with client(settings) as api:
        assert api.get("/", follow_redirects=False).headers["location"] == "/hang-doi"
        page = api.get(f"/van-ban/{doc}")
        assert page.status_code == 200 and 'lang="vi"' in page.text
        data = page.text.split('id="initial-data" type="application/json">', 1)[1].split("</script>")[0]
        assert "</script><!--" not in page.text and "\\u003c/script>" in data
        queue = api.get("/hang-doi", params={"agency": "quang ngai"})
        assert f'"id":{doc}' in queue.text
        missing = api.get("/van-ban/999999")  # the script asks the API and says it in Vietnamese
        assert missing.status_code == 404 and "initial-data" not in missing.text
        assert 'src="/static/review.js' in missing.text
        css = api.get("/static/app.css", params={"v": "1"})
        assert css.status_code == 200 and "immutable" in css.headers["cache-control"]
        for path in ("/tai-len", "/tim-kiem"):
            assert api.get(path).status_code == 200


def test_the_history_names_the_signed_in_account_not_a_header(settings: Settings) -> None:
    doc = ready_document(settings, META, uncertain=("subject",))
    with client(settings) as api:
        headers = {"X-Intake-User": "Nguy%E1%BB%85n%20Th%E1%BB%8B%20Lan"}  # the old pages' header
        body = api.patch(f"/api/documents/{doc}", json={"fields": {"subject": META["subject"]}},
                         headers=headers).json()
        assert body["history"][-1]["actor"] == "user:chuyen.vien"  # the clerk's session
