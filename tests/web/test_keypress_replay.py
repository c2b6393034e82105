"""The key presses bench/keypresses.py counts, replayed in the real review page (issue 16,
"Measure it"). The presses `presses` derives from a document's truth and its stored reading are
typed in Chromium with keyboard events; after each field's presses the document's JSON (the API
the page uses) holds the right value, no longer flagged; at the end the document is confirmed,
and the keys replayed are the number `key_presses` gives. Enter on a wrong value, a key left out,
or typing that does not replace the value shown leaves a field wrong or the page where it was,
and the test fails.

Two documents: a generated one with its ground truth, uploaded through the page to the real
service (API in its own process, RQ worker on real Redis doing the OCR and the second reading of
the handwritten number and day); and a seeded one (no OCR) whose stored reading puts every rule
of the count to work, whatever extraction reads today. SQLite only, like the other page tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path
from typing import Any

import pytest

from bench.extraction_score import compare, get, truth_to_places
from bench.keypresses import KEY_FIELDS, Press, key_presses, presses, stops, telex_keys
from infra.database import dispose_engines, session_scope
from infra.tables import Document
from models.settings import Settings
from tests.service.helpers import field, ready_document
from tests.web.conftest import DESKTOP, Console, wait_until

pytestmark = [pytest.mark.browser]

# A one-page letter with its number and day written by hand; as read today, the digits are
# missing (the symbol was read: the digits alone are typed before it), so are the day and the
# signer's position, and several values are flagged but right (marks, stamp, recipients).
SEED = 17
# The seeded document: the right values, and the reading stored for review (flagged fields).
TRUTH: dict[str, Any] = {
    "number": "575/UBND-KTTH", "code_number": "575", "code_notation": "UBND-KTTH",
    "issued_date": None, "place": "Quảng Ngãi", "organ_name": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
    "parent_organ": None, "type_name": "CÔNG VĂN",
    "subject": "V/v tăng cường công tác phòng chống thiên tai",
    "signer": {"competence": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH",
               "full_name": "Trần Phước Hiền"},
    "to_places": ["Như trên", "Sở Tài chính", "Lưu: VT"], "secrecy": None, "urgency": "KHẨN",
    "arrival_stamp": {"number": "1234", "date": "2026-01-16"},
}
READ: dict[str, Any] = {
    **TRUTH, "number": None, "code_number": None,  # digits not read, symbol read
    "issued_date": "2026-01-15",  # a date the document does not have
    "organ_name": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGẢI",  # a mark misread: typed over
    "parent_organ": "TỈNH QUẢNG NGÃI",  # none in truth: cleared
    "signer": {**TRUTH["signer"], "full_name": "Trần Phước Hiên"},
    "to_places": ["Như trên", "Lưu: VT"], "urgency": None, "arrival_stamp": None,
}
UNCERTAIN = ("number", "code_number", "issued_date", "organ_name", "parent_organ", "subject",
             "signer", "to_places", "urgency", "arrival_stamp")
SIGNER_UNCERTAIN = ("competence", "full_name")


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite only (see the module's docstring)."""
    yield f"sqlite:///{tmp_path / 'intake.db'}"
    dispose_engines()


def _input_id(key: str) -> str:
    return "confirm" if key == "confirm" else f"f-{key.replace('.', '-')}"


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id"))


def _document(page: Any, base: str, doc_id: int) -> dict[str, Any]:
    """The document's JSON, as the review page reads it (with the clerk's session)."""
    answer = page.request.get(f"{base}/api/documents/{doc_id}")
    assert answer.ok, answer.text()
    return dict(answer.json())


def _flagged(fields: dict[str, Any], key: str) -> bool:
    """Whether a stored field still needs review (a signer part: its own flag)."""
    if key.startswith("signer."):
        part = (fields.get("signer") or {}).get("parts", {}).get(key.split(".", 1)[1], {})
        return bool(part.get("needs_review"))
    src = ("number", "code_number", "code_notation") if key == "number" else (key,)
    return any((fields.get(k) or {}).get("needs_review") for k in src)


def _moved_on(page: Any, key: str, to: str) -> None:
    """Wait until the page, having saved `key`, stands on `to`; else fail with what it says."""
    deadline = time.monotonic() + 20
    while _focused(page) != to:
        if time.monotonic() > deadline:
            row = page.locator(f".field[data-key='{key}']")
            pytest.fail(f"after the presses of {key} the page stays on {_focused(page)!r}, not "
                        f"{to!r}: {row.inner_text()!r}, box {page.input_value('#' + _input_id(key))!r}")
        page.wait_for_timeout(50)


def _upload(page: Any, base: str, paths: list[Path]) -> dict[str, int]:
    """Send the files from the upload page; wait until their documents are ready; their ids by
    file name."""
    page.goto(f"{base}/tai-len")
    page.set_input_files("#files", [str(p) for p in paths])
    page.keyboard.press("Enter")  # the send button has the focus once files are chosen
    card = page.locator(".batch").first
    wait_until(page, "(document.querySelector('.batch h2') || {textContent: ''})"
                     ".textContent.includes('đã xử lý xong')", timeout=120)
    rows = card.locator(".file-row")
    ids = {}
    for i in range(rows.count()):
        name = rows.nth(i).locator(".name").inner_text().split(" (")[0]
        docs = rows.nth(i).locator("xpath=following-sibling::div[1]")
        assert "Sẵn sàng kiểm tra" in docs.inner_text(), docs.inner_text()
        href = docs.get_by_role("link", name="Kiểm tra ngay").get_attribute("href")
        ids[name] = int(str(href).rsplit("/", 1)[1])
    return ids


