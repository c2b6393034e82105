"""The PDF/A's title follows the clerk's corrections (issue 16): when a document is confirmed,
its XMP dc:title (and Info /Title) is made again from the corrected metadata
(`documents.naming.document_title`), so the file a registry imports says `575/QĐ-UBND — …`
even when extraction had read `81/QĐ-UBND`.

A new version of the file is stored under a new key (the old one stays, as every derived file
does); nothing is rewritten when the title is already right, and never a signed copy (the
signature covers its bytes): signing comes after confirmation and takes the retitled file.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from pathlib import Path

import pikepdf
from sqlalchemy.orm import Session

from documents.lifecycle import add_event
from documents.naming import document_title
from documents.pdfa import retitle_pdfa
from documents.signing import current_signature
from infra.storage import Store, derived_key
from infra.tables import Document

log = logging.getLogger(__name__)


def retitle(session: Session, store: Store, doc: Document, actor: str) -> bool:
    """Give `doc`'s PDF/A the title its metadata names now; True when a new version was stored.
    Recorded in the history as a `retitled` event (old and new title)."""
    title = document_title(doc.meta or {})
    if not title or not doc.pdf_key or current_signature(doc) is not None:
        return False
    with tempfile.TemporaryDirectory(prefix="intake-retitle-") as tmp:
        src, out = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        try:
            with store.open(doc.pdf_key) as fh, open(src, "wb") as dst:
                while chunk := fh.read(1 << 20):
                    dst.write(chunk)
            old = retitle_pdfa(src, out, title)
        except (OSError, pikepdf.PdfError) as exc:
            # The confirmation stands: the file keeps its first title (the registry's metadata
            # and the download's name come from the corrected fields anyway).
            log.warning("document %s: PDF/A not retitled: %s", doc.id, exc)
            return False
        if old is None:
            return False  # it has that title already
        token = secrets.token_hex(5)
        doc.pdf_key = store.put_file(derived_key("documents", doc.id, f"document-{token}.pdf"), out)
    add_event(session, doc, "retitled", old, title, "PDF/A title from the corrected metadata",
              actor=actor)
    return True
