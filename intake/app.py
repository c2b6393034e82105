"""The HTTP API (FastAPI): the intake service's routes, health, and the one JSON error shape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from infra.database import migrate
from intake.auth.access import PASSWORD_CHANGE
from intake.deps import Public
from intake.routers.account import PASSWORD_PAGE, SIGN_IN, forbidden_page
from intake.routers.account import router as account_router
from intake.schemas import errors
from models.errors import AuthenticationError, ForbiddenError, IntakeError
from models.settings import Settings, get_settings


async def _intake_error(request: Request, exc: Exception) -> Response:
    """The one JSON error shape of the API; a page asked without a valid session goes to the
    sign-in page, one asked before the first password change to the password page, one the
    role may not open to a page saying so."""
    assert isinstance(exc, IntakeError)
    page = not request.url.path.startswith("/api/") and request.method in ("GET", "HEAD")
    if page and isinstance(exc, AuthenticationError):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{SIGN_IN}?{urlencode({'next': target})}", status_code=303)
    if isinstance(exc, AuthenticationError) and not request.url.path.startswith("/api/"):
        return RedirectResponse(SIGN_IN, status_code=303)  # a form sent after its session ended
    if page and isinstance(exc, ForbiddenError) and exc.details.get("reason") == PASSWORD_CHANGE:
        return RedirectResponse(PASSWORD_PAGE, status_code=303)
    if isinstance(exc, ForbiddenError) and not request.url.path.startswith("/api/"):
        return forbidden_page(exc.message)  # another role's page, or a form without valid CSRF
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else None
    return JSONResponse(status_code=exc.http_status, content={"error": exc.to_dict()},
                        headers=headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own parameter errors, in the same shape."""
    assert isinstance(exc, RequestValidationError)
    details = [{"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
               for e in exc.errors()]
    message = "; ".join(f"{d['where']}: {d['message']}" for d in details) or "invalid request"
    body = {"code": "bad_request", "message": message, "details": {"errors": details}}
    return JSONResponse(status_code=422, content={"error": body})


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    """Unknown routes and wrong methods, in the same shape."""
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse(status_code=exc.status_code,
                        content={"error": {"code": code, "message": str(exc.detail)}},
                        headers=exc.headers)  # a 405 names the methods it takes (`Allow`)




class Health(BaseModel):
    """The service is up and the programs it needs are installed."""

    status: str = Field(description="ok")
    tools: dict[str, str] = Field(description="program -> version")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the settings are read at startup when not given (tests give their own)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "settings", None) is None:
            app.state.settings = get_settings()
        # Every start brings the schema up to date (a no-op when it is).
        await run_in_threadpool(migrate, app.state.settings.database)
        yield

    from intake.middleware import install as install_middleware
    from intake.routers import (
        admin,
        api_docs,
        batches,
        corrections,
        documents,
        downloads,
        registry,
        reports,
        search,
    )
    from intake.routers.web import mount as mount_pages

    app = FastAPI(title="Intake: số hóa văn bản đến", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # the docs page: intake/routers/api_docs.py
    app.state.settings = settings
    app.add_exception_handler(IntakeError, _intake_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for module in (batches, documents, corrections, downloads, search, registry, reports):
        app.include_router(module.router)
    app.include_router(account_router)  # sign-in, sign-out, password change
    mount_pages(app)  # the web pages: upload, review queue, review, search
    app.include_router(admin.router)  # the administrators' pages /quan-tri
    api_docs.mount(app)  # the API description page, without any CDN
    install_middleware(app)  # body limits, security headers (intake/middleware/)

    @app.get("/healthz", response_model=Health, responses=errors(503))
    def healthz(_: Public) -> dict[str, object]:
        """Report the versions of the external programs; 503 when one is missing."""
        from infra.tools.check import check_tools  # adapters only; no OpenCV imported here

        return {"status": "ok", "tools": check_tools(get_settings().ocr_language)}

    return app


app = create_app()
