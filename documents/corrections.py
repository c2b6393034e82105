"""A person corrects how a batch was cut: split, merge, move, rotate or delete pages.

Every correction rebuilds the PDF/A of each document it touches from the pages already made (no
OCR again: page PDFs are copied, a rotation is a page attribute plus a turned image and turned
word boxes), re-runs extraction on the document's words, and records who did what. Files are
written under new names first and the database changes in one transaction, so a failure leaves
the documents as they were. A person's field corrections are kept while the document's first
page stays the same (re-extraction would otherwise undo them); otherwise its fields are read
again and the history keeps the old values.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.lifecycle import add_event, set_status
from documents.metadata import apply_metadata, learned_gazetteer, lock_for_review, meta_value
from documents.naming import document_title
from documents.signing import source_key
from documents.visibility import level_of, secrecy_level
from infra.database import session_scope
from infra.storage import Store, derived_key, open_store
from infra.tables import Document, DocumentStatus, Page
from models.errors import ConflictError, RequestError
from models.result import PAGE_EVIDENCE, PageResult, copy_reasons
from models.settings import Settings
from models.vocabulary import SecrecyLevel

TURNS = (90, 180, 270)


@dataclass
class PageRef:
    """One page as it will be in a rebuilt document."""

    row: Page
    pdf: Path  # a local PDF holding it (its document's current PDF/A)
    number: int  # 1-based page in that PDF
    turn: int = 0  # clockwise degrees to add


class _Work:
    """Local copies of the stored PDFs a correction reads, in a temporary folder."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.dir = Path(tempfile.mkdtemp(prefix="intake-correct-"))
        self._pdfs: dict[str, Path] = {}

    def pdf(self, doc: Document) -> Path:
        if not doc.pdf_key:
            raise ConflictError(f"document {doc.id} has no PDF/A to correct")
        key = source_key(doc) or doc.pdf_key  # the unsigned copy: no signature widget moves
        if key not in self._pdfs:
            local = self.store.local_path(key)
            if local is None:
                local = self.dir / f"source-{len(self._pdfs)}.pdf"
                with self.store.open(key) as src, local.open("wb") as out:
                    shutil.copyfileobj(src, out)
            self._pdfs[key] = Path(local)
        return self._pdfs[key]

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _editable(session: Session, doc_id: int) -> Document:
    return lock_for_review(session, doc_id, "split, merged or have pages changed")


def _page_index(doc: Document, index: int) -> Page:
    if not 0 <= index < len(doc.pages):
        raise RequestError(f"document {doc.id} has pages 0 to {len(doc.pages) - 1}; "
                           f"there is no page {index}")
    return doc.pages[index]


def _refs(doc: Document, work: _Work) -> list[PageRef]:
    pdf = work.pdf(doc)
    return [PageRef(p, pdf, n + 1) for n, p in enumerate(doc.pages)]


def _run(settings: Settings, change: Any) -> Any:
    """Run a correction with a session, a store and a work folder; commit or leave no trace."""
    store = open_store(settings)
    work = _Work(store)
    try:
        with session_scope(settings.database, write=True) as session:
            return change(session, store, work)
    finally:
        work.close()


def split_document(settings: Settings, doc_id: int, at: int, actor: str) -> int:
    """Cut a document before page `at`: those pages become a new document; returns its id."""
    def change(session: Session, store: Store, work: _Work) -> int:
        doc = _editable(session, doc_id)
        if not 0 < at < len(doc.pages):
            raise RequestError(f"a split needs a page between 1 and {len(doc.pages) - 1}; got {at}")
        refs = _refs(doc, work)
        first = refs[at].row
        new = _document_for(session, doc, first, actor)
        _rebuild(session, store, work, [(doc, refs[:at]), (new, refs[at:])])
        add_event(session, doc, "split", len(refs), at, f"split before page {at + 1}: pages "
                  f"{at + 1}-{len(refs)} became document {new.id}", actor=actor)
        add_event(session, new, "split", None, doc.id,
                  f"cut from document {doc.id} (its pages {at + 1}-{len(refs)})", actor=actor)
        return new.id
    return int(_run(settings, change))


