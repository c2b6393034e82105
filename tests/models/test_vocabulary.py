"""One vocabulary: fold, error codes, secrecy and urgency marks, field lengths, statuses."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from documents.extract.stamps import SECRECY, URGENCY
from documents.registry import registry_item
from documents.review import validate
from infra.tables import Document, GazetteerEntry, Outbox, Page
from models import errors
from models.errors import InvalidFieldError
from models.text import fold, normalize_text
from models.vocabulary import (
    MAX_LENGTH,
    URGENT_SPELLINGS,
    BatchStatus,
    DocumentStatus,
    OutboxState,
    PageStatus,
    Secrecy,
    Urgency,
    parse_secrecy,
    parse_urgency,
    priority,
)

ROOT = Path(__file__).resolve().parents[2]


# --- fold -----------------------------------------------------------------------------------------
# The search index, the splitter and extraction each had their own fold; these are the inputs on
# which they differed (case, spacing) or could have (eth, decomposed marks).

def test_fold_search_form_keeps_spacing_and_length() -> None:
    text = "Quyết  Định\nsố 15/QĐ-UBND "
    assert fold(text) == "quyet  dinh\nso 15/qd-ubnd "
    # The search snippet maps positions in the folded text back to the original.
    assert len(fold(text)) == len(text)


def test_fold_extraction_form_is_upper_case_single_spaced() -> None:
    assert fold("  Tối\t mật \n", upper=True) == "TOI MAT"
    assert fold("Quyết  Định\nsố 15/QĐ-UBND ", upper=True) == "QUYET DINH SO 15/QD-UBND"


def test_fold_reads_ocr_eth_and_decomposed_marks_alike() -> None:
    composed = "ĐỊNH QĐ"
    eth = "ÐỊNH QÐ"  # OCR's Icelandic eth (U+00D0) for Đ
    decomposed = unicodedata.normalize("NFD", composed)
    for upper, want in ((False, "dinh qd"), (True, "DINH QD")):
        assert fold(composed, upper=upper) == fold(eth, upper=upper) == \
            fold(decomposed, upper=upper) == want


def test_fold_forms_differ_only_in_case_and_spacing() -> None:
    text = "Ủy ban  nhân dân TỈNH Quảng Ngãi – Hỏa tốc, ngày 05/3"
    assert " ".join(fold(text).split()).upper() == fold(text, upper=True)
    assert fold(normalize_text(text)) == fold(text)


# --- errors ---------------------------------------------------------------------------------------

def test_every_error_code_maps_to_one_class() -> None:
    classes = errors.error_classes()
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes))
    for cls in classes:
        assert errors.error_class(cls.code) is cls
        rebuilt = errors.from_dict({"code": cls.code, "message": "m"})
        assert type(rebuilt) is cls and rebuilt.message == "m"
    assert errors.error_class("no_such_code") is None
    assert type(errors.from_dict({"code": "no_such_code"})) is errors.IntakeError
    assert errors.error_class("invalid_report") is errors.ReportError


def test_error_codes_do_not_depend_on_what_was_imported() -> None:
    """models.errors alone knows every code the whole product raises."""
    script = ("import json, models.errors as e; "
              "print(json.dumps(sorted(c.code for c in e.error_classes())))")
    alone = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           cwd=ROOT, check=True)
    import documents.reports  # noqa: F401 - the modules that used to define error classes
    import intake.app  # noqa: F401
    import worker.jobs  # noqa: F401

    assert json.loads(alone.stdout) == sorted(c.code for c in errors.error_classes())


# --- secrecy and urgency --------------------------------------------------------------------------

def test_marks_parse_in_any_case_spacing_and_tone_placement() -> None:
    assert parse_urgency(" thượng  khẩn ") is Urgency.THUONG_KHAN
    assert parse_urgency("Hoả tốc") is parse_urgency("HỎA TỐC") is Urgency.HOA_TOC
    assert parse_urgency("hoả tốc hẹn giờ") is Urgency.HOA_TOC_HEN_GIO
    assert parse_secrecy("tối mật") is Secrecy.TOI_MAT
    assert parse_secrecy(unicodedata.normalize("NFD", "TUYỆT MẬT")) is Secrecy.TUYET_MAT
    for wrong in ("KHAN", "RẤT KHẨN", "", None):
        assert parse_urgency(wrong) is None
    for wrong in ("BÍ MẬT", "MAT", "KHẨN", None):
        assert parse_secrecy(wrong) is None


def test_priority_codes_are_the_registrys() -> None:
    # DOMAIN §7: 0 normal, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc, 4 Hỏa tốc hẹn giờ.
    assert [priority(m) for m in ("KHẨN", "THƯỢNG KHẨN", "HỎA TỐC", "HỎA TỐC HẸN GIỜ")] == \
        ["1", "2", "3", "4"]
    assert priority(None) == priority("") == priority("BÌNH THƯỜNG") == "0"
    assert priority("Hoả tốc") == "3"


def test_every_mark_is_read_accepted_sent_and_counted_the_same_way() -> None:
    """Extraction's stamp tables, a clerk's correction, the registry feed and the reports all
    take their marks from the vocabulary."""
    assert sorted(SECRECY.values()) == sorted(Secrecy)
    assert sorted(URGENCY.values()) == sorted(Urgency)
    assert set(Urgency) <= set(URGENT_SPELLINGS)
    for mark in Secrecy:
        assert validate("secrecy", mark.lower()) == mark
    for mark in Urgency:
        assert validate("urgency", f" {mark.title()} ") == mark
        item = registry_item(Document(id=1, urgency=mark, pages_total=1))
        assert item["Priority"] == mark.priority
    with pytest.raises(InvalidFieldError):
        validate("urgency", "RẤT KHẨN")


# --- field lengths --------------------------------------------------------------------------------

def test_domain_field_lengths() -> None:
    # Nghị định 30/2020, Phụ lục VI (DOMAIN §5).
    assert {k: MAX_LENGTH[k] for k in ("CodeNumber", "CodeNotation", "OrganName", "Subject",
                                       "TypeName", "Position", "FullName", "ArrivalNumber",
                                       "ToPlaces", "Priority")} == {
        "CodeNumber": 11, "CodeNotation": 30, "OrganName": 200, "Subject": 500, "TypeName": 100,
        "Position": 100, "FullName": 50, "ArrivalNumber": 10, "ToPlaces": 1000, "Priority": 1}


def test_columns_are_as_wide_as_the_fields() -> None:
    columns = Document.__table__.columns
    widths = {name: columns[name].type.length for name in
              ("number", "notation", "organ", "organ_folded", "doc_type", "urgency", "secrecy")}
    assert widths == {"number": MAX_LENGTH["CodeNumber"], "notation": MAX_LENGTH["CodeNotation"],
                      "organ": MAX_LENGTH["OrganName"], "organ_folded": MAX_LENGTH["OrganName"],
                      "doc_type": MAX_LENGTH["TypeName"], "urgency": MAX_LENGTH["Mark"],
                      "secrecy": MAX_LENGTH["Mark"]}
    assert max(len(m) for m in (*Secrecy, *Urgency)) <= MAX_LENGTH["Mark"]


def test_a_clerks_value_is_held_to_the_registry_length() -> None:
    assert validate("subject", "x" * MAX_LENGTH["Subject"]) == "x" * MAX_LENGTH["Subject"]
    with pytest.raises(InvalidFieldError, match="longer than 500"):
        validate("subject", "x" * (MAX_LENGTH["Subject"] + 1))
    with pytest.raises(InvalidFieldError, match="longer than 200"):
        validate("parent_organ", "Á" * 201)


def test_registry_feed_cuts_to_the_field_lengths() -> None:
    doc = Document(id=1, pages_total=1, organ="Ủ" * 300, number="1" * 20,
                   meta={"subject": "s" * 900, "place": "p" * 150,
                         "signer": {"position": "P" * 150, "full_name": "N" * 80}},
                   issued_date=dt.date(2026, 1, 5))
    item = registry_item(doc)
    assert len(item["OrganName"]) == 200 and len(item["CodeNumber"]) == 11
    assert len(item["Subject"]) == 500 and len(item["Place"]) == 100
    assert len(item["SignerInfo"]["Position"]) == 100 and len(item["SignerInfo"]["FullName"]) == 50


# --- statuses -------------------------------------------------------------------------------------

def test_statuses_are_strings_the_tables_store() -> None:
    assert DocumentStatus.READY_FOR_REVIEW == "ready_for_review"
    assert json.dumps([PageStatus.DONE, BatchStatus.RECEIVED]) == '["done", "received"]'
    assert Document.__table__.columns["status"].default.arg == DocumentStatus.QUEUED
    assert Page.__table__.columns["status"].default.arg == PageStatus.PENDING
    assert Outbox.__table__.columns["state"].default.arg == OutboxState.PENDING
    # A column holds the longest value of its status.
    for column, values in ((Document.__table__.columns["status"], DocumentStatus),
                           (Page.__table__.columns["status"], PageStatus),
                           (Outbox.__table__.columns["state"], OutboxState)):
        assert max(len(v) for v in values) <= column.type.length
    assert GazetteerEntry.__table__.columns["value"].type.length >= MAX_LENGTH["OrganName"]
