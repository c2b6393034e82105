"""The registry feed's fields as Phụ lục VI (Nghị định 30) defines them for incoming documents."""

from __future__ import annotations

import pytest

from documents.registry import arrival_number, registry_item
from infra.tables import Document
from models.vocabulary import MAX_LENGTH


@pytest.mark.parametrize(("stamp", "number"), [
    ("215", 215), ("Số: 215", 215), ("0215/ĐẾN", 215), (7, 7), (None, None), ("", None),
    ("không rõ", None), ("12345678901", None)])
def test_arrival_number_is_a_number(stamp: object, number: int | None) -> None:
    assert arrival_number(stamp) == number


def test_to_places_is_the_receiving_unit_and_the_printed_list_has_its_own_name() -> None:
    doc = Document(id=5, unit="Phòng Hành chính", pages_total=1, arrival_number=17, meta={
        "to_places": ["Như Điều 3;", "Lưu: VT."], "arrival_stamp": {"number": "Số: 42",
                                                                   "date": "2026-01-17"}})
    item = registry_item(doc)
    assert item["ToPlaces"] == ["Phòng Hành chính"]
    assert item["PrintedToPlaces"] == ["Như Điều 3;", "Lưu: VT."]
    # Số đến is the register's series; the stamp's number is sent apart.
    assert item["ArrivalNumber"] == 17 and item["ArrivalStampNumber"] == 42
    assert item["ArrivalDate"] == "2026-01-17"
    assert item["Language"] == "Tiếng Việt"
    assert len(item["Language"]) <= MAX_LENGTH["Language"]
