"""The review page in a real browser, on seeded documents (no OCR): keyboard-first correction and
confirmation, the focused field's box on the page, Vietnamese reasons, duplicate and secret marks.

Browser tests run on SQLite only: the API they call is covered on both databases elsewhere, and
PostgreSQL would double their time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from infra.database import dispose_engines, session_scope
from infra.storage import open_store
from infra.tables import Document, Event, Page, PageStatus
from models.settings import Settings
from tests.service.helpers import ready_document
from tests.web.conftest import DESKTOP, PHONE, Console, check_page, shot, wait_until

pytestmark = [pytest.mark.browser]

META = {
    "number": "81/QĐ-UBND", "code_number": "81", "code_notation": "QĐ-UBND",
    "issued_date": "2026-03-02", "place": "Quảng Ngãi",
    "organ_name": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "parent_organ": None,
    "type_name": "QUYẾT ĐỊNH", "subject": "Về việc phê duyệt kế hoạch chuyển đổi số",
    "signer": {"competence": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH",
               "full_name": "Trần Phước Hiền"},
    "to_places": ["Như Điều 3", "Lưu: VT"], "secrecy": None, "urgency": None, "arrival_stamp": None,
}
WIDTH, HEIGHT, DPI = 2480, 3508, 300  # A4 at 300 dpi; the field boxes are in these pixels


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite only (see the module's docstring)."""
    yield f"sqlite:///{tmp_path / 'intake.db'}"
    dispose_engines()


def _with_page(settings: Settings, doc_id: int, tmp: Path) -> None:
    """Give a seeded document one page with an image (a blank A4 at 100 dpi)."""
    image = tmp / f"page-{doc_id}.jpg"
    Image.new("RGB", (827, 1170), "white").save(image)
    key = open_store(settings).put_file(f"documents/{doc_id}/page-0.jpg", image)
    with session_scope(settings.database, write=True) as session:
        session.add(Page(document_id=doc_id, index=0, source_page=0, status=PageStatus.DONE,
                         source="ocr", width=WIDTH, height=HEIGHT, dpi=DPI, image_key=key))


def _rendered(page: Any) -> None:
    wait_until(page, "performance.getEntriesByName('intake:rendered').length > 0")


def _review(settings: Settings, live_api: Any, signed_in: Any, doc: int,
            **login: Any) -> tuple[str, Console, Any, Any]:
    """The service started, a clerk signed in on a desktop (`login`: signed_in's options), the
    review page of `doc` drawn: (base address, console watch, browser context, page)."""
    base = live_api(settings)
    console = Console()
    context = signed_in(base, viewport=DESKTOP, **login)
    page = console.watch(context.new_page())
    page.goto(f"{base}/van-ban/{doc}")
    _rendered(page)
    return base, console, context, page


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id"))


