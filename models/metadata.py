"""The product's core record, typed: a document's metadata and the evidence for each field.

Extraction writes these shapes (documents/extract: `Extraction.metadata`, `Found.as_dict`), a
clerk's review changes them (documents/review.py), the database keeps them as JSON and the API
answers with them. Keys are extraction's snake_case names; each field names the registry's tag it
becomes (DOMAIN §5, documents/registry.py `registry_item`). Stored records may carry keys these
models do not name (older extractions): they are kept as they are (`extra="allow"`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_KEEP = ConfigDict(extra="allow")


class FieldValue(BaseModel):
    """One extracted value with its evidence: how sure, whether a clerk must look, where it was read."""

    model_config = _KEEP

    value: Any = Field(None, description="the value (its type is the metadata field's); null: not found")
    confidence: float = Field(description="0-1; a clerk's value is 1.0")
    needs_review: bool = Field(description="true: a clerk should check it before confirming")
    page: int | None = Field(None, description="0-based page it was read on")
    bbox: list[int] | None = Field(
        None, min_length=4, max_length=4,
        description="left, top, right, bottom in page pixels (the page's OCR image)")
    parts: dict[str, FieldValue] | None = Field(
        None, description="sub-fields of a compound value (signer: competence, position, full_name)")
    corrected_by: str | None = Field(None, description="who set it (`user:<name>`), if a person did")


class Signer(BaseModel):
    """The signer block (registry SignerInfo)."""

    model_config = _KEEP

    competence: str | None = Field(None, description="signing capacity, e.g. `KT. CHỦ TỊCH`")
    position: str | None = Field(None, description="Position (100), e.g. `PHÓ CHỦ TỊCH`")
    full_name: str | None = Field(None, description="FullName (50)")


class ArrivalStamp(BaseModel):
    """The receiving agency's register stamp (`CÔNG VĂN ĐẾN`) on the paper."""

    model_config = _KEEP

    number: str | None = Field(None, description="ArrivalNumber (10)")
    date: str | None = Field(None, description="ArrivalDate, YYYY-MM-DD",
                             json_schema_extra={"format": "date"})


class Metadata(BaseModel):
    """The registry fields of an incoming document (Nghị định 30, Phụ lục VI; DOMAIN §5)."""

    model_config = _KEEP

    number: str | None = Field(None, description="number and symbol as printed, e.g. `87/QĐ-UBND`")
    code_number: str | None = Field(None, description="CodeNumber (11): the number, e.g. `87`")
    code_notation: str | None = Field(None, description="CodeNotation (30), e.g. `QĐ-UBND`")
    issued_date: str | None = Field(None, description="IssuedDate, YYYY-MM-DD",
                                    json_schema_extra={"format": "date"})
    place: str | None = Field(None, description="place of issue, e.g. `Quảng Ngãi`")
    organ_name: str | None = Field(None, description="OrganName (200): the issuing agency")
    parent_organ: str | None = Field(None, description="the agency above it (first header line)")
    type_name: str | None = Field(None, description="TypeName (100), e.g. `QUYẾT ĐỊNH`")
    subject: str | None = Field(None, description="Subject (500): the summary line")
    signer: Signer | None = None
    to_places: list[str] | None = Field(None, description="ToPlaces (1000): `Nơi nhận` lines")
    secrecy: str | None = Field(None, description="MẬT, TỐI MẬT or TUYỆT MẬT; null: none")
    urgency: str | None = Field(None, description="Priority: KHẨN, THƯỢNG KHẨN or HỎA TỐC; null: "
                                                  "normal")
    arrival_stamp: ArrivalStamp | None = None
