"""The API description page (`/docs`): Swagger UI from the `fastapi-offline` package, no CDN.

FastAPI's own `/docs` and `/redoc` load their scripts from a CDN and start them with inline code,
which the content security policy (intake/middleware/headers.py) forbids; here the Swagger UI
files come from the installed package (`/docs/assets/`) and its start is a static script
(`static/api-docs.js`). There is no `/redoc`. The page shows only the OpenAPI description, which
is public (`/openapi.json`); calling the API from it needs a session or a token as anywhere else.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from intake.deps import Public
from intake.render.pages import asset_version

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/docs/assets"

router = APIRouter(include_in_schema=False)


def _page(openapi_url: str) -> str:
    bundle = version("fastapi-offline")  # the Swagger UI files change with the package
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mô tả API — Số hóa văn bản đến</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css?v={bundle}">
<script src="{ASSETS_URL}/swagger-ui-bundle.js?v={bundle}" defer></script>
<script src="/static/api-docs.js?v={asset_version()}" defer></script>
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi_url}"></div>
</body>
</html>
"""


@router.get("/docs")
def docs_page(_: Public) -> HTMLResponse:
    """Swagger UI over the service's OpenAPI description."""
    return HTMLResponse(_page("/openapi.json"))


def mount(app: FastAPI) -> None:
    """Add the page and the Swagger UI files to the service."""
    app.include_router(router)
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="api-docs-assets")