def test_keyboard_review_corrects_accepts_and_confirms(
    settings: Settings, live_api: Any, signed_in: Any, tmp_path: Path
) -> None:
    doc = ready_document(settings, META, uncertain=("number", "subject", "place"))
    _with_page(settings, doc, tmp_path)
    other = ready_document(settings, {**META, "number": "90/QĐ-UBND", "code_number": "90"},
                           uncertain=("subject",))
    base, console, context, page = _review(settings, live_api, signed_in, doc, username="lan.nt")
    check_page(page)
    # Uncertain fields first and marked; focus is on the first one, its box drawn on the page.
    uncertain = page.locator(".field.uncertain")
    assert uncertain.count() == 3
    assert [uncertain.nth(i).get_attribute("data-key") for i in range(3)] == \
        ["number", "subject", "place"]
    assert "Cần kiểm tra" in uncertain.first.inner_text()
    assert _focused(page) == "f-number"
    box = page.locator("#box").bounding_box()
    sheet = page.locator("#sheet").bounding_box()
    assert box and sheet
    # helpers.field puts every box at [100, 100, 900, 160] of the page
    assert abs((box["x"] - sheet["x"]) / sheet["width"] - 100 / WIDTH) < 0.01
    assert abs((box["width"]) / sheet["width"] - 800 / WIDTH) < 0.01
    shot(page, "review-uncertain")
    # Tab goes to the next uncertain field.
    page.keyboard.press("Tab")
    assert _focused(page) == "f-subject"
    page.keyboard.press("Shift+Tab")
    assert _focused(page) == "f-number"
    # A wrong value is refused with the reason in Vietnamese, and nothing is saved.
    page.keyboard.press("Control+A")
    page.keyboard.type("QĐ-UBND")
    page.keyboard.press("Enter")
    wait_until(page, "document.getElementById('f-number-err').textContent.length > 0")
    assert "Số, ký hiệu không đúng dạng" in page.inner_text("#f-number-err")
    assert _focused(page) == "f-number"
    # The right value with Enter: stored (normalised), then on to the next uncertain field.
    page.keyboard.press("Control+A")
    page.keyboard.type("87 / QĐ-UBND")
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement.id === 'f-subject'")
    assert page.input_value("#f-number") == "87/QĐ-UBND"
    assert "Đã sửa" in page.locator(".field[data-key=number]").inner_text()
    page.keyboard.press("Enter")  # subject accepted as read
    wait_until(page, "document.activeElement.id === 'f-place'")
    page.keyboard.press("Enter")  # place accepted as read
    wait_until(page, "document.activeElement.id === 'confirm'")
    assert "Mọi trường đã đủ tin cậy" in page.inner_text("#review-left")
    page.keyboard.press("Enter")  # confirm
    page.wait_for_selector("#done-banner")
    # After confirming, the next document of the queue is one key away.
    wait_until(page, "document.activeElement.id === 'next-doc'")
    assert page.get_attribute("#next-doc", "href") == f"/van-ban/{other}"
    history = page.inner_text("#history")
    assert "81/QĐ-UBND" in history and "87/QĐ-UBND" in history and "lan.nt" in history
    assert "Chấp nhận" in history and "Đã xác nhận" in history
    shot(page, "review-confirmed")
    console.check(allowed=("status of 422",))  # the refused number, on purpose
    context.close()


def _signatures() -> list[dict[str, Any]]:
    """Two checked signatures of an incoming PDF: one valid, one whose bytes changed."""
    from documents.incoming_signatures import describe

    good = {"field": "Signature1", "signer": "Ủy ban nhân dân tỉnh Quảng Ngãi",
            "signed_at": "2026-01-16T02:12:00+00:00", "integrity": "intact",
            "changes_after": "none", "certificate": "trusted", "status": "valid"}
    bad = {**good, "field": "Signature2", "signer": "Trung tâm Công báo và Tin học",
           "integrity": "modified", "status": "modified"}
    return [{**s, "message": describe(s)} for s in (good, bad)]


def test_confident_document_is_confirmed_with_one_key(
    settings: Settings, live_api: Any, signed_in: Any
) -> None:
    doc = ready_document(settings, META)
    with session_scope(settings.database, write=True) as session:  # a 150-dpi scan (issue 14)
        row = session.get_one(Document, doc)
        row.copy_reasons = ["low_resolution:150dpi"]
        row.incoming_signatures = _signatures()  # a signed original (issue 14)
    base, console, context, page = _review(settings, live_api, signed_in, doc)
    assert page.inner_text("#copy-banner") == ("Bản quét 150 dpi, dưới 200 dpi: không đủ điều kiện "
                                               "làm bản sao điện tử (Nghị định 30, Phụ lục I).")
    # The original's signatures, one line each, the banner red as one of them was broken.
    signatures = page.locator("#signature-banner")
    assert "banner bad" in (signatures.get_attribute("class") or "")
    assert signatures.locator("li").all_inner_texts() == [
        "Ủy ban nhân dân tỉnh Quảng Ngãi, ký lúc 16/01/2026 09:12 — Hợp lệ",
        "Trung tâm Công báo và Tin học, ký lúc 16/01/2026 09:12 — Đã bị sửa sau khi ký"]
    assert signatures.locator("a").get_attribute("href") == f"/api/documents/{doc}/original"
    assert _focused(page) == "confirm"
    page.keyboard.press("Enter")
    page.wait_for_selector("#done-banner")
    assert page.locator(".field input:disabled").count() > 0  # nothing left to edit
    console.check()
    context.close()


