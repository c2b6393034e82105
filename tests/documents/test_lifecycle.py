"""documents.lifecycle is the one writer of a document's status and of history events.

(a) A source check over documents/, worker/ and intake/: no other module assigns a Document's
`.status`, writes a status event itself or constructs an `Event` row. (b) `set_status` on a real
SQLite database: one event per change, none for the same status, refused transitions write nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from documents.lifecycle import record_created, set_status
from infra.database import dispose_engines, session_scope
from infra.tables import Document, DocumentStatus, Event
from models.errors import ConflictError
from models.settings import Settings
from tests.service.helpers import ready_document

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("documents", "worker", "intake")
OWNER = ROOT / "documents" / "lifecycle.py"


def _table_names(tree: ast.Module) -> tuple[dict[str, str], set[str]]:
    """Local names bound to classes of infra.tables (local -> class), and to the module itself."""
    classes: dict[str, str] = {}
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "infra.tables":
            classes.update({a.asname or a.name: a.name for a in node.names})
        elif isinstance(node, ast.ImportFrom) and node.module == "infra":
            modules.update(a.asname or a.name for a in node.names if a.name == "tables")
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name == "infra.tables")
    return classes, modules


def _leaves(value: ast.expr) -> Iterator[ast.expr]:
    """The values an expression can take (both sides of `a if c else b`, of `a or b`)."""
    if isinstance(value, ast.IfExp):
        yield from _leaves(value.body)
        yield from _leaves(value.orelse)
    elif isinstance(value, ast.BoolOp):
        for part in value.values:
            yield from _leaves(part)
    else:
        yield value


def _targets(node: ast.expr) -> Iterator[ast.expr]:
    if isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _targets(element)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def writes(source: str) -> list[tuple[int, str]]:
    """(line, what) of each status write or event row a module makes.

    `x.status = v` counts unless every value `v` can take is a `PageStatus` member (a page row),
    or the module does not import `Document` and every value is a string literal (a pipeline
    result's "ok"/"partial"/"failed", models.result)."""
    tree = ast.parse(source)
    classes, modules = _table_names(tree)
    sees_documents = "Document" in classes.values()

    def table_class(node: ast.expr, name: str) -> bool:
        if isinstance(node, ast.Name):
            return classes.get(node.id) == name
        return (isinstance(node, ast.Attribute) and node.attr == name
                and isinstance(node.value, ast.Name) and node.value.id in modules)

    def page_status(leaf: ast.expr) -> bool:
        return isinstance(leaf, ast.Attribute) and table_class(leaf.value, "PageStatus")

    def result_status(leaf: ast.expr) -> bool:
        return not sees_documents and isinstance(leaf, ast.Constant) and isinstance(leaf.value, str)

    def document_status(value: ast.expr) -> bool:
        leaves = list(_leaves(value))
        return not (all(page_status(v) for v in leaves) or all(result_status(v) for v in leaves))

    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in (t for group in targets for t in _targets(group)):
                if (isinstance(target, ast.Attribute) and target.attr == "status"
                        and document_status(node.value)):
                    found.append((node.lineno, f"assigns {ast.unparse(target)}"))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        args: list[Any] = [a.value if isinstance(a, ast.Constant) else a for a in node.args]
        keywords = {k.arg: k.value for k in node.keywords}
        if table_class(func, "Event"):
            found.append((node.lineno, "constructs Event"))
        elif name == "insert" and node.args and table_class(node.args[0], "Event"):
            found.append((node.lineno, "inserts into Event"))
        elif name == "setattr" and len(args) > 1 and args[1] == "status":
            found.append((node.lineno, "setattr status"))
        elif name == "values" and "status" in keywords and sees_documents:
            found.append((node.lineno, "updates status in bulk"))
        elif name == "add_event" and "status" in (args[2] if len(args) > 2 else None,
                                                 getattr(keywords.get("action"), "value", None)):
            found.append((node.lineno, "writes a status event"))
    return found


def _modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_only_lifecycle_writes_status_and_events() -> None:
    offenders = [f"{path.relative_to(ROOT)}:{line}: {what}" for path in _modules()
                 if path != OWNER for line, what in writes(path.read_text(encoding="utf-8"))]
    assert offenders == [], "use documents.lifecycle instead:\n" + "\n".join(offenders)
    assert writes(OWNER.read_text(encoding="utf-8")), "the check no longer sees the real writer"


DOC = "from infra.tables import Document, DocumentStatus, Event, PageStatus\n"


@pytest.mark.parametrize("source", [
    DOC + "doc.status = DocumentStatus.CONFIRMED",
    DOC + "doc.status = status",
    DOC + "doc.status = 'confirmed'",
    DOC + "doc.status, doc.attempts = DocumentStatus.QUEUED, 0",
    DOC + "doc.status = PageStatus.DONE if ok else DocumentStatus.FAILED",
    "from models.result import DocumentResult\nresult.status = DocumentStatus.FAILED",
    DOC + "session.add(Event(actor='x', action='status'))",
    "from infra import tables\nsession.add(tables.Event(actor='x', action='upload'))",
    "from infra.tables import Event as E\nsession.add(E(actor='x', action='upload'))",
    DOC + "session.execute(insert(Event).values(actor='x'))",
    DOC + "setattr(doc, 'status', DocumentStatus.QUEUED)",
    DOC + "session.execute(update(Document).values(status='queued'))",
    "add_event(session, doc, 'status', None, 'queued')",
    "add_event(session, doc, action='status', old=None, new='queued')",
])
def test_the_check_sees_a_write(source: str) -> None:
    assert writes(source)


@pytest.mark.parametrize("source", [
    DOC + "page.status = PageStatus.FAILED if error else PageStatus.DONE",
    "result.status = 'partial' if failed else 'ok'",  # a pipeline result, no Document in sight
    DOC + "ok = doc.status == DocumentStatus.QUEUED",
    DOC + "doc = Document(status=DocumentStatus.PROCESSING)",
    "import threading\nstop = threading.Event()",
    DOC + "rows = select(Event).where(Event.document_id == 1)",
    "add_event(session, doc, 'field', None, 'x', field='subject')",
])
def test_the_check_allows(source: str) -> None:
    assert writes(source) == []


@lru_cache(maxsize=1)
def _generated_meta() -> dict[str, object]:
    """The fields of a generated document (the synth generator's ground truth)."""
    from synth import make_document

    fields = make_document(12, pages=1).truth["fields"]
    return {k: v for k, v in fields.items() if isinstance(v, str)}


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    yield Settings(data_dir=tmp_path / "var", database_url=f"sqlite:///{tmp_path / 'intake.db'}")
    dispose_engines()


def _history(session: Any, doc_id: int) -> list[tuple[str, object, object, str, bool]]:
    rows = session.scalars(select(Event).where(Event.document_id == doc_id).order_by(Event.id))
    return [(e.action, e.old, e.new, e.actor, e.by_person) for e in rows]


def test_set_status_writes_one_event_per_change(settings: Settings) -> None:
    doc_id = ready_document(settings, _generated_meta())
    with session_scope(settings.database, write=True) as session:
        before = _history(session, doc_id)
        doc = session.get_one(Document, doc_id)
        set_status(session, doc, DocumentStatus.READY_FOR_REVIEW, "again", actor="user:lan")
        session.flush()
        assert _history(session, doc_id) == before  # unchanged status: no event
        assert doc.confirmed_at is None
        set_status(session, doc, DocumentStatus.CONFIRMED, "checked", actor="user:lan")
        set_status(session, doc, DocumentStatus.CONFIRMED, "twice", actor="user:lan")
    with session_scope(settings.database) as session:
        doc = session.get_one(Document, doc_id)
        assert doc.status == DocumentStatus.CONFIRMED and doc.confirmed_at is not None
        assert _history(session, doc_id) == before + [
            ("status", "ready_for_review", "confirmed", "user:lan", True)]
        event = session.scalars(select(Event).where(Event.document_id == doc_id)
                                .order_by(Event.id.desc())).first()
        assert event is not None and event.detail == "checked" and event.batch_id == doc.batch_id


def test_a_transition_not_allowed_writes_nothing(settings: Settings) -> None:
    doc_id = ready_document(settings, _generated_meta())
    with pytest.raises(ConflictError, match="ready_for_review; it cannot become processing"):
        with session_scope(settings.database, write=True) as session:
            doc = session.get_one(Document, doc_id)
            set_status(session, doc, DocumentStatus.PROCESSING)
    with session_scope(settings.database) as session:
        assert session.get_one(Document, doc_id).status == DocumentStatus.READY_FOR_REVIEW
        assert [h for h in _history(session, doc_id) if h[0] == "status"] == []


def test_record_created_writes_the_first_status(settings: Settings) -> None:
    doc_id = ready_document(settings, _generated_meta())
    with session_scope(settings.database, write=True) as session:
        first = session.get_one(Document, doc_id)
        doc = Document(batch_id=first.batch_id, upload_id=first.upload_id, sha256=first.sha256,
                       title=first.title, page_start=1, status=DocumentStatus.PROCESSING)
        session.add(doc)
        session.flush()
        record_created(session, doc, "cut at page 2")
        new_id = doc.id
    with session_scope(settings.database) as session:
        assert _history(session, new_id) == [
            ("status", None, "processing", "system:worker", False)]


def test_changes_by_people_and_tokens_and_deliveries_are_audited(settings: Settings) -> None:
    """A person's or a token's change and every delivery reach the audit log, without values;
    the worker's own steps do not (they are in the document's history only)."""
    from documents.audit import AuditAction
    from documents.lifecycle import add_event, record_delivered
    from infra.tables import AuditEntry

    doc_id = ready_document(settings, _generated_meta())
    with session_scope(settings.database, write=True) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        add_event(session, doc, "field", "a", "bí mật", actor="user:chuyen.vien", field="subject")
        add_event(session, doc, "field", None, "x", actor="system:worker", field="subject")
        set_status(session, doc, DocumentStatus.CONFIRMED, actor="user:chuyen.vien")
        record_delivered(session, doc, "token:phần mềm QLVB (itk_abcdefgh)", "pulled")
    with session_scope(settings.database) as session:
        rows = [(e.action, e.actor_kind, e.actor_name, e.object_id, e.detail)
                for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    changed = [r for r in rows if r[0] == AuditAction.DOCUMENT_CHANGED]
    assert [(r[1], r[2], r[4]["action"]) for r in changed] == [
        ("account", "chuyen.vien", "field"), ("account", "chuyen.vien", "status"),
        ("token", "phần mềm QLVB (itk_abcdefgh)", "status")]
    assert all(r[3] == str(doc_id) for r in changed)
    assert "bí mật" not in repr(rows)  # what was changed, never the value
    delivered = [r for r in rows if r[0] == AuditAction.DOCUMENT_DELIVERED]
    assert [(r[1], r[4]) for r in delivered] == [("token", {"how": "pulled"})]