def _document_for(session: Session, doc: Document, first: Page, actor: str) -> Document:
    """The row of a new document starting at `first`: a deleted one of that page is revived."""
    upload_id = first.upload_id or doc.upload_id
    start = first.source_page if first.source_page is not None else doc.page_start + first.index
    old = session.scalar(select(Document).where(Document.upload_id == upload_id,
                                                Document.page_start == start))
    if old is not None and old.status != DocumentStatus.DELETED:
        raise ConflictError(f"document {old.id} already starts at that page")
    if old is None:
        new = Document(batch_id=doc.batch_id, upload_id=upload_id, sha256=doc.sha256,
                       page_start=start, uploaded_at=doc.uploaded_at, unit=doc.unit,
                       recognised_at=doc.recognised_at, attempts=doc.attempts,
                       status=DocumentStatus.READY_FOR_REVIEW)
        session.add(new)
    else:
        new = old
        set_status(session, new, DocumentStatus.READY_FOR_REVIEW,
                   f"revived: pages of document {doc.id} start here again", actor=actor)
    new.title = f"{doc.title} ({start + 1})"[:255]
    new.meta, new.fields, new.error = {}, {}, None
    new.incoming_signatures = doc.incoming_signatures  # the same file's signatures (issue 14)
    session.flush()
    return new


def merge_documents(settings: Settings, doc_id: int, other_id: int, actor: str) -> None:
    """Append the pages of `other_id` to `doc_id`; the other document is emptied (deleted)."""
    if doc_id == other_id:
        raise RequestError("a document cannot be merged with itself")

    def change(session: Session, store: Store, work: _Work) -> None:
        doc, other = _editable(session, doc_id), _editable(session, other_id)
        refs = _refs(doc, work) + _refs(other, work)
        moved = len(other.pages)
        _rebuild(session, store, work, [(doc, refs), (other, [])])
        add_event(session, doc, "merge", None, other.id,
                  f"pages of document {other.id} appended ({moved} page(s))", actor=actor)
        set_status(session, other, DocumentStatus.DELETED, f"merged into document {doc.id}",
                   actor=actor)
    _run(settings, change)


def move_page(settings: Settings, doc_id: int, index: int, actor: str, to: int | None,
              target_id: int | None = None) -> None:
    """Move a page to position `to` of the same document or of another one (None: its end)."""
    def change(session: Session, store: Store, work: _Work) -> None:
        doc = _editable(session, doc_id)
        refs = _refs(doc, work)
        page = _page_index(doc, index)
        ref = refs.pop(index)
        if target_id is None or target_id == doc_id:
            at = len(refs) if to is None else to
            if not 0 <= at <= len(refs):
                raise RequestError(f"position {at} is outside the document (0-{len(refs)})")
            refs.insert(at, ref)
            _rebuild(session, store, work, [(doc, refs)])
            add_event(session, doc, "move", index, at, f"page {index + 1} moved to {at + 1}", actor=actor)
            return
        target = _editable(session, target_id)
        target_refs = _refs(target, work)
        at = len(target_refs) if to is None else to
        if not 0 <= at <= len(target_refs):
            raise RequestError(f"position {at} is outside document {target_id} "
                               f"(0-{len(target_refs)})")
        if not refs:
            raise RequestError("the last page of a document cannot be moved out; merge instead")
        target_refs.insert(at, ref)
        _rebuild(session, store, work, [(doc, refs), (target, target_refs)])
        detail = f"page {index + 1} (source page {(page.source_page or 0) + 1})"
        # Three kinds of move, three actions: `move` within a document (old page -> new
        # position), `move_out` (old page -> the other document), `move_in` (the page in the
        # other document -> its position here).
        add_event(session, doc, "move_out", index, target_id, f"{detail} moved to document "
                  f"{target_id}", actor=actor)
        add_event(session, target, "move_in", {"document": doc_id, "page": index}, at,
                  f"{detail} of document {doc_id} inserted at {at + 1}", actor=actor)
    _run(settings, change)


def rotate_page(settings: Settings, doc_id: int, index: int, degrees: int, actor: str) -> None:
    """Turn a page clockwise by 90, 180 or 270 degrees."""
    if degrees % 360 not in TURNS:
        raise RequestError(f"a page turns by 90, 180 or 270 degrees; got {degrees}")

    def change(session: Session, store: Store, work: _Work) -> None:
        doc = _editable(session, doc_id)
        _page_index(doc, index)
        refs = _refs(doc, work)
        refs[index].turn = degrees % 360
        _rebuild(session, store, work, [(doc, refs)])
        add_event(session, doc, "rotate", index, degrees % 360,
                  f"page {index + 1} turned {degrees % 360}° clockwise", actor=actor)
    _run(settings, change)


