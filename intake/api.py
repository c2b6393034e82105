"""The HTTP API (FastAPI). For now: health and installation check; the intake service builds on it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from models.errors import IntakeError
from models.settings import get_settings

app = FastAPI(title="Intake: số hóa văn bản đến", version="0.1.0")


@app.exception_handler(IntakeError)
async def _intake_error(_request: object, exc: IntakeError) -> JSONResponse:
    """The one JSON error shape of the API."""
    return JSONResponse(status_code=exc.http_status, content={"error": exc.to_dict()})


@app.get("/healthz")
def healthz() -> dict[str, object]:
    """Report the versions of the external programs; 503 when one is missing."""
    from worker.startup import check_tools  # adapters only; no OpenCV imported here

    return {"status": "ok", "tools": check_tools(get_settings().ocr_language)}


@app.get("/")
def index() -> dict[str, str]:
    """Where to go next."""
    return {"service": "intake", "docs": "/docs", "health": "/healthz"}
