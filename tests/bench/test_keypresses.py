"""The key-press count follows the review page's rules (bench/keypresses.py), on hand-made
metadata and fields (no OCR)."""

from __future__ import annotations

from bench.keypresses import key_presses, presses

TRUTH = {"number": "87/QĐ-UBND", "code_number": "87", "issued_date": "2025-02-17",
         "organ_name": "ỦY BAN NHÂN DÂN TỈNH ĐẮK NÔNG", "type_name": "QUYẾT ĐỊNH",
         "subject": "Về việc công bố", "place": "Đắk Nông", "parent_organ": None,
         "signer": {"competence": None, "position": None, "full_name": None},
         "secrecy": None, "urgency": None, "arrival_stamp": None}


def _fields(signer: dict) -> dict:
    sure = {"confidence": 0.97, "needs_review": False}
    out = {k: {"value": v, **sure} for k, v in TRUTH.items() if k != "signer"}
    return {**out, "signer": signer, "to_places": {"value": None, **sure}}


def test_no_signer_read_and_none_in_the_file_costs_one_enter() -> None:
    unread = {"value": None, "confidence": 0.0, "needs_review": True}
    meta = {**TRUTH, "signer": None}
    assert [(p.field, p.key) for p in presses(TRUTH, meta, _fields(unread))] == [
        ("signer.competence", "Enter"), ("confirm", "Enter")]
    # The file has a signer the reading lost: each box is typed.
    signed = {**TRUTH, "signer": {"competence": None, "position": "CHỦ TỊCH",
                                  "full_name": "Hồ Văn Mười"}}
    keys = [p.field for p in presses(signed, meta, _fields(unread)) if p.key == "Enter"]
    assert keys == ["signer.competence", "signer.position", "signer.full_name", "confirm"]
    assert key_presses(signed, meta, _fields(unread)) > 20
