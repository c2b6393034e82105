"""A clerk's review: correct or accept fields, confirm a document; every change in the history.

A corrected value is validated with the same grammar extraction uses (number and symbol, a real
date not in the future, the secrecy and urgency marks, the registry's lengths), then stored as a
confident field with the clerk's name. Corrected agency names, parent lines, positions and places
are added to the gazetteer extraction uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from documents.agency_codes import LEARNED_KIND, is_code, learned_entry
from documents.audit import Actor, AuditAction, record
from documents.confirm import REQUIRED, confirm, empty_required
from documents.extract.known_signers import KIND as SIGNER_KIND
from documents.extract.known_signers import signer_entry
from documents.lifecycle import add_event
from documents.metadata import apply_metadata, lock_for_review, meta_value
from documents.retitle import retitle
from documents.visibility import level_of, secrecy_level
from infra.database import insert_ignoring_conflicts, session_scope
from infra.storage import open_store
from infra.tables import Document, GazetteerEntry, utcnow
from models.errors import ConflictError, ForbiddenError, InvalidFieldError
from models.settings import Settings
from models.text import normalize_text
from models.vocabulary import (
    MAX_LENGTH,
    Secrecy,
    SecrecyLevel,
    Urgency,
    parse_secrecy,
    parse_urgency,
)

SIGNER_PARTS = ("competence", "position", "full_name")
# Free-text fields and the registry field whose length (MAX_LENGTH) bounds them.
_TEXT_FIELDS = {"place": "Place", "organ_name": "OrganName", "parent_organ": "OrganName",
                "type_name": "TypeName", "subject": "Subject"}
# Corrections that teach the gazetteer: field -> gazetteer kind.
LEARNED = {"organ_name": "organ", "parent_organ": "parent", "signer.position": "position",
           "place": "place"}
EDITABLE = ("number", "issued_date", "place", "organ_name", "parent_organ", "type_name", "subject",
            "signer", "to_places", "secrecy", "urgency", "arrival_stamp", "organ_code")


@dataclass(frozen=True)
class Change:
    """One field a clerk set: its name (``signer.full_name`` for a part) and the new value."""

    name: str
    value: Any


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = " ".join(normalize_text(value).split())
        return value or None
    return value


def _date(value: Any, name: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidFieldError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from exc
    if day > dt.date.today():
        raise InvalidFieldError(f"{name}: {day} is in the future")
    return day.isoformat()


def validate(name: str, value: Any) -> Any:
    """The stored form of a clerk's value for a field, or InvalidFieldError naming the problem."""
    from documents.extract.numbers import parse_number

    value = _clean(value)
    if name == "number":
        if value is None:
            return None
        parsed = parse_number(str(value))
        if parsed is None or parsed.problems:
            why = ", ".join(parsed.problems) if parsed else "expected e.g. 87/QĐ-UBND"
            raise InvalidFieldError(f"number: {value!r} is not a number and symbol ({why})")
        return parsed.number
    if name == "issued_date":
        return _date(value, name)
    if name == "organ_code":  # the issuing agency's code (documents/agency_codes.py)
        code = str(value).upper() if value is not None else None
        if code is not None and not is_code(code):
            raise InvalidFieldError(f"organ_code: {value!r} is not an agency code "
                                    "(mã định danh, e.g. 000.00.00.H41)")
        return code
    if name in ("secrecy", "urgency"):
        parse = parse_secrecy if name == "secrecy" else parse_urgency
        mark = parse(value) if isinstance(value, str) else None
        if value is not None and mark is None:
            allowed = Secrecy if name == "secrecy" else Urgency
            raise InvalidFieldError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
        return str(mark) if mark is not None else None
    if name == "type_name":
        return value.upper() if isinstance(value, str) else None
    if name == "to_places":
        items = value.splitlines() if isinstance(value, str) else list(value or [])
        return [c for c in (_clean(str(i)) for i in items) if c]
    if name == "arrival_stamp":
        if not value:
            return None
        if not isinstance(value, dict):
            raise InvalidFieldError("arrival_stamp: expected {number, date}")
        return {"number": _clean(value.get("number")), "date": _date(value.get("date"), name)}
    if name.startswith("signer."):
        if name.split(".", 1)[1] not in SIGNER_PARTS:
            raise InvalidFieldError(f"{name}: unknown part (one of {', '.join(SIGNER_PARTS)})")
        return value
    if name in _TEXT_FIELDS:
        limit = MAX_LENGTH[_TEXT_FIELDS[name]]
        if value is not None and len(str(value)) > limit:
            raise InvalidFieldError(f"{name}: longer than {limit} characters")
        return value
    raise InvalidFieldError(f"{name}: not a field that can be edited "
                            f"(one of {', '.join(EDITABLE)}, signer.<part>)")


