"""The web pages clerks and mailroom staff use: upload, review queue, review, search.

Each page is rendered for the signed-in person (`user=`: the navigation shows what their role
may open, the header who they are, the CSRF token the scripts send); the sign-in, sign-out and
password pages are in `intake/routers/account.py`.

Jinja2 templates, CSS and JavaScript from `intake/web/` (no build step, nothing from the
internet): the server sends the page, the page's script reads the JSON API and draws the data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from documents.audit import AuditAction
from infra.database import session_scope
from intake.auth.principal import Principal
from intake.deps import Clerk, SignedIn, Uploader
from intake.render.pages import STATIC, render, start_page
from intake.schemas import MAX_OFFSET, DbInt
from intake.services.access import audit_secret, visible_document
from intake.services.views import DocumentFilter, document_view, review_queue
from models.errors import NotFoundError
from models.settings import Settings

QUEUE_PAGE = 50  # rows per page of the queue (queue.js asks for the same)

router = APIRouter(include_in_schema=False)


def _page(template: str, who: Principal, data: Any = None) -> HTMLResponse:
    """The page, with the data its script would fetch first written into it (one round trip to
    the first render instead of three: page, script, data), for the signed-in `who`."""
    return HTMLResponse(render(template, data=data, user=who),
                        headers={"Cache-Control": "no-store"})


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _queue_data(request: Request, who: Principal) -> dict[str, Any] | None:
    """What the queue page asks the API first (its filters come from its own address)."""
    q = request.query_params
    try:
        flt = DocumentFilter(
            status=q.get("status") or None, doc_type=q.get("type") or None,
            agency=q.get("agency") or None, urgency=q.get("urgency") or None,
            issued_from=dt.date.fromisoformat(q["issued_from"]) if q.get("issued_from") else None,
            issued_to=dt.date.fromisoformat(q["issued_to"]) if q.get("issued_to") else None,
            viewer=who.viewer,
        )
        offset = min(max(0, int(q.get("offset") or 0)), MAX_OFFSET)
    except ValueError:
        return None  # the script asks the API, which names the problem
    with session_scope(_settings(request).database) as session:
        return review_queue(session, flt, QUEUE_PAGE, offset)


def _document_data(request: Request, who: Principal, doc_id: int) -> dict[str, Any] | None:
    """What the review page asks the API first, without the OCR words it does not show."""
    try:
        with session_scope(_settings(request).database) as session:
            doc = visible_document(session, who, doc_id)
            audit_secret(_settings(request), request, who, doc, AuditAction.SECRET_VIEWED,
                         "review page")
            view = document_view(session, doc_id)
    except NotFoundError:
        return None  # the script asks the API and shows the error in Vietnamese
    for p in view["pages"]:
        p.pop("words", None)
    return view


@router.get("/")
def home(who: SignedIn) -> RedirectResponse:
    """Where each role starts: clerks at the queue, the mailroom at the upload page, managers at
    the reports, administrators at the administration pages."""
    return RedirectResponse(start_page(who), status_code=303)


@router.get("/tai-len")
def upload_page(who: Uploader) -> HTMLResponse:
    """Upload a batch of scans, follow every file and document until ready."""
    return _page("upload.html", who)


@router.get("/lo-tai-len")
def batches_page(who: Uploader) -> HTMLResponse:
    """The batches uploaded (who, when, unit, files, progress, failures), kept across reloads."""
    return _page("batches.html", who)


@router.get("/hang-doi")
def queue_page(request: Request, who: Clerk) -> HTMLResponse:
    """Documents waiting for a clerk, urgent first."""
    return _page("queue.html", who, _queue_data(request, who))


@router.get("/van-ban/{doc_id}")
def review_page(request: Request, who: Clerk, doc_id: DbInt) -> HTMLResponse:
    """Check and correct one document's fields beside its pages; its history. A document the
    clerk may not see answers 404 like an unknown one (the page's script names the problem)."""
    data = _document_data(request, who, doc_id)
    page = _page("review.html", who, data)
    if data is None:
        page.status_code = 404
    return page


@router.get("/tim-kiem")
def search_page(who: Clerk) -> HTMLResponse:
    """One box over every document's text and metadata."""
    return _page("search.html", who)


class _Assets(StaticFiles):
    """Scripts, styles: pages name them with their version (`?v=`), so browsers keep them."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200 and b"v=" in scope.get("query_string", b""):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def mount(app: FastAPI) -> None:
    """Add the pages and their static files to the service."""
    app.include_router(router)
    app.mount("/static", _Assets(directory=STATIC), name="static")