def delete_page(settings: Settings, doc_id: int, index: int, actor: str) -> None:
    """Remove a page from a document (the original upload keeps it)."""
    def change(session: Session, store: Store, work: _Work) -> None:
        doc = _editable(session, doc_id)
        page = _page_index(doc, index)
        if len(doc.pages) == 1:
            raise RequestError("the only page of a document cannot be deleted")
        refs = _refs(doc, work)
        del refs[index]
        source = page.source_page
        _rebuild(session, store, work, [(doc, refs)], removed=(page,))
        add_event(session, doc, "delete_page", index, None,
                  f"page {index + 1} deleted (source page {(source or 0) + 1})", actor=actor)
    _run(settings, change)


def _empty(doc: Document) -> None:
    """A document left without pages (by a merge, which then marks it deleted): it serves
    nothing, its old PDF/A (the pages now in another document) included."""
    doc.pdf_key = None
    doc.pages_total = 0
    doc.page_count = 0
    doc.review_count = 0


def _turn_box(box: list[int] | tuple[int, ...], w: int, h: int, turn: int) -> list[int]:
    """A word box (left, top, right, bottom) in a w x h page, after turning the page clockwise."""
    x0, y0, x1, y1 = box
    if turn == 90:
        return [h - y1, x0, h - y0, x1]
    if turn == 180:
        return [w - x1, h - y1, w - x0, h - y0]
    if turn == 270:
        return [y0, w - x1, y1, w - x0]
    return [x0, y0, x1, y1]


def _turn_boxes(data: Any, w: int, h: int, turn: int) -> Any:
    """The page's evidence JSON with every `bbox` in it (words, stamps and their words, second
    looks) turned with the page."""
    if isinstance(data, list):
        return [_turn_boxes(x, w, h, turn) for x in data]
    if isinstance(data, dict):
        return {k: _turn_box(v, w, h, turn) if k == "bbox" and v else _turn_boxes(v, w, h, turn)
                for k, v in data.items()}
    return data


def _turn_page(store: Store, doc_id: int, row: Page, turn: int, token: str) -> None:
    """Turn a page's words, size and review image (the PDF page is turned separately)."""
    row.words = _turn_boxes(row.words, row.width, row.height, turn)
    if turn in (90, 270):
        row.width, row.height = row.height, row.width
    row.rotation = (row.rotation + turn) % 360
    if row.image_key:
        with store.open(row.image_key) as fh:
            image = Image.open(fh)
            image.load()
        turned = image.rotate(-turn, expand=True)
        with tempfile.NamedTemporaryFile(suffix=".jpg") as tmp:
            turned.convert("RGB").save(tmp.name, "JPEG", quality=75)
            key = derived_key("documents", doc_id, f"page-{row.id}-{token}.jpg")
            row.image_key = store.put_file(key, Path(tmp.name))


def _rebuild(session: Session, store: Store, work: _Work,
             layout: list[tuple[Document, list[PageRef]]], removed: tuple[Page, ...] = ()) -> None:
    """Make each document hold exactly its pages: PDF/A, page rows, text, extraction.

    Texts and first pages are read before any row moves; rows are renumbered in two steps so
    (document, index) stays unique at every flush."""
    from documents.pdfa import DocumentInfo, PagePart, assemble_pdfa

    token = uuid.uuid4().hex[:10]
    texts = {id(r): t for _, refs in layout for r, t in zip(refs, _page_texts(session, refs),
                                                            strict=True)}
    marks = {doc.id: _strictest(session, refs) for doc, refs in layout}
    first_before = {doc.id: (doc.pages[0].id if doc.pages else None) for doc, _ in layout}
    for page in removed:
        session.delete(page)
    rows = [r.row for _, refs in layout for r in refs]
    for n, row in enumerate(rows):
        row.index = -1 - n
    session.flush()
    for doc, refs in layout:
        for n, ref in enumerate(refs):
            ref.row.document_id, ref.row.index = doc.id, n
            if ref.turn:
                _turn_page(store, doc.id, ref.row, ref.turn, token)
    session.flush()
    for doc, refs in layout:
        session.refresh(doc)
        if not refs:
            _empty(doc)
            continue
        parts: list[PagePart] = []
        for n, ref in enumerate(refs):
            part = work.dir / f"{doc.id}-{token}-{n}.pdf"
            with pikepdf.open(ref.pdf) as src, pikepdf.new() as one:
                one.pages.append(src.pages[ref.number - 1])
                if ref.turn:
                    one.pages[0].rotate(ref.turn, relative=True)
                one.save(part)
            parts.append(part)
        out = work.dir / f"{doc.id}-{token}.pdf"
        assemble_pdfa(parts, out, DocumentInfo(title=document_title(doc.meta or {}) or doc.title))
        doc.pdf_key = store.put_file(derived_key("documents", doc.id, f"document-{token}.pdf"),
                                     out)
        doc.pages_total = doc.page_count = len(refs)
        doc.split = {**(doc.split or {}), "corrected": True, "needs_review": False,
                     "source_pages": [r.row.source_page for r in refs]}
        doc.text = "\f".join(texts[id(r)] for r in refs)
        _extract_again(session, doc, keep_person=first_before[doc.id] == refs[0].row.id,
                       floor=marks[doc.id])