def _expand(changes: dict[str, Any]) -> list[Change]:
    """`signer: {...}` becomes one change per part; the rest stays one change per field."""
    out: list[Change] = []
    for name, value in changes.items():
        if name == "signer" and isinstance(value, dict):
            out.extend(Change(f"signer.{k}", v) for k, v in value.items())
        else:
            out.append(Change(name, value))
    return out


def _confident(old: dict[str, Any] | None, value: Any, actor: str,
               none: bool = False) -> dict[str, Any]:
    field = dict(old or {})
    field.update(value=value, confidence=1.0, needs_review=False, corrected_by=actor)
    field.pop("none", None)
    if none:
        field["none"] = True  # a person said the document carries no such value
    return field


def _set(meta: dict[str, Any], fields: dict[str, Any], name: str, value: Any,
         actor: str, none: bool = False) -> Any:
    """Put one validated value in metadata and fields; return the old value."""
    if name.startswith("signer."):
        part = name.split(".", 1)[1]
        signer = dict(meta.get("signer") or {})
        old = signer.get(part)
        signer[part] = value
        meta["signer"] = signer
        field = dict(fields.get("signer") or {})
        parts = dict(field.get("parts") or {})
        if not parts:
            # No block was read (no parts): the other two parts keep the whole signer's doubt,
            # or a clerk's one part would settle all three.
            parts = {p: {"value": signer.get(p), "confidence": field.get("confidence", 0.0),
                         "needs_review": bool(field.get("needs_review"))}
                     for p in SIGNER_PARTS}
        parts[part] = _confident(parts.get(part), value, actor)
        field["parts"] = parts
        field["value"] = signer
        field["needs_review"] = any(p.get("needs_review") for p in parts.values())
        field["confidence"] = min(p.get("confidence", 0.0) for p in parts.values())
        fields["signer"] = field
        return old
    old = meta.get(name)
    meta[name] = value
    fields[name] = _confident(fields.get(name), value, actor, none)
    if name == "number":
        digits, _, notation = str(value or "").partition("/")
        pieces: dict[str, str | None] = {"code_number": digits or None,
                                         "code_notation": notation or None}
        for key, piece in pieces.items():
            meta[key] = piece
            fields[key] = _confident(fields.get(key), piece, actor)
    return old


class Reviewer(Protocol):
    """Who changes a document (an intake Principal): its name in the history, the audit log's
    actor, and whether it holds the secret clearance."""

    @property
    def history(self) -> str: ...

    @property
    def actor(self) -> Actor: ...

    @property
    def clearance(self) -> bool: ...


def _with_none(changes: dict[str, Any], none: list[str] | tuple[str, ...]) -> list[Change]:
    """The clerk's changes, validated against emptiness: a required field (REQUIRED) is emptied
    only by saying the document has none (`none`), never by an empty value."""
    for name in none:
        if name not in REQUIRED:
            raise InvalidFieldError(f"none: {name!r} is not a field a document may lack "
                                    f"(one of {', '.join(REQUIRED)})")
    expanded = [c for c in _expand(changes) if c.name not in none]
    for c in expanded:
        if c.name in REQUIRED and validate(c.name, c.value) is None:
            raise InvalidFieldError(f"{c.name}: empty; a document without one is marked "
                                    f"\"none\": [\"{c.name}\"]", field=c.name)
    return expanded + [Change(name, None) for name in none]


def correct_fields(settings: Settings, doc_id: int, changes: dict[str, Any], who: Reviewer,
                   paper_arrived_on: str | None = None, reason: str | None = None,
                   none: list[str] | tuple[str, ...] = ()) -> None:
    """Apply a clerk's values (a value equal to the old one accepts it); record each change.

    A required field (documents.confirm.REQUIRED: number, date, agency, type, subject) is not
    emptied by an empty value (InvalidFieldError): the clerk says the document has none by naming
    it in `none`, stored as a confident empty value with `none: true`.

    Lowering or clearing the secrecy level (accepting an uncertain "no mark" included) needs the
    clearance (ForbiddenError) and a `reason` (InvalidFieldError); every change of the level is
    written to the audit log with the reason."""
    actor = who.history
    items = [(c.name, validate(c.name, c.value)) for c in _with_none(changes, none)]
    arrived = _date(paper_arrived_on, "paper_arrived_on") if paper_arrived_on else None
    reason = " ".join(normalize_text(reason or "").split())[:500] or None
    with session_scope(settings.database, write=True) as session:
        doc = _editable(session, doc_id)
        meta, fields = dict(doc.meta), dict(doc.fields)
        level_before = level_of(doc)
        for name, value in items:
            old = _set(meta, fields, name, value, actor, name in none)
            action = "none" if name in none else ("accept" if old == value else "field")
            add_event(session, doc, action, old, value, (reason or "") if name == "secrecy" else "",
                      actor=actor, field=name)
            kind = LEARNED.get(name)
            if kind and value and old != value:
                _learn(session, kind, str(value), actor)
            organ = meta_value(meta, "organ")
            if name == "organ_code" and value and organ:
                _learn(session, LEARNED_KIND, learned_entry(str(value), str(organ)), actor)
        if arrived is not None:
            before = doc.paper_arrived_on.isoformat() if doc.paper_arrived_on else None
            add_event(session, doc, "field", before, arrived, actor=actor, field="paper_arrived_on")
            doc.paper_arrived_on = dt.date.fromisoformat(arrived)
        _check_secrecy(session, doc, who, level_before,
                       secrecy_level(meta_value(meta, "secrecy"), fields.get("secrecy")), reason)
        apply_metadata(session, doc, meta, fields)