def _replay(page: Any, base: str, doc_id: int, truth: dict[str, Any]) -> None:
    """Open the document, replay the presses derived from its truth and its stored reading,
    check the API after each field; the document ends confirmed, after as many keys as counted."""
    page.goto(f"{base}/van-ban/{doc_id}")
    wait_until(page, "performance.getEntriesByName('intake:rendered').length > 0")
    stored = _document(page, base, doc_id)
    meta, fields = stored["metadata"], stored["fields"]
    sequence = presses(truth, meta, fields)
    by_field = [(key, list(group)) for key, group in groupby(sequence, key=lambda p: p.field)]
    # Only fields the page stops on, each once (a confident wrong value needs a click first).
    assert [k for k, _ in by_field] == [*stops(meta, fields), "confirm"], by_field
    replayed = 0
    for i, (key, group) in enumerate(by_field):
        assert _focused(page) == _input_id(key), f"the page did not stop on {key}"
        for press in group:
            if press.char:
                page.keyboard.type(press.key)
                replayed += telex_keys(press.key)
            else:
                page.keyboard.press(press.key)
                replayed += 1
        if key == "confirm":
            page.wait_for_selector("#done-banner")
            break
        _moved_on(page, key, _input_id(by_field[i + 1][0]))
        now = _document(page, base, doc_id)
        assert not _flagged(now["fields"], key), (key, now["fields"].get(key.split(".")[0]))
        if key in KEY_FIELDS or (key == "to_places" and truth_to_places(truth) is not None):
            assert compare(truth, now["metadata"], key), (key, now["metadata"].get(key))
    final = _document(page, base, doc_id)
    assert final["status"] == "confirmed"
    assert all(compare(truth, final["metadata"], k) for k in KEY_FIELDS), final["metadata"]
    assert replayed == key_presses(truth, meta, fields)


@pytest.mark.redis
@pytest.mark.slow
def test_generated_document_confirmed_with_the_counted_presses(
    settings: Settings, start_worker: Any, live_api: Any, signed_in: Any, tmp_path: Path
) -> None:
    from synth import make_document, write_document

    generated = make_document(SEED, pages=1, handwritten=True)
    truth = generated.truth["fields"]
    write_document(generated, tmp_path / f"cong-van-{SEED}.pdf", "pdf")
    start_worker(settings)
    base = live_api(settings)
    console = Console()
    # With the secret clearance: accepting an uncertain "no mark" is that person's decision.
    context = signed_in(base, clearance=True, viewport=DESKTOP)
    page = console.watch(context.new_page())
    (doc_id,) = _upload(page, base, [tmp_path / f"cong-van-{SEED}.pdf"]).values()
    # What the document is chosen for: a value to type, and a value flagged but right.
    doc = _document(page, base, doc_id)
    plan = presses(truth, doc["metadata"], doc["fields"])
    assert _kinds(plan, doc["metadata"]) >= {"accepted", "typed"}, plan
    _replay(page, base, doc_id, truth)
    console.check()
    context.close()


def test_every_rule_of_the_count_in_the_page(
    settings: Settings, live_api: Any, signed_in: Any
) -> None:
    doc_id = ready_document(settings, READ, uncertain=UNCERTAIN)
    with session_scope(settings.database, write=True) as session:  # the signer part by part
        row = session.get_one(Document, doc_id)
        parts = {k: field(v, 0.5 if k in SIGNER_UNCERTAIN else 0.95, k in SIGNER_UNCERTAIN)
                 for k, v in READ["signer"].items()}
        row.fields = {**row.fields, "signer": {**row.fields["signer"], "parts": parts}}
    base = live_api(settings)
    console = Console()
    context = signed_in(base, viewport=DESKTOP)
    page = console.watch(context.new_page())
    doc = _document(page, base, doc_id)
    plan = presses(TRUTH, doc["metadata"], doc["fields"])
    assert _kinds(plan, doc["metadata"]) == {"accepted", "typed", "typed over"}
    keys = {p.key for p in plan if not p.char}
    assert {"Alt+K", "Delete", "Tab", "Shift+Enter", "ArrowDown"} <= keys, keys
    _replay(page, base, doc_id, TRUTH)
    console.check()
    context.close()


def _kinds(plan: list[Press], meta: dict[str, Any]) -> set[str]:
    """What the presses do to the fields the truth gives: accept (Enter alone), type where
    nothing was read, type over a wrong value."""
    kinds = set()
    for key in KEY_FIELDS:
        mine = [p for p in plan if p.field == key]
        if [p.key for p in mine] == ["Enter"]:
            kinds.add("accepted")
        elif any(p.char for p in mine):
            kinds.add("typed over" if get(meta, key) else "typed")
    return kinds
