"""Files to download: a document's PDF/A and original, page images, the separator sheet to print."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse, Response, StreamingResponse

from documents.audit import AuditAction
from documents.naming import content_disposition, file_name
from infra.storage import open_store, original_key
from infra.tables import Page, Upload
from intake.deps import Clerk, ClerkOrRegistry, ReadSession, SettingsDep, Uploader
from intake.routers import ApiRouter
from intake.schemas import DbInt, binary, errors
from intake.services.access import (
    audit_secret,
    original_alone,
    original_restricted,
    served_document,
)
from models.errors import NotFoundError
from models.settings import Settings

router = ApiRouter(prefix="/api", tags=["files"])


def _file_response(settings: Settings, key: str, media_type: str, filename: str,
                   inline: bool = False) -> Response:
    store = open_store(settings)
    path = store.local_path(key)
    if inline:  # shown in the browser's viewer, saved under `filename`
        headers = {"Content-Disposition": content_disposition(filename)}
        if path is not None:
            return FileResponse(path, media_type=media_type, headers=headers)
        stream = store.open(key)
        return StreamingResponse(iter(lambda: stream.read(1 << 20), b""), media_type=media_type,
                                 headers=headers)
    if path is not None:
        return FileResponse(path, media_type=media_type, filename=filename)
    stream = store.open(key)
    return StreamingResponse(iter(lambda: stream.read(1 << 20), b""), media_type=media_type)


@router.get("/documents/{doc_id}/pdf", summary="Download the PDF/A", response_class=Response,
            responses={**binary("application/pdf", "The PDF/A"), **errors(404, 422)})
def get_pdf(settings: SettingsDep, request: Request, session: ReadSession,
            who: ClerkOrRegistry, doc_id: DbInt) -> Response:
    """The searchable PDF/A of the document, shown in the browser (`inline`) and saved under a
    name made of its number and subject (`87-QĐ-UBND Về việc ….pdf`); a restricted one's
    download is audited."""
    doc = served_document(session, who, doc_id)
    if not doc.pdf_key:
        raise NotFoundError(f"document {doc_id} has no PDF/A (yet)")
    audit_secret(settings, request, who, doc, AuditAction.SECRET_DOWNLOADED, "pdf")
    name = file_name(doc.meta or {}, Path(doc.title).stem or f"van-ban-{doc_id}")
    return _file_response(settings, doc.pdf_key, "application/pdf", name, inline=True)


@router.get("/documents/{doc_id}/original", summary="Download the original file",
            response_class=Response,
            responses={**binary("application/octet-stream", "The file as it was uploaded"),
                       **errors(404, 422)})
def get_original(settings: SettingsDep, request: Request, session: ReadSession,
                 who: ClerkOrRegistry, doc_id: DbInt) -> Response:
    """The file as it was uploaded: restricted like the strictest document cut from it (a
    stack holding a secret document needs the clearance; the download is then audited). The
    registry gets the original of a document in its feed when the file holds that document
    alone: a signed incoming PDF is the copy with legal value (docs/DELIVERY.md)."""
    doc = served_document(session, who, doc_id)
    restricted = original_restricted(session, doc)
    if restricted and not who.clearance:
        raise NotFoundError(f"document {doc_id} has no original you may download")
    if who.kind == "token" and not original_alone(session, doc):
        raise NotFoundError(f"the original of document {doc_id} holds other documents too")
    audit_secret(settings, request, who, doc, AuditAction.SECRET_DOWNLOADED, "original",
                 restricted=restricted)
    upload = session.get(Upload, doc.upload_id)
    name = upload.filename if upload else doc.sha256
    return _file_response(settings, original_key(doc.sha256), "application/octet-stream", name)


@router.get("/documents/{doc_id}/pages/{index}/image", summary="Page image (JPEG)",
            response_class=Response,
            responses={**binary("image/jpeg", "The page image"), **errors(404, 422)})
def get_page_image(settings: SettingsDep, request: Request, session: ReadSession, who: Clerk,
                   doc_id: DbInt, index: DbInt) -> Response:
    """The image of one page (0-based), as shown on the review screen (audited when the
    document is restricted)."""
    doc = served_document(session, who, doc_id)
    page = session.query(Page).filter_by(document_id=doc_id, index=index).one_or_none()
    if page is None or not page.image_key:
        raise NotFoundError(f"document {doc_id} has no image for page {index}")
    audit_secret(settings, request, who, doc, AuditAction.SECRET_VIEWED, f"page {index}")
    return _file_response(settings, page.image_key, "image/jpeg",
                          f"document-{doc_id}-page-{index}.jpg")


@router.get("/separator.pdf", summary="Separator sheet to print (one before each document)",
            response_class=Response,
            responses=binary("application/pdf", "One A4 page with the separator's QR code"))
def separator_sheet(who: Uploader) -> Response:
    """A printable A4 separator page: scanned before a document, it cuts the batch there."""
    from documents.separator import separator_pdf

    return Response(separator_pdf(), media_type="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="trang-phan-tach.pdf"'})
