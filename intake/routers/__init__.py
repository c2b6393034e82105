"""The API's routers, one per resource; `ApiRouter` is the router they are built with."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter


class ApiRouter(APIRouter):
    """A router whose JSON answers hold exactly the keys the service built.

    Every route declares its `response_model`; the answer is checked against it and written
    without the optional keys the service left out (`response_model_exclude_unset`), so a
    model's defaults never add keys to an answer (a document's `links.pdf` is absent until there
    is a PDF/A, not null)."""

    def add_api_route(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        kwargs["response_model_exclude_unset"] = True
        super().add_api_route(path, endpoint, **kwargs)