def test_secret_and_duplicate_documents_are_signalled(
    settings: Settings, live_api: Any, signed_in: Any
) -> None:
    first = ready_document(settings, META)
    secret = ready_document(settings, {**META, "secrecy": "MẬT", "urgency": "HỎA TỐC"})
    base = live_api(settings)
    console = Console()
    for viewport, name in ((DESKTOP, "review-secret-duplicate"), (PHONE, "phone-review")):
        context = signed_in(base, username="can.bo.mat", clearance=True, viewport=viewport)
        page = console.watch(context.new_page())
        page.goto(f"{base}/van-ban/{secret}")
        _rendered(page)
        assert "Mật" in page.inner_text("#secret-banner")
        dup = page.locator("#dup-banner a")
        assert dup.get_attribute("href") == f"/van-ban/{first}"
        assert "Hỏa tốc" in page.inner_text("#banners")
        check_page(page)
        shot(page, name)
        # The queue shows the marks too, the urgent document first.
        page.goto(f"{base}/hang-doi")
        _rendered(page)
        first_row = page.locator("#queue tbody tr").first
        assert "Hỏa tốc" in first_row.inner_text() and "Mật" in first_row.inner_text()
        assert "Có thể trùng" in first_row.inner_text()
        check_page(page)
        shot(page, "queue" if viewport is DESKTOP else "phone-queue")
        context.close()
    console.check()


def test_clerk_gives_the_issuing_agencys_code(
    settings: Settings, live_api: Any, signed_in: Any
) -> None:
    doc = ready_document(settings, {**META, "organ_name": "ỦY BAN NHÂN DÂN HUYỆN SƠN TỊNH"})
    base, console, context, page = _review(settings, live_api, signed_in, doc)
    row = page.locator(".field[data-key=organ_code]")
    assert "Mã định danh cơ quan ban hành" in row.inner_text()
    page.click("#f-organ_code")
    page.keyboard.type("H48-ST")
    page.keyboard.press("Enter")
    wait_until(page, "document.getElementById('f-organ_code-err').textContent.length > 0")
    assert "Mã định danh không đúng dạng" in page.inner_text("#f-organ_code-err")
    page.fill("#f-organ_code", "000.03.32.H48")
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelector('.field[data-key=organ_code]').innerText"
                     ".includes('Đã sửa')")
    with session_scope(settings.database) as session:
        assert session.get_one(Document, doc).meta["organ_code"] == "000.03.32.H48"
    console.check(allowed=("status of 422",))  # the malformed code, on purpose
    context.close()


def test_registry_statuses_named_in_the_history_revocation_included(
    settings: Settings, live_api: Any, signed_in: Any
) -> None:
    doc = ready_document(settings, META)
    with session_scope(settings.database, write=True) as session:
        for old, new, detail in ((None, "03", "03 Đã tiếp nhận"),
                                 ("03", "13", "13 Đề nghị thu hồi: Ban hành nhầm")):
            session.add(Event(actor="token:qlvb (itk_ab12)", action="registry", document_id=doc,
                              old=old, new=new, detail=detail, field="registry_status"))
    base = live_api(settings)
    context = signed_in(base, viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{base}/van-ban/{doc}")
    _rendered(page)
    wait_until(page, "document.getElementById('history').innerText.includes('thu hồi')")
    history = page.inner_text("#history")
    assert "13 Đề nghị thu hồi" in history and "03 Đã tiếp nhận" in history
    context.close()



def test_one_enter_says_the_file_has_no_signer(
    settings: Settings, live_api: Any, signed_in: Any
) -> None:
    """No signer block was read (a first page alone): Enter on the first empty signer box
    settles the three, in the page and in the API; typing a part leaves the others to review."""
    doc = ready_document(settings, {**META, "signer": None}, uncertain=("signer",))
    typed = ready_document(settings, {**META, "signer": None}, uncertain=("signer",))
    base, console, context, page = _review(settings, live_api, signed_in, doc)
    assert _focused(page) == "f-signer-competence"
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement.id === 'confirm'")
    signer = page.evaluate(f"fetch('/api/documents/{doc}').then((r) => r.json())")["fields"]["signer"]
    assert not signer["needs_review"] and all(
        p["value"] is None and not p["needs_review"] for p in signer["parts"].values())
    page.goto(f"{base}/van-ban/{typed}")
    _rendered(page)
    page.keyboard.type("KT. CHỦ TỊCH")
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement.id === 'f-signer-position'")
    page.keyboard.press("Enter")  # an empty position accepted on its own: the name still waits
    wait_until(page, "document.activeElement.id === 'f-signer-full_name'")
    console.check()
    context.close()
