"""A corpus of N ready documents written straight into a database, for the search benchmark.

Texts and metadata come from the project's generator (synth truth, no rendering); a few hundred
distinct documents are varied (number, agency, a line of body) to reach N, and indexed with the
service's own code (documents.search), as a worker would.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from sqlalchemy.orm import Session

from documents.search import index_document, search_strings
from infra.database import migrate, session_scope
from infra.tables import Batch, Document, DocumentStatus, StoredFile, Upload
from models.text import fold

# The receiving unit of every seeded document, and of the account the benchmark signs in with.
UNIT = "Văn phòng"


@dataclass(frozen=True)
class Source:
    """Text and registry identity of one generated document."""

    text: str
    number: str
    notation: str
    organ: str
    doc_type: str
    subject: str


def generated_sources(count: int) -> list[Source]:
    """`count` distinct generated documents (text of every line, and their fields)."""
    from synth import make_document

    out = []
    for seed in range(count):
        truth = make_document(10_000 + seed, pages=1).truth
        fields = truth["fields"]
        lines = [ln["text"] for page in truth["pages"] for ln in page["lines"]]
        out.append(Source("\n".join(lines), fields.get("code_number") or "",
                          fields.get("code_notation") or "", fields.get("organ_name") or "",
                          (fields.get("type_name") or "").capitalize(),
                          fields.get("subject") or ""))
    return out


def seed_corpus(url: str, total: int, distinct: int = 200, batch_size: int = 500) -> list[Source]:
    """Write `total` ready documents into the database at `url` (migrated first)."""
    migrate(url)
    sources = generated_sources(distinct)
    rng = random.Random(7)
    organs = sorted({s.organ for s in sources if s.organ})
    done = 0
    while done < total:
        with session_scope(url, write=True) as session:
            n = min(batch_size, total - done)
            _insert(session, [(done + i, sources[(done + i) % distinct]) for i in range(n)],
                    rng, organs)
        done += n
    return sources


def _insert(session: Session, items: list[tuple[int, Source]], rng: random.Random,
            organs: list[str]) -> None:
    batch = Batch(source="bench", unit=UNIT)
    session.add(batch)
    session.flush()
    for i, src in items:
        sha = hashlib.sha256(f"bench-{i}".encode()).hexdigest()
        session.add(StoredFile(sha256=sha, size=1))
        upload = Upload(batch_id=batch.id, sha256=sha, filename=f"bench-{i}.pdf", size=1)
        session.add(upload)
        session.flush()
        organ = src.organ if i < 200 else rng.choice(organs)
        number = src.number if i < 200 else str(rng.randint(1, 3000))
        text = src.text + f"\nVăn bản số {i} lưu trữ"
        doc = Document(batch_id=batch.id, upload_id=upload.id, sha256=sha, title=upload.filename,
                       status=DocumentStatus.READY_FOR_REVIEW, text=text, pages_total=1,
                       number=number, notation=src.notation, organ=organ,
                       organ_folded=fold(organ)[:200], doc_type=src.doc_type, unit=UNIT)
        code = f"{number}/{src.notation}"
        doc.search_text, doc.search_folded = search_strings(
            [code, organ, src.doc_type, src.subject, doc.title, text]
        )
        session.add(doc)
        session.flush()
        index_document(session, doc.id, doc.search_text, doc.search_folded)


QUERIES = [
    "quyet dinh", "Quyết định", "cong van", "ke hoach", "ủy ban nhân dân", "uy ban nhan dan",
    "so giao duc", "chuyen doi so", "bao cao", "hieu luc", "87", "15/QĐ-UBND", "1234",
    "thanh lap to cong tac", "tỉnh quảng nam", "phong chong tham nhung", "nghi dinh",
    "can cu luat", "giam doc", "noi nhan",
]