def _label(level: SecrecyLevel) -> str:
    """A level as the audit log names it: the mark, `uncertain` or `none`."""
    mark = level.mark
    return str(mark) if mark is not None else level.name.lower()


def _check_secrecy(session: Session, doc: Document, who: Reviewer, before: SecrecyLevel,
                   after: SecrecyLevel, reason: str | None) -> None:
    """Refuse lowering the level without the clearance, or lowering a mark (MẬT and above)
    without a reason; audit every change of level.

    Deciding that an uncertain "no mark" is none is a person's decision the restriction waits
    for, not the clearing of a mark: it needs the clearance (only such a person sees the
    document) and is audited, but needs no reason."""
    if after == before:
        return
    if after < before:
        if not who.clearance:
            raise ForbiddenError("Chỉ người được phép xem văn bản mật mới được hạ hoặc bỏ độ mật.",
                                 reason="clearance")
        if before > SecrecyLevel.UNCERTAIN and not reason:
            raise InvalidFieldError("Hạ hoặc bỏ độ mật phải ghi lý do.", field="reason")
    record(session, who.actor, AuditAction.SECRECY_CHANGED, object_kind="document",
           object_id=doc.id, detail={"from": _label(before), "to": _label(after),
                                     "reason": reason})


def confirm_document(settings: Settings, doc_id: int, who: Reviewer,
                     accept_remaining: bool = False) -> None:
    """Confirm a reviewed document: it becomes ready for delivery. Accepting the remaining
    fields as read decides an uncertain secrecy too (see `_check_secrecy`)."""
    actor = who.history
    with session_scope(settings.database, write=True) as session:
        doc = _editable(session, doc_id)
        pending = [k for k, f in doc.fields.items() if isinstance(f, dict) and f.get("needs_review")]
        if pending and not accept_remaining:
            raise ConflictError(f"document {doc_id} still has fields to review: "
                                f"{', '.join(sorted(pending))}")
        empty = empty_required(doc.fields)
        if empty:  # accepting the rest as read never accepts a missing number or date
            raise ConflictError(f"document {doc_id} has empty required fields: "
                                f"{', '.join(empty)} (fill them, or mark that it has none)")
        if pending:
            fields = {k: (_confident(f, f.get("value"), actor) if k in pending else f)
                      for k, f in doc.fields.items()}
            _check_secrecy(session, doc, who, level_of(doc),
                           secrecy_level(doc.secrecy, fields.get("secrecy")), None)
            meta = dict(doc.meta)
            for name in pending:
                add_event(session, doc, "accept", None, fields[name].get("value"), actor=actor,
                          field=name)
            code, organ = fields.get("organ_code", {}).get("value"), meta_value(meta, "organ")
            if "organ_code" in pending and code and organ:  # an accepted code is the document's
                meta["organ_code"] = code
                _learn(session, LEARNED_KIND, learned_entry(str(code), str(organ)), actor)
            apply_metadata(session, doc, meta, fields)
        # The agency's signer, as a person confirmed it, is known to the next documents' reading.
        # Not from a document with a secrecy mark: what it holds stays with those cleared for it.
        known = signer_entry(meta_value(doc.meta or {}, "organ"), (doc.meta or {}).get("signer"))
        if known and level_of(doc) == SecrecyLevel.NONE:
            _learn(session, SIGNER_KIND, known, actor)
        # Before signing and the registry take the file: its title from the corrected metadata.
        retitle(session, open_store(settings), doc, actor)
        confirm(session, doc, actor)


def _editable(session: Session, doc_id: int) -> Document:
    return lock_for_review(session, doc_id, "corrected or confirmed")


def _learn(session: Session, kind: str, value: str, actor: str) -> None:
    """Add a gazetteer entry once: two clerks confirming documents of the same agency's signer
    at the same moment both insert it, and the second insert is a no-op, not an error."""
    insert_ignoring_conflicts(session, GazetteerEntry, kind=kind, value=value[:300],
                              added_by=actor, added_at=utcnow())