def _strictest(session: Session, refs: list[PageRef]) -> tuple[SecrecyLevel, list[int]]:
    """The strictest secrecy level among the documents the pages come from (read before any
    page moves), and those documents: a page keeps the mark of the document it was cut from."""
    sources = {ref.row.document_id for ref in refs}
    levels = {i: level_of(d) for i in sources if (d := session.get(Document, i)) is not None}
    top = max(levels.values(), default=SecrecyLevel.NONE)
    return top, sorted(i for i, lv in levels.items() if lv == top)


def _page_texts(session: Session, refs: list[PageRef]) -> list[str]:
    """Each page's text: from its document's text (pages joined by form feeds) when it lines
    up with the pages, else rebuilt from the words."""
    out = []
    for ref in refs:
        doc = session.get(Document, ref.row.document_id)
        texts = doc.text.split("\f") if doc is not None else []
        if doc is not None and len(texts) == len(doc.pages) and 0 <= ref.row.index < len(texts):
            out.append(texts[ref.row.index])
        else:
            out.append(_text_from_words(ref.row.words.get("words", [])))
    return out


def _text_from_words(words: list[dict[str, Any]]) -> str:
    lines: dict[tuple[int, int, int], list[str]] = {}
    for w in words:
        lines.setdefault((w.get("block", 0), w.get("par", 0), w.get("line", 0)), []).append(w["text"])
    return "\n".join(" ".join(v) for v in lines.values())


def _extract_again(session: Session, doc: Document, keep_person: bool,
                   floor: tuple[SecrecyLevel, list[int]]) -> None:
    """Extraction on the document's pages as they now are; keep a person's values if asked.

    The secrecy level never ends below `floor` (the strictest of the documents its pages come
    from): the mark is usually on the first page only, so pages cut from a MẬT document would
    otherwise come out unmarked."""
    from documents.extract import extract_metadata
    from documents.extract.gazetteer import gazetteer_for

    pages = [PageResult.model_validate({
        **{k: v for k, v in (p.words or {}).items() if k in PAGE_EVIDENCE},
        "index": p.index, "source": p.source or "ocr", "rotation": p.rotation,
        "width": p.width, "height": p.height, "dpi": p.dpi}) for p in doc.pages]
    doc.copy_reasons = copy_reasons(pages)  # None for pages stored before their scan check
    found = extract_metadata(pages, gazetteer=gazetteer_for(learned_gazetteer(session)))
    meta, fields = dict(found.metadata), dict(found.fields)
    if keep_person:
        for key, field in (doc.fields or {}).items():
            if isinstance(field, dict) and field.get("corrected_by"):
                fields[key] = field
                meta[key] = (doc.meta or {}).get(key)
    level, sources = floor
    read = secrecy_level(meta_value(meta, "secrecy"), fields.get("secrecy"))
    if read < level:
        mark = level.mark
        meta["secrecy"] = str(mark) if mark is not None else None
        fields["secrecy"] = {"value": meta["secrecy"], "confidence": 1.0 if mark else 0.5,
                             "needs_review": mark is None, "page": None, "bbox": None,
                             "kept_from": sources}
        add_event(session, doc, "secrecy_kept", read.mark, meta["secrecy"] or "uncertain",
                  f"secrecy kept from document(s) {', '.join(map(str, sources))}: the strictest "
                  f"of its pages' documents", field="secrecy")
    apply_metadata(session, doc, meta, fields)
