"""The web pages clerks and mailroom staff use: upload, review queue, review, search.

Plain HTML, CSS and JavaScript from `intake/web/` (no build step, nothing from the internet): the
server sends a small page shell, the page's script reads the JSON API and draws the data.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from models.errors import NotFoundError

WEB = Path(__file__).resolve().parent / "web"
STATIC = WEB / "static"
TEMPLATES = WEB / "templates"

# path -> (template, title, nav entry that is current)
PAGES = {
    "upload": ("upload.html", "Tải lên bản quét", "/tai-len"),
    "queue": ("queue.html", "Văn bản chờ kiểm tra", "/hang-doi"),
    "review": ("review.html", "Kiểm tra văn bản", "/hang-doi"),
    "search": ("search.html", "Tìm kiếm văn bản", "/tim-kiem"),
}
NAV = (("/tai-len", "Tải lên"), ("/hang-doi", "Chờ kiểm tra"), ("/tim-kiem", "Tìm kiếm"))

router = APIRouter(include_in_schema=False)


@cache
def _version() -> str:
    """Changes when a static file changes: browsers may cache assets, never a stale one."""
    latest = max((p.stat().st_mtime_ns for p in STATIC.iterdir()), default=0)
    return format(latest % 1_000_000_007, "x")


@cache
def render(page: str) -> str:
    """The HTML of one page: the layout around the page's own body."""
    name, title, current = PAGES[page]
    body = (TEMPLATES / name).read_text(encoding="utf-8")
    current_attr = ' aria-current="page"'
    nav = "".join(
        f'<a href="{href}"{current_attr if href == current else ""}>{label}</a>' for href, label in NAV
    )
    layout = (TEMPLATES / "layout.html").read_text(encoding="utf-8")
    return (layout.replace("{{title}}", title).replace("{{nav}}", nav)
            .replace("{{page}}", page).replace("{{body}}", body).replace("{{v}}", _version()))


def _page(page: str) -> HTMLResponse:
    return HTMLResponse(render(page), headers={"Cache-Control": "no-cache"})


@router.get("/")
def home() -> RedirectResponse:
    """The queue is where clerks start; the mailroom has its link in the menu."""
    return RedirectResponse("/hang-doi", status_code=303)


@router.get("/tai-len")
def upload_page() -> HTMLResponse:
    """Upload a batch of scans, follow every file and document until ready."""
    return _page("upload")


@router.get("/hang-doi")
def queue_page() -> HTMLResponse:
    """Documents waiting for a clerk, urgent first."""
    return _page("queue")


@router.get("/van-ban/{doc_id}")
def review_page(doc_id: int) -> HTMLResponse:
    """Check and correct one document's fields beside its pages; its history."""
    if doc_id < 1:
        raise NotFoundError(f"document {doc_id} not found")
    return _page("review")


@router.get("/tim-kiem")
def search_page() -> HTMLResponse:
    """One box over every document's text and metadata."""
    return _page("search")


def mount(app: FastAPI) -> None:
    """Add the pages and their static files to the service."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
