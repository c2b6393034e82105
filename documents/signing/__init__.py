"""The agency's PAdES signature of the legal copy (issue 14; docs/SIGNING.md).

This module is the light part that confirmation and corrections use (no cryptography imported):
whether signing is configured, asking for a signature, and which stored PDF is the unsigned copy.
`documents.signing.keys` loads certificates and checks them, `documents.signing.pdf` signs with
pyHanko, `documents.signing.box` places the visible box, `documents.signing.run` is the signing
round the sender runs before it delivers.

A confirmed document waits (sign_state `pending`, not yet in the registry feed) until the sender
has signed its PDF/A; then `pdf_key` names the signed copy, the version is appended to
`signing["versions"]` (the unsigned copy and every earlier signed one stay in the store), and the
document enters the feed. Confirming it again after a correction signs the unsigned copy again:
a new version.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.lifecycle import add_event
from infra.tables import Document, SigningCertificate
from models.settings import Settings, get_settings

PENDING, SIGNED, FAILED = "pending", "signed", "failed"


def file_identity_configured(settings: Settings) -> bool:
    """The agency certificate of the settings (INTAKE_SIGNING_*_FILE) is set."""
    return bool(settings.signing_pkcs12_file or settings.signing_key_file
                or settings.signing_cert_file)


def signing_configured(session: Session, settings: Settings | None = None) -> bool:
    """A certificate is configured: the settings' agency certificate or an enabled one in the
    table an administrator manages. Without one, confirmed documents are delivered unsigned."""
    if file_identity_configured(settings or get_settings()):
        return True
    return session.scalar(select(SigningCertificate.id)
                          .where(SigningCertificate.disabled.is_(False)).limit(1)) is not None


def versions(doc: Document) -> list[dict[str, Any]]:
    """The signed versions of the document, oldest first."""
    return list((doc.signing or {}).get("versions") or [])


def source_key(doc: Document) -> str | None:
    """The unsigned PDF/A of the document: what a signature and a page correction start from."""
    return unsigned_key(doc.pdf_key, doc.signing)


def unsigned_key(pdf_key: str | None, signing: dict[str, Any] | None) -> str | None:
    """`source_key` from the two columns."""
    done = (signing or {}).get("versions") or []
    if done and pdf_key == done[-1].get("key"):
        return str(done[-1]["source_key"])
    return pdf_key


def current_signature(doc: Document) -> dict[str, Any] | None:
    """The latest signed version when `pdf_key` is that signed copy, else None (unsigned)."""
    done = versions(doc)
    if done and doc.sign_state == SIGNED and doc.pdf_key == done[-1].get("key"):
        return done[-1]
    return None


def request_signature(session: Session, doc: Document, actor: str,
                      settings: Settings | None = None) -> bool:
    """At confirmation: when signing is configured, mark the document to be signed by `actor`'s
    certificate and return True (the signing round puts it in the feed); False: deliver as is."""
    if not doc.pdf_key or not signing_configured(session, settings):
        return False
    signing = dict(doc.signing or {})
    signing["request"] = {"id": uuid.uuid4().hex, "actor": actor,
                          "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    signing.pop("error", None)
    signing.pop("attempts", None)
    signing.pop("retry_at", None)
    doc.signing = signing
    doc.sign_state = PENDING
    add_event(session, doc, "signing", None, PENDING,
              "waiting for the agency's signature before delivery", actor=actor)
    return True


def retry_failed(session: Session, actor: str) -> int:
    """Put every document whose signing failed back in line (after a certificate changed)."""
    docs = list(session.scalars(select(Document).where(Document.sign_state == FAILED)))
    for doc in docs:
        signing = dict(doc.signing or {})
        signing.pop("attempts", None)
        signing.pop("retry_at", None)
        doc.signing = signing
        doc.sign_state = PENDING
        add_event(session, doc, "signing", FAILED, PENDING,
                  "signing tried again: the certificates changed", actor=actor)
    return len(docs)


def agency_signature_fields(doc: Document) -> dict[str, Any]:
    """The document JSON's `agency_signature` (state, level, time, certificate, version, error)
    and `agency_signature_note` (Vietnamese, for the review page); both None when the document
    is not to be signed (no certificate configured when it was confirmed)."""
    state = doc.sign_state
    if state is None:
        return {"agency_signature": None, "agency_signature_note": None}
    signing = doc.signing or {}
    last = current_signature(doc)
    info: dict[str, Any] = {"state": state, "level": None, "signed_at": None,
                            "certificate": None, "version": None, "error": None}
    if state == SIGNED and last is not None:
        info.update(level=last.get("level"), signed_at=last.get("signed_at"),
                    certificate=last.get("certificate"), version=last.get("version"))
        note = (f"Đã ký số sao y (PAdES {info['level']}) lúc {info['signed_at']} bằng chứng thư "
                f"«{info['certificate']}», phiên bản {info['version']}.")
    elif state == FAILED:
        info["error"] = signing.get("error")
        note = (f"Chưa ký số được nên văn bản chưa được chuyển đi: {info['error']}. Quản trị viên "
                "kiểm tra chứng thư tại Quản trị › Chữ ký số.")
    elif state == PENDING:
        note = "Đang chờ ký số sao y của cơ quan trước khi chuyển đến hệ thống quản lý văn bản."
    else:
        note = "Bản PDF hiện tại chưa được ký số (đã sửa sau khi ký; xác nhận lại để ký lại)."
    return {"agency_signature": info, "agency_signature_note": note}
