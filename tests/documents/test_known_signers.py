"""Signers confirmed on an agency's earlier documents confirm or complete the signer read
(documents/extract/known_signers.py); pages built from word lists, no OCR."""

from __future__ import annotations

from documents.extract import extract_metadata
from documents.extract.gazetteer import gazetteer_for
from documents.extract.known_signers import KIND, parse_entry, signer_entry
from tests.documents.test_extract import TODAY, header_rows, page, row

ORGAN = "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"
# `Hiển`, not the commoner `Hiền` the name rules would choose for a `Hiên` read.
HIEN = {"competence": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH", "full_name": "Đỗ Thị Hiển"}


def _block(name: str, name_conf: float = 60.0, *, position: str = "PHÓ CHỦ TỊCH") -> list[list]:
    """A signer block whose name was read at `name_conf` (the seal and the signature over it)."""
    return [row(2700, (400, "Nơi nhận:"), (1550, "KT. CHỦ TỊCH")),
            row(2760, (400, "- Lưu: VT."), (1540, position), conf=70.0),
            row(3100, (1500, name), conf=name_conf)]


def _read(*blocks: list, known: tuple[dict, ...] = (HIEN,), organ: str = ORGAN) -> tuple:
    learned = tuple((KIND, str(signer_entry(organ, k))) for k in known)
    ex = extract_metadata([page(*header_rows(), *blocks)], today=TODAY,
                          gazetteer=gazetteer_for(learned))
    signer = ex.fields["signer"]
    return ex.metadata["signer"], {k: p["needs_review"] for k, p in signer["parts"].items()}


def test_entry_round_trip() -> None:
    value = signer_entry(ORGAN, HIEN)
    assert value == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI | KT. CHỦ TỊCH | PHÓ CHỦ TỊCH | Đỗ Thị Hiển"
    known = parse_entry(value)
    assert known is not None and known.name == "Đỗ Thị Hiển" and known.position == "PHÓ CHỦ TỊCH"
    assert signer_entry(ORGAN, {"position": "CHỦ TỊCH"}) is None  # no name: nothing to know
    assert signer_entry(None, HIEN) is None and parse_entry("Đỗ Thị Hiền") is None


def test_a_known_signer_read_unsurely_is_confident_and_spelled_as_confirmed() -> None:
    unknown, review = _read(*_block("Đỗ Thị Hiên"), known=())
    assert unknown["full_name"] != "Đỗ Thị Hiển" and review["full_name"]
    meta, review = _read(*_block("Đỗ Thị Hiên"))  # the seal over the accent
    assert meta == HIEN and not any(review.values())


def test_a_title_read_unsurely_is_confirmed_a_guessed_one_is_not() -> None:
    # A deputy's position with no `KT.` line above it (a line missed): read, but unsure.
    block = [row(2760, (400, "Nơi nhận:"), (1540, "PHÓ CHỦ TỊCH")),
             row(3100, (1500, "Đỗ Thị Hiên"), conf=60.0)]
    _, review = _read(*block, known=())
    assert review["position"]
    meta, review = _read(*block)
    assert meta["position"] == "PHÓ CHỦ TỊCH" and not review["position"]
    assert review["competence"]  # the rules' guess of the `KT.` line: confirmed by nothing
    # The position line read short of its last words, the deputy's title put in its place (a
    # guess): the known signer's equal title confirms nothing.
    meta, review = _read(*_block("Đỗ Thị Hiên", position="PHÓ CHỦ TỊCH THƯỜNG TRỰC"))
    assert meta["position"] == "PHÓ CHỦ TỊCH" and review["position"]


def test_another_agencys_signer_or_a_different_position_is_not_confirmed() -> None:
    meta, review = _read(*_block("Đỗ Thị Hiên"), organ="ỦY BAN NHÂN DÂN TỈNH BẮC NINH")  # no
    assert meta["full_name"] != "Đỗ Thị Hiển" and review["full_name"]
    promoted = {**HIEN, "competence": "TM. ỦY BAN NHÂN DÂN", "position": "CHỦ TỊCH"}
    meta, review = _read(*_block("Đỗ Thị Hiên"), known=(promoted,))
    assert meta["full_name"] == "Đỗ Thị Hiển" and not review["full_name"]
    assert meta["position"] == "PHÓ CHỦ TỊCH"  # as read


def test_two_known_signers_alike_up_to_accents_decide_nothing() -> None:
    other = {**HIEN, "full_name": "Đỗ Thị Hiền"}
    meta, review = _read(*_block("Đỗ Thị Hiên"), known=(HIEN, other))
    assert meta["full_name"] != "Đỗ Thị Hiển" and review["full_name"]


def test_a_lost_surname_is_filled_for_review_and_confirms_nothing() -> None:
    meta, review = _read(*_block("Thị Hiển", 90.0))
    assert meta == HIEN and review["full_name"]
    meta, review = _read(*_block("Đỗ Thị Hiếm", 90.0))  # one letter off
    assert meta == HIEN and review["full_name"]
    meta, review = _read(*_block("Đỗ Văn Hiếm", 90.0))  # two: somebody else
    assert meta["full_name"] == "Đỗ Văn Hiếm"
    meta, review = _read(*_block("Đỗ Thị Hiếu", 99.0))  # read surely: somebody else
    assert meta["full_name"] == "Đỗ Thị Hiếu" and not review["full_name"]


def test_titles_lost_under_the_seal_are_filled_for_review() -> None:
    lone = [row(2700, (400, "Nơi nhận:")), row(2760, (400, "- Lưu: VT.")),
            row(3100, (1500, "Đỗ Thị Hiển"))]
    unknown, _ = _read(*lone, known=())
    assert unknown["position"] is None
    meta, review = _read(*lone)
    assert meta == HIEN and review["competence"] and review["position"]


def test_several_signer_blocks_are_never_settled_by_a_known_name() -> None:
    blocks = [row(2500, (400, "KT. CHÁNH ÁN"), (1450, "KT. CHỦ TỊCH")),
              row(2560, (400, "PHÓ CHÁNH ÁN"), (1450, "PHÓ CHỦ TỊCH")),
              row(2800, (400, "Nguyễn Trí Tuệ"), (1450, "Đỗ Thị Hiền")),
              row(3000, (1050, "KT. BỘ TRƯỞNG")), row(3060, (1050, "THỨ TRƯỞNG")),
              row(3300, (1050, "Nguyễn Thị Hà"))]
    _, review = _read(*blocks, known=(HIEN, {**HIEN, "full_name": "Nguyễn Thị Hà"}))
    assert all(review.values())
